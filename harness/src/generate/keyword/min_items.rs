//! `minItems`: the fewest items an array may have.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::violate::{Edit, Spot, Walk, shown};

/// The `minItems` keyword.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::ARRAY),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("minItems", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct MinItems(usize);

/// The fewest items an array of `rules` may have (0 without `minItems`).
#[must_use]
pub fn of(rules: &Rules) -> usize {
    rules.get::<MinItems>().map_or(0, |m| m.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if let Some(min) = cx.count(map, at, "minItems")? {
        rules.set(MinItems(min));
    }
    Ok(())
}

fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    let min = of(a).max(of(b));
    if min > 0 {
        out.set(MinItems(min));
    }
    Ok(())
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::Array(items), min) = (value, of(rules)) else {
        return;
    };
    if min > 0 && items.len() >= min {
        walk.push(
            spot,
            Edit::Set {
                at: spot.at.clone(),
                value: Value::Array(items[..min - 1].to_vec()),
            },
            "minItems",
            format!(
                "{} has {} items, fewer than minItems {min}",
                shown(&spot.at),
                min - 1,
            ),
        );
    }
}
