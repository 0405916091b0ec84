//! `format`: strings of a named format (see `formats` for the catalogue; another name only
//! annotates). A format draws
//! structured text on its own; a `pattern` beside it only filters that text.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::formats::Format;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use crate::spec::pointer;

/// The `format` keyword.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::STRING),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("format", Role::Rule(compile))
};

/// The format of strings of `rules`, if any.
#[must_use]
pub fn of(rules: &Rules) -> Option<Format> {
    rules.get::<Format>().copied()
}

/// A string of the format of `rules`, if there is one.
pub fn draw(rules: &Rules, ctx: &mut Ctx<'_>) -> Option<String> {
    Some(of(rules)?.generate(ctx.rng, ctx.edge))
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    match map.get("format") {
        None => {}
        // A format outside the catalogue only annotates, as the validator treats it.
        Some(Value::String(name)) => {
            if let Some(format) = Format::from_name(name) {
                rules.set(format);
            }
        }
        Some(_) => {
            return Err(cx.refuse(&pointer::join(at, "format"), "`format` must be a string"));
        }
    }
    Ok(())
}

/// The first part's format draws; a different one in the other part (`uri` and `iri`) filters.
fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    if let Some(format) = of(a).or(of(b)) {
        out.set(format);
    }
    Ok(())
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::String(s), Some(format)) = (value, of(rules)) else {
        return;
    };
    // Drawn from the original, so the same valid value always breaks the same way.
    let broken = format.broken(&mut super::super::rng::seeded(s.len() as u64));
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: Value::String(broken),
        },
        "format",
        format!("{} is not a valid {}", shown(&spot.at), format.name()),
    );
}
