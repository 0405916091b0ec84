//! Expectations on a mock's deliveries, wiremock style: [`MockProvider::expect`](super::MockProvider::expect) names an event
//! (and optionally a receiver, a tenant, a subscription) and how many acknowledged deliveries
//! it should get; [`MockProvider::verify`](super::MockProvider::verify) checks them, and dropping the mock checks them again
//! (a panic that lists what was delivered, unless the thread is already panicking).
//!
//! Deliveries are counted from the mock's start, whether they were made before or after the
//! expectation: the mock keeps, per event, tenant, subscription and URL, how many attempts
//! were made, how many were acknowledged (2xx) and how the last one ended; and, per event, how
//! many emissions matched no subscription.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::deliver::dispatch::Attempt;

/// How many (event, tenant, subscription, URL) combinations the tally keeps apart; beyond, the
/// counts are incomplete and every verification says so.
const TALLY_LIMIT: usize = 65_536;

/// How many acknowledged deliveries an expectation wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Times {
    Exactly(u64),
    AtLeast(u64),
    AtMost(u64),
}

impl Times {
    fn holds(self, n: u64) -> bool {
        match self {
            Self::Exactly(m) => n == m,
            Self::AtLeast(m) => n >= m,
            Self::AtMost(m) => n <= m,
        }
    }

    fn describe(self) -> String {
        let (word, n) = match self {
            Self::Exactly(n) => ("exactly", n),
            Self::AtLeast(n) => ("at least", n),
            Self::AtMost(n) => ("at most", n),
        };
        format!("{word} {n} time{}", if n == 1 { "" } else { "s" })
    }
}

/// What one expectation matches and how often.
#[derive(Debug, Clone)]
struct Wanted {
    event: String,
    url: Option<String>,
    tenant: Option<String>,
    subscription: Option<String>,
    times: Times,
}

impl Wanted {
    fn matches(&self, key: &Key) -> bool {
        key.event == self.event
            && self.url.as_deref().is_none_or(|u| same_url(u, &key.target))
            && self.tenant.as_deref().is_none_or(|t| t == key.tenant)
            && self
                .subscription
                .as_deref()
                .is_none_or(|s| s == key.subscription)
    }

    fn describe(&self) -> String {
        let mut text = format!("`{}` delivered {}", self.event, self.times.describe());
        if let Some(url) = &self.url {
            let _ = write!(text, " to {url}");
        }
        if let Some(subscription) = &self.subscription {
            let _ = write!(text, " for subscription {subscription}");
        }
        if let Some(tenant) = &self.tenant {
            let _ = write!(text, " of {tenant}");
        }
        text
    }
}

/// Whether two URLs are the same once parsed (as deliveries parse them).
fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    event: String,
    tenant: String,
    subscription: String,
    target: String,
}

#[derive(Debug, Clone, Default)]
struct Count {
    attempts: u64,
    delivered: u64,
    last: String,
}

/// The expectations of one mock, and the tally they are checked against.
#[derive(Debug, Default)]
pub(super) struct Expectations {
    wanted: Mutex<Vec<Wanted>>,
    tally: Mutex<(HashMap<Key, Count>, bool)>,
    unmatched: Mutex<BTreeMap<String, u64>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Expectations {
    /// Counts one delivery attempt.
    pub(super) fn observe(&self, attempt: &Attempt) {
        let key = Key {
            event: attempt.event.clone(),
            tenant: attempt.tenant.clone(),
            subscription: attempt.subscription.clone(),
            target: attempt.target.clone(),
        };
        let mut guard = lock(&self.tally);
        let (tally, overflowed) = &mut *guard;
        if tally.len() >= TALLY_LIMIT && !tally.contains_key(&key) {
            *overflowed = true;
            return;
        }
        let count = tally.entry(key).or_default();
        count.attempts += 1;
        count.delivered += u64::from(attempt.delivered);
        count.last = if attempt.delivered {
            attempt
                .status
                .map_or_else(|| "acknowledged".into(), |s| format!("answered {s}"))
        } else {
            attempt.failure()
        };
    }

    /// Counts an emission of `event` that matched no subscription.
    pub(super) fn unmatched(&self, event: &str) {
        *lock(&self.unmatched).entry(event.to_string()).or_default() += 1;
    }

    /// Forgets every expectation (the tally stays).
    pub(super) fn clear(&self) {
        lock(&self.wanted).clear();
    }

    /// Checks every expectation; the error lists the unmet ones and what was delivered.
    pub(super) fn check(&self, provider: &str) -> Result<(), ExpectationError> {
        let wanted = lock(&self.wanted).clone();
        let guard = lock(&self.tally);
        let (tally, overflowed) = &*guard;
        let mut unmet = Vec::new();
        for w in &wanted {
            let delivered: u64 = tally
                .iter()
                .filter(|(k, _)| w.matches(k))
                .map(|(_, c)| c.delivered)
                .sum();
            if !w.times.holds(delivered) {
                unmet.push(format!(
                    "{}: delivered {delivered} time{}",
                    w.describe(),
                    if delivered == 1 { "" } else { "s" }
                ));
            }
        }
        if unmet.is_empty() && !overflowed {
            return Ok(());
        }
        let mut message = format!(
            "{} of {} expectation{} of the {provider} mock {}:\n",
            unmet.len(),
            wanted.len(),
            if wanted.len() == 1 { "" } else { "s" },
            if unmet.len() == 1 {
                "is unmet"
            } else {
                "are unmet"
            },
        );
        for line in &unmet {
            let _ = writeln!(message, "  - {line}");
        }
        if *overflowed {
            let _ = writeln!(
                message,
                "  (the counts are incomplete: more than {TALLY_LIMIT} event, subscription and URL combinations)"
            );
        }
        let mut keys: Vec<(&Key, &Count)> = tally.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        if keys.is_empty() {
            message.push_str("Delivered: nothing was sent.\n");
        } else {
            message.push_str(
                "Delivered (acknowledged of attempts, then how the last attempt ended):\n",
            );
            for (key, count) in keys {
                let _ = writeln!(
                    message,
                    "  - `{}` to {} (subscription {} of {}): {} of {}, {}",
                    key.event,
                    key.target,
                    key.subscription,
                    key.tenant,
                    count.delivered,
                    count.attempts,
                    count.last
                );
            }
        }
        let unmatched = lock(&self.unmatched);
        if !unmatched.is_empty() {
            message.push_str("Emitted to no subscription:\n");
            for (event, n) in unmatched.iter() {
                let _ = writeln!(
                    message,
                    "  - `{event}` ({n} time{})",
                    if *n == 1 { "" } else { "s" }
                );
            }
        }
        Err(ExpectationError { unmet, message })
    }
}

/// Unmet expectations of a mock ([`MockProvider::verify`](super::MockProvider::verify)): each one, then every delivery the
/// mock made (by event, URL and subscription) and the events emitted to no subscription.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
/// let provider = MockProvider::builder(ProviderSpec::load("swsh")?).fast().start().await?;
/// provider.subscribe("newAlbum", "https://127.0.0.1:9/hook").await?; // nothing listens there
/// provider.expect("newAlbum").delivered(1);
/// provider.emit("newAlbum").await?;
/// let error = provider.verify().await.unwrap_err();
/// assert_eq!(error.unmet, ["`newAlbum` delivered exactly 1 time: delivered 0 times"]);
/// assert!(error.message.contains("`newAlbum` to https://127.0.0.1:9/hook (subscription "));
/// provider.clear_expectations();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExpectationError {
    /// One line per unmet expectation: what it wanted, and what happened.
    pub unmet: Vec<String>,
    /// The whole report.
    pub message: String,
}

/// One expectation on a mock's deliveries, made by [`MockProvider::expect`](super::MockProvider::expect): it is registered
/// at once (wanting at least one acknowledged delivery) and refined by chaining; the mock
/// checks it in [`MockProvider::verify`](super::MockProvider::verify) and when it is dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
/// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
/// provider.expect("newAlbum").never();
/// provider.expect("newPhoto").to("https://example.com/photos").at_most(2);
/// assert!(provider.verify().await.is_ok());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Expectation {
    registry: Arc<Expectations>,
    index: usize,
}

impl Expectation {
    fn change(self, f: impl FnOnce(&mut Wanted)) -> Self {
        if let Some(wanted) = lock(&self.registry.wanted).get_mut(self.index) {
            f(wanted);
        }
        self
    }

    /// Exactly `n` acknowledged deliveries (one per message: retries of a message count once).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("newAlbum").delivered(1);
    /// assert!(provider.verify().await.is_err()); // nothing was emitted
    /// # provider.clear_expectations();
    /// # Ok(())
    /// # }
    /// ```
    pub fn delivered(self, n: u64) -> Self {
        self.change(|w| w.times = Times::Exactly(n))
    }

    /// At least `n` acknowledged deliveries (the default is at least one).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("newAlbum").at_least(0);
    /// assert!(provider.verify().await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn at_least(self, n: u64) -> Self {
        self.change(|w| w.times = Times::AtLeast(n))
    }

    /// At most `n` acknowledged deliveries.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("newAlbum").at_most(3);
    /// assert!(provider.verify().await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn at_most(self, n: u64) -> Self {
        self.change(|w| w.times = Times::AtMost(n))
    }

    /// No acknowledged delivery at all.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("photoLabelAdded").never();
    /// assert!(provider.verify().await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn never(self) -> Self {
        self.delivered(0)
    }

    /// Only deliveries to `url` count (compared once parsed: `http://127.0.0.1:80/` and
    /// `http://127.0.0.1/` are the same).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("newAlbum").to("https://example.com/hook").never();
    /// assert!(provider.verify().await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn to(self, url: &str) -> Self {
        let url = url.to_string();
        self.change(|w| w.url = Some(url))
    }

    /// Only deliveries for `tenant`'s subscriptions count.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// provider.expect("newAlbum").for_tenant("tenant-b").never();
    /// assert!(provider.verify().await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_tenant(self, tenant: &str) -> Self {
        let tenant = tenant.to_string();
        self.change(|w| w.tenant = Some(tenant))
    }

    /// Only deliveries for the subscription with id `subscription` count
    /// ([`super::Subscription::id`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// let subscription = provider.subscribe("newAlbum", "https://example.com/hook").await?;
    /// provider.expect("newAlbum").for_subscription(&subscription.id).never();
    /// assert!(provider.verify().await.is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_subscription(self, subscription: &str) -> Self {
        let subscription = subscription.to_string();
        self.change(|w| w.subscription = Some(subscription))
    }
}

impl Expectations {
    /// A new expectation of `event` in `registry`: at least one acknowledged delivery.
    pub(super) fn expect(registry: &Arc<Self>, event: &str) -> Expectation {
        let index = {
            let mut wanted = lock(&registry.wanted);
            wanted.push(Wanted {
                event: event.to_string(),
                url: None,
                tenant: None,
                subscription: None,
                times: Times::AtLeast(1),
            });
            wanted.len() - 1
        };
        Expectation {
            registry: Arc::clone(registry),
            index,
        }
    }
}
