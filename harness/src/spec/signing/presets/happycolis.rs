//! `happycolis`: `x-happycolis-webhook-signature: <base64 HMAC-SHA256 of the body>`.

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "happycolis",
    summary: "HappyColis: x-happycolis-webhook-signature: <base64 HMAC-SHA256 of the body>",
    yaml: r#"
scheme: hmac
header: x-happycolis-webhook-signature
algorithm: sha256
encoding: base64
signedContent: "{body}"
headerValue: "{signature}"
key: {encoding: utf8}
"#,
};
