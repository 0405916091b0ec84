//! `additionalItems` (draft-07): the schema of items after those an array form of `items`
//! lists; it does what `items` does after `prefixItems`. Beside a single `items` schema it
//! constrains nothing.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Role};
use super::super::ir::{Rules, Types};
use super::items;
use crate::spec::pointer;

/// The `additionalItems` keyword.
pub const KEYWORD: Keyword = Keyword {
    types: Some(Types::ARRAY),
    ..Keyword::new("additionalItems", Role::Rule(compile))
};

fn compile(
    cx: &mut Compiler<'_>,
    map: &Map<String, Value>,
    at: &str,
    rules: &mut Rules,
) -> Result<(), GenError> {
    if map.contains_key("additionalItems") && map.get("items").is_some_and(Value::is_array) {
        items::set(rules, cx.compile(&pointer::join(at, "additionalItems"))?);
    }
    Ok(())
}
