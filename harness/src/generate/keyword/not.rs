//! `not`: values the subschema rejects. A `not` that only names types removes those types from
//! the node; any other `not` filters the drawn values (every draw is validated).

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role};
use super::super::ir::{Id, Kind, Rules, Types};
use crate::spec::pointer;

/// The `not` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    ..Keyword::new("not", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct Not(Vec<Id>);

/// The schemas values of `rules` must not satisfy.
#[must_use]
pub fn of(rules: &Rules) -> &[Id] {
    rules.get::<Not>().map_or(&[], |n| &n.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if !map.contains_key("not") {
        return Ok(());
    }
    let here = pointer::join(at, "not");
    let id = cx.compile(&here)?;
    let excluded = match cx.resolved(id).kind {
        Kind::Any => Types::ALL,
        Kind::Typed(inner) if inner.only_types() => inner.types,
        _ => Types::default(),
    };
    // No type left: the node allows nothing (an optional member under it is left out).
    rules.types = rules.types.without(excluded);
    rules.set(Not(vec![id]));
    Ok(())
}

fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    let both: Vec<Id> = of(a).iter().chain(of(b)).copied().collect();
    if !both.is_empty() {
        out.set(Not(both));
    }
    Ok(())
}
