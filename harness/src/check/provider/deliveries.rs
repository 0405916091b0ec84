//! `deliveries`: where the target offers a way to trigger events, a subscription to a capture
//! endpoint the harness runs gets each event it subscribed to, and only those: a payload of the
//! event's schema, its invariants holding, signed with the right key, in the provider's order.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Api, Applies, As, ProviderCheck};
use crate::check::CheckInfo;
use crate::spec::extensions::{
    BodyEncoding, KeySource, MockAction, Ordering, SignatureKind, VerifiedOver,
};
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

fn creator(api: &Api) -> Option<&super::Op> {
    api.ops.iter().find(|o| {
        o.action() == Some(MockAction::Create)
            && o.mock.as_ref().is_some_and(|m| m.target.is_some())
    })
}

fn run(api: &Api, event: &str) -> Result<Option<String>, String> {
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
        pointer::set(&mut body, &at, Value::String(capture.url()));
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

fn check(
    api: &Api,
    event: &str,
    subscription: &str,
    resource: Option<&Value>,
    capture: &Capture,
    context: &BTreeMap<String, Value>,
) -> Result<(), String> {
    let info = &CHECK.info;
    // An event it did not subscribe to first: it must not arrive.
    if let Some(other) = api
        .spec
        .events
        .iter()
        .map(|e| e.name.as_str())
        .find(|e| *e != event)
    {
        let (report, call) = trigger(api, other, context)?;
        if delivered_to(&report, subscription) {
            return Err(api.failure(
                info,
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
        let (report, call) = trigger(api, event, context)?;
        if !delivered_to(&report, subscription) {
            return Err(api.failure(
                info,
                &format!("a delivery of `{event}` to the subscription"),
                &call,
                "the trigger's report lists no delivery to the subscription",
            ));
        }
        ids.extend(
            report
                .get("event_id")
                .and_then(Value::as_str)
                .map(str::to_string),
        );
    }
    // Deliveries may be asynchronous: wait for them, then a little more for strays (an
    // unsubscribed delivery the trigger's report did not list).
    let deadline = Instant::now() + api.settings.timeout;
    let mut received = api.block_on(capture.received());
    while received.len() < repeats && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        received = api.block_on(capture.received());
    }
    std::thread::sleep(Duration::from_millis(25));
    received = api.block_on(capture.received());
    let rendered = |r: &wiremock::Request| {
        let mut out = format!("delivery: {} {}\n", r.method, r.url);
        for (name, value) in &r.headers {
            out.push_str(&format!(
                "  {name}: {}\n",
                value.to_str().unwrap_or("<binary>")
            ));
        }
        out.push_str(&format!("  body: {}\n", String::from_utf8_lossy(&r.body)));
        out
    };
    let fail = |expected: &str, extra: String| -> String {
        format!(
            "{}: {}\n  (source: {})\nexpected: {expected}\n{extra}",
            info.id, info.reason, info.source
        )
    };
    if received.len() != repeats {
        return Err(fail(
            &format!(
                "{repeats} deliver{} of `{event}`",
                if repeats == 1 { "y" } else { "ies" }
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
        let text = match api.spec.delivery.body_encoding {
            BodyEncoding::Plain => String::from_utf8_lossy(&request.body).into_owned(),
            BodyEncoding::JsonString => {
                serde_json::from_slice::<String>(&request.body).map_err(|e| {
                    fail(
                        "a body that is a JSON string",
                        format!("{e}\n{}", rendered(request)),
                    )
                })?
            }
        };
        let payload: Value = serde_json::from_str(&text)
            .map_err(|e| fail("a JSON payload", format!("{e}\n{}", rendered(request))))?;
        if api.spec.envelope.event_name.is_some() && api.spec.event_name_of(&payload) != Some(event)
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
        verify_signature(api, request, &text, &payload, resource).map_err(|why| {
            fail(
                "a signature made with the subscriber's key",
                format!("{why}\n{}", rendered(request)),
            )
        })?;
        seen_ids.extend(api.spec.event_id_of(&payload).map(str::to_string));
        crate::transcript::record(format!(
            "delivery of {event}: schema, invariants{} checked\n",
            if api.spec.signature.scheme == SignatureKind::Hmac {
                ", signature"
            } else {
                ""
            }
        ));
    }
    if repeats > 1 && seen_ids.len() == ids.len() && seen_ids != ids {
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

/// Triggers `event` through the mock's admin endpoint; its report and the call.
fn trigger(
    api: &Api,
    event: &str,
    context: &BTreeMap<String, Value>,
) -> Result<(Value, super::Call), String> {
    let origin = super::origin(&api.settings.target).unwrap_or_default();
    let call = api.send(
        "POST",
        &format!("{origin}/__mock/events/{event}"),
        vec![("content-type".into(), "application/json".into())],
        serde_json::to_vec(&json!({"context": context})).unwrap_or_default(),
    );
    match (&call.json, call.status) {
        (Some(report), Some(200..=299)) => {
            if let Some(id) = report.get("event_id").and_then(Value::as_str) {
                api.remember_id(id);
            }
            Ok((report.clone(), call))
        }
        _ => Err(api.failure(&CHECK.info, "the trigger's report (2xx, JSON)", &call, "")),
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
    api: &Api,
    request: &wiremock::Request,
    text: &str,
    payload: &Value,
    resource: Option<&Value>,
) -> Result<(), String> {
    let scheme = &api.spec.signature;
    if scheme.scheme != SignatureKind::Hmac {
        return Ok(());
    }
    let header = scheme.header.as_deref().unwrap_or_default();
    let value = request
        .headers
        .get(header)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("no `{header}` header"))?;
    let key = match scheme.key.as_ref() {
        Some(k) if k.from == KeySource::Subscription => k
            .pointer
            .as_deref()
            .and_then(|at| resource.and_then(|r| pointer::get(r, at)))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or("the subscription's answer holds no signing key")?,
        Some(k) => {
            let name = k.name.clone().unwrap_or_default();
            api.settings
                .credentials
                .tenants
                .first()
                .and_then(|t| t.secrets.get(&name))
                .cloned()
                .ok_or_else(|| {
                    format!("no `{name}` credential given (--credential {name}=VALUE)")
                })?
        }
        None => return Err("the spec names no signing key".into()),
    };
    let signed = if scheme.verified_over == VerifiedOver::Reserialised {
        crate::deliver::serialize::payload_text(payload, api.spec.delivery.serialization)
    } else {
        text.to_string()
    };
    if crate::sign::verify(&api.spec, key.as_bytes(), value, &signed) {
        Ok(())
    } else {
        Err(format!(
            "`{header}: {value}` does not verify with the subscriber's key"
        ))
    }
}

/// The faults the `deliveries` check proves it catches (test support). Both live in the
/// delivery dispatcher, reached through `MockBuilder::delivery_defects`.
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::{Fault, MockBuilder};

    /// Signs deliveries with a key that is not the subscriber's.
    #[derive(Debug, Clone, Copy)]
    pub struct SignsWithWrongKey;

    impl Fault for SignsWithWrongKey {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.delivery_defects(true, false)
        }
    }

    /// Delivers every event to every subscription, subscribed or not.
    #[derive(Debug, Clone, Copy)]
    pub struct DeliversUnsubscribed;

    impl Fault for DeliversUnsubscribed {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.delivery_defects(false, true)
        }
    }
}
