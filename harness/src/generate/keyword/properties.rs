//! `properties`: the listed members of objects and their schemas. Drawing an object starts
//! here: required members always, optional ones by chance (edge values take all or none).

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::cover::Decision;
use super::super::error::GenError;
use super::super::hooks::{Child, Draw, Keyword, Merge, Role};
use super::super::ir::{Id, Kind, Rules, Step, Types};
use super::super::rng::Draw as _;
use super::super::sample::Ctx;
use super::additional_properties::{self, Additional};
use super::required;
use crate::spec::pointer;

/// The `properties` keyword.
pub const KEYWORD: Keyword = Keyword {
    merge: Some(Merge::Rule(merge)),
    draw: Some(Draw::Type(Types::OBJECT, draw)),
    child: Some(Child::Named(child)),
    finish: Some(finish),
    ..Keyword::new("properties", Role::Rule(compile))
};

#[derive(Debug, Clone, Default)]
struct Properties {
    list: Vec<(String, Id)>,
    /// For each of `list`, whether it is required (filled by [`finish`]).
    required: Vec<bool>,
}

/// The listed members of objects of `rules`, in schema order.
#[must_use]
pub fn of(rules: &Rules) -> &[(String, Id)] {
    rules.get::<Properties>().map_or(&[], |p| &p.list)
}

/// The schema of the listed member `name`, if listed.
#[must_use]
pub fn schema(rules: &Rules, name: &str) -> Option<Id> {
    of(rules)
        .iter()
        .find(|(listed, _)| listed == name)
        .map(|(_, id)| *id)
}

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(props) = map.get("properties") else {
        return Ok(());
    };
    let props_at = pointer::join(at, "properties");
    let props = props
        .as_object()
        .ok_or_else(|| cx.refuse(&props_at, "`properties` must be an object"))?;
    let mut list = Vec::with_capacity(props.len());
    for name in props.keys() {
        let id = cx.compile(&pointer::join(&props_at, name))?;
        list.push((name.clone(), id));
    }
    rules.set(Properties {
        list,
        required: Vec::new(),
    });
    Ok(())
}

fn child(rules: &Rules, step: Step<'_>) -> Option<Id> {
    match step {
        Step::Member(name) => schema(rules, name),
        Step::Item(_) => None,
    }
}

/// Records once which listed members are required, so that draws need not look it up.
fn finish(rules: &mut Rules) {
    let required: Vec<bool> = of(rules)
        .iter()
        .map(|(name, _)| required::of(rules).contains(name))
        .collect();
    if let Some(properties) = rules.get_mut::<Properties>() {
        properties.required = required;
    }
}

/// Listed members of both; a member listed in both gets both schemas merged. An object closed
/// by `additionalProperties: false` cannot take the other side's new members: that is checked
/// first, before any member's schemas are merged.
fn merge(
    cx: &mut Compiler<'_>,
    a: &Rules,
    b: &Rules,
    out: &mut Rules,
    at: &str,
) -> Result<(), GenError> {
    let (pa, pb) = (a.get::<Properties>(), b.get::<Properties>());
    if pa.is_none() && pb.is_none() {
        return Ok(());
    }
    let (la, lb) = (of(a), of(b));
    let closed = |r: &Rules| additional_properties::of(r) == Additional::Never && !of(r).is_empty();
    let adds = |x: &[(String, Id)], y: &[(String, Id)]| {
        y.iter().any(|(n, _)| !x.iter().any(|(m, _)| m == n))
    };
    if (closed(a) && adds(la, lb)) || (closed(b) && adds(lb, la)) {
        return Err(cx.refuse(at, "`allOf` of a closed object (`additionalProperties: false`) with new properties allows no object having them"));
    }
    let mut list = la.to_vec();
    for (name, id) in lb {
        match list.iter().position(|(n, _)| n == name) {
            Some(i) => {
                let (x, y) = (list[i].1, *id);
                let kx = cx.arena.nodes[x].kind.clone();
                let ky = cx.arena.nodes[y].kind.clone();
                let pointer = cx.arena.nodes[y].pointer.clone();
                let kind = cx.merge(kx, ky, &pointer)?;
                list[i].1 = cx.push(kind, &pointer);
            }
            None => list.push((name.clone(), *id)),
        }
    }
    out.set(Properties {
        list,
        required: Vec::new(),
    });
    Ok(())
}

/// Starts an object: the listed members, required ones always, optional ones by chance.
fn draw(rules: &Rules, value: &mut Value, ctx: &mut Ctx<'_>) {
    let (list, flags) = rules
        .get::<Properties>()
        .map_or((&[][..], &[][..]), |p| (&p.list[..], &p.required[..]));
    let mut out = Map::with_capacity(list.len() + 1);
    // Edge values are all-or-nothing on optional fields: every field present, or only the required.
    let all_optional = ctx.rng.chance(1, 2) || ctx.long;
    let shallow = ctx.too_deep();
    for (i, (name, id)) in list.iter().enumerate() {
        let required = flags.get(i).copied().unwrap_or(false);
        // A member no value can have is left out (required, the draw fails validation).
        let never = matches!(ctx.arena.nodes[ctx.arena.resolve(*id)].kind, Kind::Never);
        // Coverage takes each optional member both present and absent.
        let steered = if required || shallow || never {
            None
        } else {
            ctx.choose(Decision::Optional, i, 2, None)
        };
        let include = required
            || (!shallow
                && match steered {
                    Some(choice) => choice == 0,
                    None if ctx.edge => all_optional,
                    None => ctx.rng.chance(1, 2),
                });
        if include && (required || !never) {
            let member = ctx.member(*id, name);
            out.insert(name.clone(), member);
        }
    }
    *value = Value::Object(out);
}
