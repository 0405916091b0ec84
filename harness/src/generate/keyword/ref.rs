//! `$ref`: a link to another schema of the document. Alone, it becomes an arena link (so
//! recursive schemas stay finite); beside other constraints, both apply, as in an `allOf`.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Role};
use super::super::ir::{Id, Kind};
use super::all_of::{self, Part};
use crate::spec::pointer;

/// The `$ref` keyword.
pub const KEYWORD: Keyword = Keyword::new("$ref", Role::Shape(compile));

fn compile(cx: &mut Compiler<'_>, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
    let target = &map["$ref"];
    let here = pointer::join(at, "$ref");
    if map.keys().any(|k| cx.is_constraint(k) && k != "$ref") {
        // `$ref` beside other constraints means both apply: the target merged with the rest.
        let mut rest = map.clone();
        rest.remove("$ref");
        let id = reference(cx, target, &here)?;
        return all_of::combine(cx, at, &[Part::Compiled(id)], &rest);
    }
    reference(cx, target, &here).map(Kind::Ref)
}

/// Compiles the schema `target` (the value of a `$ref` at `at`) names.
fn reference(cx: &mut Compiler<'_>, target: &Value, at: &str) -> Result<Id, GenError> {
    let text = target
        .as_str()
        .ok_or_else(|| cx.refuse(at, "`$ref` must be a string"))?;
    let fragment = text
        .strip_prefix('#')
        .ok_or_else(|| cx.refuse(at, format!("`$ref` to `{text}` leaves the document")))?;
    cx.compile(&pointer::percent_decode(fragment))
}
