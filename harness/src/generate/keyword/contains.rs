//! `contains`, with `minContains` and `maxContains`: how many items of an array satisfy a
//! schema (at least one by default). Drawn arrays get `minContains` items drawn from it, put
//! in place of others when `maxItems` leaves no room; `maxContains` filters.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Merge, Role};
use super::super::ir::{Id, Rules, Types};
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::{items, max_items};
use crate::spec::pointer;

/// The `contains` keyword (it reads `minContains` and `maxContains` beside it).
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::ARRAY, draw)),
    ..Keyword::new("contains", Role::Rule(compile))
};

#[derive(Debug, Clone)]
struct Contains {
    id: Id,
    min: usize,
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if !map.contains_key("contains") {
        return Ok(());
    }
    let here = pointer::join(at, "contains");
    let mut id = cx.compile(&here)?;
    // The items drawn for `contains` are items too: they satisfy `items` as well.
    if let Some(all) = items::of(rules) {
        let (kind, other) = (cx.resolved(id).kind, cx.resolved(all).kind);
        let merged = cx.merge(kind, other, &here).map_err(|_| {
            cx.refuse(
                &here,
                format!(
                    "no array item satisfies both this schema and the one at {}",
                    pointer::join(at, "items")
                ),
            )
        })?;
        id = cx.push(merged, &here);
    }
    let min = cx.count(map, at, "minContains")?.unwrap_or(1);
    if let Some(max) = cx.count(map, at, "maxContains")?
        && max < min
    {
        return Err(cx.refuse(
            &pointer::join(at, "maxContains"),
            format!("no array satisfies this schema: maxContains {max} is below minContains {min} (at {})", pointer::join(at, "minContains")),
        ));
    }
    rules.set(Contains { id, min });
    Ok(())
}

/// The first part's `contains` draws; the other's filters.
fn merge(
    _cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    _at: &str,
) -> Result<(), GenError> {
    if let Some(contains) = a.get::<Contains>().or(b.get::<Contains>()) {
        out.set(contains.clone());
    }
    Ok(())
}

fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let (Some(contains), Value::Array(items)) = (rules.get::<Contains>(), value) else {
        return;
    };
    let room = max_items::of(rules).map_or(usize::MAX, |max| max.saturating_sub(items.len()));
    // A count beyond any payload's size is left to validation (it refuses the draw).
    for k in 0..contains.min.min(1000) {
        let item = ctx.member(contains.id, &k.to_string());
        if k < room {
            let at = ctx.rng.between(0, items.len());
            items.insert(at, item);
        } else if k < items.len() {
            items[k] = item;
        }
    }
}
