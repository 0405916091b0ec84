//! `unknown-event`: an event type the spec does not know is not answered with a 5xx.

use serde_json::Value;

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;
use crate::spec::pointer;

/// The event name the check sends.
pub const UNKNOWN: &str = "harness.unknown-event";

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "unknown-event",
        reason: "providers add event types; a receiver must not fail (5xx) on one it does not know, or the provider retries, blocks or gives up on it",
        source: "the envelope's event name (x-envelope.eventName); providers list more event types than a receiver handles",
    },
    applies: |spec, _| match &spec.envelope.event_name {
        Some(_) => Applies::Yes,
        None => Applies::Ignored(format!(
            "{} payloads carry no event name",
            spec.provider.name
        )),
    },
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let Some(at) = &probe.spec.envelope.event_name else {
        return Ok(());
    };
    let mut payload = probe.generated(event, 1)?;
    if !at.starts_with("header:") {
        pointer::set(&mut payload, at, Value::String(UNKNOWN.into()));
    }
    let delivery = probe.delivery_named(event, UNKNOWN, &payload, &[probe.key()], super::now());
    let exchange = probe.send(&delivery.headers, &delivery.body);
    match exchange.status {
        Some(status) if status < 500 => Ok(()),
        _ => Err(probe.failure(
            &CHECK.info,
            "any answer but a 5xx (a 2xx, or a 4xx saying the event is not handled)",
            &exchange,
            &format!("event name sent: {UNKNOWN}"),
        )),
    }
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use serde_json::Value;

    use crate::reference::Quirk;
    use crate::spec::ProviderSpec;

    /// Answers 500 to an event type the spec does not list.
    pub struct ServerErrorOnUnknownEvent;

    impl Quirk for ServerErrorOnUnknownEvent {
        fn payload(
            &self,
            spec: &ProviderSpec,
            headers: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            let name = spec.event_name_in(crate::reference::header_text(headers), payload)?;
            spec.event(&name).is_none().then_some(500)
        }
    }
}
