//! `allOf`: every part holds. The parts are merged into one node when the schema is compiled;
//! the algebra over node shapes lives here, and each typed keyword merges its own rules.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role};
use super::super::ir::{Id, Kind};
use super::{r#enum, one_of};
use crate::spec::pointer;

/// The `allOf` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Nodes(merge)),
    ..Keyword::new("allOf", Role::Shape(compile))
};

/// One part of an `allOf`.
#[derive(Debug, Clone)]
pub enum Part {
    /// The schema at this pointer.
    At(String),
    /// A node already compiled (the target of a `$ref`).
    Compiled(Id),
}

fn compile(cx: &mut Compiler<'_>, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
    let here = pointer::join(at, "allOf");
    let items = map["allOf"]
        .as_array()
        .ok_or_else(|| cx.refuse(&here, "`allOf` must be an array"))?;
    let parts: Vec<Part> = (0..items.len())
        .map(|i| Part::At(format!("{here}/{i}")))
        .collect();
    let mut rest = map.clone();
    rest.remove("allOf");
    combine(cx, at, &parts, &rest)
}

/// The node of `parts` and the schema's own keywords `own` (at `at`) merged, in that order.
/// The own keywords count only if one of them constrains values.
pub fn combine(
    cx: &mut Compiler<'_>,
    at: &str,
    parts: &[Part],
    own: &Map<String, Value>,
) -> Result<Kind, GenError> {
    let mut merged: Option<Kind> = None;
    let mut joined: Vec<String> = Vec::new();
    for part in parts {
        let id = match part {
            Part::At(pointer) => cx.compile(pointer)?,
            Part::Compiled(id) => *id,
        };
        let node = cx.resolved(id);
        merged = Some(match merged {
            None => node.kind,
            Some(previous) => join(cx, previous, node.kind, at, &joined, &node.pointer)?,
        });
        joined.push(node.pointer);
    }
    if own.keys().any(|k| cx.is_constraint(k)) {
        let kind = cx.kind(&Value::Object(own.clone()), at)?;
        merged = Some(match merged {
            None => kind,
            Some(previous) => join(cx, previous, kind, at, &joined, at)?,
        });
    }
    Ok(merged.unwrap_or(Kind::Any))
}

/// `previous` (merged from the schemas at `joined`) and the schema at `next`, merged; an error
/// names every schema involved, so that a contradiction shows both sides.
fn join(
    cx: &mut Compiler<'_>,
    previous: Kind,
    next_kind: Kind,
    at: &str,
    joined: &[String],
    next: &str,
) -> Result<Kind, GenError> {
    cx.merge(previous, next_kind, at)
        .map_err(|error| match error {
            GenError::Unsupported {
                file,
                pointer,
                message,
            } => GenError::Unsupported {
                file,
                pointer,
                message: format!(
                    "{message}; the schemas at {} and {next} cannot all hold",
                    joined.join(", ")
                ),
            },
            other => other,
        })
}

/// Merges two nodes (both must hold). Unsupported combinations are errors at `at`.
fn merge(cx: &mut Compiler<'_>, a: Kind, b: Kind, at: &str) -> Result<Kind, GenError> {
    Ok(match (a, b) {
        (Kind::Any, x) | (x, Kind::Any) => x,
        (Kind::Never, _) | (_, Kind::Never) => Kind::Never,
        (Kind::Ref(id), other) | (other, Kind::Ref(id)) => {
            let target = cx.resolved(id).kind;
            if matches!(target, Kind::Ref(_)) {
                return Err(cx.refuse(at, "`allOf` over a reference cycle is not supported"));
            }
            cx.merge(target, other, at)?
        }
        (Kind::Choice(x, keyword), Kind::Choice(y, _)) => {
            Kind::Choice(r#enum::intersect(cx, x, &y, at)?, keyword)
        }
        (Kind::Choice(values, k), Kind::Typed(_)) | (Kind::Typed(_), Kind::Choice(values, k)) => {
            Kind::Choice(values, k)
        }
        (Kind::OneOf(branches), other) | (other, Kind::OneOf(branches)) => {
            Kind::OneOf(one_of::distribute(cx, branches, &other, at)?)
        }
        (Kind::AnyOf(branches), other) | (other, Kind::AnyOf(branches)) => {
            Kind::AnyOf(one_of::distribute(cx, branches, &other, at)?)
        }
        (Kind::Typed(a), Kind::Typed(b)) => Kind::Typed(cx.merge_rules(&a, &b, at)?),
    })
}
