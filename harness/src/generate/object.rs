//! `properties`, `required`, `additionalProperties`: compiling and generating objects.

use serde_json::{Map, Value};

use super::error::GenError;
use super::ir::{Additional, Arena, ObjectRules};
use super::sample::Ctx;
use crate::spec::pointer;

/// Reads the object keywords of a schema, compiling the property schemas.
pub fn compile(
    arena: &mut Arena,
    doc: &Value,
    map: &Map<String, Value>,
    at: &str,
) -> Result<ObjectRules, GenError> {
    let mut rules = ObjectRules::default();
    if let Some(props) = map.get("properties") {
        let props_at = pointer::join(at, "properties");
        let props = props
            .as_object()
            .ok_or_else(|| arena.refuse(&props_at, "`properties` must be an object"))?;
        for name in props.keys() {
            let id = arena.compile(doc, &pointer::join(&props_at, name))?;
            rules.properties.push((name.clone(), id));
        }
    }
    if let Some(required) = map.get("required") {
        let list = required.as_array().ok_or_else(|| {
            arena.refuse(
                &pointer::join(at, "required"),
                "`required` must be an array",
            )
        })?;
        for name in list {
            let name = name.as_str().ok_or_else(|| {
                arena.refuse(&pointer::join(at, "required"), "`required` lists strings")
            })?;
            rules.required.push(name.to_string());
        }
    }
    rules.additional = match map.get("additionalProperties") {
        None | Some(Value::Bool(true)) => Additional::Any,
        Some(Value::Bool(false)) => Additional::Never,
        Some(_) => {
            Additional::Schema(arena.compile(doc, &pointer::join(at, "additionalProperties"))?)
        }
    };
    Ok(rules)
}

/// Names used for unknown extra properties in edge values.
const EXTRA_NAMES: &[&str] = &["unknownField", "x_extra", "_links", "__proto__x", "0", "é"];

/// An object satisfying `rules`.
pub fn generate<R: super::rng::Draw + ?Sized>(rules: &ObjectRules, ctx: &mut Ctx<'_, R>) -> Value {
    let mut out = Map::with_capacity(rules.properties.len() + 1);
    // Edge values are all-or-nothing on optional fields: every field present, or only the required.
    let all_optional = ctx.rng.chance(1, 2);
    let shallow = ctx.too_deep();
    for (i, (name, id)) in rules.properties.iter().enumerate() {
        let required = rules.property_required.get(i).copied().unwrap_or(false);
        let include = required
            || (!shallow
                && if ctx.edge {
                    all_optional
                } else {
                    ctx.rng.chance(1, 2)
                });
        if include {
            let value = ctx.member(*id, name);
            out.insert(name.clone(), value);
        }
    }
    for name in &rules.required {
        if !out.contains_key(name) {
            let value = match rules.additional {
                Additional::Schema(id) => ctx.member(id, name),
                _ => Value::String("value".into()),
            };
            out.insert(name.clone(), value);
        }
    }
    if ctx.edge && !shallow && ctx.rng.chance(1, 2) {
        match rules.additional {
            Additional::Never => {}
            Additional::Any => {
                let name = *ctx.rng.pick(EXTRA_NAMES);
                if !out.contains_key(name) && !rules.properties.iter().any(|(n, _)| n == name) {
                    let value = match ctx.rng.below(3) {
                        0 => Value::String("extra ✓".into()),
                        1 => Value::from(42),
                        _ => serde_json::json!({"nested": [1, "two", null]}),
                    };
                    out.insert(name.to_string(), value);
                }
            }
            Additional::Schema(id) => {
                let name = *ctx.rng.pick(EXTRA_NAMES);
                if !out.contains_key(name) && !rules.properties.iter().any(|(n, _)| n == name) {
                    let value = ctx.child(id);
                    out.insert(name.to_string(), value);
                }
            }
        }
    }
    Value::Object(out)
}
