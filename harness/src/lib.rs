//! A conformance test harness and mock provider for webhook APIs.
//!
//! The flow, one module per step: [`spec`] loads the OpenAPI 3.1 spec files of `specs/` into a
//! typed, checked model; later steps generate payloads from it, sign and deliver them, serve the
//! provider's endpoints, and run conformance checks against a target.
//!
//! Cargo features: `cli` (default) is the command set and the `webhook-harness` binary; `runner`
//! (implied by `cli`) the conformance checks, transcripts, reports and reference receivers;
//! `graphql` (implied by `runner`) GraphQL endpoints. With `default-features = false` the
//! library is the specs, the generator, signing and the mock provider: what a test that mocks a
//! REST provider needs, in far fewer crates.
//!
//! ```no_run
//! let spec = webhook_harness::spec::ProviderSpec::load("swsh")?;
//! for event in &spec.events {
//!     println!("{}: {}", event.name, event.schema().unwrap_or("(no schema)"));
//! }
//! # Ok::<(), webhook_harness::spec::SpecErrors>(())
//! ```

pub mod deliver;
pub mod generate;
pub mod ids;
pub mod mock;
pub mod redact;
pub mod serialize;
pub mod sign;
pub mod spec;

#[cfg(feature = "runner")]
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "runner")]
pub mod reference;
#[cfg(feature = "runner")]
pub mod report;
#[cfg(feature = "runner")]
pub mod runner;
#[cfg(feature = "runner")]
pub mod suggest;
#[cfg(feature = "runner")]
pub mod transcript;

/// The README's Rust examples, compiled as doctests so that they cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
