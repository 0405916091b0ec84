//! The attempt log: every POST the dispatcher made, newest kept, with exact totals.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many attempts the log keeps (oldest dropped first).
pub const LOG_LIMIT: usize = 10_000;

/// How many bytes of attempts (bodies, headers, answer excerpts) the log keeps at most (oldest
/// dropped first).
pub const LOG_BYTES: usize = 64 * 1024 * 1024;

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
    /// The first 64 KiB of the answer's body (`dispatch::EXCERPT`).
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
    /// The request body as text (invalid UTF-8 replaced); [`Self::body`] keeps the bytes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::builder(ProviderSpec::load("swsh")?).fast().start().await?;
    /// provider.subscribe("newAlbum", "https://127.0.0.1:9/hook").await?;
    /// provider.emit("newAlbum").await?; // fails (nothing listens there), logged all the same
    /// let attempt = &provider.deliveries()[0];
    /// let payload: serde_json::Value = serde_json::from_str(&attempt.body_text())?;
    /// assert!(payload["data"]["albumId"].is_string());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The request headers as a header map, for [`crate::sign::verify`] (a header that is not
    /// valid HTTP is left out: the attempt that carried it failed before sending).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("uc-alxgsv")?).await?;
    /// let subscription = provider.subscribe("file.created", "https://127.0.0.1:9/hook").await?;
    /// provider.emit("file.created").await?; // fails: nothing listens there, but it is signed
    /// let attempt = &provider.deliveries()[0];
    /// let secret = subscription.secret.as_deref().unwrap();
    /// webhook_harness::sign::verify(provider.spec(), &attempt.header_map(), &attempt.body, secret)?;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn header_map(&self) -> hyper::HeaderMap {
        self.headers
            .iter()
            .filter_map(|(name, value)| {
                Some((
                    hyper::header::HeaderName::from_bytes(name.as_bytes()).ok()?,
                    hyper::header::HeaderValue::from_str(value).ok()?,
                ))
            })
            .collect()
    }

    /// Roughly how many bytes it holds (what the log's byte bound counts).
    #[must_use]
    pub fn size(&self) -> usize {
        let headers: usize = self.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        std::mem::size_of::<Self>()
            + self.body.len()
            + headers
            + self.response_excerpt.as_ref().map_or(0, String::len)
            + self.error.as_ref().map_or(0, String::len)
            + self.target.len()
            + self.event.len()
            + self.subscription.len()
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
    /// The kept attempts, and how many bytes they hold.
    recent: Mutex<(VecDeque<Attempt>, usize)>,
    attempts: AtomicU64,
    delivered: AtomicU64,
}

impl Log {
    /// Adds an attempt, dropping the oldest beyond [`LOG_LIMIT`] attempts or [`LOG_BYTES`]
    /// bytes.
    pub(super) fn push(&self, attempt: Attempt) {
        self.push_bounded(attempt, LOG_LIMIT, LOG_BYTES);
    }

    fn push_bounded(&self, attempt: Attempt, count: usize, bytes: usize) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        if attempt.delivered {
            self.delivered.fetch_add(1, Ordering::Relaxed);
        }
        let mut guard = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (recent, held) = &mut *guard;
        *held += attempt.size();
        recent.push_back(attempt);
        while recent.len() > count || (*held > bytes && recent.len() > 1) {
            match recent.pop_front() {
                Some(old) => *held -= old.size(),
                None => break,
            }
        }
    }

    /// The kept attempts, oldest first.
    pub(super) fn recent(&self) -> Vec<Attempt> {
        self.page(0, usize::MAX).1
    }

    /// `limit` kept attempts from `offset` (oldest first), and how many are kept.
    pub(super) fn page(&self, offset: usize, limit: usize) -> (usize, Vec<Attempt>) {
        let guard = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let page = guard.0.iter().skip(offset).take(limit).cloned().collect();
        (guard.0.len(), page)
    }

    /// Attempts made and deliveries acknowledged since the start.
    pub(super) fn totals(&self) -> (u64, u64) {
        (
            self.attempts.load(Ordering::Relaxed),
            self.delivered.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(body: usize) -> Attempt {
        Attempt {
            at_ms: 0,
            event: "e".into(),
            event_id: None,
            subscription: "s".into(),
            tenant: "t".into(),
            target: "http://127.0.0.1:9/".into(),
            headers: Vec::new(),
            body: bytes::Bytes::from(vec![b'x'; body]),
            status: Some(200),
            response_excerpt: None,
            latency_ms: 0,
            error: None,
            number: 1,
            delivered: true,
        }
    }

    #[test]
    fn the_log_is_bounded_in_bytes_as_well_as_in_count() {
        let log = Log::default();
        for _ in 0..100 {
            log.push_bounded(attempt(10_000), 1000, 100_000);
        }
        let (kept, _) = log.page(0, usize::MAX);
        assert!(kept < 10 && kept > 0, "{kept}");
        let held: usize = log.recent().iter().map(Attempt::size).sum();
        assert!(held <= 100_000, "{held}");
        assert_eq!(log.totals(), (100, 100));
        for _ in 0..100 {
            log.push_bounded(attempt(0), 20, 100_000);
        }
        assert_eq!(log.page(0, usize::MAX).0, 20);
        assert_eq!(log.page(15, 10).1.len(), 5);
        assert!(log.page(usize::MAX, usize::MAX).1.is_empty());
    }
}
