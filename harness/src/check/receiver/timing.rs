//! `timing`: every answer comes within the provider's delivery timeout.

use std::time::{Duration, Instant};

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "timing",
        reason: "a provider counts an answer that comes after its timeout as a failure (and retries, blocks or drops the event); receivers should acknowledge first and work later",
        source: "the provider's delivery timeout (x-delivery.timeoutMs, an assumption where undocumented)",
    },
    applies: |_, _| Applies::Yes,
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let limit = Duration::from_millis(probe.spec.delivery.timeout_ms);
    let payload = probe.generated(event, 4)?;
    let (body, headers) = probe.delivery(event, &payload, None);
    let started = Instant::now();
    let exchange = probe.send(&headers, &body);
    let took = started.elapsed();
    if took <= limit && exchange.status.is_some() {
        Ok(())
    } else {
        Err(probe.failure(
            &CHECK.info,
            &format!("an answer within {} ms", limit.as_millis()),
            &exchange,
            &format!("answered after {} ms", took.as_millis()),
        ))
    }
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use std::time::Duration;

    use crate::reference::Quirk;

    /// Answers after this many milliseconds.
    pub struct Slow(pub u64);

    impl Quirk for Slow {
        fn delay(&self) -> Duration {
            Duration::from_millis(self.0)
        }
    }
}
