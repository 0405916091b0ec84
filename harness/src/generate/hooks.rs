//! What a keyword registers: its name, its role, and its part in each phase (compile, merge,
//! draw, violate). Each keyword file under `keyword/` defines one [`Keyword`] (two for a bound
//! and its exclusive twin), and `keyword::TABLE` lists them all.
//!
//! This module sits between the phase contexts (`compile`, `sample`, `violate`, which define
//! the hook types and import no keyword) and the keyword files (which import it): the import
//! graph stays a tree.

use super::compile::{ConflictFn, FinishFn, MergeFn, NodeMergeFn, RuleFn, ShapeFn};
use super::ir::{ChildFn, Types};
use super::sample::{BranchesDraw, ChoiceDraw, TypeHook, TypedDraw};
use super::violate::{BranchesCheck, ChoiceCheck, RuleCheck};

/// What a keyword is to the generator.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    /// It only annotates (`title`, `description`...): accepted and ignored.
    Annotation,
    /// It shapes its node (`$ref`, `allOf`, `if`, `const`, `enum`, `oneOf`, `anyOf`): the first
    /// such keyword present in a schema, in table order, compiles the node.
    Shape(ShapeFn),
    /// It is a rule of a typed node (`type`, `minLength`, `properties`...): every rule keyword
    /// reads its part of the schema, in table order.
    Rule(RuleFn),
}

/// A keyword's part in `allOf` merges.
#[derive(Debug, Clone, Copy)]
pub enum Merge {
    /// How two whole nodes merge (the `allOf` keyword).
    Nodes(NodeMergeFn),
    /// How this keyword's rules of two typed nodes merge.
    Rule(MergeFn),
}

/// A keyword's part in drawing values.
#[derive(Debug, Clone, Copy)]
pub enum Draw {
    /// Draws the nodes of `const` and `enum`.
    Choice(ChoiceDraw),
    /// Draws the nodes of `oneOf`.
    OneOf(BranchesDraw),
    /// Draws the nodes of `anyOf`.
    AnyOf(BranchesDraw),
    /// Draws typed nodes (the `type` keyword: picks the type, builds scalars).
    Typed(TypedDraw),
    /// Builds or adjusts values of these types.
    Type(Types, TypeHook),
}

/// A keyword's part in making invalid values: the one-edit violations it reports.
#[derive(Debug, Clone, Copy)]
pub enum Violate {
    /// Reports the sites of `const`/`enum` nodes.
    Choice(ChoiceCheck),
    /// Reports the sites inside `oneOf` nodes.
    OneOf(BranchesCheck),
    /// Reports the sites inside `anyOf` nodes.
    AnyOf(BranchesCheck),
    /// Reports this typed keyword's sites.
    Rule(RuleCheck),
}

/// How a keyword describes the children of a value.
#[derive(Debug, Clone, Copy)]
pub enum Child {
    /// By name or index (`properties`, `prefixItems`): such a member is no extra one.
    Named(ChildFn),
    /// The children the keywords before it leave (`additionalProperties`, `items`).
    Rest(ChildFn),
}

/// One entry of the keyword table.
#[derive(Debug, Clone, Copy)]
pub struct Keyword {
    /// The keyword as written in a schema.
    pub name: &'static str,
    /// What it is, and for a constraint, how it compiles.
    pub role: Role,
    /// How it merges in `allOf`.
    pub merge: Option<Merge>,
    /// How it draws values.
    pub draw: Option<Draw>,
    /// Which one-edit violations it reports.
    pub violate: Option<Violate>,
    /// Which children it gives a schema.
    pub child: Option<Child>,
    /// What it precomputes once the arena is complete.
    pub finish: Option<FinishFn>,
    /// How it contradicts its twin (`maxLength` below `minLength`), if it can.
    pub conflict: Option<ConflictFn>,
    /// The types it constrains, when it has no draw hook saying so: a schema without `type`
    /// draws values of the types its keywords constrain.
    pub types: Option<Types>,
}

impl Keyword {
    /// A keyword that only annotates.
    #[must_use]
    pub const fn annotation(name: &'static str) -> Self {
        Self {
            name,
            role: Role::Annotation,
            merge: None,
            draw: None,
            violate: None,
            child: None,
            finish: None,
            conflict: None,
            types: None,
        }
    }

    /// A keyword with this role and no other part yet: the start of a keyword's definition
    /// (`Keyword { merge: ..., ..Keyword::new(name, role) }`).
    #[must_use]
    pub const fn new(name: &'static str, role: Role) -> Self {
        Self {
            role,
            ..Self::annotation(name)
        }
    }
}
