//! The bytes a provider sends: its serialiser (`x-delivery.serialization`) and its wire
//! encoding (`x-delivery.bodyEncoding`).
//!
//! HappyColis and Betterez serialise with JavaScript's `JSON.stringify`, and Betterez tells
//! receivers to verify over `JSON.stringify(JSON.parse(body))`; so [`json_stringify`] follows
//! ECMAScript exactly where serde_json does not: integer-like keys first in ascending order,
//! numbers printed as JavaScript prints doubles (`1.0` → `1`, `1e21` → `1e+21`, `-0` → `0`,
//! integers beyond 2^53 rounded as `JSON.parse` rounds them), and only `"`, `\` and control
//! characters escaped (`/`, non-ASCII and U+2028 stay as they are).

pub mod overlay;

use serde_json::Value;

use crate::spec::extensions::{BodyEncoding, Serialization};
use overlay::Node;

/// The payload text a provider produces for `value`.
#[must_use]
pub fn payload_text(value: &Value, serialization: Serialization) -> String {
    payload_text_overlaid(value, &[], serialization)
}

/// The payload text of `base` with `edits` laid over it, without building the edited value:
/// the same text as [`payload_text`] of [`overlay::apply`], when [`overlay::exact`] holds.
#[must_use]
pub fn payload_text_overlaid(
    base: &Value,
    edits: &[overlay::Edit],
    serialization: Serialization,
) -> String {
    let node = Node::root(base, edits);
    match serialization {
        Serialization::JsonStringify => {
            let mut out = String::with_capacity(256);
            write_node(&node, &mut out);
            out
        }
        Serialization::Compact => serde_json::to_string(&node).unwrap_or_default(),
    }
}

/// The HTTP body for a payload text.
#[must_use]
pub fn wire_body(text: &str, encoding: BodyEncoding) -> Vec<u8> {
    match encoding {
        BodyEncoding::Plain => text.as_bytes().to_vec(),
        // The text, encoded once more as a JSON string literal (uc.alxgsv, as implemented).
        BodyEncoding::JsonString => serde_json::to_vec(text).unwrap_or_default(),
    }
}

/// The payload text of a wire body as received: the inverse of [`wire_body`] (for a JSON-string
/// body, the decoded string). An error says why the body is not what the encoding promises.
pub fn read_body(body: &[u8], encoding: BodyEncoding) -> Result<String, String> {
    match encoding {
        BodyEncoding::Plain => Ok(String::from_utf8_lossy(body).into_owned()),
        BodyEncoding::JsonString => serde_json::from_slice::<String>(body)
            .map_err(|e| format!("the body is not a JSON string: {e}")),
    }
}

/// `JSON.stringify(value)` as ECMAScript specifies it.
#[must_use]
pub fn json_stringify(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n.as_f64().unwrap_or(0.0), out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => write_array(items, out, write_value),
        Value::Object(map) => write_object(
            map.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            out,
            |value, out| write_value(value, out),
        ),
    }
}

/// A node of an edited value, as [`write_value`] writes the edited value.
fn write_node(node: &Node<'_>, out: &mut String) {
    match node {
        Node::Plain(value) => write_value(value, out),
        Node::Edited(Value::Object(map), edits, depth) => {
            write_object(Node::members(map, edits, *depth), out, write_node);
        }
        Node::Edited(Value::Array(items), edits, depth) => {
            write_array(&Node::elements(items, edits, *depth), out, write_node);
        }
        Node::Edited(value, _, _) => write_value(value, out),
    }
}

/// An array's elements, in order.
fn write_array<T>(items: &[T], out: &mut String, write: fn(&T, &mut String)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out);
    }
    out.push(']');
}

/// An object's members, in JavaScript's property order: integer-like keys first, ascending,
/// then the others in insertion order.
fn write_object<T>(mut members: Vec<(&str, T)>, out: &mut String, write: fn(&T, &mut String)) {
    // A stable sort (the others keep their order behind the indices), needed only when some
    // key is an index.
    if members.iter().any(|(key, _)| array_index(key).is_some()) {
        members.sort_by_key(|(key, _)| array_index(key).map_or((1, 0), |i| (0, i)));
    }
    out.push('{');
    for (n, (key, item)) in members.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_string(key, out);
        out.push(':');
        write(item, out);
    }
    out.push('}');
}

/// A canonical array index (`0`..=`4294967294`, no leading zeros): JavaScript orders these keys
/// numerically before all others.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty()
        || key.len() > 10
        || !key.bytes().all(|b| b.is_ascii_digit())
        || (key.len() > 1 && key.starts_with('0'))
    {
        return None;
    }
    key.parse::<u64>()
        .ok()
        .filter(|n| *n < u64::from(u32::MAX))
        .map(|n| n as u32)
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript `Number::toString(x)` for a finite double.
fn write_number(x: f64, out: &mut String) {
    if x == 0.0 {
        out.push('0'); // Also -0.
        return;
    }
    if !x.is_finite() {
        out.push_str("null"); // JSON.stringify writes NaN and infinities as null.
        return;
    }
    if x < 0.0 {
        out.push('-');
    }
    // Rust's `{:e}` prints the shortest digits that round-trip, as ECMAScript requires.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    let n = exponent.parse::<i32>().unwrap_or(0) + 1; // The decimal point sits after n digits.
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).abs().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn number(x: f64) -> String {
        let mut out = String::new();
        write_number(x, &mut out);
        out
    }

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        // Expected values are what V8's JSON.stringify prints.
        let cases = [
            (1.0, "1"),
            (-0.0, "0"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (1.5e-7, "1.5e-7"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (123.456, "123.456"),
            (9_007_199_254_740_993.0, "9007199254740992"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ];
        for (x, expected) in cases {
            assert_eq!(number(x), expected, "{x:e}");
        }
    }

    #[test]
    fn keys_strings_and_structure() {
        let value: Value = serde_json::from_str(
            r#"{"b":1,"2":true,"a":[1.0,null],"10":"x","01":0,"1":{"z":"/é\u2028\u0001\"\\\n"}}"#,
        )
        .unwrap();
        assert_eq!(
            json_stringify(&value),
            "{\"1\":{\"z\":\"/é\u{2028}\\u0001\\\"\\\\\\n\"},\"2\":true,\"10\":\"x\",\"b\":1,\"a\":[1,null],\"01\":0}"
        );
    }

    #[test]
    fn the_json_string_encoding_wraps_the_text() {
        let text = json_stringify(&json!({"a": "b"}));
        assert_eq!(
            wire_body(&text, BodyEncoding::JsonString),
            br#""{\"a\":\"b\"}""#.to_vec()
        );
        assert_eq!(
            wire_body(&text, BodyEncoding::Plain),
            br#"{"a":"b"}"#.to_vec()
        );
    }
}
