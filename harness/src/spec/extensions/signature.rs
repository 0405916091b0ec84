//! `x-webhook-signature`: signature schemes, keys, timestamps, convention headers.

use serde::{Deserialize, Serialize};

use super::Sources;

/// `x-webhook-signature`: how deliveries are signed. Either one scheme written flat, several
/// in `schemes`, a named `preset` (with any field overriding it), or `scheme: none`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignatureExt {
    /// A named signing convention (`standard-webhooks`, `github`...) giving every field a
    /// default; the fields written here override it.
    #[serde(default)]
    pub preset: Option<String>,
    /// `hmac`, `ed25519` or `none` (one scheme written flat).
    #[serde(default)]
    pub scheme: Option<SignatureKind>,
    /// Why there is no signature (scheme `none`).
    #[serde(default)]
    pub reason: Option<String>,
    /// Header name as the provider writes it (one scheme written flat).
    #[serde(default)]
    pub header: Option<String>,
    /// HMAC digest (one scheme written flat).
    #[serde(default)]
    pub algorithm: Option<Digest>,
    /// Signature encoding (one scheme written flat).
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Template of the signed text over `{id}`, `{timestamp}`, `{event}` and `{body}`.
    #[serde(default)]
    pub signed_content: Option<String>,
    /// Template of the header value over `{timestamp}` and `{signature}` (or `{signatures}`).
    #[serde(default)]
    pub header_value: Option<String>,
    /// Template of one signature where the header value holds several (`{signatures}`).
    #[serde(default)]
    pub item: Option<String>,
    /// What separates several signatures in one header.
    #[serde(default)]
    pub separator: Option<String>,
    /// Several schemes, each signing its own header (GitHub's sha256 and legacy sha1).
    #[serde(default)]
    pub schemes: Vec<SchemeExt>,
    /// The timestamp: its unit, the header it travels in, the replay tolerance.
    #[serde(default)]
    pub timestamp: Option<TimestampExt>,
    /// Where the key comes from and how its text decodes into key material.
    #[serde(default)]
    pub key: Option<KeyExt>,
    /// Headers the signing convention sends with every delivery (templates, as
    /// `x-delivery.headers`).
    #[serde(default)]
    pub headers: Vec<HeaderExt>,
    /// What the provider tells receivers to verify over: the bytes as received, or the parsed
    /// body re-serialised with the provider's serialiser.
    #[serde(default)]
    pub verified_over: Option<VerifiedOver>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}

/// One signature scheme of `x-webhook-signature.schemes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SchemeExt {
    /// `hmac` (default) or `ed25519`.
    #[serde(default)]
    pub scheme: Option<SignatureKind>,
    /// Header name as the provider writes it.
    #[serde(default)]
    pub header: Option<String>,
    /// HMAC digest.
    #[serde(default)]
    pub algorithm: Option<Digest>,
    /// Signature encoding.
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Template of the signed text.
    #[serde(default)]
    pub signed_content: Option<String>,
    /// Template of the header value.
    #[serde(default)]
    pub header_value: Option<String>,
    /// Template of one signature where the header holds several.
    #[serde(default)]
    pub item: Option<String>,
    /// What separates several signatures in one header.
    #[serde(default)]
    pub separator: Option<String>,
}

/// Signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureKind {
    /// An HMAC over the signed content.
    Hmac,
    /// An Ed25519 signature over the signed content (Standard Webhooks `v1a`).
    Ed25519,
    /// Deliveries carry no signature.
    None,
}

/// What receivers verify a signature over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifiedOver {
    /// The body bytes as received (the signed text, for a JSON-string body).
    #[default]
    Bytes,
    /// The parsed body, serialised again with the provider's serialiser (Betterez's
    /// instructions: `JSON.stringify(req.body)`).
    Reserialised,
}

/// HMAC digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Digest {
    /// HMAC-SHA1 (legacy schemes, GitHub's `X-Hub-Signature`).
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// Signature encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Lowercase hex.
    Hex,
    /// Standard, padded Base64.
    Base64,
    /// URL-safe Base64 without padding.
    Base64url,
}

/// `x-webhook-signature.timestamp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TimestampExt {
    /// Unit of the timestamp.
    #[serde(default)]
    pub unit: Option<TimeUnit>,
    /// The header the timestamp is sent in, where it is not in the signature header.
    #[serde(default)]
    pub header: Option<String>,
    /// How far from the receiver's clock, in seconds, a timestamp may be before the delivery
    /// counts as a replay.
    #[serde(default)]
    pub tolerance: Option<u64>,
    /// Whether the tolerance applies to timestamps in the future too (default true); false
    /// where the convention's libraries refuse old timestamps only (Stripe's).
    #[serde(default)]
    pub both_ways: Option<bool>,
}

/// Units of a signature timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeUnit {
    /// Unix seconds.
    #[default]
    Seconds,
    /// Unix milliseconds.
    Milliseconds,
}

/// `x-webhook-signature.key`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyExt {
    /// `credential` or `subscription`.
    #[serde(default)]
    pub from: Option<KeySource>,
    /// The credential's name (`from: credential`).
    #[serde(default)]
    pub name: Option<String>,
    /// Where the secret sits in the stored subscription (`from: subscription`).
    #[serde(default)]
    pub pointer: Option<String>,
    /// What the key is, in the provider's words.
    #[serde(default)]
    pub description: Option<String>,
    /// How the secret's text becomes key material: `utf8` (default), `base64` or `hex`.
    #[serde(default)]
    pub encoding: Option<KeyEncoding>,
    /// A prefix of the secret's text that is not key material (`whsec_`).
    #[serde(default)]
    pub prefix: Option<String>,
}

/// How a secret's text becomes key material.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyEncoding {
    /// The text's UTF-8 bytes, as written.
    #[default]
    Utf8,
    /// Standard Base64 (strict: padding and alphabet checked).
    Base64,
    /// Hex digits.
    Hex,
}

/// Where a signing key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    /// A credential of the account or application.
    Credential,
    /// A field of the subscription.
    Subscription,
}

/// A header a provider sends with every delivery: its name and a template of its value over
/// `{event}`, `{eventId}`, `{attemptId}`, `{timestamp}`, `{subscriptionId}` and `{uuid}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderExt {
    /// The header's name, as the provider writes it.
    pub name: String,
    /// The template of its value.
    pub value: String,
}
