//! Building the resources the mock stores. Over REST a resource is a drawn value of the
//! operation's resource schema (server-side fields: ids, secrets, defaults), the request fields
//! laid over `requestInto`, the id and the path fields, validated before it is stored. GraphQL
//! resources have no schema: they are the operation's `defaults` and the input.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::core::Core;
use super::schema;
use super::target::{Target, Verdict, as_https};
use super::validate::{Validated, Validation};
use crate::spec::extensions::MockState;
use crate::spec::pointer;

/// Where a stored resource's id sits (default `/id`).
#[must_use]
pub fn id_field(mock: &MockState) -> &str {
    mock.id_field.as_deref().unwrap_or("/id")
}

/// Builds a stored resource from request fields: a drawn value of the resource schema, the
/// fields laid over `requestInto`, the id, and the path fields. `existing` is the stored
/// resource being changed (nothing is drawn then). `Err` is the refusal's message.
pub(super) fn build(
    core: &Core,
    mock: &MockState,
    params: &[(String, String)],
    fields: Map<String, Value>,
    id: &str,
    existing: Option<Value>,
) -> Result<Value, String> {
    let doc = &core.spec.document;
    let resource_at = mock.resource.as_deref().map(|r| r.trim_start_matches('#'));
    let into = mock.request_into.as_deref().unwrap_or("");
    // What the request, the id and the path will set is not worth drawing.
    let mut skip: Vec<String> = fields.keys().map(|k| pointer::join(into, k)).collect();
    skip.push(id_field(mock).to_string());
    skip.extend(mock.from_path.keys().cloned());
    let mut resource = existing
        .or_else(|| resource_at.and_then(|at| core.draw_resource(at, &skip)))
        .unwrap_or_else(|| Value::Object(Map::new()));
    let into_schema = resource_at.and_then(|at| schema::at(doc, at, into));
    let required: Vec<&str> = into_schema
        .map(|s| schema::required(doc, s))
        .unwrap_or_default();
    let Some(Value::Object(target)) = pointer::get_or_create(&mut resource, into) else {
        return Err("the stored resource has no object where the request fields go".into());
    };
    // Drawn optional fields the request does not set: their default, or nothing.
    let drawn: Vec<String> = target.keys().cloned().collect();
    for key in drawn {
        if fields.contains_key(&key) {
            continue;
        }
        match into_schema.and_then(|s| schema::default_of(doc, s, &key)) {
            Some(default) => {
                target.insert(key, default.clone());
            }
            None if required.contains(&key.as_str()) => {}
            None => {
                target.shift_remove(&key);
            }
        }
    }
    for (key, value) in fields {
        target.insert(key, value);
    }
    pointer::set(&mut resource, id_field(mock), Value::String(id.to_string()));
    for (at, param) in &mock.from_path {
        if let Some((_, value)) = params.iter().find(|(n, _)| n == param) {
            pointer::set(&mut resource, at, Value::String(value.clone()));
        }
    }
    if let Some(at) = resource_at {
        let checked = as_checked(core, mock, &resource);
        core.validate.validate(&Validation {
            spec: &core.spec,
            what: Validated::Resource,
            schema: at,
            value: &checked,
        })?;
    }
    Ok(resource)
}

/// The resource as the schema checks it: a stored target the target-URL rule accepted as if
/// it were HTTPS (a local receiver the mock was told to allow) is checked as `https://`.
fn as_checked<'r>(core: &Core, mock: &MockState, resource: &'r Value) -> Cow<'r, Value> {
    let Some(at) = mock.stored_target() else {
        return Cow::Borrowed(resource);
    };
    let Some(Value::String(url)) = pointer::get(resource, &at) else {
        return Cow::Borrowed(resource);
    };
    // The request already passed the rule: a refusal here only means "check it as it is".
    let verdict = core.target_rule.judge(&Target::new(
        url,
        mock.https_only,
        core.settings.allow_http_targets,
        &|| true,
    ));
    match (verdict, as_https(url)) {
        (Verdict::AcceptAsHttps, Some(https)) => {
            let mut copy = resource.clone();
            pointer::set(&mut copy, &at, Value::String(https));
            Cow::Owned(copy)
        }
        _ => Cow::Borrowed(resource),
    }
}

/// A resource without a schema (a GraphQL one): the operation's `defaults`, then the input's
/// fields, then the id.
#[must_use]
pub fn with_defaults(mock: &MockState, fields: Map<String, Value>, id: &str) -> Value {
    let mut resource = Value::Object(Map::new());
    for (at, value) in &mock.defaults {
        pointer::set(&mut resource, at, value.clone());
    }
    if let Value::Object(map) = &mut resource {
        for (k, v) in fields {
            map.insert(k, v);
        }
    }
    pointer::set(&mut resource, id_field(mock), Value::String(id.to_string()));
    resource
}

/// Whether the headers `resource` asks deliveries to carry (`x-delivery.forwardHeaders`) can be
/// sent: an object of valid header names to valid header values. A subscription whose every
/// delivery would fail before it is sent is refused when it is made. `Err` names the field.
pub fn check_forwarded(spec: &crate::spec::ProviderSpec, resource: &Value) -> Result<(), String> {
    let Some(at) = spec.delivery.forward_headers.as_deref() else {
        return Ok(());
    };
    let map = match pointer::get(resource, at) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(format!(
                "{at}: the headers to forward must be an object of header names to string values"
            ));
        }
    };
    for (name, value) in map {
        let field = format!("{at}/{}", crate::spec::pointer::escape(name));
        if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!(
                "{field}: `{name}` is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"
            ));
        }
        let Some(text) = value.as_str() else {
            return Err(format!(
                "{field}: a forwarded header's value must be a string"
            ));
        };
        if hyper::header::HeaderValue::from_str(text).is_err() {
            return Err(format!(
                "{field}: the value is not a valid HTTP header value (visible ASCII, spaces and tabs only; no line breaks)"
            ));
        }
    }
    Ok(())
}
