//! What an action sees ([`Call`]), what it answers ([`Outcome`] or [`Refusal`]), the
//! [`Action`] trait itself, and the table actions are looked up in ([`Actions`]).

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::mock::auth::{Credentials, Tenant};
use crate::mock::core::Core;
use crate::mock::reply::Reply;
use crate::mock::resource;
use crate::mock::settings::Settings;
use crate::mock::store::Store;
use crate::spec::extensions::{MockAction, MockState};
use crate::spec::{Endpoint, ProviderSpec, pointer};

/// What a mock operation does: one implementation per `x-operation.mock.action`
/// ([`super::builtin`]), replaceable per action kind or per operation
/// (`MockBuilder::action`, `MockBuilder::operation`). The same action serves a REST endpoint
/// and a GraphQL root field: it answers an [`Outcome`] or a [`Refusal`], and the transport
/// renders it (the documented success body, or GraphQL data; the provider's error shape, or a
/// coded GraphQL error). A plain closure `Fn(&Call<'_>) -> Result<Outcome, Refusal>` is one.
pub trait Action: Send + Sync {
    /// Serves one call.
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal>;
}

impl<F> Action for F
where
    F: Fn(&Call<'_>) -> Result<Outcome, Refusal> + Send + Sync,
{
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        self(call)
    }
}

/// What an action answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// One resource. REST puts it at `x-operation.mock.response` of the documented success
    /// body (the body itself where the operation builds a resource and names no place);
    /// GraphQL answers it as the field's data.
    Resource(Value),
    /// A list of resources. REST puts it at `response` of the documented success body, keeping
    /// only what the response schema requires from the example; GraphQL answers the list.
    Items(Vec<Value>),
    /// Success without a resource: the documented success body (GraphQL: `null`).
    Done,
    /// A complete reply, sent as it is (GraphQL: its body).
    Reply(Reply),
}

/// Why an action refused a call. REST answers in the provider's error shape with the status
/// given on each variant; GraphQL with an error whose `extensions.code` is given likewise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The request is malformed: 400, or 422 where only that is documented
    /// (`BAD_USER_INPUT`).
    Invalid(String),
    /// The resource is not there for these credentials: 404, or 400 where only that is
    /// documented (`NOT_FOUND`).
    Missing(String),
    /// No free id could be found: 409 (`INTERNAL_SERVER_ERROR`).
    Conflict(String),
    /// Any other status (`UNAUTHENTICATED` for 401, `FORBIDDEN` for 403, `NOT_FOUND` for 404,
    /// `BAD_USER_INPUT` for another 4xx, `INTERNAL_SERVER_ERROR` otherwise).
    Status(u16, String),
}

/// How a call arrived.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Via<'a> {
    /// A REST request: its path parameters, query pairs and parsed body.
    Rest {
        params: &'a [(String, String)],
        query: &'a [(String, String)],
        body: Option<&'a Value>,
    },
    /// A GraphQL root field and its arguments (a JSON object).
    #[cfg_attr(not(feature = "graphql"), allow(dead_code))]
    Graphql { field: &'a str, args: &'a Value },
}

/// One call of an action: the operation, its `x-operation.mock`, the tenant, the request, and
/// the mock's state. Its helpers speak the transport's language: a REST call's refusals are
/// worded as the REST endpoints word them, a GraphQL call's as the GraphQL fields do.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    core: &'a Arc<Core>,
    #[cfg_attr(not(feature = "graphql"), allow(dead_code))]
    actions: &'a Arc<Actions>,
    endpoint: &'a Endpoint,
    mock: &'a MockState,
    tenant: Option<&'a Tenant>,
    via: Via<'a>,
}

impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.operation())
            .field("action", &self.mock.action)
            .field("tenant", &self.tenant_id())
            .finish_non_exhaustive()
    }
}

impl<'a> Call<'a> {
    /// A call of the action of `mock`, for `tenant`, arrived `via` REST or GraphQL on
    /// `endpoint`.
    pub(crate) fn new(
        core: &'a Arc<Core>,
        actions: &'a Arc<Actions>,
        endpoint: &'a Endpoint,
        mock: &'a MockState,
        tenant: Option<&'a Tenant>,
        via: Via<'a>,
    ) -> Self {
        Self {
            core,
            actions,
            endpoint,
            mock,
            tenant,
            via,
        }
    }

    /// The same call with another request body (REST) or other arguments (GraphQL): for an
    /// action that rewrites the request before handing it to another.
    #[must_use]
    pub fn with_body<'b>(&self, body: &'b Value) -> Call<'b>
    where
        'a: 'b,
    {
        let via = match self.via {
            Via::Rest { params, query, .. } => Via::Rest {
                params,
                query,
                body: Some(body),
            },
            Via::Graphql { field, .. } => Via::Graphql { field, args: body },
        };
        Call { via, ..*self }
    }

    pub(crate) fn core(&self) -> &'a Arc<Core> {
        self.core
    }

    #[cfg_attr(not(feature = "graphql"), allow(dead_code))]
    pub(crate) fn actions(&self) -> &'a Arc<Actions> {
        self.actions
    }

    /// The spec the mock serves.
    #[must_use]
    pub fn spec(&self) -> &'a ProviderSpec {
        &self.core.spec
    }

    /// The endpoint the request came through (for a GraphQL field: the GraphQL endpoint).
    #[must_use]
    pub fn endpoint(&self) -> &'a Endpoint {
        self.endpoint
    }

    /// The operation: the endpoint's `operationId`, or the GraphQL root field's name.
    #[must_use]
    pub fn operation(&self) -> &'a str {
        match self.via {
            Via::Rest { .. } => &self.endpoint.operation_id,
            Via::Graphql { field, .. } => field,
        }
    }

    /// The operation's `x-operation.mock`.
    #[must_use]
    pub fn mock(&self) -> &'a MockState {
        self.mock
    }

    /// Whether the call is a GraphQL root field.
    #[must_use]
    pub fn is_graphql(&self) -> bool {
        matches!(self.via, Via::Graphql { .. })
    }

    /// The tenant the credentials belong to (`None` where the endpoint needs none).
    #[must_use]
    pub fn tenant(&self) -> Option<&'a Tenant> {
        self.tenant
    }

    /// The tenant's id, `""` without one: the key of the tenant's resources in the store.
    #[must_use]
    pub fn tenant_id(&self) -> &'a str {
        self.tenant.map_or("", |t| t.id.as_str())
    }

    /// Every tenant the mock accepts.
    #[must_use]
    pub fn credentials(&self) -> &'a Credentials {
        &self.core.credentials
    }

    /// The mock's resources.
    #[must_use]
    pub fn store(&self) -> &'a Store {
        &self.core.store
    }

    /// The mock's settings.
    #[must_use]
    pub fn settings(&self) -> &'a Settings {
        &self.core.settings
    }

    /// The request body (REST, once parsed and validated) or the field's arguments (GraphQL).
    #[must_use]
    pub fn body(&self) -> Option<&'a Value> {
        match self.via {
            Via::Rest { body, .. } => body,
            Via::Graphql { args, .. } => Some(args),
        }
    }

    /// The decoded query pairs (none for a GraphQL field).
    #[must_use]
    pub fn query(&self) -> &'a [(String, String)] {
        match self.via {
            Via::Rest { query, .. } => query,
            Via::Graphql { .. } => &[],
        }
    }

    /// The path parameters (none for a GraphQL field).
    #[must_use]
    pub fn params(&self) -> &'a [(String, String)] {
        match self.via {
            Via::Rest { params, .. } => params,
            Via::Graphql { .. } => &[],
        }
    }

    /// The state collection (default `resources`).
    #[must_use]
    pub fn collection(&self) -> &'a str {
        self.mock.collection.as_deref().unwrap_or("resources")
    }

    /// Where a stored resource's id sits (default `/id`).
    #[must_use]
    pub fn id_field(&self) -> &'a str {
        resource::id_field(self.mock)
    }

    /// The request fields: the object at `x-operation.mock.request` of the body (of the
    /// arguments, for GraphQL).
    pub fn fields(&self) -> Result<Map<String, Value>, Refusal> {
        let at = self.mock.request.as_deref().unwrap_or("");
        let found = self.body().and_then(|b| pointer::get(b, at));
        if let Some(Value::Object(map)) = found {
            return Ok(map.clone());
        }
        Err(Refusal::Invalid(match (self.via, found) {
            (Via::Graphql { .. }, _) => "the input is not an object".to_string(),
            (Via::Rest { .. }, Some(_)) => format!(
                "{} must be an object",
                if at.is_empty() { "the body" } else { at }
            ),
            (Via::Rest { .. }, None) => format!(
                "the body needs {}",
                if at.is_empty() {
                    "an object".to_string()
                } else {
                    format!("`{at}`")
                }
            ),
        }))
    }

    /// Refuses the call where its request names something its tenant does not administer
    /// (`x-operation.mock.permission`).
    pub fn check_permission(&self) -> Result<(), Refusal> {
        let Some(permission) = self.mock.permission.as_ref() else {
            return Ok(());
        };
        let fields = Value::Object(self.fields()?);
        let Some(value) = pointer::get(&fields, &permission.field) else {
            return Ok(());
        };
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        let allowed = match self.settings().administered.get(self.tenant_id()) {
            Some(set) => set.contains(&value),
            None => !permission.except.contains(&value),
        };
        if allowed {
            return Ok(());
        }
        let name = permission.field.rsplit('/').next().unwrap_or_default();
        Err(Refusal::Status(
            permission.status,
            format!("these credentials do not administer the {name} `{value}`"),
        ))
    }

    /// The id a read, update or delete names (`x-operation.mock.id`: `path:<param>` or
    /// `body:<pointer>`; a GraphQL argument must be a string).
    pub fn requested_id(&self) -> Result<String, Refusal> {
        let source = self.mock.id.as_deref();
        let found = match self.via {
            Via::Rest { params, body, .. } => source.and_then(|source| {
                if let Some(param) = source.strip_prefix("path:") {
                    return params
                        .iter()
                        .find(|(n, _)| n == param)
                        .map(|(_, v)| v.clone());
                }
                let at = source.strip_prefix("body:")?;
                match pointer::get(body?, at)? {
                    Value::String(s) => Some(s.clone()),
                    other => Some(other.to_string()),
                }
            }),
            Via::Graphql { args, .. } => source
                .and_then(|source| source.strip_prefix("body:"))
                .and_then(|at| pointer::get(args, at))
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        found.ok_or_else(|| {
            Refusal::Invalid(if self.is_graphql() {
                "the operation names no id".into()
            } else {
                "the request names no resource id".into()
            })
        })
    }

    /// The tenant's resource `id` of the collection.
    #[must_use]
    pub fn find(&self, id: &str) -> Option<Value> {
        self.store()
            .get(self.collection(), self.tenant_id(), id)
            .filter(|resource| self.sees(resource))
    }

    /// Whether the operation sees a stored resource: its fields hold the values of
    /// `x-operation.mock.only` (every resource, without it).
    #[must_use]
    pub fn sees(&self, resource: &Value) -> bool {
        self.mock
            .only
            .iter()
            .all(|(at, value)| pointer::get(resource, at) == Some(value))
    }

    /// The resource the request names, if the tenant has it.
    pub fn existing(&self) -> Result<Value, Refusal> {
        let id = self.requested_id()?;
        self.find(&id).ok_or_else(|| self.missing(&id))
    }

    /// The refusal for a resource `id` the tenant does not have.
    #[must_use]
    pub fn missing(&self, id: &str) -> Refusal {
        Refusal::Missing(if self.is_graphql() {
            format!("Webhook not found: no subscription `{id}` for these credentials")
        } else {
            let collection = self.collection();
            let singular = collection.strip_suffix('s').unwrap_or(collection);
            format!("no {singular} `{id}` (for these credentials)")
        })
    }

    /// A fresh id in the operation's format (`x-operation.mock.idFormat`, default `{uuid}`).
    #[must_use]
    pub fn new_id(&self) -> String {
        self.core
            .new_id(self.mock.id_format.as_deref().unwrap_or("{uuid}"))
    }

    /// The resource to store for request `fields` under `id`: a drawn value of the
    /// operation's resource schema (or `existing`, the stored resource being changed), the
    /// fields laid over `requestInto`, the id and the path fields; refused when the result
    /// breaks the resource schema.
    pub fn build(
        &self,
        fields: Map<String, Value>,
        id: &str,
        existing: Option<Value>,
    ) -> Result<Value, Refusal> {
        resource::build(self.core, self.mock, self.params(), fields, id, existing)
            .map_err(Refusal::Invalid)
    }
}

/// The actions of a mock: the overrides given to the builder, by operation and by kind, in
/// front of the built-in table.
pub struct Actions {
    builtin: fn(MockAction) -> &'static dyn Action,
    kinds: Vec<(MockAction, Box<dyn Action>)>,
    operations: Vec<(String, Box<dyn Action>)>,
}

impl std::fmt::Debug for Actions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actions")
            .field(
                "kinds",
                &self.kinds.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field(
                "operations",
                &self.operations.iter().map(|(o, _)| o).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Actions {
    /// `builtin` behind the overrides; a later override of the same kind or operation wins.
    pub(crate) fn new(
        builtin: fn(MockAction) -> &'static dyn Action,
        kinds: Vec<(MockAction, Box<dyn Action>)>,
        operations: Vec<(String, Box<dyn Action>)>,
    ) -> Self {
        Self {
            builtin,
            kinds,
            operations,
        }
    }

    /// The action of `operation` (an `operationId` or a GraphQL field), whose kind is `kind`.
    pub(crate) fn find(&self, operation: &str, kind: MockAction) -> &dyn Action {
        if let Some((_, action)) = self.operations.iter().rev().find(|(o, _)| o == operation) {
            return action.as_ref();
        }
        if let Some((_, action)) = self.kinds.iter().rev().find(|(k, _)| *k == kind) {
            return action.as_ref();
        }
        (self.builtin)(kind)
    }
}
