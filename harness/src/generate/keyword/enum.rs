//! `enum`: one of the listed values. Drawing, breaking and merging here serve `const` too,
//! which compiles to a choice of one value.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::cover::Decision;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Role, Violate};
use super::super::ir::Kind;
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use crate::spec::pointer;

/// The `enum` keyword.
pub const KEYWORD: Keyword = Keyword {
    draw: Some(Draw::Choice(draw)),
    violate: Some(Violate::Choice(violate)),
    ..Keyword::new("enum", Role::Shape(compile))
};

fn compile(cx: &mut Compiler<'_>, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
    let values = map["enum"]
        .as_array()
        .ok_or_else(|| cx.refuse(&pointer::join(at, "enum"), "`enum` must be an array"))?;
    if values.is_empty() {
        return Err(cx.refuse(
            &pointer::join(at, "enum"),
            "an empty `enum` allows no value",
        ));
    }
    Ok(Kind::Choice(values.clone(), "enum"))
}

/// The values both choices allow (`allOf`), in the first one's order.
pub fn intersect(
    cx: &Compiler<'_>,
    x: Vec<Value>,
    y: &[Value],
    at: &str,
) -> Result<Vec<Value>, GenError> {
    let both: Vec<Value> = x.into_iter().filter(|v| y.contains(v)).collect();
    if both.is_empty() {
        return Err(cx.refuse(
            at,
            "the `allOf` branches allow no common `const`/`enum` value",
        ));
    }
    Ok(both)
}

fn draw(values: &[Value], ctx: &mut Ctx<'_>) -> Value {
    match ctx.choose(Decision::Value, 0, values.len(), None) {
        Some(i) => values[i].clone(),
        None => ctx.rng.pick(values).clone(),
    }
}

/// A string none of the values is.
fn violate(
    values: &[Value],
    keyword: &'static str,
    _value: &Value,
    spot: &Spot,
    walk: &mut Walk<'_>,
) {
    let other = ["__not_a_listed_value__", "__other__"]
        .iter()
        .map(|s| Value::String((*s).to_string()))
        .find(|v| !values.contains(v));
    if let Some(other) = other {
        walk.push(
            spot,
            Edit::Set {
                at: spot.at.clone(),
                value: other,
            },
            keyword,
            format!("{} is not the allowed value(s)", shown(&spot.at)),
        );
    }
}
