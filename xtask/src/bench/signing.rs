//! Signing, per preset: signature headers produced per second for a 1 KiB payload (template,
//! digest, encoding and header value, as every delivery signs), and verifications per second
//! of those headers by the same code the reference receivers use; HMAC-SHA256 of the same
//! bytes alone, measured in the same run, is the floor the preset's overhead is read against.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use webhook_harness::sign::{SignInput, Signer, hmac_sha256};
use webhook_harness::spec::extensions::{KeyExt, KeySource, SignatureExt};
use webhook_harness::spec::signing::{Algorithm, presets, resolve};

use super::{markdown, num, text, timed};

/// The payload every preset signs: a JSON object of about 1 KiB.
fn payload() -> String {
    let filler = "x".repeat(960);
    format!(r#"{{"type":"file.uploaded","data":{{"id":"f_1","note":"{filler}"}}}}"#)
}

/// One row per preset.
pub fn run(budget: Duration) -> Result<Vec<Value>, String> {
    let body = payload();
    let key = [7u8; 32];
    let input = SignInput {
        text: &body,
        id: "msg_2Lh9r1TTFmYV1qBa2Kq3bT0Z1nW",
        event: "file.uploaded",
        timestamp: 1_614_265_330,
    };
    let (floor, floor_time) = timed(budget, || {
        std::hint::black_box(hmac_sha256(&key, body.as_bytes()));
    });
    let floor_per_second = floor as f64 / floor_time.as_secs_f64();
    let mut rows = Vec::new();
    for preset in presets::PRESETS {
        let ext = SignatureExt {
            preset: Some(preset.name.into()),
            key: Some(KeyExt {
                from: Some(KeySource::Credential),
                name: Some("secret".into()),
                ..KeyExt::default()
            }),
            ..SignatureExt::default()
        };
        let mut errors = Vec::new();
        let signing = resolve(Path::new("bench.yaml"), &ext, &mut errors);
        if let Some(error) = errors.first() {
            return Err(format!("preset {}: {error}", preset.name));
        }
        let signer = Signer::new(&signing);
        let (count, elapsed) = timed(budget, || {
            std::hint::black_box(signer.sign(&input, &[&key]));
        });
        let headers = signer.sign(&input, &[&key]);
        let stamp = input.timestamp.to_string();
        let (verified, verify_time) = timed(budget, || {
            for (scheme, header) in signing.schemes.iter().zip(&headers) {
                let content = Signer::content(scheme, &input, &stamp);
                let expected = Signer::signature(scheme, &content, &key).unwrap_or_default();
                assert!(header.value.contains(&expected), "{}", preset.name);
            }
        });
        let per_second = count as f64 / elapsed.as_secs_f64();
        let algorithms: Vec<String> = signing
            .schemes
            .iter()
            .map(|s| match s.algorithm {
                Algorithm::Hmac(d) => format!("hmac-{d:?}").to_lowercase(),
                Algorithm::Ed25519 => "ed25519".into(),
            })
            .collect();
        rows.push(json!({
            "preset": preset.name,
            "algorithms": algorithms.join(" + "),
            "signatures_per_second": per_second.round(),
            "verifications_per_second": (verified as f64 / verify_time.as_secs_f64()).round(),
            "hmac_sha256_alone_per_second": floor_per_second.round(),
            "preset_to_hmac": (per_second / floor_per_second * 1000.0).round() / 1000.0,
        }));
    }
    Ok(rows)
}

/// The section's table.
pub fn table(rows: &[Value]) -> String {
    let body = markdown(
        &[
            "preset",
            "algorithms",
            "signatures/s:",
            "verifications/s:",
            "HMAC-SHA256 alone/s:",
            "preset / HMAC:",
        ],
        rows.iter().map(|row| {
            vec![
                text(row, "preset"),
                text(row, "algorithms"),
                num(&row["signatures_per_second"]),
                num(&row["verifications_per_second"]),
                num(&row["hmac_sha256_alone_per_second"]),
                num(&row["preset_to_hmac"]),
            ]
        }),
    );
    format!("## Signing (one thread, 1 KiB payload, every scheme of the preset)\n\n{body}")
}
