//! The spec's templates (`{timestamp}.{body}`, `t={timestamp},s2={signature}`): filled when
//! signing, read back when verifying.

/// Replaces each placeholder once, left to right, without re-reading replaced text (a body may
/// itself contain `{timestamp}`).
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    'scan: while !rest.is_empty() {
        for (name, value) in values {
            if let Some(after) = rest.strip_prefix(name) {
                out.push_str(value);
                rest = after;
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// Reads `{timestamp}` and `{signature}` out of a header value shaped by `template`
/// (`t={timestamp},s2={signature}`).
#[must_use]
pub fn parse_header(template: &str, value: &str) -> Option<(String, String)> {
    let mut timestamp = String::new();
    let mut signature = None;
    let mut rest = value;
    let mut pattern = template;
    while !pattern.is_empty() {
        if let Some(after) = pattern.strip_prefix("{timestamp}") {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            timestamp = rest[..end].to_string();
            rest = &rest[end..];
            pattern = after;
        } else if let Some(after) = pattern.strip_prefix("{signature}") {
            // The signature runs to the next literal of the template, or to the end.
            let next = after.find('{').map_or(after, |i| &after[..i]);
            let end = if next.is_empty() {
                rest.len()
            } else {
                rest.find(next)?
            };
            signature = Some(rest[..end].to_string());
            rest = &rest[end..];
            pattern = after;
        } else {
            let c = pattern.chars().next()?;
            rest = rest.strip_prefix(c)?;
            pattern = &pattern[c.len_utf8()..];
        }
    }
    Some((timestamp, signature?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_once() {
        assert_eq!(
            fill(
                "{timestamp}.{body}",
                &[("{timestamp}", "12"), ("{body}", "{timestamp}")]
            ),
            "12.{timestamp}"
        );
        assert_eq!(
            fill(
                "t={timestamp},s2={signature}",
                &[("{timestamp}", "1"), ("{signature}", "ab")]
            ),
            "t=1,s2=ab"
        );
    }

    #[test]
    fn header_templates_parse() {
        assert_eq!(
            parse_header("t={timestamp},s2={signature}", "t=17,s2=abc"),
            Some(("17".into(), "abc".into()))
        );
        assert_eq!(
            parse_header("{signature}", "K7g=="),
            Some((String::new(), "K7g==".into()))
        );
        assert_eq!(parse_header("t={timestamp},s2={signature}", "s2=abc"), None);
    }
}
