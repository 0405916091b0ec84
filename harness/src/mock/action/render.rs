//! The REST answer of an action's outcome: the documented success body with the resource or
//! the list put in its place, or an error in the provider's own shape.

use serde_json::Value;

use super::call::{Call, Outcome, Refusal};
use super::paging;
use crate::mock::reply::{self, Reply, client_error_status, missing_status, success_status};
use crate::spec::extensions::MockState;
use crate::spec::pointer;

/// The REST reply to `result`, and whether it carries a resource (at [`place`]).
pub(crate) fn render(call: &Call<'_>, result: Result<Outcome, Refusal>) -> (Reply, bool) {
    let endpoint = call.endpoint();
    match result {
        Ok(Outcome::Resource(resource)) => with_resource(call, resource),
        Ok(Outcome::Items(items)) => (paging::reply(call, items), false),
        Ok(Outcome::Done) => (success(call), false),
        Ok(Outcome::Reply(reply)) => (reply, false),
        Err(refusal) => {
            // A documented error example shows one refusal: a missing resource, or an action's
            // own status, keeps it; an invalid request only when the delivery URL is at fault
            // (Betterez's INVALID_URL); the others get their status's code and no documented
            // text in front of their message.
            let about_target = |message: &str| {
                call.mock()
                    .target
                    .as_deref()
                    .is_some_and(|at| message.starts_with(&format!("{at}:")))
            };
            let (status, message, documented_code) = match refusal {
                Refusal::Invalid(message) => {
                    let keep = about_target(&message);
                    (client_error_status(endpoint), message, keep)
                }
                Refusal::Missing(message) => (missing_status(endpoint), message, true),
                Refusal::Conflict(message) => (409, message, false),
                Refusal::Status(status, message) => (status, message, true),
            };
            let reply = if documented_code {
                reply::error(call.spec(), Some(endpoint), status, &message)
            } else {
                reply::other_error(call.spec(), Some(endpoint), status, &message)
            };
            (reply, false)
        }
    }
}

/// Where a REST answer of `mock`'s operation puts the resource: `response`, or, without one,
/// the whole body of a resource-building operation. `None`: the answer is the documented body.
pub(crate) fn place(mock: &MockState) -> Option<&str> {
    mock.response
        .as_deref()
        .or(mock.resource.as_ref().map(|_| ""))
}

/// The documented success reply, with nothing put in it.
fn success(call: &Call<'_>) -> Reply {
    let endpoint = call.endpoint();
    let status = success_status(endpoint);
    Reply::new(status, call.core().template(endpoint, status))
}

/// The documented success body with `resource` put at `response`.
fn with_resource(call: &Call<'_>, resource: Value) -> (Reply, bool) {
    let endpoint = call.endpoint();
    let status = success_status(endpoint);
    let Some(at) = place(call.mock()) else {
        return (success(call), false);
    };
    let mut body = call.core().template_around(endpoint, status, at);
    if at.is_empty() {
        body = resource;
    } else {
        // A documented example without a place for the resource: start from nothing.
        if pointer::get_or_create(&mut body, at).is_none() {
            body = Value::Object(serde_json::Map::new());
        }
        pointer::set(&mut body, at, resource);
    }
    (Reply::new(status, body), true)
}
