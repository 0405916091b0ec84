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
    /// A deliberate defect (for the tests of the provider checks; `None` in real use).
    pub defect: Option<Defect>,
}

/// A deliberate defect of a mock, one per provider check: the project's tests set one to prove
/// the check fails on exactly that misbehaviour. A mock in real use has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// Accepts `http://` target URLs where the provider wants `https://`.
    AcceptsHttpTargets,
    /// Does not validate request bodies (accepts a 41-character label).
    SkipsValidation,
    /// Answers without credentials, or with wrong ones, as the first tenant.
    IgnoresCredentials,
    /// Answers a delete with success but keeps serving the resource.
    ServesDeleted,
    /// Reads and lists resources of every tenant.
    LeaksTenants,
    /// Leaves the resource's id out of its answers.
    DropsIdFromResponses,
    /// Signs deliveries with a key that is not the subscriber's.
    SignsWithWrongKey,
    /// Delivers every event to every subscription, subscribed or not.
    DeliversUnsubscribed,
    /// Keeps the old fields after an update (the answer shows the new ones).
    ForgetsUpdates,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allow_http_targets: false,
            body_limit: 1024 * 1024,
            journal_limit: 1000,
            clock: None,
            defect: None,
        }
    }
}
