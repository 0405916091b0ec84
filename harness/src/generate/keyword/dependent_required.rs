//! `dependentRequired` (and the array form of draft-07's `dependencies`): members an object
//! must have when another member is present. Drawn objects get the members their present ones
//! call for.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role, Violate};
use super::super::ir::{Rules, Types};
use super::super::sample::Ctx;
use super::super::violate::{Edit, Spot, Walk, shown};
use super::additional_properties::{self, Additional};
use super::{properties, required};
use crate::spec::pointer;

/// The `dependentRequired` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    violate: Some(Violate::Rule(violate)),
    ..Keyword::new("dependentRequired", Role::Rule(compile))
};

#[derive(Debug, Clone, Default)]
struct DependentRequired(Vec<(String, Vec<String>)>);

/// For each member name, the members it calls for.
#[must_use]
pub fn of(rules: &Rules) -> &[(String, Vec<String>)] {
    rules.get::<DependentRequired>().map_or(&[], |d| &d.0)
}

/// Reads a map from member names to lists of names (at `at`) into `rules`.
pub fn read(
    cx: &Compiler<'_>,
    name: &str,
    names: &Value,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let list = names
        .as_array()
        .and_then(|l| {
            l.iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| cx.refuse(at, "a dependency lists member names"))?;
    let mut all = rules
        .get::<DependentRequired>()
        .cloned()
        .unwrap_or_default();
    all.0.push((name.to_string(), list));
    rules.set(all);
    Ok(())
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(dependencies) = map.get("dependentRequired") else {
        return Ok(());
    };
    let here = pointer::join(at, "dependentRequired");
    let dependencies = dependencies
        .as_object()
        .ok_or_else(|| cx.refuse(&here, "`dependentRequired` must be an object"))?;
    for (name, names) in dependencies {
        read(cx, name, names, &pointer::join(&here, name), rules)?;
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
        out.set(DependentRequired(both));
    }
    Ok(())
}

/// Adds the members the present ones call for, until nothing more is called for.
fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let Value::Object(out) = value else {
        return;
    };
    for _ in 0..=of(rules).len() {
        let mut added = false;
        for (name, needed) in of(rules) {
            if !out.contains_key(name) {
                continue;
            }
            for member in needed {
                if out.contains_key(member) {
                    continue;
                }
                let drawn = match (
                    properties::schema(rules, member),
                    additional_properties::of(rules),
                ) {
                    (Some(id), _) | (None, Additional::Schema(id)) => ctx.member(id, member),
                    _ => Value::String("value".into()),
                };
                out.insert(member.clone(), drawn);
                added = true;
            }
        }
        if !added {
            return;
        }
    }
}

/// A member called for by a present one, removed (unless it is required anyway).
fn violate(rules: &Rules, value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    let Value::Object(map) = value else {
        return;
    };
    for (name, needed) in of(rules) {
        if !map.contains_key(name) {
            continue;
        }
        if let Some(member) = needed
            .iter()
            .find(|m| map.contains_key(*m) && !required::of(rules).contains(m))
        {
            walk.push(
                spot,
                Edit::Remove {
                    at: spot.at.clone(),
                    name: member.clone(),
                },
                "dependentRequired",
                format!("{} has `{name}` without `{member}`", shown(&spot.at)),
            );
        }
    }
}
