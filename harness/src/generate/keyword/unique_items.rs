//! `uniqueItems`: arrays without two equal items. Drawn arrays drop their repeated items (a
//! `minItems` that then fails is retried by validation).

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use crate::spec::pointer;

/// The `uniqueItems` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::ARRAY, draw)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("uniqueItems", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct Unique;

/// Whether arrays of `rules` must hold distinct items.
#[must_use]
pub fn of(rules: &Rules) -> bool {
    rules.get::<Unique>().is_some()
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    match map.get("uniqueItems") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => rules.set(Unique),
        Some(_) => {
            return Err(cx.refuse(
                &pointer::join(at, "uniqueItems"),
                "`uniqueItems` must be a boolean",
            ));
        }
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
    if of(a) || of(b) {
        out.set(Unique);
    }
    Ok(())
}

/// Equal as JSON Schema means it: numbers by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn draw(rules: &Rules, value: &mut Value, _ctx: &mut Ctx<'_>) {
    let (true, Value::Array(items)) = (of(rules), value) else {
        return;
    };
    let mut kept: Vec<Value> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if !kept.iter().any(|k| same(k, &item)) {
            kept.push(item);
        }
    }
    *items = kept;
}

/// The first item repeated: appended, or over the last item when the array has two or more.
fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (true, Value::Array(items)) = (of(rules), value) else {
        return;
    };
    let Some(first) = items.first() else {
        return;
    };
    let mut repeated = items.clone();
    if items.len() >= 2 {
        repeated[items.len() - 1] = first.clone();
    } else {
        repeated.push(first.clone());
    }
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: Value::Array(repeated),
        },
        "uniqueItems",
        format!("{} holds the same item twice", shown(&spot.at)),
    );
}
