//! A conformance test harness and mock provider for webhook APIs.
//!
//! The flow, one module per step: [`spec`] loads the OpenAPI 3.1 spec files of `specs/` into a
//! typed, checked model; later steps generate payloads from it, sign and deliver them, serve the
//! provider's endpoints, and run conformance checks against a target.
//!
//! ```no_run
//! let spec = webhook_harness::spec::ProviderSpec::load("swsh")?;
//! for event in &spec.events {
//!     println!("{}: {}", event.name, event.schema().unwrap_or("(no schema)"));
//! }
//! # Ok::<(), webhook_harness::spec::SpecErrors>(())
//! ```

pub mod check;
pub mod cli;
pub mod deliver;
pub mod generate;
pub mod ids;
pub mod mock;
pub mod redact;
pub mod reference;
pub mod report;
pub mod runner;
pub mod serialize;
pub mod sign;
pub mod spec;
pub mod suggest;
pub mod transcript;

/// The README's Rust examples, compiled as doctests so that they cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
