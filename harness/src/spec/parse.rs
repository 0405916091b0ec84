//! From text to JSON: YAML parsing, and typed reading of one extension with a precise pointer.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};
use serde_yaml_ng::Value as Yaml;

use super::error::{SpecError, SpecErrorKind};
use super::pointer;

/// Parses a document written as JSON or YAML. Text that opens with `{` is read as JSON first,
/// by a JSON parser, so that JSON's own rules hold exactly (a `\u` escape of an astral character
/// is a surrogate pair, `\ud83d\ude00`); anything else, or JSON that does not parse, is read as
/// YAML ([`yaml_to_json`]).
pub fn document_to_json(file: &Path, text: &str) -> Result<Value, SpecError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{')
        && let Ok(value) = serde_json::from_str::<Value>(text)
    {
        return Ok(value);
    }
    yaml_to_json(file, text)
}

/// Parses YAML (or JSON, which is YAML) into a JSON value. Mapping keys that are scalars (`200:`)
/// become strings, as OpenAPI means them. A `\u` escape pair of UTF-16 surrogates in a
/// double-quoted scalar (`"\ud83d\ude00"`, as JSON writes an astral character), which the YAML
/// parser refuses, is read as the one character it stands for.
pub fn yaml_to_json(file: &Path, text: &str) -> Result<Value, SpecError> {
    let mut joined: Option<String> = None;
    let yaml: Yaml = loop {
        let current = joined.as_deref().unwrap_or(text);
        match serde_yaml_ng::from_str(current) {
            Ok(yaml) => break yaml,
            Err(error) => {
                // The parser stops at the first surrogate escape of a double-quoted scalar: join
                // the pairs of that scalar and parse again, once per such scalar.
                let at = error.location().map(|l| l.index());
                match at.and_then(|at| join_surrogate_escapes(current, at)) {
                    Some(next) => joined = Some(next),
                    None => {
                        return Err(SpecError::new(
                            file,
                            "",
                            SpecErrorKind::Yaml(error.to_string()),
                        ));
                    }
                }
            }
        }
    };
    convert(file, &yaml, &mut String::new())
}

/// `text` with every escape pair `\uD8xx\uDCxx` (a high then a low surrogate) of the
/// double-quoted scalar the YAML parser stopped in (at byte `at`, the first hex digit of the
/// escape it refused) written as the one escape `\UXXXXXXXX` YAML reads; `None` when the parser
/// did not stop at such a pair.
fn join_surrogate_escapes(text: &str, at: usize) -> Option<String> {
    fn hex4(bytes: &[u8]) -> Option<u32> {
        let digits = std::str::from_utf8(bytes.get(..4)?).ok()?;
        u32::from_str_radix(digits, 16).ok()
    }
    fn pair(bytes: &[u8], i: usize) -> Option<u32> {
        if bytes.get(i..i + 2)? != b"\\u" || bytes.get(i + 6..i + 8)? != b"\\u" {
            return None;
        }
        let (high, low) = (hex4(&bytes[i + 2..])?, hex4(&bytes[i + 8..])?);
        ((0xD800..0xDC00).contains(&high) && (0xDC00..0xE000).contains(&low))
            .then(|| 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }
    let bytes = text.as_bytes();
    let start = at.checked_sub(2)?;
    pair(bytes, start)?;
    let mut out = String::with_capacity(text.len());
    out.push_str(text.get(..start)?);
    let mut i = start;
    let mut copied = start;
    // To the end of the scalar: the first `"` that no backslash escapes.
    while i < bytes.len() && bytes[i] != b'"' {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if let Some(code) = pair(bytes, i) {
            out.push_str(text.get(copied..i)?);
            out.push_str(&format!("\\U{code:08X}"));
            i += 12;
            copied = i;
        } else {
            i += 2; // An escape of one character: `\\`, `\"`, `\n`...
        }
    }
    out.push_str(text.get(copied..)?);
    Some(out)
}

fn convert(file: &Path, node: &Yaml, at: &mut String) -> Result<Value, SpecError> {
    Ok(match node {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Number(n) => number(n).ok_or_else(|| {
            SpecError::new(
                file,
                at.clone(),
                SpecErrorKind::Yaml(format!("the number {n} has no JSON form")),
            )
        })?,
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                out.push(convert(file, item, at)?);
                at.truncate(len);
            }
            Value::Array(out)
        }
        Yaml::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Yaml::String(s) => s.clone(),
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    Yaml::Null => "null".to_string(),
                    _ => {
                        return Err(SpecError::new(
                            file,
                            at.clone(),
                            SpecErrorKind::Yaml("a mapping key must be a plain scalar".into()),
                        ));
                    }
                };
                let len = at.len();
                at.push('/');
                at.push_str(&pointer::escape(&key));
                let child = convert(file, value, at)?;
                at.truncate(len);
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => {
            return Err(SpecError::new(
                file,
                at.clone(),
                SpecErrorKind::Yaml(format!(
                    "YAML tags such as `{}` are not supported",
                    tagged.tag
                )),
            ));
        }
    })
}

fn number(n: &serde_yaml_ng::Number) -> Option<Value> {
    if let Some(i) = n.as_i64() {
        return Some(Value::Number(i.into()));
    }
    if let Some(u) = n.as_u64() {
        return Some(Value::Number(u.into()));
    }
    n.as_f64().and_then(Number::from_f64).map(Value::Number)
}

/// Removes the annotation extensions (`x-note`, `x-source`) that EXTENSIONS.md allows anywhere,
/// so that an extension's typed reading sees only its own fields.
pub fn strip_annotations(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "x-note" && k.as_str() != "x-source")
                .map(|(k, v)| (k.clone(), strip_annotations(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_annotations).collect()),
        other => other.clone(),
    }
}

/// Reads the extension at `at` (a pointer into the document) as `T`. A wrong field is reported
/// at its own pointer, not at the extension's.
pub fn extension<T: DeserializeOwned>(
    file: &Path,
    at: &str,
    value: &Value,
) -> Result<T, SpecError> {
    let cleaned = strip_annotations(value);
    serde_path_to_error::deserialize(&cleaned).map_err(|error| {
        let mut where_ = at.to_string();
        for segment in error.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => where_.push_str(&format!("/{index}")),
                Segment::Map { key } => where_ = pointer::join(&where_, key),
                Segment::Enum { variant } => where_ = pointer::join(&where_, variant),
                Segment::Unknown => {}
            }
        }
        let extension = at.rsplit('/').next().unwrap_or(at).to_string();
        SpecError::new(
            file,
            where_,
            SpecErrorKind::Extension {
                extension: pointer::unescape(&extension),
                message: error.into_inner().to_string(),
            },
        )
        .with_hint("the fields of every extension are listed in specs/EXTENSIONS.md")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::extensions::DeliveryExt;
    use serde_json::json;

    #[test]
    fn integer_keys_become_strings() {
        let value = yaml_to_json(Path::new("t"), "responses:\n  200: {description: ok}\n").unwrap();
        assert_eq!(value, json!({"responses": {"200": {"description": "ok"}}}));
    }

    #[test]
    fn syntax_errors_carry_a_location() {
        let error = yaml_to_json(Path::new("t.yaml"), "a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.to_string().contains("line"), "{error}");
    }

    #[test]
    fn extension_errors_point_at_the_field() {
        let value = json!({"method": "POST", "contentType": null, "serialization": "yaml",
            "bodyEncoding": "plain", "success": "2xx", "timeoutMs": 1, "ordering": "none",
            "queue": "none", "onFailure": "drop", "matching": {"events": "/e"}});
        let error = extension::<DeliveryExt>(Path::new("t"), "/x-delivery", &value).unwrap_err();
        assert_eq!(error.pointer, "/x-delivery/serialization");
        let mut typo = value.clone();
        typo["serialization"] = json!("compact");
        typo["matching"]["evnets"] = json!(1);
        let error = extension::<DeliveryExt>(Path::new("t"), "/x-delivery", &typo).unwrap_err();
        assert!(error.to_string().contains("evnets"), "{error}");
    }

    #[test]
    fn surrogate_pairs_read_as_one_character_in_json_and_yaml() {
        let file = Path::new("doc");
        let json = r#"{"a": "\ud83d\udce6 \u00e9", "b": "\\ud83d\\udce6"}"#;
        let yaml =
            "a: \"\\ud83d\\udce6 \\u00e9\"\nb: '\\ud83d\\udce6'\nc: \"\u{e9}\\\"\\ud83d\\ude4f\"\n";
        for (text, c) in [(json, None), (yaml, Some("\u{e9}\"\u{1f64f}"))] {
            let value = document_to_json(file, text).unwrap();
            assert_eq!(value["a"], "\u{1f4e6} \u{e9}", "{text}");
            assert_eq!(value["b"], "\\ud83d\\udce6", "{text}");
            if let Some(c) = c {
                assert_eq!(value["c"], c, "{text}");
            }
        }
        // A lone surrogate is no character: still an error.
        assert!(yaml_to_json(file, "a: \"\\ud83d\"\n").is_err());
    }
}
