//! Ids in each provider's own format, from an `idFormat` template: literal text with
//! `{alnum:N}`, `{hex:N}` and `{uuid}` placeholders.

use crate::generate::rng::Draw;

/// Fills an id template. Unknown placeholders are kept as written.
pub fn fill<R: Draw + ?Sized>(template: &str, rng: &mut R) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const HEX: &[u8] = b"0123456789abcdef";
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let placeholder = &rest[start + 1..start + len];
        let (kind, count) = placeholder
            .split_once(':')
            .map_or((placeholder, None), |(k, n)| (k, n.parse::<usize>().ok()));
        match (kind, count) {
            ("alnum", Some(n)) => (0..n).for_each(|_| out.push(*rng.pick(ALNUM) as char)),
            ("hex", Some(n)) => (0..n).for_each(|_| out.push(*rng.pick(HEX) as char)),
            ("uuid", None) => {
                let mut hex = String::with_capacity(32);
                (0..32).for_each(|_| hex.push(*rng.pick(HEX) as char));
                out.push_str(&format!(
                    "{}-{}-4{}-{}{}-{}",
                    &hex[..8],
                    &hex[8..12],
                    &hex[13..16],
                    ["8", "9", "a", "b"][rng.below(4)],
                    &hex[17..20],
                    &hex[20..32]
                ));
            }
            _ => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill() {
        let mut rng = crate::generate::rng::seeded(1);
        let id = fill("wh-{alnum:22}", &mut rng);
        assert!(
            regex::Regex::new("^wh-[A-Za-z0-9]{22}$")
                .unwrap()
                .is_match(&id),
            "{id}"
        );
        let id = fill("{uuid}", &mut rng);
        assert!(
            regex::Regex::new(
                "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
            )
            .unwrap()
            .is_match(&id),
            "{id}"
        );
        assert_eq!(fill("{hex:24}", &mut rng).len(), 24);
        assert_eq!(fill("x-{nope}", &mut rng), "x-{nope}");
    }
}
