//! `allOf`: merging two compiled nodes into one that honours both.

use super::error::GenError;
use super::ir::{Additional, Arena, ArrayRules, Kind, NumberRules, ObjectRules, StringRules};

/// Merges two kinds (both must hold). Unsupported combinations are errors at `at`.
pub fn merge(arena: &mut Arena, a: Kind, b: Kind, at: &str) -> Result<Kind, GenError> {
    Ok(match (a, b) {
        (Kind::Any, x) | (x, Kind::Any) => x,
        (Kind::Never, _) | (_, Kind::Never) => Kind::Never,
        (Kind::Ref(id), other) | (other, Kind::Ref(id)) => {
            let target = arena.nodes[arena.resolve(id)].kind.clone();
            if matches!(target, Kind::Ref(_)) {
                return Err(arena.refuse(at, "`allOf` over a reference cycle is not supported"));
            }
            merge(arena, target, other, at)?
        }
        (Kind::Choice(x, kx), Kind::Choice(y, _)) => {
            let both: Vec<_> = x.into_iter().filter(|v| y.contains(v)).collect();
            if both.is_empty() {
                return Err(arena.refuse(
                    at,
                    "the `allOf` branches allow no common `const`/`enum` value",
                ));
            }
            Kind::Choice(both, kx)
        }
        (Kind::Choice(values, k), Kind::Typed { .. })
        | (Kind::Typed { .. }, Kind::Choice(values, k)) => Kind::Choice(values, k),
        (Kind::OneOf(branches), other) | (other, Kind::OneOf(branches)) => {
            Kind::OneOf(distribute(arena, branches, &other, at)?)
        }
        (Kind::AnyOf(branches), other) | (other, Kind::AnyOf(branches)) => {
            Kind::AnyOf(distribute(arena, branches, &other, at)?)
        }
        (
            Kind::Typed {
                types: ta,
                string: sa,
                number: na,
                object: oa,
                array: aa,
            },
            Kind::Typed {
                types: tb,
                string: sb,
                number: nb,
                object: ob,
                array: ab,
            },
        ) => {
            let types = ta.and(tb);
            if types.is_empty() {
                return Err(arena.refuse(at, "the `allOf` branches share no type"));
            }
            Kind::Typed {
                types,
                string: strings(arena, sa, sb, at)?,
                number: numbers(na, nb),
                object: objects(arena, oa, ob, at)?,
                array: arrays(arena, aa, ab, at)?,
            }
        }
    })
}

fn distribute(
    arena: &mut Arena,
    branches: Vec<usize>,
    other: &Kind,
    at: &str,
) -> Result<Vec<usize>, GenError> {
    let mut out = Vec::with_capacity(branches.len());
    for id in branches {
        let node = arena.nodes[arena.resolve(id)].clone();
        let kind = merge(arena, node.kind, other.clone(), at)?;
        out.push(arena.push(kind, &node.pointer));
    }
    Ok(out)
}

fn strings(
    arena: &Arena,
    a: StringRules,
    b: StringRules,
    at: &str,
) -> Result<StringRules, GenError> {
    let pattern = match (a.pattern, b.pattern) {
        (Some(x), Some(y)) if x.source != y.source => {
            return Err(arena.refuse(
                at,
                "two different `pattern`s in one `allOf` are not supported",
            ));
        }
        (x, y) => x.or(y),
    };
    let format = match (a.format, b.format) {
        (Some(x), Some(y)) if x != y => {
            return Err(arena.refuse(at, "two different `format`s in one `allOf`"));
        }
        (x, y) => x.or(y),
    };
    let max = match (a.max, b.max) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    Ok(StringRules {
        min: a.min.max(b.min),
        max,
        pattern,
        format,
    })
}

fn numbers(a: NumberRules, b: NumberRules) -> NumberRules {
    let (min, exclusive_min) = match (a.min, b.min) {
        (Some(x), Some(y)) if x > y => (Some(x), a.exclusive_min),
        (Some(x), Some(y)) if y > x => (Some(y), b.exclusive_min),
        (Some(x), Some(_)) => (Some(x), a.exclusive_min || b.exclusive_min),
        (Some(x), None) => (Some(x), a.exclusive_min),
        (None, y) => (y, b.exclusive_min),
    };
    let (max, exclusive_max) = match (a.max, b.max) {
        (Some(x), Some(y)) if x < y => (Some(x), a.exclusive_max),
        (Some(x), Some(y)) if y < x => (Some(y), b.exclusive_max),
        (Some(x), Some(_)) => (Some(x), a.exclusive_max || b.exclusive_max),
        (Some(x), None) => (Some(x), a.exclusive_max),
        (None, y) => (y, b.exclusive_max),
    };
    NumberRules {
        min,
        max,
        exclusive_min,
        exclusive_max,
    }
}

fn objects(
    arena: &mut Arena,
    a: ObjectRules,
    b: ObjectRules,
    at: &str,
) -> Result<ObjectRules, GenError> {
    let closed = |r: &ObjectRules| r.additional == Additional::Never && !r.properties.is_empty();
    if (closed(&a)
        && b.properties
            .iter()
            .any(|(n, _)| !a.properties.iter().any(|(m, _)| m == n)))
        || (closed(&b)
            && a.properties
                .iter()
                .any(|(n, _)| !b.properties.iter().any(|(m, _)| m == n)))
    {
        return Err(arena.refuse(at, "`allOf` of a closed object (`additionalProperties: false`) with new properties allows no object having them"));
    }
    let mut properties = a.properties;
    for (name, id) in b.properties {
        match properties.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                let (x, y) = (properties[i].1, id);
                let kx = arena.nodes[x].kind.clone();
                let ky = arena.nodes[y].kind.clone();
                let pointer = arena.nodes[y].pointer.clone();
                let kind = merge(arena, kx, ky, &pointer)?;
                properties[i].1 = arena.push(kind, &pointer);
            }
            None => properties.push((name, id)),
        }
    }
    let mut required = a.required;
    for name in b.required {
        if !required.contains(&name) {
            required.push(name);
        }
    }
    let additional = match (a.additional, b.additional) {
        (Additional::Never, _) | (_, Additional::Never) => Additional::Never,
        (Additional::Any, x) | (x, Additional::Any) => x,
        (Additional::Schema(x), Additional::Schema(y)) => {
            let kx = arena.nodes[x].kind.clone();
            let ky = arena.nodes[y].kind.clone();
            let kind = merge(arena, kx, ky, at)?;
            Additional::Schema(arena.push(kind, at))
        }
    };
    Ok(ObjectRules {
        properties,
        required,
        additional,
        property_required: Vec::new(),
    })
}

fn arrays(
    arena: &mut Arena,
    a: ArrayRules,
    b: ArrayRules,
    at: &str,
) -> Result<ArrayRules, GenError> {
    if !a.prefix.is_empty() && !b.prefix.is_empty() {
        return Err(arena.refuse(at, "two `prefixItems` in one `allOf` are not supported"));
    }
    let items = match (a.items, b.items) {
        (Some(_), Some(_)) => {
            return Err(arena.refuse(at, "two `items` in one `allOf` are not supported"));
        }
        (x, y) => x.or(y),
    };
    let max = match (a.max, b.max) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let prefix = if a.prefix.is_empty() {
        b.prefix
    } else {
        a.prefix
    };
    Ok(ArrayRules {
        prefix,
        items,
        min: a.min.max(b.min),
        max,
    })
}
