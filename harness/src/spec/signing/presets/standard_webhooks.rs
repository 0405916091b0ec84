//! `standard-webhooks`: the Standard Webhooks specification's symmetric scheme (`v1`), which
//! many SaaS providers follow: `webhook-id`, `webhook-timestamp` and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
//! Base64 bytes of the secret after its `whsec_` prefix; several space-separated signatures
//! during key rotation; every reference library allows 5 minutes of clock difference, both
//! ways.

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "standard-webhooks",
    summary: "Standard Webhooks v1: webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>, whsec_ keys",
    yaml: r#"
scheme: hmac
header: webhook-signature
algorithm: sha256
encoding: base64
signedContent: "{id}.{timestamp}.{body}"
headerValue: "{signatures}"
item: "v1,{signature}"
separator: " "
timestamp: {unit: seconds, header: webhook-timestamp, tolerance: 300}
key: {encoding: base64, prefix: whsec_}
headers:
  - {name: webhook-id, value: "{eventId}"}
"#,
};
