//! [`MockProvider`]: the handle of a running mock, for the process that started it (it is
//! made by `MockBuilder::start`, `builder.rs`).

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::watch;

use super::auth::Credentials;
use super::emit::{self, Emit, EmitError};
use super::engine::Engine;
use super::expect::{Expectation, ExpectationError, Expectations};
use super::journal::Recorded;
use super::policy::DeliveryPolicy;
use crate::deliver::dispatch::{Attempt, Report, Undeliverable};
use crate::spec::ProviderSpec;

/// A running mock provider. Dropping it stops the server.
#[derive(Debug)]
pub struct MockProvider {
    engine: Arc<Engine>,
    address: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MockProvider {
    /// A handle on `engine`, served at `address` by `task` until `stop` says so.
    pub(super) fn running(
        engine: Arc<Engine>,
        address: SocketAddr,
        stop: watch::Sender<bool>,
        task: tokio::task::JoinHandle<()>,
    ) -> Self {
        Self {
            engine,
            address,
            stop,
            task: Some(task),
        }
    }

    /// The engine it serves.
    pub(super) fn engine(&self) -> &Arc<Engine> {
        &self.engine
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
        &self.engine.core.credentials
    }

    /// The spec it serves.
    #[must_use]
    pub fn spec(&self) -> &ProviderSpec {
        &self.engine.core.spec
    }

    /// Every stored resource of `collection` (`subscriptions`, `webhooks`...), with tenants
    /// in name order and resources in creation order.
    #[must_use]
    pub fn resources(&self, collection: &str) -> Vec<Value> {
        self.engine
            .core
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
        self.engine.journal.read(&self.engine.core.spec.endpoints)
    }

    /// Emits `event` (spelled as in the spec) with a generated payload to every matching
    /// subscription, and returns what happened to each delivery once each has an outcome
    /// (for a provider with FIFO queues: delivered, or `Queued` behind a blocked message).
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

    /// How deliveries are retried and timed: the spec's rules with the builder's overrides
    /// ([`super::MockBuilder::retries`], [`super::MockBuilder::backoff`],
    /// [`super::MockBuilder::delivery_timeout`], [`super::MockBuilder::fast`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::builder(ProviderSpec::load("swsh")?).retries(5).start().await?;
    /// assert_eq!(provider.delivery_policy().attempts, 6);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn delivery_policy(&self) -> DeliveryPolicy {
        DeliveryPolicy::of(self.engine.dispatcher.rules())
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

    /// Drops the message a tenant's blocked queue is stuck on (it is never sent again), then
    /// sends the rest in order. The dropped message; `None` when the queue is not blocked.
    pub async fn skip(&self, tenant: &str) -> Option<crate::deliver::dispatch::Skipped> {
        self.engine.dispatcher.skip(tenant).await
    }

    /// Stops the server and waits for open requests to finish; the expectations are then
    /// checked as on drop ([`Self::expect`]).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockProvider {
    /// Stops the server, then checks the expectations ([`Self::expect`]): unmet ones panic
    /// with the list of what was delivered, unless the thread is already panicking.
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if !std::thread::panicking()
            && let Err(unmet) = self
                .engine
                .expectations
                .check(&self.engine.core.spec.provider.name)
        {
            panic!("{unmet}");
        }
    }
}

impl MockProvider {
    /// Expects `event` (spelled as in the spec) to be delivered: at least once unless refined
    /// ([`Expectation::delivered`], [`Expectation::to`]...). Counted are acknowledged (2xx)
    /// deliveries since the mock started, one per message. Checked by [`Self::verify`], and
    /// when the mock is dropped: a panic listing the unmet expectations, every delivery made
    /// and the events emitted to no subscription (not while the thread is already panicking).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// use wiremock::{matchers::method, Mock, MockServer, ResponseTemplate};
    ///
    /// let receiver = MockServer::start().await;
    /// Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&receiver).await;
    /// let provider = MockProvider::builder(ProviderSpec::load("swsh")?)
    ///     .allow_http_targets(true)
    ///     .start()
    ///     .await?;
    /// provider.subscribe("newAlbum", &receiver.uri()).await?;
    /// provider.expect("newAlbum").to(&receiver.uri()).delivered(2);
    /// provider.emit("newAlbum").await?;
    /// provider.emit("newAlbum").await?;
    /// provider.verify().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn expect(&self, event: &str) -> Expectation {
        Expectations::expect(&self.engine().expectations, event)
    }

    /// Checks every expectation now; the error lists the unmet ones, every delivery made and
    /// the events emitted to no subscription. Deliveries are complete when `emit` returns,
    /// except resends started in the background (`/__mock/` or the provider's retry endpoint).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("newAlbum").delivered(1);
    /// let report = provider.emit("newAlbum").await?; // nobody subscribed
    /// assert!(report.is_empty());
    /// let error = provider.verify().await.unwrap_err();
    /// assert!(error.message.contains("Emitted to no subscription:\n  - `newAlbum` (1 time)"));
    /// provider.clear_expectations(); // else dropping the provider panics with that message
    /// # Ok(())
    /// # }
    /// ```
    pub async fn verify(&self) -> Result<(), ExpectationError> {
        self.engine()
            .expectations
            .check(&self.engine().core.spec.provider.name)
    }

    /// Forgets every expectation (deliveries stay counted): nothing is checked on drop.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("newAlbum");
    /// provider.clear_expectations();
    /// assert!(provider.verify().await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn clear_expectations(&self) {
        self.engine().expectations.clear();
    }
}
