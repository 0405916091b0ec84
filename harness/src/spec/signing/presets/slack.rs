//! `slack`: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">` with the
//! signing secret as UTF-8, the timestamp in `X-Slack-Request-Timestamp`; receivers refuse
//! timestamps more than 5 minutes away.

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "slack",
    summary: "Slack: X-Slack-Signature: v0=<hex HMAC-SHA256 of v0:{timestamp}:{body}>, X-Slack-Request-Timestamp",
    yaml: r#"
scheme: hmac
header: X-Slack-Signature
algorithm: sha256
encoding: hex
signedContent: "v0:{timestamp}:{body}"
headerValue: "v0={signature}"
timestamp: {unit: seconds, header: X-Slack-Request-Timestamp, tolerance: 300}
key: {encoding: utf8}
"#,
};
