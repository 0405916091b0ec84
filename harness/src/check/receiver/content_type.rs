//! `content-type-charset`: the provider's content type with a `charset=utf-8` parameter is
//! accepted, as media types allow.

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "content-type-charset",
        reason: "`application/json; charset=utf-8` is the same media type as `application/json`; proxies and HTTP clients add the parameter, so a receiver comparing the whole header breaks on them",
        source: "RFC 9110 media types; the provider's Content-Type (x-delivery.contentType)",
    },
    applies: |spec, _| match &spec.delivery.content_type {
        Some(_) => Applies::Yes,
        None => Applies::Ignored(format!("{} sends no Content-Type", spec.provider.name)),
    },
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let payload = probe.generated(event, 3)?;
    let (body, headers) = probe.delivery(event, &payload, None);
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .map(|(name, value)| {
            if name.eq_ignore_ascii_case("content-type") {
                (name, format!("{value}; charset=utf-8"))
            } else {
                (name, value)
            }
        })
        .collect();
    probe.require_2xx(&CHECK.info, &probe.send(&headers, &body), "")
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use crate::reference::Quirk;
    use crate::spec::ProviderSpec;

    /// Answers 415 unless the Content-Type is exactly the provider's, parameters included.
    pub struct ExactContentType;

    impl Quirk for ExactContentType {
        fn first(&self, spec: &ProviderSpec, headers: &hyper::HeaderMap) -> Option<u16> {
            let sent = headers
                .get(hyper::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            (sent != spec.delivery.content_type.as_deref()).then_some(415)
        }
    }
}
