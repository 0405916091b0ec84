//! `header-case`: the delivery with its header names in another case is accepted: HTTP header
//! names are case-insensitive.

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "header-case",
        reason: "HTTP header names are case-insensitive: a provider, a proxy or a load balancer may send `X-Signature` or `x-signature`; a receiver that looks a header up with an exact-case comparison loses it (every other check sends lower-case names, this one title case and upper case)",
        source: "RFC 9110 section 5.1; the provider's header names (x-webhook-signature.header, x-delivery.headers)",
    },
    applies: |_, _| Applies::Yes,
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let payload = probe.generated(event, 4)?;
    let (body, headers) = probe.delivery(event, &payload, None);
    probe.require_2xx(
        &CHECK.info,
        &probe.send_title_case(&headers, &body),
        "header names sent in title case (Content-Type, X-...)",
    )?;
    // Upper case, written by hand (an https target gets the title-case variant only); another
    // event, so that it is no redelivery.
    let payload = probe.generated(event, 6)?;
    let (body, headers) = probe.delivery(event, &payload, None);
    let upper: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_uppercase(), value.clone()))
        .collect();
    match probe.send_verbatim(&upper, &body) {
        Some(exchange) => probe.require_2xx(
            &CHECK.info,
            &exchange,
            "header names sent in upper case (CONTENT-TYPE, X-...)",
        ),
        None => Ok(()),
    }
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use crate::reference::Quirk;

    /// Looks headers up by their lower-case names with an exact-case comparison (a raw header
    /// list, as some frameworks expose), so title-case names go unseen.
    pub struct CaseSensitiveHeaders;

    impl Quirk for CaseSensitiveHeaders {
        fn reads_raw_headers(&self) -> bool {
            true
        }
    }
}
