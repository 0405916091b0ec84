//! The plain settings of a mock: numbers and switches, each with its default (see
//! `MockBuilder`, which sets them).

/// Settings of a mock (see `MockBuilder` for each default).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Accept `http://` target URLs where the provider wants `https://`.
    pub allow_http_targets: bool,
    /// Largest request body, in bytes (413 beyond).
    pub body_limit: usize,
    /// How many answered requests the journal keeps (oldest dropped first).
    pub journal_limit: usize,
    /// A fixed signing time in Unix seconds, for reproducible signatures (`None`: the clock).
    pub clock: Option<f64>,
    /// What each tenant administers (`x-operation.mock.permission`), by tenant id; a tenant
    /// not named administers every value but the permission's `except`.
    pub administered: std::collections::BTreeMap<String, Vec<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allow_http_targets: false,
            body_limit: 1024 * 1024,
            journal_limit: 1000,
            clock: None,
            administered: std::collections::BTreeMap::new(),
        }
    }
}
