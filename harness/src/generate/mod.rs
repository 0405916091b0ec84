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
//! Layout, from the bottom up (no module imports one above it, so there is no import circle):
//!
//! - `error`, `rng`, `formats` (the format catalogue), `patterns` (regexes compiled into
//!   drawing programs): leaves.
//! - `ir`: the node arena and the typed nodes' rules, one slot per keyword; it knows no keyword.
//! - The three phases, each a context plus a driver that dispatches through a view of the
//!   keyword table it is handed: `compile` (schema to arena, `allOf` merges), `sample` (draws),
//!   `violate` (one-edit violation sites). They import no keyword file either.
//! - `hooks`: what a keyword registers (`Keyword`: its name, role, and its part in each phase).
//! - `keyword/`: one file per schema keyword with its compile, merge, draw and violate parts,
//!   all registered in `keyword::TABLE`; the keyword lists and the phases' views are derived
//!   from it. Adding a keyword is a new file there and one line in the table.
//! - `invalid` (labelled one-violation values), `invariants` (the spec's cross-field rules):
//!   they read rules through the keywords' accessors.
//! - `graphql` (`GraphqlGen`, with the `graphql` feature): GraphQL variables drawn from an
//!   SDL's input types, valid and with one input coercion error; it stands apart from the JSON
//!   Schema phases.
//! - `inner` (what a [`SchemaGen`] shares with its strategies: compiling, drawing with
//!   retries), `tree` (proptest strategies and shrinking), `mode` ([`Mode`]), and this root.

mod compile;
mod cover;
mod error;
mod formats;
#[cfg(feature = "graphql")]
mod graphql;
mod hooks;
mod inner;
mod invalid;
mod invariants;
mod ir;
mod keyword;
mod mode;
mod patterns;
pub mod rng;
mod sample;
mod tree;
mod violate;

use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::Rng;
use serde_json::Value;

pub use cover::{LONG_ITEMS, LONG_LENGTHS, Tally};
pub use error::GenError;
#[cfg(feature = "graphql")]
pub use graphql::{GraphqlGen, GraphqlInvalid, GraphqlLabel, GraphqlOp};
use inner::Inner;
pub use invalid::{Invalid, Label};
pub use mode::Mode;
pub use sample::LONG_STRING;
pub use tree::{InvalidStrategy, JsonTree, ValueStrategy};

use crate::spec::{Invariant, ProviderSpec, SchemaSet};

/// One generated value; invalid ones carry their label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sample {
    /// The value.
    pub value: Value,
    /// What it violates (invalid mode only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
}

/// An invalid value after [`SchemaGen::shrink_invalid`].
#[derive(Debug, Clone, PartialEq)]
pub struct Shrunk {
    /// The smallest variant found that keeps the violation and the failure.
    pub value: Value,
    /// How many simplifications were kept.
    pub steps: usize,
    /// How many variants were tried.
    pub tried: usize,
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
        let inner = Inner::new(
            &self.file,
            &self.document,
            &self.schemas,
            pointer,
            invariants,
            event,
        )?;
        Ok(SchemaGen {
            inner: Arc::new(inner),
        })
    }
}

impl SchemaGen {
    /// A generator for a standalone JSON Schema document of `draft` (its `$ref`s resolve inside
    /// it), validated as that draft says; `name` stands for the file in errors.
    pub fn standalone(
        name: &str,
        schema: &Value,
        draft: jsonschema::Draft,
    ) -> Result<Self, GenError> {
        let (schemas, failures) = SchemaSet::compile_draft(schema, &[String::new()], draft);
        if let Some((_, reason)) = failures.first() {
            return Err(GenError::NotFound(format!(
                "{name}: the schema does not compile: {reason}"
            )));
        }
        let inner = Inner::new(&PathBuf::from(name), schema, &schemas, "", Vec::new(), None)?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The keywords of no vocabulary the schema uses (pointer, keyword): ignored when drawing.
    #[must_use]
    pub fn unknown_keywords(&self) -> &[(String, String)] {
        &self.inner.arena.unknown
    }
}

/// Edge values that cover a schema's options ([`SchemaGen::edge_cover`]).
#[derive(Debug, Clone)]
pub struct EdgeCover {
    /// The values, each valid, each covering something the ones before it did not.
    pub values: Vec<Value>,
    /// How many options the schema offered and how many the values took.
    pub tally: Tally,
}

/// Generates values of one schema. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SchemaGen {
    inner: Arc<Inner>,
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
    pub fn draw<R: Rng + ?Sized>(&self, mode: Mode, rng: &mut R) -> Result<Sample, GenError> {
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
    pub fn draw_unchecked<R: Rng + ?Sized>(&self, rng: &mut R) -> Value {
        self.inner.draw_once(&mut &mut *rng, false)
    }

    /// Like [`Self::draw_unchecked`], leaving the object members at `skip` (instance
    /// pointers) as `null` placeholders, for a caller about to overwrite them.
    pub fn draw_skipping<R: Rng + ?Sized>(&self, rng: &mut R, skip: &[String]) -> Value {
        self.inner.draw_skipping(&mut &mut *rng, skip)
    }

    /// An edge value whose free-text strings without `maxLength` are several kilobytes long
    /// (in arrays too: an array that may hold an item holds one), drawn from `seed`.
    pub fn long(&self, seed: u64) -> Result<Sample, GenError> {
        Ok(Sample {
            value: self.inner.draw_long(&mut rng::seeded(seed))?,
            label: None,
        })
    }

    /// Edge values that, together, take every option the schema offers at least once: every
    /// `oneOf`/`anyOf` branch, every `enum` value, each optional member present and absent,
    /// `null` and not where nullable, both booleans, the boundaries of every declared
    /// length, item count and range, and, for strings and arrays without an upper bound, long
    /// ones ([`LONG_LENGTHS`] characters, [`LONG_ITEMS`] items; one such per value). Each
    /// value validates; a value is kept only when it covers something new. Drawn from `seed`.
    /// An option no valid value can take (a `oneOf` branch whose values all match another
    /// branch too), or one the spec's invariants overwrite, stays uncovered: the [`Tally`]
    /// counts them.
    pub fn edge_cover(&self, seed: u64) -> Result<EdgeCover, GenError> {
        let (values, tally) = self.inner.cover(&mut rng::seeded(seed))?;
        Ok(EdgeCover { values, tally })
    }

    /// Invalid values that cover the schema's violation sites: every keyword at every place
    /// that one edit of a valid value can break gets one, labelled as the validator reports
    /// it. Drawn from `seed`; the same seed gives the same values.
    pub fn violations(&self, seed: u64) -> Result<Vec<Sample>, GenError> {
        let mut rng = rng::seeded(seed);
        Ok(self
            .inner
            .every_invalid(&mut rng)?
            .into_iter()
            .map(|invalid| Sample {
                value: invalid.value,
                label: Some(invalid.label),
            })
            .collect())
    }

    /// `count` values from `seed`: the same seed always gives the same values.
    pub fn sample(&self, mode: Mode, seed: u64, count: usize) -> Result<Vec<Sample>, GenError> {
        let mut rng = rng::seeded(seed);
        (0..count).map(|_| self.draw(mode, &mut rng)).collect()
    }

    /// Shrinks an invalid value while it keeps exactly its violation: a simpler variant (see
    /// [`JsonTree`]'s steps: an optional member removed, an array or a free-text string
    /// shortened, an integer moved towards zero) is kept when the validator reports for it
    /// exactly what it reports for `invalid` (same instance pointers, keywords and schema
    /// keywords) and `still_fails` says the variant still shows the failure. At most
    /// `budget` variants are handed to `still_fails`; the same inputs give the same result.
    pub fn shrink_invalid(
        &self,
        invalid: &Invalid,
        budget: usize,
        mut still_fails: impl FnMut(&Value) -> bool,
    ) -> Shrunk {
        let keys = self.inner.violation_keys(&invalid.value);
        let mut current = invalid.value.clone();
        let (mut steps, mut tried) = (0, 0);
        'outer: while tried < budget {
            for candidate in tree::simpler_variants(&self.inner, &current) {
                if candidate == current || self.inner.violation_keys(&candidate) != keys {
                    continue;
                }
                if tried >= budget {
                    break 'outer;
                }
                tried += 1;
                if still_fails(&candidate) {
                    current = candidate;
                    steps += 1;
                    continue 'outer;
                }
            }
            break;
        }
        Shrunk {
            value: current,
            steps,
            tried,
        }
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
