//! `patternProperties`: the schemas of members whose names match a pattern. Drawn objects
//! sometimes carry a member per pattern, its name drawn from the pattern.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Child, Draw, Keyword, Merge, Role};
use super::super::ir::{Id, Rules, Step, Types};
use super::super::patterns::Pattern;
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::properties;
use crate::spec::pointer;

/// The `patternProperties` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    child: Some(Child::Named(child)),
    ..Keyword::new("patternProperties", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct PatternProperties(Vec<(Pattern, Id)>);

/// The patterns of member names of objects of `rules`, and their schemas.
#[must_use]
pub fn of(rules: &Rules) -> &[(Pattern, Id)] {
    rules.get::<PatternProperties>().map_or(&[], |p| &p.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(patterns) = map.get("patternProperties") else {
        return Ok(());
    };
    let here = pointer::join(at, "patternProperties");
    let patterns = patterns
        .as_object()
        .ok_or_else(|| cx.refuse(&here, "`patternProperties` must be an object"))?;
    let mut list = Vec::with_capacity(patterns.len());
    for source in patterns.keys() {
        let at = pointer::join(&here, source);
        let pattern = Pattern::new(source).map_err(|e| cx.refuse(&at, e))?;
        list.push((pattern, cx.compile(&at)?));
    }
    rules.set(PatternProperties(list));
    Ok(())
}

fn child(rules: &Rules, step: Step<'_>) -> Option<Id> {
    match step {
        Step::Member(name) => of(rules)
            .iter()
            .find(|(pattern, _)| pattern.matches(name))
            .map(|(_, id)| *id),
        Step::Item(_) => None,
    }
}

fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    let both: Vec<(Pattern, Id)> = of(a).iter().chain(of(b)).cloned().collect();
    if !both.is_empty() {
        out.set(PatternProperties(both));
    }
    Ok(())
}

/// A member whose name matches one of the patterns (none listed by `properties`), or `None`.
pub fn extra(
    rules: &Rules,
    taken: &Map<String, Value>,
    ctx: &mut Ctx<'_>,
) -> Option<(String, Value)> {
    let list = of(rules);
    if list.is_empty() {
        return None;
    }
    let (pattern, id) = ctx.rng.pick(list).clone();
    for _ in 0..4 {
        let name = pattern.generate(ctx.rng, 4);
        if !taken.contains_key(&name) && properties::schema(rules, &name).is_none() {
            let value = ctx.member(id, &name);
            return Some((name, value));
        }
    }
    None
}

fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let Value::Object(out) = value else {
        return;
    };
    if of(rules).is_empty() || ctx.too_deep() || !ctx.rng.chance(1, 2) {
        return;
    }
    if let Some((name, member)) = extra(rules, out, ctx) {
        out.insert(name, member);
    }
}
