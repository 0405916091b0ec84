//! `edge`: valid payloads at the boundaries are accepted (nulls where nullable, unknown extra
//! fields, non-ASCII and escape-sensitive text, extreme numbers), and so is a body whose bytes
//! differ from its re-serialisation (`\/` and `\u00e9` escapes), signed over its exact bytes.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::{Applies, Probe, ReceiverCheck};
use crate::check::CheckInfo;
use crate::deliver::{envelope, serialize};
use crate::generate::Mode;
use crate::sign::Signer;
use crate::spec::extensions::VerifiedOver;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "edge",
        reason: "valid payloads include nulls where nullable, fields the receiver does not know, any Unicode text and extreme numbers; and a signature covers the exact bytes, so a receiver that verifies a re-serialisation of the parsed body rejects real deliveries whose bytes it does not reproduce",
        source: "the event's payload schema (edge values of its boundaries); the provider's signature docs (what bytes are signed)",
    },
    applies: |_, _| Applies::Yes,
    run,
};

fn run(probe: &Probe, event: &str) -> Result<(), String> {
    let generator = probe.payloads(event)?;
    let count = (probe.settings.cases / 4).clamp(2, 16) as usize;
    for (i, sample) in generator
        .sample(Mode::Edge, probe.settings.seed ^ 0xed6e, count)
        .map_err(|e| e.to_string())?
        .into_iter()
        .enumerate()
    {
        let (body, headers) = probe.delivery(event, &sample.value, None);
        probe.require_2xx(
            &CHECK.info,
            &probe.send(&headers, &body),
            &format!("edge payload {i} of seed {}", probe.settings.seed ^ 0xed6e),
        )?;
    }
    // Where the docs tell receivers to verify over a re-serialisation (Betterez), bytes that
    // differ from it are not a delivery the provider makes: the check follows the docs.
    if probe.spec.signature.verified_over == VerifiedOver::Reserialised {
        return Ok(());
    }
    let payload = probe.generated(event, 5)?;
    let (body, headers) = non_canonical(probe, event, &payload);
    let exchange = probe.send(&headers, &body);
    if exchange.accepted() {
        Ok(())
    } else {
        Err(probe.failure(
            &CHECK.info,
            "a 2xx answer: the signature covers these exact bytes",
            &exchange,
            "variant: the same payload with `/` written `\\/` and non-ASCII written `\\uXXXX` (valid JSON that re-serialises differently)",
        ))
    }
}

/// The delivery of `payload` written with escapes a serialiser would not produce, signed over
/// exactly that text.
fn non_canonical(probe: &Probe, event: &str, payload: &Value) -> (Vec<u8>, Vec<(String, String)>) {
    let (subscription, id) = probe.subscription(event);
    let personal = envelope::personalise(&probe.spec, payload, &subscription, &id);
    let canonical = serialize::payload_text(&personal, probe.spec.delivery.serialization);
    let mut text = String::with_capacity(canonical.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    for c in canonical.chars() {
        if in_string && !escaped && c == '/' {
            text.push_str("\\/");
        } else if in_string && !c.is_ascii() {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                text.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            text.push(c);
        }
        if in_string && !escaped && c == '"' {
            in_string = false;
        } else if !in_string && c == '"' {
            in_string = true;
        }
        escaped = in_string && !escaped && c == '\\';
    }
    // Make sure the bytes really differ from a re-serialisation.
    if text == canonical {
        text = format!("{text} ");
    }
    let body = serialize::wire_body(&text, probe.spec.delivery.body_encoding);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let signer = Signer::new(&probe.spec.signature);
    let mut headers = Vec::new();
    if let Some(content_type) = &probe.spec.delivery.content_type {
        headers.push(("content-type".to_string(), content_type.clone()));
    }
    if let Some(signature) = signer.sign(
        &text,
        probe.settings.secret.as_bytes(),
        signer.timestamp(now),
    ) {
        headers.push((signature.header, signature.value));
    }
    (body, headers)
}
