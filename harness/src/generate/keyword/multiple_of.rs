//! `multipleOf`: numbers that are a multiple of a step. A drawn number is moved to a multiple
//! within its bounds (edge values to the multiples nearest the bounds).

use serde_json::{Map, Number, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, float, shown};
use super::{maximum, minimum};
use crate::spec::pointer;

/// The `multipleOf` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::NUMBER.or(Types::INTEGER), draw)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("multipleOf", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct MultipleOf(f64);

/// The step numbers of `rules` are multiples of, if any.
#[must_use]
pub fn of(rules: &Rules) -> Option<f64> {
    rules.get::<MultipleOf>().map(|m| m.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if let Some(step) = cx.number(map, at, "multipleOf")? {
        if step <= 0.0 {
            return Err(cx.refuse(
                &pointer::join(at, "multipleOf"),
                "`multipleOf` must be greater than 0",
            ));
        }
        rules.set(MultipleOf(step));
    }
    Ok(())
}

/// Two integer steps merge into their least common multiple; otherwise the first step draws
/// and validation filters on the other.
fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    let step = match (of(a), of(b)) {
        (Some(x), Some(y)) if x.fract() == 0.0 && y.fract() == 0.0 && x < 1e9 && y < 1e9 => {
            Some(x * y / gcd(x, y))
        }
        (x, y) => x.or(y),
    };
    if let Some(step) = step {
        out.set(MultipleOf(step));
    }
    Ok(())
}

fn gcd(mut a: f64, mut b: f64) -> f64 {
    while b != 0.0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Moves the drawn number to a multiple of the step within the bounds.
fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let (Some(step), Some(x)) = (of(rules), value.as_f64()) else {
        return;
    };
    let fits = |k: f64| {
        let y = k * step;
        minimum::of(rules).is_none_or(|b| y > b.value || (!b.exclusive && y == b.value))
            && maximum::of(rules).is_none_or(|b| y < b.value || (!b.exclusive && y == b.value))
    };
    let low = minimum::of(rules).map(|b| (b.value / step).ceil());
    let high = maximum::of(rules).map(|b| (b.value / step).floor());
    let mut candidates = Vec::with_capacity(4);
    if ctx.edge {
        candidates.extend(low.into_iter().flat_map(|k| [k, k + 1.0]));
        candidates.extend(high.into_iter().flat_map(|k| [k, k - 1.0]));
    }
    candidates.push((x / step).round());
    candidates.extend(
        low.into_iter()
            .chain(high)
            .flat_map(|k| [k, k + 1.0, k - 1.0]),
    );
    candidates.retain(|k| k.is_finite() && fits(*k));
    let Some(k) = (if ctx.edge && !candidates.is_empty() {
        Some(*ctx.rng.pick(&candidates))
    } else {
        candidates.first().copied()
    }) else {
        return;
    };
    // Other validators check a fractional step by float division (Python's `jsonschema`:
    // `int(y / step) == y / step`), which refuses multiples it does not give back exactly
    // (171.63 for 0.0001): the nearest multiple that division gives back, where one fits.
    let exact = |k: f64| ((k * step) / step).fract() == 0.0;
    let k = if exact(k) {
        k
    } else {
        (1..=64)
            .flat_map(|d| [k + f64::from(d), k - f64::from(d)])
            .find(|k| fits(*k) && exact(*k))
            .unwrap_or(k)
    };
    let y = k * step;
    *value = if y.fract() == 0.0 && y.abs() < 9e15 {
        Value::from(y as i64)
    } else {
        Number::from_f64(y).map_or(Value::Null, Value::Number)
    };
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Some(step), Some(x)) = (of(rules), value.as_f64()) else {
        return;
    };
    // One past a multiple stays an integer for integer steps above 1.
    let off = if step.fract() == 0.0 && step > 1.0 {
        1.0
    } else {
        step / 2.0
    };
    let y = x + off;
    let new = if y.fract() == 0.0 && y.abs() < 9e15 {
        Value::from(y as i64)
    } else {
        float(y)
    };
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: new,
        },
        "multipleOf",
        format!("{} is not a multiple of {step}", shown(&spot.at)),
    );
}
