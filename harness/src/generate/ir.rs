//! The generator's view of a schema: JSON Schema compiled into a small arena of nodes.
//!
//! Every keyword is either honoured here or refused with the pointer of the schema node that
//! holds it; nothing is silently dropped. `$ref`s become arena links, so recursive schemas are
//! finite graphs and generation bounds their depth.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::GenError;
use super::formats::Format;
use super::patterns::Pattern;
use crate::spec::pointer;

/// Index of a node in the arena.
pub type Id = usize;

/// JSON types as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Types(u8);

impl Types {
    pub const NULL: Self = Self(1);
    pub const BOOLEAN: Self = Self(2);
    pub const INTEGER: Self = Self(4);
    pub const NUMBER: Self = Self(8);
    pub const STRING: Self = Self(16);
    pub const ARRAY: Self = Self(32);
    pub const OBJECT: Self = Self(64);
    pub const ALL: Self = Self(127);

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "null" => Self::NULL,
            "boolean" => Self::BOOLEAN,
            "integer" => Self::INTEGER,
            "number" => Self::NUMBER,
            "string" => Self::STRING,
            "array" => Self::ARRAY,
            "object" => Self::OBJECT,
            _ => return None,
        })
    }

    /// Whether `other`'s bits are all set.
    #[must_use]
    pub fn has(self, other: Self) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// The types in either set.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The types in both sets.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        Self(self.0 & other.0)
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

/// String rules.
#[derive(Debug, Clone, Default)]
pub struct StringRules {
    pub min: usize,
    pub max: Option<usize>,
    pub pattern: Option<Pattern>,
    pub format: Option<Format>,
}

/// Number rules (`integer` and `number`).
#[derive(Debug, Clone, Default)]
pub struct NumberRules {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub exclusive_min: bool,
    pub exclusive_max: bool,
}

/// What an object allows beyond its listed properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Additional {
    /// Anything (absent or `true`).
    Any,
    /// Nothing (`false`).
    Never,
    /// Values of this node.
    Schema(Id),
}

/// Object rules.
#[derive(Debug, Clone)]
pub struct ObjectRules {
    pub properties: Vec<(String, Id)>,
    pub required: Vec<String>,
    pub additional: Additional,
    /// For each of `properties`, whether it is required (filled by [`Arena::finish`]).
    pub property_required: Vec<bool>,
}

impl Default for ObjectRules {
    fn default() -> Self {
        Self {
            properties: Vec::new(),
            required: Vec::new(),
            additional: Additional::Any,
            property_required: Vec::new(),
        }
    }
}

/// Array rules.
#[derive(Debug, Clone, Default)]
pub struct ArrayRules {
    pub prefix: Vec<Id>,
    /// Items after the prefix: `None` for anything, `Some(id)` for a schema (possibly `Never`).
    pub items: Option<Id>,
    pub min: usize,
    pub max: Option<usize>,
}

/// One schema node.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "nodes live once in an arena; unboxed typed rules save an indirection per draw"
)]
pub enum Kind {
    /// `true` or `{}`.
    Any,
    /// `false`.
    Never,
    /// A link to another node (`$ref`), resolved lazily to allow recursion.
    Ref(Id),
    /// `const` or `enum` (the keyword): one of these values.
    Choice(Vec<Value>, &'static str),
    /// `oneOf`: exactly one branch.
    OneOf(Vec<Id>),
    /// `anyOf`: at least one branch.
    AnyOf(Vec<Id>),
    /// Type-directed rules.
    Typed {
        types: Types,
        string: StringRules,
        number: NumberRules,
        object: ObjectRules,
        array: ArrayRules,
    },
}

/// A node and the pointer of the schema it came from.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub pointer: String,
}

/// The compiled schemas of one document.
#[derive(Debug, Clone)]
pub struct Arena {
    pub nodes: Vec<Node>,
    by_pointer: HashMap<String, Id>,
    file: PathBuf,
}

/// Keywords that only annotate and never constrain a generated value.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "discriminator",
    "externalDocs",
    "xml",
    "$schema",
    "contentEncoding",
];

impl Arena {
    /// An empty arena for schemas of `file`.
    #[must_use]
    pub fn new(file: &Path) -> Self {
        Self {
            nodes: Vec::new(),
            by_pointer: HashMap::new(),
            file: file.to_path_buf(),
        }
    }

    /// Compiles the schema at `at` in `doc` (and everything it references).
    pub fn compile(&mut self, doc: &Value, at: &str) -> Result<Id, GenError> {
        if let Some(id) = self.by_pointer.get(at) {
            return Ok(*id);
        }
        let schema =
            pointer::get(doc, at).ok_or_else(|| self.error(at, "no schema at this pointer"))?;
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind: Kind::Any,
            pointer: at.to_string(),
        });
        self.by_pointer.insert(at.to_string(), id);
        let kind = self.kind_of(doc, schema, at)?;
        self.nodes[id].kind = kind;
        Ok(id)
    }

    /// Precomputes what generation looks up on every draw. Call once, after compiling.
    pub fn finish(&mut self) {
        for node in &mut self.nodes {
            if let Kind::Typed { object, .. } = &mut node.kind {
                object.property_required = object
                    .properties
                    .iter()
                    .map(|(name, _)| object.required.contains(name))
                    .collect();
            }
        }
    }

    /// Adds a node that no pointer names (a merge result).
    pub(super) fn push(&mut self, kind: Kind, at: &str) -> Id {
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

    fn error(&self, at: &str, message: impl Into<String>) -> GenError {
        GenError::Unsupported {
            file: self.file.clone(),
            pointer: at.to_string(),
            message: message.into(),
        }
    }

    fn kind_of(&mut self, doc: &Value, schema: &Value, at: &str) -> Result<Kind, GenError> {
        let map = match schema {
            Value::Bool(true) => return Ok(Kind::Any),
            Value::Bool(false) => return Ok(Kind::Never),
            Value::Object(map) => map,
            _ => return Err(self.error(at, "a schema must be an object or a boolean")),
        };
        for key in map.keys() {
            if !KNOWN.contains(&key.as_str())
                && !ANNOTATIONS.contains(&key.as_str())
                && !key.starts_with("x-")
            {
                return Err(self.error(
                    &pointer::join(at, key),
                    format!("the generator cannot honour the keyword `{key}`"),
                ));
            }
        }
        if let Some(target) = map.get("$ref") {
            if map
                .keys()
                .any(|k| CONSTRAINTS.contains(&k.as_str()) && k != "$ref")
            {
                // `$ref` beside other constraints means both apply: treat as allOf.
                let mut rest = map.clone();
                rest.remove("$ref");
                return self.all_of(
                    doc,
                    at,
                    &[
                        (pointer::join(at, "$ref"), Some(target.clone())),
                        (at.to_string(), None),
                    ],
                    &rest,
                );
            }
            return self
                .reference(doc, target, &pointer::join(at, "$ref"))
                .map(Kind::Ref);
        }
        if let Some(branches) = map.get("allOf") {
            let items = branches.as_array().ok_or_else(|| {
                self.error(&pointer::join(at, "allOf"), "`allOf` must be an array")
            })?;
            let parts: Vec<(String, Option<Value>)> = (0..items.len())
                .map(|i| (format!("{}/{i}", pointer::join(at, "allOf")), None))
                .chain(std::iter::once((at.to_string(), None)))
                .collect();
            let mut rest = map.clone();
            rest.remove("allOf");
            return self.all_of(doc, at, &parts, &rest);
        }
        if let Some(value) = map.get("const") {
            return Ok(Kind::Choice(vec![value.clone()], "const"));
        }
        if let Some(values) = map.get("enum") {
            let values = values
                .as_array()
                .ok_or_else(|| self.error(&pointer::join(at, "enum"), "`enum` must be an array"))?;
            if values.is_empty() {
                return Err(self.error(
                    &pointer::join(at, "enum"),
                    "an empty `enum` allows no value",
                ));
            }
            return Ok(Kind::Choice(values.clone(), "enum"));
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = map.get(keyword) {
                let here = pointer::join(at, keyword);
                let items = branches
                    .as_array()
                    .ok_or_else(|| self.error(&here, format!("`{keyword}` must be an array")))?;
                let ids = (0..items.len())
                    .map(|i| self.compile(doc, &format!("{here}/{i}")))
                    .collect::<Result<Vec<_>, _>>()?;
                // Type keywords beside the combinator apply to every branch.
                let ids = if map.keys().any(|k| TYPED.contains(&k.as_str())) {
                    let own = self.typed(doc, map, at)?;
                    let mut merged = Vec::with_capacity(ids.len());
                    for id in ids {
                        let branch = self.nodes[self.resolve(id)].clone();
                        let kind = super::merge::merge(self, branch.kind, own.clone(), at)?;
                        merged.push(self.push(kind, &branch.pointer));
                    }
                    merged
                } else {
                    ids
                };
                return Ok(if keyword == "oneOf" {
                    Kind::OneOf(ids)
                } else {
                    Kind::AnyOf(ids)
                });
            }
        }
        self.typed(doc, map, at)
    }

    fn reference(&mut self, doc: &Value, target: &Value, at: &str) -> Result<Id, GenError> {
        let text = target
            .as_str()
            .ok_or_else(|| self.error(at, "`$ref` must be a string"))?;
        let fragment = text
            .strip_prefix('#')
            .ok_or_else(|| self.error(at, format!("`$ref` to `{text}` leaves the document")))?;
        self.compile(doc, fragment)
    }

    fn typed(&mut self, doc: &Value, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
        let types = match map.get("type") {
            None => Types::ALL,
            Some(Value::String(name)) => Types::from_name(name).ok_or_else(|| {
                self.error(&pointer::join(at, "type"), format!("unknown type `{name}`"))
            })?,
            Some(Value::Array(names)) => {
                let mut set = Types::default();
                for name in names {
                    let t = name.as_str().and_then(Types::from_name).ok_or_else(|| {
                        self.error(&pointer::join(at, "type"), format!("unknown type {name}"))
                    })?;
                    set = Types(set.0 | t.0);
                }
                set
            }
            Some(_) => {
                return Err(self.error(
                    &pointer::join(at, "type"),
                    "`type` must be a string or an array",
                ));
            }
        };
        // An integer is a number; `type: number` admits integers too.
        let types = if types.has(Types::NUMBER) {
            Types(types.0 | Types::INTEGER.0)
        } else {
            types
        };
        let string = super::string::compile(self, map, at)?;
        let number = super::number::compile(self, map, at)?;
        let object = super::object::compile(self, doc, map, at)?;
        let array = super::array::compile(self, doc, map, at)?;
        Ok(Kind::Typed {
            types,
            string,
            number,
            object,
            array,
        })
    }

    /// Reads a non-negative integer keyword.
    pub(super) fn count(
        &self,
        map: &Map<String, Value>,
        at: &str,
        key: &str,
    ) -> Result<Option<usize>, GenError> {
        match map.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| {
                    self.error(
                        &pointer::join(at, key),
                        format!("`{key}` must be a non-negative integer"),
                    )
                }),
        }
    }

    /// Reads a number keyword.
    pub(super) fn number(
        &self,
        map: &Map<String, Value>,
        at: &str,
        key: &str,
    ) -> Result<Option<f64>, GenError> {
        match map.get(key) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| {
                self.error(&pointer::join(at, key), format!("`{key}` must be a number"))
            }),
        }
    }

    /// An error at `at`.
    pub(super) fn refuse(&self, at: &str, message: impl Into<String>) -> GenError {
        self.error(at, message)
    }

    /// `allOf`: the parts are merged into one typed node. Parts are schema pointers (or, for a
    /// `$ref` sibling, the reference value); the last part is the schema's own keywords.
    fn all_of(
        &mut self,
        doc: &Value,
        at: &str,
        parts: &[(String, Option<Value>)],
        own: &Map<String, Value>,
    ) -> Result<Kind, GenError> {
        let mut merged: Option<Kind> = None;
        for (i, (part_at, reference)) in parts.iter().enumerate() {
            let kind = if i + 1 == parts.len() {
                if own.keys().all(|k| !CONSTRAINTS.contains(&k.as_str())) {
                    continue;
                }
                self.kind_of(doc, &Value::Object(own.clone()), part_at)?
            } else {
                let id = match reference {
                    Some(target) => self.reference(doc, target, part_at)?,
                    None => self.compile(doc, part_at)?,
                };
                let id = self.resolve(id);
                self.nodes[id].kind.clone()
            };
            merged = Some(match merged {
                None => kind,
                Some(previous) => super::merge::merge(self, previous, kind, at)?,
            });
        }
        Ok(merged.unwrap_or(Kind::Any))
    }
}

/// Keywords the generator honours.
const KNOWN: &[&str] = &[
    "$ref",
    "allOf",
    "oneOf",
    "anyOf",
    "const",
    "enum",
    "type",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
];

/// Keywords that constrain values (everything known but annotations).
const CONSTRAINTS: &[&str] = KNOWN;

/// Keywords of typed nodes.
const TYPED: &[&str] = &[
    "type",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
];
