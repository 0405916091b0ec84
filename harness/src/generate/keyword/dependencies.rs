//! `dependencies` (draft-07): per member, either the members an object must also have (as
//! `dependentRequired`) or a schema it must satisfy (as `dependentSchemas`).

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Role};
use super::super::ir::{Rules, Types};
use super::{dependent_required, dependent_schemas};
use crate::spec::pointer;

/// The `dependencies` keyword; its rules are those of the two keywords that replaced it.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::OBJECT),
    ..Keyword::new("dependencies", Role::Rule(compile))
};

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    let Some(dependencies) = map.get("dependencies") else {
        return Ok(());
    };
    let here = pointer::join(at, "dependencies");
    let dependencies = dependencies
        .as_object()
        .ok_or_else(|| cx.refuse(&here, "`dependencies` must be an object"))?;
    for (name, dependency) in dependencies {
        let at = pointer::join(&here, name);
        if dependency.is_array() {
            dependent_required::read(cx, name, dependency, &at, rules)?;
        } else {
            dependent_schemas::read(cx, name, &at, rules)?;
        }
    }
    Ok(())
}
