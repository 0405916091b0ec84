//! What the dispatcher tells its callers: what happened to each message of an emission
//! ([`Report`], [`Recipient`], [`Outcome`]), the undeliverable list's entries
//! ([`Undeliverable`]) and a queue's skipped head ([`Skipped`]).

use serde_json::Value;

/// The message a blocked queue was stuck on, dropped by [`Dispatcher::skip`](super::dispatch::Dispatcher::skip).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The event name.
    pub event: String,
    /// The event id, where the provider has one.
    pub event_id: Option<String>,
    /// The subscription it was for.
    pub subscription: String,
}

/// What happened to one message (one event for one subscription).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    /// Acknowledged with a 2xx.
    Delivered,
    /// Every attempt failed and the provider drops failures (or gave up retrying).
    Dropped,
    /// Failed and kept in the undeliverable list under this id.
    Undeliverable {
        /// Its id in the undeliverable list.
        id: String,
    },
    /// Waiting in its tenant's queue, behind a blocked message (an emission to a FIFO provider
    /// returns once each of its messages is delivered or waits behind a blocked one).
    Queued,
    /// Not sent: one with the same throttle key went to the subscription within the window
    /// (`x-delivery.throttle`).
    Throttled,
}

/// One subscription's share of an emission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recipient {
    /// The subscription's id.
    pub subscription: String,
    /// Its tenant.
    pub tenant: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What one emission did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The event.
    pub event: String,
    /// The event id, where the provider has one.
    pub event_id: Option<String>,
    /// One entry per matching subscription.
    pub deliveries: Vec<Recipient>,
    /// Why nothing was sent, when no subscription matched the event (`None` otherwise): how
    /// many subscriptions are stored and which events they take. Not part of the JSON form,
    /// whose empty `deliveries` says it.
    #[serde(skip)]
    pub warning: Option<String>,
}

impl Report {
    /// Whether no subscription matched the event (nothing was sent, queued or throttled);
    /// [`Self::warning`] then says why.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.subscribe("newPhoto", "https://example.com/photos").await?;
    /// let report = provider.emit("newAlbum").await?;
    /// assert!(report.is_empty());
    /// assert_eq!(
    ///     report.warning.as_deref(),
    ///     Some("no subscription matches `newAlbum`: 1 subscription is stored, for newPhoto"),
    /// );
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.deliveries.is_empty()
    }
}

/// A message that could not be delivered, kept for resending or erasing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Undeliverable {
    /// Its id in the list.
    pub id: String,
    /// The event.
    pub event: String,
    /// The subscription.
    pub subscription: String,
    /// The tenant.
    pub tenant: String,
    /// Where it was sent.
    pub target: String,
    /// The payload.
    pub payload: Value,
    /// Why it failed, in short.
    pub reason: String,
    /// What came back: the status line (`500 Internal Server Error`), or why nothing did.
    pub answer: String,
    /// When its last attempt failed, in milliseconds since the epoch.
    pub failed_at_ms: u64,
}
