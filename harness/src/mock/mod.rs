//! The mock provider: every endpoint of a spec, served over real HTTP with real state, auth and
//! validation, in-process from a test or standalone (`cargo xtask mock`).
//!
//! Start from [`MockProvider::start`] (or [`MockProvider::builder`] to change a setting):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use webhook_harness::mock::MockProvider;
//! use webhook_harness::spec::ProviderSpec;
//!
//! let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
//! let key = provider.credentials().secret("tenant-a", "ApiKeyAuth").unwrap().to_string();
//! let response = reqwest::Client::new()
//!     .post(format!("{}/webhook/createSubscription", provider.uri()))
//!     .header("x-api-key", key)
//!     .json(&serde_json::json!({"event": "newAlbum", "targetUrl": "https://example.com/hook"}))
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(provider.resources("subscriptions").len(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! Everything provider-specific comes from the spec's `x-operation.mock` (see
//! `specs/EXTENSIONS.md`): the engine (`engine.rs`) routes (`router.rs`), authenticates
//! (`auth.rs`), validates, runs the operation's action on the store (`store.rs`) and answers
//! in the provider's own error shape (`reply.rs`); `server.rs` is the HTTP plumbing.

mod auth;
mod emit;
mod engine;
mod error;
mod form;
mod graphql;
mod journal;
mod reply;
mod router;
mod schema;
mod server;
mod settings;
mod store;

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::watch;

pub use crate::deliver::dispatch::{Attempt, Delivery, Outcome, Report, Undeliverable};
pub use crate::ids::fill as fill_id;
pub use auth::{Credentials, Tenant};
pub use emit::{Emit, EmitError};
pub use error::MockError;
pub use journal::Recorded;
pub use settings::{Defect, Settings};

use crate::spec::ProviderSpec;

/// Sets up a mock before it starts. Every setting has a default, given on its method.
#[derive(Debug)]
#[must_use]
pub struct MockBuilder {
    spec: ProviderSpec,
    credentials: Credentials,
    settings: Settings,
    port: u16,
    seed: u64,
}

impl MockBuilder {
    /// Accept `http://` target URLs where the provider documents `https://` only (default:
    /// refuse them, as the provider does). Local receivers in tests speak plain HTTP.
    pub fn allow_http_targets(mut self, allow: bool) -> Self {
        self.settings.allow_http_targets = allow;
        self
    }

    /// Listen on this port of 127.0.0.1 (default 0: the OS chooses).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The seed of generated ids and server-side fields (default: from the clock).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Gives the mock a deliberate [`Defect`] (default none). For the tests that prove each
    /// provider check fails on exactly that misbehaviour; never in real use.
    pub fn defect(mut self, defect: Defect) -> Self {
        self.settings.defect = Some(defect);
        self
    }

    /// Largest request body in bytes; larger ones get 413 (default 1 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.settings.body_limit = bytes;
        self
    }

    /// How many answered requests [`MockProvider::received`] keeps (default 1000; 0 keeps none).
    pub fn journal_limit(mut self, requests: usize) -> Self {
        self.settings.journal_limit = requests;
        self
    }

    /// Signs deliveries as if the time were `unix_seconds` (default: the clock), so that
    /// signatures with a timestamp (Betterez's `t`) are reproducible.
    pub fn clock(mut self, unix_seconds: f64) -> Self {
        self.settings.clock = Some(unix_seconds);
        self
    }

    /// Sets the secret of `tenant` for a security scheme or a named credential (the
    /// `--credential SCHEME=VALUE[@TENANT]` flag). Default: two tenants, `tenant-a` and
    /// `tenant-b`, with a secret for every security scheme and named credential of the spec.
    pub fn credential(mut self, name: &str, value: &str, tenant: &str) -> Self {
        self.credentials.set(name, value, tenant);
        self
    }

    /// Parses `NAME=VALUE[@TENANT]` (tenant default `tenant-a`) and sets it.
    pub fn credential_arg(self, arg: &str) -> Result<Self, MockError> {
        let (name, rest) = arg.split_once('=').ok_or_else(|| {
            MockError::Credential(format!(
                "`--credential {arg}`: expected NAME=VALUE[@TENANT]"
            ))
        })?;
        let (value, tenant) = rest.rsplit_once('@').unwrap_or((rest, "tenant-a"));
        let known = self.credential_names();
        if !known.iter().any(|k| k == name) {
            return Err(MockError::Credential(format!(
                "`--credential {arg}`: `{name}` is not a credential of this spec; its credentials: {}",
                known.join(", ")
            )));
        }
        Ok(self.credential(name, value, tenant))
    }

    fn credential_names(&self) -> Vec<String> {
        credential_names(&self.spec)
    }

    /// Starts serving.
    pub async fn start(self) -> Result<MockProvider, MockError> {
        let (listener, address) =
            server::bind(self.port)
                .await
                .map_err(|source| MockError::Bind {
                    port: self.port,
                    source,
                })?;
        let engine = Arc::new(engine::Engine::new(
            self.spec,
            self.credentials,
            self.settings,
            self.seed,
        )?);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&engine), stopped));
        Ok(MockProvider {
            engine,
            address,
            stop,
            task: Some(task),
        })
    }
}

/// The names of every credential a spec's mock knows: its security schemes, the credential its
/// signature key comes from, and the client credentials of a token endpoint.
fn credential_names(spec: &ProviderSpec) -> Vec<String> {
    let mut names: Vec<String> = spec
        .security_schemes
        .iter()
        .map(|s| s.name.clone())
        .collect();
    if let Some(name) = spec.signature.key.as_ref().and_then(|k| k.name.clone()) {
        names.push(name);
    }
    if spec.endpoints.iter().any(|e| {
        e.ext
            .mock
            .as_ref()
            .is_some_and(|m| m.action == crate::spec::extensions::MockAction::Token)
    }) {
        names.extend(["clientId".to_string(), "clientSecret".to_string()]);
    }
    names.sort();
    names.dedup();
    names
}

/// The credentials a mock of `spec` accepts by default: two tenants, `tenant-a` and
/// `tenant-b`, each with the secret `{provider}-{credential name in lower case}-{tenant}` for
/// every credential of the spec.
#[must_use]
pub fn default_credentials(spec: &ProviderSpec) -> Credentials {
    let mut credentials = Credentials::default();
    for tenant in ["tenant-a", "tenant-b"] {
        for name in credential_names(spec) {
            credentials.set(
                &name,
                &format!(
                    "{}-{}-{tenant}",
                    spec.provider.id,
                    name.to_ascii_lowercase()
                ),
                tenant,
            );
        }
    }
    credentials
}

/// The names of every credential a spec's mock knows (see [`default_credentials`]).
#[must_use]
pub fn credential_names_of(spec: &ProviderSpec) -> Vec<String> {
    credential_names(spec)
}

/// A running mock provider. Dropping it stops the server.
#[derive(Debug)]
pub struct MockProvider {
    engine: Arc<engine::Engine>,
    address: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MockProvider {
    /// A builder for `spec`, with every setting at its default.
    pub fn builder(spec: ProviderSpec) -> MockBuilder {
        let credentials = default_credentials(&spec);
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        MockBuilder {
            spec,
            credentials,
            settings: Settings::default(),
            port: 0,
            seed,
        }
    }

    /// Starts a mock of `spec` with the default settings.
    pub async fn start(spec: ProviderSpec) -> Result<Self, MockError> {
        Self::builder(spec).start().await
    }

    /// The base URL: `http://127.0.0.1:PORT` plus the base path of the spec's server URL, so
    /// that `format!("{}{path}", provider.uri())` reaches any documented path.
    #[must_use]
    pub fn uri(&self) -> String {
        format!("http://{}{}", self.address, self.engine.router.base())
    }

    /// The address it listens on.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The credentials it accepts.
    #[must_use]
    pub fn credentials(&self) -> &Credentials {
        &self.engine.credentials
    }

    /// The spec it serves.
    #[must_use]
    pub fn spec(&self) -> &ProviderSpec {
        &self.engine.spec
    }

    /// Every stored resource of `collection` (`subscriptions`, `webhooks`...), with tenants
    /// in name order and resources in creation order.
    #[must_use]
    pub fn resources(&self, collection: &str) -> Vec<Value> {
        self.engine
            .store
            .all(collection)
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    }

    /// The stored subscriptions: the resources of the collection that deliveries match
    /// (`subscriptions`, or uc.alxgsv's `webhooks`).
    #[must_use]
    pub fn subscriptions(&self) -> Vec<Value> {
        self.resources(&self.engine.subscription_collection)
    }

    /// The requests answered so far (the most recent ones, up to the journal limit).
    #[must_use]
    pub fn received(&self) -> Vec<Recorded> {
        self.engine.journal()
    }

    /// Emits `event` (spelled as in the spec) with a generated payload to every matching
    /// subscription, and returns what happened to each delivery.
    pub async fn emit(&self, event: &str) -> Result<Report, EmitError> {
        emit::emit(&self.engine, event, Emit::default()).await
    }

    /// Emits the documented example of `event`.
    pub async fn emit_fixture(&self, event: &str) -> Result<Report, EmitError> {
        emit::emit(
            &self.engine,
            event,
            Emit {
                fixture: true,
                ..Emit::default()
            },
        )
        .await
    }

    /// Emits the caller's own payload, validated against the event's schema and invariants.
    pub async fn emit_value(&self, event: &str, payload: Value) -> Result<Report, EmitError> {
        emit::emit(
            &self.engine,
            event,
            Emit {
                payload: Some(payload),
                ..Emit::default()
            },
        )
        .await
    }

    /// Emits with every option (seed, context values for subscription filters...).
    pub async fn emit_with(&self, event: &str, options: Emit) -> Result<Report, EmitError> {
        emit::emit(&self.engine, event, options).await
    }

    /// Every delivery attempt so far (the most recent ones), oldest first.
    #[must_use]
    pub fn deliveries(&self) -> Vec<Attempt> {
        self.engine.dispatcher.log()
    }

    /// Attempts made and deliveries acknowledged since the start (the log keeps only the most
    /// recent attempts; these counts are exact).
    #[must_use]
    pub fn delivery_totals(&self) -> (u64, u64) {
        self.engine.dispatcher.totals()
    }

    /// Messages that could not be delivered (providers whose failed deliveries are kept).
    #[must_use]
    pub fn undeliverable(&self) -> Vec<Undeliverable> {
        self.engine.dispatcher.undeliverable()
    }

    /// Resends one undeliverable message (`Some(id)`) or all of them; returns how many.
    pub async fn resend(&self, id: Option<&str>) -> usize {
        self.engine.dispatcher.resend(id).await
    }

    /// Erases one undeliverable message (`Some(id)`) or all of them; returns how many.
    pub fn erase(&self, id: Option<&str>) -> usize {
        self.engine.dispatcher.erase(id)
    }

    /// Tenants whose delivery queue is blocked (providers that block on failure), with how many
    /// messages wait.
    #[must_use]
    pub fn blocked(&self) -> Vec<(String, usize)> {
        self.engine.dispatcher.blocked()
    }

    /// Unblocks a tenant's queue: its blocked message is sent first, then the rest in order.
    pub async fn unblock(&self, tenant: &str) {
        self.engine.dispatcher.unblock(tenant).await;
    }

    /// Stops the server and waits for open requests to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
