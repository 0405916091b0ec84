//! `if`, `then`, `else`: a value that satisfies `if` must satisfy `then`, any other `else`. The
//! node becomes a choice of two branches, the schema's other constraints with `if` and `then`,
//! or with `else`; a value of the second branch that happens to satisfy `if` is filtered out
//! by validation. `then` and `else` without `if` constrain nothing.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Role};
use super::super::ir::Kind;
use crate::spec::pointer;

/// The `if` keyword (it reads `then` and `else` beside it).
pub const KEYWORD: Keyword = Keyword::new("if", Role::Shape(compile));

fn compile(cx: &mut Compiler<'_>, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
    let mut rest = map.clone();
    for key in ["if", "then", "else"] {
        rest.remove(key);
    }
    let own = if rest.keys().any(|k| cx.is_constraint(k)) {
        cx.kind(&Value::Object(rest), at)?
    } else {
        Kind::Any
    };
    let condition = pointer::join(at, "if");
    let mut parts_then = vec![condition.clone()];
    let mut parts_else = Vec::new();
    for (key, parts) in [("then", &mut parts_then), ("else", &mut parts_else)] {
        if map.contains_key(key) {
            parts.push(pointer::join(at, key));
        }
    }
    let mut branches = Vec::with_capacity(2);
    let mut first = None;
    for parts in [parts_then, parts_else] {
        // The branch node is named after its last part (the schema it is most about).
        let named = parts.last().cloned().unwrap_or_else(|| at.to_string());
        match branch(cx, own.clone(), &parts, at) {
            Ok(Kind::Never) => {}
            Ok(kind) => branches.push(cx.push(kind, &named)),
            Err(error) => {
                first.get_or_insert(error);
            }
        }
    }
    match (branches.is_empty(), first) {
        (true, Some(error)) => Err(error),
        (true, None) => Ok(Kind::Never),
        _ => Ok(Kind::AnyOf(branches)),
    }
}

/// `own` merged with the schemas at `parts`.
fn branch(cx: &mut Compiler<'_>, own: Kind, parts: &[String], at: &str) -> Result<Kind, GenError> {
    let mut kind = own;
    for part in parts {
        let id = cx.compile(part)?;
        let next = cx.resolved(id).kind;
        kind = cx.merge(kind, next, at)?;
    }
    Ok(kind)
}
