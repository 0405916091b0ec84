//! A message: what the dispatcher keeps of one event for one subscription between its
//! attempts (and in a queue, or the undeliverable list).

use serde_json::Value;

/// A message: one event's payload for one subscription, with what signs it.
#[derive(Debug, Clone)]
pub(super) struct Message {
    /// Its number in its queue (set when queued; FIFO providers only).
    pub(super) seq: u64,
    pub(super) event: String,
    pub(super) payload: Value,
    pub(super) subscription: String,
    pub(super) tenant: String,
    pub(super) target: String,
    /// The event id where it travels in a header (made up once per event).
    pub(super) event_id: Option<String>,
    /// The key material, or why there is none (a secret that does not decode).
    pub(super) key: Result<Vec<u8>, String>,
    pub(super) headers: Vec<(String, String)>,
}
