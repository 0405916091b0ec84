//! `maximum` and `exclusiveMaximum`: the upper bound of numbers. The two keywords set one
//! bound (the tighter wins), so they share this file: the bound is merged and broken as one,
//! and reported under the keyword that set it.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::violate::{Edit, Spot, Walk, float, shown};
use super::minimum::{self, Bound, SAFE_INTEGER};

/// The `maximum` keyword.
pub const MAXIMUM: Keyword = Keyword {
    conflict: Some(conflict),
    types: Some(Types::NUMBER.or(Types::INTEGER)),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("maximum", Role::Rule(compile_maximum))
};

/// The `exclusiveMaximum` keyword: it tightens the bound `maximum` set, and shares its merge
/// and its violation. The last of the four bound keywords in the table, it also checks that
/// the bounds leave a number.
pub const EXCLUSIVE_MAXIMUM: Keyword = Keyword {
    types: Some(Types::NUMBER.or(Types::INTEGER)),
    ..Keyword::new("exclusiveMaximum", Role::Rule(compile_exclusive))
};

#[derive(Debug, Clone)]
struct Upper(Bound);

/// The upper bound of numbers of `rules`, if any.
#[must_use]
pub fn of(rules: &Rules) -> Option<Bound> {
    rules.get::<Upper>().map(|u| u.0)
}

/// The highest integer the bound of `rules` allows.
#[must_use]
pub fn highest_integer(rules: &Rules) -> i64 {
    of(rules).map_or(SAFE_INTEGER, |b| {
        let f = b.value.floor();
        if b.exclusive && f == b.value {
            (f as i64).saturating_sub(1)
        } else {
            f as i64
        }
    })
}

fn compile_maximum(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if let Some(value) = cx.number(map, at, "maximum")? {
        rules.set(Upper(Bound {
            value,
            exclusive: false,
        }));
    }
    Ok(())
}

fn compile_exclusive(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    // Draft 4's boolean form makes the `maximum` beside it exclusive.
    if let Some(Value::Bool(exclusive)) = map.get("exclusiveMaximum") {
        if let Some(bound) = rules.get_mut::<Upper>() {
            bound.0.exclusive = *exclusive;
        }
        return Ok(());
    }
    if let Some(value) = cx.number(map, at, "exclusiveMaximum")?
        && of(rules).is_none_or(|b| value <= b.value)
    {
        rules.set(Upper(Bound {
            value,
            exclusive: true,
        }));
    }
    if let (Some(lo), Some(hi)) = (minimum::of(rules), of(rules))
        && (lo.value > hi.value || (lo.value == hi.value && (lo.exclusive || hi.exclusive)))
    {
        return Err(cx.refuse(at, "the number bounds leave no value"));
    }
    Ok(())
}

/// The tighter bound holds; at a tie, the exclusive one.
fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    let bound = match (of(a), of(b)) {
        (Some(x), Some(y)) if x.value < y.value => Some(x),
        (Some(x), Some(y)) if y.value < x.value => Some(y),
        (Some(x), Some(y)) => Some(Bound {
            value: x.value,
            exclusive: x.exclusive || y.exclusive,
        }),
        (x, y) => x.or(y),
    };
    if let Some(bound) = bound {
        out.set(Upper(bound));
    }
    Ok(())
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::Number(n), Some(bound)) = (value, of(rules)) else {
        return;
    };
    let above = if n.is_i64() || n.is_u64() {
        Value::from(highest_integer(rules).saturating_add(1))
    } else {
        float(if bound.exclusive {
            bound.value
        } else {
            bound.value + 1.0
        })
    };
    let keyword = if bound.exclusive {
        "exclusiveMaximum"
    } else {
        "maximum"
    };
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: above,
        },
        keyword,
        format!("{} is above the {keyword} {}", shown(&spot.at), bound.value),
    );
}

/// A lower bound above the upper one leaves no number; bounds with no integer between them
/// leave no integer.
fn conflict(rules: &Rules) -> Option<(Types, String)> {
    let (lower, upper) = (minimum::of(rules)?, of(rules)?);
    if lower.value > upper.value
        || (lower.value == upper.value && (lower.exclusive || upper.exclusive))
    {
        return Some((
            Types::NUMBER.or(Types::INTEGER),
            format!(
                "the lower bound {} is above the upper bound {}",
                lower.value, upper.value
            ),
        ));
    }
    (minimum::lowest_integer(rules) > highest_integer(rules)).then(|| {
        (
            Types::INTEGER,
            format!(
                "no integer lies between {} and {}",
                lower.value, upper.value
            ),
        )
    })
}
