//! `maxProperties`: the most members an object may have. Drawn objects lose optional members
//! until the count fits.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use super::{min_properties, required};

/// The `maxProperties` keyword.
pub const KEYWORD: Keyword = Keyword {
    conflict: Some(conflict),
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("maxProperties", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct MaxProperties(usize);

/// The most members objects of `rules` may have, if bounded.
#[must_use]
pub fn of(rules: &Rules) -> Option<usize> {
    rules.get::<MaxProperties>().map(|m| m.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if let Some(max) = cx.count(map, at, "maxProperties")? {
        rules.set(MaxProperties(max));
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
    if let Some(max) = super::tighter_max(of(a), of(b)) {
        out.set(MaxProperties(max));
    }
    Ok(())
}

fn draw(rules: &Rules, value: &mut Value, _ctx: &mut Ctx<'_>) {
    let (Some(max), Value::Object(out)) = (of(rules), value) else {
        return;
    };
    let optional: Vec<String> = out
        .keys()
        .rev()
        .filter(|k| !required::of(rules).contains(k))
        .cloned()
        .collect();
    for name in optional {
        if out.len() <= max {
            break;
        }
        out.remove(&name);
    }
}

/// Members added up to `max + 1`.
fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Some(max), Value::Object(map)) = (of(rules), value) else {
        return;
    };
    let mut more: Map<String, Value> = map.clone();
    let mut i = 0;
    while more.len() <= max {
        more.insert(format!("extra{i}"), Value::from(i));
        i += 1;
    }
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: Value::Object(more),
        },
        "maxProperties",
        format!(
            "{} has {} members, more than maxProperties {max}",
            shown(&spot.at),
            max + 1
        ),
    );
}

/// `minProperties` above `maxProperties` leaves no object.
fn conflict(rules: &Rules) -> Option<(Types, String)> {
    let (min, max) = (min_properties::of(rules), of(rules)?);
    (min > max).then(|| {
        (
            Types::OBJECT,
            format!("minProperties {min} is above maxProperties {max}"),
        )
    })
}
