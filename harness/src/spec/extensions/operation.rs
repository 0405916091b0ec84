//! `x-operation` (with `x-operation.mock`, how the mock keeps state) and `x-graphql`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Sources;
use super::Status;

/// `x-operation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationExt {
    /// Documented or inferred.
    pub status: Status,
    /// Where it comes from.
    pub source: Sources,
    /// A remark; required for inferred operations.
    #[serde(default)]
    pub note: Option<String>,
    /// How the mock keeps state for this operation.
    #[serde(default)]
    pub mock: Option<MockState>,
}

/// What a mock operation does with its state collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MockAction {
    /// Adds a resource.
    Create,
    /// Reads one resource.
    Read,
    /// Changes some fields of a resource.
    Update,
    /// Replaces a resource.
    Replace,
    /// Removes one resource.
    Delete,
    /// Removes every resource of the tenant.
    DeleteAll,
    /// Lists the tenant's resources.
    List,
    /// Retries one (undelivered) item.
    Retry,
    /// Retries every (undelivered) item.
    RetryAll,
    /// Answers with the documented example.
    Static,
    /// Issues a bearer token.
    Token,
    /// Served by the GraphQL engine of `x-graphql`.
    Graphql,
}

/// `x-operation.mock` and `x-graphql.operations[].mock`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MockState {
    /// The state collection.
    #[serde(default)]
    pub collection: Option<String>,
    /// What the operation does.
    pub action: MockAction,
    /// What separates tenants: `credential` or `path:<param>`.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Where the resource id comes from: `path:<param>` or `body:<pointer>`.
    #[serde(default)]
    pub id: Option<String>,
    /// Template of generated ids: `{alnum:N}`, `{hex:N}`, `{uuid}` placeholders.
    #[serde(default)]
    pub id_format: Option<String>,
    /// Pointer in the request body where the resource fields are.
    #[serde(default)]
    pub request: Option<String>,
    /// Pointer in the response body where the resource goes (absent: the documented example).
    #[serde(default)]
    pub response: Option<String>,
    /// The schema of the stored resource (`#/components/schemas/...`): server-side fields
    /// (ids, secrets, defaults) are generated from it.
    #[serde(default)]
    pub resource: Option<String>,
    /// Pointer in the stored resource where its id sits (default `/id`).
    #[serde(default)]
    pub id_field: Option<String>,
    /// Pointer in the stored resource where the request fields go (default: the root).
    #[serde(default)]
    pub request_into: Option<String>,
    /// Stored fields taken from path parameters: resource pointer → parameter name.
    #[serde(default)]
    pub from_path: std::collections::BTreeMap<String, String>,
    /// Pointer, in the request fields, to the URL deliveries go to.
    #[serde(default)]
    pub target: Option<String>,
    /// Whether the provider refuses target URLs that are not `https://`.
    #[serde(default)]
    pub https_only: bool,
    /// `list`: the query parameter giving the items per page (absent: the whole list).
    #[serde(default)]
    pub page_size: Option<String>,
    /// `list`: the query parameter giving the page number, from 1.
    #[serde(default)]
    pub page: Option<String>,
    /// `list`: the query parameter carrying the cursor of the next page (cursor paging, in
    /// place of `page`).
    #[serde(default)]
    pub cursor: Option<String>,
    /// `list`: pointer, in the answer, where the cursor of the next page goes while more
    /// items remain (absent on the last page).
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// Values a created resource gets when the request does not set them: resource pointer →
    /// value (for resources without a schema, such as GraphQL ones).
    #[serde(default)]
    pub defaults: std::collections::BTreeMap<String, Value>,
    /// The stored items this operation sees: those whose fields at these pointers hold these
    /// values; any other item is answered as missing (HappyColis' two families of
    /// subscriptions, each removed by its own mutation).
    #[serde(default)]
    pub only: std::collections::BTreeMap<String, Value>,
    /// `create`: what the caller must administer (swsh's album), refused otherwise.
    #[serde(default)]
    pub permission: Option<PermissionExt>,
}

/// `x-operation.mock.permission`: a request naming something its tenant does not administer
/// is refused. By default each tenant administers every value but `except`; a mock can be
/// given each tenant's own set (`MockBuilder::administers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionExt {
    /// Pointer, in the request fields, to the value administered (a request without it
    /// needs no permission).
    pub field: String,
    /// Values no tenant administers by default.
    #[serde(default)]
    pub except: Vec<String>,
    /// The status of the refusal (default 403).
    #[serde(default = "forbidden")]
    pub status: u16,
}

fn forbidden() -> u16 {
    403
}

impl MockState {
    /// Where the delivery URL sits in the stored resource: `requestInto` then `target`.
    #[must_use]
    pub fn stored_target(&self) -> Option<String> {
        let target = self.target.as_deref()?;
        Some(format!(
            "{}{target}",
            self.request_into.as_deref().unwrap_or("")
        ))
    }
}

/// `x-graphql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlExt {
    /// The documented part of the GraphQL schema, as SDL.
    pub schema: String,
    /// The documented operations.
    pub operations: Vec<GraphqlOperation>,
}

/// One GraphQL operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlOperation {
    /// Field name on the root type.
    pub name: String,
    /// `query` or `mutation`.
    pub kind: GraphqlKind,
    /// Documented or inferred.
    pub status: Status,
    /// Where it comes from.
    pub source: Sources,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
    /// How the mock keeps state for it.
    #[serde(default)]
    pub mock: Option<MockState>,
}

/// GraphQL operation kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GraphqlKind {
    /// A query field.
    Query,
    /// A mutation field.
    Mutation,
}
