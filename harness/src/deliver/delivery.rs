//! One delivery: the exact request a provider sends for one event to one subscription, built
//! by [`Pipeline`] in linear stages:
//!
//! 1. **envelope**: the payload this subscriber receives (its id, echoed values, the spec's
//!    subscription invariants; a fresh attempt id for each POST) — `envelope.rs`;
//! 2. **serialise**: the provider's payload text (`JSON.stringify` or compact) — `serialize.rs`;
//! 3. **wire encoding**: the body bytes (the text, or the text as a JSON string literal);
//! 4. **headers**: the content type, the signing convention's headers (its timestamp header
//!    among them), the provider's own headers (`x-delivery.headers`, templates over the
//!    envelope), then the subscription's forwarded headers;
//! 5. **signature**: each scheme's header over the text, with the subscriber's key — `sign`.
//!
//! The dispatcher, receiver mode's probe, provider mode's delivery check, the reference
//! receivers and the delivery snapshots all build (or read back) deliveries through this one
//! pipeline and its [`Verifier`].

use std::sync::Arc;

use serde_json::Value;

use super::envelope;
use crate::generate::rng::Draw;
use crate::serialize;
use crate::sign::{SignInput, Signer, Verifier, fill};
use crate::spec::ProviderSpec;
use crate::spec::extensions::KeySource;
use crate::spec::pointer;

/// A subscription as deliveries see it: its stored resource, its id and its tenant.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// The stored resource.
    pub resource: Value,
    /// Its id.
    pub id: String,
    /// Its tenant.
    pub tenant: String,
}

/// The envelope of one attempt: the values header templates and signatures may name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The event name.
    pub event: String,
    /// The event id (the same for every attempt and redelivery of the event).
    pub event_id: Option<String>,
    /// The attempt id (new for each POST).
    pub attempt_id: Option<String>,
    /// The subscription's id.
    pub subscription_id: Option<String>,
}

/// A delivery request ready to send: what every attempt, check and snapshot shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The payload text (what is signed).
    pub text: String,
    /// The wire body.
    pub body: Vec<u8>,
    /// The headers, in the order sent: content type, signature, forwarded headers.
    pub headers: Vec<(String, String)>,
}

/// How one provider delivers, compiled once from its spec.
#[derive(Debug, Clone)]
pub struct Pipeline {
    spec: Arc<ProviderSpec>,
    signer: Signer,
    plan: envelope::Plan,
}

impl Pipeline {
    /// The pipeline of `spec`.
    #[must_use]
    pub fn new(spec: Arc<ProviderSpec>) -> Self {
        Self {
            signer: Signer::new(&spec.signing),
            plan: envelope::Plan::new(&spec),
            spec,
        }
    }

    /// The spec it follows.
    #[must_use]
    pub fn spec(&self) -> &ProviderSpec {
        &self.spec
    }

    /// The signer of its deliveries.
    #[must_use]
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The verifier of its deliveries: the same scheme, read from the receiving side.
    #[must_use]
    pub fn verifier(&self) -> Verifier {
        Verifier::new(&self.spec)
    }

    /// Stage 1: the payload `subscriber` receives for the event payload `payload`.
    #[must_use]
    pub fn envelope(&self, payload: &Value, subscriber: &Subscriber) -> Value {
        crate::serialize::overlay::apply(payload, &self.edits(payload, subscriber))
    }

    /// Stage 1 as edits of `payload` (what [`Self::envelope`] applies), from the spec's plan
    /// made once.
    #[must_use]
    pub fn edits(
        &self,
        payload: &Value,
        subscriber: &Subscriber,
    ) -> Vec<crate::serialize::overlay::Edit> {
        self.plan
            .edits(payload, &subscriber.resource, &subscriber.id)
    }

    /// Stage 1, per attempt: a fresh attempt id (where the provider has one) in `payload`.
    pub fn new_attempt<R: Draw + ?Sized>(&self, payload: &mut Value, rng: &mut R) {
        envelope::new_attempt(&self.spec, payload, rng);
    }

    /// The envelope of an attempt of `event` to `subscriber`, its `payload` through stage 1:
    /// the values the payload carries, and `event_id` where the id travels in a header.
    #[must_use]
    pub fn envelope_of(
        &self,
        event: &str,
        payload: &Value,
        subscriber: &Subscriber,
        event_id: Option<&str>,
    ) -> Envelope {
        self.envelope_values(event, payload, &subscriber.id, event_id)
    }

    /// The envelope of an attempt, from what the dispatcher keeps of a message: the
    /// subscription's id rather than its resource.
    #[must_use]
    pub fn envelope_values(
        &self,
        event: &str,
        payload: &Value,
        subscription: &str,
        event_id: Option<&str>,
    ) -> Envelope {
        self.envelope_from(
            event,
            |at| pointer::get(payload, at).map(std::borrow::Cow::Borrowed),
            subscription,
            event_id,
        )
    }

    /// [`Self::envelope_values`] over a payload read through `get` (a pointer to the value
    /// there), so that a payload need not be built to be read.
    pub(crate) fn envelope_from<'p>(
        &self,
        event: &str,
        get: impl Fn(&str) -> Option<std::borrow::Cow<'p, Value>>,
        subscription: &str,
        event_id: Option<&str>,
    ) -> Envelope {
        let e = &self.spec.envelope;
        let from_payload = |at: &Option<String>| {
            at.as_deref()
                .filter(|at| !at.starts_with("header:"))
                .and_then(&get)
                .map(|v| match v.as_ref() {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
        };
        Envelope {
            event: event.to_string(),
            event_id: from_payload(&e.event_id).or_else(|| event_id.map(str::to_string)),
            attempt_id: from_payload(&e.attempt_id),
            subscription_id: Some(subscription.to_string()),
        }
    }

    /// Whether payloads carry an attempt id (renewed for every POST).
    #[must_use]
    pub fn has_attempt_id(&self) -> bool {
        self.spec
            .envelope
            .attempt_id
            .as_deref()
            .is_some_and(|at| !at.starts_with("header:"))
    }

    /// Whether the event id travels in a header (and is made up by the provider per event).
    #[must_use]
    pub fn event_id_in_header(&self) -> bool {
        self.spec
            .envelope
            .event_id
            .as_deref()
            .is_some_and(|at| at.starts_with("header:"))
    }

    /// A fresh event id for an event whose id travels in a header, in the spec's format
    /// (`x-envelope.eventIdFormat`, default a UUID).
    pub fn new_event_id<R: Draw + ?Sized>(&self, rng: &mut R) -> String {
        let format = self
            .spec
            .envelope
            .event_id_format
            .as_deref()
            .unwrap_or("{uuid}");
        crate::ids::fill(format, rng)
    }

    /// The secret's text that signs deliveries to `subscriber`: the subscription's own
    /// secret, or the tenant's credential that `credential(tenant, name)` gives.
    pub fn secret(
        &self,
        subscriber: &Subscriber,
        credential: impl Fn(&str, &str) -> Option<String>,
    ) -> Option<String> {
        let key = self.spec.signing.key.as_ref()?;
        match key.from {
            KeySource::Subscription => key
                .pointer
                .as_deref()
                .and_then(|p| pointer::get(&subscriber.resource, p))
                .and_then(Value::as_str)
                .map(str::to_string),
            KeySource::Credential => key
                .name
                .as_deref()
                .and_then(|name| credential(&subscriber.tenant, name)),
        }
    }

    /// The key material of a secret's text, decoded as the spec's key says; an error says
    /// why it cannot be (not Base64, empty...).
    pub fn decode_key(&self, secret: &str) -> Result<Vec<u8>, String> {
        match &self.spec.signing.key {
            Some(key) => key
                .decode(secret)
                .map_err(|why| format!("the signing key {why}; expected {}", key.shape())),
            None => Ok(Vec::new()),
        }
    }

    /// The key material that signs deliveries to `subscriber` (see [`Self::secret`]); empty
    /// when no secret is known.
    pub fn key(
        &self,
        subscriber: &Subscriber,
        credential: impl Fn(&str, &str) -> Option<String>,
    ) -> Result<Vec<u8>, String> {
        // A tenant without the credential signs with an empty key, as a provider account with
        // no secret configured would: receivers refuse such deliveries, which is visible.
        self.secret(subscriber, credential)
            .map_or_else(|| Ok(Vec::new()), |secret| self.decode_key(&secret))
    }

    /// The headers the subscription asks to be sent verbatim (`x-delivery.forwardHeaders`).
    #[must_use]
    pub fn forwarded(&self, subscriber: &Subscriber) -> Vec<(String, String)> {
        self.spec
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
            .unwrap_or_default()
    }

    /// The URL deliveries to `subscriber` go to, at `target` in its resource.
    #[must_use]
    pub fn target(subscriber: &Subscriber, target: &str) -> String {
        pointer::get(&subscriber.resource, target)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// Stages 2 and 3 alone: the wire body of `payload` (no envelope, no signature).
    #[must_use]
    pub fn body(&self, payload: &Value) -> Vec<u8> {
        let text = serialize::payload_text(payload, self.spec.delivery.serialization);
        serialize::wire_body(&text, self.spec.delivery.body_encoding)
    }

    /// Stages 2 to 5: the request for `payload` (already through stage 1) with its
    /// `envelope`, signed with `keys` (usually one; several as during a key rotation) at
    /// `unix` seconds, with the subscription's `forwarded` headers.
    #[must_use]
    pub fn prepare(
        &self,
        payload: &Value,
        envelope: &Envelope,
        keys: &[&[u8]],
        unix: f64,
        forwarded: &[(String, String)],
    ) -> Delivery {
        let text = serialize::payload_text(payload, self.spec.delivery.serialization);
        self.prepare_text(text, envelope, keys, unix, forwarded)
    }

    /// Stages 3 to 5 over a payload text given as it is (valid JSON written differently from
    /// the provider's serialiser, say): the same encoding, headers and signature.
    #[must_use]
    pub fn prepare_text(
        &self,
        text: String,
        envelope: &Envelope,
        keys: &[&[u8]],
        unix: f64,
        forwarded: &[(String, String)],
    ) -> Delivery {
        let body = serialize::wire_body(&text, self.spec.delivery.body_encoding);
        let timestamp = self.signer.timestamp(unix);
        let mut headers: Vec<(String, String)> = Vec::with_capacity(2 + forwarded.len());
        if let Some(content_type) = &self.spec.delivery.content_type {
            headers.push(("content-type".into(), content_type.clone()));
        }
        self.provider_headers(envelope, timestamp, &mut headers);
        let input = SignInput {
            text: &text,
            id: envelope.event_id.as_deref().unwrap_or_default(),
            event: &envelope.event,
            timestamp,
        };
        for signature in self.signer.sign(&input, keys) {
            headers.push((signature.header, signature.value));
        }
        headers.extend(forwarded.iter().cloned());
        Delivery {
            text,
            body,
            headers,
        }
    }

    /// The headers the provider makes: the signing convention's (its timestamp header among
    /// them) and `x-delivery.headers`, templates filled from the envelope.
    fn provider_headers(
        &self,
        envelope: &Envelope,
        timestamp: u64,
        out: &mut Vec<(String, String)>,
    ) {
        let signing = &self.spec.signing;
        let templates = signing.headers.iter().chain(&self.spec.delivery.headers);
        if signing.signs()
            && let Some(name) = &signing.timestamp.header
        {
            out.push((name.clone(), timestamp.to_string()));
        }
        if signing.headers.is_empty() && self.spec.delivery.headers.is_empty() {
            return;
        }
        let stamp = timestamp.to_string();
        let uuid = crate::ids::fill("{uuid}", &mut crate::generate::rng::seeded(unique()));
        for header in templates {
            let value = fill(
                &header.value,
                &[
                    ("{event}", &envelope.event),
                    (
                        "{eventId}",
                        envelope.event_id.as_deref().unwrap_or_default(),
                    ),
                    (
                        "{attemptId}",
                        envelope.attempt_id.as_deref().unwrap_or_default(),
                    ),
                    ("{timestamp}", &stamp),
                    (
                        "{subscriptionId}",
                        envelope.subscription_id.as_deref().unwrap_or_default(),
                    ),
                    ("{uuid}", &uuid),
                ],
            );
            out.retain(|(name, _)| !name.eq_ignore_ascii_case(&header.name));
            out.push((header.name.clone(), value));
        }
    }
}

/// A number that differs for every call (for `{uuid}`: fresh per attempt, never reused).
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ NEXT.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
}
