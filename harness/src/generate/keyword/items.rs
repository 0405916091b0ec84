//! `items`: the schema of an array's items after its `prefixItems`. Drawing an array happens
//! here: its length within `minItems`/`maxItems` (a closed tuple comes whole), then each item
//! from its schema.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::cover::{self, Decision};
use super::super::error::GenError;
use super::super::hooks::{Child, Draw, Keyword, Merge, Role};
use super::super::ir::{Id, Kind, Rules, Step, Types};
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::{max_items, min_items, prefix_items};
use crate::spec::pointer;

/// The `items` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::ARRAY, draw)),
    child: Some(Child::Rest(child)),
    ..Keyword::new("items", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct Items(Id);

/// Sets the schema of items after the prefix (draft-07's `additionalItems`).
pub fn set(rules: &mut Rules, id: Id) {
    rules.set(Items(id));
}

/// The schema of items after the prefix, if any (`None` allows anything).
#[must_use]
pub fn of(rules: &Rules) -> Option<Id> {
    rules.get::<Items>().map(|i| i.0)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    match map.get("items") {
        None => {}
        // Draft-07's array form: a prefix, and `additionalItems` for the rest.
        Some(list @ Value::Array(_)) => {
            prefix_items::read(cx, list, &pointer::join(at, "items"), rules)?;
        }
        Some(_) => rules.set(Items(cx.compile(&pointer::join(at, "items"))?)),
    }
    Ok(())
}

fn child(rules: &Rules, step: Step<'_>) -> Option<Id> {
    match step {
        Step::Item(_) => of(rules),
        Step::Member(_) => None,
    }
}

fn merge(
    cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    at: &str,
) -> Result<(), GenError> {
    match (of(a), of(b)) {
        (Some(_), Some(_)) => Err(cx.refuse(at, "two `items` in one `allOf` are not supported")),
        (x, y) => {
            if let Some(id) = x.or(y) {
                out.set(Items(id));
            }
            Ok(())
        }
    }
}

/// An array: its length first, then each item from the prefix's schema or `items`'.
fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let (prefix, items) = (prefix_items::of(rules), of(rules));
    let (min, max) = (min_items::of(rules), max_items::of(rules));
    let never = |id: Id| matches!(ctx.arena.nodes[ctx.arena.resolve(id)].kind, Kind::Never);
    // Items beyond the prefix are possible unless `items` is `false`; none at or after a
    // prefix schema that is `false` (a tuple `[true, false]` holds at most one item).
    let open_ended = items.is_none_or(|id| !never(id));
    let closed_at = prefix.iter().position(|id| never(*id));
    let cap = match closed_at {
        Some(i) => i,
        None if open_ended => usize::MAX,
        None => prefix.len(),
    };
    let max = max.unwrap_or(usize::MAX).min(cap);
    let (lengths, heavy) = cover::array_lengths(min.max(prefix.len().min(max)), max);
    let steered = if ctx.edge && !ctx.long && !ctx.too_deep() {
        ctx.choose(Decision::ArrayLength, 0, lengths.len(), heavy)
    } else {
        None
    };
    let len = if let Some(i) = steered {
        lengths[i]
    } else if ctx.too_deep() {
        min
    } else if ctx.edge {
        match ctx.rng.below(3) {
            0 => min,
            1 => max.min(min + 12),
            _ => min.max(prefix.len()).min(max),
        }
    } else {
        // Prefixed arrays (tuples) come whole; others hold a few items.
        let lo = min.max(prefix.len().min(max));
        ctx.rng.between(lo, max.min(lo + 3).max(lo))
    };
    // Long mode puts its long strings in arrays too.
    let len = if ctx.long && len == 0 && max >= 1 && !ctx.too_deep() {
        1
    } else {
        len
    };
    let draw_items = |ctx: &mut Ctx<'_>| {
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            let item = match prefix.get(i).copied().or(items) {
                Some(id) => ctx.member(id, &i.to_string()),
                None => Value::String(format!("item {i}")),
            };
            out.push(item);
        }
        out
    };
    // The items of a long array are ordinary ones: one large thing per value.
    let out = if steered.is_some() && steered == heavy {
        ctx.unsteered(draw_items)
    } else {
        draw_items(ctx)
    };
    *value = Value::Array(out);
}
