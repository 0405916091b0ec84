//! `edge`: valid payloads at the boundaries are accepted: first a set of values that together
//! take every option of the schema (every `oneOf`/`anyOf` branch and `enum` value, optional
//! fields present and absent, every declared bound, long strings and arrays where nothing
//! bounds them), then random edge values (nulls where nullable, unknown extra fields, non-ASCII and escape-sensitive text, extreme numbers, strings of several kilobytes
//! wherever no `maxLength` bounds them, in arrays too), and so is a body whose bytes
//! differ from its re-serialisation (`\/` and `\u00e9` escapes), signed over its exact bytes.

use serde_json::Value;

use super::{Applies, Probe, ReceiverCheck};
use crate::check::CheckInfo;
use crate::generate::{LONG_ITEMS, LONG_LENGTHS, LONG_STRING, Mode};
use crate::serialize;
use crate::spec::extensions::VerifiedOver;

/// The check.
pub const CHECK: ReceiverCheck = ReceiverCheck {
    info: CheckInfo {
        id: "edge",
        reason: "valid payloads take every branch and enum value the schema allows, with optional fields present or absent, and include nulls where nullable, fields the receiver does not know, any Unicode text, strings as long as the schema allows and extreme numbers; and a signature covers the exact bytes, so a receiver that verifies a re-serialisation of the parsed body rejects real deliveries whose bytes it does not reproduce",
        source: "the event's payload schema (edge values of its boundaries); the provider's signature docs (what bytes are signed)",
    },
    applies: |_, _| Applies::Yes,
    run,
};

fn run(probe: &super::Session<'_>, event: &str) -> Result<(), String> {
    let generator = probe.payloads(event)?;
    // Values that together take every option of the schema at least once.
    let cover = generator
        .edge_cover(probe.settings.seed ^ 0xc0e7)
        .map_err(|e| e.to_string())?;
    let total = cover.values.len();
    for (i, value) in cover.values.iter().enumerate() {
        let (body, headers) = probe.delivery(event, value, None);
        probe.require_2xx(
            &CHECK.info,
            &probe.send(&headers, &body),
            &format!(
                "edge coverage value {} of {total} of `--seed {}`: together they take every oneOf/anyOf branch, every enum value, each optional field present and absent, nulls where nullable, every declared bound, and, where no bound is declared, strings of {} characters and arrays of {LONG_ITEMS} items",
                i + 1,
                probe.settings.seed,
                LONG_LENGTHS.map(|n| n.to_string()).join(", "),
            ),
        )?;
    }
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
            &format!(
                "edge payload {i} of `--seed {}` (the run's seed; the command below replays it)",
                probe.settings.seed
            ),
        )?;
    }
    // Strings the schema leaves unbounded can be long, in arrays as anywhere else.
    let long = generator
        .long(probe.settings.seed ^ 0x10e6)
        .map_err(|e| e.to_string())?;
    let (body, headers) = probe.delivery(event, &long.value, None);
    probe.require_2xx(
        &CHECK.info,
        &probe.send(&headers, &body),
        &format!(
            "variant: every string without a maxLength (or format, or pattern) {LONG_STRING} characters long, every optional field present, every array holding at least one item (from `--seed {}`)",
            probe.settings.seed
        ),
    )?;
    // Where the docs tell receivers to verify over a re-serialisation (Betterez), bytes that
    // differ from it are not a delivery the provider makes: the check follows the docs.
    if probe.spec.signing.verified_over == VerifiedOver::Reserialised {
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
    let subscriber = probe.subscriber(event);
    let envelope = probe.envelope(event, payload);
    let personal = probe.pipeline.envelope(payload, &subscriber);
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
    let delivery = probe.pipeline.prepare_text(
        text,
        &envelope,
        &[probe.key()],
        super::now(),
        &probe.pipeline.forwarded(&subscriber),
    );
    (delivery.body, delivery.headers)
}

/// The defects this check exists for, for the tests that prove it can fail.
#[cfg(feature = "test-support")]
pub(crate) mod fault {
    use std::collections::HashSet;

    use serde_json::Value;

    use crate::reference::Quirk;
    use crate::spec::ProviderSpec;

    /// Answers 500 to any string with a character outside ASCII.
    pub struct CrashesOnNonAscii;

    impl Quirk for CrashesOnNonAscii {
        fn payload(
            &self,
            _: &ProviderSpec,
            _: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            has(payload, &|s: &str| !s.is_ascii(), true).then_some(500)
        }
    }

    /// Verifies the signature over its own re-serialisation of the parsed body, not the bytes.
    pub struct VerifiesReserialised;

    impl Quirk for VerifiesReserialised {
        fn signed_over(&self, text: &str) -> Option<String> {
            Some(
                serde_json::from_str::<Value>(text)
                    .map(|v| serde_json::to_string(&v).unwrap_or_default())
                    .unwrap_or_default(),
            )
        }
    }

    /// Answers 413 to a payload with a string of more than 1,000 characters inside an array
    /// (a fixed-size column for list items).
    pub struct RejectsLongStringsInArrays;

    impl Quirk for RejectsLongStringsInArrays {
        fn payload(
            &self,
            _: &ProviderSpec,
            _: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            fn long_in_array(value: &Value, in_array: bool) -> bool {
                match value {
                    Value::String(s) => in_array && s.chars().count() > 1000,
                    Value::Array(items) => items.iter().any(|v| long_in_array(v, true)),
                    Value::Object(map) => map.values().any(|v| long_in_array(v, false)),
                    _ => false,
                }
            }
            long_in_array(payload, false).then_some(413)
        }
    }

    /// Answers 413 to a payload with an array of more than 999 items (a fixed-size buffer).
    pub struct RejectsLongArrays;

    impl Quirk for RejectsLongArrays {
        fn payload(
            &self,
            _: &ProviderSpec,
            _: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            any_node(
                payload,
                &|v| matches!(v, Value::Array(items) if items.len() > 999),
            )
            .then_some(413)
        }
    }

    /// Answers 500 to a payload holding a `null` anywhere (a parser into non-optional types).
    pub struct CrashesOnNull;

    impl Quirk for CrashesOnNull {
        fn payload(
            &self,
            _: &ProviderSpec,
            _: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            any_node(payload, &Value::is_null).then_some(500)
        }
    }

    /// Answers 500 to a payload holding a property name that no schema of the spec declares
    /// (a parser that denies unknown fields).
    pub struct CrashesOnUnknownField;

    impl Quirk for CrashesOnUnknownField {
        fn payload(
            &self,
            spec: &ProviderSpec,
            _: &hyper::HeaderMap,
            _: &str,
            payload: &Value,
        ) -> Option<u16> {
            let mut declared = HashSet::new();
            declared_names(&spec.document, &mut declared);
            has(payload, &|k: &str| !declared.contains(k), false).then_some(500)
        }
    }

    /// Whether a string (or, with `strings`, also a string value) of `value` passes `test`:
    /// keys always, string values only when `strings` is set.
    /// Whether `value` or any value inside it passes `test`.
    fn any_node(value: &Value, test: &dyn Fn(&Value) -> bool) -> bool {
        test(value)
            || match value {
                Value::Array(items) => items.iter().any(|v| any_node(v, test)),
                Value::Object(map) => map.values().any(|v| any_node(v, test)),
                _ => false,
            }
    }

    fn has(value: &Value, test: &dyn Fn(&str) -> bool, strings: bool) -> bool {
        match value {
            Value::String(s) => strings && test(s),
            Value::Array(items) => items.iter().any(|v| has(v, test, strings)),
            Value::Object(map) => map.iter().any(|(k, v)| test(k) || has(v, test, strings)),
            _ => false,
        }
    }

    /// Every property name a schema of the document declares (`properties` and `required`).
    fn declared_names<'a>(document: &'a Value, out: &mut HashSet<&'a str>) {
        match document {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    out.extend(properties.keys().map(String::as_str));
                }
                if let Some(Value::Array(required)) = map.get("required") {
                    out.extend(required.iter().filter_map(Value::as_str));
                }
                for value in map.values() {
                    declared_names(value, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    declared_names(item, out);
                }
            }
            _ => {}
        }
    }
}
