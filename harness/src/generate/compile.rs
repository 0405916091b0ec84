//! Compiling schemas into the arena, keyword by keyword.
//!
//! The driver here knows no keyword: it walks a schema and asks the keywords of the table,
//! which it receives as a [`Vocabulary`] (built once from `keyword::TABLE`). Keyword files get
//! a [`Compiler`] to compile child schemas, merge nodes and report errors with their pointer;
//! as this module imports no keyword file, they can import it without an import circle.

use serde_json::{Map, Value};

use super::error::GenError;
use super::ir::{Arena, Id, Kind, Rules, Types};
use crate::spec::pointer;

/// Compiles a node that one keyword shapes alone (`$ref`, `allOf`, `const`, `enum`, `oneOf`,
/// `anyOf`), given the schema's map and pointer.
pub type ShapeFn = fn(&mut Compiler<'_>, &Map<String, Value>, &str) -> Result<Kind, GenError>;

/// Reads one keyword of a typed node into its rules (a no-op when the keyword is absent).
pub type RuleFn =
    fn(&mut Compiler<'_>, &Map<String, Value>, &str, &mut Rules) -> Result<(), GenError>;

/// Merges one keyword's rules of two typed nodes (`allOf`) into `out`: `(cx, a, b, out, at)`.
pub type MergeFn = fn(&mut Compiler<'_>, &Rules, &Rules, &mut Rules, &str) -> Result<(), GenError>;

/// Merges two whole nodes: `allOf`'s algebra over node shapes.
pub type NodeMergeFn = fn(&mut Compiler<'_>, Kind, Kind, &str) -> Result<Kind, GenError>;

/// A contradiction between a keyword and its twin (`minLength` above `maxLength`): the types
/// no value can have any more, and why.
pub type ConflictFn = fn(&Rules) -> Option<(Types, String)>;

/// Precomputes, once the arena is complete, what a keyword's draws look up every time.
pub type FinishFn = fn(&mut Rules);

/// What compiling needs from the keyword table: the keyword lists and every compile and merge
/// step, each in table order.
#[derive(Debug)]
pub struct Vocabulary {
    /// Keywords that only annotate: accepted and ignored.
    pub annotations: Vec<&'static str>,
    /// Keywords the generator honours (every keyword of the table but the annotations).
    pub known: Vec<&'static str>,
    /// Keywords that constrain values (today the same as `known`): a `$ref` or a combinator
    /// beside one of them is merged with it, and an `allOf` schema's own keywords count only if
    /// one is there.
    pub constraints: Vec<&'static str>,
    /// Keywords that shape a node alone; the first present one wins.
    pub shapes: Vec<(&'static str, ShapeFn)>,
    /// The types each typed keyword constrains (for schemas without `type`).
    pub hints: Vec<(&'static str, Types)>,
    /// The compile step of every typed keyword.
    pub rules: Vec<RuleFn>,
    /// The merge step of every typed keyword that has one.
    pub merges: Vec<MergeFn>,
    /// The contradiction check of every keyword that has one.
    pub conflicts: Vec<ConflictFn>,
    /// The finishing step of every keyword that has one.
    pub finishes: Vec<FinishFn>,
    /// How two nodes merge (`allOf`).
    pub merge: NodeMergeFn,
}

/// The state of one compilation: the arena being filled, the document, and the keywords.
pub struct Compiler<'a> {
    /// The arena being filled.
    pub arena: &'a mut Arena,
    doc: &'a Value,
    vocabulary: &'a Vocabulary,
}

impl<'a> Compiler<'a> {
    /// A compiler of `doc`'s schemas into `arena`.
    pub fn new(arena: &'a mut Arena, doc: &'a Value, vocabulary: &'a Vocabulary) -> Self {
        Self {
            arena,
            doc,
            vocabulary,
        }
    }

    /// Compiles the schema at `at` (and everything it references), then precomputes what draws
    /// look up: the root of a generator.
    pub fn root(mut self, at: &str) -> Result<Id, GenError> {
        let id = self.compile(at)?;
        for node in &mut self.arena.nodes {
            if let Kind::Typed(rules) = &mut node.kind {
                for finish in &self.vocabulary.finishes {
                    finish(rules);
                }
            }
        }
        Ok(id)
    }

    /// Compiles the schema at `at` in the document, once: a second call returns the same node.
    pub fn compile(&mut self, at: &str) -> Result<Id, GenError> {
        if let Some(id) = self.arena.named(at) {
            return Ok(id);
        }
        let schema = pointer::get(self.doc, at)
            .ok_or_else(|| self.arena.error(at, "no schema at this pointer"))?;
        let id = self.arena.reserve(at);
        match self.kind(schema, at) {
            Ok(kind) => {
                self.arena.nodes[id].kind = kind;
                Ok(id)
            }
            Err(error) => {
                // A combinator may still drop this branch; nothing else may draw from it.
                self.arena.nodes[id].kind = Kind::Never;
                Err(error)
            }
        }
    }

    /// What `schema` (found at `at`) allows. Every keyword is either honoured or refused with
    /// its pointer; nothing is silently dropped.
    pub fn kind(&mut self, schema: &Value, at: &str) -> Result<Kind, GenError> {
        let map = match schema {
            Value::Bool(true) => return Ok(Kind::Any),
            Value::Bool(false) => return Ok(Kind::Never),
            Value::Object(map) => map,
            _ => return Err(self.refuse(at, "a schema must be an object or a boolean")),
        };
        let vocabulary = self.vocabulary;
        // A keyword of no vocabulary (another tool's annotation, a typo) constrains nothing,
        // as JSON Schema says: it is ignored, and noted for the lint.
        for key in map.keys() {
            if !vocabulary.known.contains(&key.as_str())
                && !vocabulary.annotations.contains(&key.as_str())
                && !key.starts_with("x-")
            {
                self.arena.note_unknown(&pointer::join(at, key), key);
            }
        }
        for (name, shape) in &vocabulary.shapes {
            if map.contains_key(*name) {
                return shape(self, map, at);
            }
        }
        self.typed(map, at)
    }

    /// The typed node of the typed keywords in `map` (the others are ignored).
    pub fn typed(&mut self, map: &Map<String, Value>, at: &str) -> Result<Kind, GenError> {
        let mut rules = Rules::new();
        for rule in &self.vocabulary.rules {
            rule(self, map, at, &mut rules)?;
        }
        // No type left (a `not` of every type, contradictory bounds): the node allows nothing,
        // which an optional member or a combinator's branch can afford.
        if rules.types.is_empty() || self.settle(&mut rules, at).is_err() {
            return Ok(Kind::Never);
        }
        if !map.contains_key("type") {
            let hint = self
                .vocabulary
                .hints
                .iter()
                .filter(|(name, _)| map.contains_key(*name))
                .fold(Types::default(), |all, (_, t)| all.or(*t));
            if !hint.is_empty() {
                rules.hint = hint;
            }
        }
        Ok(Kind::Typed(rules))
    }

    /// A node allowing what both `a` and `b` allow (`allOf`); errors are reported at `at`.
    pub fn merge(&mut self, a: Kind, b: Kind, at: &str) -> Result<Kind, GenError> {
        (self.vocabulary.merge)(self, a, b, at)
    }

    /// The rules of two typed nodes merged, keyword by keyword in table order.
    pub fn merge_rules(&mut self, a: &Rules, b: &Rules, at: &str) -> Result<Rules, GenError> {
        let mut out = Rules::new();
        for merge in &self.vocabulary.merges {
            merge(self, a, b, &mut out, at)?;
        }
        self.settle(&mut out, at)?;
        Ok(out)
    }

    /// Removes the types that contradictory bounds rule out; none left is an error at `at`.
    fn settle(&self, rules: &mut Rules, at: &str) -> Result<(), GenError> {
        let mut why = Vec::new();
        for conflict in &self.vocabulary.conflicts {
            if let Some((types, reason)) = conflict(rules)
                && rules.types.and(types) != Types::default()
            {
                rules.types = rules.types.without(types);
                why.push(reason);
            }
        }
        if rules.types.is_empty() {
            return Err(self.refuse(
                at,
                format!("no value satisfies this schema: {}", why.join("; ")),
            ));
        }
        Ok(())
    }

    /// Whether `key` constrains values.
    #[must_use]
    pub fn is_constraint(&self, key: &str) -> bool {
        self.vocabulary.constraints.contains(&key)
    }

    /// Adds a node that no pointer names (a merge result).
    pub fn push(&mut self, kind: Kind, at: &str) -> Id {
        self.arena.push(kind, at)
    }

    /// A copy of the node `id` leads to, past `$ref` links.
    #[must_use]
    pub fn resolved(&self, id: Id) -> super::ir::Node {
        self.arena.nodes[self.arena.resolve(id)].clone()
    }

    /// The error for something at `at` the generator cannot honour.
    #[must_use]
    pub fn refuse(&self, at: &str, message: impl Into<String>) -> GenError {
        self.arena.error(at, message)
    }

    /// Reads a non-negative integer keyword.
    pub fn count(
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
                    self.refuse(
                        &pointer::join(at, key),
                        format!("`{key}` must be a non-negative integer"),
                    )
                }),
        }
    }

    /// Reads a number keyword.
    pub fn number(
        &self,
        map: &Map<String, Value>,
        at: &str,
        key: &str,
    ) -> Result<Option<f64>, GenError> {
        match map.get(key) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| {
                self.refuse(&pointer::join(at, key), format!("`{key}` must be a number"))
            }),
        }
    }
}
