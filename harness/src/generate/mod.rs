//! Generation: JSON Schema to proptest strategies of JSON values, valid, edge and invalid.
//!
//! Start from [`Generator::new`] on a loaded spec, then ask for an event's payload
//! ([`Generator::event`]), an endpoint's request body ([`Generator::request`]) or any schema
//! ([`Generator::schema`]). The [`SchemaGen`] you get gives proptest strategies
//! ([`SchemaGen::valid`], [`SchemaGen::edge`], [`SchemaGen::invalid`]) and a seeded sampler
//! ([`SchemaGen::sample`]) for code that does not want proptest.
//!
//! ```no_run
//! use webhook_harness::generate::{Generator, Mode};
//! use webhook_harness::spec::ProviderSpec;
//!
//! let spec = ProviderSpec::load("happycolis")?;
//! let generator = Generator::new(&spec);
//! let created = generator.event("product/image/created")?;
//! for sample in created.sample(Mode::Valid, 42, 3)? {
//!     // header.organizationId == body.product.organizationId: the spec's invariant holds.
//!     assert_eq!(sample.value["header"]["organizationId"], sample.value["body"]["product"]["organizationId"]);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Each keyword family has its own file (`string`, `number`, `object`, `array`, `format`,
//! `pattern`, `merge` for `allOf`); `ir` compiles a schema into the node arena they share,
//! `sample` draws values, `invariants` applies the spec's cross-field rules, `invalid` makes
//! labelled one-violation values, `tree` plugs it all into proptest with shrinking.

mod array;
mod error;
mod formats;
mod invalid;
mod invariants;
mod ir;
mod merge;
mod number;
mod object;
mod patterns;
pub mod rng;
mod sample;
mod string;
mod tree;

use std::path::PathBuf;
use std::sync::Arc;

use jsonschema::Validator;
use proptest::prelude::RngCore;
use serde_json::Value;

pub use error::GenError;
pub use invalid::{Invalid, Label};
pub use tree::{InvalidStrategy, JsonTree, ValueStrategy};

use crate::spec::{Invariant, ProviderSpec, SchemaSet};

/// What kind of values to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Typical valid values (the default).
    Valid,
    /// Valid values at the boundaries: longest and shortest strings, non-ASCII and emoji,
    /// characters whose JSON escaping varies, nulls where nullable, empty arrays, unknown extra
    /// properties where allowed, numbers whose text varies between serialisers.
    Edge,
    /// Values with exactly one violation, each labelled.
    Invalid,
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "valid" => Ok(Self::Valid),
            "edge" => Ok(Self::Edge),
            "invalid" => Ok(Self::Invalid),
            other => Err(format!("unknown mode `{other}` (valid, edge or invalid)")),
        }
    }
}

/// One generated value; invalid ones carry their label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sample {
    /// The value.
    pub value: Value,
    /// What it violates (invalid mode only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
}

/// Builds generators for the schemas of one spec.
#[derive(Debug, Clone)]
pub struct Generator {
    file: PathBuf,
    document: Arc<Value>,
    schemas: SchemaSet,
    invariants: Vec<Invariant>,
    events: Vec<(String, Option<String>)>,
    requests: Vec<(String, Option<String>)>,
}

impl Generator {
    /// A generator over `spec`'s schemas.
    #[must_use]
    pub fn new(spec: &ProviderSpec) -> Self {
        Self {
            file: spec.file.clone(),
            document: Arc::new(spec.document.clone()),
            schemas: spec.schemas.clone(),
            invariants: spec.invariants.clone(),
            events: spec
                .events
                .iter()
                .map(|e| (e.name.clone(), e.schema().map(str::to_string)))
                .collect(),
            requests: spec
                .endpoints
                .iter()
                .map(|e| {
                    (
                        e.operation_id.clone(),
                        e.request
                            .as_ref()
                            .and_then(|b| b.json())
                            .and_then(|m| m.schema.clone()),
                    )
                })
                .collect(),
        }
    }

    /// The payload generator of `event`, with the spec's invariants applied.
    pub fn event(&self, event: &str) -> Result<SchemaGen, GenError> {
        let (_, schema) = self
            .events
            .iter()
            .find(|(name, _)| name == event)
            .ok_or_else(|| {
                GenError::NotFound(format!(
                    "no event `{event}` in {}; events: {}",
                    self.file.display(),
                    self.events
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let schema = schema
            .as_ref()
            .ok_or_else(|| GenError::NotFound(format!("event `{event}` has no payload schema")))?;
        let invariants = self
            .invariants
            .iter()
            .filter(|i| i.applies_to(event))
            .cloned()
            .collect();
        self.build(schema, invariants, Some(event.to_string()))
    }

    /// The request body generator of the endpoint whose `operationId` is `operation`.
    pub fn request(&self, operation: &str) -> Result<SchemaGen, GenError> {
        let (_, schema) = self
            .requests
            .iter()
            .find(|(id, _)| id == operation)
            .ok_or_else(|| {
                GenError::NotFound(format!(
                    "no operation `{operation}` in {}; operations: {}",
                    self.file.display(),
                    self.requests
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let schema = schema.as_ref().ok_or_else(|| {
            GenError::NotFound(format!("operation `{operation}` takes no request body"))
        })?;
        self.build(schema, Vec::new(), None)
    }

    /// A generator for the schema at `pointer` in the spec document.
    pub fn schema(&self, pointer: &str) -> Result<SchemaGen, GenError> {
        self.build(pointer, Vec::new(), None)
    }

    /// The names of the events.
    pub fn events(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(|(n, _)| n.as_str())
    }

    /// The operations that take a request body.
    pub fn operations_with_bodies(&self) -> impl Iterator<Item = &str> {
        self.requests
            .iter()
            .filter(|(_, s)| s.is_some())
            .map(|(n, _)| n.as_str())
    }

    fn build(
        &self,
        pointer: &str,
        invariants: Vec<Invariant>,
        event: Option<String>,
    ) -> Result<SchemaGen, GenError> {
        let mut arena = ir::Arena::new(&self.file);
        let root = arena.compile(&self.document, pointer)?;
        arena.finish();
        let validator = self.schemas.get(pointer).ok_or_else(|| {
            GenError::NotFound(format!(
                "{}: no compiled schema at {pointer}",
                self.file.display()
            ))
        })?;
        let plan = invariants::Plan::new(&arena, root, &invariants);
        Ok(SchemaGen {
            inner: Arc::new(Inner {
                arena,
                root,
                schema_pointer: pointer.to_string(),
                validator,
                schemas: self.schemas.clone(),
                plan,
                invariants,
                event,
                file: self.file.clone(),
            }),
        })
    }
}

/// Generates values of one schema. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SchemaGen {
    inner: Arc<Inner>,
}

/// Everything one schema's generation needs, shared by its strategies and trees.
pub(crate) struct Inner {
    arena: ir::Arena,
    root: ir::Id,
    schema_pointer: String,
    validator: Arc<Validator>,
    schemas: SchemaSet,
    invariants: Vec<Invariant>,
    plan: invariants::Plan,
    event: Option<String>,
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

impl Inner {
    /// Whether `value` is valid and satisfies the invariants.
    fn accepts(&self, value: &Value) -> bool {
        self.validator.is_valid(value) && self.invariants_hold(value)
    }

    fn invariants_hold(&self, value: &Value) -> bool {
        let event = self.event.as_deref().unwrap_or_default();
        self.invariants
            .iter()
            .all(|i| i.check(event, value, None).is_ok())
    }

    fn draw<R: RngCore + ?Sized>(&self, rng: &mut R, edge: bool) -> Result<Value, GenError> {
        let mut last = String::new();
        for _ in 0..TRIES {
            let mut value = sample::Ctx::new(&self.arena, rng, edge).value(self.root);
            if let Some(event) = &self.event {
                self.plan.apply(event, &mut value, rng);
            }
            if self.validator.is_valid(&value) {
                if self.invariants_hold(&value) {
                    return Ok(value);
                }
                last = "an invariant does not hold".into();
            } else if let Some(error) = self.validator.iter_errors(&value).next() {
                last = format!("{} at {}", error, error.instance_path());
            }
        }
        Err(GenError::Unsatisfiable {
            file: self.file.clone(),
            pointer: self.schema_pointer.clone(),
            tries: TRIES,
            last,
        })
    }

    fn draw_invalid<R: RngCore + ?Sized>(&self, rng: &mut R) -> Result<Invalid, GenError> {
        for _ in 0..8 {
            let valid = self.draw(rng, false)?;
            if let Some(invalid) = invalid::mutate(self, &valid, rng) {
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
}

impl SchemaGen {
    /// Valid values.
    #[must_use]
    pub fn valid(&self) -> ValueStrategy {
        ValueStrategy {
            inner: Arc::clone(&self.inner),
            mode: Mode::Valid,
        }
    }

    /// Valid values at the boundaries.
    #[must_use]
    pub fn edge(&self) -> ValueStrategy {
        ValueStrategy {
            inner: Arc::clone(&self.inner),
            mode: Mode::Edge,
        }
    }

    /// Values with exactly one labelled violation.
    #[must_use]
    pub fn invalid(&self) -> InvalidStrategy {
        InvalidStrategy {
            inner: Arc::clone(&self.inner),
        }
    }

    /// One value drawn from `rng`.
    pub fn draw<R: RngCore + ?Sized>(&self, mode: Mode, rng: &mut R) -> Result<Sample, GenError> {
        match mode {
            Mode::Valid | Mode::Edge => Ok(Sample {
                value: self.inner.draw(rng, mode == Mode::Edge)?,
                label: None,
            }),
            Mode::Invalid => {
                let invalid = self.inner.draw_invalid(rng)?;
                Ok(Sample {
                    value: invalid.value,
                    label: Some(invalid.label),
                })
            }
        }
    }

    /// A valid-mode value drawn without the final validation and invariants: for callers that
    /// overwrite parts of it and validate the result themselves (the mock's resources).
    pub fn draw_unchecked<R: RngCore + ?Sized>(&self, rng: &mut R) -> Value {
        sample::Ctx::new(&self.inner.arena, rng, false).value(self.inner.root)
    }

    /// Like [`Self::draw_unchecked`], leaving the object members at `skip` (instance
    /// pointers) as `null` placeholders, for a caller about to overwrite them.
    pub fn draw_skipping<R: RngCore + ?Sized>(&self, rng: &mut R, skip: &[String]) -> Value {
        sample::Ctx::skipping(&self.inner.arena, rng, skip).value(self.inner.root)
    }

    /// `count` values from `seed`: the same seed always gives the same values.
    pub fn sample(&self, mode: Mode, seed: u64, count: usize) -> Result<Vec<Sample>, GenError> {
        let mut rng = rng::seeded(seed);
        (0..count).map(|_| self.draw(mode, &mut rng)).collect()
    }

    /// Whether `value` is valid against the schema and satisfies the invariants.
    #[must_use]
    pub fn accepts(&self, value: &Value) -> bool {
        self.inner.accepts(value)
    }

    /// The schema's pointer in the spec.
    #[must_use]
    pub fn pointer(&self) -> &str {
        &self.inner.schema_pointer
    }

    /// The event, for an event payload generator.
    #[must_use]
    pub fn event(&self) -> Option<&str> {
        self.inner.event.as_deref()
    }
}
