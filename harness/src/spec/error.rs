//! Errors of the spec loader: each one names the file, the JSON Pointer and the reason.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file (or the fixture) at fault.
    pub file: PathBuf,
    /// JSON Pointer to the offending node, into the spec document (empty for the whole file).
    pub pointer: String,
    /// What is wrong.
    pub kind: SpecErrorKind,
    /// How to fix it, when we know.
    pub hint: Option<String>,
}

/// What is wrong with a spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// The file is not YAML (or JSON), or not a mapping at the top.
    #[error("not valid YAML: {0}")]
    Yaml(String),
    /// A `$ref` does not resolve inside the document.
    #[error("`$ref` to `{0}` does not resolve in this document")]
    DanglingRef(String),
    /// A `$ref` points outside the document.
    #[error("`$ref` to `{0}` leaves the document; only local references (`#/...`) are supported")]
    ExternalRef(String),
    /// An `x-` key that EXTENSIONS.md does not define at that place.
    #[error("unknown extension `{0}`")]
    UnknownExtension(String),
    /// A known extension with a wrong field or value.
    #[error("invalid `{extension}`: {message}")]
    Extension {
        /// The extension's key, e.g. `x-delivery`.
        extension: String,
        /// What serde or our checks said.
        message: String,
    },
    /// A schema that `jsonschema` refuses to compile.
    #[error("invalid JSON Schema: {0}")]
    Schema(String),
    /// The document breaks the OpenAPI 3.1 structure or one of our rules.
    #[error("{0}")]
    Invalid(String),
}

impl SpecError {
    /// A new error at `pointer` in `file`.
    pub fn new(file: impl Into<PathBuf>, pointer: impl Into<String>, kind: SpecErrorKind) -> Self {
        Self {
            file: file.into(),
            pointer: pointer.into(),
            kind,
            hint: None,
        }
    }

    /// Adds a hint, printed on its own line.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        write!(f, ": {}", self.kind)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// Every problem found while loading one spec (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    /// The file the errors are about (the first error's file).
    #[must_use]
    pub fn file(&self) -> Option<&Path> {
        self.0.first().map(|e| e.file.as_path())
    }

    /// The errors, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &SpecError> {
        self.0.iter()
    }
}

impl From<SpecError> for SpecErrors {
    fn from(error: SpecError) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}
