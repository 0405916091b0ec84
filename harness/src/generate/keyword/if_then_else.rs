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
    let condition = cx.compile(&pointer::join(at, "if"))?;
    let mut branches = Vec::with_capacity(2);
    let mut first = None;
    let mut parts = vec![(condition, "if")];
    for (key, with_condition) in [("then", true), ("else", false)] {
        let mut kind = own.clone();
        let mut named = at.to_string();
        parts.truncate(usize::from(with_condition));
        if map.contains_key(key) {
            let here = pointer::join(at, key);
            parts.push((cx.compile(&here)?, key));
            named = here;
        } else if with_condition {
            named = pointer::join(at, "if");
        }
        let mut result = Ok(());
        for (id, _) in &parts {
            let next = cx.resolved(*id).kind;
            match cx.merge(kind.clone(), next, at) {
                Ok(merged) => kind = merged,
                Err(error) => {
                    result = Err(error);
                    break;
                }
            }
        }
        match result {
            Ok(()) if !matches!(kind, Kind::Never) => branches.push(cx.push(kind, &named)),
            Ok(()) => {}
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
