//! The receiving side of a signature scheme: what a receiver that follows the provider's
//! verification steps does with a delivery. Each step is its own method, so that a receiver
//! with one defect (a re-serialising verifier, a prefix comparison) replaces exactly one step
//! and keeps the others.

use std::fmt;

use super::Signer;
use crate::deliver::serialize;
use crate::spec::ProviderSpec;
use crate::spec::extensions::{BodyEncoding, Serialization, VerifiedOver};

/// Why a delivery's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// The body cannot be read back into the signed text (a JSON-string body that is not one).
    Unreadable(String),
    /// The signature header is missing.
    Missing(String),
    /// The header value does not have the scheme's shape.
    Malformed {
        /// The header.
        header: String,
        /// Its value.
        value: String,
    },
    /// The signature does not match the one computed with the key.
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
            Self::Unreadable(why) => write!(f, "the body cannot be read: {why}"),
            Self::Missing(header) => write!(f, "no `{header}` header"),
            Self::Malformed { header, value } => {
                write!(f, "`{header}: {value}` does not have the scheme's shape")
            }
            Self::Mismatch { header, value } => {
                write!(f, "`{header}: {value}` does not verify with the key")
            }
        }
    }
}

/// A signature as a delivery presents it: the header, its value, and the timestamp and
/// signature read out of that value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// The header name, as the scheme writes it.
    pub header: String,
    /// The whole header value.
    pub value: String,
    /// The timestamp the value carries (empty when the scheme has none).
    pub timestamp: String,
    /// The signature the value carries.
    pub signature: String,
}

/// Checks received deliveries of one provider, as its documentation tells receivers to.
#[derive(Debug, Clone)]
pub struct Verifier {
    signer: Signer,
    body_encoding: BodyEncoding,
    serialization: Serialization,
    verified_over: VerifiedOver,
}

impl Verifier {
    /// The verifier of `spec`'s deliveries: its signature scheme, its wire encoding, and what
    /// its docs tell receivers to verify over.
    #[must_use]
    pub fn new(spec: &ProviderSpec) -> Self {
        Self {
            signer: Signer::new(&spec.signature),
            body_encoding: spec.delivery.body_encoding,
            serialization: spec.delivery.serialization,
            verified_over: spec.signature.verified_over,
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
        match self.verified_over {
            VerifiedOver::Bytes => text.to_string(),
            VerifiedOver::Reserialised => serde_json::from_str::<serde_json::Value>(text)
                .map(|v| serialize::payload_text(&v, self.serialization))
                .unwrap_or_default(),
        }
    }

    /// Step 3: the signature the delivery presents, read with the scheme's header template.
    pub fn presented(&self, headers: &hyper::HeaderMap) -> Result<Presented, Rejected> {
        let header = self.signer.headers().next().unwrap_or_default().to_string();
        let value = headers
            .get(header.as_str())
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Rejected::Missing(header.clone()))?
            .to_string();
        match super::parse_header(self.signer.header_template(), &value) {
            Some((timestamp, signature)) => Ok(Presented {
                header,
                value,
                timestamp,
                signature,
            }),
            None => Err(Rejected::Malformed { header, value }),
        }
    }

    /// Step 4: the signature the provider would have sent for `signed` at the presented
    /// timestamp, with `key`.
    #[must_use]
    pub fn expected(&self, presented: &Presented, signed: &str, key: &[u8]) -> String {
        self.signer.digest(signed, key, &presented.timestamp)
    }

    /// Step 5: the comparison: whole values, in constant time.
    #[must_use]
    pub fn matches(expected: &str, presented: &str) -> bool {
        expected.len() == presented.len()
            && expected
                .bytes()
                .zip(presented.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Every step: whether the delivery (`headers`, `body` as received) carries a valid
    /// signature made with `key`. A provider that signs nothing accepts everything.
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

    /// Steps 3 to 5, over a `signed` text already worked out.
    pub fn check(
        &self,
        headers: &hyper::HeaderMap,
        signed: &str,
        key: &[u8],
    ) -> Result<(), Rejected> {
        let presented = self.presented(headers)?;
        if Self::matches(
            &self.expected(&presented, signed, key),
            &presented.signature,
        ) {
            Ok(())
        } else {
            Err(Rejected::Mismatch {
                header: presented.header,
                value: presented.value,
            })
        }
    }
}
