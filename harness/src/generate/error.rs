//! Generator errors: a schema the generator cannot honour, named by file and pointer.

use std::path::PathBuf;

/// Why a generator could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// A keyword or a combination the generator cannot honour.
    #[error("{}: at {pointer}: {message}", file.display())]
    Unsupported {
        /// The spec file.
        file: PathBuf,
        /// Pointer to the schema node at fault.
        pointer: String,
        /// What is not supported.
        message: String,
    },
    /// No event, endpoint or schema of that name.
    #[error("{0}")]
    NotFound(String),
    /// The schema (with the spec's invariants) admits no value the generator can find.
    #[error("{}: at {pointer}: no valid value found after {tries} tries: {last}", file.display())]
    Unsatisfiable {
        /// The spec file.
        file: PathBuf,
        /// Pointer to the schema.
        pointer: String,
        /// Tries made.
        tries: usize,
        /// Why the last one failed.
        last: String,
    },
}
