//! Making the mock emit: one code path for the Rust API (`MockProvider::emit*`) and the admin
//! endpoints under `/__mock/` (`admin.rs`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::engine::Engine;
use crate::deliver::dispatch::{Report, Subscriber};
use crate::generate::Mode;
use crate::spec::pointer;

/// What to emit.
#[derive(Debug, Clone, Default)]
pub struct Emit {
    /// The caller's own payload (validated first); `None` for a generated one.
    pub payload: Option<Value>,
    /// Send the documented example instead of a generated payload.
    pub fixture: bool,
    /// The seed of the generated payload (default: the mock's own sequence).
    pub seed: Option<u64>,
    /// Values the event carries outside its payload, matched by subscription filters (swsh's
    /// `albumId`, `label`).
    pub context: BTreeMap<String, Value>,
}

impl Emit {
    /// The options of an admin request's body: `payload`, `fixture`, `seed`, `context`.
    pub(super) fn from_admin(body: &Value) -> Self {
        Self {
            payload: body.get("payload").cloned(),
            fixture: body
                .get("fixture")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            seed: body.get("seed").and_then(Value::as_u64),
            context: body
                .get("context")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        }
    }
}

/// Why an emission was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// The spec has no such event.
    #[error("no event `{0}` in this spec; events: {1}")]
    UnknownEvent(String, String),
    /// The caller's payload does not validate.
    #[error("the payload is not a valid `{0}`: {1}")]
    Invalid(String, String),
    /// The event has no documented example.
    #[error("`{0}` has no documented example")]
    NoFixture(String),
    /// The payload could not be generated.
    #[error("{0}")]
    Generate(String),
}

/// Emits `event` to the matching subscriptions.
pub async fn emit(engine: &Engine, event: &str, options: Emit) -> Result<Report, EmitError> {
    let spec = &engine.core.spec;
    let Some(declared) = spec.event(event) else {
        return Err(EmitError::UnknownEvent(
            event.to_string(),
            spec.events
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    };
    let payload = if let Some(payload) = options.payload {
        if let Some(schema) = declared.schema()
            && let Some(violation) = spec
                .schemas
                .violations(schema, &payload)
                .and_then(|v| v.into_iter().next())
        {
            return Err(EmitError::Invalid(event.to_string(), violation.to_string()));
        }
        for invariant in spec
            .invariants_for(event)
            .filter(|i| !i.needs_subscription())
        {
            invariant
                .check(event, &payload, None)
                .map_err(|b| EmitError::Invalid(event.to_string(), b.to_string()))?;
        }
        payload
    } else if options.fixture {
        let example = declared
            .examples()
            .iter()
            .find(|e| e.fixture.is_some())
            .or_else(|| declared.examples().first());
        example
            .map(|e| e.value.clone())
            .ok_or_else(|| EmitError::NoFixture(event.to_string()))?
    } else {
        let generator = event_generator(engine, event)?;
        let sample = match options.seed {
            Some(seed) => generator
                .sample(Mode::Valid, seed, 1)
                .map(|mut s| s.remove(0)),
            None => {
                let mut rng = engine
                    .core
                    .rng
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                generator.draw(Mode::Valid, &mut *rng)
            }
        };
        sample
            .map_err(|e| EmitError::Generate(e.to_string()))?
            .value
    };
    let subscribers = subscribers(engine);
    let mut report = engine
        .dispatcher
        .emit(event, &payload, &options.context, &subscribers)
        .await;
    if report.is_empty() {
        engine.expectations.unmatched(event);
        report.warning = Some(unmatched(engine, event, &subscribers));
    }
    Ok(report)
}

/// Why `event` went to nobody: how many subscriptions are stored, and for which events.
fn unmatched(engine: &Engine, event: &str, subscribers: &[Subscriber]) -> String {
    let at = &engine.dispatcher.rules().matching.events;
    let mut events: Vec<String> = subscribers
        .iter()
        .filter_map(|s| pointer::get(&s.resource, at))
        .flat_map(|v| match v {
            Value::Array(names) => names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Value::String(name) => vec![name.clone()],
            _ => Vec::new(),
        })
        .collect();
    events.sort();
    events.dedup();
    match subscribers.len() {
        0 => format!("no subscription matches `{event}`: none is stored"),
        n => format!(
            "no subscription matches `{event}`: {n} subscription{} stored, for {}",
            if n == 1 { " is" } else { "s are" },
            if events.is_empty() {
                "no event".to_string()
            } else {
                events.join(", ")
            }
        ),
    }
}

/// The payload generator of `event`, compiled once.
fn event_generator(engine: &Engine, event: &str) -> Result<crate::generate::SchemaGen, EmitError> {
    let mut events = engine
        .events
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(generator) = events.get(event) {
        return Ok(generator.clone());
    }
    let generator = engine
        .core
        .generator
        .event(event)
        .map_err(|e| EmitError::Generate(e.to_string()))?;
    events.insert(event.to_string(), generator.clone());
    Ok(generator)
}

/// The stored subscriptions as deliveries see them: read from the store again only when it
/// changed since the last emission.
fn subscribers(engine: &Engine) -> std::sync::Arc<Vec<Subscriber>> {
    let mut cached = engine
        .subscribers
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let writes = engine.core.store.writes();
    if cached.0 != writes {
        let fresh: Vec<Subscriber> = engine
            .core
            .store
            .all(&engine.subscription_collection)
            .into_iter()
            .map(|(tenant, resource)| Subscriber {
                id: pointer::get(&resource, &engine.subscription_id_field)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                tenant,
                resource,
            })
            .collect();
        *cached = (writes, std::sync::Arc::new(fresh));
    }
    std::sync::Arc::clone(&cached.1)
}
