//! Making generated payloads satisfy the spec's cross-field invariants (`x-invariants`).

use serde_json::Value;

use super::ir::{Arena, Id, Kind};
use super::rng::Draw;
use crate::spec::Invariant;
use crate::spec::extensions::Rule;
use crate::spec::pointer;

/// Applies every invariant to `value`, a payload of `event`. Rules that need a subscription are
/// left to the delivery engine, which knows it.
pub fn apply<R: Draw + ?Sized>(
    arena: &Arena,
    root: Id,
    invariants: &[Invariant],
    event: &str,
    value: &mut Value,
    rng: &mut R,
) {
    for invariant in invariants {
        match &invariant.rule {
            Rule::Equal(pointers) => {
                // Copy from the most constrained node (a const beats a pattern beats free text),
                // so the copy stays valid where it lands.
                let source = pointers
                    .iter()
                    .filter(|p| pointer::get(value, p).is_some())
                    .max_by_key(|p| {
                        (
                            constraint(arena, root, p),
                            std::cmp::Reverse(pointers.iter().position(|q| q == *p)),
                        )
                    });
                if let Some(source) = source
                    && let Some(copy) = pointer::get(value, source).cloned()
                {
                    for target in pointers.iter().filter(|p| *p != source) {
                        pointer::set(value, target, copy.clone());
                    }
                }
            }
            Rule::EventName(at) => {
                pointer::set(value, at, Value::String(event.to_string()));
            }
            Rule::MemberOf { value: at, array } => {
                let Some(item) = pointer::get(value, at).cloned() else {
                    continue;
                };
                if let Some(Value::Array(items)) = pointer::get_or_create(value, array)
                    && !items.contains(&item)
                {
                    let at = rng.between(0, items.len());
                    items.insert(at, item);
                }
            }
            Rule::Subscription { .. } => {}
        }
    }
}

/// How constrained the schema node behind an instance pointer is: 3 for a const or enum, 2 for a
/// pattern or format, 1 otherwise (or when the pointer cannot be followed through the schema).
fn constraint(arena: &Arena, root: Id, at: &str) -> u8 {
    let Some(tokens) = pointer::tokens(at) else {
        return 0;
    };
    let mut id = root;
    for token in tokens {
        id = arena.resolve(id);
        let Kind::Typed { object, array, .. } = &arena.nodes[id].kind else {
            return 1;
        };
        if let Some((_, child)) = object.properties.iter().find(|(name, _)| *name == token) {
            id = *child;
        } else if let Ok(index) = token.parse::<usize>() {
            match array.prefix.get(index).copied().or(array.items) {
                Some(child) => id = child,
                None => return 1,
            }
        } else {
            return 1;
        }
    }
    match &arena.nodes[arena.resolve(id)].kind {
        Kind::Choice(..) => 3,
        Kind::Typed { string, .. } if string.pattern.is_some() || string.format.is_some() => 2,
        _ => 1,
    }
}
