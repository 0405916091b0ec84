//! `documented-example`: the provider's documented example payload is accepted.

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "documented-example",
        reason: "the payload the provider's own documentation prints must be accepted with a 2xx: it is the first thing a real provider sends",
        source: "the event's documented example (fixtures/); where the docs' example breaks its own schema (a recorded erratum), the spec's valid example",
    },
    applies: |_, _| Applies::Yes,
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let Some(declared) = probe.spec.event(event) else {
        return Err(format!("no event `{event}`"));
    };
    let schema = declared.schema().unwrap_or_default();
    // The documented example first; one that breaks its own schema (an erratum) is skipped.
    let example = declared
        .examples()
        .iter()
        .filter(|e| probe.spec.schemas.is_valid(schema, &e.value))
        .min_by_key(|e| e.fixture.is_none())
        .ok_or_else(|| format!("`{event}` has no valid example"))?;
    let (body, headers) = probe.delivery(event, &example.value, None);
    probe.require_2xx(
        &CHECK.info,
        &probe.send(&headers, &body),
        &format!("example: {} ({})", example.name, example.pointer),
    )
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use crate::reference::Quirk;
    use crate::spec::ProviderSpec;

    /// Refuses every delivery with a 400.
    pub struct RejectsEverything;

    impl Quirk for RejectsEverything {
        fn first(&self, _: &ProviderSpec, _: &hyper::HeaderMap) -> Option<u16> {
            Some(400)
        }
    }
}
