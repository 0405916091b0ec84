//! Reports for people and for CI, in one place:
//!
//! - `lint.rs`: spec lint reports and the coverage table (`cargo xtask lint-specs`);
//! - `summary.rs`: the console summary line of a conformance run;
//! - `junit.rs`: the JUnit XML of a conformance run.
//!
//! Reports read the run's [`crate::runner::Journal`]; nothing else renders outcomes.

mod junit;
mod lint;
mod summary;

pub use junit::{junit, write_junit};
pub use lint::{coverage_table, lint_report};
pub use summary::summary;
