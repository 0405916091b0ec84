//! Replies, and errors in the provider's own shape: the documented error example of the
//! operation (or of the spec) with the message filled in, so a client that parses the
//! provider's errors parses the mock's.

use serde_json::{Value, json};

use crate::spec::{Endpoint, ProviderSpec};

/// A reply about to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A reply with `status` and `body`.
    #[must_use]
    pub fn new(status: u16, body: Value) -> Self {
        Self {
            status,
            body,
            headers: Vec::new(),
        }
    }
}

/// The status of the first documented 2xx response (200 when none is).
#[must_use]
pub fn success_status(endpoint: &Endpoint) -> u16 {
    endpoint
        .responses
        .iter()
        .filter_map(|r| r.status.parse::<u16>().ok())
        .find(|s| (200..300).contains(s))
        .unwrap_or(200)
}

/// The status for missing or bad credentials: 401, or 403 when only that is documented.
#[must_use]
pub fn auth_status(endpoint: &Endpoint) -> u16 {
    if !documents(endpoint, 401) && documents(endpoint, 403) {
        403
    } else {
        401
    }
}

/// The status for a bad request: 400, or 422 when only that is documented.
#[must_use]
pub fn client_error_status(endpoint: &Endpoint) -> u16 {
    if !documents(endpoint, 400) && documents(endpoint, 422) {
        422
    } else {
        400
    }
}

/// The status for a resource that is not there: 404, or 400 when only that is documented.
#[must_use]
pub fn missing_status(endpoint: &Endpoint) -> u16 {
    if documents(endpoint, 404) || !documents(endpoint, 400) {
        404
    } else {
        400
    }
}

/// The documented example body of `endpoint`'s response for `status`, if there is one.
#[must_use]
pub fn documented(endpoint: &Endpoint, status: u16) -> Option<&Value> {
    let response = endpoint
        .responses
        .iter()
        .find(|r| r.status == status.to_string())
        .or_else(|| {
            endpoint
                .responses
                .iter()
                .find(|r| r.status != "default" && r.covers(status))
        })?;
    let media = response.body.json()?;
    media.examples.first().map(|e| &e.value)
}

/// Whether `endpoint` documents a response for `status` (exactly or by range).
#[must_use]
pub fn documents(endpoint: &Endpoint, status: u16) -> bool {
    endpoint
        .responses
        .iter()
        .any(|r| r.status != "default" && r.covers(status))
}

/// An error reply: the provider's documented error body for `status` (from `endpoint`, else
/// from any endpoint of the spec), with `message` filled in. When the provider documents no
/// body for that status, the shape of its other error bodies is used.
#[must_use]
pub fn error(
    spec: &ProviderSpec,
    endpoint: Option<&Endpoint>,
    status: u16,
    message: &str,
) -> Reply {
    let same_status = endpoint
        .and_then(|e| documented(e, status))
        .or_else(|| spec.endpoints.iter().find_map(|e| documented(e, status)));
    let any_error = endpoint
        .and_then(any_error_example)
        .or_else(|| spec.endpoints.iter().find_map(any_error_example));
    let body = match (same_status, any_error) {
        (Some(template), _) => fill(template.clone(), message, true),
        (None, Some(template)) => {
            // Another status's example gives the shape, not its machine code.
            let mut reply = Reply::new(status, fill(template.clone(), message, false));
            recode(&mut reply);
            return reply;
        }
        (None, None) => json!({ "error": reason(status), "message": message }),
    };
    Reply::new(status, body)
}

/// An error for a refusal other than the one the documented example of `status` shows: where
/// that example carries a machine code (`code`), the provider's error shape with `message`
/// alone and the code of the status ([`recode`]); otherwise as [`error`].
#[must_use]
pub fn other_error(
    spec: &ProviderSpec,
    endpoint: Option<&Endpoint>,
    status: u16,
    message: &str,
) -> Reply {
    // Only a body with a machine code names its refusal; other shapes keep their text.
    let template = endpoint
        .and_then(|e| documented(e, status))
        .or_else(|| spec.endpoints.iter().find_map(|e| documented(e, status)))
        .filter(|t| t.get("code").is_some_and(Value::is_string));
    let mut reply = match template {
        Some(template) => Reply::new(status, fill(template.clone(), message, false)),
        None => error(spec, endpoint, status, message),
    };
    recode(&mut reply);
    reply
}

/// Replaces the documented machine code of an error body (a top-level `code` string) by the
/// one of its status (`BAD_REQUEST`, `METHOD_NOT_ALLOWED`, `PAYLOAD_TOO_LARGE`...): for a
/// refusal other than the one the documented example shows.
pub fn recode(reply: &mut Reply) {
    if let Some(Value::String(code)) = reply.body.get_mut("code") {
        *code = reason(reply.status)
            .to_ascii_uppercase()
            .replace([' ', '-'], "_")
            .replace('\'', "");
    }
}

/// The first documented 4xx example body of `endpoint` that is an object.
fn any_error_example(endpoint: &Endpoint) -> Option<&Value> {
    (400..500).find_map(|s| documented(endpoint, s).filter(|v| v.is_object()))
}

/// Puts `message` into an error body: the first `message`/`error`/`detail` string, or the
/// `errors` list (strings, or GraphQL-style objects). With `keep`, the documented text stays in
/// front (it was written for this very status).
fn fill(mut body: Value, message: &str, keep: bool) -> Value {
    let combine = |old: &str| {
        if !keep || old.is_empty() || message.starts_with(old) {
            message.to_string()
        } else {
            format!("{old}: {message}")
        }
    };
    if let Some(map) = body.as_object_mut() {
        for key in [
            "message",
            "error_description",
            "detail",
            "error",
            "description",
        ] {
            if let Some(Value::String(old)) = map.get(key) {
                let text = combine(old);
                map.insert(key.to_string(), Value::String(text));
                return body;
            }
        }
        if let Some(Value::Array(errors)) = map.get_mut("errors") {
            match errors.first_mut() {
                Some(Value::String(old)) => {
                    *old = combine(old);
                    errors.truncate(1);
                }
                Some(Value::Object(first)) => {
                    let old = first
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    first.insert("message".into(), Value::String(combine(&old)));
                    errors.truncate(1);
                }
                _ => *errors = vec![Value::String(message.to_string())],
            }
            return body;
        }
        map.insert("message".into(), Value::String(message.to_string()));
    }
    body
}

/// The reason phrase of a status.
#[must_use]
pub fn reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_go_where_the_provider_puts_them() {
        assert_eq!(
            fill(
                json!({"message": "Invalid request"}),
                "label: too long",
                true
            ),
            json!({"message": "Invalid request: label: too long"})
        );
        assert_eq!(
            fill(json!({"errors": ["Unauthorized", "x"]}), "bad key", true),
            json!({"errors": ["Unauthorized: bad key"]})
        );
        assert_eq!(
            fill(
                json!({"errors": [{"message": "Not found", "extensions": {"code": "NOT_FOUND"}}]}),
                "no wh_1",
                true
            ),
            json!({"errors": [{"message": "Not found: no wh_1", "extensions": {"code": "NOT_FOUND"}}]})
        );
        assert_eq!(
            fill(json!({"code": 7}), "m", true),
            json!({"code": 7, "message": "m"})
        );
        assert_eq!(
            fill(
                json!({"errors": ["Unauthorized"]}),
                "target_url is required",
                false
            ),
            json!({"errors": ["target_url is required"]})
        );
    }
}
