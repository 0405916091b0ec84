//! `minLength`, `maxLength`, `pattern`, `format`: compiling and generating strings.

use serde_json::{Map, Value};

use super::error::GenError;
use super::formats::Format;
use super::ir::{Arena, StringRules};
use super::patterns::Pattern;
use super::rng::Draw;
use crate::spec::pointer;

/// Reads the string keywords of a schema.
pub fn compile(arena: &Arena, map: &Map<String, Value>, at: &str) -> Result<StringRules, GenError> {
    let min = arena.count(map, at, "minLength")?.unwrap_or(0);
    let max = arena.count(map, at, "maxLength")?;
    if max.is_some_and(|max| max < min) {
        return Err(arena.refuse(at, "`maxLength` is below `minLength`: no string fits"));
    }
    let pattern = match map.get("pattern") {
        None => None,
        Some(Value::String(source)) => {
            Some(Pattern::new(source).map_err(|m| arena.refuse(&pointer::join(at, "pattern"), m))?)
        }
        Some(_) => {
            return Err(arena.refuse(&pointer::join(at, "pattern"), "`pattern` must be a string"));
        }
    };
    let format = match map.get("format") {
        None => None,
        Some(Value::String(name)) => Some(Format::from_name(name).ok_or_else(|| {
            arena.refuse(&pointer::join(at, "format"), format!("the generator knows no format `{name}` (it knows uuid, date-time, date, uri, email)"))
        })?),
        Some(_) => return Err(arena.refuse(&pointer::join(at, "format"), "`format` must be a string")),
    };
    Ok(StringRules {
        min,
        max,
        pattern,
        format,
    })
}

/// Plain text for valid values.
const PLAIN: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'r', 's', 't', 'u',
    'w', 'A', 'B', 'K', 'Z', '0', '1', '7', ' ', '-', '_', '.',
];

/// Text for edge values: non-ASCII, emoji, and characters whose JSON escaping varies between
/// serialisers (`/`, `"`, `\`, control characters, U+2028, HTML-sensitive characters).
const EDGE: &[char] = &[
    'a', 'Z', '9', ' ', 'é', 'ß', '日', 'Ω', '😀', '/', '"', '\\', '\n', '\t', '\u{1}', '\u{7f}',
    '\u{2028}', '\u{2029}', '<', '>', '&', '\'', '\u{a0}', '\u{feff}',
];

/// A string satisfying `rules`.
pub fn generate<R: Draw + ?Sized>(rules: &StringRules, rng: &mut R, edge: bool) -> String {
    let length_fits = |s: &str| {
        // Byte length bounds the character count from above: skip counting when it is short.
        let n = if s.len() <= rules.min {
            s.len()
        } else {
            s.chars().count()
        };
        n >= rules.min
            && rules
                .max
                .is_none_or(|max| s.len() <= max || s.chars().count() <= max)
    };
    let mut last = String::new();
    for _ in 0..16 {
        let candidate = if let Some(format) = rules.format {
            let text = format.generate(rng, edge);
            // A format's text may still miss a pattern beside it (`^https://` on a uri).
            if rules.pattern.as_ref().is_some_and(|p| !p.matches(&text)) {
                last = text;
                continue;
            }
            text
        } else if let Some(pattern) = &rules.pattern {
            // Drawn from the pattern itself, so it matches by construction.
            pattern.generate(rng, if edge { 24 } else { 6 })
        } else {
            return text(rules, rng, edge);
        };
        if length_fits(&candidate) {
            return candidate;
        }
        last = candidate;
    }
    last
}

/// Free text within the length bounds.
fn text<R: Draw + ?Sized>(rules: &StringRules, rng: &mut R, edge: bool) -> String {
    let len = if edge {
        match rules.max {
            Some(max) if rng.chance(1, 2) => max,
            Some(_) => rules.min,
            None if rng.chance(1, 2) => rules.min,
            None => rules.min + 64,
        }
    } else {
        let hi = rules.max.unwrap_or(rules.min + 16).min(rules.min + 16);
        rng.between(
            rules.min.max(usize::from(rules.min == 0 && hi > 0)),
            hi.max(rules.min),
        )
    };
    let alphabet = if edge { EDGE } else { PLAIN };
    (0..len).map(|_| *rng.pick(alphabet)).collect()
}
