//! The body stage of the request pipeline: the content type, JSON or form decoding, the
//! target-URL rule, and the request schema. A refusal is a reply in the provider's own shape.

use std::borrow::Cow;

use hyper::HeaderMap;
use serde_json::Value;

use super::core::Core;
use super::form::form_urlencoded;
use super::reply::{self, Reply, client_error_status};
use super::target::{self, Target, Verdict, as_https};
use super::validate::{Validated, Validation};
use crate::spec::extensions::MockState;
use crate::spec::{Endpoint, pointer};

/// How deeply arrays and objects may nest in a request body. Stored resources wrap the body in
/// a few more levels and must still read back whole (JSON parsers stop at 128 levels).
pub const MAX_DEPTH: usize = 64;

/// How deeply arrays and objects nest in `value` (a scalar is 0).
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Parses and validates the request body of `endpoint`: `None` when the endpoint takes none
/// (or an optional one is absent). `Err` is the reply to send.
pub(super) fn parse(
    core: &Core,
    endpoint: &Endpoint,
    mock: Option<&MockState>,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<Option<Value>, Reply> {
    let Some(declared) = &endpoint.request else {
        return Ok(None);
    };
    // The documented error example of a status shows one refusal (Betterez's 400 shows a bad
    // URL): its machine code is kept for that refusal only, the others get their status's.
    let bad = |status: u16, message: String| {
        reply::other_error(&core.spec, Some(endpoint), status, &message)
    };
    if bytes.is_empty() {
        return if declared.required {
            Err(bad(
                client_error_status(endpoint),
                "a request body is required".into(),
            ))
        } else {
            Ok(None)
        };
    }
    let content_type = headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let media = if essence.is_empty() {
        declared.json()
    } else {
        declared
            .content
            .iter()
            .find(|m| m.content_type.eq_ignore_ascii_case(&essence))
    };
    let Some(media) = media else {
        let accepted: Vec<&str> = declared
            .content
            .iter()
            .map(|m| m.content_type.as_str())
            .collect();
        return Err(bad(
            415,
            format!(
                "Content-Type `{content_type}` is not accepted here; send {}",
                accepted.join(" or ")
            ),
        ));
    };
    let value = if media.content_type.contains("x-www-form-urlencoded") {
        Value::Object(
            form_urlencoded(bytes)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    } else {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => value,
            Err(error) => {
                return Err(bad(
                    client_error_status(endpoint),
                    format!("the body is not valid JSON: {error}"),
                ));
            }
        }
    };
    if depth(&value) > MAX_DEPTH {
        return Err(bad(
            client_error_status(endpoint),
            format!("the body is nested deeper than {MAX_DEPTH} levels of arrays and objects"),
        ));
    }
    if let Some(schema) = &media.schema {
        validate(core, mock, schema, &value).map_err(|message| {
            let status = client_error_status(endpoint);
            if target_pointer(mock).is_some_and(|at| message.starts_with(&format!("{at}:"))) {
                reply::error(&core.spec, Some(endpoint), status, &message)
            } else {
                bad(status, message)
            }
        })?;
    }
    Ok(Some(value))
}

/// Where the delivery URL sits in the request body.
fn target_pointer(mock: Option<&MockState>) -> Option<String> {
    mock.and_then(|m| {
        m.target
            .as_deref()
            .map(|t| format!("{}{t}", m.request.as_deref().unwrap_or("")))
    })
}

/// The target-URL rule, then the schema. `Err` is the refusal's message.
fn validate(
    core: &Core,
    mock: Option<&MockState>,
    schema: &str,
    value: &Value,
) -> Result<(), String> {
    // The URL deliveries go to: the provider's https rule, and the opt-in for local receivers.
    let target = target_pointer(mock);
    let mut checked = Cow::Borrowed(value);
    if let Some(at) = &target
        && let Some(Value::String(url)) = pointer::get(value, at)
    {
        let schema_accepts = || core.spec.schemas.is_valid(schema, value);
        let https_only = mock.is_some_and(|m| m.https_only);
        if judge_target(core, at, url, https_only, &schema_accepts)? == Verdict::AcceptAsHttps
            && let Some(https) = as_https(url)
        {
            let mut copy = value.clone();
            pointer::set(&mut copy, at, Value::String(https));
            checked = Cow::Owned(copy);
        }
    }
    core.validate.validate(&Validation {
        spec: &core.spec,
        what: Validated::RequestBody,
        schema,
        value: &checked,
    })
}

/// The target-URL stage for the URL at `at`: the mock's own address is refused whatever the
/// rule, then the rule judges. `Err` is the refusal's message, naming the field.
pub(super) fn judge_target(
    core: &Core,
    at: &str,
    url: &str,
    https_only: bool,
    schema_accepts: &dyn Fn() -> bool,
) -> Result<Verdict, String> {
    if let (Ok(parsed), Some(address)) = (target::parse(url), core.settings.address)
        && target::targets_self(&parsed, address)
    {
        return Err(target::self_refusal(at, url));
    }
    let allow = core.settings.allow_http_targets;
    match core
        .target_rule
        .judge(&Target::new(url, https_only, allow, schema_accepts))
    {
        Verdict::Refuse => Err(target::refusal(at, url, https_only, allow)),
        verdict => Ok(verdict),
    }
}
