//! Making generated payloads satisfy the spec's cross-field invariants (`x-invariants`).

use serde_json::Value;

use super::ir::{Arena, Id, Kind};
use super::keyword::{format, items, pattern, prefix_items, properties};
use super::rng::Draw;
use crate::spec::Invariant;
use crate::spec::extensions::Rule;
use crate::spec::pointer;

/// The invariants of one event, turned once into edits to make on every payload.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
enum Step {
    /// Copy the first pointer that resolves (most constrained first) to the others.
    Copy(Vec<String>),
    /// Write the event name.
    Name(String),
    /// Put the value into the array if it is not there.
    Member { value: String, array: String },
}

impl Plan {
    /// Plans `invariants` for payloads of the schema `root`. Rules that need a subscription are
    /// left to the delivery engine, which knows it.
    #[must_use]
    pub fn new(arena: &Arena, root: Id, invariants: &[Invariant]) -> Self {
        let steps = invariants
            .iter()
            .filter_map(|invariant| match &invariant.rule {
                Rule::Equal(pointers) => {
                    // Copy from the most constrained node (a const beats a pattern beats free
                    // text), so the copy stays valid where it lands.
                    let mut ordered = pointers.clone();
                    ordered.sort_by_key(|p| std::cmp::Reverse(constraint(arena, root, p)));
                    Some(Step::Copy(ordered))
                }
                Rule::EventName(at) => Some(Step::Name(at.clone())),
                Rule::MemberOf { value, array } => Some(Step::Member {
                    value: value.clone(),
                    array: array.clone(),
                }),
                Rule::Subscription { .. } => None,
            })
            .collect();
        Self { steps }
    }

    /// Makes `value`, a payload of `event`, satisfy the planned invariants.
    pub fn apply<R: Draw + ?Sized>(&self, event: &str, value: &mut Value, rng: &mut R) {
        for step in &self.steps {
            match step {
                Step::Copy(pointers) => {
                    let Some((source, copy)) = pointers
                        .iter()
                        .find_map(|p| pointer::get(value, p).map(|v| (p, v.clone())))
                    else {
                        continue;
                    };
                    for target in pointers.iter().filter(|p| *p != source) {
                        pointer::set(value, target, copy.clone());
                    }
                }
                Step::Name(at) => {
                    pointer::set(value, at, Value::String(event.to_string()));
                }
                Step::Member { value: at, array } => {
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
            }
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
        let Kind::Typed(rules) = &arena.nodes[id].kind else {
            return 1;
        };
        if let Some(child) = properties::schema(rules, &token) {
            id = child;
        } else if let Ok(index) = token.parse::<usize>() {
            match prefix_items::of(rules)
                .get(index)
                .copied()
                .or(items::of(rules))
            {
                Some(child) => id = child,
                None => return 1,
            }
        } else {
            return 1;
        }
    }
    match &arena.nodes[arena.resolve(id)].kind {
        Kind::Choice(..) => 3,
        Kind::Typed(rules) if pattern::of(rules).is_some() || format::of(rules).is_some() => 2,
        _ => 1,
    }
}
