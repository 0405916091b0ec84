//! `out-of-order`: events about one object that arrive out of their natural order (removed
//! before created, updated before created) are each accepted.

use serde_json::Value;

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;
use crate::spec::pointer;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "out-of-order",
        reason: "providers deliver concurrently and retry failures later, so a removal can arrive before the creation it follows; a receiver must acknowledge each event (2xx) whatever it has seen before, or the provider retries or blocks",
        source: "the providers' delivery rules (no ordering guarantee across retries) and the event lifecycles of the spec (x-event.resource and resourceId)",
    },
    applies: |spec, event| match spec.lifecycle(event).len() {
        0 | 1 => Applies::Ignored(format!(
            "no other event of {} is about the same object as `{event}` (x-event.resource and resourceId)",
            spec.provider.name
        )),
        _ => Applies::Yes,
    },
    run,
};

/// The order the trial for `event` delivers its lifecycle in: `event` first, then the events
/// it follows, latest first; the first event of a lifecycle comes after the last one.
#[must_use]
pub fn sequence<'a>(lifecycle: &[&'a str], event: &str) -> Vec<&'a str> {
    let Some(at) = lifecycle.iter().position(|e| *e == event) else {
        return Vec::new();
    };
    if at == 0 {
        return lifecycle
            .last()
            .into_iter()
            .chain(lifecycle.first())
            .copied()
            .collect();
    }
    std::iter::once(lifecycle[at])
        .chain(lifecycle[..at].iter().rev().copied())
        .collect()
}

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let lifecycle: Vec<&str> = probe
        .spec
        .lifecycle(event)
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let order = sequence(&lifecycle, event);
    // One object: the id of the first payload is written into every other.
    let mut id: Option<Value> = None;
    for (step, name) in order.iter().enumerate() {
        let declared = probe
            .spec
            .event(name)
            .ok_or_else(|| format!("no event `{name}`"))?;
        // Distinct events per trial: two trials may deliver the same lifecycle.
        let trial = lifecycle.iter().position(|e| *e == event).unwrap_or(0);
        let mut payload = probe.generated(name, 10 + 16 * trial as u64 + step as u64)?;
        match &id {
            None => {
                id = declared
                    .ext
                    .resource_id
                    .first()
                    .and_then(|at| pointer::get(&payload, at))
                    .cloned();
            }
            Some(id) => {
                for at in &declared.ext.resource_id {
                    pointer::set(&mut payload, at, id.clone());
                }
            }
        }
        let schema = declared.schema().unwrap_or_default();
        if !probe.spec.schemas.is_valid(schema, &payload) {
            return Err(format!(
                "`{name}` cannot carry the id of `{}` ({}): its resourceId schema differs",
                order[0],
                id.as_ref().map(Value::to_string).unwrap_or_default()
            ));
        }
        let (body, headers) = probe.delivery(name, &payload, None);
        probe.require_2xx(
            &CHECK.info,
            &probe.send(&headers, &body),
            &format!(
                "delivered in this order, about one object: {} (this is delivery {} of {})",
                order.join(", "),
                step + 1,
                order.len()
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sequence;

    #[test]
    fn each_sequence_breaks_the_lifecycle_order() {
        let life = ["created", "updated", "deleted"];
        assert_eq!(sequence(&life, "created"), ["deleted", "created"]);
        assert_eq!(sequence(&life, "updated"), ["updated", "created"]);
        assert_eq!(
            sequence(&life, "deleted"),
            ["deleted", "updated", "created"]
        );
        assert_eq!(
            sequence(&["created", "removed"], "removed"),
            ["removed", "created"]
        );
        assert!(sequence(&life, "other").is_empty());
    }
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use serde_json::Value;

    use crate::reference::Quirk;
    use crate::spec::{ProviderSpec, pointer};

    /// Answers 422 to an event about an object it has seen a later event of (a creation after
    /// the removal).
    #[derive(Default)]
    pub struct RejectsOutOfOrder {
        latest: Mutex<HashMap<String, usize>>,
    }

    impl Quirk for RejectsOutOfOrder {
        fn payload(
            &self,
            spec: &ProviderSpec,
            headers: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            let name = spec.event_name_in(crate::reference::header_text(headers), payload)?;
            let lifecycle = spec.lifecycle(&name);
            let step = lifecycle.iter().position(|e| e.name == name)?;
            let id = lifecycle[step]
                .ext
                .resource_id
                .first()
                .and_then(|at| pointer::get(payload, at))?;
            let mut latest = self
                .latest
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let seen = latest.entry(id.to_string()).or_insert(step);
            if step < *seen {
                return Some(422);
            }
            *seen = step;
            None
        }
    }
}
