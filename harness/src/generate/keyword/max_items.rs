//! `maxItems`: the most items an array may have.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::violate::{Edit, Spot, Walk, shown};
use super::min_items;

/// The `maxItems` keyword.
pub const KEYWORD: Keyword = Keyword {
    conflict: Some(conflict),
    types: Some(Types::ARRAY),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("maxItems", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct MaxItems(usize);

/// The most items an array of `rules` may have, if bounded.
#[must_use]
pub fn of(rules: &Rules) -> Option<usize> {
    rules.get::<MaxItems>().map(|m| m.0)
}

/// Reads `maxItems` and checks it against `minItems` (read just before, in table order).
fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(max) = cx.count(map, at, "maxItems")? else {
        return Ok(());
    };
    if max < min_items::of(rules) {
        return Err(cx.refuse(at, "`maxItems` is below `minItems`: no array fits"));
    }
    rules.set(MaxItems(max));
    Ok(())
}

fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    if let Some(max) = super::tighter_max(of(a), of(b)) {
        out.set(MaxItems(max));
    }
    Ok(())
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::Array(items), Some(max)) = (value, of(rules)) else {
        return;
    };
    let Some(last) = items.last() else {
        return;
    };
    let mut more = items.clone();
    while more.len() <= max {
        more.push(last.clone());
    }
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: Value::Array(more),
        },
        "maxItems",
        format!(
            "{} has {} items, more than maxItems {max}",
            shown(&spot.at),
            max + 1
        ),
    );
}

/// `minItems` above `maxItems` leaves no array.
fn conflict(rules: &Rules) -> Option<(Types, String)> {
    let (min, max) = (min_items::of(rules), of(rules)?);
    (min > max).then(|| {
        (
            Types::ARRAY,
            format!("minItems {min} is above maxItems {max}"),
        )
    })
}
