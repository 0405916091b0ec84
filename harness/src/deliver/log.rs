//! The attempt log: every POST the dispatcher made, newest kept, with exact totals.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many attempts the log keeps (oldest dropped first).
pub const LOG_LIMIT: usize = 10_000;

/// One POST to a receiver, as logged.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attempt {
    /// When it was sent, in milliseconds since the epoch.
    pub at_ms: u64,
    /// The event name.
    pub event: String,
    /// The event id (shared by the subscribers of one emission), where the provider has one.
    pub event_id: Option<String>,
    /// The subscription's id.
    pub subscription: String,
    /// The subscription's tenant.
    pub tenant: String,
    /// The URL posted to.
    pub target: String,
    /// The request headers sent.
    pub headers: Vec<(String, String)>,
    /// The request body sent, as sent (shared with the request, not copied). In JSON it is
    /// written as text (invalid UTF-8 replaced).
    #[serde(serialize_with = "lossy")]
    pub body: bytes::Bytes,
    /// The answer's status, if one came.
    pub status: Option<u16>,
    /// The first 512 bytes of the answer's body.
    pub response_excerpt: Option<String>,
    /// Time to the answer or the error.
    pub latency_ms: u64,
    /// Why the attempt failed without an answer (refused, timed out...).
    pub error: Option<String>,
    /// 1 for the first attempt of a message, 2 for its first retry...
    pub number: u32,
    /// Whether the receiver acknowledged it (2xx).
    pub delivered: bool,
}

/// Writes bytes as text, invalid UTF-8 replaced.
fn lossy<S: serde::Serializer>(bytes: &bytes::Bytes, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(bytes))
}

impl Attempt {
    /// The request body as text (invalid UTF-8 replaced).
    #[must_use]
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Why it failed, in short.
    #[must_use]
    pub fn failure(&self) -> String {
        match (&self.status, &self.error) {
            (Some(status), _) => format!("the receiver answered {status}"),
            (None, Some(error)) => error.clone(),
            (None, None) => "no answer".into(),
        }
    }
}

/// The most recent attempts, and counts of all of them.
#[derive(Debug, Default)]
pub(super) struct Log {
    recent: Mutex<VecDeque<Attempt>>,
    attempts: AtomicU64,
    delivered: AtomicU64,
}

impl Log {
    /// Adds an attempt, dropping the oldest beyond [`LOG_LIMIT`].
    pub(super) fn push(&self, attempt: Attempt) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        if attempt.delivered {
            self.delivered.fetch_add(1, Ordering::Relaxed);
        }
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.len() >= LOG_LIMIT {
            recent.pop_front();
        }
        recent.push_back(attempt);
    }

    /// The kept attempts, oldest first.
    pub(super) fn recent(&self) -> Vec<Attempt> {
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// Attempts made and deliveries acknowledged since the start.
    pub(super) fn totals(&self) -> (u64, u64) {
        (
            self.attempts.load(Ordering::Relaxed),
            self.delivered.load(Ordering::Relaxed),
        )
    }
}
