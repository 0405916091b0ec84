//! `const`: exactly one value. It compiles to a choice of one; `enum` draws, breaks and
//! merges choices, reporting them under the keyword that made them.

use serde_json::{Map, Value};

use super::super::compile::Compiler;
use super::super::error::GenError;
use super::super::hooks::{Keyword, Role};
use super::super::ir::Kind;

/// The `const` keyword.
pub const KEYWORD: Keyword = Keyword::new("const", Role::Shape(compile));

fn compile(_cx: &mut Compiler<'_>, map: &Map<String, Value>, _at: &str) -> Result<Kind, GenError> {
    Ok(Kind::Choice(vec![map["const"].clone()], "const"))
}
