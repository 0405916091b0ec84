//! `unevaluatedItems`: what arrays allow beyond the items the other keywords describe. Where
//! `items` is absent, it does its part: items past the prefix are dropped (`false`) or drawn
//! from its schema.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Child, Draw, Keyword, Merge, Role};
use super::super::ir::{Id, Rules, Step, Types};
use super::super::sample::Ctx;
use super::{items, prefix_items};
use crate::spec::pointer;

/// The `unevaluatedItems` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::ARRAY, draw)),
    child: Some(Child::Rest(child)),
    ..Keyword::new("unevaluatedItems", Role::Rule(compile))
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
    match map.get("unevaluatedItems") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => rules.set(Unevaluated::Never),
        Some(_) => rules.set(Unevaluated::Schema(
            cx.compile(&pointer::join(at, "unevaluatedItems"))?,
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
    match (step, rules.get::<Unevaluated>(), items::of(rules)) {
        (Step::Item(_), Some(Unevaluated::Schema(id)), None) => Some(*id),
        _ => None,
    }
}

fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let (Some(rule), Value::Array(out), None) =
        (rules.get::<Unevaluated>().copied(), value, items::of(rules))
    else {
        return;
    };
    let prefix = prefix_items::of(rules).len();
    match rule {
        Unevaluated::Never => out.truncate(prefix),
        Unevaluated::Schema(id) => {
            for (i, item) in out.iter_mut().enumerate().skip(prefix) {
                *item = ctx.member(id, &i.to_string());
            }
        }
    }
}
