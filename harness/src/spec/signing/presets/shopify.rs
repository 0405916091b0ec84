//! `shopify`: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>` keyed with the app
//! secret as UTF-8, with the headers Shopify's own validator requires: the topic, the shop's
//! domain, the API version and the webhook id.

use super::Preset;

/// The preset.
pub const PRESET: Preset = Preset {
    name: "shopify",
    summary: "Shopify: X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>, X-Shopify-Topic, -Shop-Domain, -API-Version, -Webhook-Id",
    yaml: r#"
scheme: hmac
header: X-Shopify-Hmac-Sha256
algorithm: sha256
encoding: base64
signedContent: "{body}"
headerValue: "{signature}"
key: {encoding: utf8}
headers:
  - {name: X-Shopify-Topic, value: "{event}"}
  - {name: X-Shopify-Shop-Domain, value: "webhook-harness.myshopify.com"}
  - {name: X-Shopify-API-Version, value: "2025-01"}
  - {name: X-Shopify-Webhook-Id, value: "{eventId}"}
"#,
};
