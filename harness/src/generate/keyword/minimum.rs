//! `minimum` and `exclusiveMinimum`: the lower bound of numbers. The two keywords set one
//! bound (the tighter wins), so they share this file: the bound is merged and broken as one,
//! and reported under the keyword that set it.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::violate::{Edit, Spot, Walk, float, shown};

/// The `minimum` keyword.
pub const MINIMUM: Keyword = Keyword {
    types: Some(Types::NUMBER.or(Types::INTEGER)),
    merge: Some(Merge::Rule(merge)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("minimum", Role::Rule(compile_minimum))
};

/// The `exclusiveMinimum` keyword: it tightens the bound `minimum` set, and shares its merge
/// and its violation.
pub const EXCLUSIVE_MINIMUM: Keyword = Keyword {
    types: Some(Types::NUMBER.or(Types::INTEGER)),
    ..Keyword::new("exclusiveMinimum", Role::Rule(compile_exclusive))
};

/// The largest integer JavaScript represents exactly (2^53 - 1): unbounded integers stay
/// within it.
pub const SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// A bound of numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The bound.
    pub value: f64,
    /// Whether the bound itself is excluded.
    pub exclusive: bool,
}

#[derive(Debug, Clone)]
struct Lower(Bound);

/// The lower bound of numbers of `rules`, if any.
#[must_use]
pub fn of(rules: &Rules) -> Option<Bound> {
    rules.get::<Lower>().map(|l| l.0)
}

/// The lowest integer the bound of `rules` allows.
#[must_use]
pub fn lowest_integer(rules: &Rules) -> i64 {
    of(rules).map_or(-SAFE_INTEGER, |b| {
        let c = b.value.ceil();
        if b.exclusive && c == b.value {
            (c as i64).saturating_add(1)
        } else {
            c as i64
        }
    })
}

fn compile_minimum(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if let Some(value) = cx.number(map, at, "minimum")? {
        rules.set(Lower(Bound {
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
    // Draft 4's boolean form makes the `minimum` beside it exclusive.
    if let Some(Value::Bool(exclusive)) = map.get("exclusiveMinimum") {
        if let Some(bound) = rules.get_mut::<Lower>() {
            bound.0.exclusive = *exclusive;
        }
        return Ok(());
    }
    if let Some(value) = cx.number(map, at, "exclusiveMinimum")?
        && of(rules).is_none_or(|b| value >= b.value)
    {
        rules.set(Lower(Bound {
            value,
            exclusive: true,
        }));
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
        (Some(x), Some(y)) if x.value > y.value => Some(x),
        (Some(x), Some(y)) if y.value > x.value => Some(y),
        (Some(x), Some(y)) => Some(Bound {
            value: x.value,
            exclusive: x.exclusive || y.exclusive,
        }),
        (x, y) => x.or(y),
    };
    if let Some(bound) = bound {
        out.set(Lower(bound));
    }
    Ok(())
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::Number(n), Some(bound)) = (value, of(rules)) else {
        return;
    };
    let below = if n.is_i64() || n.is_u64() {
        Value::from(lowest_integer(rules).saturating_sub(1))
    } else {
        float(if bound.exclusive {
            bound.value
        } else {
            bound.value - 1.0
        })
    };
    let keyword = if bound.exclusive {
        "exclusiveMinimum"
    } else {
        "minimum"
    };
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: below,
        },
        keyword,
        format!("{} is below the {keyword} {}", shown(&spot.at), bound.value),
    );
}
