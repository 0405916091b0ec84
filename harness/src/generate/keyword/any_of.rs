//! `anyOf`: at least one branch holds. It compiles, draws and breaks like `oneOf` (see
//! `one_of`), and is reported under its own name.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Draw, Keyword, Role, Violate};
use super::super::ir::{Id, Kind};
use super::super::violate::{Spot, Walk};
use super::one_of;

/// The `anyOf` keyword.
pub const KEYWORD: Keyword = Keyword {
    draw: Some(Draw::AnyOf(one_of::draw)),
    violate: Some(Violate::AnyOf(violate)),
    ..Keyword::new("anyOf", Role::Shape(compile))
};

fn compile(cx: &mut Compiler<'_>, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
    one_of::branches(cx, map, at, "anyOf").map(Kind::AnyOf)
}

fn violate(branches: &[Id], value: &Value, spot: &Spot, walk: &mut Walk<'_>) {
    one_of::inside(branches, "anyOf", value, spot, walk);
}
