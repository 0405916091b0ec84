//! `x-webhook-signature` resolved: a named preset applied, the fields the spec writes laid
//! over it, every scheme complete and checked. Later steps (signing, verifying, the checks)
//! read [`Signing`], never the raw extension.
//!
//! Errors name the file, the JSON Pointer of the field at fault and the values allowed.

pub mod presets;

use std::path::Path;

use super::error::{SpecError, SpecErrorKind};
use super::extensions::{
    Digest, Encoding, HeaderExt, KeyEncoding, KeyExt, KeySource, SchemeExt, SignatureExt,
    SignatureKind, TimeUnit, TimestampExt, VerifiedOver,
};
use super::pointer;

/// How a provider signs its deliveries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signing {
    /// The schemes, each signing its own header (none: deliveries are unsigned).
    pub schemes: Vec<Scheme>,
    /// Where the key comes from and how its text decodes (`None`: unsigned).
    pub key: Option<Key>,
    /// The timestamp's unit, header and replay tolerance.
    pub timestamp: Timestamp,
    /// Headers the signing convention sends with every delivery.
    pub headers: Vec<HeaderExt>,
    /// What receivers verify over.
    pub verified_over: VerifiedOver,
    /// Why deliveries are unsigned (`scheme: none`).
    pub reason: Option<String>,
    /// The preset it started from.
    pub preset: Option<String>,
}

impl Signing {
    /// Whether deliveries carry a signature.
    #[must_use]
    pub fn signs(&self) -> bool {
        !self.schemes.is_empty()
    }

    /// Makes deliveries unsigned, for `reason`: no signature headers, no key.
    pub fn unsign(&mut self, reason: &str) {
        self.schemes.clear();
        self.key = None;
        self.reason = Some(reason.to_string());
    }

    /// Whether a signed template uses `{timestamp}` (a replay window can be checked).
    #[must_use]
    pub fn signs_timestamp(&self) -> bool {
        self.schemes
            .iter()
            .any(|s| s.signed_content.contains("{timestamp}"))
    }

    /// Whether a signed template uses `{id}`.
    #[must_use]
    pub fn signs_id(&self) -> bool {
        self.schemes
            .iter()
            .any(|s| s.signed_content.contains("{id}"))
    }
}

/// What computes a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// An HMAC with this digest.
    Hmac(Digest),
    /// Ed25519.
    Ed25519,
}

/// One signature scheme: one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    /// What computes the signature.
    pub algorithm: Algorithm,
    /// The header, as the provider writes it.
    pub header: String,
    /// How the signature is written.
    pub encoding: Encoding,
    /// The signed text: a template over `{id}`, `{timestamp}`, `{event}` and `{body}`.
    pub signed_content: String,
    /// The header value: a template over `{timestamp}` and `{signature}` (or `{signatures}`).
    pub header_value: String,
    /// One signature where the value holds several (`{signature}` otherwise).
    pub item: String,
    /// What separates several signatures (`None`: the header holds one).
    pub separator: Option<String>,
}

/// Where a signing key comes from, and how its text becomes key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// A credential or a field of the subscription.
    pub from: KeySource,
    /// The credential's name.
    pub name: Option<String>,
    /// Where the secret sits in the subscription.
    pub pointer: Option<String>,
    /// How the text decodes.
    pub encoding: KeyEncoding,
    /// A prefix that is not key material.
    pub prefix: Option<String>,
    /// What it is, in the provider's words.
    pub description: Option<String>,
}

impl Key {
    /// The key material of a secret's text: the prefix stripped (where the text has it) and
    /// the rest decoded strictly. An empty key is refused: lenient decoders that turn a wrong
    /// secret into an empty or truncated key are a known pitfall.
    pub fn decode(&self, secret: &str) -> Result<Vec<u8>, String> {
        use base64::Engine as _;
        let text = self
            .prefix
            .as_deref()
            .and_then(|p| secret.strip_prefix(p))
            .unwrap_or(secret);
        let bytes = match self.encoding {
            KeyEncoding::Utf8 => text.as_bytes().to_vec(),
            KeyEncoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| format!("is not Base64 ({e})"))?,
            KeyEncoding::Hex => decode_hex(text)?,
        };
        if bytes.is_empty() {
            return Err("holds no key material".into());
        }
        Ok(bytes)
    }

    /// A secret whose key material is the bytes of `text`, written in this key's format
    /// (prefix and encoding): what a test gives a provider and its receiver.
    #[must_use]
    pub fn encode_secret(&self, text: &str) -> String {
        use base64::Engine as _;
        let body = match self.encoding {
            KeyEncoding::Utf8 => text.to_string(),
            KeyEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(text),
            KeyEncoding::Hex => text.bytes().map(|b| format!("{b:02x}")).collect(),
        };
        format!("{}{body}", self.prefix.as_deref().unwrap_or(""))
    }

    /// The key's expected shape, for messages: `base64 after the prefix whsec_`.
    #[must_use]
    pub fn shape(&self) -> String {
        let encoding = match self.encoding {
            KeyEncoding::Utf8 => "text (its UTF-8 bytes)",
            KeyEncoding::Base64 => "Base64",
            KeyEncoding::Hex => "hex",
        };
        match &self.prefix {
            Some(prefix) => format!("{encoding} after the prefix `{prefix}`"),
            None => encoding.to_string(),
        }
    }
}

fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err("is not hex (an odd number of digits)".into());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("is not hex (`{}` at {i})", &text[i..]))
        })
        .collect()
}

/// The signature timestamp: unit, header, tolerance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timestamp {
    /// Its unit (seconds by default).
    pub unit: TimeUnit,
    /// The header it is sent in, where not in the signature header.
    pub header: Option<String>,
    /// The replay tolerance, in seconds, where the convention documents one.
    pub tolerance: Option<u64>,
    /// Whether the tolerance also bounds timestamps in the future.
    pub both_ways: bool,
}

impl Timestamp {
    /// The timestamp at `unix` seconds, in its unit.
    #[must_use]
    pub fn at(&self, unix: f64) -> u64 {
        match self.unit {
            TimeUnit::Milliseconds => (unix * 1000.0) as u64,
            TimeUnit::Seconds => unix as u64,
        }
    }

    /// Seconds since the epoch of a timestamp in its unit.
    #[must_use]
    pub fn seconds(&self, stamp: u64) -> f64 {
        match self.unit {
            TimeUnit::Milliseconds => stamp as f64 / 1000.0,
            TimeUnit::Seconds => stamp as f64,
        }
    }
}

const AT: &str = "/x-webhook-signature";

/// Placeholders each template may use.
const SIGNED: &[&str] = &["{id}", "{timestamp}", "{event}", "{body}"];
const HEADER_VALUE: &[&str] = &["{timestamp}", "{signature}", "{signatures}"];
const ITEM: &[&str] = &["{signature}"];
/// Placeholders of delivery header templates.
pub const HEADER_PLACEHOLDERS: &[&str] = &[
    "{event}",
    "{eventId}",
    "{attemptId}",
    "{timestamp}",
    "{subscriptionId}",
    "{uuid}",
];

/// Resolves the extension: its preset applied and every field checked. Errors go to `errors`.
pub fn resolve(file: &Path, ext: &SignatureExt, errors: &mut Vec<SpecError>) -> Signing {
    let merged = match &ext.preset {
        Some(name) => match presets::find(name) {
            Some(preset) => over(preset_ext(preset), ext, file, errors),
            None => {
                errors.push(error(
                    file,
                    format!("{AT}/preset"),
                    format!(
                        "unknown preset `{name}`; presets: {}",
                        presets::PRESETS
                            .iter()
                            .map(|p| p.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                ext.clone()
            }
        },
        None => ext.clone(),
    };
    let mut signing = Signing {
        verified_over: merged.verified_over.unwrap_or_default(),
        reason: merged.reason.clone(),
        preset: ext.preset.clone(),
        headers: merged.headers.clone(),
        ..Signing::default()
    };
    check_headers(file, &format!("{AT}/headers"), &signing.headers, errors);
    if merged.scheme == Some(SignatureKind::None) {
        if signing.reason.is_none() {
            errors.push(error(
                file,
                AT.into(),
                "`scheme: none` needs a `reason`".into(),
            ));
        }
        return signing;
    }
    let flat = flat(&merged);
    let schemes: Vec<(String, SchemeExt)> = if merged.schemes.is_empty() {
        vec![(AT.to_string(), flat)]
    } else {
        merged
            .schemes
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("{AT}/schemes/{i}"), s.clone()))
            .collect()
    };
    for (at, scheme) in &schemes {
        if let Some(scheme) = build_scheme(file, at, scheme, errors) {
            signing.schemes.push(scheme);
        }
    }
    signing.timestamp = timestamp(file, &merged, &signing.schemes, errors);
    signing.key = key(file, merged.key.as_ref(), &signing.schemes, errors);
    signing
}

/// A preset's fields (presets are checked by the tests: parsing them cannot fail).
fn preset_ext(preset: &presets::Preset) -> SignatureExt {
    let value = serde_yaml_ng::from_str::<serde_json::Value>(preset.yaml).unwrap_or_default();
    serde_json::from_value(value).unwrap_or_default()
}

/// `ext`'s fields laid over `base`'s.
fn over(
    base: SignatureExt,
    ext: &SignatureExt,
    file: &Path,
    errors: &mut Vec<SpecError>,
) -> SignatureExt {
    let writes_flat = ext.scheme.is_some()
        || ext.header.is_some()
        || ext.algorithm.is_some()
        || ext.encoding.is_some()
        || ext.signed_content.is_some()
        || ext.header_value.is_some()
        || ext.item.is_some()
        || ext.separator.is_some();
    if writes_flat && !base.schemes.is_empty() && ext.schemes.is_empty() {
        errors.push(error(
            file,
            AT.into(),
            "the preset has several schemes: override them in `schemes`, not with fields of one scheme".into(),
        ));
    }
    let mut headers = base.headers.clone();
    for header in &ext.headers {
        headers.retain(|h| !h.name.eq_ignore_ascii_case(&header.name));
        headers.push(header.clone());
    }
    SignatureExt {
        preset: ext.preset.clone(),
        scheme: ext.scheme.or(base.scheme),
        reason: ext.reason.clone().or(base.reason),
        header: ext.header.clone().or(base.header),
        algorithm: ext.algorithm.or(base.algorithm),
        encoding: ext.encoding.or(base.encoding),
        signed_content: ext.signed_content.clone().or(base.signed_content),
        header_value: ext.header_value.clone().or(base.header_value),
        item: ext.item.clone().or(base.item),
        separator: ext.separator.clone().or(base.separator),
        schemes: if ext.schemes.is_empty() {
            base.schemes
        } else {
            ext.schemes.clone()
        },
        timestamp: match (base.timestamp, &ext.timestamp) {
            (Some(b), Some(e)) => Some(TimestampExt {
                unit: e.unit.or(b.unit),
                header: e.header.clone().or(b.header),
                tolerance: e.tolerance.or(b.tolerance),
                both_ways: e.both_ways.or(b.both_ways),
            }),
            (b, e) => e.clone().or(b),
        },
        key: match (base.key, &ext.key) {
            (Some(b), Some(e)) => Some(KeyExt {
                from: e.from.or(b.from),
                name: e.name.clone().or(b.name),
                pointer: e.pointer.clone().or(b.pointer),
                description: e.description.clone().or(b.description),
                encoding: e.encoding.or(b.encoding),
                prefix: e.prefix.clone().or(b.prefix),
            }),
            (b, e) => e.clone().or(b),
        },
        headers,
        verified_over: ext.verified_over.or(base.verified_over),
        source: ext.source.clone(),
    }
}

/// The scheme written flat in the extension.
fn flat(ext: &SignatureExt) -> SchemeExt {
    SchemeExt {
        scheme: ext.scheme,
        header: ext.header.clone(),
        algorithm: ext.algorithm,
        encoding: ext.encoding,
        signed_content: ext.signed_content.clone(),
        header_value: ext.header_value.clone(),
        item: ext.item.clone(),
        separator: ext.separator.clone(),
    }
}

fn build_scheme(
    file: &Path,
    at: &str,
    ext: &SchemeExt,
    errors: &mut Vec<SpecError>,
) -> Option<Scheme> {
    let kind = ext.scheme.unwrap_or(SignatureKind::Hmac);
    let algorithm = match (kind, ext.algorithm) {
        (SignatureKind::Hmac, Some(digest)) => Some(Algorithm::Hmac(digest)),
        (SignatureKind::Ed25519, None) => Some(Algorithm::Ed25519),
        (SignatureKind::Hmac, None) => {
            errors.push(error(
                file,
                format!("{at}/algorithm"),
                "an `hmac` scheme needs an `algorithm`: sha1, sha256 or sha512".into(),
            ));
            None
        }
        (SignatureKind::Ed25519, Some(_)) => {
            errors.push(error(
                file,
                format!("{at}/algorithm"),
                "an `ed25519` scheme takes no `algorithm`".into(),
            ));
            None
        }
        (SignatureKind::None, _) => {
            errors.push(error(
                file,
                format!("{at}/scheme"),
                "`none` cannot be one of several schemes; allowed: hmac, ed25519".into(),
            ));
            None
        }
    };
    let mut missing = Vec::new();
    for (name, absent) in [
        ("header", ext.header.is_none()),
        ("encoding", ext.encoding.is_none()),
        ("signedContent", ext.signed_content.is_none()),
        ("headerValue", ext.header_value.is_none()),
    ] {
        if absent {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        errors.push(error(
            file,
            at.to_string(),
            format!("a signature scheme needs {}", missing.join(", ")),
        ));
        return None;
    }
    let scheme = Scheme {
        algorithm: algorithm?,
        header: ext.header.clone()?,
        encoding: ext.encoding?,
        signed_content: ext.signed_content.clone()?,
        header_value: ext.header_value.clone()?,
        item: ext.item.clone().unwrap_or_else(|| "{signature}".into()),
        separator: ext.separator.clone(),
    };
    check_templates(file, at, &scheme, errors);
    Some(scheme)
}

fn check_templates(file: &Path, at: &str, scheme: &Scheme, errors: &mut Vec<SpecError>) {
    for (field, template, allowed) in [
        ("signedContent", &scheme.signed_content, SIGNED),
        ("headerValue", &scheme.header_value, HEADER_VALUE),
        ("item", &scheme.item, ITEM),
    ] {
        if let Some(bad) = placeholders(template)
            .into_iter()
            .find(|p| !allowed.contains(&p.as_str()))
        {
            errors.push(error(
                file,
                format!("{at}/{field}"),
                format!(
                    "unknown placeholder `{bad}`; allowed: {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    if !scheme.signed_content.contains("{body}") {
        errors.push(error(
            file,
            format!("{at}/signedContent"),
            "the signed content must include `{body}`".into(),
        ));
    }
    let several = scheme.header_value.contains("{signatures}");
    if !several && !scheme.header_value.contains("{signature}") {
        errors.push(error(
            file,
            format!("{at}/headerValue"),
            "the header value must include `{signature}` or `{signatures}`".into(),
        ));
    }
    if several && (scheme.separator.is_none() || !scheme.item.contains("{signature}")) {
        errors.push(error(
            file,
            format!("{at}/headerValue"),
            "`{signatures}` needs a `separator` and an `item` with `{signature}`".into(),
        ));
    }
}

fn timestamp(
    file: &Path,
    ext: &SignatureExt,
    schemes: &[Scheme],
    errors: &mut Vec<SpecError>,
) -> Timestamp {
    let declared = ext.timestamp.clone().unwrap_or_default();
    let uses_time = schemes.iter().any(|s| {
        s.signed_content.contains("{timestamp}") || s.header_value.contains("{timestamp}")
    }) || declared.header.is_some();
    if uses_time && declared.unit.is_none() {
        errors.push(error(
            file,
            format!("{AT}/timestamp"),
            "the templates use `{timestamp}`, so `timestamp.unit` is required (seconds or milliseconds)"
                .into(),
        ));
    }
    if let Some(header) = &declared.header
        && hyper::header::HeaderName::from_bytes(header.as_bytes()).is_err()
    {
        errors.push(error(
            file,
            format!("{AT}/timestamp/header"),
            format!("`{header}` is not a valid header name"),
        ));
    }
    Timestamp {
        unit: declared.unit.unwrap_or_default(),
        header: declared.header,
        tolerance: declared.tolerance,
        both_ways: declared.both_ways.unwrap_or(true),
    }
}

fn key(
    file: &Path,
    ext: Option<&KeyExt>,
    schemes: &[Scheme],
    errors: &mut Vec<SpecError>,
) -> Option<Key> {
    if schemes.is_empty() {
        return None;
    }
    let at = format!("{AT}/key");
    let Some(ext) = ext else {
        errors.push(error(
            file,
            AT.into(),
            "a signed delivery needs a `key`".into(),
        ));
        return None;
    };
    let from = match ext.from {
        Some(from) => from,
        None => {
            errors.push(error(
                file,
                at.clone(),
                "`key` needs `from`: credential or subscription".into(),
            ));
            return None;
        }
    };
    match from {
        KeySource::Credential if ext.name.is_none() => {
            errors.push(error(file, at, "`from: credential` needs `name`".into()));
        }
        KeySource::Subscription if ext.pointer.as_deref().is_none_or(|p| !pointer::is_valid(p)) => {
            errors.push(error(
                file,
                at,
                "`from: subscription` needs a JSON Pointer in `pointer`".into(),
            ));
        }
        _ => {}
    }
    Some(Key {
        from,
        name: ext.name.clone(),
        pointer: ext.pointer.clone(),
        encoding: ext.encoding.unwrap_or_default(),
        prefix: ext.prefix.clone(),
        description: ext.description.clone(),
    })
}

/// Checks header templates: valid names, known placeholders.
pub fn check_headers(file: &Path, at: &str, headers: &[HeaderExt], errors: &mut Vec<SpecError>) {
    for (i, header) in headers.iter().enumerate() {
        if hyper::header::HeaderName::from_bytes(header.name.as_bytes()).is_err() {
            errors.push(error(
                file,
                format!("{at}/{i}/name"),
                format!("`{}` is not a valid header name", header.name),
            ));
        }
        if let Some(bad) = placeholders(&header.value)
            .into_iter()
            .find(|p| !HEADER_PLACEHOLDERS.contains(&p.as_str()))
        {
            errors.push(error(
                file,
                format!("{at}/{i}/value"),
                format!(
                    "unknown placeholder `{bad}`; allowed: {}",
                    HEADER_PLACEHOLDERS.join(", ")
                ),
            ));
        }
    }
}

/// The `{...}` placeholders of a template.
#[must_use]
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start..start + len + 1].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

fn error(file: &Path, at: String, message: String) -> SpecError {
    SpecError::new(file, at, SpecErrorKind::Invalid(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_resolves_alone() {
        for preset in presets::PRESETS {
            let value: serde_json::Value = serde_yaml_ng::from_str(preset.yaml).unwrap();
            let parsed: SignatureExt =
                serde_json::from_value(value).unwrap_or_else(|e| panic!("{}: {e}", preset.name));
            let mut errors = Vec::new();
            let ext = SignatureExt {
                preset: Some(preset.name.into()),
                key: Some(KeyExt {
                    from: Some(KeySource::Credential),
                    name: Some("secret".into()),
                    ..KeyExt::default()
                }),
                ..SignatureExt::default()
            };
            let signing = resolve(Path::new("x.yaml"), &ext, &mut errors);
            assert!(errors.is_empty(), "{}: {errors:?}", preset.name);
            assert!(signing.signs(), "{}", preset.name);
            assert_ne!(parsed, SignatureExt::default());
        }
    }

    #[test]
    fn keys_decode_strictly() {
        let key = Key {
            from: KeySource::Credential,
            name: None,
            pointer: None,
            encoding: KeyEncoding::Base64,
            prefix: Some("whsec_".into()),
            description: None,
        };
        assert_eq!(key.decode("whsec_AAEC").unwrap(), vec![0, 1, 2]);
        assert_eq!(
            key.decode("AAEC").unwrap(),
            vec![0, 1, 2],
            "the prefix is optional"
        );
        assert!(key.decode("whsec_AAE").is_err(), "truncated Base64");
        assert!(key.decode("whsec_").is_err(), "empty");
        assert!(key.decode("whsec_not base64!").is_err());
    }
}
