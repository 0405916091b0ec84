//! `minLength`: the fewest characters a string may have.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::violate::{Edit, Spot, Walk, shown};

/// The `minLength` keyword.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::STRING),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("minLength", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct MinLength(usize);

/// The fewest characters a string of `rules` may have (0 without `minLength`).
#[must_use]
pub fn of(rules: &Rules) -> usize {
    rules.get::<MinLength>().map_or(0, |m| m.0)
}

/// Reads `minLength` (`maxLength` reads it too, to check the two against each other).
pub fn read(
    cx: &Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
) -> Result<Option<usize>, GenError> {
    cx.count(map, at, "minLength")
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if let Some(min) = read(cx, map, at)? {
        rules.set(MinLength(min));
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
        out.set(MinLength(min));
    }
    Ok(())
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::String(s), min) = (value, of(rules)) else {
        return;
    };
    if min > 0 {
        let shorter: String = s.chars().take(min - 1).collect();
        walk.push(
            spot,
            Edit::Set {
                at: spot.at.clone(),
                value: Value::String(shorter),
            },
            "minLength",
            format!(
                "{} is {} characters, shorter than minLength {min}",
                shown(&spot.at),
                min - 1,
            ),
        );
    }
}
