//! `uc-alxgsv`: `X-Uc-Signature: <hex HMAC-SHA256 of the payload text>` (the text before its
//! JSON-string wire encoding).

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "uc-alxgsv",
    summary: "uc.alxgsv: X-Uc-Signature: <hex HMAC-SHA256 of the payload text>",
    yaml: r#"
scheme: hmac
header: X-Uc-Signature
algorithm: sha256
encoding: hex
signedContent: "{body}"
headerValue: "{signature}"
key: {encoding: utf8}
"#,
};
