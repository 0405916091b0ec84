//! `type`: the JSON types a value may have. Drawing a typed node starts here: the type is
//! picked, scalars are built within the bounds their keywords set (lengths, `pattern`,
//! `format`, number bounds), and the keywords of arrays and objects build those.

use serde_json::{Map, Number, Value};

use super::super::compile::Compiler;
use super::super::cover::{self, Decision};
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::rng::Draw as _;
use super::super::sample::{Ctx, LONG_STRING};
use super::super::violate::{Edit, Spot, Walk, shown};
use super::{format, max_length, maximum, min_length, minimum, pattern};
use crate::spec::pointer;

/// The `type` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Typed(draw)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("type", Role::Rule(compile))
};

fn from_name(name: &str) -> Option<Types> {
    Some(match name {
        "null" => Types::NULL,
        "boolean" => Types::BOOLEAN,
        "integer" => Types::INTEGER,
        "number" => Types::NUMBER,
        "string" => Types::STRING,
        "array" => Types::ARRAY,
        "object" => Types::OBJECT,
        _ => return None,
    })
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let types = match map.get("type") {
        None => Types::ALL,
        Some(Value::String(name)) => from_name(name).ok_or_else(|| {
            cx.refuse(&pointer::join(at, "type"), format!("unknown type `{name}`"))
        })?,
        Some(Value::Array(names)) => {
            let mut set = Types::default();
            for name in names {
                let t = name.as_str().and_then(from_name).ok_or_else(|| {
                    cx.refuse(&pointer::join(at, "type"), format!("unknown type {name}"))
                })?;
                set = set.or(t);
            }
            set
        }
        Some(_) => {
            return Err(cx.refuse(
                &pointer::join(at, "type"),
                "`type` must be a string or an array",
            ));
        }
    };
    // An integer is a number; `type: number` admits integers too.
    rules.types = if types.has(Types::NUMBER) {
        types.or(Types::INTEGER)
    } else {
        types
    };
    Ok(())
}

fn merge(
    cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    at: &str,
) -> Result<(), GenError> {
    out.types = a.types.and(b.types);
    out.hint = match a.hint.and(b.hint) {
        none if none.is_empty() => a.hint.or(b.hint),
        both => both,
    };
    if out.types.is_empty() {
        let names = |t: Types| t.each().map(Types::name).collect::<Vec<_>>().join("|");
        return Err(cx.refuse(
            at,
            format!(
                "no value satisfies this schema: the parts it joins share no type ({} and {})",
                names(a.types),
                names(b.types)
            ),
        ));
    }
    Ok(())
}

fn violate(rules: &Rules, _value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    if rules.types == Types::ALL {
        return;
    }
    let wrong = [
        (Types::STRING, Value::String("wrong type".into())),
        (Types::INTEGER, Value::from(12345)),
        (Types::BOOLEAN, Value::Bool(true)),
        (Types::NULL, Value::Null),
        (Types::OBJECT, Value::Object(Map::new())),
        (Types::ARRAY, Value::Array(Vec::new())),
    ]
    .into_iter()
    .find(|(t, _)| !rules.types.has(*t));
    if let Some((t, v)) = wrong {
        walk.push(
            spot,
            Edit::Set {
                at: spot.at.clone(),
                value: v,
            },
            "type",
            format!(
                "{} is a {} where the schema wants another type",
                shown(&spot.at),
                t.name()
            ),
        );
    }
}

/// A value of a typed node: a type is picked, a scalar is built here, and the type's hooks
/// (the keywords that build arrays and objects) run in table order.
fn draw(rules: &Rules, ctx: &mut Ctx<'_>) -> Value {
    let preferred = rules.types.and(rules.hint);
    let ty = pick(
        if preferred.is_empty() {
            rules.types
        } else {
            preferred
        },
        ctx,
    );
    let mut value = match ty {
        Types::BOOLEAN => Value::Bool(match ctx.choose(Decision::Boolean, 0, 2, None) {
            Some(choice) => choice == 0,
            None => ctx.rng.chance(1, 2),
        }),
        Types::INTEGER => integer(rules, ctx),
        Types::NUMBER => float(rules, ctx),
        Types::STRING => Value::String(string(rules, ctx)),
        _ => Value::Null,
    };
    ctx.shape(ty, rules, &mut value);
    value
}

fn pick(types: Types, ctx: &mut Ctx<'_>) -> Types {
    // The common case, one type (or one type and null), without collecting.
    let single = [
        Types::STRING,
        Types::OBJECT,
        Types::INTEGER,
        Types::BOOLEAN,
        Types::ARRAY,
    ]
    .into_iter()
    .find(|t| types == *t || types == Types::NULL.or(*t));
    if let Some(single) = single {
        let null = types.has(Types::NULL) && null_now(ctx);
        return if null { Types::NULL } else { single };
    }
    let mut others: Vec<Types> = types.each().filter(|t| *t != Types::NULL).collect();
    if types.has(Types::NULL) && (others.is_empty() || null_now(ctx)) {
        return Types::NULL;
    }
    // `type: number` admits integers; draw fractions most of the time.
    if others.len() == 2 && others.contains(&Types::INTEGER) && others.contains(&Types::NUMBER) {
        return if ctx.rng.chance(1, 3) {
            Types::INTEGER
        } else {
            Types::NUMBER
        };
    }
    // An untyped schema: prefer strings and objects, the common payload shapes.
    if others.len() > 2 {
        others.retain(|t| *t == Types::STRING || *t == Types::OBJECT || *t == Types::INTEGER);
    }
    *ctx.rng.pick(&others)
}

/// Whether a nullable value is `null` this time (coverage takes both).
fn null_now(ctx: &mut Ctx<'_>) -> bool {
    match ctx.choose(Decision::Null, 0, 2, None) {
        Some(choice) => choice == 0,
        None => ctx.rng.chance(1, if ctx.edge { 2 } else { 10 }),
    }
}

/// A string within the length bounds: drawn from the `format` if there is one (and kept only
/// if it also matches the `pattern`), else from the `pattern`, else free text.
fn string(rules: &Rules, ctx: &mut Ctx<'_>) -> String {
    let (min, max) = (min_length::of(rules), max_length::of(rules));
    let pattern = pattern::of(rules);
    let length_fits = |s: &str| {
        // Byte length bounds the character count from above: skip counting when it is short.
        let n = if s.len() <= min {
            s.len()
        } else {
            s.chars().count()
        };
        n >= min && max.is_none_or(|max| s.len() <= max || s.chars().count() <= max)
    };
    let mut last = String::new();
    for _ in 0..16 {
        let candidate = if let Some(text) = format::draw(rules, ctx) {
            // A format's text may still miss a pattern beside it (`^https://` on a uri).
            if pattern.is_some_and(|p| !p.matches(&text)) {
                last = text;
                continue;
            }
            text
        } else if let Some(text) = pattern::draw(rules, ctx) {
            text
        } else {
            return text(min, max, ctx);
        };
        if length_fits(&candidate) {
            return candidate;
        }
        last = candidate;
    }
    last
}

/// Plain text for valid values.
const PLAIN: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'r', 's', 't', 'u',
    'w', 'A', 'B', 'K', 'Z', '0', '1', '7', ' ', '-', '_', '.',
];

/// Text for edge values: non-ASCII, emoji, and characters whose JSON escaping varies between
/// serialisers (`/`, `"`, `\`, control characters, U+2028, HTML-sensitive characters).
const EDGE: &[char] = &[
    'a', 'Z', '9', ' ', 'é', 'ß', '日', 'Ω', '😀', '/', '"', '\\', '\n', '\t', '\u{1}', '\u{7f}',
    '\u{2028}', '\u{2029}', '<', '>', '&', '\'', '\u{a0}', '\u{feff}',
];

/// Free text within the length bounds.
fn text(min: usize, max: Option<usize>, ctx: &mut Ctx<'_>) -> String {
    let (lengths, heavy) = cover::string_lengths(min, max);
    let steered = if ctx.edge && !ctx.long {
        ctx.choose(Decision::StringLength, 0, lengths.len(), heavy)
    } else {
        None
    };
    let len = if let Some(i) = steered {
        lengths[i]
    } else if ctx.long && max.is_none() {
        min + LONG_STRING
    } else if ctx.edge {
        match max {
            Some(max) if ctx.rng.chance(1, 2) => max,
            Some(_) => min,
            None if ctx.rng.chance(1, 2) => min,
            None => min + 64,
        }
    } else {
        let hi = max.unwrap_or(min + 16).min(min + 16);
        ctx.rng
            .between(min.max(usize::from(min == 0 && hi > 0)), hi.max(min))
    };
    let alphabet = if ctx.edge { EDGE } else { PLAIN };
    (0..len).map(|_| *ctx.rng.pick(alphabet)).collect()
}

/// An integer within the bounds.
fn integer(rules: &Rules, ctx: &mut Ctx<'_>) -> Value {
    let (lo, hi) = (
        minimum::lowest_integer(rules),
        maximum::highest_integer(rules),
    );
    if ctx.edge {
        let mut picks = vec![lo, hi];
        if lo <= 0 && 0 <= hi {
            picks.push(0);
        }
        let mut options = picks.clone();
        options.dedup();
        return Value::from(match ctx.choose(Decision::Number, 0, options.len(), None) {
            Some(i) => options[i],
            None => *ctx.rng.pick(&picks),
        });
    }
    // Typical values: near the lower bound, or small non-negative numbers when unbounded.
    let start = if minimum::of(rules).is_some() {
        lo
    } else {
        0.max(lo)
    };
    let end = hi.min(start.saturating_add(10_000));
    Value::from(ctx.rng.between_i64(start, end.max(start)))
}

/// A number (usually with a fraction) within the bounds.
fn float(rules: &Rules, ctx: &mut Ctx<'_>) -> Value {
    let (lower, upper) = (minimum::of(rules), maximum::of(rules));
    let ok = |x: f64| {
        lower.is_none_or(|b| {
            if b.exclusive {
                x > b.value
            } else {
                x >= b.value
            }
        }) && upper.is_none_or(|b| {
            if b.exclusive {
                x < b.value
            } else {
                x <= b.value
            }
        })
    };
    if ctx.edge {
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
        // Coverage also takes the declared bounds that are values themselves.
        let bounds = [lower, upper]
            .into_iter()
            .flatten()
            .filter(|b| !b.exclusive)
            .map(|b| b.value);
        let steerable: Vec<f64> = fitting.iter().copied().chain(bounds).collect();
        if let Some(i) = ctx.choose(Decision::Number, 0, steerable.len(), None) {
            return Number::from_f64(steerable[i]).map_or(Value::Null, Value::Number);
        }
        if !fitting.is_empty() {
            return Number::from_f64(*ctx.rng.pick(&fitting)).map_or(Value::Null, Value::Number);
        }
    }
    let lo = lower.map_or(0.0, |b| b.value);
    let hi = upper.map_or(lo + 1000.0, |b| b.value);
    for _ in 0..8 {
        let x = ((lo + (hi - lo) * ctx.rng.unit()) * 100.0).round() / 100.0;
        if ok(x) {
            return Number::from_f64(x).map_or(Value::Null, Value::Number);
        }
    }
    Number::from_f64(if lower.is_some_and(|b| b.exclusive) {
        (lo + hi) / 2.0
    } else {
        lo
    })
    .map_or(Value::Null, Value::Number)
}
