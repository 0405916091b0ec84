//! `invalid-request`: requests that break the operation's schema in one place each get the
//! documented 4xx, never a 2xx and never a 5xx: sampled violations, then every violation site
//! of the schema once (each keyword at each place), then bodies that are not JSON at all or
//! are cut short, then malformed ones (`malformed.rs`: empty, a JSON array or string, the wrong
//! Content-Type, not UTF-8).

use serde_json::Value;

use super::documented_example::with_item;
use super::{Api, Applies, As, Call, Op, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::generate::{Invalid, Label, Mode, SchemaGen};
use crate::spec::{pointer, provenance};

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "invalid-request",
        reason: "a request that breaks the documented schema (a 41-character label, a missing field, a wrong type, a body that is not JSON) must be refused with the documented 4xx: accepting it stores what the provider never would, and a 5xx is a crash",
        source: "the operation's request schema and its documented 4xx responses",
    },
    subjects,
    run,
};

/// The operations that write from a request body, and the GraphQL operations that take
/// variables (their variables can break the SDL whatever the operation does).
fn subjects(api: &Api) -> Vec<(String, Applies)> {
    let mut out = super::generated::writers(api);
    for op in &api.ops {
        if op.graphql.is_some()
            && !out.iter().any(|(name, _)| *name == op.name)
            && api
                .graphql_inputs(op)
                .is_ok_and(|inputs| inputs.has_variables())
        {
            out.push((op.name.clone(), super::graphql::applies(api, op)));
        }
    }
    out
}

/// At most this many simpler bodies are sent while a failing one shrinks.
const SHRINK_BUDGET: usize = 48;

/// Where a label's violation is, in words.
fn at_of(label: &Label) -> &str {
    if label.pointer.is_empty() {
        "the root"
    } else {
        &label.pointer
    }
}

/// What a labelled body breaks, in words.
fn breaks(label: &Label) -> String {
    format!(
        "the request breaks `{}` at {} (schema {}): {}",
        label.keyword,
        at_of(label),
        label.schema_pointer,
        label.description
    )
}

/// One request the check sends: a JSON body with its label, or bytes that are not JSON.
enum Broken {
    /// A body with one labelled violation.
    Json(Value, Label),
    /// Bytes sent as `application/json` that are not a JSON text, and what they are.
    Bytes(Vec<u8>, &'static str),
    /// A malformed body (`malformed.rs`): empty, of the wrong JSON type or media type, not
    /// UTF-8.
    Malformed(super::malformed::Malformed),
}

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api
        .op(name)
        .ok_or_else(|| format!("no operation `{name}`"))?;
    if op.graphql.is_some() {
        return super::graphql::invalid(api, op, &CHECK.info);
    }
    let generator = api.generator.request(name).map_err(|e| e.to_string())?;
    let requests = broken_requests(api, op, &generator)?;
    let endpoint = api.endpoint(op);
    let (documented, assumed) = api.spec.refusals(endpoint);
    let assumed_basis = assumed.first().map(|(_, basis)| basis.clone());
    let assumed: Vec<u16> = assumed.into_iter().map(|(s, _)| s).collect();
    let all: Vec<u16> = documented.iter().chain(&assumed).copied().collect();
    let expected = if all.is_empty() {
        "a 4xx".to_string()
    } else {
        format!(
            "a documented 4xx ({})",
            all.iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let listed = |s: u16| documented.contains(&s) || assumed.contains(&s);
    let refused = |call: &Call| {
        call.status.is_some_and(|s| {
            (400..500).contains(&s) && (listed(s) || (documented.is_empty() && assumed.is_empty()))
        })
    };
    with_item(api, op, |id, created| {
        let target = api.target_field(op);
        let mut warned = false;
        for (n, request) in requests.into_iter().enumerate() {
            let Some(Sent {
                call,
                schema_pointer,
                said,
                body: sent,
            }) = send_broken(api, op, id, &generator, target.as_deref(), n, request)
            else {
                continue;
            };
            if let Some(new) = api.created_id(op, &call) {
                created.push(new);
            }
            if refused(&call) {
                continue;
            }
            // Assumed: the broken rule is an assumption of the spec, or the answer is a 4xx
            // and only assumed ones are listed.
            let schema = api.spec.basis_of(endpoint, &schema_pointer);
            let basis = match call.status {
                _ if !schema.is_documented() => schema,
                Some(s) if (400..500).contains(&s) && documented.is_empty() => assumed_basis
                    .clone()
                    .unwrap_or_else(|| provenance::harness_assumption("refusal-status")),
                _ => schema,
            };
            if warned && !basis.is_documented() {
                continue;
            }
            if !basis.is_documented() {
                let _ = api.finding(&CHECK.info, &basis, &expected, &call, &said);
                warned = true;
                continue;
            }
            // A documented failure: the body shrinks while it keeps its one violation and
            // the answer keeps failing. An unanswered request says nothing about its body.
            let Some((body, label)) = sent.filter(|_| call.status.is_some()) else {
                return Err(api.report(&CHECK.info, Some(&basis), &expected, &call, &said));
            };
            let (last, said) = shrink(
                api,
                op,
                id,
                &generator,
                &refused,
                created,
                (body, label, said),
            );
            return Err(api.report(
                &CHECK.info,
                Some(&basis),
                &expected,
                last.as_ref().unwrap_or(&call),
                &said,
            ));
        }
        Ok(None)
    })
}

/// Shrinks a failing invalid `body` while it keeps exactly its violation (`label`) and the
/// target still fails it (not `refused`); the last failing call, if a simpler body failed,
/// and the report's text (`said` with how the shrinking went).
fn shrink(
    api: &Session<'_>,
    op: &Op,
    id: Option<&str>,
    generator: &SchemaGen,
    refused: &dyn Fn(&Call) -> bool,
    created: &mut Vec<String>,
    (body, label, said): (Value, Label, String),
) -> (Option<Call>, String) {
    let original = serde_json::to_vec(&body).map_or(0, |b| b.len());
    let mut last = None;
    // A simpler body that gets no answer ends the shrinking: the target, not the
    // body, is then at fault, and nothing more is sent.
    let mut lost = false;
    let mut resent = 0;
    let shrunk = generator.shrink_invalid(
        &Invalid {
            value: body,
            label: label.clone(),
        },
        SHRINK_BUDGET,
        |candidate| {
            if lost {
                return false;
            }
            let again = send_json(api, op, id, candidate);
            resent += 1;
            lost = again.status.is_none();
            if let Some(new) = api.created_id(op, &again) {
                created.push(new);
            }
            let fails = again.status.is_some() && !refused(&again);
            if fails {
                last = Some(again);
            }
            fails
        },
    );
    let said = match last {
        Some(_) => format!(
            "{said}\nshrunk: {} simplification(s) kept of {resent} sent, body {original} -> {} bytes, still breaking `{}` at {}",
            shrunk.steps,
            serde_json::to_vec(&shrunk.value).map_or(0, |b| b.len()),
            label.keyword,
            at_of(&label),
        ),
        None => format!(
            "{said}\nnot shrunk: no simpler body ({resent} sent) keeps the violation and the failure{}",
            if lost {
                " (the target stopped answering)"
            } else {
                ""
            }
        ),
    };
    (last, said)
}

/// One broken request as sent, with what it breaks.
struct Sent {
    call: Call,
    /// The schema the request breaks.
    schema_pointer: String,
    /// What the report says the request is.
    said: String,
    /// A generated invalid JSON body and its label (it can shrink); `None` for the others.
    body: Option<(Value, Label)>,
}

/// Sends `body` to `op` as the first tenant, naming the item `id` where the operation does.
fn send_json(api: &Session<'_>, op: &Op, id: Option<&str>, body: &Value) -> Call {
    match id {
        Some(id) => api.call_with_id(op, As::Tenant(0), id, Some(body.clone())),
        None => api.call(op, As::Tenant(0), None, Some(body)),
    }
}

/// Sends the `n`th broken request; `None` where the answer needs no judging (a malformed
/// body refused as HTTP itself says, a 415).
fn send_broken(
    api: &Session<'_>,
    op: &Op,
    id: Option<&str>,
    generator: &SchemaGen,
    target: Option<&str>,
    n: usize,
    request: Broken,
) -> Option<Sent> {
    Some(match request {
        Broken::Json(mut body, label) => {
            // A delivery URL that goes nowhere, unless that undoes the one violation.
            if let Some(at) = target
                && pointer::get(&body, at).is_some()
            {
                let mut quiet = body.clone();
                pointer::set(&mut quiet, at, Value::String(api.nowhere(n)));
                if !generator.accepts(&quiet) {
                    body = quiet;
                }
            }
            Sent {
                call: send_json(api, op, id, &body),
                schema_pointer: label.schema_pointer.clone(),
                said: breaks(&label),
                body: Some((body, label)),
            }
        }
        Broken::Malformed(malformed) => {
            let call = malformed.send(api, op, id);
            // A 415 stores nothing: no id to clean up.
            if malformed.refused_as_http_says(&call) {
                return None;
            }
            Sent {
                call,
                schema_pointer: generator.pointer().to_string(),
                said: malformed.said(generator.pointer()),
                body: None,
            }
        }
        Broken::Bytes(bytes, what) => Sent {
            call: api.call_bytes(op, As::Tenant(0), id, bytes),
            schema_pointer: generator.pointer().to_string(),
            said: format!(
                "the request body is {what}: the operation takes JSON (schema {})",
                generator.pointer()
            ),
            body: None,
        },
    })
}

/// What `invalid-request` sends to `op`: sampled violations, then every violation site once,
/// then (for JSON bodies) bodies that are no JSON, cut short or otherwise malformed.
fn broken_requests(
    api: &Session<'_>,
    op: &Op,
    generator: &SchemaGen,
) -> Result<Vec<Broken>, String> {
    let count = (api.settings.cases as usize).max(16);
    let seed = api.settings.seed ^ 0x1a5a1d;
    // Sampled violations, then every violation site once, then bodies that are no JSON.
    let mut requests: Vec<Broken> = generator
        .sample(Mode::Invalid, seed, count)
        .map_err(|e| e.to_string())?
        .into_iter()
        .chain(generator.violations(seed).map_err(|e| e.to_string())?)
        .filter_map(|s| Some(Broken::Json(s.value, s.label?)))
        .collect();
    let form = api
        .endpoint(op)
        .request
        .as_ref()
        .and_then(|b| b.content.first())
        .is_some_and(|m| m.content_type.contains("x-www-form-urlencoded"));
    if !form {
        let valid = generator
            .sample(Mode::Valid, seed, 1)
            .map_err(|e| e.to_string())?
            .remove(0)
            .value;
        let text = serde_json::to_vec(&valid).unwrap_or_default();
        requests.push(Broken::Bytes(
            b"this is not JSON".to_vec(),
            "a body that is not JSON at all",
        ));
        requests.push(Broken::Bytes(
            text[..text.len() / 2].to_vec(),
            "a valid body cut in half (truncated JSON)",
        ));
        if let Some(declared) = &api.endpoint(op).request {
            let malformed = super::malformed::bodies(declared, generator, &valid);
            requests.extend(malformed.into_iter().map(Broken::Malformed));
        }
    }
    Ok(requests)
}

/// The fault the `invalid-request` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use std::collections::HashSet;

    use serde_json::Value;

    use crate::mock::{Exchange, Fault, MockBuilder, Reply, Validation};

    /// Validates nothing: accepts request bodies (a 41-character label) and resources that
    /// break their schemas.
    #[derive(Debug, Clone, Copy)]
    pub struct SkipsValidation;

    impl Fault for SkipsValidation {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.validate(|_: &Validation<'_>| Ok(()))
        }
    }

    /// Enforces every rule but `maxLength`: a value whose only violations are strings longer
    /// than their schema allows is accepted (a column wider than the documented limit).
    #[derive(Debug, Clone, Copy)]
    pub struct AcceptsOverlongStrings;

    impl Fault for AcceptsOverlongStrings {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.validate(|check: &Validation<'_>| {
                let violations = check
                    .spec
                    .schemas
                    .violations(check.schema, check.value)
                    .unwrap_or_default();
                match violations.iter().find(|v| v.keyword != "maxLength") {
                    Some(other) => Err(other.to_string()),
                    None => Ok(()),
                }
            })
        }
    }

    /// Answers 500 to a request body that is not JSON (a parser error left uncaught), and
    /// otherwise as the spec says.
    #[derive(Debug, Clone, Copy)]
    pub struct CrashesOnBrokenJson;

    impl Fault for CrashesOnBrokenJson {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.on_reply(|_: &Exchange<'_>, reply: &mut Reply| {
                if (400..500).contains(&reply.status)
                    && reply.body.to_string().contains("not valid JSON")
                {
                    reply.status = 500;
                }
            })
        }
    }

    /// Checks the members a schema lists, not extra ones: a value is judged with every
    /// member that no schema of the spec names, and that holds an object or an array, left
    /// out (a `map[string]any` where `additionalProperties` allows only scalars).
    #[derive(Debug, Clone, Copy)]
    pub struct AcceptsAnyExtraMember;

    impl Fault for AcceptsAnyExtraMember {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.validate(|check: &Validation<'_>| {
                let mut named = HashSet::new();
                names(&check.spec.document, &mut named);
                let mut value = check.value.clone();
                strip(&mut value, &named);
                match check.spec.schemas.violations(check.schema, &value) {
                    Some(violations) if !violations.is_empty() => Err(violations[0].to_string()),
                    _ => Ok(()),
                }
            })
        }
    }

    /// Every name a `properties` or `required` of the document lists.
    fn names(document: &Value, out: &mut HashSet<String>) {
        match document {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    out.extend(properties.keys().cloned());
                }
                if let Some(Value::Array(required)) = map.get("required") {
                    out.extend(
                        required
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string),
                    );
                }
                map.values().for_each(|v| names(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| names(v, out)),
            _ => {}
        }
    }

    /// `value` without the object- or array-valued members whose names are not in `named`.
    fn strip(value: &mut Value, named: &HashSet<String>) {
        match value {
            Value::Object(map) => {
                map.retain(|k, v| named.contains(k) || !(v.is_object() || v.is_array()));
                map.values_mut().for_each(|v| strip(v, named));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| strip(v, named)),
            _ => {}
        }
    }
}
