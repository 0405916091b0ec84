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
    /// How long a request's headers may take to arrive, from their first byte (the connection
    /// is closed beyond).
    pub header_timeout: std::time::Duration,
    /// How long a connection may wait for its next request (or a request's body take to
    /// arrive) before it is closed.
    pub idle_timeout: std::time::Duration,
    /// How many connections are open at once at most; beyond, new ones wait to be accepted.
    pub max_connections: usize,
    /// Where the mock listens, once bound: subscriptions to this address are refused.
    pub address: Option<std::net::SocketAddr>,
    /// Overrides of the spec's retry policy and delivery time limit (default none).
    pub delivery: super::policy::DeliveryOverrides,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allow_http_targets: false,
            body_limit: 1024 * 1024,
            journal_limit: 1000,
            clock: None,
            administered: std::collections::BTreeMap::new(),
            address: None,
            header_timeout: std::time::Duration::from_secs(10),
            idle_timeout: std::time::Duration::from_secs(60),
            max_connections: 512,
            delivery: super::policy::DeliveryOverrides::default(),
        }
    }
}
