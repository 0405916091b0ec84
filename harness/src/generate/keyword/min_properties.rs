//! `minProperties`: the fewest members an object may have. Drawn objects get more members
//! until the count is reached: listed optional ones first, then ones matching a pattern, then
//! extra ones where the object allows them.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use super::additional_properties::{self, Additional};
use super::{pattern_properties, properties, property_names, required};

/// The `minProperties` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("minProperties", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct MinProperties(usize);

/// The most members a draw adds to reach `minProperties`.
const MOST: usize = 1000;

/// The fewest members objects of `rules` may have (0 without `minProperties`).
#[must_use]
pub fn of(rules: &Rules) -> usize {
    rules.get::<MinProperties>().map_or(0, |m| m.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if let Some(min) = cx.count(map, at, "minProperties")? {
        rules.set(MinProperties(min));
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
        out.set(MinProperties(min));
    }
    Ok(())
}

fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let min = of(rules);
    let Value::Object(out) = value else {
        return;
    };
    for (name, id) in properties::of(rules) {
        if out.len() >= min {
            return;
        }
        if !out.contains_key(name) {
            let member = ctx.member(*id, name);
            out.insert(name.clone(), member);
        }
    }
    // A count beyond any payload's size is left to validation (it refuses the draw).
    let min = min.min(MOST);
    let mut guard = 0;
    while out.len() < min && guard < min * 4 + 8 {
        guard += 1;
        if let Some((name, member)) = pattern_properties::extra(rules, out, ctx) {
            out.insert(name, member);
            continue;
        }
        let fallback = format!("extra{guard}");
        let name = property_names::name(rules, &fallback, ctx);
        if out.contains_key(&name) || ctx.names(rules, &name) {
            continue;
        }
        if additional_properties::of(rules) == Additional::Never {
            return;
        }
        let member = match ctx.member_schema(rules, &name) {
            Some(id) => ctx.member(id, &name),
            None => Value::String("value".into()),
        };
        out.insert(name, member);
    }
}

/// Optional members removed down to `min - 1`, when the required ones leave room.
fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let (Value::Object(map), min) = (value, of(rules)) else {
        return;
    };
    if min == 0 || map.len() < min || required::of(rules).len() >= min {
        return;
    }
    let mut fewer = map.clone();
    let optional: Vec<String> = map
        .keys()
        .filter(|k| !required::of(rules).contains(k))
        .cloned()
        .collect();
    for name in optional {
        if fewer.len() < min {
            break;
        }
        fewer.remove(&name);
    }
    if fewer.len() != min - 1 {
        return;
    }
    walk.push(
        spot,
        Edit::Set {
            at: spot.at.clone(),
            value: Value::Object(fewer),
        },
        "minProperties",
        format!(
            "{} has {} members, fewer than minProperties {min}",
            shown(&spot.at),
            min - 1
        ),
    );
}
