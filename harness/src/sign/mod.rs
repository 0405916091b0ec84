//! Signature schemes: signing a delivery exactly as the provider does, and checking a received
//! delivery's signature the same way.
//!
//! Start from [`Signer`] (built from a spec's resolved [`Signing`]) to sign, and [`Verifier`]
//! (built from the same, plus the spec's envelope and wire rules) to check. Nothing else in the
//! crate computes or compares a signature.
//!
//! - `template.rs`: the spec's templates (`t={timestamp},s2={signature}`), filled and read back;
//! - `digest.rs`: HMAC-SHA1/256/512, Ed25519, and the signature encodings;
//! - `verify.rs`: [`Verifier`], the receiving side, in small steps that a receiver's defect can
//!   replace one at a time;
//! - `check.rs`: [`verify`], every step at once from a secret's text, for a test's assertions.
//!
//! What a provider's scheme is (its header, algorithm, templates, key and timestamp) comes from
//! the spec, written out or as a named preset (`crate::spec::signing::presets`): HappyColis
//! `x-happycolis-webhook-signature: base64(HMAC(clientSecret, body))`, Betterez
//! `x-btrz-signature: t=<t>,s2=hex(HMAC(key, "<t>.<body>"))`, Standard Webhooks
//! `webhook-signature: v1,base64(HMAC(key, "<id>.<t>.<body>"))`, GitHub's two headers, and so
//! on. swsh signs nothing.

mod check;
mod digest;
mod template;
mod verify;

pub use check::verify;
pub use digest::{ed25519_public, encode, hmac_sha256};
pub use template::{fill, parse_header};
pub use verify::{Presented, Rejected, Verifier};

use crate::spec::signing::{Scheme, Signing};

/// A signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The header name, as the provider writes it.
    pub header: String,
    /// The header value.
    pub value: String,
}

/// What a signature covers besides the keys: the payload text and the envelope values the
/// templates may name.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    /// The payload text (before any wire encoding): `{body}`.
    pub text: &'a str,
    /// The event id: `{id}`.
    pub id: &'a str,
    /// The event name: `{event}`.
    pub event: &'a str,
    /// The timestamp, in the scheme's unit: `{timestamp}`.
    pub timestamp: u64,
}

/// Signs payloads with one provider's schemes.
#[derive(Debug, Clone)]
pub struct Signer {
    signing: Signing,
}

impl Signer {
    /// A signer for `signing` (a spec's resolved `x-webhook-signature`).
    #[must_use]
    pub fn new(signing: &Signing) -> Self {
        Self {
            signing: signing.clone(),
        }
    }

    /// What it signs with.
    #[must_use]
    pub fn signing(&self) -> &Signing {
        &self.signing
    }

    /// Whether deliveries carry a signature at all.
    #[must_use]
    pub fn signs(&self) -> bool {
        self.signing.signs()
    }

    /// The names of the headers that carry a signature, as the provider writes them.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.signing.schemes.iter().map(|s| s.header.as_str())
    }

    /// The timestamp to sign with at `unix` (seconds since the epoch, with a fraction), in the
    /// scheme's unit.
    #[must_use]
    pub fn timestamp(&self, unix: f64) -> u64 {
        self.signing.timestamp.at(unix)
    }

    /// The signed text of `scheme` for `input`, with `timestamp` as written in the header.
    #[must_use]
    pub fn content(scheme: &Scheme, input: &SignInput<'_>, timestamp: &str) -> String {
        fill(
            &scheme.signed_content,
            &[
                ("{timestamp}", timestamp),
                ("{id}", input.id),
                ("{event}", input.event),
                ("{body}", input.text),
            ],
        )
    }

    /// The encoded signature of `content` with `key` under `scheme` (`None`: the key cannot
    /// sign, an Ed25519 key of the wrong length).
    #[must_use]
    pub fn signature(scheme: &Scheme, content: &str, key: &[u8]) -> Option<String> {
        digest::sign(scheme.algorithm, key, content.as_bytes())
            .map(|raw| encode(&raw, scheme.encoding))
    }

    /// The signature headers for `input`, one per scheme, each signed with every key in
    /// `keys` (several: as during a key rotation, where the scheme allows several signatures
    /// in one header; otherwise the first key). Empty when the provider does not sign.
    #[must_use]
    pub fn sign(&self, input: &SignInput<'_>, keys: &[&[u8]]) -> Vec<Signature> {
        let stamp = input.timestamp.to_string();
        self.signing
            .schemes
            .iter()
            .map(|scheme| {
                let content = Self::content(scheme, input, &stamp);
                let signatures: Vec<String> = keys
                    .iter()
                    .map(|key| Self::signature(scheme, &content, key).unwrap_or_default())
                    .collect();
                Signature {
                    header: scheme.header.clone(),
                    value: Self::header_value(scheme, &stamp, &signatures),
                }
            })
            .collect()
    }

    /// A header value of `scheme` holding `signatures` (encoded) at `timestamp`.
    #[must_use]
    pub fn header_value(scheme: &Scheme, timestamp: &str, signatures: &[String]) -> String {
        match &scheme.separator {
            Some(separator) if scheme.header_value.contains("{signatures}") => {
                let items: Vec<String> = signatures
                    .iter()
                    .map(|s| fill(&scheme.item, &[("{signature}", s)]))
                    .collect();
                fill(
                    &scheme.header_value,
                    &[
                        ("{timestamp}", timestamp),
                        ("{signatures}", &items.join(separator)),
                    ],
                )
            }
            _ => fill(
                &scheme.header_value,
                &[
                    ("{timestamp}", timestamp),
                    ("{signature}", signatures.first().map_or("", String::as_str)),
                ],
            ),
        }
    }
}
