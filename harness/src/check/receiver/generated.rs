//! `generated`: property-generated valid payloads are accepted; a failure shrinks to a minimal
//! payload and prints the seed.

use proptest::test_runner::{TestCaseError, TestError};

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "generated",
        reason: "every payload the event's schema allows must be accepted with a 2xx: providers send optional fields, nulls and values the examples never show",
        source: "the event's payload schema in the spec",
    },
    applies: |_, _| Applies::Yes,
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let generator = probe.payloads(event)?;
    let config = proptest::test_runner::Config {
        cases: probe.settings.cases,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        config,
        crate::generate::rng::seeded(probe.settings.seed),
    );
    let last = std::cell::RefCell::new(None);
    // A request that got no answer (timeout, refused, reset) says nothing about the payload:
    // the run is not shrunk, and nothing more is sent.
    let unanswered = std::cell::RefCell::new(None);
    let result = runner.run(&generator.valid(), |payload| {
        if unanswered.borrow().is_some() {
            return Err(TestCaseError::fail("no answer"));
        }
        let (body, headers) = probe.delivery(event, &payload, None);
        let exchange = probe.send(&headers, &body);
        probe.note_valid(&exchange);
        if exchange.accepted() {
            Ok(())
        } else if exchange.status.is_none() {
            *unanswered.borrow_mut() = Some((exchange, payload));
            Err(TestCaseError::fail("no answer"))
        } else {
            *last.borrow_mut() = Some(exchange);
            Err(TestCaseError::fail("refused"))
        }
    });
    if let Some((exchange, payload)) = unanswered.into_inner() {
        return Err(probe.failure(
            &CHECK.info,
            "a 2xx answer",
            &exchange,
            &format!(
                "seed: {} (not shrunk: the target gave no answer, which no payload explains)
payload: {payload}",
                probe.settings.seed
            ),
        ));
    }
    match result {
        Ok(()) => Ok(()),
        Err(TestError::Fail(_, minimal)) => {
            // The last refused exchange is the one for the minimal payload.
            let exchange = last.into_inner().unwrap_or_else(|| probe.send(&[], b""));
            Err(probe.failure(
                &CHECK.info,
                "a 2xx answer",
                &exchange,
                &format!(
                    "seed: {} (shrunk to a minimal payload)\nminimal payload: {minimal}",
                    probe.settings.seed
                ),
            ))
        }
        Err(error) => Err(format!("{error}")),
    }
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use serde_json::Value;

    use crate::reference::Quirk;
    use crate::spec::ProviderSpec;

    /// Answers 500 to any payload holding a string with an underscore (which the documented
    /// examples never have, and generated payloads often do).
    pub struct ChokesOnUnderscores;

    impl Quirk for ChokesOnUnderscores {
        fn payload(
            &self,
            _: &ProviderSpec,
            _: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            fn has_underscore(value: &Value) -> bool {
                match value {
                    Value::String(s) => s.contains('_'),
                    Value::Array(items) => items.iter().any(has_underscore),
                    Value::Object(map) => map.values().any(has_underscore),
                    _ => false,
                }
            }
            has_underscore(payload).then_some(500)
        }
    }
}
