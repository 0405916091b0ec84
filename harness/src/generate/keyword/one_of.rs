//! `oneOf`: exactly one branch holds. Type keywords beside it apply to every branch (they are
//! merged into each); a value is drawn from one branch; a violation inside the branch the value
//! is valid against is reported by the validator as a `oneOf` violation.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Role, Violate};
use super::super::ir::{Id, Kind};
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::super::violate::{Spot, Walk};
use crate::spec::pointer;

/// The `oneOf` keyword.
pub const KEYWORD: Keyword = Keyword {
    draw: Some(Draw::OneOf(draw)),
    violate: Some(Violate::OneOf(violate)),
    ..Keyword::new("oneOf", Role::Shape(compile))
};

fn compile(cx: &mut Compiler<'_>, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
    branches(cx, map, at, "oneOf").map(Kind::OneOf)
}

/// The branches of the combinator `keyword` (`oneOf` or `anyOf`), each merged with the typed
/// keywords beside the combinator, if any.
pub fn branches(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    keyword: &str,
) -> Result<Vec<Id>, GenError> {
    let here = pointer::join(at, keyword);
    let items = map[keyword]
        .as_array()
        .ok_or_else(|| cx.refuse(&here, format!("`{keyword}` must be an array")))?;
    let ids = (0..items.len())
        .map(|i| cx.compile(&format!("{here}/{i}")))
        .collect::<Result<Vec<_>, _>>()?;
    if !map.keys().any(|k| cx.is_typed(k)) {
        return Ok(ids);
    }
    // Type keywords beside the combinator apply to every branch.
    let own = cx.typed(map, at)?;
    let mut merged = Vec::with_capacity(ids.len());
    for id in ids {
        let branch = cx.resolved(id);
        let kind = cx.merge(branch.kind, own.clone(), at)?;
        merged.push(cx.push(kind, &branch.pointer));
    }
    Ok(merged)
}

/// `other` merged into each branch (`allOf` of a combinator and another node).
pub fn distribute(
    cx: &mut Compiler<'_>,
    branches: Vec<Id>,
    other: &Kind,
    at: &str,
) -> Result<Vec<Id>, GenError> {
    let mut out = Vec::with_capacity(branches.len());
    for id in branches {
        let node = cx.resolved(id);
        let kind = cx.merge(node.kind, other.clone(), at)?;
        out.push(cx.push(kind, &node.pointer));
    }
    Ok(out)
}

/// A value of one branch, picked at random.
pub fn draw(branches: &[Id], ctx: &mut Ctx<'_>) -> Value {
    let branch = *ctx.rng.pick(branches);
    ctx.value(branch)
}

fn violate(branches: &[Id], value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    inside(branches, "oneOf", value, spot, walk);
}

/// The sites of the first branch `value` is valid against, reported as violations of the
/// combinator `keyword` (unless an enclosing one reports them already).
pub fn inside(
    branches: &[Id],
    keyword: &'static str,
    value: &Value,
    spot: &Spot,
    walk: &mut Walk<'_>,
) {
    let branch = branches
        .iter()
        .copied()
        .find(|b| walk.valid_against(*b, value));
    if let Some(branch) = branch {
        let inner = Spot {
            at: spot.at.clone(),
            outer: spot.outer.clone().or(Some((spot.at.clone(), keyword))),
        };
        walk.node(branch, value, &inner);
    }
}
