//! Sending events: real signed HTTP POSTs to the matching subscriptions, under the provider's
//! delivery rules (`x-delivery.onFailure`): drop, bounded retries with backoff, an
//! undeliverable list, or one FIFO queue per tenant that blocks on failure until unblocked.
//! Every attempt is logged; nothing emitted is lost: it is delivered, or visible as blocked or
//! undeliverable.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use proptest::test_runner::TestRng;
use serde_json::Value;

use super::{envelope, serialize};
use crate::sign::Signer;
use crate::spec::ProviderSpec;
use crate::spec::extensions::{KeySource, OnFailure};
use crate::spec::pointer;

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
    /// The request body sent (lossy UTF-8).
    pub body: String,
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
    /// Waiting in its tenant's queue (behind a blocked message, or being sent).
    Queued,
}

/// One subscription's share of an emission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Delivery {
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
    pub deliveries: Vec<Delivery>,
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
}

/// A message: one event's payload for one subscription.
#[derive(Debug, Clone)]
struct Message {
    seq: u64,
    event: String,
    payload: Value,
    subscription: String,
    tenant: String,
    target: String,
    key: Vec<u8>,
    headers: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct Queue {
    pending: VecDeque<Message>,
    blocked: bool,
    sending: bool,
}

/// A subscription as the dispatcher sees it: its stored resource and where it belongs.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// The stored resource.
    pub resource: Value,
    /// Its id.
    pub id: String,
    /// Its tenant.
    pub tenant: String,
}

/// Sends one provider's events.
#[derive(Debug)]
pub struct Dispatcher {
    spec: Arc<ProviderSpec>,
    signer: Signer,
    client: reqwest::Client,
    /// Pointer to the target URL in a stored subscription.
    target: String,
    /// Secrets by tenant, for keys that come from a credential.
    secrets: BTreeMap<String, BTreeMap<String, String>>,
    rng: Arc<Mutex<TestRng>>,
    log: Mutex<VecDeque<Attempt>>,
    /// The undeliverable list, each entry with the message it came from (kept whole, so that a
    /// resend is the same request: key and forwarded headers included).
    undeliverable: Mutex<Vec<(Undeliverable, Message)>>,
    queues: Mutex<HashMap<String, Queue>>,
    /// The delivery rules' retry settings, or one attempt.
    policy: OnFailure,
    next: std::sync::atomic::AtomicU64,
    attempts: std::sync::atomic::AtomicU64,
    delivered: std::sync::atomic::AtomicU64,
    /// A fixed signing time (Unix seconds), for reproducible signatures; `None`: the clock.
    clock: Option<f64>,
    /// Defects of a faulty mock: sign with a wrong key, deliver to every subscription.
    wrong_key: bool,
    deliver_to_all: bool,
}

impl Dispatcher {
    /// The same dispatcher with the defects of a faulty mock (see `mock::Defect`).
    #[must_use]
    pub fn with_defects(mut self, wrong_key: bool, deliver_to_all: bool) -> Self {
        self.wrong_key = wrong_key;
        self.deliver_to_all = deliver_to_all;
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
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(spec.delivery.timeout_ms))
            .connect_timeout(Duration::from_millis(spec.delivery.timeout_ms.min(5000)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            signer: Signer::new(&spec.signature),
            policy: spec.delivery.on_failure,
            spec,
            client,
            target,
            secrets,
            rng,
            log: Mutex::new(VecDeque::new()),
            undeliverable: Mutex::new(Vec::new()),
            queues: Mutex::new(HashMap::new()),
            next: std::sync::atomic::AtomicU64::new(0),
            attempts: std::sync::atomic::AtomicU64::new(0),
            delivered: std::sync::atomic::AtomicU64::new(0),
            clock,
            wrong_key: false,
            deliver_to_all: false,
        }
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
        let event_id = self.spec.event_id_of(payload).map(str::to_string);
        let matching: Vec<&Subscriber> = subscribers
            .iter()
            .filter(|s| {
                self.deliver_to_all
                    || super::matching::matches(&self.spec.delivery, &s.resource, event, context)
            })
            .collect();
        let mut deliveries: Vec<Delivery> = matching
            .iter()
            .map(|s| Delivery {
                subscription: s.id.clone(),
                tenant: s.tenant.clone(),
                outcome: Outcome::Queued,
            })
            .collect();
        if self.policy == OnFailure::Block {
            // One queue per tenant: enqueue in order, then send every tenant's queue at once.
            let mut queued: Vec<(usize, u64)> = Vec::new();
            let mut tenants: Vec<String> = Vec::new();
            {
                let messages: Vec<Message> = matching
                    .iter()
                    .map(|s| self.message(event, payload, s))
                    .collect();
                let mut queues = self.lock_queues();
                for (index, message) in messages.into_iter().enumerate() {
                    queued.push((index, message.seq));
                    if !tenants.contains(&message.tenant) {
                        tenants.push(message.tenant.clone());
                    }
                    queues
                        .entry(message.tenant.clone())
                        .or_default()
                        .pending
                        .push_back(message);
                }
            }
            futures_util::future::join_all(tenants.iter().map(|tenant| self.pump(tenant))).await;
            // Queued messages that went out while pumping are delivered now.
            for (index, seq) in queued {
                let tenant = deliveries[index].tenant.clone();
                if !self.is_pending(&tenant, seq) {
                    deliveries[index].outcome = Outcome::Delivered;
                }
            }
        } else {
            // No ordering promised: every subscriber at once.
            let outcomes = futures_util::future::join_all(
                matching
                    .iter()
                    .map(|s| self.send(self.message(event, payload, s))),
            )
            .await;
            for (delivery, outcome) in deliveries.iter_mut().zip(outcomes) {
                delivery.outcome = outcome;
            }
        }
        Report {
            event: event.to_string(),
            event_id,
            deliveries,
        }
    }

    fn message(&self, event: &str, payload: &Value, subscriber: &Subscriber) -> Message {
        let personal =
            envelope::personalise(&self.spec, payload, &subscriber.resource, &subscriber.id);
        let key = match self.spec.signature.key.as_ref() {
            Some(key) if key.from == KeySource::Subscription => key
                .pointer
                .as_deref()
                .and_then(|p| pointer::get(&subscriber.resource, p))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .as_bytes()
                .to_vec(),
            Some(key) => key
                .name
                .as_deref()
                .and_then(|n| self.secrets.get(&subscriber.tenant)?.get(n))
                .map(|s| s.as_bytes().to_vec())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let headers = self
            .spec
            .delivery
            .forward_headers
            .as_deref()
            .and_then(|at| pointer::get(&subscriber.resource, at))
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Message {
            seq: self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            event: event.to_string(),
            payload: personal,
            subscription: subscriber.id.clone(),
            tenant: subscriber.tenant.clone(),
            target: pointer::get(&subscriber.resource, &self.target)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            key,
            headers,
        }
    }

    /// Sends a message under the drop, retry or undeliverable rule.
    async fn send(&self, message: Message) -> Outcome {
        let attempts = match (self.policy, &self.spec.delivery.retry) {
            (OnFailure::Retry, Some(retry)) => retry.max_attempts.max(1),
            _ => 1,
        };
        let mut wait = self
            .spec
            .delivery
            .retry
            .as_ref()
            .map_or(0, |r| r.initial_backoff_ms);
        let mut last = None;
        for number in 1..=attempts {
            let attempt = self.attempt(&message, number).await;
            if attempt.delivered {
                return Outcome::Delivered;
            }
            last = Some(attempt);
            if number < attempts {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                if let Some(retry) = &self.spec.delivery.retry {
                    wait = ((wait as f64 * retry.multiplier) as u64).min(retry.max_backoff_ms);
                }
            }
        }
        if self.policy == OnFailure::Undeliverable {
            let id = {
                let mut rng = self
                    .rng
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                crate::ids::fill("{hex:24}", &mut *rng)
            };
            let reason = last
                .as_ref()
                .map_or_else(|| "not sent".to_string(), describe);
            let entry = Undeliverable {
                id: id.clone(),
                event: message.event.clone(),
                subscription: message.subscription.clone(),
                tenant: message.tenant.clone(),
                target: message.target.clone(),
                payload: message.payload.clone(),
                reason,
            };
            self.undeliverable
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((entry, message));
            return Outcome::Undeliverable { id };
        }
        Outcome::Dropped
    }

    /// Sends the tenant's queue in order, one message in flight, until it is empty or blocked.
    async fn pump(&self, tenant: &str) {
        loop {
            let message = {
                let mut queues = self.lock_queues();
                let queue = queues.entry(tenant.to_string()).or_default();
                if queue.blocked || queue.sending {
                    return;
                }
                let Some(message) = queue.pending.front().cloned() else {
                    return;
                };
                queue.sending = true;
                message
            };
            let attempt = self.attempt(&message, 1).await;
            let mut queues = self.lock_queues();
            let queue = queues.entry(tenant.to_string()).or_default();
            queue.sending = false;
            if attempt.delivered {
                queue.pending.pop_front();
            } else {
                // The failed message stays first; nothing else goes until it is unblocked.
                queue.blocked = true;
                return;
            }
        }
    }

    fn is_pending(&self, tenant: &str, seq: u64) -> bool {
        self.lock_queues()
            .get(tenant)
            .is_some_and(|q| q.pending.iter().any(|m| m.seq == seq))
    }

    /// Unblocks a tenant's queue and sends what waits in it, the blocked message first.
    pub async fn unblock(&self, tenant: &str) {
        if let Some(queue) = self.lock_queues().get_mut(tenant) {
            queue.blocked = false;
        }
        self.pump(tenant).await;
    }

    /// Tenants whose queue is blocked, with how many messages wait in each.
    #[must_use]
    pub fn blocked(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .lock_queues()
            .iter()
            .filter(|(_, q)| q.blocked)
            .map(|(t, q)| (t.clone(), q.pending.len()))
            .collect();
        out.sort();
        out
    }

    /// The undeliverable list.
    #[must_use]
    pub fn undeliverable(&self) -> Vec<Undeliverable> {
        self.undeliverable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(entry, _)| entry.clone())
            .collect()
    }

    /// Resends the undeliverable message `id` (all of them with `None`); those that fail again
    /// stay in the list. Returns how many were resent.
    pub async fn resend(&self, id: Option<&str>) -> usize {
        let taken: Vec<(Undeliverable, Message)> = {
            let mut list = self
                .undeliverable
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (take, keep): (Vec<_>, Vec<_>) = list
                .drain(..)
                .partition(|(u, _)| id.is_none_or(|id| u.id == id));
            *list = keep;
            take
        };
        let count = taken.len();
        for (entry, message) in taken {
            let attempt = self.attempt(&message, 1).await;
            if !attempt.delivered {
                let entry = Undeliverable {
                    reason: describe(&attempt),
                    ..entry
                };
                self.undeliverable
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((entry, message));
            }
        }
        count
    }

    /// Erases the undeliverable message `id` (all of them with `None`); returns how many.
    pub fn erase(&self, id: Option<&str>) -> usize {
        let mut list = self
            .undeliverable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = list.len();
        list.retain(|(u, _)| id.is_some_and(|id| u.id != id));
        before - list.len()
    }

    /// Attempts made and deliveries acknowledged since the start (not bounded like the log).
    #[must_use]
    pub fn totals(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.attempts.load(Relaxed), self.delivered.load(Relaxed))
    }

    /// The attempt log, oldest first (the most recent [`LOG_LIMIT`]).
    #[must_use]
    pub fn log(&self) -> Vec<Attempt> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    fn lock_queues(&self) -> std::sync::MutexGuard<'_, HashMap<String, Queue>> {
        self.queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One POST: a fresh attempt id, the provider's bytes, its signature, logged.
    async fn attempt(&self, message: &Message, number: u32) -> Attempt {
        let mut payload = message.payload.clone();
        {
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            envelope::new_attempt(&self.spec, &mut payload, &mut *rng);
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let signing_time = self.clock.unwrap_or(now.as_secs_f64());
        let Prepared { headers, body, .. } = prepare(
            &self.spec,
            &self.signer,
            &payload,
            if self.wrong_key {
                b"not-the-subscribers-key"
            } else {
                &message.key
            },
            signing_time,
            &message.headers,
        );
        let mut request = self.client.request(
            self.spec
                .delivery
                .method
                .parse()
                .unwrap_or(reqwest::Method::POST),
            &message.target,
        );
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let started = Instant::now();
        let (status, excerpt, error) = match request.body(body.clone()).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let bytes = response.bytes().await.unwrap_or_default();
                (
                    Some(status),
                    Some(String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).into_owned()),
                    None,
                )
            }
            Err(error) => (
                None,
                None,
                Some(if error.is_timeout() {
                    format!("timed out after {} ms", self.spec.delivery.timeout_ms)
                } else {
                    error.to_string()
                }),
            ),
        };
        let attempt = Attempt {
            at_ms: now.as_millis() as u64,
            event: message.event.clone(),
            event_id: self.spec.event_id_of(&payload).map(str::to_string),
            subscription: message.subscription.clone(),
            tenant: message.tenant.clone(),
            target: message.target.clone(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            delivered: status.is_some_and(|s| (200..300).contains(&s)),
            status,
            response_excerpt: excerpt,
            latency_ms: started.elapsed().as_millis() as u64,
            error,
            number,
        };
        self.attempts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if attempt.delivered {
            self.delivered
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.len() >= LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(attempt.clone());
        attempt
    }
}

/// A delivery request ready to send: what every attempt, the tests and the snapshots share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The payload text (what is signed).
    pub text: String,
    /// The wire body.
    pub body: Vec<u8>,
    /// The headers, in the order sent: content type, signature, forwarded headers.
    pub headers: Vec<(String, String)>,
}

/// The request a provider sends for `payload`: its serialisation, wire encoding, content type and
/// signature (made with `key` at `unix` seconds), and the subscription's forwarded headers.
#[must_use]
pub fn prepare(
    spec: &ProviderSpec,
    signer: &Signer,
    payload: &Value,
    key: &[u8],
    unix: f64,
    forwarded: &[(String, String)],
) -> Prepared {
    let text = serialize::payload_text(payload, spec.delivery.serialization);
    let body = serialize::wire_body(&text, spec.delivery.body_encoding);
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(content_type) = &spec.delivery.content_type {
        headers.push(("content-type".into(), content_type.clone()));
    }
    if let Some(signature) = signer.sign(&text, key, signer.timestamp(unix)) {
        headers.push((signature.header, signature.value));
    }
    headers.extend(forwarded.iter().cloned());
    Prepared {
        text,
        body,
        headers,
    }
}

fn describe(attempt: &Attempt) -> String {
    match (&attempt.status, &attempt.error) {
        (Some(status), _) => format!("the receiver answered {status}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".into(),
    }
}
