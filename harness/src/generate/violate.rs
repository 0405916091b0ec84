//! Finding every place where one edit of a valid value breaks one keyword: the walk over a
//! value and its schema, and the sites keywords report.
//!
//! The walk knows no keyword: at each node it asks the keywords of the table, which it
//! receives as [`Checks`] (built once from `keyword::TABLE`), for their sites, then goes down
//! into the children they describe. Keyword files get a [`Walk`] to report sites and to walk
//! a branch; as this module imports no keyword file, they can import it without an import
//! circle. Sites come out in a fixed order (the table's, then children in the value's order):
//! `invalid` picks among them by position, so the order is part of what a seed reproduces.

use serde_json::Value;

use super::ir::{Arena, ChildFn, Id, Kind, Rules, Step};
use crate::spec::{SchemaSet, pointer};

/// One edit of a valid value.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Remove the member `name` of the object at `at`.
    Remove {
        /// Instance pointer of the object.
        at: String,
        /// The member.
        name: String,
    },
    /// Put `value` at `at` (the whole value when `at` is empty).
    Set {
        /// Instance pointer.
        at: String,
        /// The new value.
        value: Value,
    },
}

/// A place where one edit should break exactly one keyword, and how the validator should
/// report it.
#[derive(Debug, Clone)]
pub struct Site {
    /// The edit.
    pub edit: Edit,
    /// Where the validator should report the violation.
    pub expect_at: String,
    /// The keyword the validator should report.
    pub keyword: &'static str,
    /// The keyword the edit breaks (differs from `keyword` inside `oneOf`/`anyOf`).
    pub cause: &'static str,
    /// What the edit does, in words.
    pub description: String,
}

/// The enclosing combinator, if any: a violation inside it is reported there.
pub type Outer = Option<(String, &'static str)>;

/// Where the walk stands: the instance pointer, and the enclosing combinator.
#[derive(Debug, Clone, Default)]
pub struct Spot {
    /// Instance pointer of the current value.
    pub at: String,
    /// The enclosing `oneOf`/`anyOf`, if any.
    pub outer: Outer,
}

/// Reports the sites of a `const`/`enum` node: `(values, keyword, value, spot, walk)`.
pub type ChoiceCheck = fn(&[Value], &'static str, &Value, &Spot, &mut Walk<'_>);

/// Reports the sites of a `oneOf` or an `anyOf` node.
pub type BranchesCheck = fn(&[Id], &Value, &Spot, &mut Walk<'_>);

/// Reports one typed keyword's sites for `value`.
pub type RuleCheck = fn(&Rules, &Value, &Spot, &mut Walk<'_>);

/// What the walk needs from the keyword table: who reports the sites of each node shape, the
/// typed keywords' site reports, and the keywords that describe children, in table order.
#[derive(Debug)]
pub struct Checks {
    /// `const`/`enum` nodes.
    pub choice: ChoiceCheck,
    /// `oneOf` nodes.
    pub one_of: BranchesCheck,
    /// `anyOf` nodes.
    pub any_of: BranchesCheck,
    /// Typed keywords' sites, in table order.
    pub rules: Vec<RuleCheck>,
    /// Who gives a child its schema; the first that does wins.
    pub children: Vec<ChildFn>,
}

/// One walk over a valid value and its schema, collecting sites.
pub struct Walk<'a> {
    /// The compiled schemas.
    pub arena: &'a Arena,
    schemas: &'a SchemaSet,
    checks: &'a Checks,
    sites: Vec<Site>,
}

impl<'a> Walk<'a> {
    /// A walk over values of `arena`'s schemas; `schemas` validates `oneOf`/`anyOf` branches.
    pub fn new(arena: &'a Arena, schemas: &'a SchemaSet, checks: &'a Checks) -> Self {
        Self {
            arena,
            schemas,
            checks,
            sites: Vec::new(),
        }
    }

    /// The sites found, in walk order.
    #[must_use]
    pub fn into_sites(self) -> Vec<Site> {
        self.sites
    }

    /// Collects the sites of `value` (at `spot`) against the node `id`, then of its children.
    pub fn node(&mut self, id: Id, value: &Value, spot: &Spot) {
        let (arena, checks) = (self.arena, self.checks);
        match &arena.nodes[arena.resolve(id)].kind {
            Kind::Any | Kind::Never | Kind::Ref(_) => {}
            Kind::Choice(values, keyword) => (checks.choice)(values, keyword, value, spot, self),
            Kind::OneOf(branches) => (checks.one_of)(branches, value, spot, self),
            Kind::AnyOf(branches) => (checks.any_of)(branches, value, spot, self),
            Kind::Typed(rules) => {
                for check in &checks.rules {
                    check(rules, value, spot, self);
                }
                self.children(rules, value, spot);
            }
        }
    }

    /// Walks the items of an array and the members of an object, in the value's order.
    fn children(&mut self, rules: &Rules, value: &Value, spot: &Spot) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(child) = self.child(rules, Step::Item(i)) {
                        let at = format!("{}/{i}", spot.at);
                        self.node(child, item, &spot.below(at));
                    }
                }
            }
            Value::Object(map) => {
                for (name, member) in map {
                    if let Some(child) = self.child(rules, Step::Member(name)) {
                        self.node(child, member, &spot.below(pointer::join(&spot.at, name)));
                    }
                }
            }
            _ => {}
        }
    }

    fn child(&self, rules: &Rules, step: Step<'_>) -> Option<Id> {
        self.checks
            .children
            .iter()
            .find_map(|child| child(rules, step))
    }

    /// Whether `value` is valid against the schema of the node `id`.
    #[must_use]
    pub fn valid_against(&self, id: Id, value: &Value) -> bool {
        let pointer = &self.arena.nodes[self.arena.resolve(id)].pointer;
        self.schemas
            .get(pointer)
            .is_some_and(|validator| validator.is_valid(value))
    }

    /// Reports a site: `edit` breaks `keyword` of the value at `spot`. Inside a combinator the
    /// validator reports the combinator instead, so the site expects that, and says why.
    pub fn push(&mut self, spot: &Spot, edit: Edit, keyword: &'static str, description: String) {
        let (expect_at, reported, description) = match &spot.outer {
            Some((outer_at, outer_keyword)) => (
                outer_at.clone(),
                *outer_keyword,
                format!(
                    "{description} (inside the {outer_keyword} at {})",
                    shown(outer_at)
                ),
            ),
            None => (spot.at.clone(), keyword, description),
        };
        self.sites.push(Site {
            edit,
            expect_at,
            keyword: reported,
            cause: keyword,
            description,
        });
    }
}

impl Spot {
    /// The spot of a child at `at`, inside the same combinator.
    #[must_use]
    pub fn below(&self, at: String) -> Self {
        Self {
            at,
            outer: self.outer.clone(),
        }
    }
}

/// The value at `at`, in words.
#[must_use]
pub fn shown(at: &str) -> String {
    if at.is_empty() {
        "the value".to_string()
    } else {
        format!("`{at}`")
    }
}

/// `x` as a JSON number (`null` if it is not finite).
#[must_use]
pub fn float(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}
