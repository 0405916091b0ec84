//! `maxLength`: the most characters a string may have.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::violate::{Edit, Spot, Walk, shown};
use super::min_length;

/// The `maxLength` keyword.
pub const KEYWORD: Keyword = Keyword {
    conflict: Some(conflict),
    types: Some(Types::STRING),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("maxLength", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct MaxLength(usize);

/// The most characters a string of `rules` may have, if bounded.
#[must_use]
pub fn of(rules: &Rules) -> Option<usize> {
    rules.get::<MaxLength>().map(|m| m.0)
}

/// Reads `maxLength` and checks it against `minLength`. `minLength` is read first, so that a
/// schema with both malformed reports `minLength`; it compiles after `maxLength` because the
/// table order is also the order of violation sites, where `maxLength` comes first.
fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if !map.contains_key("maxLength") {
        return Ok(());
    }
    let min = min_length::read(cx, map, at)?.unwrap_or(0);
    let Some(max) = cx.count(map, at, "maxLength")? else {
        return Ok(());
    };
    if max < min {
        return Err(cx.refuse(at, "`maxLength` is below `minLength`: no string fits"));
    }
    rules.set(MaxLength(max));
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
        out.set(MaxLength(max));
    }
    Ok(())
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::String(s), Some(max)) = (value, of(rules)) else {
        return;
    };
    let len = s.chars().count();
    let longer: String = s
        .chars()
        .chain(std::iter::repeat_n('x', max + 1 - len.min(max + 1)))
        .collect();
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: Value::String(longer),
        },
        "maxLength",
        format!(
            "{} is {} characters, longer than maxLength {max}",
            shown(&spot.at),
            max + 1
        ),
    );
}

/// `minLength` above `maxLength` leaves no string.
fn conflict(rules: &Rules) -> Option<(Types, String)> {
    let (min, max) = (min_length::of(rules), of(rules)?);
    (min > max).then(|| {
        (
            Types::STRING,
            format!("minLength {min} is above maxLength {max}"),
        )
    })
}
