//! Signature schemes: signing a payload exactly as the provider does (`x-webhook-signature`).
//!
//! One scheme covers the three providers that sign: an HMAC over a template of the payload text
//! and a timestamp, encoded in hex or Base64, put in a header through another template:
//! HappyColis `x-happycolis-webhook-signature: base64(HMAC(clientSecret, body))`, Betterez
//! `x-btrz-signature: t=<t>,s2=hex(HMAC(key, "<t>.<body>"))`, uc.alxgsv
//! `X-Uc-Signature: hex(HMAC(signing_secret, text))`. swsh signs nothing.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

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
        let content = self.scheme.signed_content.as_deref().unwrap_or("{body}");
        let message = fill(content, &[("{timestamp}", &stamp), ("{body}", text)]);
        let digest = hmac_sha256(key, message.as_bytes());
        let signature = encode(&digest, self.scheme.encoding.unwrap_or(Encoding::Hex));
        let template = self.scheme.header_value.as_deref().unwrap_or("{signature}");
        Some(Signature {
            header: self.scheme.header.clone().unwrap_or_default(),
            value: fill(
                template,
                &[("{timestamp}", &stamp), ("{signature}", &signature)],
            ),
        })
    }
}

/// Replaces each placeholder once, left to right, without re-reading replaced text (a body may
/// itself contain `{timestamp}`).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    'scan: while !rest.is_empty() {
        for (name, value) in values {
            if let Some(after) = rest.strip_prefix(name) {
                out.push_str(value);
                rest = after;
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// HMAC-SHA256 of `message` under `key`.
#[must_use]
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// A digest in lowercase hex or standard padded Base64.
#[must_use]
pub fn encode(digest: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Hex => digest.iter().map(|b| format!("{b:02x}")).collect(),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(digest),
    }
}

/// The signature a header value should carry and the one it carries: the header's timestamp
/// and signature read with the spec's `headerValue` template, the HMAC recomputed over the
/// spec's `signedContent` with that timestamp and `text`. `None` when the value does not fit
/// the template.
#[must_use]
pub fn expected_and_presented(
    spec: &crate::spec::ProviderSpec,
    key: &[u8],
    header_value: &str,
    text: &str,
) -> Option<(String, String)> {
    let scheme = &spec.signature;
    let template = scheme.header_value.as_deref().unwrap_or("{signature}");
    let (timestamp, signature) = parse_header(template, header_value)?;
    let content = scheme
        .signed_content
        .as_deref()
        .unwrap_or("{body}")
        .replace("{timestamp}", &timestamp)
        .replacen("{body}", text, 1);
    let expected = encode(
        &hmac_sha256(key, content.as_bytes()),
        scheme.encoding.unwrap_or(Encoding::Hex),
    );
    Some((expected, signature))
}

/// Whether `header_value` is a valid signature of `text` with `key`, compared whole and in
/// constant time, as the providers' verification steps say.
#[must_use]
pub fn verify(
    spec: &crate::spec::ProviderSpec,
    key: &[u8],
    header_value: &str,
    text: &str,
) -> bool {
    expected_and_presented(spec, key, header_value, text).is_some_and(|(expected, presented)| {
        expected.len() == presented.len()
            && expected
                .bytes()
                .zip(presented.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

/// Reads `{timestamp}` and `{signature}` out of a header value shaped by `template`
/// (`t={timestamp},s2={signature}`).
#[must_use]
pub fn parse_header(template: &str, value: &str) -> Option<(String, String)> {
    let mut timestamp = String::new();
    let mut signature = None;
    let mut rest = value;
    let mut pattern = template;
    while !pattern.is_empty() {
        if let Some(after) = pattern.strip_prefix("{timestamp}") {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            timestamp = rest[..end].to_string();
            rest = &rest[end..];
            pattern = after;
        } else if let Some(after) = pattern.strip_prefix("{signature}") {
            // The signature runs to the next literal of the template, or to the end.
            let next = after.find('{').map_or(after, |i| &after[..i]);
            let end = if next.is_empty() {
                rest.len()
            } else {
                rest.find(next)?
            };
            signature = Some(rest[..end].to_string());
            rest = &rest[end..];
            pattern = after;
        } else {
            let c = pattern.chars().next()?;
            rest = rest.strip_prefix(c)?;
            pattern = &pattern[c.len_utf8()..];
        }
    }
    Some((timestamp, signature?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_test_case_2() {
        let digest = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            encode(&digest, Encoding::Hex),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            encode(&digest, Encoding::Base64),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }

    #[test]
    fn templates_fill_once() {
        assert_eq!(
            fill(
                "{timestamp}.{body}",
                &[("{timestamp}", "12"), ("{body}", "{timestamp}")]
            ),
            "12.{timestamp}"
        );
        assert_eq!(
            fill(
                "t={timestamp},s2={signature}",
                &[("{timestamp}", "1"), ("{signature}", "ab")]
            ),
            "t=1,s2=ab"
        );
    }

    #[test]
    fn header_templates_parse() {
        use super::parse_header;
        assert_eq!(
            parse_header("t={timestamp},s2={signature}", "t=17,s2=abc"),
            Some(("17".into(), "abc".into()))
        );
        assert_eq!(
            parse_header("{signature}", "K7g=="),
            Some((String::new(), "K7g==".into()))
        );
        assert_eq!(parse_header("t={timestamp},s2={signature}", "s2=abc"), None);
    }
}
