//! `betterez`: `x-btrz-signature: t=<t>,s2=<digest of HMAC-SHA256 of "{t}.{body}">`, verified
//! over `JSON.stringify` of the parsed body, as Betterez's docs tell receivers. The digest's
//! encoding and the timestamp's unit are undocumented: a spec states them as assumptions.

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "betterez",
    summary: "Betterez: x-btrz-signature: t=<t>,s2=<HMAC-SHA256 of {t}.{body}>, verified over JSON.stringify of the parsed body",
    yaml: r#"
scheme: hmac
header: x-btrz-signature
algorithm: sha256
encoding: hex
signedContent: "{timestamp}.{body}"
headerValue: "t={timestamp},s2={signature}"
timestamp: {unit: seconds}
verifiedOver: reserialised
key: {encoding: utf8}
"#,
};
