//! An operation of the target's API as the provider checks see it: a REST endpoint or one
//! GraphQL field, with its `x-operation.mock`; and who a request claims to be.

use crate::spec::extensions::{MockAction, MockState};

/// One operation: a REST endpoint, or one operation of a GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct Op {
    /// Its name in trial names: the `operationId`, or the GraphQL field.
    pub name: String,
    /// Index of its endpoint in the spec.
    pub endpoint: usize,
    /// What it does to the state.
    pub mock: Option<MockState>,
    /// The GraphQL field, for a GraphQL operation.
    pub graphql: Option<String>,
}

impl Op {
    /// Its action, if it has state.
    #[must_use]
    pub fn action(&self) -> Option<MockAction> {
        self.mock.as_ref().map(|m| m.action)
    }

    /// Its collection.
    #[must_use]
    pub fn collection(&self) -> Option<&str> {
        self.mock.as_ref().and_then(|m| m.collection.as_deref())
    }

    /// Where the request fields sit in the body it sends.
    #[must_use]
    pub fn fields_at(&self) -> String {
        let request = self
            .mock
            .as_ref()
            .and_then(|m| m.request.as_deref())
            .unwrap_or("");
        match &self.graphql {
            Some(_) => format!("/variables{request}"),
            None => request.to_string(),
        }
    }

    /// Where a field of the stored resource (`/config/event`) sits in the body it sends, if
    /// the request sets it.
    #[must_use]
    pub fn field(&self, stored: &str) -> Option<String> {
        let into = self
            .mock
            .as_ref()
            .and_then(|m| m.request_into.as_deref())
            .unwrap_or("");
        stored
            .strip_prefix(into)
            .map(|rest| format!("{}{rest}", self.fields_at()))
    }

    /// Where the resource id goes in the body (`body:` ids: a delete by body).
    #[must_use]
    pub fn body_id(&self) -> Option<String> {
        let at = self.mock.as_ref()?.id.as_deref()?.strip_prefix("body:")?;
        Some(match &self.graphql {
            Some(_) => format!("/variables{at}"),
            None => at.to_string(),
        })
    }

    /// The path parameter naming the resource.
    #[must_use]
    pub fn path_id(&self) -> Option<&str> {
        self.mock.as_ref()?.id.as_deref()?.strip_prefix("path:")
    }

    /// Whether it names an existing resource.
    #[must_use]
    pub fn needs_id(&self) -> bool {
        self.mock.as_ref().is_some_and(|m| m.id.is_some())
    }
}

/// Who a request claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum As {
    /// The tenant at this index of the credentials.
    Tenant(usize),
    /// Nobody: no credentials at all.
    Nobody,
    /// Credentials in the right place, but not valid ones.
    Forged,
    /// The second tenant's credentials, in the first tenant's place (its project in the path).
    Stranger,
}
