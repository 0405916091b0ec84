//! `deliveries`: where the target offers a way to trigger events, a subscription to a capture
//! endpoint the harness runs gets each event it subscribed to, and only those: a payload of the
//! event's schema, its invariants holding, signed with the right key, in the provider's order.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Api, Applies, As, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::{KeySource, MockAction, Ordering};
use crate::spec::pointer;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "deliveries",
        reason: "a subscription gets the events it subscribed to and no others, each a payload of the event's schema with its invariants holding, signed as the provider signs (verified with the key the subscriber holds), in the provider's documented order",
        source: "the spec's webhooks, x-invariants, x-webhook-signature and x-delivery (matching, ordering)",
    },
    subjects: |api| {
        api.spec
            .events
            .iter()
            .map(|e| {
                let applies = if creator(api).is_some() {
                    Applies::Yes
                } else {
                    Applies::Ignored("the spec documents no way to subscribe".into())
                };
                (e.name.clone(), applies)
            })
            .collect()
    },
    run,
};

/// A local endpoint that records what is delivered to it: a wiremock `MockServer` answering
/// 200 to everything.
#[derive(Debug)]
pub struct Capture {
    server: wiremock::MockServer,
}

impl Capture {
    /// Starts one on 127.0.0.1.
    pub async fn start() -> Self {
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(wiremock::ResponseTemplate::new(200))
            .mount(&server)
            .await;
        Self { server }
    }

    /// Where deliveries go.
    #[must_use]
    pub fn url(&self) -> String {
        format!("{}/conformance-capture", self.server.uri())
    }

    /// What was delivered so far.
    pub async fn received(&self) -> Vec<wiremock::Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

pub(super) fn creator(api: &Api) -> Option<&super::Op> {
    api.ops.iter().find(|o| {
        o.action() == Some(MockAction::Create)
            && o.mock.as_ref().is_some_and(|m| m.target.is_some())
    })
}

fn run(api: &Session<'_>, event: &str) -> Result<Option<String>, String> {
    if let Some(reason) = api.trigger_support() {
        return Ok(Some(reason));
    }
    let creator = creator(api).ok_or("no way to subscribe")?;
    let collection = creator.collection().unwrap_or_default().to_string();
    // Alone: no other trial's subscription is delivered to, or blocks a queue, meanwhile.
    let _alone = api
        .subscriptions
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let capture = api.block_on(Capture::start());
    api.remember_as(&capture.url(), "{capture}");
    let (body, context) = subscription_to(api, creator, event, &capture.url());
    let (id, resource, _) = api
        .create(&collection, As::Tenant(0), &body)
        .map_err(|call| {
            api.failure(
                &CHECK.info,
                "a subscription to the capture endpoint",
                &call,
                &format!("subscribing {} to `{event}`", capture.url()),
            )
        })?;
    let outcome = check(api, event, &id, resource.as_ref(), &capture, &context);
    let _ = api.delete(&collection, As::Tenant(0), &id);
    outcome.map(|()| None)
}

/// The body that subscribes `url` to `event` with `creator` (its documented example for the
/// event, active), and the context an emission needs to match it (the filters' values).
pub(super) fn subscription_to(
    api: &Api,
    creator: &super::Op,
    event: &str,
    url: &str,
) -> (Value, BTreeMap<String, Value>) {
    let matching = &api.spec.delivery.matching;
    // The creator's example for this event, if it has one (swsh's photoLabelAdded needs a
    // label), else its first.
    let events_at = creator.field(&matching.events);
    let mut body = api
        .examples(creator)
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| {
            events_at
                .as_deref()
                .and_then(|at| pointer::get(v, at))
                .is_some_and(|e| {
                    e.as_str() == Some(event)
                        || e.as_array()
                            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(event)))
                })
        })
        .unwrap_or_else(|| api.example_body(creator, None));
    if let Some(at) = api.target_field(creator) {
        pointer::set(&mut body, &at, Value::String(url.to_string()));
    }
    if let Some(at) = events_at {
        let value = if pointer::get(&body, &at).is_some_and(Value::is_array) {
            json!([event])
        } else {
            json!(event)
        };
        pointer::set(&mut body, &at, value);
    }
    if let Some(at) = matching.active.as_deref().and_then(|a| creator.field(a)) {
        pointer::set(&mut body, &at, Value::Bool(true));
    }
    let mut context = BTreeMap::new();
    for filter in &matching.filters {
        if let Some(value) = creator
            .field(&filter.subscription)
            .and_then(|at| pointer::get(&body, &at))
        {
            context.insert(filter.context.clone(), value.clone());
        }
    }
    (body, context)
}

fn check(
    api: &Session<'_>,
    event: &str,
    subscription: &str,
    resource: Option<&Value>,
    capture: &Capture,
    context: &BTreeMap<String, Value>,
) -> Result<(), String> {
    let ids = trigger_events(api, event, subscription, context)?;
    let received = await_deliveries(api, capture, ids.len());
    if received.len() != ids.len() {
        return Err(fail(
            &format!(
                "{} deliver{} of `{event}`",
                ids.len(),
                if ids.len() == 1 { "y" } else { "ies" }
            ),
            format!(
                "{} arrived within {} ms:\n{}",
                received.len(),
                api.settings.timeout.as_millis(),
                received.iter().map(rendered).collect::<String>()
            ),
        ));
    }
    let mut seen_ids = Vec::new();
    for request in &received {
        seen_ids.extend(judge(api, event, request, resource)?);
        api.recorder().record(format!(
            "delivery of {event}: schema, invariants{} checked\n",
            if api.spec.signing.signs() {
                ", signature"
            } else {
                ""
            }
        ));
    }
    if ids.len() > 1 && seen_ids.len() == ids.len() && seen_ids != ids {
        return Err(fail(
            "deliveries in the order the events happened (the provider's queue is first in, first out)",
            format!(
                "triggered: {}\ndelivered: {}",
                ids.join(", "),
                seen_ids.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Triggers another event (which must not reach the subscription), then `event` once, or
/// three times for a FIFO provider (each must reach it); the triggered event ids, in order
/// (one entry per trigger, empty where the report names no id).
fn trigger_events(
    api: &Session<'_>,
    event: &str,
    subscription: &str,
    context: &BTreeMap<String, Value>,
) -> Result<Vec<String>, String> {
    if let Some(other) = api
        .spec
        .events
        .iter()
        .map(|e| e.name.as_str())
        .find(|e| *e != event)
    {
        let (report, call) = trigger(api, &CHECK.info, other, context)?;
        if delivered_to(&report, subscription) {
            return Err(api.failure(
                &CHECK.info,
                &format!("no delivery of `{other}` to a subscription to `{event}` only"),
                &call,
                "the trigger's report lists a delivery to the subscription",
            ));
        }
    }
    let repeats = if api.spec.delivery.ordering == Ordering::Fifo {
        3
    } else {
        1
    };
    let mut ids = Vec::new();
    for _ in 0..repeats {
        let (report, call) = trigger(api, &CHECK.info, event, context)?;
        if !delivered_to(&report, subscription) {
            return Err(api.failure(
                &CHECK.info,
                &format!("a delivery of `{event}` to the subscription"),
                &call,
                "the trigger's report lists no delivery to the subscription",
            ));
        }
        let id = report.get("event_id").and_then(Value::as_str);
        ids.push(id.unwrap_or_default().to_string());
    }
    Ok(ids)
}

/// What the capture endpoint got: waits for `expected` deliveries (they may be asynchronous,
/// up to the timeout), then a little more for strays (an unsubscribed delivery the trigger's
/// report did not list).
fn await_deliveries(
    api: &Session<'_>,
    capture: &Capture,
    expected: usize,
) -> Vec<wiremock::Request> {
    let deadline = Instant::now() + api.settings.timeout;
    let mut received = api.block_on(capture.received());
    while received.len() < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        received = api.block_on(capture.received());
    }
    std::thread::sleep(Duration::from_millis(25));
    api.block_on(capture.received())
}

/// Checks one delivery: its body, event, schema, invariants and signature; its event id.
pub(super) fn judge(
    api: &Session<'_>,
    event: &str,
    request: &wiremock::Request,
    resource: Option<&Value>,
) -> Result<Option<String>, String> {
    let text = crate::serialize::read_body(&request.body, api.spec.delivery.body_encoding)
        .map_err(|e| {
            fail(
                "a body that is a JSON string",
                format!("{e}\n{}", rendered(request)),
            )
        })?;
    let payload: Value = serde_json::from_str(&text)
        .map_err(|e| fail("a JSON payload", format!("{e}\n{}", rendered(request))))?;
    let header = crate::reference::header_text(&request.headers);
    if api.spec.envelope.event_name.is_some()
        && api.spec.event_name_in(&header, &payload).as_deref() != Some(event)
    {
        return Err(fail(
            &format!("only `{event}`, the event subscribed to"),
            rendered(request),
        ));
    }
    let schema = api
        .spec
        .event(event)
        .and_then(|e| e.schema())
        .unwrap_or_default();
    let violations: Vec<String> = api
        .spec
        .schemas
        .violations(schema, &payload)
        .unwrap_or_default()
        .into_iter()
        .map(|v| format!("{}: {}", v.instance_pointer, v.message))
        .collect();
    if !violations.is_empty() {
        return Err(fail(
            "a payload valid against the event's schema",
            format!(
                "violations: {}\n{}",
                violations.join("; "),
                rendered(request)
            ),
        ));
    }
    for invariant in api.spec.invariants_for(event) {
        if let Err(breach) = invariant.check(event, &payload, resource) {
            return Err(fail(
                "the spec's invariants hold",
                format!("{breach}\n{}", rendered(request)),
            ));
        }
    }
    verify_signature(api, request, resource).map_err(|why| {
        fail(
            "a signature made with the subscriber's key",
            format!("{why}\n{}", rendered(request)),
        )
    })?;
    Ok(api.spec.event_id_in(&header, &payload))
}

/// A delivery as a failure report shows it.
fn rendered(request: &wiremock::Request) -> String {
    let mut out = format!("delivery: {} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        out.push_str(&format!(
            "  {name}: {}\n",
            value.to_str().unwrap_or("<binary>")
        ));
    }
    out.push_str(&format!(
        "  body: {}\n",
        String::from_utf8_lossy(&request.body)
    ));
    out
}

/// The failure report of a delivery that broke the check.
fn fail(expected: &str, extra: String) -> String {
    let info = &CHECK.info;
    format!(
        "{}: {}\n  (source: {})\nexpected: {expected}\n{extra}",
        info.id, info.reason, info.source
    )
}

/// Triggers `event` through the mock's admin endpoint; its report and the call.
pub(super) fn trigger(
    api: &Session<'_>,
    info: &CheckInfo,
    event: &str,
    context: &BTreeMap<String, Value>,
) -> Result<(Value, super::Call), String> {
    trigger_with(api, info, event, json!({"context": context}))
}

/// Triggers `event` through the mock's admin endpoint with `body` (`context`, `seed`...);
/// its report and the call.
pub(super) fn trigger_with(
    api: &Session<'_>,
    info: &CheckInfo,
    event: &str,
    body: Value,
) -> Result<(Value, super::Call), String> {
    let origin = super::origin(&api.settings.target).unwrap_or_default();
    let call = api.send(
        "POST",
        &format!("{origin}/__mock/events/{event}"),
        vec![("content-type".into(), "application/json".into())],
        serde_json::to_vec(&body).unwrap_or_default(),
    );
    match (&call.json, call.status) {
        (Some(report), Some(200..=299)) => {
            if let Some(id) = report.get("event_id").and_then(Value::as_str) {
                api.remember_id(id);
            }
            Ok((report.clone(), call))
        }
        _ => Err(api.failure(info, "the trigger's report (2xx, JSON)", &call, "")),
    }
}

fn delivered_to(report: &Value, subscription: &str) -> bool {
    report
        .get("deliveries")
        .and_then(Value::as_array)
        .is_some_and(|d| {
            d.iter()
                .any(|d| d.get("subscription").and_then(Value::as_str) == Some(subscription))
        })
}

fn verify_signature(
    api: &Session<'_>,
    request: &wiremock::Request,
    resource: Option<&Value>,
) -> Result<(), String> {
    let pipeline = crate::deliver::Pipeline::new(std::sync::Arc::new(api.spec.clone()));
    let verifier = pipeline.verifier();
    if !verifier.signs() {
        return Ok(());
    }
    let subscriber = crate::deliver::Subscriber {
        resource: resource.cloned().unwrap_or(Value::Null),
        id: String::new(),
        tenant: String::new(),
    };
    // The key the subscriber holds: the subscription's own secret (from the answer that created
    // it), or the first tenant's credential named by the spec.
    let first = api.settings.credentials.tenants.first();
    let key = pipeline.key(&subscriber, |_, name| first?.secrets.get(name).cloned());
    let key = key
        .and_then(|k| {
            if k.is_empty() {
                Err("none is known".to_string())
            } else {
                Ok(k)
            }
        })
        .map_err(|why| match api.spec.signing.key.as_ref() {
            Some(k) if k.from == KeySource::Subscription => {
                format!("the subscription's answer holds no usable signing key ({why})")
            }
            Some(k) => {
                let name = k.name.clone().unwrap_or_default();
                format!("no usable `{name}` credential ({why}; --credential {name}=VALUE)")
            }
            None => "the spec names no signing key".to_string(),
        })?;
    verifier
        .verify(&request.headers, &request.body, &key)
        .map_err(|rejected| match rejected {
            crate::sign::Rejected::Mismatch { header, value } => {
                format!("`{header}: {value}` does not verify with the subscriber's key")
            }
            other => other.to_string(),
        })
}

/// The faults the `deliveries` check proves it catches (test support): departures from the
/// delivery rules, plugged into the mock's dispatcher with `MockBuilder::delivery_hook`.
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::deliver::Subscriber;
    use crate::deliver::dispatch::Hook;
    use crate::mock::{Fault, MockBuilder};

    /// Signs deliveries with a key that is not the subscriber's.
    #[derive(Debug, Clone, Copy)]
    pub struct SignsWithWrongKey;

    impl Hook for SignsWithWrongKey {
        fn key(&self, _: Vec<u8>) -> Vec<u8> {
            b"not-the-subscribers-key".to_vec()
        }
    }

    impl Fault for SignsWithWrongKey {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.delivery_hook(*self)
        }
    }

    /// Delivers every event to every subscription, subscribed or not.
    #[derive(Debug, Clone, Copy)]
    pub struct DeliversUnsubscribed;

    impl Hook for DeliversUnsubscribed {
        fn matches(&self, _: bool, _: &Subscriber, _: &str) -> bool {
            true
        }
    }

    impl Fault for DeliversUnsubscribed {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.delivery_hook(*self)
        }
    }
}
