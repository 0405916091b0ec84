//! Signature schemes: signing a delivery exactly as the provider does (`x-webhook-signature`),
//! and checking a received delivery's signature the same way.
//!
//! Start from [`Signer`] (built from a spec's scheme) to sign, and [`Verifier`] (built from the
//! same scheme and the spec's delivery rules) to check. Nothing else in the crate computes or
//! compares a signature.
//!
//! - `template.rs`: the spec's templates (`t={timestamp},s2={signature}`), filled and read back;
//! - `digest.rs`: HMAC-SHA256 and the digest encodings;
//! - `verify.rs`: [`Verifier`], the receiving side, in small steps that a receiver's defect can
//!   replace one at a time.
//!
//! One scheme covers the three providers that sign: an HMAC over a template of the payload text
//! and a timestamp, encoded in hex or Base64, put in a header through another template:
//! HappyColis `x-happycolis-webhook-signature: base64(HMAC(clientSecret, body))`, Betterez
//! `x-btrz-signature: t=<t>,s2=hex(HMAC(key, "<t>.<body>"))`, uc.alxgsv
//! `X-Uc-Signature: hex(HMAC(signing_secret, text))`. swsh signs nothing.

mod digest;
mod template;
mod verify;

pub use digest::{encode, hmac_sha256};
pub use template::parse_header;
pub use verify::{Presented, Rejected, Verifier};

use crate::spec::SignatureScheme;
use crate::spec::extensions::{Encoding, SignatureKind, TimeUnit};

/// A signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The header name, as the provider writes it.
    pub header: String,
    /// The header value.
    pub value: String,
}

/// Signs payloads with one provider's scheme.
#[derive(Debug, Clone)]
pub struct Signer {
    scheme: SignatureScheme,
}

impl Signer {
    /// A signer for `scheme` (a spec's `x-webhook-signature`, assumptions applied).
    #[must_use]
    pub fn new(scheme: &SignatureScheme) -> Self {
        Self {
            scheme: scheme.clone(),
        }
    }

    /// Whether deliveries carry a signature at all.
    #[must_use]
    pub fn signs(&self) -> bool {
        self.scheme.scheme == SignatureKind::Hmac
    }

    /// The names of the headers that carry a signature, as the provider writes them.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.scheme
            .header
            .as_deref()
            .filter(|_| self.signs())
            .into_iter()
    }

    /// The timestamp to sign with at `unix` (seconds since the epoch, with a fraction), in the
    /// scheme's unit.
    #[must_use]
    pub fn timestamp(&self, unix: f64) -> u64 {
        match self.scheme.timestamp.as_ref().map(|t| t.unit) {
            Some(TimeUnit::Milliseconds) => (unix * 1000.0) as u64,
            _ => unix as u64,
        }
    }

    /// The signature header for payload `text` (the payload text, before any wire encoding),
    /// signed with `key` at `timestamp`; `None` when the provider does not sign.
    #[must_use]
    pub fn sign(&self, text: &str, key: &[u8], timestamp: u64) -> Option<Signature> {
        if !self.signs() {
            return None;
        }
        let stamp = timestamp.to_string();
        let signature = self.digest(text, key, &stamp);
        let template = self.scheme.header_value.as_deref().unwrap_or("{signature}");
        Some(Signature {
            header: self.scheme.header.clone().unwrap_or_default(),
            value: template::fill(
                template,
                &[("{timestamp}", &stamp), ("{signature}", &signature)],
            ),
        })
    }

    /// The encoded digest of the signed content: `text` and `timestamp` (as written in the
    /// header) put into the scheme's `signedContent` template, HMAC'd with `key`.
    #[must_use]
    pub fn digest(&self, text: &str, key: &[u8], timestamp: &str) -> String {
        let content = self.scheme.signed_content.as_deref().unwrap_or("{body}");
        let message = template::fill(content, &[("{timestamp}", timestamp), ("{body}", text)]);
        encode(
            &hmac_sha256(key, message.as_bytes()),
            self.scheme.encoding.unwrap_or(Encoding::Hex),
        )
    }

    /// The scheme's `headerValue` template (`{signature}` when it has none).
    #[must_use]
    pub fn header_template(&self) -> &str {
        self.scheme.header_value.as_deref().unwrap_or("{signature}")
    }
}
