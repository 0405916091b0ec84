//! `application/x-www-form-urlencoded` decoding, for form bodies and query strings.

use crate::spec::pointer::percent_decode;

/// Decodes an `application/x-www-form-urlencoded` body or query string.
#[must_use]
pub fn form_urlencoded(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode(&s.replace('+', " "));
            (decode(k), decode(v))
        })
        .collect()
}
