//! The spec's templates (`{timestamp}.{body}`, `t={timestamp},s2={signature}`,
//! `t={timestamp},{signatures}`): filled when signing, read back when verifying.

/// Replaces each placeholder once, left to right, without re-reading replaced text (a body may
/// itself contain `{timestamp}`). Placeholders without a value are kept as written.
#[must_use]
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    'scan: while !rest.is_empty() {
        if rest.starts_with('{') {
            for (name, value) in values {
                if let Some(after) = rest.strip_prefix(name) {
                    out.push_str(value);
                    rest = after;
                    continue 'scan;
                }
            }
        }
        // Up to the next `{` (at least one byte: a `{` that starts no placeholder is text).
        let next = if rest.starts_with('{') {
            1
        } else {
            rest.find('{').unwrap_or(rest.len())
        };
        out.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    out
}

/// What a header value holds, read with its template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The `{timestamp}` (empty when the template has none).
    pub timestamp: String,
    /// The `{signature}`, or the text of `{signatures}`.
    pub signatures: String,
}

/// Reads `{timestamp}` and `{signature}` (or `{signatures}`) out of a header value shaped by
/// `template`; `None` when the value does not fit it.
#[must_use]
pub fn parse(template: &str, value: &str) -> Option<Parsed> {
    let mut parsed = Parsed::default();
    let mut found = false;
    let mut rest = value;
    let mut pattern = template;
    while !pattern.is_empty() {
        if let Some(after) = pattern.strip_prefix("{timestamp}") {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            parsed.timestamp = rest[..end].to_string();
            rest = &rest[end..];
            pattern = after;
        } else if let Some(after) = pattern
            .strip_prefix("{signatures}")
            .or_else(|| pattern.strip_prefix("{signature}"))
        {
            // The signature runs to the next literal of the template, or to the end.
            let next = after.find('{').map_or(after, |i| &after[..i]);
            let end = if next.is_empty() {
                rest.len()
            } else {
                rest.find(next)?
            };
            parsed.signatures = rest[..end].to_string();
            found = true;
            rest = &rest[end..];
            pattern = after;
        } else {
            let c = pattern.chars().next()?;
            rest = rest.strip_prefix(c)?;
            pattern = &pattern[c.len_utf8()..];
        }
    }
    (found && rest.is_empty()).then_some(parsed)
}

/// Reads `{timestamp}` and `{signature}` out of a header value shaped by `template`
/// (`t={timestamp},s2={signature}`).
#[must_use]
pub fn parse_header(template: &str, value: &str) -> Option<(String, String)> {
    parse(template, value).map(|p| (p.timestamp, p.signatures))
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
        assert_eq!(fill("{id}.{x}", &[("{id}", "m")]), "m.{x}");
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
        assert_eq!(
            parse_header("t={timestamp},s2={signature}", "t=,s2=abc"),
            None
        );
        let stripe = parse("t={timestamp},{signatures}", "t=5,v1=aa,v0=bb,v1=cc").unwrap();
        assert_eq!(stripe.timestamp, "5");
        assert_eq!(stripe.signatures, "v1=aa,v0=bb,v1=cc");
        assert_eq!(parse("sha256={signature}", "sha1=abc"), None);
    }
}
