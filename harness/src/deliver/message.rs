//! A message: what the dispatcher keeps of one event for one subscription between its
//! attempts (and in a queue, or the undeliverable list).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use crate::serialize::overlay::{self, Edit};
use crate::spec::extensions::Serialization;
use crate::spec::pointer;

/// A message: one event's payload for one subscription, with what signs it.
#[derive(Debug, Clone)]
pub(super) struct Message {
    /// Its number in its queue (set when queued; FIFO providers only).
    pub(super) seq: u64,
    pub(super) event: String,
    pub(super) payload: Payload,
    pub(super) subscription: String,
    pub(super) tenant: String,
    pub(super) target: String,
    /// The event id where it travels in a header (made up once per event).
    pub(super) event_id: Option<String>,
    /// The key material, or why there is none (a secret that does not decode).
    pub(super) key: Result<Vec<u8>, String>,
    pub(super) headers: Vec<(String, String)>,
}

/// A subscription's payload (stage 1).
#[derive(Debug, Clone)]
pub(super) enum Payload {
    /// The event's payload, shared by every subscription's message, with this subscription's
    /// edits laid over it: written without building a copy per subscription.
    Overlaid { base: Arc<Value>, edits: Vec<Edit> },
    /// A payload of its own (edits an overlay cannot write exactly, or a fresh attempt id).
    Own(Value),
}

impl Payload {
    /// The event's payload `base` with `edits`: overlaid where that writes exactly the edited
    /// value, else the edited value itself.
    pub(super) fn new(base: &Arc<Value>, edits: Vec<Edit>) -> Self {
        // Normalising never changes the edited value (`overlay::apply` gives the same).
        let edits = overlay::normalize(edits);
        if overlay::exact(base, &edits) {
            Payload::Overlaid {
                base: Arc::clone(base),
                edits,
            }
        } else {
            Payload::Own(overlay::apply(base, &edits))
        }
    }

    /// The value at `at`.
    pub(super) fn get(&self, at: &str) -> Option<Cow<'_, Value>> {
        match self {
            Payload::Own(value) => pointer::get(value, at).map(Cow::Borrowed),
            Payload::Overlaid { base, edits } => overlay::read(base, edits, at),
        }
    }

    /// The payload as a value of its own.
    pub(super) fn to_value(&self) -> Value {
        match self {
            Payload::Own(value) => value.clone(),
            Payload::Overlaid { base, edits } => overlay::apply(base, edits),
        }
    }

    /// The payload text the provider's serialiser writes.
    pub(super) fn text(&self, serialization: Serialization) -> String {
        match self {
            Payload::Own(value) => crate::serialize::payload_text(value, serialization),
            Payload::Overlaid { base, edits } => {
                crate::serialize::payload_text_overlaid(base, edits, serialization)
            }
        }
    }
}
