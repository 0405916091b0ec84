//! How a mock's deliveries are retried and timed: the spec's `x-delivery` rules, with the
//! overrides a test gives through the builder ([`MockBuilder::retries`],
//! [`MockBuilder::backoff`], [`MockBuilder::delivery_timeout`], [`MockBuilder::fast`]).
//!
//! [`MockBuilder::retries`]: super::MockBuilder::retries
//! [`MockBuilder::backoff`]: super::MockBuilder::backoff
//! [`MockBuilder::delivery_timeout`]: super::MockBuilder::delivery_timeout
//! [`MockBuilder::fast`]: super::MockBuilder::fast

use std::time::Duration;

use crate::spec::DeliveryRules;
use crate::spec::extensions::{OnFailure, RetryExt};

/// The overrides of the spec's delivery rules a builder was given (each `None`: as the spec
/// says).
///
/// ```
/// use std::time::Duration;
/// use webhook_harness::mock::{DeliveryOverrides, DeliveryPolicy};
/// use webhook_harness::spec::ProviderSpec;
///
/// let spec = ProviderSpec::load("swsh")?;
/// let overrides = DeliveryOverrides { retries: Some(0), ..DeliveryOverrides::default() };
/// assert_eq!(DeliveryPolicy::of(&overrides.apply(&spec.delivery)).attempts, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryOverrides {
    /// Retries after a failed first attempt (providers that retry).
    pub retries: Option<u32>,
    /// The wait before the first retry, and the longest wait.
    pub backoff: Option<(Duration, Duration)>,
    /// The time limit of one attempt, connecting included.
    pub timeout: Option<Duration>,
}

impl DeliveryOverrides {
    /// `rules` with the overrides applied. Retries and backoff change only a provider that
    /// retries (`onFailure: retry`); the others keep their documented failure rule.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_harness::mock::DeliveryOverrides;
    /// use webhook_harness::spec::ProviderSpec;
    ///
    /// let betterez = ProviderSpec::load("betterez")?; // failures go to its undeliverable list
    /// let overrides = DeliveryOverrides {
    ///     retries: Some(3),
    ///     timeout: Some(Duration::from_millis(250)),
    ///     ..DeliveryOverrides::default()
    /// };
    /// let rules = overrides.apply(&betterez.delivery);
    /// assert_eq!((rules.retry, rules.timeout_ms), (None, 250));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn apply(&self, rules: &DeliveryRules) -> DeliveryRules {
        let mut rules = rules.clone();
        if let Some(timeout) = self.timeout {
            rules.timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        }
        if rules.on_failure == OnFailure::Retry {
            let mut retry = rules.retry.clone().unwrap_or(RetryExt {
                max_attempts: 1,
                initial_backoff_ms: 0,
                max_backoff_ms: 0,
                multiplier: 1.0,
            });
            if let Some(retries) = self.retries {
                retry.max_attempts = retries.saturating_add(1);
            }
            if let Some((initial, longest)) = self.backoff {
                retry.initial_backoff_ms = u64::try_from(initial.as_millis()).unwrap_or(u64::MAX);
                retry.max_backoff_ms = u64::try_from(longest.as_millis()).unwrap_or(u64::MAX);
            }
            rules.retry = Some(retry);
        }
        rules
    }
}

/// How a running mock retries and times its deliveries: the spec's rules with the builder's
/// overrides ([`super::MockProvider::delivery_policy`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use webhook_harness::mock::MockProvider;
/// use webhook_harness::spec::ProviderSpec;
///
/// // swsh retries a failed delivery twice, with a backoff from 1 s (an assumption of its spec).
/// let documented = MockProvider::start(ProviderSpec::load("swsh")?).await?.delivery_policy();
/// assert_eq!((documented.attempts, documented.initial_backoff), (3, Duration::from_secs(1)));
///
/// let fast = MockProvider::builder(ProviderSpec::load("swsh")?).fast().start().await?;
/// assert_eq!(fast.delivery_policy().attempts, 3);
/// assert_eq!(fast.delivery_policy().initial_backoff, Duration::ZERO);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryPolicy {
    /// What happens when a delivery fails (`x-delivery.onFailure`).
    pub on_failure: OnFailure,
    /// Attempts per message, the first included (1 unless the provider retries).
    pub attempts: u32,
    /// The wait before the first retry.
    pub initial_backoff: Duration,
    /// The longest wait between retries.
    pub max_backoff: Duration,
    /// How each wait grows.
    pub multiplier: f64,
    /// The time limit of one attempt, connecting included.
    pub timeout: Duration,
}

impl DeliveryPolicy {
    /// The policy that `rules` describe.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_harness::mock::DeliveryPolicy;
    /// use webhook_harness::spec::ProviderSpec;
    ///
    /// let policy = DeliveryPolicy::of(&ProviderSpec::load("uc-alxgsv")?.delivery);
    /// assert_eq!((policy.attempts, policy.timeout), (1, Duration::from_secs(60)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn of(rules: &DeliveryRules) -> Self {
        let retry = rules
            .retry
            .as_ref()
            .filter(|_| rules.on_failure == OnFailure::Retry);
        Self {
            on_failure: rules.on_failure,
            attempts: retry.map_or(1, |r| r.max_attempts.max(1)),
            initial_backoff: Duration::from_millis(retry.map_or(0, |r| r.initial_backoff_ms)),
            max_backoff: Duration::from_millis(retry.map_or(0, |r| r.max_backoff_ms)),
            multiplier: retry.map_or(1.0, |r| r.multiplier),
            timeout: Duration::from_millis(rules.timeout_ms),
        }
    }
}
