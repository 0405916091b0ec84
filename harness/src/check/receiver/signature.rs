//! `bad-signature`: deliveries whose signature is wrong, missing, for another body, or a near
//! miss that a sloppy comparison lets through are each refused with a 4xx.

use serde_json::Value;

use super::{Applies, Exchange, Probe, ReceiverCheck};
use crate::check::CheckInfo;
use crate::sign::{SignInput, Signer};
use crate::spec::signing::Scheme;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "bad-signature",
        reason: "a receiver must refuse (4xx, not 2xx, not 5xx) what the provider did not sign: a wrong secret, no signature, a tampered body, near misses (last character changed, truncated, empty) that a prefix or length-lenient comparison accepts, and malformed headers (no separator, undecodable, an unknown version, another message's id, whitespace) that a parser may crash on; and it must accept a header holding several signatures of which one is valid (a key rotation)",
        source: "the provider's signature scheme (x-webhook-signature, from its signature docs)",
    },
    applies: |spec, _| match spec.signing.signs() {
        true => Applies::Yes,
        false => Applies::Ignored(format!(
            "{} deliveries carry no signature ({}): a receiver cannot tell real deliveries from forged ones",
            spec.provider.name,
            spec.signing
                .reason
                .as_deref()
                .unwrap_or("the docs define none")
        )),
    },
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let payload = probe.generated(event, 0)?;
    let unix = super::now();
    let key = probe.key();
    let good = probe.delivery_at(event, &payload, &[key], unix);
    let base = Base {
        probe,
        headers: good.headers.clone(),
        text: good.text.clone(),
        envelope: probe.envelope(event, &payload),
        stamp: probe.pipeline.signer().timestamp(unix).to_string(),
    };
    let wrong = probe.delivery_at(event, &payload, &[b"not-the-receivers-secret"], unix);
    let mut refusals = vec![(
        "signed with another secret",
        wrong.headers,
        good.body.clone(),
    )];
    refusals.extend(near_misses(&base, key, &good.body, &payload));
    let mut failures = Vec::new();
    for (name, headers, body) in refusals {
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
    // Several signatures in one header, as during a key rotation: one valid one is enough.
    if probe
        .spec
        .signing
        .schemes
        .iter()
        .any(|s| s.separator.is_some())
    {
        let rotated = probe.delivery_at(event, &payload, &[b"the-previous-secret", key], unix);
        let exchange = probe.send(&rotated.headers, &rotated.body);
        if !exchange.accepted() {
            failures.push(probe.failure(
                &CHECK.info,
                "a 2xx answer: one of the signatures in the header is valid (a key rotation)",
                &exchange,
                "variant: two signatures in one header, the second made with the secret",
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The variants derived from the valid delivery `base` (signed with `key`, carrying `body`):
/// missing, tampered, near-miss and malformed signatures, each of which must be refused.
fn near_misses<'a>(
    base: &'a Base<'_>,
    key: &[u8],
    body: &[u8],
    payload: &Value,
) -> Vec<Variant<'a>> {
    let probe = base.probe;
    let body = body.to_vec();
    let mut refusals: Vec<Variant<'a>> = vec![
        ("no signature header", base.with(|_, _| None), body.clone()),
        (
            "a tampered body with the original signature",
            base.headers.clone(),
            tamper(probe, payload),
        ),
        (
            "the signature's last character changed",
            base.with(|_, v| Some(change_last(v))),
            body.clone(),
        ),
        (
            "a truncated signature",
            base.with(|_, v| Some(v[..v.len() / 2].to_string())),
            body.clone(),
        ),
        (
            "an empty signature",
            base.with(|_, _| Some(String::new())),
            body.clone(),
        ),
        (
            "a header value without the scheme's shape (no separator, no prefix)",
            base.with(|_, _| Some("garbage".into())),
            body.clone(),
        ),
        (
            "a signature that does not decode in the scheme's encoding",
            base.with(|scheme, _| Some(base.value(scheme, &["%%not-encoded%%".into()]))),
            body.clone(),
        ),
        (
            "extra whitespace inside the signature",
            base.with(|scheme, _| {
                let mut signature = base.signature(scheme, key, None);
                signature.insert(signature.len() / 2, ' ');
                Some(base.value(scheme, &[signature]))
            }),
            body.clone(),
        ),
    ];
    if probe
        .spec
        .signing
        .schemes
        .iter()
        .any(|s| version(s).is_some())
    {
        refusals.push((
            "an unknown version prefix before the signature",
            base.with(|scheme, value| {
                let Some(prefix) = version(scheme) else {
                    return Some(value.to_string());
                };
                let signature = base.signature(scheme, key, None);
                let valid = base.value(scheme, std::slice::from_ref(&signature));
                Some(valid.replacen(
                    &format!("{prefix}{signature}"),
                    &format!("x{prefix}{signature}"),
                    1,
                ))
            }),
            body.clone(),
        ));
    }
    if probe.spec.signing.signs_id() {
        refusals.push((
            "a signature computed for another message id",
            base.with(|scheme, _| {
                let other = base.signature(scheme, key, Some("msg_another_message_id"));
                Some(base.value(scheme, &[other]))
            }),
            body,
        ));
    }
    refusals
}

/// A delivery that must be refused: its name, headers and body.
type Variant<'a> = (&'a str, Vec<(String, String)>, Vec<u8>);

/// A valid delivery, to derive the variants from.
struct Base<'p> {
    probe: &'p super::Session<'p>,
    headers: Vec<(String, String)>,
    text: String,
    envelope: crate::deliver::Envelope,
    stamp: String,
}

impl Base<'_> {
    /// The delivery's headers with each signature header's value changed by `change` (given
    /// the scheme and the valid value; `None` removes the header).
    fn with(&self, change: impl Fn(&Scheme, &str) -> Option<String>) -> Vec<(String, String)> {
        let schemes = &self.probe.spec.signing.schemes;
        self.headers
            .iter()
            .filter_map(|(name, value)| {
                match schemes.iter().find(|s| s.header.eq_ignore_ascii_case(name)) {
                    Some(scheme) => change(scheme, value).map(|v| (name.clone(), v)),
                    None => Some((name.clone(), value.clone())),
                }
            })
            .collect()
    }

    /// A header value of `scheme` holding `signatures`, at the delivery's timestamp.
    fn value(&self, scheme: &Scheme, signatures: &[String]) -> String {
        Signer::header_value(scheme, &self.stamp, signatures)
    }

    /// The encoded signature of the delivery under `scheme` with `key`, for the message id
    /// `id` (default: the delivery's own).
    fn signature(&self, scheme: &Scheme, key: &[u8], id: Option<&str>) -> String {
        let input = SignInput {
            text: &self.text,
            id: id.unwrap_or(self.envelope.event_id.as_deref().unwrap_or_default()),
            event: &self.envelope.event,
            timestamp: 0,
        };
        let content = Signer::content(scheme, &input, &self.stamp);
        Signer::signature(scheme, &content, key).unwrap_or_default()
    }
}

/// The literal that names the signature's version right before it (`v1,`, `sha256=`, `s2=`),
/// if the scheme writes one.
fn version(scheme: &Scheme) -> Option<String> {
    let template = if scheme.header_value.contains("{signatures}") {
        &scheme.item
    } else {
        &scheme.header_value
    };
    let before = template.split("{signature}").next()?;
    let literal = before.rsplit('}').next().unwrap_or(before);
    let literal = literal.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    literal
        .chars()
        .any(|c| c.is_ascii_alphanumeric())
        .then(|| literal.to_string())
}

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
        fn checks_freshness(&self) -> bool {
            false
        }

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

    /// Answers 500 to a signature header it cannot split (an uncaught parse error, as in a
    /// known bug of a reference library: a value without a comma).
    pub struct CrashesOnMalformedSignature;

    impl Quirk for CrashesOnMalformedSignature {
        fn first(&self, spec: &crate::spec::ProviderSpec, headers: &HeaderMap) -> Option<u16> {
            match Verifier::new(spec).presented(headers) {
                Err(crate::sign::Rejected::Malformed { .. }) => Some(500),
                _ => None,
            }
        }
    }

    /// Compares the expected signature with the first signature of a header only, so a
    /// rotated key's signature in second place is refused.
    pub struct FirstSignatureOnly;

    impl Quirk for FirstSignatureOnly {
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
            Some(presented.iter().all(|p| {
                let expected = verifier.expected(p, headers, signed, key);
                p.signatures
                    .first()
                    .is_some_and(|s| Verifier::matches(&expected, s))
            }))
        }
    }
}
