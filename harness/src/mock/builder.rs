//! [`MockBuilder`]: every setting and extension point of a mock, each with its default, and the
//! two ways to start one ([`MockProvider::builder`], [`MockProvider::start`]).

use std::sync::Arc;

use tokio::sync::watch;

use super::action::Action;
use super::auth::{Authenticate, Credentials, default_credentials};
use super::engine::{Engine, Extensions};
use super::error::MockError;
use super::hook::ReplyHook;
use super::provider::MockProvider;
use super::server;
use super::settings::Settings;
use super::target::TargetRule;
use super::validate::Validate;
use crate::spec::ProviderSpec;
use crate::spec::extensions::MockAction;

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
            extensions: Extensions::default(),
            port: 0,
            seed,
        }
    }

    /// Starts a mock of `spec` with the default settings.
    pub async fn start(spec: ProviderSpec) -> Result<Self, MockError> {
        Self::builder(spec).start().await
    }
}

/// Sets up a mock before it starts. Every setting has a default, given on its method.
#[derive(Debug)]
#[must_use]
pub struct MockBuilder {
    spec: ProviderSpec,
    credentials: Credentials,
    settings: Settings,
    extensions: Extensions,
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

    /// `tenant` administers exactly `values` (swsh's albums: creating a subscription to
    /// another album is refused with the permission's status, `x-operation.mock.permission`).
    /// Default: every tenant administers every value but the permission's `except`.
    pub fn administers<I, S>(mut self, tenant: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.settings.administered.insert(
            tenant.to_string(),
            values.into_iter().map(Into::into).collect(),
        );
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

    /// Largest request body in bytes; larger ones get 413 (default 1 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.settings.body_limit = bytes;
        self
    }

    /// How long a request's headers may take to arrive, from their first byte; a slower client
    /// is disconnected (default 10 s).
    pub fn header_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.settings.header_timeout = timeout;
        self
    }

    /// How long a connection may stay idle, waiting for its next request, before it is closed;
    /// also the time a request's body has to arrive (408 beyond) (default 60 s).
    pub fn idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// How many client connections are open at once at most (default 512); beyond, new ones
    /// wait to be accepted while the open ones are served.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.settings.max_connections = connections;
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

    /// Retries a failed delivery `retries` times after its first attempt, for a provider that
    /// retries (`x-delivery.onFailure: retry`, swsh); the others keep their documented failure
    /// rule (drop, undeliverable list, blocked queue). Default: the spec's
    /// `x-delivery.retry.maxAttempts` minus one (swsh: 2).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::builder(ProviderSpec::load("swsh")?).retries(0).start().await?;
    /// assert_eq!(provider.delivery_policy().attempts, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn retries(mut self, retries: u32) -> Self {
        self.settings.delivery.retries = Some(retries);
        self
    }

    /// Waits `initial` before the first retry, then longer by the spec's multiplier, never more
    /// than `longest` (a provider that retries). Default: the spec's `x-delivery.retry`
    /// (swsh: 1 s, doubling, at most 30 s).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// use std::time::Duration;
    /// let provider = MockProvider::builder(ProviderSpec::load("swsh")?)
    ///     .backoff(Duration::from_millis(10), Duration::from_millis(40))
    ///     .start()
    ///     .await?;
    /// assert_eq!(provider.delivery_policy().max_backoff, Duration::from_millis(40));
    /// # Ok(())
    /// # }
    /// ```
    pub fn backoff(mut self, initial: std::time::Duration, longest: std::time::Duration) -> Self {
        self.settings.delivery.backoff = Some((initial, longest.max(initial)));
        self
    }

    /// The time limit of one delivery attempt, connecting included; a receiver slower than
    /// that fails the attempt (`timed out`). Default: the spec's `x-delivery.timeoutMs`
    /// (swsh 10 s, uc.alxgsv 60 s).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// use std::time::Duration;
    /// let provider = MockProvider::builder(ProviderSpec::load("uc-alxgsv")?)
    ///     .delivery_timeout(Duration::from_millis(500))
    ///     .start()
    ///     .await?;
    /// assert_eq!(provider.delivery_policy().timeout, Duration::from_millis(500));
    /// # Ok(())
    /// # }
    /// ```
    pub fn delivery_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.settings.delivery.timeout = Some(timeout);
        self
    }

    /// The preset for tests: retries keep the provider's count but do not wait
    /// (`backoff(0, 0)`), and an attempt times out after 2 s (`delivery_timeout`), so that a
    /// failing receiver makes `emit` return at once instead of after the provider's backoff.
    /// Everything else stays as documented.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// use std::time::Duration;
    /// let provider = MockProvider::builder(ProviderSpec::load("swsh")?).fast().start().await?;
    /// let policy = provider.delivery_policy();
    /// assert_eq!((policy.attempts, policy.max_backoff), (3, Duration::ZERO));
    /// assert_eq!(policy.timeout, Duration::from_secs(2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn fast(self) -> Self {
        self.backoff(std::time::Duration::ZERO, std::time::Duration::ZERO)
            .delivery_timeout(std::time::Duration::from_secs(2))
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
        let (name, value, tenant) =
            Credentials::parse_flag(&self.spec, arg).map_err(MockError::Credential)?;
        Ok(self.credential(name, value, tenant))
    }

    /// Serves every operation whose `x-operation.mock.action` is `kind` with `action`
    /// (default: the built-in action of that kind, [`super::action::builtin`]). GraphQL root
    /// fields of that kind use it too (GraphQL serves create, read, delete and list).
    pub fn action(mut self, kind: MockAction, action: impl Action + 'static) -> Self {
        self.extensions.kinds.push((kind, Box::new(action)));
        self
    }

    /// Serves the operation `operation` (an `operationId`, or a GraphQL root field) with
    /// `action`, before any action given by kind (default: none).
    pub fn operation(mut self, operation: &str, action: impl Action + 'static) -> Self {
        self.extensions
            .operations
            .push((operation.to_string(), Box::new(action)));
        self
    }

    /// The authentication stage (default [`super::auth::SpecSecurity`]: the endpoint's
    /// security requirements, then its tenancy).
    pub fn authenticate(mut self, stage: impl Authenticate + 'static) -> Self {
        self.extensions.authenticate = Box::new(stage);
        self
    }

    /// Schema validation of request bodies and stored resources (default
    /// [`super::validate::SchemaValidation`]).
    pub fn validate(mut self, stage: impl Validate + 'static) -> Self {
        self.extensions.validate = Box::new(stage);
        self
    }

    /// The target-URL rule (default [`super::target::HttpsRule`]: the provider's HTTPS rule,
    /// with [`Self::allow_http_targets`] for local receivers).
    pub fn target_rule(mut self, rule: impl TargetRule + 'static) -> Self {
        self.extensions.target_rule = Box::new(rule);
        self
    }

    /// Adds a hook that sees, and may change, every reply (default: none; hooks run in the
    /// order they were added).
    pub fn on_reply(mut self, hook: impl ReplyHook + 'static) -> Self {
        self.extensions.hooks.push(Box::new(hook));
        self
    }

    /// Gives the mock a deliberate fault (default none): for the tests that prove each
    /// provider check fails on exactly that misbehaviour; never in real use.
    #[cfg(feature = "test-support")]
    pub fn fault<F: Fault + ?Sized>(self, fault: &F) -> Self {
        fault.apply(self)
    }

    /// Departs from the provider's delivery rules as `hook` says: which subscriptions get an
    /// event, which key signs (default: the documented rules).
    pub fn delivery_hook(mut self, hook: impl crate::deliver::dispatch::Hook) -> Self {
        self.extensions.delivery = Some(Box::new(hook));
        self
    }

    /// Starts serving.
    pub async fn start(mut self) -> Result<MockProvider, MockError> {
        let (listener, address) =
            server::bind(self.port)
                .await
                .map_err(|source| MockError::Bind {
                    port: self.port,
                    source,
                })?;
        self.settings.address = Some(address);
        let engine = Arc::new(Engine::new(
            self.spec,
            self.credentials,
            self.settings,
            self.seed,
            self.extensions,
        )?);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&engine), stopped));
        Ok(MockProvider::running(engine, address, stop, task))
    }
}

/// A deliberate misbehaviour of a mock, built on its extension points: the project's tests
/// give a mock one to prove a provider check fails on exactly that misbehaviour
/// ([`MockBuilder::fault`]).
#[cfg(feature = "test-support")]
pub trait Fault: std::fmt::Debug + Sync {
    /// The builder with the fault's extensions in place.
    fn apply(&self, mock: MockBuilder) -> MockBuilder;
}
