//! `prefixItems`: the schemas of an array's first items, one each (tuples).

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Child, Keyword, Merge, Role};
use super::super::ir::{Id, Rules, Step, Types};
use crate::spec::pointer;

/// The `prefixItems` keyword.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::ARRAY),
    merge: Some(Merge::Rule(merge)),
    child: Some(Child::Named(child)),
    ..Keyword::new("prefixItems", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct PrefixItems(Vec<Id>);

/// The schemas of the first items of arrays of `rules`.
#[must_use]
pub fn of(rules: &Rules) -> &[Id] {
    rules.get::<PrefixItems>().map_or(&[], |p| &p.0)
}

/// Reads the array of schemas at `here` as the prefix (also draft-07's array form of `items`).
pub fn read(
    cx: &mut Compiler<'_>,
    items: &Value,
    here: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let items = items
        .as_array()
        .ok_or_else(|| cx.refuse(here, "a list of item schemas must be an array"))?;
    let mut ids = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        ids.push(cx.compile(&format!("{here}/{i}"))?);
    }
    rules.set(PrefixItems(ids));
    Ok(())
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(prefix) = map.get("prefixItems") else {
        return Ok(());
    };
    read(cx, prefix, &pointer::join(at, "prefixItems"), rules)
}

fn child(rules: &Rules, step: Step<'_>) -> Option<Id> {
    match step {
        Step::Item(i) => of(rules).get(i).copied(),
        Step::Member(_) => None,
    }
}

fn merge(
    cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    at: &str,
) -> Result<(), GenError> {
    let (x, y) = (of(a), of(b));
    if !x.is_empty() && !y.is_empty() {
        return Err(cx.refuse(at, "two `prefixItems` in one `allOf` are not supported"));
    }
    let prefix = if x.is_empty() { y } else { x };
    if !prefix.is_empty() {
        out.set(PrefixItems(prefix.to_vec()));
    }
    Ok(())
}
