//! Reads `paths`, `webhooks` and `components/securitySchemes` into the typed model.

use std::path::Path;

use serde_json::Value;

use super::error::{SpecError, SpecErrorKind};
use super::extensions::{EventExt, GraphqlExt, OperationExt};
use super::model::{Body, Endpoint, Event, Example, Media, Parameter, Response, SecurityScheme};
use super::parse::extension;
use super::pointer;
use super::walk::deref;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Builds every endpoint under `paths`.
pub fn endpoints(file: &Path, doc: &Value, errors: &mut Vec<SpecError>) -> Vec<Endpoint> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    let global_security = doc.get("security");
    for (path, item) in paths {
        let item_ptr = pointer::join("/paths", path);
        let item = deref(doc, item);
        let shared_params = item.get("parameters");
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let at = pointer::join(&item_ptr, method);
            let Some(ext_value) = op.get("x-operation") else {
                errors.push(
                    SpecError::new(file, at.clone(), SpecErrorKind::Invalid("the operation has no `x-operation`".into()))
                        .with_hint("every operation under `paths` says whether it is documented or inferred, and where it comes from"),
                );
                continue;
            };
            let ext: OperationExt =
                match extension(file, &pointer::join(&at, "x-operation"), ext_value) {
                    Ok(ext) => ext,
                    Err(error) => {
                        errors.push(error);
                        continue;
                    }
                };
            let graphql = match op.get("x-graphql") {
                Some(value) => {
                    match extension::<GraphqlExt>(file, &pointer::join(&at, "x-graphql"), value) {
                        Ok(g) => Some(g),
                        Err(error) => {
                            errors.push(error);
                            None
                        }
                    }
                }
                None => None,
            };
            let Some(operation_id) = op.get("operationId").and_then(Value::as_str) else {
                errors.push(SpecError::new(
                    file,
                    at.clone(),
                    SpecErrorKind::Invalid("the operation has no `operationId`".into()),
                ));
                continue;
            };
            let mut parameters =
                params(doc, shared_params, &pointer::join(&item_ptr, "parameters"));
            for p in params(doc, op.get("parameters"), &pointer::join(&at, "parameters")) {
                parameters.retain(|q| !(q.name == p.name && q.location == p.location));
                parameters.push(p);
            }
            out.push(Endpoint {
                operation_id: operation_id.to_string(),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                pointer: at.clone(),
                ext,
                graphql,
                security: security(op.get("security").or(global_security)),
                parameters,
                request: op
                    .get("requestBody")
                    .map(|b| body(doc, b, &pointer::join(&at, "requestBody"))),
                responses: responses(doc, op.get("responses"), &pointer::join(&at, "responses")),
            });
        }
    }
    out
}

/// Builds every event under `webhooks`.
pub fn events(file: &Path, doc: &Value, errors: &mut Vec<SpecError>) -> Vec<Event> {
    let mut out = Vec::new();
    let Some(hooks) = doc.get("webhooks").and_then(Value::as_object) else {
        return out;
    };
    for (name, item) in hooks {
        let item_ptr = pointer::join("/webhooks", name);
        let item = deref(doc, item);
        let Some((method, op)) = METHODS.iter().find_map(|m| item.get(*m).map(|op| (*m, op)))
        else {
            errors.push(SpecError::new(
                file,
                item_ptr,
                SpecErrorKind::Invalid("the webhook has no operation".into()),
            ));
            continue;
        };
        let at = pointer::join(&item_ptr, method);
        let Some(ext_value) = op.get("x-event") else {
            errors.push(SpecError::new(
                file,
                at,
                SpecErrorKind::Invalid("the webhook operation has no `x-event`".into()),
            ));
            continue;
        };
        let ext: EventExt = match extension(file, &pointer::join(&at, "x-event"), ext_value) {
            Ok(ext) => ext,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        if &ext.name != name {
            errors.push(SpecError::new(
                file,
                pointer::join(&pointer::join(&at, "x-event"), "name"),
                SpecErrorKind::Invalid(format!(
                    "`x-event.name` is `{}` but the webhook is keyed `{name}`",
                    ext.name
                )),
            ));
        }
        let Some(request) = op.get("requestBody") else {
            errors.push(SpecError::new(
                file,
                at,
                SpecErrorKind::Invalid("the webhook has no `requestBody` (its payload)".into()),
            ));
            continue;
        };
        let payload = body(doc, request, &pointer::join(&at, "requestBody"));
        if payload.json().and_then(|m| m.schema.as_ref()).is_none() {
            errors.push(SpecError::new(
                file,
                payload.pointer.clone(),
                SpecErrorKind::Invalid("the webhook payload has no schema".into()),
            ));
        }
        out.push(Event {
            name: name.clone(),
            operation_id: op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_string(),
            pointer: at.clone(),
            ext,
            payload,
            responses: responses(doc, op.get("responses"), &pointer::join(&at, "responses")),
        });
    }
    out
}

/// Reads `components/securitySchemes`.
pub fn security_schemes(doc: &Value) -> Vec<SecurityScheme> {
    let Some(schemes) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemes
        .iter()
        .map(|(name, scheme)| {
            let scheme = deref(doc, scheme);
            let text = |key: &str| scheme.get(key).and_then(Value::as_str).map(str::to_string);
            SecurityScheme {
                name: name.clone(),
                kind: text("type").unwrap_or_default(),
                scheme: text("scheme"),
                parameter: text("name"),
                location: text("in"),
            }
        })
        .collect()
}

fn security(value: Option<&Value>) -> Vec<Vec<String>> {
    value
        .and_then(Value::as_array)
        .map(|alternatives| {
            alternatives
                .iter()
                .filter_map(Value::as_object)
                .map(|req| req.keys().cloned().collect())
                .collect()
        })
        .unwrap_or_default()
}

fn params(doc: &Value, value: Option<&Value>, at: &str) -> Vec<Parameter> {
    let Some(items) = value.and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| {
            let (param, ptr) = located(doc, raw, &format!("{at}/{i}"));
            Some(Parameter {
                name: param.get("name")?.as_str()?.to_string(),
                location: param.get("in")?.as_str()?.to_string(),
                required: param
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                schema: param.get("schema").map(|_| pointer::join(&ptr, "schema")),
            })
        })
        .collect()
}

fn responses(doc: &Value, value: Option<&Value>, at: &str) -> Vec<Response> {
    let Some(map) = value.and_then(Value::as_object) else {
        return Vec::new();
    };
    map.iter()
        .filter(|(status, _)| !status.starts_with("x-"))
        .map(|(status, raw)| {
            let here = pointer::join(at, status);
            let (resolved, _) = located(doc, raw, &here);
            Response {
                status: status.clone(),
                description: resolved
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                body: body(doc, raw, &here),
            }
        })
        .collect()
}

/// Follows a Reference Object and returns the node with the pointer it really sits at.
fn located<'d>(doc: &'d Value, node: &'d Value, at: &str) -> (&'d Value, String) {
    match node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(target) if doc.pointer(target).is_some() => (deref(doc, node), target.to_string()),
        _ => (node, at.to_string()),
    }
}

fn body(doc: &Value, raw: &Value, at: &str) -> Body {
    let (node, ptr) = located(doc, raw, at);
    let content = node
        .get("content")
        .and_then(Value::as_object)
        .map(|content| {
            content
                .iter()
                .map(|(media_type, media)| {
                    let media_ptr = pointer::join(&pointer::join(&ptr, "content"), media_type);
                    Media {
                        content_type: media_type.clone(),
                        schema: media
                            .get("schema")
                            .map(|_| pointer::join(&media_ptr, "schema")),
                        examples: examples(doc, media, &media_ptr),
                        pointer: media_ptr,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Body {
        pointer: ptr,
        required: node
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        content,
    }
}

fn examples(doc: &Value, media: &Value, at: &str) -> Vec<Example> {
    let mut out = Vec::new();
    if let Some(value) = media.get("example") {
        out.push(Example {
            name: "example".into(),
            pointer: pointer::join(at, "example"),
            summary: None,
            value: value.clone(),
            fixture: None,
        });
    }
    if let Some(map) = media.get("examples").and_then(Value::as_object) {
        for (name, raw) in map {
            let (example, ptr) = located(
                doc,
                raw,
                &pointer::join(&pointer::join(at, "examples"), name),
            );
            let text = |key: &str| example.get(key).and_then(Value::as_str).map(str::to_string);
            if let Some(value) = example.get("value") {
                out.push(Example {
                    name: name.clone(),
                    pointer: ptr,
                    summary: text("summary"),
                    value: value.clone(),
                    fixture: text("x-fixture"),
                });
            }
        }
    }
    out
}
