//! `required`: the members objects must have.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use super::additional_properties::{self, Additional};
use crate::spec::pointer;

/// The `required` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("required", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct Required(Vec<String>);

/// The members objects of `rules` must have, in schema order.
#[must_use]
pub fn of(rules: &Rules) -> &[String] {
    rules.get::<Required>().map_or(&[], |r| &r.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(required) = map.get("required") else {
        return Ok(());
    };
    let list = required.as_array().ok_or_else(|| {
        cx.refuse(
            &pointer::join(at, "required"),
            "`required` must be an array",
        )
    })?;
    let mut names = Vec::with_capacity(list.len());
    for name in list {
        let name = name
            .as_str()
            .ok_or_else(|| cx.refuse(&pointer::join(at, "required"), "`required` lists strings"))?;
        names.push(name.to_string());
    }
    rules.set(Required(names));
    Ok(())
}

/// Members required by either, in order of first mention.
fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    if a.get::<Required>().is_none() && b.get::<Required>().is_none() {
        return Ok(());
    }
    let mut names = of(a).to_vec();
    for name in of(b) {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    out.set(Required(names));
    Ok(())
}

/// Adds the required members `properties` does not list (from `additionalProperties`' schema,
/// or a placeholder string).
fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let Value::Object(out) = value else {
        return;
    };
    for name in of(rules) {
        if !out.contains_key(name) {
            let member = match additional_properties::of(rules) {
                Additional::Schema(id) => ctx.member(id, name),
                _ => Value::String("value".into()),
            };
            out.insert(name.clone(), member);
        }
    }
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let Value::Object(map) = value else {
        return;
    };
    for name in of(rules) {
        if map.contains_key(name) {
            walk.push(
                spot,
                Edit::Remove {
                    at: spot.at.clone(),
                    name: name.clone(),
                },
                "required",
                format!(
                    "the required property `{name}` of {} is missing",
                    shown(&spot.at)
                ),
            );
        }
    }
}
