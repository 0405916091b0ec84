//! The generator's view of a schema: an arena of compiled nodes.
//!
//! This module holds data only and knows no keyword: `compile` fills the arena by asking the
//! keywords of the table (`keyword::TABLE`), and each keyword keeps what it compiled in a rule
//! slot of the node's [`Rules`]. `$ref`s become arena links, so recursive schemas are finite
//! graphs and generation bounds their depth.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::GenError;

/// Index of a node in the arena.
pub type Id = usize;

/// JSON types as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Types(u8);

impl Types {
    /// `null`.
    pub const NULL: Self = Self(1);
    /// `true` and `false`.
    pub const BOOLEAN: Self = Self(2);
    /// Numbers without a fraction.
    pub const INTEGER: Self = Self(4);
    /// Any number.
    pub const NUMBER: Self = Self(8);
    /// Strings.
    pub const STRING: Self = Self(16);
    /// Arrays.
    pub const ARRAY: Self = Self(32);
    /// Objects.
    pub const OBJECT: Self = Self(64);
    /// Every type (a schema without `type`).
    pub const ALL: Self = Self(127);
    /// How many single types there are: the length of per-type tables.
    pub const COUNT: usize = 7;

    /// Whether `other`'s bits are all set.
    #[must_use]
    pub fn has(self, other: Self) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// The types in either set.
    #[must_use]
    pub const fn or(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The types in both sets.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The types of this set that are not in `other`.
    #[must_use]
    pub fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether no type is left.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The single types in this set, in a fixed order.
    pub fn each(self) -> impl Iterator<Item = Self> {
        [
            Self::NULL,
            Self::BOOLEAN,
            Self::INTEGER,
            Self::NUMBER,
            Self::STRING,
            Self::ARRAY,
            Self::OBJECT,
        ]
        .into_iter()
        .filter(move |t| self.has(*t))
    }

    /// The position of a single type in per-type tables (`0..COUNT`, in [`Self::each`] order).
    #[must_use]
    pub fn index(self) -> usize {
        self.0.trailing_zeros() as usize
    }

    /// The JSON type name of a single type.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::NULL => "null",
            Self::BOOLEAN => "boolean",
            Self::INTEGER => "integer",
            Self::NUMBER => "number",
            Self::STRING => "string",
            Self::ARRAY => "array",
            _ => "object",
        }
    }
}

/// What one keyword compiled for a typed node (a length, a pattern, a property list...).
/// Each keyword file defines its own rule type, so a new keyword brings its data with it.
pub trait Rule: Any + std::fmt::Debug + Send + Sync {
    /// A boxed copy (nodes are copied when `allOf` merges them).
    fn clone_rule(&self) -> Box<dyn Rule>;
    /// The rule as `Any`, to get the keyword's own type back.
    fn as_any(&self) -> &dyn Any;
    /// The rule as mutable `Any`.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + std::fmt::Debug + Clone + Send + Sync> Rule for T {
    fn clone_rule(&self) -> Box<dyn Rule> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The rules of a typed node: its JSON types and one slot per keyword that constrains it.
#[derive(Debug)]
pub struct Rules {
    /// The types a value may have (the `type` keyword; all of them when it is absent).
    pub types: Types,
    /// The types a value is drawn from by preference: without `type`, those the schema's
    /// keywords constrain (`minItems` suggests arrays); all of them otherwise.
    pub hint: Types,
    /// Each present keyword's rule, keyed by the rule's Rust type: a keyword reads its own
    /// slot, and a sibling's through that sibling's accessor.
    slots: Vec<(TypeId, Box<dyn Rule>)>,
}

impl Rules {
    /// Rules that allow every value.
    #[must_use]
    pub fn new() -> Self {
        Self {
            types: Types::ALL,
            hint: Types::ALL,
            slots: Vec::new(),
        }
    }

    /// Whether only `type` constrains these rules.
    #[must_use]
    pub fn only_types(&self) -> bool {
        self.slots.is_empty()
    }

    /// The rule of type `T`, if its keyword is present.
    #[must_use]
    pub fn get<T: Rule>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.slots
            .iter()
            .find(|(slot, _)| *slot == id)
            .and_then(|(_, rule)| (**rule).as_any().downcast_ref())
    }

    /// The rule of type `T`, mutable.
    pub fn get_mut<T: Rule>(&mut self) -> Option<&mut T> {
        let id = TypeId::of::<T>();
        self.slots
            .iter_mut()
            .find(|(slot, _)| *slot == id)
            .and_then(|(_, rule)| (**rule).as_any_mut().downcast_mut())
    }

    /// Sets the rule of type `T`, replacing any earlier one.
    pub fn set<T: Rule>(&mut self, rule: T) {
        let id = TypeId::of::<T>();
        match self.slots.iter_mut().find(|(slot, _)| *slot == id) {
            Some((_, old)) => *old = Box::new(rule),
            None => self.slots.push((id, Box::new(rule))),
        }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for Rules {
    fn clone(&self) -> Self {
        Self {
            types: self.types,
            hint: self.hint,
            slots: self
                .slots
                .iter()
                .map(|(id, rule)| (*id, (**rule).clone_rule()))
                .collect(),
        }
    }
}

/// A step from a value to one of its children.
#[derive(Debug, Clone, Copy)]
pub enum Step<'s> {
    /// The item at this index of an array.
    Item(usize),
    /// The member of this name of an object.
    Member(&'s str),
}

/// The schema a keyword gives the child at a step of a value of a typed node, if the keyword
/// describes that child (`properties`, `additionalProperties`, `prefixItems`, `items`).
pub type ChildFn = fn(&Rules, Step<'_>) -> Option<Id>;

/// One schema node.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `true` or `{}`.
    Any,
    /// `false`.
    Never,
    /// A link to another node (`$ref`), resolved lazily to allow recursion.
    Ref(Id),
    /// `const` or `enum` (the keyword, for labels): one of these values.
    Choice(Vec<Value>, &'static str),
    /// `oneOf`: exactly one branch.
    OneOf(Vec<Id>),
    /// `anyOf`: at least one branch.
    AnyOf(Vec<Id>),
    /// Type-directed rules.
    Typed(Rules),
}

/// A node and the pointer of the schema it came from.
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node allows.
    pub kind: Kind,
    /// The schema's pointer in the spec document.
    pub pointer: String,
}

/// The compiled schemas of one document.
#[derive(Debug, Clone)]
pub struct Arena {
    /// The nodes, by [`Id`].
    pub nodes: Vec<Node>,
    by_pointer: HashMap<String, Id>,
    file: PathBuf,
    /// Keywords of no vocabulary met while compiling (pointer, keyword): ignored, as
    /// annotations are.
    pub unknown: Vec<(String, String)>,
}

impl Arena {
    /// An empty arena for schemas of `file`.
    #[must_use]
    pub fn new(file: &Path) -> Self {
        Self {
            nodes: Vec::new(),
            by_pointer: HashMap::new(),
            file: file.to_path_buf(),
            unknown: Vec::new(),
        }
    }

    /// The node compiled from the schema at `pointer`, if any.
    #[must_use]
    pub fn named(&self, pointer: &str) -> Option<Id> {
        self.by_pointer.get(pointer).copied()
    }

    /// Adds a placeholder for the schema at `pointer`, before compiling it: a `$ref` cycle
    /// back to it then finds the node instead of compiling it again.
    pub fn reserve(&mut self, pointer: &str) -> Id {
        let id = self.push(Kind::Any, pointer);
        self.by_pointer.insert(pointer.to_string(), id);
        id
    }

    /// Adds a node that no pointer names (a merge result).
    pub fn push(&mut self, kind: Kind, at: &str) -> Id {
        self.nodes.push(Node {
            kind,
            pointer: at.to_string(),
        });
        self.nodes.len() - 1
    }

    /// Follows `Ref` links to a node that is not a reference.
    #[must_use]
    pub fn resolve(&self, mut id: Id) -> Id {
        for _ in 0..64 {
            match self.nodes[id].kind {
                Kind::Ref(next) => id = next,
                _ => return id,
            }
        }
        id
    }

    /// Notes a keyword of no vocabulary at `at` (ignored when drawing).
    pub fn note_unknown(&mut self, at: &str, keyword: &str) {
        if !self.unknown.iter().any(|(p, _)| p == at) {
            self.unknown.push((at.to_string(), keyword.to_string()));
        }
    }

    /// The error for a schema at `at` that the generator cannot honour.
    pub fn error(&self, at: &str, message: impl Into<String>) -> GenError {
        GenError::Unsupported {
            file: self.file.clone(),
            pointer: at.to_string(),
            message: message.into(),
        }
    }
}
