//! `standard-webhooks-v1a`: the Standard Webhooks specification's asymmetric scheme:
//! `webhook-signature: v1a,<base64 Ed25519 signature of "{id}.{timestamp}.{body}">`, signed
//! with the `whsk_` secret key (Base64 after the prefix); receivers verify with the matching
//! `whpk_` public key.

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "standard-webhooks-v1a",
    summary: "Standard Webhooks v1a: webhook-signature: v1a,<base64 Ed25519 signature of {id}.{timestamp}.{body}>, whsk_ keys",
    yaml: r#"
scheme: ed25519
header: webhook-signature
encoding: base64
signedContent: "{id}.{timestamp}.{body}"
headerValue: "{signatures}"
item: "v1a,{signature}"
separator: " "
timestamp: {unit: seconds, header: webhook-timestamp, tolerance: 300}
key: {encoding: base64, prefix: whsk_}
headers:
  - {name: webhook-id, value: "{eventId}"}
"#,
};
