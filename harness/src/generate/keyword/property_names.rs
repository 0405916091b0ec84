//! `propertyNames`: the schema every member name satisfies. Names the generator makes up (extra
//! members) are drawn from it when it describes strings; listed names are the spec's own.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role};
use super::super::ir::{Id, Rules, Types};
use super::super::sample::Ctx;
use crate::spec::pointer;

/// The `propertyNames` keyword.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::OBJECT),
    merge: Some(Merge::Rule(merge)),
    ..Keyword::new("propertyNames", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct PropertyNames(Id);

/// The schema of member names of objects of `rules`, if any.
#[must_use]
pub fn of(rules: &Rules) -> Option<Id> {
    rules.get::<PropertyNames>().map(|p| p.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if map.contains_key("propertyNames") {
        rules.set(PropertyNames(
            cx.compile(&pointer::join(at, "propertyNames"))?,
        ));
    }
    Ok(())
}

/// The first part's names draw; the other's filter.
fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    if let Some(id) = of(a).or(of(b)) {
        out.set(PropertyNames(id));
    }
    Ok(())
}

/// A name for a made-up member: drawn from `propertyNames` when it gives a string, else
/// `fallback`.
pub fn name(rules: &Rules, fallback: &str, ctx: &mut Ctx<'_>) -> String {
    if let Some(id) = of(rules) {
        for _ in 0..4 {
            if let Value::String(name) = ctx.child(id) {
                return name;
            }
        }
    }
    fallback.to_string()
}
