//! One delivery: the exact request a provider sends for one event to one subscription, built
//! by [`Pipeline`] in linear stages:
//!
//! 1. **envelope**: the payload this subscriber receives (its id, echoed values, the spec's
//!    subscription invariants; a fresh attempt id for each POST) — `envelope.rs`;
//! 2. **serialise**: the provider's payload text (`JSON.stringify` or compact) — `serialize.rs`;
//! 3. **wire encoding**: the body bytes (the text, or the text as a JSON string literal);
//! 4. **headers**: the content type, then the subscription's forwarded headers;
//! 5. **signature**: the scheme's header(s) over the text, with the subscriber's key — `sign`.
//!
//! The dispatcher, receiver mode's probe, provider mode's delivery check, the reference
//! receivers and the delivery snapshots all build (or read back) deliveries through this one
//! pipeline and its [`Verifier`].

use std::sync::Arc;

use serde_json::Value;

use super::{envelope, serialize};
use crate::generate::rng::Draw;
use crate::sign::{Signer, Verifier};
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
}

impl Pipeline {
    /// The pipeline of `spec`.
    #[must_use]
    pub fn new(spec: Arc<ProviderSpec>) -> Self {
        Self {
            signer: Signer::new(&spec.signature),
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
        envelope::personalise(&self.spec, payload, &subscriber.resource, &subscriber.id)
    }

    /// Stage 1, per attempt: a fresh attempt id (where the provider has one) in `payload`.
    pub fn new_attempt<R: Draw + ?Sized>(&self, payload: &mut Value, rng: &mut R) {
        envelope::new_attempt(&self.spec, payload, rng);
    }

    /// The key that signs deliveries to `subscriber`: the subscription's own secret, or the
    /// tenant's credential that `credential(tenant, name)` gives (empty when there is none).
    pub fn key(
        &self,
        subscriber: &Subscriber,
        credential: impl Fn(&str, &str) -> Option<String>,
    ) -> Vec<u8> {
        match self.spec.signature.key.as_ref() {
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
                .and_then(|name| credential(&subscriber.tenant, name))
                .map(String::into_bytes)
                .unwrap_or_default(),
            None => Vec::new(),
        }
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

    /// Stages 2 to 5: the request for `payload` (already through stage 1), signed with `key`
    /// at `unix` seconds, with the subscription's `forwarded` headers.
    #[must_use]
    pub fn prepare(
        &self,
        payload: &Value,
        key: &[u8],
        unix: f64,
        forwarded: &[(String, String)],
    ) -> Delivery {
        let text = serialize::payload_text(payload, self.spec.delivery.serialization);
        self.prepare_text(text, key, unix, forwarded)
    }

    /// Stages 3 to 5 over a payload text given as it is (valid JSON written differently from
    /// the provider's serialiser, say): the same encoding, headers and signature.
    #[must_use]
    pub fn prepare_text(
        &self,
        text: String,
        key: &[u8],
        unix: f64,
        forwarded: &[(String, String)],
    ) -> Delivery {
        let body = serialize::wire_body(&text, self.spec.delivery.body_encoding);
        let mut headers: Vec<(String, String)> = Vec::with_capacity(2 + forwarded.len());
        if let Some(content_type) = &self.spec.delivery.content_type {
            headers.push(("content-type".into(), content_type.clone()));
        }
        if let Some(signature) = self.signer.sign(&text, key, self.signer.timestamp(unix)) {
            headers.push((signature.header, signature.value));
        }
        headers.extend(forwarded.iter().cloned());
        Delivery {
            text,
            body,
            headers,
        }
    }
}
