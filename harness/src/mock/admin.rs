//! The admin endpoints under `/__mock/`: emit events, read the attempt log (paged), work the
//! undeliverable list and the FIFO queues. Every answer is JSON, unknown routes included (404).

use serde_json::{Value, json};

use super::emit::{Emit, EmitError, emit};
use super::engine::Engine;
use super::reply::Reply;

/// How many attempts `GET /__mock/deliveries` answers when the query names no `limit`.
pub const DELIVERIES_PAGE: usize = 100;

/// The largest `limit` of `GET /__mock/deliveries` (a larger one is a 400).
pub const DELIVERIES_MAX_PAGE: usize = 1000;

/// Every admin endpoint, for the 404 of an unknown one.
const ENDPOINTS: &str = "POST /__mock/events/{event}, GET /__mock/deliveries?offset=N&limit=N, GET /__mock/undeliverable, POST /__mock/undeliverable/{id}/resend, POST /__mock/undeliverable/resend, DELETE /__mock/undeliverable/{id}, DELETE /__mock/undeliverable, GET /__mock/queues, POST /__mock/queues/{tenant}/unblock, POST /__mock/queues/{tenant}/skip";

fn error(status: u16, code: &str, message: String) -> Reply {
    Reply::new(status, json!({"error": code, "message": message}))
}

/// The segment between `prefix` and `suffix` of `rest`, when it is a non-empty one.
fn segment<'r>(rest: &'r str, prefix: &str, suffix: &str) -> Option<&'r str> {
    rest.strip_prefix(prefix)?
        .strip_suffix(suffix)
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

/// Serves an admin request under `/__mock/`; `None` when the path is not an admin one.
pub async fn admin(
    engine: &Engine,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Option<Reply> {
    let rest = path.strip_prefix("/__mock/")?;
    let parsed: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(e) => {
                return Some(error(
                    400,
                    "bad_request",
                    format!("the body is not valid JSON: {e}"),
                ));
            }
        }
    };
    let dispatcher = &engine.dispatcher;
    let not_found = |what: &str| error(404, "not_found", what.to_string());
    let reply = match (method, rest) {
        ("POST", rest) if rest.starts_with("events/") => {
            let event = super::router::percent_decode(&rest["events/".len()..]);
            match emit(engine, &event, Emit::from_admin(&parsed)).await {
                Ok(report) => Reply::new(200, serde_json::to_value(report).unwrap_or_default()),
                Err(e @ EmitError::UnknownEvent(..)) => error(404, "unknown_event", e.to_string()),
                Err(e) => error(400, "bad_request", e.to_string()),
            }
        }
        ("GET", "deliveries") => deliveries(engine, query),
        ("GET", "undeliverable") => Reply::new(
            200,
            serde_json::to_value(dispatcher.undeliverable()).unwrap_or_default(),
        ),
        ("POST", "undeliverable/resend") => {
            Reply::new(200, json!({"resent": dispatcher.resend(None).await}))
        }
        ("DELETE", "undeliverable") => Reply::new(200, json!({"erased": dispatcher.erase(None)})),
        ("POST", rest) if segment(rest, "undeliverable/", "/resend").is_some() => {
            let id = segment(rest, "undeliverable/", "/resend").unwrap_or_default();
            match dispatcher.resend(Some(id)).await {
                0 => not_found(&format!("no undeliverable message `{id}`")),
                n => Reply::new(200, json!({"resent": n})),
            }
        }
        ("DELETE", rest) if segment(rest, "undeliverable/", "").is_some() => {
            let id = segment(rest, "undeliverable/", "").unwrap_or_default();
            match dispatcher.erase(Some(id)) {
                0 => not_found(&format!("no undeliverable message `{id}`")),
                n => Reply::new(200, json!({"erased": n})),
            }
        }
        ("GET", "queues") => Reply::new(
            200,
            json!(
                dispatcher
                    .blocked()
                    .into_iter()
                    .map(|(t, n)| json!({"tenant": t, "status": "BLOCKED", "waiting": n}))
                    .collect::<Vec<_>>()
            ),
        ),
        ("POST", rest) if segment(rest, "queues/", "/unblock").is_some() => {
            let tenant = segment(rest, "queues/", "/unblock").unwrap_or_default();
            dispatcher.unblock(tenant).await;
            Reply::new(
                200,
                json!({"tenant": tenant, "blocked": dispatcher.blocked().iter().any(|(t, _)| t == tenant)}),
            )
        }
        ("POST", rest) if segment(rest, "queues/", "/skip").is_some() => {
            let tenant = segment(rest, "queues/", "/skip").unwrap_or_default();
            match dispatcher.skip(tenant).await {
                Some(skipped) => Reply::new(
                    200,
                    json!({"tenant": tenant, "skipped": skipped, "blocked": dispatcher.blocked().iter().any(|(t, _)| t == tenant)}),
                ),
                None => error(
                    409,
                    "not_blocked",
                    format!(
                        "the queue of `{tenant}` is not blocked; only a blocked queue's head can be skipped"
                    ),
                ),
            }
        }
        _ => not_found(&format!(
            "no admin endpoint {method} {path}; admin endpoints: {ENDPOINTS}"
        )),
    };
    Some(reply)
}

/// `GET /__mock/deliveries?offset=N&limit=N`: one page of the attempt log, oldest first, with
/// the number of attempts kept in `x-total-count`.
fn deliveries(engine: &Engine, query: &[(String, String)]) -> Reply {
    let number = |name: &str, default: usize| -> Result<usize, Reply> {
        match query.iter().find(|(n, _)| n == name) {
            None => Ok(default),
            Some((_, v)) => match v.parse::<u128>() {
                // Past the end is an empty page, however far.
                Ok(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
                Err(_) => Err(error(
                    400,
                    "bad_request",
                    format!("`{name}` must be a non-negative integer, not `{v}`"),
                )),
            },
        }
    };
    let (offset, limit) = match (number("offset", 0), number("limit", DELIVERIES_PAGE)) {
        (Ok(offset), Ok(limit)) => (offset, limit),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    if limit > DELIVERIES_MAX_PAGE {
        return error(
            400,
            "bad_request",
            format!("`limit` is at most {DELIVERIES_MAX_PAGE}, not {limit}"),
        );
    }
    let (total, page) = engine.dispatcher.log_page(offset, limit);
    let mut reply = Reply::new(200, serde_json::to_value(page).unwrap_or_default());
    reply.headers.push(("x-total-count", total.to_string()));
    reply
}
