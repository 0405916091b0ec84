//! The `x-` extensions of our spec files, as `specs/EXTENSIONS.md` defines them.
//!
//! Every struct refuses unknown fields, so a typo in a spec is an error with a pointer rather than
//! a setting silently ignored.
//!
//! One file per extension family: `operation.rs` (`x-operation`, `x-graphql`), `signature.rs`
//! (`x-webhook-signature`), `delivery.rs` (`x-delivery`), `document.rs` (`x-event`,
//! `x-envelope`, `x-invariants`, `x-assumptions`, `x-errata`); the provider's identity here.

mod delivery;
mod document;
mod operation;
mod signature;

pub use delivery::*;
pub use document::*;
pub use operation::*;
pub use signature::*;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a node's facts come from: tags declared in `info.x-provider.sources`.
pub type Sources = Vec<String>;

/// `info.x-provider`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderInfo {
    /// Short name: file name, trial prefix, `--spec NAME`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Every source tag used in the document.
    pub sources: BTreeMap<String, SourceRef>,
}

/// One documentation source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// What the source is.
    pub title: String,
    /// A public page.
    #[serde(default)]
    pub url: Option<String>,
    /// A file under `../shared/`.
    #[serde(default)]
    pub file: Option<String>,
}

/// Whether something is in the provider's documentation or inferred from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Stated in the provider's user documentation.
    Documented,
    /// Taken from client or server code, not the user documentation.
    Inferred,
}
