//! `x-delivery`: how events are sent, matched, retried and queued.

use serde::{Deserialize, Serialize};

use super::HeaderExt;
use super::Sources;

/// `x-delivery`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeliveryExt {
    /// HTTP method (POST).
    pub method: String,
    /// Content-Type header sent, or null for none.
    pub content_type: Option<String>,
    /// How the payload text is produced.
    pub serialization: Serialization,
    /// How the payload text becomes the wire body.
    pub body_encoding: BodyEncoding,
    /// Which answers acknowledge a delivery.
    pub success: String,
    /// Per-attempt timeout.
    pub timeout_ms: u64,
    /// Ordering guarantee.
    pub ordering: Ordering,
    /// What shares one queue.
    pub queue: QueueKey,
    /// What happens when an attempt fails.
    pub on_failure: OnFailure,
    /// The retry policy (`onFailure: retry`).
    #[serde(default)]
    pub retry: Option<RetryExt>,
    /// Which subscriptions get an event.
    pub matching: MatchingExt,
    /// Pointer in the subscription to headers sent verbatim.
    #[serde(default)]
    pub forward_headers: Option<String>,
    /// Headers the provider itself sends with every delivery (templates).
    #[serde(default)]
    pub headers: Vec<HeaderExt>,
    /// Subscription values copied into each payload.
    #[serde(default)]
    pub echo: Vec<EchoExt>,
    /// How the provider's API shows its undeliverable list (`onFailure: undeliverable`).
    #[serde(default)]
    pub undeliverable: Option<UndeliverableExt>,
    /// Deliveries held back when the same key was delivered within a window.
    #[serde(default)]
    pub throttle: Vec<ThrottleExt>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}

/// How payload text is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Serialization {
    /// JavaScript's `JSON.stringify`.
    JsonStringify,
    /// Compact JSON in insertion order.
    Compact,
}

/// How the payload text becomes the wire body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyEncoding {
    /// The body is the payload text.
    Plain,
    /// The body is the payload text encoded again as a JSON string literal.
    JsonString,
}

/// Ordering guarantees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ordering {
    /// No guarantee.
    None,
    /// First in, first out per queue.
    Fifo,
}

/// What shares one delivery queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueKey {
    /// No queue.
    None,
    /// One queue per subscription.
    Subscription,
    /// One queue per integration (all its subscriptions).
    Integration,
}

/// What happens when a delivery attempt fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnFailure {
    /// The queue blocks until unblocked; the failed message goes first.
    Block,
    /// The delivery lands in an undeliverable list.
    Undeliverable,
    /// Bounded retries with backoff.
    Retry,
    /// The failure is ignored.
    Drop,
}

/// `x-delivery.retry`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RetryExt {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt.
    pub initial_backoff_ms: u64,
    /// Longest wait.
    pub max_backoff_ms: u64,
    /// Growth of the wait.
    pub multiplier: f64,
}

/// `x-delivery.matching`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingExt {
    /// Pointer into the subscription: an event name or a list of them.
    pub events: String,
    /// The value meaning "every event".
    #[serde(default)]
    pub all: Option<String>,
    /// Pointer into the subscription: a boolean.
    #[serde(default)]
    pub active: Option<String>,
    /// Equality filters between subscription and event context.
    #[serde(default)]
    pub filters: Vec<FilterExt>,
}

/// One matching filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterExt {
    /// Pointer into the subscription.
    pub subscription: String,
    /// Name of the context value the emitter supplies.
    pub context: String,
    /// What the filter means.
    #[serde(default)]
    pub description: Option<String>,
}

/// One echoed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EchoExt {
    /// Pointer into the subscription.
    pub subscription: String,
    /// Pointer into the payload.
    pub payload: String,
}

/// `x-delivery.undeliverable`: the operations of one `x-operation.mock` collection serve the
/// dispatcher's undeliverable list (list, read, update of the target, retry, retry-all, delete,
/// delete-all), each item shown in the provider's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UndeliverableExt {
    /// The `x-operation.mock.collection` whose operations serve the list.
    pub collection: String,
    /// Template of an item's id (default `{hex:24}`).
    #[serde(default)]
    pub id_format: Option<String>,
    /// An item as the API shows it: pointer in the item → what the dispatcher knows.
    pub item: std::collections::BTreeMap<String, ItemField>,
    /// Pointer, in the answer of a retry or retry-all, where the number of items resent goes.
    #[serde(default)]
    pub retried: Option<String>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}

impl UndeliverableExt {
    /// Where `field` sits in an item.
    #[must_use]
    pub fn pointer_of(&self, field: ItemField) -> Option<&str> {
        self.item
            .iter()
            .find(|(_, f)| **f == field)
            .map(|(at, _)| at.as_str())
    }
}

/// What fills one field of an undeliverable item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ItemField {
    /// The item's id in the list.
    Id,
    /// The event name.
    Event,
    /// The subscription's id.
    Subscription,
    /// The URL the delivery went to (editable).
    Target,
    /// Why it failed, in short (`the receiver answered 500`).
    Reason,
    /// What came back: the status line (`500 Internal Server Error`), or why nothing did.
    Answer,
    /// The payload that was attempted.
    Payload,
    /// When the last attempt failed, RFC 3339 in UTC with milliseconds.
    FailedAt,
    /// When the last attempt failed, Unix seconds.
    FailedAtSeconds,
    /// The UTC offset of `failedAt`, in minutes: always 0.
    UtcOffset,
}

/// One throttle rule: a delivery of one of `events` to a subscription is held back when one
/// with the same key was delivered to it less than `windowMs` ago.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ThrottleExt {
    /// The events it applies to.
    pub events: Vec<String>,
    /// What makes two deliveries the same: `payload:<pointer>` (a payload value) or
    /// `context:<name>` (a value the emitter supplies, as matching filters use).
    pub key: Vec<String>,
    /// The window.
    pub window_ms: u64,
    /// What the rule means.
    #[serde(default)]
    pub description: Option<String>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}
