//! `oneOf`: exactly one branch holds. Type keywords beside it apply to every branch (they are
//! merged into each); a value is drawn from one branch; a violation inside the branch the value
//! is valid against is reported by the validator as a `oneOf` violation.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::cover::Decision;
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

/// The branches of the combinator `keyword` (`oneOf` or `anyOf`), each merged with the other
/// constraints beside the combinator, if any. A branch no value can satisfy (alone, or with
/// those constraints) is dropped; when every branch is, the first reason is the error.
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
    let mut ids = Vec::with_capacity(items.len());
    let mut first = None;
    for i in 0..items.len() {
        match cx.compile(&format!("{here}/{i}")) {
            Ok(id) => ids.push(id),
            Err(error) => {
                first.get_or_insert(error);
            }
        }
    }
    let mut rest = map.clone();
    rest.remove(keyword);
    if !rest.keys().any(|k| cx.is_constraint(k)) {
        return match (ids.is_empty(), first) {
            (true, Some(error)) => Err(error),
            _ => Ok(ids),
        };
    }
    // The constraints beside the combinator apply to every branch.
    let own = cx.kind(&Value::Object(rest), at)?;
    let merged = distribute(cx, ids, &own, at);
    match (merged, first) {
        (Err(_), Some(error)) => Err(error),
        (merged, _) => merged,
    }
}

/// `other` merged into each branch (`allOf` of a combinator and another node). Branches that
/// cannot hold together with `other` are dropped; if none can, the error names both schemas.
pub fn distribute(
    cx: &mut Compiler<'_>,
    branches: Vec<Id>,
    other: &Kind,
    at: &str,
) -> Result<Vec<Id>, GenError> {
    let mut out = Vec::with_capacity(branches.len());
    let mut first = None;
    for id in branches {
        let node = cx.resolved(id);
        match cx.merge(node.kind, other.clone(), at) {
            Ok(Kind::Never) => {}
            Ok(kind) => out.push(cx.push(kind, &node.pointer)),
            Err(error) => {
                first.get_or_insert((node.pointer, error));
            }
        }
    }
    if out.is_empty() {
        let reason = first.map_or_else(
            || "every branch allows nothing".to_string(),
            |(branch, error)| format!("branch {branch}: {}", error_message(&error)),
        );
        return Err(cx.refuse(
            at,
            format!(
                "no value satisfies both this schema and any branch of the combinator ({reason})"
            ),
        ));
    }
    Ok(out)
}

/// The message of a generator error, without its file.
fn error_message(error: &GenError) -> String {
    match error {
        GenError::Unsupported {
            pointer, message, ..
        } => format!("at {pointer}: {message}"),
        other => other.to_string(),
    }
}

/// A value of one branch, picked at random.
pub fn draw(branches: &[Id], ctx: &mut Ctx<'_>) -> Value {
    let branch = match ctx.choose(Decision::Branch, 0, branches.len(), None) {
        Some(i) => branches[i],
        None => *ctx.rng.pick(branches),
    };
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
