//! `dependentSchemas` (and the schema form of draft-07's `dependencies`): a schema the whole
//! object satisfies when a member is present. Drawn objects add the members that schema
//! requires; an optional trigger is sometimes left out, and validation filters the rest.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role};
use super::super::ir::{Id, Kind, Rules, Types};
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::{properties, required};
use crate::spec::pointer;

/// The `dependentSchemas` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    ..Keyword::new("dependentSchemas", Role::Rule(compile))
};

#[derive(Debug, Clone, Default)]
struct DependentSchemas(Vec<(String, Id)>);

/// For each member name, the schema objects having it satisfy.
#[must_use]
pub fn of(rules: &Rules) -> &[(String, Id)] {
    rules.get::<DependentSchemas>().map_or(&[], |d| &d.0)
}

/// Adds the schema at `at`, called for by the member `name`, to `rules`.
pub fn read(
    cx: &mut Compiler<'_>,
    name: &str,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let id = cx.compile(at)?;
    let mut all = rules.get::<DependentSchemas>().cloned().unwrap_or_default();
    all.0.push((name.to_string(), id));
    rules.set(all);
    Ok(())
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(dependencies) = map.get("dependentSchemas") else {
        return Ok(());
    };
    let here = pointer::join(at, "dependentSchemas");
    let dependencies = dependencies
        .as_object()
        .ok_or_else(|| cx.refuse(&here, "`dependentSchemas` must be an object"))?;
    for name in dependencies.keys() {
        read(cx, name, &pointer::join(&here, name), rules)?;
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
    let both: Vec<_> = of(a).iter().chain(of(b)).cloned().collect();
    if !both.is_empty() {
        out.set(DependentSchemas(both));
    }
    Ok(())
}

fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let Value::Object(out) = value else {
        return;
    };
    for (name, id) in of(rules) {
        if !out.contains_key(name) {
            continue;
        }
        if !required::of(rules).contains(name) && ctx.rng.chance(1, 2) {
            out.remove(name);
            continue;
        }
        let arena = ctx.arena;
        let Kind::Typed(dependent) = &arena.nodes[arena.resolve(*id)].kind else {
            continue;
        };
        for member in required::of(dependent) {
            if out.contains_key(member) {
                continue;
            }
            let schema =
                properties::schema(dependent, member).or(properties::schema(rules, member));
            let drawn = match schema {
                Some(id) => ctx.member(id, member),
                None => Value::String("value".into()),
            };
            out.insert(member.clone(), drawn);
        }
    }
}
