//! `redelivery`: the same event delivered again (same event id, a new attempt id where the
//! provider has one) is accepted again.

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "redelivery",
        reason: "providers redeliver (a retry, a resend, an unblocked queue); a receiver that deduplicates must still acknowledge a duplicate with a 2xx, or the provider keeps retrying it",
        source: "the providers' delivery rules (x-delivery) and their event ids (x-envelope.eventId)",
    },
    applies: |_, _| Applies::Yes,
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let payload = probe.generated(event, 2)?;
    for attempt in 1..=2 {
        // Each delivery gets a fresh attempt id, as the provider's resend does.
        let mut payload = payload.clone();
        {
            let mut rng = crate::generate::rng::seeded(attempt);
            crate::deliver::envelope::new_attempt(&probe.spec, &mut payload, &mut rng);
        }
        let (body, headers) = probe.delivery(event, &payload, None);
        probe.require_2xx(
            &CHECK.info,
            &probe.send(&headers, &body),
            &format!("delivery {attempt} of the same event"),
        )?;
    }
    Ok(())
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use serde_json::Value;

    use crate::reference::Quirk;
    use crate::spec::ProviderSpec;

    /// Answers 409 to an event it has seen (same event id, or same body without one).
    #[derive(Default)]
    pub struct ConflictOnRedelivery {
        seen: Mutex<HashSet<String>>,
    }

    impl Quirk for ConflictOnRedelivery {
        fn payload(
            &self,
            spec: &ProviderSpec,
            headers: &hyper::HeaderMap,
            text: &str,
            payload: &Value,
        ) -> Option<u16> {
            let key = spec
                .event_id_in(crate::reference::header_text(headers), payload)
                .unwrap_or_else(|| text.to_string());
            let fresh = self
                .seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key);
            (!fresh).then_some(409)
        }
    }
}
