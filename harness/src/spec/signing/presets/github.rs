//! `github`: two signature headers over the raw body, keyed with the secret as UTF-8:
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>` and the legacy
//! `X-Hub-Signature: sha1=<hex HMAC-SHA1>`; the event in `X-GitHub-Event`, a GUID per
//! delivery in `X-GitHub-Delivery`, and a `GitHub-Hookshot/…` user agent.

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "github",
    summary: "GitHub: X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body> and legacy X-Hub-Signature: sha1=<hex HMAC-SHA1>, X-GitHub-Event, X-GitHub-Delivery",
    yaml: r#"
schemes:
  - {scheme: hmac, header: X-Hub-Signature-256, algorithm: sha256, encoding: hex, signedContent: "{body}", headerValue: "sha256={signature}"}
  - {scheme: hmac, header: X-Hub-Signature, algorithm: sha1, encoding: hex, signedContent: "{body}", headerValue: "sha1={signature}"}
key: {encoding: utf8}
headers:
  - {name: X-GitHub-Event, value: "{event}"}
  - {name: X-GitHub-Delivery, value: "{eventId}"}
  - {name: User-Agent, value: "GitHub-Hookshot/webhook-harness"}
"#,
};
