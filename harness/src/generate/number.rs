//! `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`: compiling and generating numbers.

use serde_json::{Map, Number, Value};

use super::error::GenError;
use super::ir::{Arena, NumberRules};
use super::rng::Draw;

/// Reads the number keywords of a schema.
pub fn compile(arena: &Arena, map: &Map<String, Value>, at: &str) -> Result<NumberRules, GenError> {
    let mut rules = NumberRules {
        min: arena.number(map, at, "minimum")?,
        max: arena.number(map, at, "maximum")?,
        ..NumberRules::default()
    };
    if let Some(x) = arena.number(map, at, "exclusiveMinimum")?
        && rules.min.is_none_or(|m| x >= m)
    {
        rules.min = Some(x);
        rules.exclusive_min = true;
    }
    if let Some(x) = arena.number(map, at, "exclusiveMaximum")?
        && rules.max.is_none_or(|m| x <= m)
    {
        rules.max = Some(x);
        rules.exclusive_max = true;
    }
    if let (Some(lo), Some(hi)) = (rules.min, rules.max)
        && (lo > hi || (lo == hi && (rules.exclusive_min || rules.exclusive_max)))
    {
        return Err(arena.refuse(at, "the number bounds leave no value"));
    }
    Ok(rules)
}

/// The integer bounds of `rules`, inclusive.
#[must_use]
pub fn integer_bounds(rules: &NumberRules) -> (i64, i64) {
    const SAFE: i64 = 9_007_199_254_740_991; // 2^53 - 1: beyond it, JavaScript loses integers.
    let lo = rules.min.map_or(-SAFE, |m| {
        let c = m.ceil();
        if rules.exclusive_min && c == m {
            c as i64 + 1
        } else {
            c as i64
        }
    });
    let hi = rules.max.map_or(SAFE, |m| {
        let f = m.floor();
        if rules.exclusive_max && f == m {
            f as i64 - 1
        } else {
            f as i64
        }
    });
    (lo, hi)
}

/// An integer within the bounds.
pub fn integer<R: Draw + ?Sized>(rules: &NumberRules, rng: &mut R, edge: bool) -> Value {
    let (lo, hi) = integer_bounds(rules);
    if edge {
        let mut picks = vec![lo, hi];
        if lo <= 0 && 0 <= hi {
            picks.push(0);
        }
        return Value::from(*rng.pick(&picks));
    }
    // Typical values: near the lower bound, or small non-negative numbers when unbounded.
    let start = if rules.min.is_some() { lo } else { 0.max(lo) };
    let end = hi.min(start.saturating_add(10_000));
    Value::from(rng.between_i64(start, end.max(start)))
}

/// A number (usually with a fraction) within the bounds.
pub fn float<R: Draw + ?Sized>(rules: &NumberRules, rng: &mut R, edge: bool) -> Value {
    let ok = |x: f64| {
        rules
            .min
            .is_none_or(|m| if rules.exclusive_min { x > m } else { x >= m })
            && rules
                .max
                .is_none_or(|m| if rules.exclusive_max { x < m } else { x <= m })
    };
    if edge {
        // Numbers whose text differs between serialisers: `1.0` vs `1`, `1e21`, `-0`, `1e-7`.
        let candidates = [
            1.0,
            1e21,
            -0.0,
            1e-7,
            0.1,
            123_456_789.0,
            f64::from(u32::MAX) + 0.5,
        ];
        let fitting: Vec<f64> = candidates.iter().copied().filter(|x| ok(*x)).collect();
        if !fitting.is_empty() {
            return Number::from_f64(*rng.pick(&fitting)).map_or(Value::Null, Value::Number);
        }
    }
    let lo = rules.min.unwrap_or(0.0);
    let hi = rules.max.unwrap_or(lo + 1000.0);
    for _ in 0..8 {
        let x = ((lo + (hi - lo) * rng.unit()) * 100.0).round() / 100.0;
        if ok(x) {
            return Number::from_f64(x).map_or(Value::Null, Value::Number);
        }
    }
    Number::from_f64(if rules.exclusive_min {
        (lo + hi) / 2.0
    } else {
        lo
    })
    .map_or(Value::Null, Value::Number)
}
