//! Redaction: what transcripts and reports show instead of values that change from run to run
//! (timestamps, counts) or must not leave the machine (secrets, signatures).

use serde_json::Value;

/// Replaces known values in text by placeholders, in the order they were added: the target's
/// address (which changes from run to run), credentials and secrets (which must not be shown),
/// and the values of headers that carry a signature.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    replacements: Vec<(String, String)>,
    headers: Vec<(String, &'static str)>,
}

impl Redactor {
    /// A redactor that replaces nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces `value` by `placeholder` wherever it appears (an empty value is ignored).
    #[must_use]
    pub fn value(mut self, value: &str, placeholder: &str) -> Self {
        if !value.is_empty() {
            self.replacements
                .push((value.to_string(), placeholder.to_string()));
        }
        self
    }

    /// Replaces a secret by `placeholder` as written and in the forms a request or an echo
    /// may carry it: JSON-escaped and percent-encoded (a secret shorter than 4 bytes is left,
    /// as it would match ordinary text).
    #[must_use]
    pub fn secret(mut self, secret: &str, placeholder: &str) -> Self {
        if secret.len() < 4 {
            return self;
        }
        let escaped = serde_json::to_string(secret).unwrap_or_default();
        let escaped = escaped.trim_matches('"').to_string();
        let encoded: String = secret
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect();
        for form in [secret.to_string(), escaped, encoded] {
            if !self.replacements.iter().any(|(v, _)| *v == form) {
                self.replacements.push((form, placeholder.to_string()));
            }
        }
        // Longer values first, so that a secret containing another is replaced whole.
        self.replacements
            .sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        self
    }

    /// Shows the value of header `name` (any case) as `[signature]`.
    #[must_use]
    pub fn signature_header(self, name: &str) -> Self {
        self.header_as(name, "[signature]")
    }

    /// Shows the value of header `name` (any case) as `placeholder`: a value that changes
    /// from run to run (a timestamp, a fresh UUID).
    #[must_use]
    pub fn header_as(mut self, name: &str, placeholder: &'static str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), placeholder));
        self
    }

    /// `text` with every known value replaced.
    #[must_use]
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (value, placeholder) in &self.replacements {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), placeholder);
            }
        }
        out
    }

    /// A header's value as shown: its placeholder for a signature or volatile header, else
    /// the value.
    #[must_use]
    pub fn header<'v>(&self, name: &str, value: &'v str) -> &'v str {
        self.headers
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
            .map_or(value, |(_, placeholder)| placeholder)
    }
}

/// A JSON value with timestamps, secrets and signatures replaced by placeholders.
#[must_use]
pub fn redact(value: &Value) -> Value {
    fn walk(key: &str, value: &Value) -> Value {
        let lower = key.to_ascii_lowercase();
        let secret = ["secret", "token", "signature", "password"]
            .iter()
            .any(|w| lower.contains(w));
        let timely = ["date", "time", "created", "updated", "_at"]
            .iter()
            .any(|w| lower.contains(w));
        match value {
            Value::Object(map) => {
                // Keys sorted: an implementation's key order is not behaviour.
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), walk(k, &map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(key, v)).collect()),
            Value::String(_) if secret => Value::String("[redacted]".into()),
            Value::String(s) if timely || looks_like_time(s) => Value::String("[timestamp]".into()),
            Value::Number(_) if timely => Value::String("[timestamp]".into()),
            Value::Number(_)
                if matches!(lower.as_str(), "count" | "total" | "pages" | "total_count") =>
            {
                Value::String("[count]".into())
            }
            other => other.clone(),
        }
    }
    walk("", value)
}

fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_everything_but_times_and_secrets() {
        let value = serde_json::json!({
            "id": "wh-1", "signing_secret": "whsec-abc", "created": "2024-01-01T00:00:00Z",
            "label": "x", "nested": [{"updated_at": 17}], "when": "2023-11-26T05:17:07.185Z"
        });
        assert_eq!(
            redact(&value),
            serde_json::json!({
                "id": "wh-1", "signing_secret": "[redacted]", "created": "[timestamp]",
                "label": "x", "nested": [{"updated_at": "[timestamp]"}], "when": "[timestamp]"
            })
        );
    }
}

#[cfg(test)]
mod secret_tests {
    use super::Redactor;

    #[test]
    fn secrets_are_replaced_in_every_form() {
        let redactor = Redactor::new().secret("s3cr\"et/+=", "[secret]");
        assert_eq!(redactor.text("a s3cr\"et/+= b"), "a [secret] b");
        assert_eq!(
            redactor.text(r#"{"k":"s3cr\"et/+="}"#),
            r#"{"k":"[secret]"}"#
        );
        assert_eq!(redactor.text("k=s3cr%22et%2F%2B%3D"), "k=[secret]");
        assert_eq!(Redactor::new().secret("abc", "[secret]").text("abc"), "abc");
    }
}
