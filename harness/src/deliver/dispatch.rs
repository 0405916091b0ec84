//! Sending events: real signed HTTP POSTs to the matching subscriptions, under the provider's
//! delivery rules (`x-delivery.onFailure`): drop, bounded retries with backoff, an
//! undeliverable list, or one FIFO queue per tenant that blocks on failure until unblocked.
//! Every attempt is logged; nothing emitted is lost: it is delivered, or visible as blocked or
//! undeliverable.
//!
//! One payload's path: [`Dispatcher::emit`] picks the matching subscribers, makes one message
//! per subscriber (pipeline stage 1 and the subscriber's key), and sends each attempt through
//! the rest of the [`Pipeline`] (a fresh attempt id, bytes, headers, signature).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use proptest::test_runner::TestRng;
use serde_json::Value;

use super::delivery::Pipeline;
pub use super::delivery::{Delivery as Prepared, Subscriber};
use super::http::Poster;
use super::log::Log;
pub use super::log::{Attempt, LOG_BYTES, LOG_LIMIT};
use super::message::{Message, Payload};
pub use super::outcome::{Outcome, Recipient, Report, Skipped, Undeliverable};

mod undeliverable;
use super::queue::Queues;
use crate::spec::ProviderSpec;
use crate::spec::extensions::OnFailure;

/// How many POSTs one dispatcher has in flight to one receiver at most.
const IN_FLIGHT: usize = 32;

/// How much of a receiver's answer is read and kept in the log (the rest is not read: the
/// connection is dropped).
pub const EXCERPT: usize = 64 * 1024;

/// Why an attempt was not acknowledged.
#[derive(Debug, Clone)]
struct Failed {
    /// In short (`the receiver answered 500`).
    reason: String,
    /// What came back (`500 Internal Server Error`, `no response: ...`).
    answer: String,
    /// When (milliseconds since the epoch).
    at_ms: u64,
}

/// One entry of the undeliverable list: what is shown, and the message it came from (kept
/// whole, so that a resend is the same request: key and forwarded headers included).
#[derive(Debug)]
struct Kept {
    shown: Undeliverable,
    message: Message,
}

/// A departure from the provider's delivery rules, plugged into a [`Dispatcher`]: which
/// subscribers get an event and which key signs. Every method defaults to the documented
/// rule; the project's tests use it for mocks with one delivery defect.
pub trait Hook: Send + Sync + std::fmt::Debug + 'static {
    /// Whether `subscriber` gets `event`; `documented` is what the provider's rules say.
    fn matches(&self, documented: bool, _subscriber: &Subscriber, _event: &str) -> bool {
        documented
    }

    /// The key that signs a delivery; `documented` is the subscriber's key.
    fn key(&self, documented: Vec<u8>) -> Vec<u8> {
        documented
    }
}

/// The documented delivery rules, unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct Documented;

impl Hook for Documented {}

/// Sends one provider's events.
#[derive(Debug)]
pub struct Dispatcher {
    pipeline: Pipeline,
    poster: Poster,
    /// Pointer to the target URL in a stored subscription.
    target: String,
    /// Secrets by tenant, for keys that come from a credential.
    secrets: BTreeMap<String, BTreeMap<String, String>>,
    rng: Arc<Mutex<TestRng>>,
    log: Log,
    /// The undeliverable list, oldest first.
    undeliverable: Mutex<Vec<Kept>>,
    /// When each throttled key was last delivered (milliseconds since the epoch).
    throttled: Mutex<HashMap<String, u64>>,
    queues: Queues,
    /// POSTs in flight at once to each receiver (by URL up to the path): a bound keeps a
    /// burst of emissions from opening a connection per delivery to one receiver, while
    /// receivers never wait for each other.
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
    /// A fixed signing time (Unix seconds), for reproducible signatures; `None`: the clock.
    clock: Option<f64>,
    hook: Box<dyn Hook>,
    observer: Observer,
}

/// A function shown every attempt as it is logged.
type Observe = Box<dyn Fn(&Attempt) + Send + Sync>;

/// What sees every attempt as it is logged (a mock's expectations count them).
#[derive(Default)]
struct Observer(Option<Observe>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

impl Dispatcher {
    /// The same dispatcher, showing every attempt to `observer` as it is logged.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use std::sync::{Arc, Mutex, atomic::{AtomicUsize, Ordering}};
    /// # use proptest::test_runner::{RngAlgorithm, TestRng};
    /// use webhook_harness::deliver::{Subscriber, dispatch::Dispatcher};
    /// use webhook_harness::spec::ProviderSpec;
    ///
    /// let spec = Arc::new(ProviderSpec::load("uc-alxgsv")?);
    /// let rng = Arc::new(Mutex::new(TestRng::deterministic_rng(RngAlgorithm::ChaCha)));
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&seen);
    /// let dispatcher = Dispatcher::new(spec, "/attributes/target_url".into(), Default::default(), rng, None)
    ///     .with_observer(move |_attempt| { counter.fetch_add(1, Ordering::Relaxed); });
    /// let subscriber = Subscriber {
    ///     resource: serde_json::json!({"id": "wh-1", "attributes": {
    ///         "target_url": "http://127.0.0.1:9/", "events": ["file.created"], "signing_secret": "k"}}),
    ///     id: "wh-1".into(),
    ///     tenant: "tenant-a".into(),
    /// };
    /// let payload = serde_json::json!({"data": {"attributes": {"event": "file.created"}}});
    /// dispatcher.emit("file.created", &payload, &Default::default(), &[subscriber]).await;
    /// assert_eq!(seen.load(Ordering::Relaxed), 1); // one attempt (refused: nothing listens)
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_observer(mut self, observer: impl Fn(&Attempt) + Send + Sync + 'static) -> Self {
        self.observer = Observer(Some(Box::new(observer)));
        self
    }

    /// The same dispatcher departing from the delivery rules as `hook` says.
    #[must_use]
    pub fn with_hook(mut self, hook: impl Hook) -> Self {
        self.hook = Box::new(hook);
        self
    }

    /// The same dispatcher departing from the delivery rules as `hook` says.
    #[must_use]
    pub fn with_boxed_hook(mut self, hook: Box<dyn Hook>) -> Self {
        self.hook = hook;
        self
    }

    /// A dispatcher for `spec`; `target` points at the URL in a stored subscription; `secrets`
    /// are the tenants' credentials by name; `clock` fixes the signing time.
    pub fn new(
        spec: Arc<ProviderSpec>,
        target: String,
        secrets: BTreeMap<String, BTreeMap<String, String>>,
        rng: Arc<Mutex<TestRng>>,
        clock: Option<f64>,
    ) -> Self {
        let poster = Poster::new(
            &spec.delivery.method,
            Duration::from_millis(spec.delivery.timeout_ms),
        );
        Self {
            pipeline: Pipeline::new(spec),
            poster,
            target,
            secrets,
            rng,
            log: Log::default(),
            undeliverable: Mutex::new(Vec::new()),
            throttled: Mutex::default(),
            queues: Queues::default(),
            in_flight: Mutex::default(),
            clock,
            hook: Box::new(Documented),
            observer: Observer::default(),
        }
    }

    fn spec(&self) -> &ProviderSpec {
        self.pipeline.spec()
    }

    /// The delivery rules it follows (the spec's, with any overrides it was built with).
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use proptest::test_runner::{RngAlgorithm, TestRng};
    /// use webhook_harness::deliver::dispatch::Dispatcher;
    /// use webhook_harness::spec::ProviderSpec;
    ///
    /// let spec = Arc::new(ProviderSpec::load("swsh")?);
    /// let rng = Arc::new(Mutex::new(TestRng::deterministic_rng(RngAlgorithm::ChaCha)));
    /// let dispatcher = Dispatcher::new(Arc::clone(&spec), "/config/targetUrl".into(), Default::default(), rng, None);
    /// assert_eq!(dispatcher.rules(), &spec.delivery);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn rules(&self) -> &crate::spec::DeliveryRules {
        &self.spec().delivery
    }

    /// The text of the secret that signs deliveries to `subscriber` (the subscription's own,
    /// or its tenant's credential, as the spec's key says); `None` where there is none.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # use proptest::test_runner::{RngAlgorithm, TestRng};
    /// use webhook_harness::deliver::{Subscriber, dispatch::Dispatcher};
    /// use webhook_harness::spec::ProviderSpec;
    ///
    /// let spec = Arc::new(ProviderSpec::load("happycolis")?);
    /// let rng = Arc::new(Mutex::new(TestRng::deterministic_rng(RngAlgorithm::ChaCha)));
    /// let secrets = [("tenant-a".to_string(), [("clientSecret".to_string(), "s3cret".to_string())].into())].into();
    /// let dispatcher = Dispatcher::new(spec, "/endPoint".into(), secrets, rng, None);
    /// let subscriber = Subscriber { resource: serde_json::json!({}), id: "s".into(), tenant: "tenant-a".into() };
    /// assert_eq!(dispatcher.secret(&subscriber).as_deref(), Some("s3cret")); // the tenant's client secret
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn secret(&self, subscriber: &Subscriber) -> Option<String> {
        self.pipeline.secret(subscriber, |tenant, name| {
            self.secrets.get(tenant)?.get(name).cloned()
        })
    }

    /// Sends `payload` (a payload of `event`) to every subscriber that matches it, given the
    /// event's `context` values, and returns what happened to each.
    pub async fn emit(
        &self,
        event: &str,
        payload: &Value,
        context: &BTreeMap<String, Value>,
        subscribers: &[Subscriber],
    ) -> Report {
        let event_id = if self.pipeline.event_id_in_header() {
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Some(self.pipeline.new_event_id(&mut *rng))
        } else {
            self.spec().event_id_of(payload).map(str::to_string)
        };
        let header_id = event_id
            .as_deref()
            .filter(|_| self.pipeline.event_id_in_header());
        // One copy of the payload, shared by every subscriber's message.
        let shared = Arc::new(payload.clone());
        let messages: Vec<Message> = subscribers
            .iter()
            .filter(|s| {
                let documented =
                    super::matching::matches(&self.spec().delivery, &s.resource, event, context);
                self.hook.matches(documented, s, event)
            })
            .map(|s| self.message(event, &shared, s, header_id))
            .collect();
        let (messages, throttled) = self.throttle(event, payload, context, messages);
        let mut deliveries: Vec<Recipient> = messages
            .iter()
            .map(|m| Recipient {
                subscription: m.subscription.clone(),
                tenant: m.tenant.clone(),
                outcome: Outcome::Queued,
            })
            .collect();
        if self.spec().delivery.on_failure == OnFailure::Block {
            // One queue per tenant: enqueue in order, then send every tenant's queue at once,
            // until this emission's messages are sent or wait behind a blocked one.
            let (tenants, queued) = self.queues.enqueue(messages);
            futures_util::future::join_all(
                tenants
                    .iter()
                    .map(|(tenant, last)| self.drain(tenant, *last)),
            )
            .await;
            // Queued messages that went out while pumping are delivered now.
            for (delivery, seq) in deliveries.iter_mut().zip(queued) {
                if !self.queues.is_pending(&delivery.tenant, seq) {
                    delivery.outcome = Outcome::Delivered;
                }
            }
        } else {
            // No ordering promised: every subscriber at once.
            let outcomes =
                futures_util::future::join_all(messages.into_iter().map(|m| self.send(m))).await;
            for (delivery, outcome) in deliveries.iter_mut().zip(outcomes) {
                delivery.outcome = outcome;
            }
        }
        deliveries.extend(throttled);
        Report {
            event: event.to_string(),
            event_id,
            deliveries,
            warning: None,
        }
    }

    /// Splits `messages` into those sent and those held back by a throttle rule
    /// (`x-delivery.throttle`): a message whose key went to its subscription less than the
    /// rule's window ago is held back; one that goes starts a new window.
    fn throttle(
        &self,
        event: &str,
        payload: &Value,
        context: &BTreeMap<String, Value>,
        messages: Vec<Message>,
    ) -> (Vec<Message>, Vec<Recipient>) {
        let rules: Vec<_> = self
            .spec()
            .delivery
            .throttle
            .iter()
            .filter(|r| r.events.iter().any(|e| e == event))
            .collect();
        if rules.is_empty() {
            return (messages, Vec::new());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let mut last = self
            .throttled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Keys whose window is over are forgotten, so that the map holds only open windows.
        let longest = self
            .spec()
            .delivery
            .throttle
            .iter()
            .map(|r| r.window_ms)
            .max()
            .unwrap_or(0);
        if last.len() > 4096 {
            last.retain(|_, at| now.saturating_sub(*at) < longest);
        }
        let (mut sent, mut held) = (Vec::new(), Vec::new());
        for message in messages {
            let mut hold = false;
            for (n, rule) in rules.iter().enumerate() {
                let values: Vec<String> = rule
                    .key
                    .iter()
                    .map(|part| {
                        let value = if let Some(at) = part.strip_prefix("payload:") {
                            crate::spec::pointer::get(payload, at)
                        } else {
                            part.strip_prefix("context:").and_then(|c| context.get(c))
                        };
                        value.map_or_else(String::new, Value::to_string)
                    })
                    .collect();
                let key = format!(
                    "{n}\u{0}{event}\u{0}{}\u{0}{}",
                    message.subscription,
                    values.join("\u{0}")
                );
                match last.get(&key) {
                    Some(at) if now.saturating_sub(*at) < rule.window_ms => hold = true,
                    _ => {
                        last.insert(key, now);
                    }
                }
            }
            if hold {
                held.push(Recipient {
                    subscription: message.subscription.clone(),
                    tenant: message.tenant.clone(),
                    outcome: Outcome::Throttled,
                });
            } else {
                sent.push(message);
            }
        }
        (sent, held)
    }

    /// Pipeline stage 1 for one subscriber, with the key and headers every attempt shares.
    fn message(
        &self,
        event: &str,
        payload: &Arc<Value>,
        subscriber: &Subscriber,
        event_id: Option<&str>,
    ) -> Message {
        let key = self
            .pipeline
            .key(subscriber, |tenant, name| {
                self.secrets.get(tenant)?.get(name).cloned()
            })
            .map(|key| self.hook.key(key));
        Message {
            seq: 0,
            event: event.to_string(),
            payload: Payload::new(payload, self.pipeline.edits(payload, subscriber)),
            subscription: subscriber.id.clone(),
            tenant: subscriber.tenant.clone(),
            target: Pipeline::target(subscriber, &self.target),
            event_id: event_id.map(str::to_string),
            key,
            headers: self.pipeline.forwarded(subscriber),
        }
    }

    /// Sends a message under the drop, retry or undeliverable rule.
    async fn send(&self, message: Message) -> Outcome {
        let delivery = &self.spec().delivery;
        let attempts = match (delivery.on_failure, &delivery.retry) {
            (OnFailure::Retry, Some(retry)) => retry.max_attempts.max(1),
            _ => 1,
        };
        let mut wait = delivery.retry.as_ref().map_or(0, |r| r.initial_backoff_ms);
        let mut last = None;
        for number in 1..=attempts {
            let attempt = self.attempt(&message, number).await;
            if attempt.is_ok() {
                return Outcome::Delivered;
            }
            last = attempt.err();
            if number < attempts {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                if let Some(retry) = &delivery.retry {
                    wait = ((wait as f64 * retry.multiplier) as u64).min(retry.max_backoff_ms);
                }
            }
        }
        if delivery.on_failure == OnFailure::Undeliverable {
            let failed = last.unwrap_or_else(|| Failed {
                reason: "not sent".to_string(),
                answer: "no response".to_string(),
                at_ms: 0,
            });
            return Outcome::Undeliverable {
                id: self.keep_undeliverable(message, failed),
            };
        }
        Outcome::Dropped
    }

    /// Sends the tenant's queue in order, one message in flight, until it is empty or blocked.
    async fn pump(&self, tenant: &str) {
        while let Some(message) = self.queues.next(tenant) {
            // An emission dropped mid-send (a caller's timeout, an admin client gone) must not
            // leave the queue "sending" for ever: its message stays first and goes again.
            let in_flight = self.queues.in_flight(tenant);
            let attempt = self.attempt(&message, 1).await;
            in_flight.ended();
            // A failed message stays first; nothing else goes until it is unblocked.
            if !self.queues.done(tenant, attempt.is_ok()) {
                return;
            }
        }
    }

    /// Sends the tenant's queue until message `seq` has gone or the queue is blocked. While
    /// another emission is sending the queue, waits for it rather than returning early: an
    /// emission ends when its messages have an outcome, and emitters faster than the receiver
    /// wait instead of growing the queue without bound.
    async fn drain(&self, tenant: &str, seq: u64) {
        let watch = self.queues.watch(tenant);
        loop {
            let changed = watch.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            self.pump(tenant).await;
            let (pending, blocked) = self.queues.waiting(tenant, seq);
            if !pending || blocked {
                return;
            }
            changed.await;
        }
    }

    /// Unblocks a tenant's queue and sends what waits in it, the blocked message first.
    pub async fn unblock(&self, tenant: &str) {
        self.queues.unblock(tenant);
        self.pump(tenant).await;
    }

    /// Drops the message a blocked queue is stuck on (it is not sent again), then sends what
    /// waits behind it. The dropped message; `None` when the tenant's queue is not blocked.
    pub async fn skip(&self, tenant: &str) -> Option<Skipped> {
        let dropped = self.queues.skip(tenant)?;
        self.pump(tenant).await;
        Some(Skipped {
            event: dropped.event.clone(),
            event_id: dropped.event_id.clone(),
            subscription: dropped.subscription.clone(),
        })
    }

    /// Tenants whose queue is blocked, with how many messages wait in each.
    #[must_use]
    pub fn blocked(&self) -> Vec<(String, usize)> {
        self.queues.blocked()
    }

    /// Attempts made and deliveries acknowledged since the start (not bounded like the log).
    #[must_use]
    pub fn totals(&self) -> (u64, u64) {
        self.log.totals()
    }

    /// The attempt log, oldest first (the most recent [`LOG_LIMIT`]).
    #[must_use]
    pub fn log(&self) -> Vec<Attempt> {
        self.log.recent()
    }

    /// One page of the attempt log, oldest first: `limit` attempts from `offset`, and how many
    /// are kept in all.
    #[must_use]
    pub fn log_page(&self, offset: usize, limit: usize) -> (usize, Vec<Attempt>) {
        self.log.page(offset, limit)
    }

    /// One POST: pipeline stages 1 (a fresh attempt id) to 5, sent, timed and logged;
    /// `Err` says why it was not acknowledged.
    async fn attempt(&self, message: &Message, number: u32) -> Result<(), Failed> {
        // The message's payload as it is, or a copy with a fresh attempt id where the
        // provider has one.
        let payload = if self.pipeline.has_attempt_id() {
            let mut payload = message.payload.to_value();
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            self.pipeline.new_attempt(&mut payload, &mut *rng);
            std::borrow::Cow::Owned(Payload::Own(payload))
        } else {
            std::borrow::Cow::Borrowed(&message.payload)
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let envelope = self.pipeline.envelope_from(
            &message.event,
            |at| payload.get(at),
            &message.subscription,
            message.event_id.as_deref(),
        );
        let started = Instant::now();
        let (body, headers, (status, response_excerpt, error)) = match &message.key {
            Ok(key) => {
                let text = payload.text(self.spec().delivery.serialization);
                let delivery = self.pipeline.prepare_text(
                    text,
                    &envelope,
                    &[key.as_slice()],
                    self.clock.unwrap_or(now.as_secs_f64()),
                    &message.headers,
                );
                let body = bytes::Bytes::from(delivery.body);
                let answer = self
                    .post(&message.target, &delivery.headers, body.clone())
                    .await;
                (body, delivery.headers, answer)
            }
            // Nothing is sent that cannot be signed: the attempt fails, saying why.
            Err(why) => (
                bytes::Bytes::new(),
                Vec::new(),
                (None, None, Some(format!("not sent: {why}"))),
            ),
        };
        let attempt = Attempt {
            at_ms: now.as_millis() as u64,
            event: message.event.clone(),
            event_id: envelope.event_id,
            subscription: message.subscription.clone(),
            tenant: message.tenant.clone(),
            target: message.target.clone(),
            body,
            headers,
            delivered: status.is_some_and(|s| (200..300).contains(&s)),
            status,
            response_excerpt,
            latency_ms: started.elapsed().as_millis() as u64,
            error,
            number,
        };
        let outcome = if attempt.delivered {
            Ok(())
        } else {
            Err(Failed {
                reason: attempt.failure(),
                answer: match (attempt.status, &attempt.error) {
                    (Some(status), _) => hyper::StatusCode::from_u16(status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .map_or_else(|| status.to_string(), |r| format!("{status} {r}")),
                    (None, Some(error)) => format!("no response: {error}"),
                    (None, None) => "no response".to_string(),
                },
                at_ms: attempt.at_ms + attempt.latency_ms,
            })
        };
        if let Some(observe) = &self.observer.0 {
            observe(&attempt);
        }
        self.log.push(attempt);
        outcome
    }

    /// The in-flight bound of the receiver at `target` (its scheme, host and port).
    fn receiver_slots(&self, target: &str) -> Arc<tokio::sync::Semaphore> {
        let origin = target
            .find("://")
            .map(|i| i + 3)
            .and_then(|start| {
                target[start..]
                    .find(['/', '?', '#'])
                    .map(|end| &target[..start + end])
            })
            .unwrap_or(target);
        let mut slots = self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slots.len() > 4096 && !slots.contains_key(origin) {
            // Receivers come and go: forget the idle ones rather than grow without end.
            slots.retain(|_, s| Arc::strong_count(s) > 1);
        }
        Arc::clone(
            slots
                .entry(origin.to_string())
                .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT))),
        )
    }

    /// Sends a prepared delivery to `target`: the status, the start of the answer, or why no
    /// answer came.
    async fn post(
        &self,
        target: &str,
        headers: &[(String, String)],
        body: bytes::Bytes,
    ) -> (Option<u16>, Option<String>, Option<String>) {
        // The permit only bounds how many POSTs run at once; it cannot be closed.
        let _permit = self.receiver_slots(target).acquire_owned().await.ok();
        let answer = self.poster.post(target, headers, body, EXCERPT).await;
        (answer.status, answer.excerpt, answer.error)
    }
}
