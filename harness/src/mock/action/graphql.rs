//! `graphql`: the GraphQL endpoint. The request runs on the compiled schema
//! (`mock/graphql.rs`); each root field calls the same [`Action`]s as the REST endpoints, with
//! the field's arguments as the request, and its outcome becomes the field's data or a coded
//! GraphQL error. Errors come with HTTP 200, as at HappyColis.

use std::sync::Arc;

use serde_json::Value;

use super::call::{Action, Actions, Call, Outcome, Refusal, Via};
use crate::mock::auth::Tenant;
use crate::mock::core::Core;
use crate::mock::graphql::{Coded, Resolve};
use crate::mock::reply::Reply;
use crate::spec::extensions::{MockAction, MockState};
use crate::spec::pointer;

/// The action kinds a GraphQL root field can run.
const FIELD_ACTIONS: [MockAction; 4] = [
    MockAction::Create,
    MockAction::Read,
    MockAction::Delete,
    MockAction::List,
];

/// Serves a GraphQL request (its body was validated against the request schema): a document
/// that does not parse is a transport-level 400, anything else a 200 with `data` and
/// `errors`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Graphql;

impl Action for Graphql {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        let Some(compiled) = call.core().graphql.as_ref() else {
            return Err(Refusal::Status(
                400,
                "this endpoint has no x-graphql schema".into(),
            ));
        };
        let body = call.body();
        let Some(query) = body.and_then(|b| b.get("query")).and_then(Value::as_str) else {
            return Err(Refusal::Status(
                400,
                "the body needs a `query` string".into(),
            ));
        };
        // A document that does not parse is a transport-level 400 at HappyColis.
        let document = match async_graphql::parser::parse_query(query) {
            Ok(document) => document,
            Err(error) => {
                return Err(Refusal::Status(
                    400,
                    format!("GraphQL syntax error: {error}"),
                ));
            }
        };
        // Refused before execution, like the engine's depth and complexity limits.
        let aliases = crate::mock::graphql_limits::aliases(&document);
        if aliases > crate::mock::graphql_limits::MAX_ALIASES {
            return Ok(Outcome::Reply(Reply::new(
                200,
                serde_json::json!({"data": null, "errors": [{
                    "message": format!("the document has {aliases} aliased fields, more than the limit of {}", crate::mock::graphql_limits::MAX_ALIASES),
                    "path": [],
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }]}),
            )));
        }
        let fields = Fields {
            core: Arc::clone(call.core()),
            actions: Arc::clone(call.actions()),
            endpoint: call.endpoint().operation_id.clone(),
            tenant: call.tenant().cloned(),
        };
        let json = compiled.execute(body.unwrap_or(&Value::Null), query, Arc::new(fields));
        Ok(Outcome::Reply(Reply::new(200, json)))
    }
}

/// The root fields of one GraphQL request: what their calls share.
struct Fields {
    core: Arc<Core>,
    actions: Arc<Actions>,
    /// The `operationId` of the GraphQL endpoint.
    endpoint: String,
    tenant: Option<Tenant>,
}

impl Resolve for Fields {
    fn resolve(&self, field: &str, mock: &MockState, args: Value) -> Result<Value, Coded> {
        if !FIELD_ACTIONS.contains(&mock.action) {
            return Err(Coded {
                message: format!("the mock action of `{field}` is not available over GraphQL"),
                code: "NOT_IMPLEMENTED",
            });
        }
        let Some(endpoint) = self
            .core
            .spec
            .endpoints
            .iter()
            .find(|e| e.operation_id == self.endpoint)
        else {
            return Err(Coded {
                message: format!("no endpoint `{}`", self.endpoint),
                code: "INTERNAL_SERVER_ERROR",
            });
        };
        target_rule(&self.core, mock, &args)?;
        let call = Call::new(
            &self.core,
            &self.actions,
            endpoint,
            mock,
            self.tenant.as_ref(),
            Via::Graphql { field, args: &args },
        );
        match self.actions.find(field, mock.action).run(&call) {
            Ok(Outcome::Resource(resource)) => Ok(resource),
            Ok(Outcome::Items(items)) => Ok(Value::Array(items)),
            Ok(Outcome::Done) => Ok(Value::Null),
            Ok(Outcome::Reply(reply)) => Ok(reply.body),
            Err(refusal) => Err(coded(refusal)),
        }
    }
}

/// The GraphQL side of the body stage: the SDL types the input, and the target-URL rule
/// judges the delivery URL in it (no JSON Schema to consult).
fn target_rule(core: &Core, mock: &MockState, args: &Value) -> Result<(), Coded> {
    let Some(target) = &mock.target else {
        return Ok(());
    };
    let Some(Value::String(url)) = pointer::get(args, mock.request.as_deref().unwrap_or(""))
        .filter(|input| input.is_object())
        .and_then(|input| pointer::get(input, target))
    else {
        return Ok(());
    };
    crate::mock::body::judge_target(core, target, url, mock.https_only, &|| true)
        .map(|_| ())
        .map_err(|message| Coded {
            message,
            code: "BAD_USER_INPUT",
        })
}

/// A refusal as a GraphQL error code.
fn coded(refusal: Refusal) -> Coded {
    let (code, message) = match refusal {
        Refusal::Invalid(message) => ("BAD_USER_INPUT", message),
        Refusal::Missing(message) => ("NOT_FOUND", message),
        Refusal::Conflict(message) => ("INTERNAL_SERVER_ERROR", message),
        Refusal::Status(status, message) => (
            match status {
                401 => "UNAUTHENTICATED",
                403 => "FORBIDDEN",
                404 => "NOT_FOUND",
                400..=499 => "BAD_USER_INPUT",
                _ => "INTERNAL_SERVER_ERROR",
            },
            message,
        ),
    };
    Coded { message, code }
}
