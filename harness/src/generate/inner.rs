//! The state a [`SchemaGen`](super::SchemaGen) shares with its strategies and trees: the
//! compiled schema, its validator and the spec's invariants; draws are retried until they
//! validate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonschema::Validator;
use proptest::prelude::Rng;
use serde_json::Value;

use super::error::GenError;
use super::invalid::{self, Invalid, Subject};
use super::{compile, cover, invariants, ir, keyword, sample};
use crate::spec::{Invariant, SchemaSet};

/// Everything one schema's generation needs, shared by its strategies and trees.
pub struct Inner {
    pub(super) arena: ir::Arena,
    pub(super) root: ir::Id,
    pub(super) schema_pointer: String,
    validator: Arc<Validator>,
    schemas: SchemaSet,
    invariants: Vec<Invariant>,
    plan: invariants::Plan,
    pub(super) event: Option<String>,
    file: PathBuf,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("schema", &self.schema_pointer)
            .field("event", &self.event)
            .finish_non_exhaustive()
    }
}

/// Draws are retried this often before the schema is declared unsatisfiable.
const TRIES: usize = 64;

/// A coverage run draws at most this many values...
const COVER_DRAWS: usize = 512;

/// ...and stops after this many in a row that cover nothing new.
const COVER_IDLE: usize = 48;

impl Inner {
    /// Compiles the schema at `pointer` of `document` (a spec file's), with the invariants of
    /// `event` (if it is an event's payload).
    pub fn new(
        file: &Path,
        document: &Value,
        schemas: &SchemaSet,
        pointer: &str,
        invariants: Vec<Invariant>,
        event: Option<String>,
    ) -> Result<Self, GenError> {
        let mut arena = ir::Arena::new(file);
        let root =
            compile::Compiler::new(&mut arena, document, keyword::vocabulary()).root(pointer)?;
        if matches!(arena.nodes[arena.resolve(root)].kind, ir::Kind::Never) {
            return Err(arena.error(
                pointer,
                "no value satisfies this schema (`false`, a `not` of every type, or bounds that contradict each other)",
            ));
        }
        let validator = schemas.get(pointer).ok_or_else(|| {
            GenError::NotFound(format!(
                "{}: no compiled schema at {pointer}",
                file.display()
            ))
        })?;
        let plan = invariants::Plan::new(&arena, root, &invariants);
        Ok(Self {
            arena,
            root,
            schema_pointer: pointer.to_string(),
            validator,
            schemas: schemas.clone(),
            plan,
            invariants,
            event,
            file: file.to_path_buf(),
        })
    }

    /// Whether `value` is valid and satisfies the invariants.
    pub fn accepts(&self, value: &Value) -> bool {
        self.validator.is_valid(value) && self.invariants_hold(value)
    }

    /// What the validator reports for `value`, as (instance pointer, keyword, schema pointer)
    /// triples: two values break the schema the same way when these are equal.
    pub fn violation_keys(&self, value: &Value) -> Vec<(String, String, String)> {
        crate::spec::schemas::violations_of(&self.validator, &self.schema_pointer, value)
            .into_iter()
            .map(|v| (v.instance_pointer, v.keyword, v.schema_pointer))
            .collect()
    }

    fn invariants_hold(&self, value: &Value) -> bool {
        let event = self.event.as_deref().unwrap_or_default();
        self.invariants
            .iter()
            .all(|i| i.check(event, value, None).is_ok())
    }

    /// A value that validates and satisfies the invariants (`edge`: a boundary value).
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, edge: bool) -> Result<Value, GenError> {
        self.draw_with(rng, edge, false)
    }

    /// An edge value whose unbounded strings are long (see `sample::Ctx::long`).
    pub fn draw_long<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Value, GenError> {
        self.draw_with(rng, true, true)
    }

    fn draw_with<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        edge: bool,
        long: bool,
    ) -> Result<Value, GenError> {
        let mut last = String::new();
        for _ in 0..TRIES {
            let mut value = if long {
                let mut lend = &mut *rng;
                let mut ctx = sample::Ctx::new(&self.arena, &mut lend, true, keyword::draws());
                ctx.long = true;
                ctx.value(self.root)
            } else {
                self.draw_once(&mut &mut *rng, edge)
            };
            if let Some(event) = &self.event {
                self.plan.apply(event, &mut value, rng);
            }
            if self.validator.is_valid(&value) {
                if self.invariants_hold(&value) {
                    return Ok(value);
                }
                last = "an invariant does not hold".into();
            } else if let Some(error) = self.validator.iter_errors(&value).next() {
                last = crate::spec::schemas::excerpt(&format!(
                    "{} at {}",
                    error,
                    error.instance_path()
                ));
            }
        }
        Err(GenError::Unsatisfiable {
            file: self.file.clone(),
            pointer: self.schema_pointer.clone(),
            tries: TRIES,
            last,
        })
    }

    /// Edge values that together take every option of every decision the schema offers (see
    /// `cover`), and how much of it they cover.
    pub fn cover<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<(Vec<Value>, cover::Tally), GenError> {
        let mut cover = cover::Cover::default();
        let mut kept = Vec::new();
        let mut idle = 0;
        for _ in 0..COVER_DRAWS {
            cover.begin();
            let mut value = {
                let mut lend = &mut *rng;
                let mut ctx = sample::Ctx::new(&self.arena, &mut lend, true, keyword::draws());
                ctx.cover = Some(&mut cover);
                ctx.value(self.root)
            };
            if let Some(event) = &self.event {
                self.plan.apply(event, &mut value, rng);
            }
            if cover.end(self.accepts(&value)) {
                kept.push(value);
                idle = 0;
            } else {
                idle += 1;
            }
            if cover.complete() || idle >= COVER_IDLE {
                break;
            }
        }
        if kept.is_empty() {
            kept.push(self.draw(rng, true)?);
        }
        Ok((kept, cover.tally()))
    }

    /// One value, neither validated nor adjusted to the invariants.
    pub fn draw_once(&self, rng: &mut dyn Rng, edge: bool) -> Value {
        sample::Ctx::new(&self.arena, rng, edge, keyword::draws()).value(self.root)
    }

    /// Like [`Self::draw_once`] in valid mode, leaving the object members at `skip` (instance
    /// pointers) as `null` placeholders.
    pub fn draw_skipping(&self, rng: &mut dyn Rng, skip: &[String]) -> Value {
        sample::Ctx::skipping(&self.arena, rng, skip, keyword::draws()).value(self.root)
    }

    /// A value with exactly one violation, and its label.
    pub fn draw_invalid<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Invalid, GenError> {
        let subject = Subject {
            arena: &self.arena,
            root: self.root,
            schemas: &self.schemas,
            validator: &self.validator,
            pointer: &self.schema_pointer,
        };
        for _ in 0..8 {
            let valid = self.draw(rng, false)?;
            if let Some(invalid) = invalid::mutate(&subject, &valid, rng) {
                return Ok(invalid);
            }
        }
        Err(GenError::Unsatisfiable {
            file: self.file.clone(),
            pointer: self.schema_pointer.clone(),
            tries: 8,
            last: "no single violation could be made (the schema constrains nothing)".into(),
        })
    }

    /// Invalid values covering every violation site of several valid values (typical ones,
    /// and edge ones that carry every optional member): each keyword at each place once.
    pub fn every_invalid<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Vec<Invalid>, GenError> {
        let subject = Subject {
            arena: &self.arena,
            root: self.root,
            schemas: &self.schemas,
            validator: &self.validator,
            pointer: &self.schema_pointer,
        };
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for base in 0..8 {
            let valid = self.draw(rng, base % 2 == 1)?;
            out.extend(invalid::every(&subject, &valid, &mut seen));
        }
        Ok(out)
    }
}
