//! `stripe`: `Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of "{t}.{body}">`, keyed with
//! the whole secret string as UTF-8 (`whsec_` included, not decoded); several `v1` entries
//! while a secret rolls; a tolerance of 300 seconds for old timestamps (stripe-python's
//! `DEFAULT_TOLERANCE`; its check looks at the past only).

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "stripe",
    summary: "Stripe: Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of {t}.{body}>, keyed with the whole secret string",
    yaml: r#"
scheme: hmac
header: Stripe-Signature
algorithm: sha256
encoding: hex
signedContent: "{timestamp}.{body}"
headerValue: "t={timestamp},{signatures}"
item: "v1={signature}"
separator: ","
timestamp: {unit: seconds, tolerance: 300, bothWays: false}
key: {encoding: utf8}
"#,
};
