//! Receiver-mode checks: what a webhook receiver must do with the provider's deliveries.
//! [`Probe`] sends deliveries exactly as the provider would (the mock's delivery code) to the
//! target and records both sides for the failure report.

mod content_type;
mod documented_example;
mod edge;
mod exchange;
#[cfg(feature = "test-support")]
pub mod faults;
mod generated;
mod header_case;
mod out_of_order;
mod redelivery;
mod replay;
mod signature;
mod timing;
mod unknown_event;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::CheckInfo;
use crate::deliver::{Delivery, Pipeline, Subscriber, envelope};
use crate::generate::{Generator, Mode, SchemaGen};
use crate::redact::Redactor;
use crate::spec::extensions::{KeySource, MockState};
use crate::spec::{ProviderSpec, pointer};
use crate::transcript::Recorder;
pub(crate) use exchange::describe;
pub use exchange::{Exchange, now};

/// Whether a check runs for a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applies {
    /// It runs.
    Yes,
    /// It is listed as ignored, for this reason.
    Ignored(String),
}

/// One receiver check.
#[derive(Clone, Copy)]
pub struct ReceiverCheck {
    /// Name, reason, source.
    pub info: CheckInfo,
    /// Whether it runs for an event of a provider.
    pub applies: fn(&ProviderSpec, &str) -> Applies,
    /// Runs it for one event, recording what it sends into the session's transcript.
    pub run: fn(&Session<'_>, &str) -> Result<(), String>,
}

impl ReceiverCheck {
    /// Runs it for one event against `probe`'s target, outside a run (no transcript kept).
    pub fn run_on(&self, probe: &Probe, event: &str) -> Result<(), String> {
        let recorder = Recorder::new(false);
        (self.run)(&probe.session(&recorder), event)
    }
}

/// One trial's use of a [`Probe`]: everything it sends is recorded into the trial's own
/// transcript. It reads like the probe it wraps.
pub struct Session<'a> {
    probe: &'a Probe,
    recorder: &'a Recorder,
}

impl std::ops::Deref for Session<'_> {
    type Target = Probe;

    fn deref(&self) -> &Probe {
        self.probe
    }
}

impl Session<'_> {
    /// Sends a request to the target (header names in lower case on the wire, as hyper writes
    /// them).
    pub fn send(&self, headers: &[(String, String)], body: &[u8]) -> Exchange {
        self.recorded(self.probe.exchange(&self.probe.client, headers, body))
    }

    /// Sends a request to the target with header names in title case on the wire
    /// (`Content-Type`, `X-Signature`).
    pub fn send_title_case(&self, headers: &[(String, String)], body: &[u8]) -> Exchange {
        self.recorded(self.probe.exchange(&self.probe.title_case, headers, body))
    }

    /// Sends a request over a plain HTTP/1.1 connection written by hand, with the header names
    /// exactly as given (hyper's client can only lower-case or title-case them). `None` for
    /// an `https://` target.
    pub fn send_verbatim(&self, headers: &[(String, String)], body: &[u8]) -> Option<Exchange> {
        Some(self.recorded(self.probe.exchange_verbatim(headers, body)?))
    }

    /// Adds an exchange to the trial's transcript.
    fn recorded(&self, exchange: Exchange) -> Exchange {
        self.recorder.record_with(|| {
            exchange.transcript(&self.probe.spec.delivery.method, &self.probe.redactor())
        });
        exchange
    }
}

impl std::fmt::Debug for ReceiverCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.info.id)
    }
}

/// Every receiver check, in the order trials are listed.
#[must_use]
pub fn catalogue() -> Vec<ReceiverCheck> {
    vec![
        documented_example::CHECK,
        generated::CHECK,
        edge::CHECK,
        signature::CHECK,
        replay::CHECK,
        redelivery::CHECK,
        out_of_order::CHECK,
        unknown_event::CHECK,
        content_type::CHECK,
        header_case::CHECK,
        timing::CHECK,
    ]
}

/// Where and how deliveries are sent.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The receiver's URL.
    pub target: String,
    /// The secret the receiver verifies signatures with.
    pub secret: String,
    /// Generated payloads per event.
    pub cases: u32,
    /// The seed of everything generated.
    pub seed: u64,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// Sends deliveries of one provider to the target.
pub struct Probe {
    /// The spec.
    pub spec: std::sync::Arc<ProviderSpec>,
    /// How the provider builds its deliveries.
    pub pipeline: Pipeline,
    /// The settings.
    pub settings: Settings,
    /// The generator of the spec's payloads.
    pub generator: Generator,
    client: reqwest::Client,
    title_case: reqwest::Client,
    runtime: tokio::runtime::Handle,
    /// The key material of the secret (its text's bytes where it does not decode; the command
    /// line refuses such a secret before any request).
    key: Vec<u8>,
    /// The subscription of each event, built once (it does not change between deliveries).
    subscriptions: std::collections::HashMap<String, (Value, String)>,
    /// The payload generator of each event, compiled once.
    payloads: std::collections::HashMap<String, SchemaGen>,
    /// The largest answer read (`--max-answer-bytes`).
    max_answer_bytes: usize,
    /// Whether the target still answers.
    pub health: crate::check::Health,
    /// Valid signed deliveries sent, and how many of them were refused with 401 or 403.
    valid: (AtomicU32, AtomicU32),
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("provider", &self.spec.provider.id)
            .finish_non_exhaustive()
    }
}

impl Probe {
    /// A probe for `spec`, sending with `runtime`.
    #[must_use]
    pub fn new(spec: ProviderSpec, settings: Settings, runtime: tokio::runtime::Handle) -> Self {
        let client = |title_case: bool| {
            let builder = reqwest::Client::builder()
                .timeout(settings.timeout)
                .connect_timeout(settings.timeout)
                .redirect(reqwest::redirect::Policy::none());
            let builder = if title_case {
                builder.http1_title_case_headers()
            } else {
                builder
            };
            builder.build().unwrap_or_default()
        };
        let spec = std::sync::Arc::new(spec);
        let mut probe = Self {
            subscriptions: std::collections::HashMap::new(),
            payloads: std::collections::HashMap::new(),
            client: client(false),
            title_case: client(true),
            generator: Generator::new(&spec),
            pipeline: Pipeline::new(std::sync::Arc::clone(&spec)),
            key: Vec::new(),
            spec,
            settings,
            runtime,
            max_answer_bytes: crate::check::DEFAULT_MAX_ANSWER_BYTES,
            health: crate::check::Health::default(),
            valid: (AtomicU32::new(0), AtomicU32::new(0)),
        };
        probe.key = probe
            .pipeline
            .decode_key(&probe.settings.secret)
            .unwrap_or_else(|_| probe.settings.secret.as_bytes().to_vec());
        probe.payloads = probe
            .spec
            .events
            .iter()
            .filter_map(|e| Some((e.name.clone(), probe.generator.event(&e.name).ok()?)))
            .collect();
        probe.subscriptions = probe
            .spec
            .events
            .iter()
            .map(|e| (e.name.clone(), probe.build_subscription(&e.name)))
            .collect();
        probe
    }

    /// Reads at most `limit` bytes of any answer (`--max-answer-bytes`); a larger answer is
    /// no answer, reported with that reason.
    #[must_use]
    pub fn with_max_answer_bytes(mut self, limit: usize) -> Self {
        self.max_answer_bytes = limit;
        self
    }

    /// Notes the answer to a valid delivery, for [`Probe::secret_hint`].
    pub fn note_valid(&self, exchange: &Exchange) {
        if !self.spec.signing.signs() || exchange.status.is_none() {
            return;
        }
        self.valid.0.fetch_add(1, Ordering::Relaxed);
        if matches!(exchange.status, Some(401 | 403)) {
            self.valid.1.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// When every valid signed delivery was refused with 401 or 403: a hint to check the
    /// secret, naming how the harness signed.
    #[must_use]
    pub fn secret_hint(&self) -> Option<String> {
        let (sent, refused) = (
            self.valid.0.load(Ordering::Relaxed),
            self.valid.1.load(Ordering::Relaxed),
        );
        (sent > 0 && sent == refused).then(|| {
            let schemes: Vec<String> = self
                .spec
                .signing
                .schemes
                .iter()
                .map(|s| format!("`{}`: {:?} over `{}`", s.header, s.algorithm, s.signed_content))
                .collect();
            let key = self
                .spec
                .signing
                .key
                .as_ref()
                .map_or_else(String::new, |k| format!(", the key being {}", k.shape()));
            format!(
                "{}: all {sent} valid signed deliveries were refused with 401/403: check --secret (the harness signed {}{key})",
                self.spec.provider.name,
                schemes.join(" and ")
            )
        })
    }

    /// The payload generator of `event` (compiled once per probe).
    pub fn payloads(&self, event: &str) -> Result<SchemaGen, String> {
        match self.payloads.get(event) {
            Some(generator) => Ok(generator.clone()),
            None => self.generator.event(event).map_err(|e| e.to_string()),
        }
    }

    /// A generated valid payload of `event` for case `case`.
    pub fn generated(&self, event: &str, case: u64) -> Result<Value, String> {
        let generator = self.payloads(event)?;
        // Each event and case has its own stream, all fixed by the seed.
        let event_salt = event.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let seed = self.settings.seed ^ event_salt ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut samples = generator
            .sample(Mode::Valid, seed, 1)
            .map_err(|e| e.to_string())?;
        Ok(samples.remove(0).value)
    }

    /// The subscription a real provider would hold for this receiver: a resource of the spec's
    /// subscription schema, subscribed to `event`, pointing at the target, keyed with the secret.
    #[must_use]
    pub fn subscription(&self, event: &str) -> (Value, String) {
        self.subscriptions
            .get(event)
            .cloned()
            .unwrap_or_else(|| self.build_subscription(event))
    }

    fn build_subscription(&self, event: &str) -> (Value, String) {
        let create = self.spec.subscription_creator();
        let mut resource = create
            .and_then(|m| m.resource.as_deref())
            .and_then(|r| self.generator.schema(r.trim_start_matches('#')).ok())
            .and_then(|g| g.sample(Mode::Valid, self.settings.seed, 1).ok())
            .map_or_else(
                || Value::Object(serde_json::Map::new()),
                |mut s| s.remove(0).value,
            );
        let id = "receiver-check-subscription".to_string();
        pointer::set(
            &mut resource,
            create.and_then(|m| m.id_field.as_deref()).unwrap_or("/id"),
            Value::String(id.clone()),
        );
        if let Some(at) = create.and_then(MockState::stored_target) {
            pointer::set(
                &mut resource,
                &at,
                Value::String(self.settings.target.clone()),
            );
        }
        let events_at = &self.spec.delivery.matching.events;
        let subscribed = if pointer::get(&resource, events_at).is_some_and(Value::is_array) {
            Value::Array(vec![Value::String(event.into())])
        } else {
            Value::String(event.into())
        };
        pointer::set(&mut resource, events_at, subscribed);
        // A provider delivers only to an active subscription.
        if let Some(active) = &self.spec.delivery.matching.active {
            pointer::set(&mut resource, active, Value::Bool(true));
        }
        if let Some(key) = self
            .spec
            .signing
            .key
            .as_ref()
            .filter(|k| k.from == KeySource::Subscription)
            .and_then(|k| k.pointer.as_deref())
        {
            pointer::set(
                &mut resource,
                key,
                Value::String(self.settings.secret.clone()),
            );
        }
        (resource, id)
    }

    /// The key material the harness signs with (the secret, decoded as the spec says).
    #[must_use]
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The subscriber a real provider would deliver `event` to for this receiver.
    #[must_use]
    pub fn subscriber(&self, event: &str) -> Subscriber {
        let (resource, id) = self.subscription(event);
        Subscriber {
            resource,
            id,
            tenant: String::new(),
        }
    }

    /// The request the provider would send for `payload` of `event`: body and headers, signed
    /// with the secret (or with `key` when given) now.
    #[must_use]
    pub fn delivery(
        &self,
        event: &str,
        payload: &Value,
        key: Option<&[u8]>,
    ) -> (Vec<u8>, Vec<(String, String)>) {
        let key = key.unwrap_or(&self.key);
        let delivery = self.delivery_at(event, payload, &[key], now());
        (delivery.body, delivery.headers)
    }

    /// The request the provider would send for `payload` of `event`, signed with `keys` (one,
    /// or several as during a key rotation) at `unix` seconds.
    #[must_use]
    pub fn delivery_at(&self, event: &str, payload: &Value, keys: &[&[u8]], unix: f64) -> Delivery {
        self.delivery_named(event, event, payload, keys, unix)
    }

    /// [`Self::delivery_at`] for a delivery that names itself `named` wherever the envelope
    /// carries the event name (an event type the spec does not list, say).
    #[must_use]
    pub fn delivery_named(
        &self,
        event: &str,
        named: &str,
        payload: &Value,
        keys: &[&[u8]],
        unix: f64,
    ) -> Delivery {
        let subscriber = self.subscriber(event);
        let (payload, header_id) = self.with_event_id(payload);
        let personal = self.pipeline.envelope(&payload, &subscriber);
        let envelope =
            self.pipeline
                .envelope_of(named, &personal, &subscriber, header_id.as_deref());
        self.pipeline.prepare(
            &personal,
            &envelope,
            keys,
            unix,
            &self.pipeline.forwarded(&subscriber),
        )
    }

    /// The envelope `payload` of `event` is delivered with (its event id as
    /// [`Self::delivery`] gives it).
    #[must_use]
    pub fn envelope(&self, event: &str, payload: &Value) -> crate::deliver::Envelope {
        let subscriber = self.subscriber(event);
        let (payload, header_id) = self.with_event_id(payload);
        let personal = self.pipeline.envelope(&payload, &subscriber);
        self.pipeline
            .envelope_of(event, &personal, &subscriber, header_id.as_deref())
    }

    /// `payload` with an event id of its own, as a provider gives every event: derived from the
    /// rest of the payload (so a redelivery, which changes only the attempt id, keeps it) and
    /// the seed (so runs repeat). The docs' examples may share an id (Betterez's do); real
    /// events do not.
    fn with_event_id(&self, payload: &Value) -> (Value, Option<String>) {
        let mut out = payload.clone();
        let Some(at) = &self.spec.envelope.event_id else {
            return (out, None);
        };
        let mut rest = payload.clone();
        for skip in [Some(at), self.spec.envelope.attempt_id.as_ref()]
            .into_iter()
            .flatten()
            .filter(|at| !at.starts_with("header:"))
        {
            pointer::set(&mut rest, skip, Value::Null);
        }
        let digest = rest
            .to_string()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        let mut rng = crate::generate::rng::seeded(self.settings.seed ^ digest);
        if self.pipeline.event_id_in_header() {
            return (out, Some(self.pipeline.new_event_id(&mut rng)));
        }
        envelope::new_event_id(&self.spec, &mut out, &mut rng);
        (out, None)
    }

    /// What failure reports show instead of the signing secret: `[secret]`, as written,
    /// JSON-escaped or percent-encoded.
    #[must_use]
    pub fn secret_redactor(&self) -> Redactor {
        Redactor::new().secret(&self.settings.secret, "[secret]")
    }

    /// What transcripts show instead of the target's address (its URL, and its host and port
    /// for bodies that escape the URL's slashes) and the signatures.
    #[must_use]
    pub fn redactor(&self) -> Redactor {
        let target = &self.settings.target;
        let mut redactor = Redactor::new()
            .value(target, "{target}")
            .secret(&self.settings.secret, "[secret]");
        if let Ok(url) = reqwest::Url::parse(target)
            && let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default())
        {
            redactor = redactor.value(&format!("{host}:{port}"), "{host}");
        }
        let signing = &self.spec.signing;
        if let Some(header) = &signing.timestamp.header {
            redactor = redactor.header_as(header, "[timestamp]");
        }
        for header in signing.headers.iter().chain(&self.spec.delivery.headers) {
            if header.value.contains("{uuid}") {
                redactor = redactor.header_as(&header.name, "[uuid]");
            } else if header.value.contains("{timestamp}") {
                redactor = redactor.header_as(&header.name, "[timestamp]");
            }
        }
        self.pipeline
            .signer()
            .headers()
            .fold(redactor, Redactor::signature_header)
    }

    /// A trial's session with this probe, recording into `recorder`.
    #[must_use]
    pub fn session<'a>(&'a self, recorder: &'a Recorder) -> Session<'a> {
        Session {
            probe: self,
            recorder,
        }
    }

    /// `Ok` when the exchange got a 2xx, else the failure report of `info`, with `extra`.
    pub fn require_2xx(
        &self,
        info: &CheckInfo,
        exchange: &Exchange,
        extra: &str,
    ) -> Result<(), String> {
        self.note_valid(exchange);
        if exchange.accepted() {
            Ok(())
        } else {
            Err(self.failure(info, "a 2xx answer", exchange, extra))
        }
    }

    /// The failure report of an exchange that broke a check.
    #[must_use]
    pub fn failure(
        &self,
        info: &CheckInfo,
        expected: &str,
        exchange: &Exchange,
        extra: &str,
    ) -> String {
        let mut out = format!(
            "{}: {}\n  (source: {})\nexpected: {expected}\n",
            info.id, info.reason, info.source
        );
        if !extra.is_empty() {
            out.push_str(extra);
            out.push('\n');
        }
        out.push_str(&exchange.render(&self.spec.delivery.method, &self.settings.target));
        Redactor::new()
            .secret(&self.settings.secret, "[secret]")
            .text(&out)
    }
}
