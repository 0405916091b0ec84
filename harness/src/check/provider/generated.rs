//! `generated`: property-generated valid requests get a 2xx and a schema-valid answer, and what
//! was written can be read back identically.

use proptest::test_runner::{TestCaseError, TestError};
use serde_json::Value;

use super::documented_example::with_item;
use super::{Api, Applies, As, Call, Op, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "generated",
        reason: "every request the operation's schema allows must be accepted (2xx) with an answer of the documented shape, and what was created or changed must read back exactly as answered",
        source: "the operation's request and response schemas, and its state rules (x-operation.mock)",
    },
    subjects: writers,
    run,
};

/// The operations that write a resource from a request body: create, update, replace.
pub fn writers(api: &Api) -> Vec<(String, Applies)> {
    api.ops
        .iter()
        .filter(|o| {
            matches!(
                o.action(),
                Some(MockAction::Create | MockAction::Update | MockAction::Replace)
            )
        })
        .map(|o| {
            let applies = if o.graphql.is_some() {
                super::graphql::applies(api, o)
            } else if api.generator.request(&o.name).is_err() {
                Applies::Ignored(format!("`{}` has no JSON request schema", o.name))
            } else {
                super::documented_example::applies(api, o)
            };
            (o.name.clone(), applies)
        })
        .collect()
}

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api
        .op(name)
        .ok_or_else(|| format!("no operation `{name}`"))?;
    if op.graphql.is_some() {
        return super::graphql::generated(api, op, &CHECK.info);
    }
    let generator = api.generator.request(name).map_err(|e| e.to_string())?;
    with_item(api, op, |id, created| {
        let created = std::cell::RefCell::new(created);
        let config = proptest::test_runner::Config {
            cases: api.settings.cases,
            max_shrink_iters: 32,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        };
        let mut runner = proptest::test_runner::TestRunner::new_with_rng(
            config,
            crate::generate::rng::seeded(api.settings.seed),
        );
        let last = std::cell::RefCell::new(String::new());
        let sent = std::cell::RefCell::new(Value::Null);
        let counter = std::cell::Cell::new(0usize);
        // A request that got no answer says nothing about the body: no shrinking, no more
        // requests.
        let unanswered = std::cell::Cell::new(false);
        let result = runner.run(&generator.valid(), |mut body| {
            if unanswered.get() {
                return Err(TestCaseError::fail("no answer"));
            }
            counter.set(counter.get() + 1);
            if let Some(at) = api.target_field(op) {
                pointer::set(&mut body, &at, Value::String(api.nowhere(counter.get())));
            }
            *sent.borrow_mut() = body.clone();
            match exercise(api, op, id, &body, &mut created.borrow_mut()) {
                Ok(()) => Ok(()),
                Err((report, answered)) => {
                    *last.borrow_mut() = report;
                    unanswered.set(!answered);
                    Err(TestCaseError::fail("broken"))
                }
            }
        });
        match result {
            Ok(()) => Ok(None),
            Err(TestError::Fail(..)) if unanswered.get() => Err(format!(
                "{}\nseed: {} (not shrunk: the target gave no answer, which no body explains)\nbody: {}",
                last.into_inner(),
                api.settings.seed,
                sent.into_inner()
            )),
            Err(TestError::Fail(..)) => Err(format!(
                "{}\nseed: {} (shrunk to a minimal request)\nminimal body: {}",
                last.into_inner(),
                api.settings.seed,
                sent.into_inner()
            )),
            Err(error) => Err(error.to_string()),
        }
    })
}

/// Sends one generated body and checks the answer and the read-back.
fn exercise(
    api: &Session<'_>,
    op: &Op,
    id: Option<&str>,
    body: &Value,
    created: &mut Vec<String>,
) -> Result<(), (String, bool)> {
    let call = match id {
        Some(id) => api.call_with_id(op, As::Tenant(0), id, Some(body.clone())),
        None => api.call(op, As::Tenant(0), None, Some(body)),
    };
    if !call.succeeded() {
        return Err((
            api.failure(&CHECK.info, "a 2xx answer", &call, ""),
            call.status.is_some(),
        ));
    }
    if let Some(report) = api.judge_answer(&CHECK.info, op, &call, "") {
        return Err((report, true));
    }
    let collection = op.collection().unwrap_or_default();
    let answered = call
        .json
        .as_ref()
        .and_then(|j| api.resource(op, j))
        .cloned();
    let id = match (id, &answered) {
        (Some(id), _) => id.to_string(),
        (None, Some(resource)) => match api.id_of(collection, resource) {
            Some(new) => {
                api.remember_id(&new);
                created.push(new.clone());
                new
            }
            None => return Ok(()),
        },
        (None, None) => return Ok(()),
    };
    let checked = read_back(api, op, &id, body, answered.as_ref(), &call);
    // A created item goes at once: a provider's list may show only its first page.
    if op.action() == Some(MockAction::Create)
        && let Some(at) = created.iter().position(|c| *c == id)
        && api
            .delete(collection, As::Tenant(0), &id)
            .is_some_and(|c| c.succeeded())
    {
        created.remove(at);
    }
    checked.map_err(|report| (report, true))
}

/// What was written reads back: the answered resource exactly, or else the request's fields.
fn read_back(
    api: &Session<'_>,
    op: &Op,
    id: &str,
    body: &Value,
    answered: Option<&Value>,
    write: &Call,
) -> Result<(), String> {
    let collection = op.collection().unwrap_or_default();
    let Ok((found, read)) = api.read(collection, As::Tenant(0), id) else {
        return Ok(());
    };
    let Some(found) = found else {
        return Err(api.failure(
            &CHECK.info,
            &format!("the {collection} item `{id}` just written, read back"),
            &read,
            &format!("after:\n{}", write.render()),
        ));
    };
    let mismatch = match answered {
        Some(answered) if answered != &found => Some(format!(
            "answered on write: {answered}\nread back:        {found}"
        )),
        Some(_) => None,
        None => {
            let into = op
                .mock
                .as_ref()
                .and_then(|m| m.request_into.as_deref())
                .unwrap_or("");
            pointer::get(body, &op.fields_at())
                .and_then(Value::as_object)
                .and_then(|fields| {
                    fields.iter().find_map(|(key, sent)| {
                        let stored = pointer::get(&found, &pointer::join(into, key));
                        (stored != Some(sent)).then(|| {
                            format!(
                                "`{key}` was sent as {sent}, reads back as {}",
                                stored.map_or_else(|| "absent".to_string(), Value::to_string)
                            )
                        })
                    })
                })
        }
    };
    match mismatch {
        None => Ok(()),
        Some(difference) => Err(api.failure(
            &CHECK.info,
            "the item reads back as written",
            &read,
            &format!("{difference}\nafter:\n{}", write.render()),
        )),
    }
}

/// The fault the `generated` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::action::{Call, Outcome, Refusal, Update};
    use crate::mock::{Fault, MockBuilder};
    use crate::spec::extensions::MockAction;

    /// Answers an update (or a replace) with the new fields but keeps the old ones.
    #[derive(Debug, Clone, Copy)]
    pub struct ForgetsUpdates;

    impl Fault for ForgetsUpdates {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.action(MockAction::Update, forget)
                .action(MockAction::Replace, forget)
        }
    }

    fn forget(call: &Call<'_>) -> Result<Outcome, Refusal> {
        let fields = call.fields()?;
        let stored = call.existing()?;
        let (_, resource) = Update::apply(call, fields, stored)?;
        Ok(Outcome::Resource(resource))
    }
}
