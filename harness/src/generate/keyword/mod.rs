//! The schema keywords the generator honours, one file each, all registered in [`TABLE`].
//!
//! A keyword file holds that keyword's parts where they apply: how it compiles (reads its
//! value into the node), how it merges in `allOf`, how it draws values (or shapes the draw of
//! its type), and which one-edit violations it reports. Everything else is derived from the
//! table: the keyword lists (known, annotations, constraints) and the views each phase
//! dispatches through ([`vocabulary`], [`draws`], [`checks`]).
//!
//! The order of the table is the order of each phase: the first shape keyword present in a
//! schema compiles the node; typed keywords compile, merge, draw and report violations in
//! table order. That order is part of the behaviour (error precedence, random draws, the order
//! of violation sites that a seed picks from), so a new keyword goes where its phase needs it.

pub mod additional_items;
pub mod additional_properties;
pub mod all_of;
pub mod any_of;
pub mod r#const;
pub mod contains;
pub mod dependencies;
pub mod dependent_required;
pub mod dependent_schemas;
pub mod r#enum;
pub mod format;
pub mod if_then_else;
pub mod items;
pub mod max_items;
pub mod max_length;
pub mod max_properties;
pub mod maximum;
pub mod min_items;
pub mod min_length;
pub mod min_properties;
pub mod minimum;
pub mod multiple_of;
pub mod not;
pub mod one_of;
pub mod pattern;
pub mod pattern_properties;
pub mod prefix_items;
pub mod properties;
pub mod property_names;
pub mod r#ref;
pub mod required;
pub mod r#type;
pub mod unevaluated_items;
pub mod unevaluated_properties;
pub mod unique_items;

use std::sync::OnceLock;

use serde_json::Value;

use super::compile::{Compiler, Vocabulary};
use super::error::GenError;
use super::hooks::{Child, Draw, Keyword, Merge, Role, Violate};
use super::ir::{Id, Kind, Rules};
use super::sample::{Ctx, Draws};
use super::violate::{Checks, Spot, Walk};

/// Every keyword, in phase order.
pub static TABLE: &[Keyword] = &[
    // Shapes: the first present one compiles the node alone (with the others beside it merged
    // in, where it has any).
    r#ref::KEYWORD,
    all_of::KEYWORD,
    if_then_else::KEYWORD,
    r#const::KEYWORD,
    r#enum::KEYWORD,
    one_of::KEYWORD,
    any_of::KEYWORD,
    // Rules of typed nodes. Violation sites follow this order too: `maxLength` before
    // `minLength`; a number's lower bound before its upper bound (the exclusive twins tighten
    // the bound `minimum`/`maximum` set and report through it). `not` follows `type`, whose
    // types it narrows. Object hooks build members (`properties`, patterns, `required`,
    // dependencies), then settle the rest (extras, counts); array hooks build items, then
    // place `contains` items and drop repeats.
    r#type::KEYWORD,
    not::KEYWORD,
    max_length::KEYWORD,
    min_length::KEYWORD,
    pattern::KEYWORD,
    format::KEYWORD,
    minimum::MINIMUM,
    maximum::MAXIMUM,
    minimum::EXCLUSIVE_MINIMUM,
    maximum::EXCLUSIVE_MAXIMUM,
    multiple_of::KEYWORD,
    properties::KEYWORD,
    pattern_properties::KEYWORD,
    required::KEYWORD,
    dependent_required::KEYWORD,
    dependent_schemas::KEYWORD,
    dependencies::KEYWORD,
    additional_properties::KEYWORD,
    unevaluated_properties::KEYWORD,
    property_names::KEYWORD,
    min_properties::KEYWORD,
    max_properties::KEYWORD,
    min_items::KEYWORD,
    max_items::KEYWORD,
    prefix_items::KEYWORD,
    items::KEYWORD,
    additional_items::KEYWORD,
    unevaluated_items::KEYWORD,
    contains::KEYWORD,
    unique_items::KEYWORD,
    // Annotations: accepted, never constraining a generated value.
    Keyword::annotation("title"),
    Keyword::annotation("description"),
    Keyword::annotation("default"),
    Keyword::annotation("examples"),
    Keyword::annotation("example"),
    Keyword::annotation("deprecated"),
    Keyword::annotation("readOnly"),
    Keyword::annotation("writeOnly"),
    Keyword::annotation("$comment"),
    Keyword::annotation("discriminator"),
    Keyword::annotation("externalDocs"),
    Keyword::annotation("xml"),
    Keyword::annotation("$schema"),
    Keyword::annotation("contentEncoding"),
    Keyword::annotation("contentMediaType"),
    Keyword::annotation("contentSchema"),
    // Read by the keyword beside them (`if`, `contains`), or places for schemas that `$ref`
    // reaches: no constraint of their own.
    Keyword::annotation("then"),
    Keyword::annotation("else"),
    Keyword::annotation("minContains"),
    Keyword::annotation("maxContains"),
    Keyword::annotation("$defs"),
    Keyword::annotation("definitions"),
    Keyword::annotation("$id"),
    Keyword::annotation("$anchor"),
    Keyword::annotation("$dynamicAnchor"),
    Keyword::annotation("$vocabulary"),
];

/// The tighter of two upper bounds of one keyword (`allOf` parts merged): the smaller, or
/// the one that is there.
pub(super) fn tighter_max(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// The keyword lists and the compile and merge steps, from [`TABLE`].
pub fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let names = |keep: fn(&Role) -> bool| -> Vec<&'static str> {
            TABLE
                .iter()
                .filter(|k| keep(&k.role))
                .map(|k| k.name)
                .collect()
        };
        let known = names(|role| !matches!(role, Role::Annotation));
        Vocabulary {
            annotations: names(|role| matches!(role, Role::Annotation)),
            constraints: known.clone(),
            known,
            shapes: TABLE
                .iter()
                .filter_map(|k| match k.role {
                    Role::Shape(shape) => Some((k.name, shape)),
                    _ => None,
                })
                .collect(),
            rules: TABLE
                .iter()
                .filter_map(|k| match k.role {
                    Role::Rule(rule) => Some(rule),
                    _ => None,
                })
                .collect(),
            hints: TABLE
                .iter()
                .filter(|k| matches!(k.role, Role::Rule(_)))
                .filter_map(|k| match (k.types, k.draw) {
                    (Some(types), _) | (None, Some(Draw::Type(types, _))) => Some((k.name, types)),
                    _ => None,
                })
                .collect(),
            merges: TABLE
                .iter()
                .filter_map(|k| match k.merge {
                    Some(Merge::Rule(merge)) => Some(merge),
                    _ => None,
                })
                .collect(),
            finishes: TABLE.iter().filter_map(|k| k.finish).collect(),
            conflicts: TABLE.iter().filter_map(|k| k.conflict).collect(),
            merge: TABLE
                .iter()
                .find_map(|k| match k.merge {
                    Some(Merge::Nodes(merge)) => Some(merge),
                    _ => None,
                })
                .unwrap_or(no_merge),
        }
    })
}

/// Who draws each node shape, and each type's hooks, from [`TABLE`].
pub fn draws() -> &'static Draws {
    static DRAWS: OnceLock<Draws> = OnceLock::new();
    DRAWS.get_or_init(|| {
        let mut draws = Draws {
            choice: no_draw,
            one_of: no_draw,
            any_of: no_draw,
            typed: no_typed_draw,
            hooks: Default::default(),
            named: TABLE
                .iter()
                .filter_map(|k| match k.child {
                    Some(Child::Named(child)) => Some(child),
                    _ => None,
                })
                .collect(),
            children: children(),
        };
        for keyword in TABLE {
            match keyword.draw {
                Some(Draw::Choice(draw)) => draws.choice = draw,
                Some(Draw::OneOf(draw)) => draws.one_of = draw,
                Some(Draw::AnyOf(draw)) => draws.any_of = draw,
                Some(Draw::Typed(draw)) => draws.typed = draw,
                Some(Draw::Type(types, hook)) => {
                    for ty in types.each() {
                        draws.hooks[ty.index()].push(hook);
                    }
                }
                None => {}
            }
        }
        draws
    })
}

/// Who reports the violation sites of each node shape, and who describes children, from
/// [`TABLE`].
pub fn checks() -> &'static Checks {
    static CHECKS: OnceLock<Checks> = OnceLock::new();
    CHECKS.get_or_init(|| {
        let mut checks = Checks {
            choice: no_choice_check,
            one_of: no_check,
            any_of: no_check,
            rules: Vec::new(),
            children: children(),
        };
        for keyword in TABLE {
            match keyword.violate {
                Some(Violate::Choice(check)) => checks.choice = check,
                Some(Violate::OneOf(check)) => checks.one_of = check,
                Some(Violate::AnyOf(check)) => checks.any_of = check,
                Some(Violate::Rule(check)) => checks.rules.push(check),
                None => {}
            }
        }
        checks
    })
}

/// Who gives a child its schema, in table order.
fn children() -> Vec<crate::generate::ir::ChildFn> {
    TABLE
        .iter()
        .filter_map(|k| match k.child {
            Some(Child::Named(child) | Child::Rest(child)) => Some(child),
            None => None,
        })
        .collect()
}

/// Without a keyword that merges nodes, `allOf` cannot be honoured.
fn no_merge(cx: &mut Compiler<'_>, _a: Kind, _b: Kind, at: &str) -> Result<Kind, GenError> {
    Err(cx.refuse(at, "no keyword merges the parts of an `allOf`"))
}

/// A shape no keyword draws yields `null`, which validation then rejects.
fn no_draw<T>(_: &[T], _: &mut Ctx<'_>) -> Value {
    Value::Null
}

/// Without the `type` keyword, typed nodes draw as `null`.
fn no_typed_draw(_: &Rules, _: &mut Ctx<'_>) -> Value {
    Value::Null
}

/// A shape no keyword breaks has no violation sites.
fn no_check(_: &[Id], _: &Value, _: &Spot, _: &mut Walk<'_>) {}

/// Choices no keyword breaks have no violation sites.
fn no_choice_check(_: &[Value], _: &'static str, _: &Value, _: &Spot, _: &mut Walk<'_>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_listed_once() {
        let mut names: Vec<&str> = TABLE.iter().map(|k| k.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a keyword is registered twice");
    }

    #[test]
    fn every_node_shape_has_its_keywords() {
        let count = |f: fn(&Keyword) -> bool| TABLE.iter().filter(|k| f(k)).count();
        assert_eq!(count(|k| matches!(k.draw, Some(Draw::Choice(_)))), 1);
        assert_eq!(count(|k| matches!(k.draw, Some(Draw::OneOf(_)))), 1);
        assert_eq!(count(|k| matches!(k.draw, Some(Draw::AnyOf(_)))), 1);
        assert_eq!(count(|k| matches!(k.draw, Some(Draw::Typed(_)))), 1);
        assert_eq!(count(|k| matches!(k.violate, Some(Violate::Choice(_)))), 1);
        assert_eq!(count(|k| matches!(k.violate, Some(Violate::OneOf(_)))), 1);
        assert_eq!(count(|k| matches!(k.violate, Some(Violate::AnyOf(_)))), 1);
        assert_eq!(count(|k| matches!(k.merge, Some(Merge::Nodes(_)))), 1);
    }

    #[test]
    fn the_lists_come_from_the_roles() {
        let vocabulary = vocabulary();
        assert!(vocabulary.known.contains(&"minLength"));
        assert!(vocabulary.annotations.contains(&"title"));
        assert!(!vocabulary.known.contains(&"title"));
        assert_eq!(
            vocabulary.known.len() + vocabulary.annotations.len(),
            TABLE.len()
        );
        let objects = &draws().hooks[crate::generate::ir::Types::OBJECT.index()];
        assert_eq!(
            objects.len(),
            9,
            "properties, patternProperties, required, dependentRequired, dependentSchemas, \
             additionalProperties, unevaluatedProperties, minProperties, maxProperties"
        );
    }
}
