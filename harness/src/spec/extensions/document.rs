//! `x-event`, `x-envelope`, `x-invariants`, `x-assumptions` and `x-errata`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Sources;
use super::Status;

/// `x-event` on a webhook operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventExt {
    /// The event name, equal to the `webhooks` key.
    pub name: String,
    /// Documented or inferred.
    pub status: Status,
    /// Where it comes from.
    pub source: Sources,
    /// What makes the provider send it.
    #[serde(default)]
    pub trigger: Option<String>,
    /// The kind of object the event is about.
    #[serde(default)]
    pub resource: Option<String>,
    /// Pointers in the payload that hold the id of the object the event is about (all hold
    /// the same value). Events of one `resource` with these pointers form its lifecycle, in the
    /// order the spec lists them.
    #[serde(default, rename = "resourceId")]
    pub resource_id: Vec<String>,
}

/// `x-envelope`: where a delivery carries its envelope fields, each a JSON Pointer into the
/// payload or `header:<Name>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvelopeExt {
    /// The event name.
    #[serde(default)]
    pub event_name: Option<String>,
    /// The event id.
    #[serde(default)]
    pub event_id: Option<String>,
    /// An id unique to each POST.
    #[serde(default)]
    pub attempt_id: Option<String>,
    /// When the event was created.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The subscription that matched.
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// The id template of event ids the provider makes up where the id travels in a header
    /// (`msg_{alnum:27}`; default `{uuid}`).
    #[serde(default)]
    pub event_id_format: Option<String>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}

/// One `x-invariants` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvariantExt {
    /// Stable id.
    pub id: String,
    /// What it says, in words.
    pub description: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
    /// Events it applies to (all when absent).
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// The rule.
    pub rule: Rule,
}

/// An invariant rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum Rule {
    /// All pointers resolve and their values are equal.
    Equal(Vec<String>),
    /// The value equals the event's name.
    EventName(String),
    /// The value is an element of the array.
    MemberOf {
        /// Pointer to the value.
        value: String,
        /// Pointer to the array.
        array: String,
    },
    /// The payload value equals a value of the subscription it was delivered for.
    Subscription {
        /// Pointer into the payload.
        payload: String,
        /// Pointer into the subscription.
        subscription: String,
    },
}

/// One `x-assumptions` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionExt {
    /// Stable id, used by `--assume ID=VALUE`.
    pub id: String,
    /// Pointer(s) into the spec document to the node(s) holding the choice.
    pub pointer: Pointers,
    /// The chosen value; equals the node's value.
    pub value: Value,
    /// Other accepted values.
    #[serde(default)]
    pub alternatives: Vec<Value>,
    /// Why this choice.
    pub reason: String,
    /// Where the silence was observed.
    #[serde(default)]
    pub source: Sources,
}

/// One JSON Pointer, or several (an assumption that several nodes share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Pointers {
    /// A single node.
    One(String),
    /// Several nodes holding the same value.
    Many(Vec<String>),
}

impl Pointers {
    /// The pointers, one or many.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

/// One `x-errata` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErratumExt {
    /// Stable id.
    pub id: String,
    /// What the documentation gets wrong.
    pub summary: String,
    /// Where.
    #[serde(default)]
    pub source: Sources,
    /// `invalid` (the listed examples fail their schema) or `note`.
    pub expect: ErratumExpect,
    /// Pointers into the spec document.
    #[serde(default)]
    pub affects: Vec<String>,
}

/// What an erratum expects of the nodes it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErratumExpect {
    /// Every listed example fails its schema.
    Invalid,
    /// Documentary only.
    Note,
}
