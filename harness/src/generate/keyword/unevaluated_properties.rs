//! `unevaluatedProperties`: what objects allow beyond the members the other keywords describe.
//! Where `additionalProperties` is absent, it does its part: members no keyword describes are
//! removed (`false`) or drawn from its schema; `allOf` parts have been merged by then, so their
//! members count as described.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Child, Draw, Keyword, Merge, Role};
use super::super::ir::{Id, Rules, Step, Types};
use super::super::sample::Ctx;
use super::additional_properties::{self, Additional};
use super::required;
use crate::spec::pointer;

/// The `unevaluatedProperties` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    child: Some(Child::Rest(child)),
    ..Keyword::new("unevaluatedProperties", Role::Rule(compile))
};

#[derive(Debug, Clone, Copy)]
enum Unevaluated {
    Never,
    Schema(Id),
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    match map.get("unevaluatedProperties") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => rules.set(Unevaluated::Never),
        Some(_) => rules.set(Unevaluated::Schema(
            cx.compile(&pointer::join(at, "unevaluatedProperties"))?,
        )),
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
    if let Some(rule) = a.get::<Unevaluated>().or(b.get::<Unevaluated>()) {
        out.set(*rule);
    }
    Ok(())
}

fn child(rules: &Rules, step: Step<'_>) -> Option<Id> {
    match (
        step,
        rules.get::<Unevaluated>(),
        additional_properties::of(rules),
    ) {
        (Step::Member(_), Some(Unevaluated::Schema(id)), Additional::Any) => Some(*id),
        _ => None,
    }
}

fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let (Some(rule), Value::Object(out)) = (rules.get::<Unevaluated>().copied(), value) else {
        return;
    };
    if additional_properties::of(rules) != Additional::Any {
        return;
    }
    let undescribed: Vec<String> = out
        .keys()
        .filter(|k| !ctx.names(rules, k))
        .cloned()
        .collect();
    for name in undescribed {
        match rule {
            Unevaluated::Never if !required::of(rules).contains(&name) => {
                out.remove(&name);
            }
            Unevaluated::Never => {}
            Unevaluated::Schema(id) => {
                let member = ctx.member(id, &name);
                out.insert(name, member);
            }
        }
    }
}
