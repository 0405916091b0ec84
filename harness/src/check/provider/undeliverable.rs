//! `undeliverable`: where the provider keeps failed deliveries in a list its API serves
//! (`x-delivery.undeliverable`), a delivery that fails is listed there, readable, retried on
//! request (still listed when the retry fails, gone once it is delivered), and erased on
//! request, one or all.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::deliveries::{creator, judge, subscription_to, trigger_with};
use super::{Applies, As, Call, Op, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::{ItemField, MockAction, UndeliverableExt};
use crate::spec::pointer;
use crate::transcript::Recorder;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "undeliverable",
        reason: "a delivery that fails lands in the provider's undeliverable list, served by its own API: listed and readable by its tenant, resent on request (still listed when the resend fails, gone once delivered), erased on request, one or all",
        source: "the spec's x-delivery (onFailure: undeliverable, undeliverable) and the operations of its collection",
    },
    subjects: |api| {
        let Some(rules) = api.spec.delivery.undeliverable.as_ref() else {
            return Vec::new();
        };
        let quiet = Recorder::new(false);
        let applies = if creator(api).is_none() {
            Applies::Ignored("the spec documents no way to subscribe".into())
        } else if let Some(why) = api.session(&quiet).trigger_support() {
            Applies::Ignored(format!(
                "an item lands in the undeliverable list only when a triggered event fails to be delivered, and the spec documents no way to trigger one on this target ({why}); the check runs against targets that offer the mock's /__mock/events/"
            ))
        } else {
            Applies::Yes
        };
        vec![(rules.collection.clone(), applies)]
    },
    run,
};

/// A capture endpoint whose answer can be switched between failure (500) and success (200).
struct Switchable {
    server: wiremock::MockServer,
    status: Arc<AtomicU16>,
}

struct Answer(Arc<AtomicU16>);

impl wiremock::Respond for Answer {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        wiremock::ResponseTemplate::new(self.0.load(Ordering::SeqCst))
    }
}

impl Switchable {
    async fn start() -> Self {
        let server = wiremock::MockServer::start().await;
        let status = Arc::new(AtomicU16::new(500));
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Answer(Arc::clone(&status)))
            .mount(&server)
            .await;
        Self { server, status }
    }

    fn url(&self) -> String {
        format!("{}/conformance-undeliverable", self.server.uri())
    }

    fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }
}

/// What one trial works with.
struct Trial<'s, 'a> {
    api: &'s Session<'a>,
    rules: &'s UndeliverableExt,
    capture: Switchable,
    event: String,
    context: std::collections::BTreeMap<String, Value>,
    /// Records nothing: for polling, whose number of requests varies from run to run.
    quiet: Recorder,
}

fn run(api: &Session<'_>, collection: &str) -> Result<Option<String>, String> {
    if let Some(reason) = api.trigger_support() {
        return Ok(Some(reason));
    }
    let rules = api
        .spec
        .delivery
        .undeliverable
        .as_ref()
        .ok_or("the spec keeps no undeliverable list")?;
    let creator = creator(api).ok_or("no way to subscribe")?;
    let subscriptions = creator.collection().unwrap_or_default().to_string();
    let event = api
        .spec
        .events
        .first()
        .map(|e| e.name.clone())
        .ok_or("the spec has no events")?;
    // Alone: no other trial's subscription is delivered to meanwhile, and no other trial's
    // delivery fails into the list.
    let _alone = api
        .subscriptions
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let capture = api.block_on(Switchable::start());
    // The address, not only the URL: a long answer is cut short in transcripts, maybe inside
    // the URL.
    api.remember_as(&capture.server.uri(), "{capture}");
    let (body, context) = subscription_to(api, creator, &event, &capture.url());
    let (id, resource, _) = api
        .create(&subscriptions, As::Tenant(0), &body)
        .map_err(|call| {
            api.failure(
                &CHECK.info,
                "a subscription to an endpoint that fails",
                &call,
                &format!("subscribing {} to `{event}`", capture.url()),
            )
        })?;
    let trial = Trial {
        api,
        rules,
        capture,
        event,
        context,
        quiet: Recorder::new(false),
    };
    let mut made = Vec::new();
    let outcome = trial.lifecycle(collection, resource.as_ref(), &mut made);
    // Whatever is left of what the trial made is erased.
    if let Some(delete) = api.op_for(collection, &[MockAction::Delete]) {
        for item in &made {
            let _ = trial
                .quiet()
                .call_with_id(delete, As::Tenant(0), item, None);
        }
    }
    let _ = api.delete(&subscriptions, As::Tenant(0), &id);
    outcome.map(|()| None)
}

impl Trial<'_, '_> {
    /// A session that records nothing: for polling, whose number of requests varies.
    fn quiet(&self) -> Session<'_> {
        self.api.session(&self.quiet)
    }

    fn op(&self, collection: &str, action: MockAction) -> Result<&Op, String> {
        self.api
            .op_for(collection, &[action])
            .ok_or_else(|| format!("the spec has no `{action:?}` operation for `{collection}`"))
    }

    fn fail(&self, expected: &str, call: &Call, extra: &str) -> String {
        self.api.failure(&CHECK.info, expected, call, extra)
    }

    /// Waits until the capture endpoint has had `n` requests, up to the timeout; the requests.
    fn await_requests(&self, n: usize) -> Vec<wiremock::Request> {
        let deadline = Instant::now() + self.api.settings.timeout;
        loop {
            let received = self
                .api
                .block_on(self.capture.server.received_requests())
                .unwrap_or_default();
            if received.len() >= n || Instant::now() >= deadline {
                return received;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Polls (unrecorded) until `done` holds of the tenant's item `id` as read (`None`: not
    /// there), up to the timeout; whether it did.
    fn await_item(
        &self,
        collection: &str,
        id: &str,
        done: impl Fn(Option<&Value>) -> bool,
    ) -> bool {
        let deadline = Instant::now() + self.api.settings.timeout;
        loop {
            let found = self.quiet().read(collection, As::Tenant(0), id);
            if let Ok((item, _)) = &found
                && done(item.as_ref())
            {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn id_of(&self, item: &Value) -> Option<String> {
        let at = self.rules.pointer_of(ItemField::Id).unwrap_or("/id");
        match pointer::get(item, at)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The tenant's listed items (unrecorded).
    fn listed_quietly(&self, list: &Op) -> Vec<Value> {
        let quiet = self.quiet();
        let call = quiet.call(list, As::Tenant(0), None, None);
        quiet.listed(list, &call)
    }

    /// Whether `item` is a failed delivery of the trial's event to the capture endpoint.
    fn is_ours(&self, item: &Value) -> bool {
        let field = |f: ItemField| {
            self.rules
                .pointer_of(f)
                .and_then(|at| pointer::get(item, at))
                .and_then(Value::as_str)
        };
        field(ItemField::Target).is_none_or(|t| t == self.capture.url())
            && field(ItemField::Event).is_none_or(|e| e == self.event)
    }

    /// Triggers the event while the endpoint fails, and waits for the new item to be listed;
    /// its id (remembered in `made`).
    fn fail_one(&self, list: &Op, made: &mut Vec<String>) -> Result<String, String> {
        let before: Vec<String> = self
            .listed_quietly(list)
            .iter()
            .filter_map(|i| self.id_of(i))
            .collect();
        let requests = self.await_requests(0).len();
        // A payload of the run's seed (each trigger its own): the listed payloads repeat
        // from run to run.
        let seed = self.api.settings.seed.wrapping_add(made.len() as u64);
        trigger_with(
            self.api,
            &CHECK.info,
            &self.event,
            serde_json::json!({"context": self.context, "seed": seed}),
        )?;
        let received = self.await_requests(requests + 1);
        if received.len() <= requests {
            let call = self.api.call(list, As::Tenant(0), None, None);
            return Err(self.fail(
                "a delivery attempt of the triggered event to the subscribed endpoint",
                &call,
                &format!(
                    "nothing reached {} within {} ms",
                    self.capture.url(),
                    self.api.settings.timeout.as_millis()
                ),
            ));
        }
        let deadline = Instant::now() + self.api.settings.timeout;
        let found = loop {
            let new = self
                .listed_quietly(list)
                .into_iter()
                .find(|i| self.is_ours(i) && self.id_of(i).is_some_and(|id| !before.contains(&id)));
            if new.is_some() || Instant::now() >= deadline {
                break new;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let id = found.as_ref().and_then(|i| self.id_of(i));
        if let Some(id) = &id {
            self.api.remember_id(id);
            made.push(id.clone());
        }
        // The ids the provider gave the attempted payload (event and attempt ids), shown as
        // placeholders like every id the target made up.
        let payload = self
            .rules
            .pointer_of(ItemField::Payload)
            .and_then(|at| found.as_ref().and_then(|i| pointer::get(i, at)));
        let envelope = &self.api.spec.envelope;
        for at in [&envelope.event_id, &envelope.attempt_id]
            .into_iter()
            .flatten()
        {
            if let Some(Value::String(value)) = payload.and_then(|p| pointer::get(p, at)) {
                self.api.remember_id(value);
            }
        }
        let call = self.api.call(list, As::Tenant(0), None, None);
        if let Some(report) = self.api.judge_answer(&CHECK.info, list, &call, "") {
            return Err(report);
        }
        let listed = id.as_ref().is_some_and(|id| {
            self.api
                .listed(list, &call)
                .iter()
                .any(|i| self.id_of(i).as_ref() == Some(id))
        });
        match id {
            Some(id) if listed => Ok(id),
            _ => Err(self.fail(
                "the failed delivery listed in the undeliverable list (its target the endpoint, its event the one triggered)",
                &call,
                &format!(
                    "the endpoint answered 500 to `{}`; no new item appeared within {} ms",
                    self.event,
                    self.api.settings.timeout.as_millis()
                ),
            )),
        }
    }

    /// Sends `op` for item `id` (or for all, without one) and checks its answer.
    fn ask(&self, op: &Op, id: Option<&str>, expected: &str) -> Result<Call, String> {
        let call = match id {
            Some(id) => self.api.call_with_id(op, As::Tenant(0), id, None),
            None => self.api.call(op, As::Tenant(0), None, None),
        };
        if !call.succeeded() {
            return Err(self.fail(expected, &call, ""));
        }
        if let Some(report) = self.api.judge_answer(&CHECK.info, op, &call, "") {
            return Err(report);
        }
        Ok(call)
    }

    /// Checks that `id` is still listed (a recorded read).
    fn still_listed(&self, collection: &str, id: &str, after: &str) -> Result<(), String> {
        let (found, call) = self.api.read(collection, As::Tenant(0), id)?;
        if found.is_none() {
            return Err(self.fail(
                &format!("the item still listed after {after}"),
                &call,
                "its delivery failed again (the endpoint answered 500), so it is still undeliverable",
            ));
        }
        Ok(())
    }

    /// Waits until `id` is no longer listed, then confirms it with a recorded read.
    fn gone(&self, collection: &str, id: &str, after: &str, why: &str) -> Result<(), String> {
        self.await_item(collection, id, |found| found.is_none());
        let (found, call) = self.api.read(collection, As::Tenant(0), id)?;
        if found.is_some() {
            return Err(self.fail(
                &format!("the item no longer listed after {after}"),
                &call,
                why,
            ));
        }
        Ok(())
    }

    /// The whole lifecycle; items it made go in `made` (erased at the end in any case).
    fn lifecycle(
        &self,
        collection: &str,
        subscription: Option<&Value>,
        made: &mut Vec<String>,
    ) -> Result<(), String> {
        let list = self.op(collection, MockAction::List)?;
        // Listed, and read alike.
        let first = self.fail_one(list, made)?;
        if let Some(read) = self.api.op_for(collection, &[MockAction::Read]) {
            let call = self.ask(read, Some(&first), "the listed item, read by its id")?;
            let item = call.json.as_ref().and_then(|j| self.api.resource(read, j));
            if item.and_then(|i| self.id_of(i)).as_deref() != Some(first.as_str()) {
                return Err(self.fail("the listed item, read by its id", &call, ""));
            }
        }
        // A retry resends it: while the endpoint fails it stays listed; once the endpoint
        // works, it is delivered and leaves the list.
        if let Some(retry) = self.api.op_for(collection, &[MockAction::Retry]) {
            self.retry_one(collection, retry, &first, subscription)?;
        }
        // Erased one by one.
        if let Some(delete) = self.api.op_for(collection, &[MockAction::Delete]) {
            let one = self.fail_one(list, made)?;
            self.ask(delete, Some(&one), "the item erased")?;
            self.gone(collection, &one, "it was erased", "it was erased")?;
        }
        // Retry-all and delete-all act on every item of the tenant: run only where the list
        // holds nothing but what this trial made.
        let foreign = self
            .listed_quietly(list)
            .iter()
            .filter_map(|i| self.id_of(i))
            .any(|id| !made.contains(&id));
        if foreign {
            self.api.recorder().record(
                "retry-all and delete-all not sent: the tenant's list holds items this trial did not make\n".to_string(),
            );
            return Ok(());
        }
        let last = self.fail_one(list, made)?;
        if let Some(retry_all) = self.api.op_for(collection, &[MockAction::RetryAll]) {
            let sent = self.await_requests(0).len();
            let call = self.ask(retry_all, None, "the retry of every item accepted")?;
            if self.await_requests(sent + 1).len() <= sent {
                return Err(self.fail(
                    "the retry of every item resends the listed one: another attempt reaches the endpoint",
                    &call,
                    "",
                ));
            }
            self.still_listed(collection, &last, "a retry of every item that failed")?;
        }
        if let Some(delete_all) = self.api.op_for(collection, &[MockAction::DeleteAll]) {
            self.ask(delete_all, None, "every item erased")?;
            self.gone(
                collection,
                &last,
                "every item was erased",
                "every item was erased",
            )?;
        }
        Ok(())
    }

    /// Retries `first` while the endpoint fails (resent, still listed), then once it answers
    /// 200 (resent by the `deliveries` rules, and gone from the list).
    fn retry_one(
        &self,
        collection: &str,
        retry: &Op,
        first: &str,
        subscription: Option<&Value>,
    ) -> Result<(), String> {
        let sent = self.await_requests(0).len();
        let call = self.ask(retry, Some(first), "the retry accepted")?;
        if self.await_requests(sent + 1).len() <= sent {
            return Err(self.fail(
                "the retry resends the delivery: another attempt reaches the endpoint",
                &call,
                &format!(
                    "nothing reached {} within {} ms of the retry",
                    self.capture.url(),
                    self.api.settings.timeout.as_millis()
                ),
            ));
        }
        self.still_listed(collection, first, "a retry that failed")?;
        self.capture.answer(200);
        let sent = self.await_requests(0).len();
        let call = self.ask(retry, Some(first), "the retry accepted")?;
        let received = self.await_requests(sent + 1);
        let Some(delivery) = received.get(sent) else {
            return Err(self.fail(
                "the retry resends the delivery: another attempt reaches the endpoint",
                &call,
                &format!(
                    "nothing reached {} within {} ms of the retry",
                    self.capture.url(),
                    self.api.settings.timeout.as_millis()
                ),
            ));
        };
        judge(self.api, &self.event, delivery, subscription).map_err(|report| {
            format!(
                "{}: the resent delivery breaks the `deliveries` rules:\n{report}",
                CHECK.info.id
            )
        })?;
        self.gone(
            collection,
            first,
            "a retry that was delivered",
            "the endpoint acknowledged the resent delivery (200)",
        )?;
        self.capture.answer(500);

        Ok(())
    }
}

/// The fault the `undeliverable` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::action::{Call, Outcome, Refusal};
    use crate::mock::{Fault, MockBuilder};
    use crate::spec::extensions::MockAction;

    /// Answers a retry of one undeliverable item as done, without resending it.
    #[derive(Debug, Clone, Copy)]
    pub struct RetryDoesNotResend;

    impl Fault for RetryDoesNotResend {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.action(
                MockAction::Retry,
                |_: &Call<'_>| -> Result<Outcome, Refusal> { Ok(Outcome::Done) },
            )
        }
    }
}
