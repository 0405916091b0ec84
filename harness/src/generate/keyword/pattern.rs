//! `pattern`: strings matching a regular expression. Strings are drawn from the pattern
//! itself (see `patterns`), so they match by construction.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::patterns::Pattern;
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use super::min_length;
use crate::spec::pointer;

/// The `pattern` keyword.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::STRING),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("pattern", Role::Rule(compile))
};

/// The pattern of strings of `rules`, if any.
#[must_use]
pub fn of(rules: &Rules) -> Option<&Pattern> {
    rules.get::<Pattern>()
}

/// A string drawn from the pattern of `rules`, if there is one.
pub fn draw(rules: &Rules, ctx: &mut Ctx<'_>) -> Option<String> {
    let pattern = of(rules)?;
    Some(pattern.generate(ctx.rng, if ctx.edge { 24 } else { 6 }))
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    match map.get("pattern") {
        None => {}
        Some(Value::String(source)) => rules
            .set(Pattern::new(source).map_err(|m| cx.refuse(&pointer::join(at, "pattern"), m))?),
        Some(_) => {
            return Err(cx.refuse(&pointer::join(at, "pattern"), "`pattern` must be a string"));
        }
    }
    Ok(())
}

fn merge(
    cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    at: &str,
) -> Result<(), GenError> {
    match (of(a), of(b)) {
        (Some(x), Some(y)) if x.source != y.source => Err(cx.refuse(
            at,
            "two different `pattern`s in one `allOf` are not supported",
        )),
        (x, y) => {
            if let Some(pattern) = x.or(y) {
                out.set(pattern.clone());
            }
            Ok(())
        }
    }
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::String(s), Some(pattern)) = (value, of(rules)) else {
        return;
    };
    let candidates = [
        "!".repeat(min_length::of(rules).max(1)),
        format!("!{}", s.chars().skip(1).collect::<String>()),
        String::new(),
    ];
    if let Some(bad) = candidates.into_iter().find(|c| !pattern.matches(c)) {
        walk.push(
            spot,
            Edit::Set {
                at: spot.at.clone(),
                value: Value::String(bad),
            },
            "pattern",
            format!(
                "{} does not match the pattern {}",
                shown(&spot.at),
                pattern.source
            ),
        );
    }
}
