//! Each provider's signature, checked by a verifier written from the provider's documented
//! steps, independently of the signing code.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use webhook_harness::deliver::serialize::{json_stringify, payload_text, wire_body};
use webhook_harness::sign::Signer;
use webhook_harness::spec::{Loader, ProviderSpec};

fn mac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn fixture(spec: &ProviderSpec, event: &str) -> Value {
    spec.event(event).unwrap().examples()[0].value.clone()
}

/// The wire body and signature header a provider sends for `payload`.
fn delivery(
    spec: &ProviderSpec,
    payload: &Value,
    key: &[u8],
    timestamp: u64,
) -> (Vec<u8>, Option<(String, String)>) {
    let text = payload_text(payload, spec.delivery.serialization);
    let body = wire_body(&text, spec.delivery.body_encoding);
    let signature = Signer::new(&spec.signature)
        .sign(&text, key, timestamp)
        .map(|s| (s.header, s.value));
    (body, signature)
}

/// HappyColis [SIGV]: read the raw body, HMAC-SHA256 it with the client secret, Base64, compare.
fn happycolis_verifies(body: &[u8], header: &str, secret: &[u8]) -> bool {
    base64::engine::general_purpose::STANDARD.encode(mac(secret, body)) == header
}

/// Betterez [SIG]: split the header into t and s2, re-serialise the parsed body with
/// JSON.stringify, HMAC-SHA256 `t + "." + json`, compare with s2 (hex, the spec's assumption).
fn betterez_verifies(body: &[u8], header: &str, key: &[u8], base64_digest: bool) -> bool {
    let parts: Vec<(&str, &str)> = header
        .split(',')
        .filter_map(|p| p.split_once('='))
        .collect();
    let (Some(t), Some(s2)) = (
        parts.iter().find(|(k, _)| *k == "t"),
        parts.iter().find(|(k, _)| *k == "s2"),
    ) else {
        return false;
    };
    let parsed: Value = serde_json::from_slice(body).unwrap();
    let digest = mac(
        key,
        format!("{}.{}", t.1, json_stringify(&parsed)).as_bytes(),
    );
    let expected = if base64_digest {
        base64::engine::general_purpose::STANDARD.encode(digest)
    } else {
        hex(&digest)
    };
    expected == s2.1
}

/// uc.alxgsv (its code): the body is a JSON string literal; decode it once to get the signed
/// text; the header is the bare hex HMAC-SHA256 of that text with the webhook's signing secret.
fn uc_verifies(body: &[u8], header: &str, secret: &[u8], double_encoded: bool) -> bool {
    let text: String = if double_encoded {
        serde_json::from_slice(body).unwrap()
    } else {
        String::from_utf8(body.to_vec()).unwrap()
    };
    hex(&mac(secret, text.as_bytes())) == header
}

#[test]
fn happycolis_signs_the_exact_body_in_base64() {
    let spec = ProviderSpec::load("happycolis").unwrap();
    let payload = fixture(&spec, "product/image/created");
    let (body, signature) = delivery(&spec, &payload, b"client-secret", 0);
    let (header, value) = signature.unwrap();
    assert_eq!(header, "x-happycolis-webhook-signature");
    assert_eq!(value.len(), 44, "Base64 of 32 bytes");
    assert!(happycolis_verifies(&body, &value, b"client-secret"));
    assert!(!happycolis_verifies(&body, &value, b"another-secret"));
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    assert!(!happycolis_verifies(&tampered, &value, b"client-secret"));
    assert!(
        body.starts_with(br#"{"header":"#),
        "header first, as JSON.stringify of {{header, body}}"
    );
}

#[test]
fn betterez_signs_t_dot_body_with_the_assumed_encodings() {
    let spec = ProviderSpec::load("betterez").unwrap();
    let payload = fixture(&spec, "images.created");
    let (body, signature) = delivery(&spec, &payload, b"private-key", 1_634_755_434);
    let (header, value) = signature.unwrap();
    assert_eq!(header, "x-btrz-signature");
    assert!(value.starts_with("t=1634755434,s2="), "{value}");
    assert!(betterez_verifies(&body, &value, b"private-key", false));
    assert!(
        !betterez_verifies(
            &body,
            &value.replace("t=1634755434", "t=1634755435"),
            b"private-key",
            false
        ),
        "t is signed"
    );

    // The undocumented digest encoding, overridden at run time.
    let base64_spec = Loader::new()
        .assume("digest-encoding", "base64")
        .load("betterez")
        .unwrap();
    let (body, signature) = delivery(&base64_spec, &payload, b"private-key", 1_634_755_434);
    assert!(betterez_verifies(
        &body,
        &signature.unwrap().1,
        b"private-key",
        true
    ));
}

#[test]
fn uc_alxgsv_signs_the_inner_text_of_a_double_encoded_body() {
    let spec = ProviderSpec::load("uc-alxgsv").unwrap();
    let payload = spec
        .event("file.created")
        .unwrap()
        .examples()
        .iter()
        .find(|e| e.fixture.is_none())
        .unwrap()
        .value
        .clone();
    let (body, signature) = delivery(&spec, &payload, b"whsec-3UOLI5otLDaNONGsM49fEs", 0);
    let (header, value) = signature.unwrap();
    assert_eq!(header, "X-Uc-Signature");
    assert_eq!(
        body[0], b'"',
        "as implemented, the body is a JSON string literal"
    );
    assert!(uc_verifies(
        &body,
        &value,
        b"whsec-3UOLI5otLDaNONGsM49fEs",
        true
    ));
    assert!(
        !uc_verifies(&body, &value, b"whsec-3UOLI5otLDaNONGsM49fEs", false),
        "an HMAC over the raw body fails: the documented quirk"
    );

    // As intended: a plain body, signed as it is.
    let plain = Loader::new()
        .assume("body-encoding", "plain")
        .load("uc-alxgsv")
        .unwrap();
    let (body, signature) = delivery(&plain, &payload, b"whsec-3UOLI5otLDaNONGsM49fEs", 0);
    assert_eq!(body[0], b'{');
    assert!(uc_verifies(
        &body,
        &signature.unwrap().1,
        b"whsec-3UOLI5otLDaNONGsM49fEs",
        false
    ));
}

#[test]
fn swsh_deliveries_carry_no_signature() {
    let spec = ProviderSpec::load("swsh").unwrap();
    let signer = Signer::new(&spec.signature);
    assert!(!signer.signs());
    assert_eq!(signer.sign("{}", b"k", 0), None);
}
