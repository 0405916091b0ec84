//! GraphQL operations in provider mode (HappyColis): variables drawn from the SDL's input
//! types (`generate::GraphqlGen`), sent through the operation's documented document, and the
//! answers judged as the docs describe GraphQL results: data for the selected root field and
//! no `errors` for a valid request; a GraphQL error (`errors[]` in the documented shape, no
//! data for the field) or a documented 4xx for variables that break the SDL; the documented
//! 400 for a document that does not parse.

use serde_json::Value;

use super::documented_example::with_item;
use super::{Api, Applies, As, Call, Op, Session};
use crate::check::CheckInfo;
use crate::generate::{GraphqlGen, GraphqlOp};
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

impl Api {
    /// The variables generator of GraphQL operation `op`: its documented document (the
    /// example named after it) when there is one, else one built from the SDL; custom scalars
    /// drawn from the documented example variables.
    pub fn graphql_inputs(&self, op: &Op) -> Result<GraphqlOp, String> {
        let field = op.graphql.as_deref().ok_or("not a GraphQL operation")?;
        let sdl = &self
            .endpoint(op)
            .graphql
            .as_ref()
            .ok_or("the endpoint has no x-graphql schema")?
            .schema;
        let examples: Vec<Value> = self.examples(op).into_iter().map(|(_, v)| v).collect();
        let documented = examples.iter().find_map(|e| {
            let query = e.get("query")?.as_str()?;
            Some((query, e.get("operationName").and_then(Value::as_str)))
        });
        let generator = GraphqlGen::new(sdl).map_err(|e| e.to_string())?;
        let inputs = generator
            .operation(field, documented)
            .map_err(|e| e.to_string())?;
        let variables = examples
            .iter()
            .filter_map(|e| e.get("variables").cloned())
            .collect();
        Ok(inputs.with_examples(variables))
    }
}

/// Whether GraphQL operation `op` can have variables generated: the reason when not.
pub fn applies(api: &Api, op: &Op) -> Applies {
    match api.graphql_inputs(op).and_then(|inputs| {
        inputs
            .sample(api.settings.seed, 1)
            .map_err(|e| e.to_string())
    }) {
        Ok(_) => super::documented_example::applies(api, op),
        Err(reason) => Applies::Ignored(format!(
            "no variables can be drawn for `{}`: {reason}",
            op.name
        )),
    }
}

/// The errors of a GraphQL answer, if it has any.
fn errors(call: &Call) -> Option<&Vec<Value>> {
    call.json
        .as_ref()?
        .get("errors")?
        .as_array()
        .filter(|e| !e.is_empty())
}

/// The data of the operation's root field, unless absent or `null`.
fn data<'c>(op: &Op, call: &'c Call) -> Option<&'c Value> {
    let field = op.graphql.as_deref()?;
    call.json
        .as_ref()?
        .get("data")?
        .get(field)
        .filter(|v| !v.is_null())
}

/// `body` with the delivery URL going nowhere and the item `id` named, where the request has
/// those places and they are not `keep` (the place a violation sits).
fn prepare(api: &Session<'_>, op: &Op, body: &mut Value, n: usize, id: Option<&str>, keep: &str) {
    if let Some(at) = api.target_field(op)
        && at != keep
        && pointer::get(body, &at).is_some_and(Value::is_string)
    {
        pointer::set(body, &at, Value::String(api.nowhere(n)));
    }
    if let (Some(at), Some(id)) = (op.body_id(), id)
        && at != keep
    {
        pointer::set(body, &at, Value::String(id.to_string()));
    }
}

/// `generated` for a GraphQL operation: valid variables get the field's data and no errors,
/// an answer valid against the documented result, and the written fields answered as sent.
pub fn generated(api: &Session<'_>, op: &Op, info: &CheckInfo) -> Result<Option<String>, String> {
    let inputs = api.graphql_inputs(op)?;
    let samples = inputs
        .sample(api.settings.seed, api.settings.cases as usize)
        .map_err(|e| e.to_string())?;
    let field = op.graphql.clone().unwrap_or_default();
    let seed = format!(
        "seed: {} (GraphQL variables are reported as drawn, not shrunk)",
        api.settings.seed
    );
    with_item(api, op, |id, created| {
        // One warning per trial: a target that breaks an assumption breaks it every time.
        let mut warned = false;
        for (n, variables) in samples.into_iter().enumerate() {
            let mut body = inputs.body(&variables);
            prepare(api, op, &mut body, n, id, "");
            let call = api.call(op, As::Tenant(0), None, Some(&body));
            let new = api.created_id(op, &call);
            created.extend(new.clone());
            if call.status != Some(api.success_status(op))
                || errors(&call).is_some()
                || data(op, &call).is_none()
            {
                return Err(api.failure(
                    info,
                    &format!(
                        "HTTP {} with `data.{field}` and no `errors`: the variables are valid for the documented schema",
                        api.success_status(op)
                    ),
                    &call,
                    &seed,
                ));
            }
            if let Some(report) = api.judge_answer(info, op, &call, &seed) {
                return Err(report);
            }
            if let Some(difference) = echoed(op, &body, &call) {
                return Err(api.failure(
                    info,
                    "the written fields answered as they were sent",
                    &call,
                    &format!("{difference}\n{seed}"),
                ));
            }
            // A created item goes at once, through its own family's remove (which shows it
            // exists: the docs give no read); the other families' removes must leave it.
            if let Some(new) = new
                && op.action() == Some(MockAction::Create)
            {
                remove(api, op, info, &new, &seed, &mut warned)?;
                created.retain(|c| *c != new);
            }
        }
        Ok(None)
    })
}

/// Removes the item `id` that `creator` just made: the delete operations of other families
/// (whose `x-operation.mock.only` its `defaults` do not meet) must refuse it, then one of its
/// own family must remove it. A broken assumed rule warns once (`warned`).
fn remove(
    api: &Session<'_>,
    creator: &Op,
    info: &CheckInfo,
    id: &str,
    seed: &str,
    warned: &mut bool,
) -> Result<(), String> {
    let defaults = creator.mock.as_ref().map(|m| &m.defaults);
    let (mine, others): (Vec<&Op>, Vec<&Op>) = api
        .ops
        .iter()
        .filter(|o| {
            o.collection() == creator.collection() && o.action() == Some(MockAction::Delete)
        })
        .partition(|o| {
            o.mock.as_ref().is_none_or(|m| {
                m.only
                    .iter()
                    .all(|(at, value)| defaults.and_then(|d| d.get(at)) == Some(value))
            })
        });
    let endpoint = api.endpoint(creator);
    for other in others {
        let call = api.call_with_id(other, As::Tenant(0), id, None);
        let refused = (call.status == Some(api.success_status(other))
            && errors(&call).is_some()
            && data(other, &call).is_none())
            || call
                .status
                .is_some_and(|s| api.client_errors(other).contains(&s));
        if refused {
            continue;
        }
        let index = endpoint
            .graphql
            .as_ref()
            .and_then(|g| {
                g.operations
                    .iter()
                    .position(|o| Some(&o.name) == other.graphql.as_ref())
            })
            .unwrap_or_default();
        let basis = api.spec.basis_of(
            endpoint,
            &format!(
                "{}/x-graphql/operations/{index}/mock/only",
                endpoint.pointer
            ),
        );
        let expected = format!(
            "a GraphQL error: `{}` removes only the subscriptions of its own family, not one `{}` made",
            other.name, creator.name
        );
        if basis.is_documented() || !*warned {
            if let Some(report) = api.finding(info, &basis, &expected, &call, seed) {
                return Err(report);
            }
            *warned = true;
        }
        if call.succeeded() {
            // Removed by another family (a warning above): nothing is left to remove.
            return Ok(());
        }
    }
    let Some(own) = mine.first() else {
        return Ok(());
    };
    let call = api.call_with_id(own, As::Tenant(0), id, None);
    if call.succeeded() && data(own, &call).is_some() {
        return Ok(());
    }
    Err(api.failure(
        info,
        &format!(
            "`{}` removes the subscription `{}` just made",
            own.name, creator.name
        ),
        &call,
        seed,
    ))
}

/// The first field of the answered resource that differs from the request field of the same
/// name (the id excepted: the provider makes it).
fn echoed(op: &Op, body: &Value, call: &Call) -> Option<String> {
    let answered = data(op, call)?.as_object()?;
    let sent = pointer::get(body, &op.fields_at())?.as_object()?;
    let id_field = op
        .mock
        .as_ref()
        .and_then(|m| m.id_field.as_deref())
        .unwrap_or("/id")
        .trim_start_matches('/')
        .to_string();
    answered.iter().find_map(|(key, value)| {
        let request = sent.get(key).filter(|v| !v.is_null())?;
        (*key != id_field && request != value)
            .then(|| format!("`{key}` was sent as {request}, answered as {value}"))
    })
}

/// One request of the GraphQL `invalid-request` trial.
enum Broken {
    /// Variables with one labelled input coercion error.
    Variables(Value, crate::generate::GraphqlLabel),
    /// A document that does not parse.
    Document(String),
}

/// `invalid-request` for a GraphQL operation: variables that break the SDL get a GraphQL
/// error or a documented 4xx, never the field's data and never a 5xx; a document that does
/// not parse gets the documented 400.
pub fn invalid(api: &Session<'_>, op: &Op, info: &CheckInfo) -> Result<Option<String>, String> {
    let inputs = api.graphql_inputs(op)?;
    let seed = api.settings.seed ^ 0x1a5a1d;
    let mut requests: Vec<Broken> = inputs
        .violations(seed)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|i| Broken::Variables(i.variables, i.label))
        .collect();
    requests.push(Broken::Document(inputs.malformed()));
    let valid = inputs.sample(seed, 1).map_err(|e| e.to_string())?.remove(0);
    let field = op.graphql.clone().unwrap_or_default();
    let endpoint = api.endpoint(op);
    let client_errors = api.client_errors(op);
    let listed = client_errors
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sdl = api
        .spec
        .basis_of(endpoint, &format!("{}/x-graphql/schema", endpoint.pointer));
    with_item(api, op, |id, created| {
        for (n, request) in requests.into_iter().enumerate() {
            let (body, said, keep) = match &request {
                Broken::Variables(variables, label) => (
                    inputs.body(variables),
                    format!(
                        "the variables break the documented schema: {} `{}`: {}",
                        label.rule, label.pointer, label.description
                    ),
                    format!("/variables{}", label.pointer),
                ),
                Broken::Document(query) => {
                    let mut body = inputs.body(&valid);
                    body["query"] = Value::String(query.clone());
                    (
                        body,
                        "the document does not parse (cut short before its last `}`)".to_string(),
                        String::new(),
                    )
                }
            };
            let mut body = body;
            prepare(api, op, &mut body, n, id, &keep);
            let call = api.call(op, As::Tenant(0), None, Some(&body));
            created.extend(api.created_id(op, &call));
            let (refused, expected, basis) = match &request {
                Broken::Document(_) if client_errors.contains(&400) => (
                    call.status == Some(400),
                    "the documented 400 (a GraphQL syntax error is refused before execution)"
                        .to_string(),
                    api.spec.response_basis(endpoint, 400),
                ),
                _ => (
                    (call.status == Some(api.success_status(op))
                        && errors(&call).is_some()
                        && data(op, &call).is_none())
                        || call.status.is_some_and(|s| client_errors.contains(&s)),
                    format!(
                        "a GraphQL error (HTTP {} with `errors` and no `data.{field}`) or a documented 4xx ({listed})",
                        api.success_status(op)
                    ),
                    sdl.clone(),
                ),
            };
            if !refused {
                if let Some(report) = api.finding(info, &basis, &expected, &call, &said) {
                    return Err(report);
                }
                continue;
            }
            if let Some(report) = api.judge_answer(info, op, &call, &said) {
                return Err(report);
            }
        }
        Ok(None)
    })
}

/// The faults that prove `invalid-request` catches a GraphQL API that coerces what the SDL
/// refuses (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use serde_json::Value;

    use crate::generate::{GraphqlGen, GraphqlOp};
    use crate::mock::action::{Action, Call, Graphql, Outcome, Refusal};
    use crate::mock::{Fault, MockBuilder};
    use crate::spec::extensions::MockAction;
    use crate::spec::pointer;

    /// The operation a GraphQL request's document runs, typed by the endpoint's SDL.
    fn operation(call: &Call<'_>, body: &Value) -> Option<GraphqlOp> {
        let sdl = &call.endpoint().graphql.as_ref()?.schema;
        let query = body.get("query")?.as_str()?;
        let name = body.get("operationName").and_then(Value::as_str);
        GraphqlGen::new(sdl).ok()?.document(query, name)
    }

    /// Runs the GraphQL endpoint on the request `rewrite` makes of the variables.
    fn lenient(
        call: &Call<'_>,
        rewrite: impl Fn(&GraphqlOp, &mut Value),
    ) -> Result<Outcome, Refusal> {
        let mut body = call.body().cloned().unwrap_or(Value::Null);
        if let Some(op) = operation(call, &body)
            && let Some(variables) = body.get_mut("variables").filter(|v| v.is_object())
        {
            rewrite(&op, variables);
        }
        Graphql.run(&call.with_body(&body))
    }

    /// Takes a value that is none of its enum's values as the enum's first value, instead of
    /// refusing it.
    #[derive(Debug, Clone, Copy)]
    pub struct AcceptsWrongEnumValues;

    impl Fault for AcceptsWrongEnumValues {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.action(MockAction::Graphql, |call: &Call<'_>| {
                lenient(call, |op, variables| {
                    for (at, values) in op.enum_places(variables) {
                        let known = pointer::get(variables, &at)
                            .and_then(Value::as_str)
                            .is_some_and(|v| values.iter().any(|e| e == v));
                        if !known && let Some(first) = values.first() {
                            pointer::set(variables, &at, Value::String(first.clone()));
                        }
                    }
                })
            })
        }
    }

    /// Drops the fields an input object does not define, instead of refusing them.
    #[derive(Debug, Clone, Copy)]
    pub struct IgnoresUnknownInputFields;

    impl Fault for IgnoresUnknownInputFields {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.action(MockAction::Graphql, |call: &Call<'_>| {
                lenient(call, |op, variables| {
                    for at in op.unknown_fields(variables) {
                        if let Some((parent, last)) = at.rsplit_once('/')
                            && let Some(Value::Object(map)) = variables.pointer_mut(parent)
                        {
                            map.remove(&pointer::unescape(last));
                        }
                    }
                })
            })
        }
    }
}
