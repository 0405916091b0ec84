//! Published test vectors of the signing conventions, signed through the presets exactly as
//! deliveries are: Standard Webhooks' vector (copied in every reference library's tests),
//! GitHub's documented example, and Slack's documented example.

use std::path::Path;

use webhook_harness::sign::{SignInput, Signer};
use webhook_harness::spec::extensions::{KeyExt, KeySource, SignatureExt};
use webhook_harness::spec::signing::{Signing, resolve};

fn preset(name: &str) -> Signing {
    let ext = SignatureExt {
        preset: Some(name.into()),
        key: Some(KeyExt {
            from: Some(KeySource::Credential),
            name: Some("secret".into()),
            ..KeyExt::default()
        }),
        ..SignatureExt::default()
    };
    let mut errors = Vec::new();
    let signing = resolve(Path::new("vectors.yaml"), &ext, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    signing
}

/// The signature headers of `text` signed with the secret's key material at `timestamp`.
fn sign(
    signing: &Signing,
    secret: &str,
    id: &str,
    timestamp: u64,
    text: &str,
) -> Vec<(String, String)> {
    let key = signing.key.as_ref().unwrap().decode(secret).unwrap();
    let input = SignInput {
        text,
        id,
        event: "",
        timestamp,
    };
    Signer::new(signing)
        .sign(&input, &[key.as_slice()])
        .into_iter()
        .map(|s| (s.header, s.value))
        .collect()
}

#[test]
fn standard_webhooks_vector() {
    let signing = preset("standard-webhooks");
    let headers = sign(
        &signing,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1_614_265_330,
        r#"{"test": 2432232314}"#,
    );
    assert_eq!(
        headers,
        [(
            "webhook-signature".to_string(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_string()
        )]
    );
    assert_eq!(
        signing.timestamp.header.as_deref(),
        Some("webhook-timestamp")
    );
    assert_eq!(signing.timestamp.tolerance, Some(300));
}

#[test]
fn github_documented_example() {
    let signing = preset("github");
    let headers = sign(
        &signing,
        "It's a Secret to Everybody",
        "",
        0,
        "Hello, World!",
    );
    assert_eq!(
        headers[0],
        (
            "X-Hub-Signature-256".to_string(),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17".to_string()
        )
    );
    assert_eq!(headers[1].0, "X-Hub-Signature");
    assert!(headers[1].1.starts_with("sha1=") && headers[1].1.len() == 5 + 40);
}

#[test]
fn slack_documented_example() {
    let signing = preset("slack");
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let headers = sign(
        &signing,
        "8f742231b10e8888abcd99yyyzzz85a5",
        "",
        1_531_420_618,
        body,
    );
    assert_eq!(
        headers,
        [(
            "X-Slack-Signature".to_string(),
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503".to_string()
        )]
    );
}

#[test]
fn stripe_signs_with_the_whole_secret_and_rotates_keys_in_one_header() {
    let signing = preset("stripe");
    let input = SignInput {
        text: "{}",
        id: "",
        event: "",
        timestamp: 1_700_000_000,
    };
    let old: &[u8] = b"whsec_old";
    let new: &[u8] = b"whsec_new";
    let header = Signer::new(&signing).sign(&input, &[old, new]).remove(0);
    assert_eq!(header.header, "Stripe-Signature");
    let parts: Vec<&str> = header.value.split(',').collect();
    assert_eq!(parts[0], "t=1700000000");
    assert_eq!(parts.len(), 3, "{}", header.value);
    assert!(
        parts[1..]
            .iter()
            .all(|p| p.starts_with("v1=") && p.len() == 3 + 64)
    );
}

#[test]
fn a_whsec_secret_that_does_not_decode_is_refused() {
    let signing = preset("standard-webhooks");
    let key = signing.key.as_ref().unwrap();
    for bad in [
        "whsec_",
        "whsec_!!!",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
    ] {
        assert!(key.decode(bad).is_err(), "{bad}");
    }
}
