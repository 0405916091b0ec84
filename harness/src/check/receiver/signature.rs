//! `bad-signature`: deliveries whose signature is wrong, missing, for another body, or a near
//! miss that a sloppy comparison lets through are each refused with a 4xx.

use serde_json::Value;

use super::{Applies, Exchange, Probe, ReceiverCheck};
use crate::check::CheckInfo;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "bad-signature",
        reason: "a receiver must refuse (4xx, not 2xx, not 5xx) what the provider did not sign: a wrong secret, no signature, a tampered body, and near misses (last character changed, truncated, empty) that a prefix or length-lenient comparison accepts",
        source: "the provider's signature scheme (x-webhook-signature, from its signature docs)",
    },
    applies: |spec, _| match spec.signing.signs() {
        true => Applies::Yes,
        false => Applies::Ignored(format!(
            "{} deliveries carry no signature (the docs define none): a receiver cannot tell real deliveries from forged ones",
            spec.provider.name
        )),
    },
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let header = probe
        .pipeline
        .signer()
        .headers()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let payload = probe.generated(event, 0)?;
    let (body, headers) = probe.delivery(event, &payload, None);
    let signature = headers
        .iter()
        .find(|(n, _)| n.to_ascii_lowercase() == header)
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let with_signature = |value: Option<String>| -> Vec<(String, String)> {
        headers
            .iter()
            .filter(|(n, _)| n.to_ascii_lowercase() != header)
            .cloned()
            .chain(value.map(|v| (header.clone(), v)))
            .collect()
    };
    let (_, wrong_secret) = probe.delivery(event, &payload, Some(b"not-the-receivers-secret"));
    let mut variants: Vec<Variant<'_>> = vec![
        ("signed with another secret", wrong_secret, body.clone()),
        ("no signature header", with_signature(None), body.clone()),
        (
            "a tampered body with the original signature",
            headers.clone(),
            tamper(probe, &payload),
        ),
        (
            "the signature's last character changed",
            with_signature(Some(change_last(&signature))),
            body.clone(),
        ),
        (
            "a truncated signature",
            with_signature(Some(signature[..signature.len() / 2].to_string())),
            body.clone(),
        ),
        (
            "an empty signature",
            with_signature(Some(String::new())),
            body.clone(),
        ),
    ];
    let mut failures = Vec::new();
    for (name, headers, body) in variants.drain(..) {
        let exchange = probe.send(&headers, &body);
        if !refused(&exchange) {
            failures.push(probe.failure(
                &CHECK.info,
                &format!("a 4xx answer to {name}"),
                &exchange,
                &format!("variant: {name}"),
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// A near-miss delivery: its name, headers and body.
type Variant<'a> = (&'a str, Vec<(String, String)>, Vec<u8>);

fn refused(exchange: &Exchange) -> bool {
    exchange.status.is_some_and(|s| (400..500).contains(&s))
}

fn change_last(signature: &str) -> String {
    let mut chars: Vec<char> = signature.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            'a' => 'b',
            '0' => '1',
            '=' => 'A',
            c if c.is_ascii_alphanumeric() => 'a',
            _ => '0',
        };
    }
    chars.into_iter().collect()
}

/// The same delivery with one string of the payload changed, as the provider's bytes.
fn tamper(probe: &Probe, payload: &Value) -> Vec<u8> {
    let mut changed = payload.clone();
    fn first_string(value: &mut Value) -> bool {
        match value {
            Value::String(s) => {
                s.push('x');
                true
            }
            Value::Array(items) => items.iter_mut().any(first_string),
            Value::Object(map) => map.values_mut().any(first_string),
            _ => false,
        }
    }
    if !first_string(&mut changed)
        && let Value::Object(map) = &mut changed
    {
        map.insert("tampered".into(), Value::Bool(true));
    }
    probe.pipeline.body(&changed)
}

/// The defects this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use hyper::HeaderMap;

    use crate::reference::Quirk;
    use crate::sign::Verifier;

    /// Never checks the signature.
    pub struct SkipsSignatureCheck;

    impl Quirk for SkipsSignatureCheck {
        fn verify(&self, _: &Verifier, _: &HeaderMap, _: &str, _: &[u8]) -> Option<bool> {
            Some(true)
        }
    }

    /// Answers 500 (not a 4xx) to a bad signature.
    pub struct ServerErrorOnBadSignature;

    impl Quirk for ServerErrorOnBadSignature {
        fn bad_signature(&self) -> u16 {
            500
        }
    }

    /// Compares only the first 16 characters of the signature.
    pub struct ComparesSignaturePrefix;

    impl Quirk for ComparesSignaturePrefix {
        fn verify(
            &self,
            verifier: &Verifier,
            headers: &HeaderMap,
            signed: &str,
            key: &[u8],
        ) -> Option<bool> {
            let Ok(presented) = verifier.presented(headers) else {
                return Some(false);
            };
            Some(presented.iter().all(|presented| {
                let expected = verifier.expected(presented, headers, signed, key);
                presented
                    .signatures
                    .iter()
                    .any(|s| s.len() >= 16 && expected.starts_with(&s[..16]))
            }))
        }
    }
}
