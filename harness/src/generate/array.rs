//! `prefixItems`, `items`, `minItems`, `maxItems`: compiling and generating arrays.

use serde_json::{Map, Value};

use super::error::GenError;
use super::ir::{Arena, ArrayRules, Kind};
use super::sample::Ctx;
use crate::spec::pointer;

/// Reads the array keywords of a schema, compiling the item schemas.
pub fn compile(
    arena: &mut Arena,
    doc: &Value,
    map: &Map<String, Value>,
    at: &str,
) -> Result<ArrayRules, GenError> {
    let mut rules = ArrayRules {
        min: arena.count(map, at, "minItems")?.unwrap_or(0),
        max: arena.count(map, at, "maxItems")?,
        ..ArrayRules::default()
    };
    if rules.max.is_some_and(|max| max < rules.min) {
        return Err(arena.refuse(at, "`maxItems` is below `minItems`: no array fits"));
    }
    if let Some(prefix) = map.get("prefixItems") {
        let here = pointer::join(at, "prefixItems");
        let items = prefix
            .as_array()
            .ok_or_else(|| arena.refuse(&here, "`prefixItems` must be an array"))?;
        for i in 0..items.len() {
            rules
                .prefix
                .push(arena.compile(doc, &format!("{here}/{i}"))?);
        }
    }
    if map.contains_key("items") {
        rules.items = Some(arena.compile(doc, &pointer::join(at, "items"))?);
    }
    Ok(rules)
}

/// Whether the array may hold items beyond its prefix.
fn open_ended(rules: &ArrayRules, arena: &Arena) -> bool {
    rules
        .items
        .is_none_or(|id| !matches!(arena.nodes[arena.resolve(id)].kind, Kind::Never))
}

/// An array satisfying `rules`.
pub fn generate<R: super::rng::Draw + ?Sized>(rules: &ArrayRules, ctx: &mut Ctx<'_, R>) -> Value {
    let cap = if open_ended(rules, ctx.arena) {
        usize::MAX
    } else {
        rules.prefix.len()
    };
    let max = rules.max.unwrap_or(usize::MAX).min(cap);
    let len = if ctx.too_deep() {
        rules.min
    } else if ctx.edge {
        match ctx.rng.below(3) {
            0 => rules.min,
            1 => max.min(rules.min + 12),
            _ => rules.min.max(rules.prefix.len()).min(max),
        }
    } else {
        // Prefixed arrays (tuples) come whole; others hold a few items.
        let lo = rules.min.max(rules.prefix.len().min(max));
        ctx.rng.between(lo, max.min(lo + 3).max(lo))
    };
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let value = match rules.prefix.get(i) {
            Some(id) => ctx.member(*id, &i.to_string()),
            None => match rules.items {
                Some(id) => ctx.member(id, &i.to_string()),
                None => Value::String(format!("item {i}")),
            },
        };
        out.push(value);
    }
    Value::Array(out)
}
