//! `additionalProperties`: what objects allow beyond the members `properties` lists.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Child, Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Id, Kind, Rules, Step, Types};
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use crate::spec::pointer;

/// The `additionalProperties` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    violate: Some(Violate::Rule(violate)),
    child: Some(Child::Rest(child)),
    ..Keyword::new("additionalProperties", Role::Rule(compile))
};

/// What an object allows beyond its listed properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Additional {
    /// Anything (absent or `true`).
    Any,
    /// Nothing (`false`).
    Never,
    /// Values of this node.
    Schema(Id),
}

/// What objects of `rules` allow beyond their listed properties.
#[must_use]
pub fn of(rules: &Rules) -> Additional {
    rules
        .get::<Additional>()
        .copied()
        .unwrap_or(Additional::Any)
}

/// Names used for unknown extra properties in edge values.
const EXTRA_NAMES: &[&str] = &["unknownField", "x_extra", "_links", "__proto__x", "0", "é"];

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let additional = match map.get("additionalProperties") {
        None | Some(Value::Bool(true)) => return Ok(()),
        Some(Value::Bool(false)) => Additional::Never,
        Some(_) => Additional::Schema(cx.compile(&pointer::join(at, "additionalProperties"))?),
    };
    rules.set(additional);
    Ok(())
}

/// The schema of members the keywords before this one leave undescribed.
fn child(rules: &Rules, step: Step<'_>) -> Option<Id> {
    match (step, of(rules)) {
        (Step::Member(_), Additional::Schema(id)) => Some(id),
        _ => None,
    }
}

/// Closed if either is closed; two schemas merge into one.
fn merge(
    cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    at: &str,
) -> Result<(), GenError> {
    let additional = match (of(a), of(b)) {
        (Additional::Never, _) | (_, Additional::Never) => Additional::Never,
        (Additional::Any, x) | (x, Additional::Any) => x,
        (Additional::Schema(x), Additional::Schema(y)) => {
            let kx = cx.arena.nodes[x].kind.clone();
            let ky = cx.arena.nodes[y].kind.clone();
            let kind = cx.merge(kx, ky, at)?;
            Additional::Schema(cx.push(kind, at))
        }
    };
    if additional != Additional::Any {
        out.set(additional);
    }
    Ok(())
}

/// Edge values sometimes carry one unknown member, where the schema allows it.
fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let Value::Object(out) = value else {
        return;
    };
    if !(ctx.edge && !ctx.too_deep() && ctx.rng.chance(1, 2)) {
        return;
    }
    match of(rules) {
        Additional::Never => {}
        Additional::Any => {
            let name = *ctx.rng.pick(EXTRA_NAMES);
            if !out.contains_key(name) && !ctx.names(rules, name) {
                let extra = match ctx.rng.below(3) {
                    0 => Value::String("extra ✓".into()),
                    1 => Value::from(42),
                    _ => serde_json::json!({"nested": [1, "two", null]}),
                };
                out.insert(name.to_string(), extra);
            }
        }
        Additional::Schema(id) => {
            let name = *ctx.rng.pick(EXTRA_NAMES);
            if !out.contains_key(name) && !ctx.names(rules, name) {
                let extra = ctx.child(id);
                out.insert(name.to_string(), extra);
            }
        }
    }
}

fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    if !value.is_object() {
        return;
    }
    let name = "unexpectedProperty";
    if let Additional::Schema(id) = of(rules) {
        // An extra member of a type the schema of extras does not allow (an object where
        // only scalars may be); the validator reports it at the member.
        let arena = walk.arena;
        let Kind::Typed(extra) = &arena.nodes[arena.resolve(id)].kind else {
            return;
        };
        let wrong = [
            (Types::OBJECT, serde_json::json!({"nested": {"deep": true}})),
            (Types::ARRAY, serde_json::json!([1, "two"])),
            (Types::STRING, Value::String("text".into())),
            (Types::INTEGER, Value::from(7)),
            (Types::BOOLEAN, Value::Bool(true)),
            (Types::NULL, Value::Null),
        ]
        .into_iter()
        .find(|(t, _)| !extra.types.has(*t));
        if let Some((t, wrong)) = wrong {
            walk.push(
                spot,
                Edit::Set {
                    at: pointer::join(&spot.at, name),
                    value: wrong,
                },
                "additionalProperties",
                format!(
                    "{} has an extra property `{name}` of type {}, which the schema of its extra properties does not allow",
                    shown(&spot.at),
                    t.name()
                ),
            );
        }
        return;
    }
    if of(rules) != Additional::Never {
        return;
    }
    walk.push(
        spot,
        Edit::Set {
            at: pointer::join(&spot.at, name),
            value: Value::from(1),
        },
        "additionalProperties",
        format!("{} has an unknown property `{name}`", shown(&spot.at)),
    );
}
