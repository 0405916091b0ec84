//! `replay`: where the signature covers a timestamp and the convention documents how far it
//! may be from the receiver's clock, a delivery signed outside that window (an old one replayed,
//! and, where the convention bounds both ways, one from the future) is refused with a 4xx,
//! and one just inside it is accepted.

use super::{Applies, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "replay",
        reason: "a signed timestamp is what stops a captured delivery from being replayed: a receiver must refuse (4xx) one outside the convention's tolerance, and accept one inside it",
        source: "the signing convention's replay tolerance (x-webhook-signature.timestamp.tolerance, from its docs and reference libraries)",
    },
    applies: |spec, _| {
        let signing = &spec.signing;
        if !signing.signs() {
            Applies::Ignored(format!(
                "{} deliveries carry no signature ({})",
                spec.provider.name,
                signing.reason.as_deref().unwrap_or("the docs define none")
            ))
        } else if !signing.signs_timestamp() {
            Applies::Ignored(format!(
                "{}'s signature covers no timestamp: a replay cannot be told from a delivery",
                spec.provider.name
            ))
        } else if signing.timestamp.tolerance.is_none() {
            Applies::Ignored(format!(
                "{}'s docs give no replay tolerance (x-webhook-signature.timestamp.tolerance)",
                spec.provider.name
            ))
        } else {
            Applies::Yes
        }
    },
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let timing = &probe.spec.signing.timestamp;
    let tolerance = timing.tolerance.unwrap_or(300) as f64;
    let now = super::now();
    let mut cases = vec![(
        "an old delivery replayed",
        now - tolerance - 120.0,
        false,
        6,
    )];
    if timing.both_ways {
        cases.push((
            "a delivery from the future",
            now + tolerance + 120.0,
            false,
            7,
        ));
    }
    cases.push((
        "a delivery just inside the window",
        now - tolerance / 2.0,
        true,
        8,
    ));
    let mut failures = Vec::new();
    for (name, at, accept, case) in cases {
        let payload = probe.generated(event, case)?;
        let delivery = probe.delivery_at(event, &payload, &[probe.key()], at);
        let exchange = probe.send(&delivery.headers, &delivery.body);
        let ok = if accept {
            exchange.accepted()
        } else {
            exchange.status.is_some_and(|s| (400..500).contains(&s))
        };
        if !ok {
            let expected = if accept {
                "a 2xx answer: the timestamp is within the tolerance"
            } else {
                "a 4xx answer: the timestamp is outside the tolerance"
            };
            failures.push(probe.failure(
                &CHECK.info,
                expected,
                &exchange,
                &format!(
                    "variant: {name}, signed {:+.0} s from now (tolerance {tolerance:.0} s{})",
                    at - now,
                    if timing.both_ways {
                        ", both ways"
                    } else {
                        ", past only"
                    }
                ),
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The defect this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use crate::reference::Quirk;

    /// Checks the signature but not how old its timestamp is.
    pub struct AcceptsStaleTimestamps;

    impl Quirk for AcceptsStaleTimestamps {
        fn checks_freshness(&self) -> bool {
            false
        }
    }
}
