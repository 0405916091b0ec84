//! The body stage of the request pipeline: the content type, JSON or form decoding, the
//! target-URL rule, and the request schema. A refusal is a reply in the provider's own shape.

use std::borrow::Cow;

use hyper::HeaderMap;
use serde_json::Value;

use super::core::Core;
use super::form::form_urlencoded;
use super::reply::{self, Reply, client_error_status};
use super::target::{Target, Verdict, as_https};
use super::validate::{Validated, Validation};
use crate::spec::extensions::MockState;
use crate::spec::{Endpoint, pointer};

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
    let bad =
        |status: u16, message: String| reply::error(&core.spec, Some(endpoint), status, &message);
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
    if let Some(schema) = &media.schema {
        validate(core, mock, schema, &value)
            .map_err(|message| bad(client_error_status(endpoint), message))?;
    }
    Ok(Some(value))
}

/// The target-URL rule, then the schema. `Err` is the refusal's message.
fn validate(
    core: &Core,
    mock: Option<&MockState>,
    schema: &str,
    value: &Value,
) -> Result<(), String> {
    // The URL deliveries go to: the provider's https rule, and the opt-in for local receivers.
    let target = mock.and_then(|m| {
        m.target
            .as_deref()
            .map(|t| format!("{}{t}", m.request.as_deref().unwrap_or("")))
    });
    let mut checked = Cow::Borrowed(value);
    if let Some(at) = &target
        && let Some(Value::String(url)) = pointer::get(value, at)
    {
        let schema_accepts = || core.spec.schemas.is_valid(schema, value);
        let verdict = core.target_rule.judge(&Target::new(
            url,
            mock.is_some_and(|m| m.https_only),
            core.settings.allow_http_targets,
            &schema_accepts,
        ));
        match verdict {
            Verdict::Accept => {}
            Verdict::AcceptAsHttps => {
                if let Some(https) = as_https(url) {
                    let mut copy = value.clone();
                    pointer::set(&mut copy, at, Value::String(https));
                    checked = Cow::Owned(copy);
                }
            }
            Verdict::Refuse if url.starts_with("http://") => {
                return Err(format!(
                    "{at}: `{url}` is not an HTTPS URL, and the provider only delivers to HTTPS URLs; to subscribe a local http:// receiver (127.0.0.1 or localhost) in tests, start the mock with --allow-http-targets (MockBuilder::allow_http_targets(true))"
                ));
            }
            Verdict::Refuse => {
                return Err(format!(
                    "{at}: `{url}` is not an HTTPS URL; the provider only delivers to HTTPS URLs"
                ));
            }
        }
    }
    core.validate.validate(&Validation {
        spec: &core.spec,
        what: Validated::RequestBody,
        schema,
        value: &checked,
    })
}
