//! RFC 6901 JSON Pointers: building, escaping and looking up.

use serde_json::Value;

/// Decodes `%XX` escapes (a URI fragment, a path segment); invalid escapes stay as written.
#[must_use]
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes one reference token (`~` becomes `~0`, `/` becomes `~1`).
#[must_use]
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`] on one reference token.
#[must_use]
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends one token to a pointer, escaping it.
#[must_use]
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// Splits a pointer into unescaped tokens; `None` when it does not start with `/` (and is not empty).
#[must_use]
pub fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(unescape).collect())
}

/// Whether `pointer` is syntactically a JSON Pointer (empty, or `/`-prefixed with valid escapes).
#[must_use]
pub fn is_valid(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    // A `~` must be followed by `0` or `1`.
    let bytes = pointer.as_bytes();
    bytes
        .iter()
        .enumerate()
        .all(|(i, b)| *b != b'~' || matches!(bytes.get(i + 1), Some(b'0' | b'1')))
}

/// One reference token, unescaped without allocating when it holds no `~`.
fn token(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains('~') {
        std::borrow::Cow::Owned(unescape(raw))
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// An array index token: digits only, no leading zero (RFC 6901).
pub(crate) fn index(token: &str) -> Option<usize> {
    let ok = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if ok { token.parse().ok() } else { None }
}

/// Looks a pointer up; `None` when it does not resolve. Allocates only for escaped tokens.
#[must_use]
pub fn get<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    if !is_valid(pointer) {
        return None;
    }
    let mut node = value;
    for raw in pointer[1..].split('/') {
        node = match node {
            Value::Object(map) => map.get(token(raw).as_ref())?,
            Value::Array(items) => items.get(index(raw)?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Looks a pointer up for writing, creating missing object members on the way (a `null` on the
/// way becomes an object).
///
/// Returns `None` when an intermediate node is neither an object nor an array that has the index.
pub fn get_or_create<'v>(value: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    if !is_valid(pointer) {
        return None;
    }
    let mut node = value;
    for raw in pointer[1..].split('/') {
        if node.is_null() {
            *node = Value::Object(serde_json::Map::new());
        }
        node = match node {
            Value::Object(map) => {
                let key = token(raw);
                if !map.contains_key(key.as_ref()) {
                    map.insert(key.to_string(), Value::Null);
                }
                map.get_mut(key.as_ref())?
            }
            Value::Array(items) => items.get_mut(index(raw)?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Sets the value at `pointer`, creating missing object members; `false` when impossible.
pub fn set(value: &mut Value, pointer: &str, new: Value) -> bool {
    match get_or_create(value, pointer) {
        Some(slot) => {
            *slot = new;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_round_trip() {
        let token = "application/json~x";
        assert_eq!(escape(token), "application~1json~0x");
        assert_eq!(unescape(&escape(token)), token);
        assert_eq!(join("/a", "b/c"), "/a/b~1c");
    }

    #[test]
    fn validity() {
        assert!(is_valid(""));
        assert!(is_valid("/a~0b~1c"));
        assert!(!is_valid("a"));
        assert!(!is_valid("/a~2"));
        assert!(!is_valid("/a~"));
    }

    #[test]
    fn set_creates_members_but_not_indices() {
        let mut doc = json!({"a": [1, 2]});
        assert!(set(&mut doc, "/b/c", json!(true)));
        assert_eq!(doc["b"]["c"], json!(true));
        assert!(set(&mut doc, "/a/1", json!(5)));
        assert_eq!(doc["a"], json!([1, 5]));
        assert!(!set(&mut doc, "/a/7", json!(5)));
        assert!(!set(&mut doc, "/a/0/x", json!(5)));
    }
}
