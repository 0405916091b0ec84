//! The receiving side of a signature scheme: what a receiver that follows the provider's
//! verification steps does with a delivery. Each step is its own method, so that a receiver
//! with one defect (a re-serialising verifier, a prefix comparison, no replay window) replaces
//! exactly one step and keeps the others.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{SignInput, Signer};
use crate::serialize;
use crate::spec::ProviderSpec;
use crate::spec::extensions::{BodyEncoding, Serialization, VerifiedOver};
use crate::spec::signing::Scheme;

/// Why a delivery's signature was not accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejected {
    /// The secret given to check with cannot be the provider's key (not Base64, say).
    Key(String),
    /// The body cannot be read back into the signed text (a JSON-string body that is not one).
    Unreadable(String),
    /// A header the scheme needs is missing.
    Missing(String),
    /// The header value does not have the scheme's shape.
    Malformed {
        /// The header.
        header: String,
        /// Its value.
        value: String,
    },
    /// The signed timestamp lies outside the convention's tolerance.
    Stale {
        /// The timestamp presented, in seconds since the epoch.
        at: f64,
        /// The tolerance, in seconds.
        tolerance: u64,
    },
    /// No signature in the header matches the one computed with the key.
    Mismatch {
        /// The header.
        header: String,
        /// Its value.
        value: String,
    },
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Key(why) => write!(f, "{why}"),
            Self::Unreadable(why) => write!(f, "the body cannot be read: {why}"),
            Self::Missing(header) => write!(f, "no `{header}` header"),
            Self::Malformed { header, value } => {
                write!(f, "`{header}: {value}` does not have the scheme's shape")
            }
            Self::Stale { at, tolerance } => write!(
                f,
                "the signed timestamp {at} is more than {tolerance} s away from now"
            ),
            Self::Mismatch { header, value } => {
                write!(f, "`{header}: {value}` does not verify with the key")
            }
        }
    }
}

impl std::error::Error for Rejected {}

/// A signature header as a delivery presents it: its value, the timestamp and the
/// signatures read out of it (a header may hold several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// Which scheme of the spec it belongs to.
    pub scheme: usize,
    /// The header name, as the scheme writes it.
    pub header: String,
    /// The whole header value.
    pub value: String,
    /// The timestamp signed (from the value, or from the timestamp header; empty without).
    pub timestamp: String,
    /// The signatures the value carries, as written.
    pub signatures: Vec<String>,
}

/// Checks received deliveries of one provider, as its documentation tells receivers to.
#[derive(Debug, Clone)]
pub struct Verifier {
    signer: Signer,
    body_encoding: BodyEncoding,
    serialization: Serialization,
    event_id: Option<String>,
    event_name: Option<String>,
}

impl Verifier {
    /// The verifier of `spec`'s deliveries: its signature schemes, its wire encoding, what its
    /// docs tell receivers to verify over, and where its envelope puts the id and the event.
    #[must_use]
    pub fn new(spec: &ProviderSpec) -> Self {
        Self {
            signer: Signer::new(&spec.signing),
            body_encoding: spec.delivery.body_encoding,
            serialization: spec.delivery.serialization,
            event_id: spec.envelope.event_id.clone(),
            event_name: spec.envelope.event_name.clone(),
        }
    }

    /// Whether the provider's deliveries carry a signature to check.
    #[must_use]
    pub fn signs(&self) -> bool {
        self.signer.signs()
    }

    /// Step 1: the payload text of a body as received (the body, or its decoding for a
    /// JSON-string body).
    pub fn text(&self, body: &[u8]) -> Result<String, Rejected> {
        serialize::read_body(body, self.body_encoding).map_err(Rejected::Unreadable)
    }

    /// Step 2: what the signature covers, given the payload text: the text itself, or, where
    /// the docs say so (Betterez), the parsed text serialised again with the provider's
    /// serialiser.
    #[must_use]
    pub fn signed_over(&self, text: &str) -> String {
        match self.signer.signing().verified_over {
            VerifiedOver::Bytes => text.to_string(),
            VerifiedOver::Reserialised => serde_json::from_str::<serde_json::Value>(text)
                .map(|v| serialize::payload_text(&v, self.serialization))
                .unwrap_or_default(),
        }
    }

    /// Step 3: the signatures the delivery presents, one header per scheme, read with the
    /// scheme's templates.
    pub fn presented(&self, headers: &hyper::HeaderMap) -> Result<Vec<Presented>, Rejected> {
        let signing = self.signer.signing();
        let mut out = Vec::with_capacity(signing.schemes.len());
        for (index, scheme) in signing.schemes.iter().enumerate() {
            let value = header(headers, &scheme.header)?;
            let malformed = || Rejected::Malformed {
                header: scheme.header.clone(),
                value: value.clone(),
            };
            let parsed =
                super::template::parse(&scheme.header_value, &value).ok_or_else(malformed)?;
            let signatures = split(scheme, &parsed.signatures);
            if signatures.is_empty() {
                return Err(malformed());
            }
            let timestamp = match &signing.timestamp.header {
                Some(name) if parsed.timestamp.is_empty() => {
                    let stamp = header(headers, name)?;
                    if stamp.is_empty() || !stamp.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(Rejected::Malformed {
                            header: name.clone(),
                            value: stamp,
                        });
                    }
                    stamp
                }
                _ => parsed.timestamp,
            };
            out.push(Presented {
                scheme: index,
                header: scheme.header.clone(),
                value,
                timestamp,
                signatures,
            });
        }
        Ok(out)
    }

    /// Step 4: the timestamp is within the convention's replay tolerance of `now` (Unix
    /// seconds): not older, and (where the convention says so) not newer; a convention
    /// without a tolerance accepts any time.
    pub fn fresh(&self, presented: &Presented, now: f64) -> Result<(), Rejected> {
        let timing = &self.signer.signing().timestamp;
        let (Some(tolerance), Ok(stamp)) = (timing.tolerance, presented.timestamp.parse::<u64>())
        else {
            return Ok(());
        };
        let at = timing.seconds(stamp);
        let too_old = now - at > tolerance as f64;
        let too_new = timing.both_ways && at - now > tolerance as f64;
        if too_old || too_new {
            return Err(Rejected::Stale { at, tolerance });
        }
        Ok(())
    }

    /// Step 5: the signature the provider would have sent for `signed` with `key`, at the
    /// presented timestamp, with the envelope's id and event as the delivery carries them.
    #[must_use]
    pub fn expected(
        &self,
        presented: &Presented,
        headers: &hyper::HeaderMap,
        signed: &str,
        key: &[u8],
    ) -> String {
        let Some(scheme) = self.signer.signing().schemes.get(presented.scheme) else {
            return String::new();
        };
        // Read only what the template names: reading a payload pointer parses the text.
        let named = |placeholder: &str, source: Option<&str>| {
            if scheme.signed_content.contains(placeholder) {
                self.envelope(source, headers, signed)
            } else {
                String::new()
            }
        };
        let id = named("{id}", self.event_id.as_deref());
        let event = named("{event}", self.event_name.as_deref());
        let input = SignInput {
            text: signed,
            id: &id,
            event: &event,
            timestamp: 0,
        };
        let content = Signer::content(scheme, &input, &presented.timestamp);
        Signer::signature(scheme, &content, key).unwrap_or_default()
    }

    /// An envelope value: from a header (`header:<Name>`) or from the payload (a pointer).
    fn envelope(&self, source: Option<&str>, headers: &hyper::HeaderMap, text: &str) -> String {
        match source {
            Some(source) => match source.strip_prefix("header:") {
                Some(name) => header(headers, name).unwrap_or_default(),
                None => serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|v| crate::spec::pointer::get(&v, source).cloned())
                    .map(|v| match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .unwrap_or_default(),
            },
            None => String::new(),
        }
    }

    /// Step 6: the comparison: whole values, in constant time.
    #[must_use]
    pub fn matches(expected: &str, presented: &str) -> bool {
        expected.len() == presented.len()
            && expected
                .bytes()
                .zip(presented.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Every step: whether the delivery (`headers`, `body` as received) carries a valid, fresh
    /// signature made with `key` in every header its schemes name. A provider that signs
    /// nothing accepts everything.
    pub fn verify(
        &self,
        headers: &hyper::HeaderMap,
        body: &[u8],
        key: &[u8],
    ) -> Result<(), Rejected> {
        if !self.signs() {
            return Ok(());
        }
        let signed = self.signed_over(&self.text(body)?);
        self.check(headers, &signed, key)
    }

    /// Steps 3 to 6, over a `signed` text already worked out: each scheme's header holds a
    /// fresh timestamp and at least one signature that matches (several: a key rotation).
    pub fn check(
        &self,
        headers: &hyper::HeaderMap,
        signed: &str,
        key: &[u8],
    ) -> Result<(), Rejected> {
        self.check_fresh(headers)?;
        self.check_signatures(headers, signed, key)
    }

    /// Steps 3 and 4: every presented timestamp is within the tolerance of the clock.
    pub fn check_fresh(&self, headers: &hyper::HeaderMap) -> Result<(), Rejected> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        for presented in self.presented(headers)? {
            self.fresh(&presented, now)?;
        }
        Ok(())
    }

    /// Steps 3, 5 and 6: each scheme's header holds at least one signature that matches.
    pub fn check_signatures(
        &self,
        headers: &hyper::HeaderMap,
        signed: &str,
        key: &[u8],
    ) -> Result<(), Rejected> {
        for presented in self.presented(headers)? {
            let expected = self.expected(&presented, headers, signed, key);
            if !presented
                .signatures
                .iter()
                .any(|s| Self::matches(&expected, s))
            {
                return Err(Rejected::Mismatch {
                    header: presented.header,
                    value: presented.value,
                });
            }
        }
        Ok(())
    }
}

/// A header's value as text (a missing or non-text header is missing).
fn header(headers: &hyper::HeaderMap, name: &str) -> Result<String, Rejected> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| Rejected::Missing(name.to_string()))
}

/// The signatures a header's signature part holds: one, or the items its separator splits
/// it into that fit the item template (other items, another version's, are not ours).
fn split(scheme: &Scheme, part: &str) -> Vec<String> {
    let Some(separator) = scheme
        .separator
        .as_deref()
        .filter(|_| scheme.header_value.contains("{signatures}"))
    else {
        return vec![part.to_string()];
    };
    let (before, after) = scheme.item.split_once("{signature}").unwrap_or(("", ""));
    part.split(separator)
        .filter_map(|item| item.strip_prefix(before)?.strip_suffix(after))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
