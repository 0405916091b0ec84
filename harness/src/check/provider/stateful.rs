//! `stateful`: random sequences of create, read, update, list and delete, checked against a
//! model of the documented state: read-after-delete is a 404, lists reflect creates and deletes,
//! updates persist, tenants never see each other's items.

use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError};
use serde_json::Value;

use super::{Applies, As, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "stateful",
        reason: "the API keeps state as documented: what is created can be read and is listed, an update persists, a deleted item answers 404 and leaves the list, and another tenant never sees or reaches an item",
        source: "the collection's operations and their state rules (x-operation.mock), the documented 404s",
    },
    subjects: |api| {
        let mut collections: Vec<String> = api
            .ops
            .iter()
            .filter(|o| o.action() == Some(MockAction::Create))
            .filter_map(|o| o.collection().map(str::to_string))
            .collect();
        collections.dedup();
        collections
            .into_iter()
            .map(|c| {
                let readable = api
                    .op_for(&c, &[MockAction::Read, MockAction::List])
                    .is_some();
                let deletable = api.op_for(&c, &[MockAction::Delete]).is_some();
                let applies = match (readable, deletable) {
                    (true, true) => Applies::Yes,
                    (false, true) => Applies::Ignored(format!(
                        "the spec documents no way to read or list the {c} collection: what a lifecycle wrote cannot be read back"
                    )),
                    (true, false) => Applies::Ignored(format!(
                        "the spec documents no way to delete from the {c} collection"
                    )),
                    (false, false) => Applies::Ignored(format!(
                        "the spec documents no way to read, list or delete the {c} collection"
                    )),
                };
                (c, applies)
            })
            .collect()
    },
    run,
};

/// One step of a sequence; indices pick among the items created so far.
#[derive(Debug, Clone)]
enum Step {
    Create,
    Read(usize),
    Update(usize),
    Delete(usize),
    List,
    Stranger(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Create),
        2 => any::<usize>().prop_map(Step::Read),
        2 => any::<usize>().prop_map(Step::Update),
        2 => any::<usize>().prop_map(Step::Delete),
        1 => Just(Step::List),
        1 => any::<usize>().prop_map(Step::Stranger),
    ]
}

/// What the model knows of one item.
struct Item {
    id: String,
    /// The item as last answered (by its create or update), if answers carry it.
    last: Option<Value>,
    live: bool,
}

fn run(api: &Session<'_>, collection: &str) -> Result<Option<String>, String> {
    let _shared = api
        .subscriptions
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let config = proptest::test_runner::Config {
        cases: (api.settings.cases / 2).clamp(16, 64),
        max_shrink_iters: 64,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        config,
        crate::generate::rng::seeded(api.settings.seed ^ 0x57a7e),
    );
    let last = std::cell::RefCell::new(String::new());
    let result = runner.run(&proptest::collection::vec(step(), 1..10), |steps| {
        let mut items: Vec<Item> = Vec::new();
        let outcome = sequence(api, collection, &steps, &mut items);
        for item in items.iter().filter(|i| i.live) {
            let _ = api.delete(collection, As::Tenant(0), &item.id);
        }
        outcome.map_err(|report| {
            *last.borrow_mut() = report;
            TestCaseError::fail("broken")
        })
    });
    match result {
        Ok(()) => Ok(None),
        Err(TestError::Fail(_, minimal)) => Err(format!(
            "{}\nseed: {} (shrunk to a minimal sequence)\nminimal sequence: {minimal:?}",
            last.into_inner(),
            api.settings.seed
        )),
        Err(error) => Err(error.to_string()),
    }
}

/// A request naming a deleted item: a 5xx, or no answer, fails; a 2xx fails where the
/// operation documents its refusals, else it is a warning on the assumed ones (a provider may
/// answer a repeated delete with a 2xx where its docs say nothing).
fn refused_as_deleted(
    api: &Session<'_>,
    op: &super::Op,
    call: &super::Call,
    expected: &str,
    context: &str,
) -> Option<String> {
    match call.status {
        None => Some(api.failure(&CHECK.info, expected, call, context)),
        Some(s) if s >= 500 => Some(api.failure(&CHECK.info, expected, call, context)),
        _ if call.succeeded() => {
            api.finding(&CHECK.info, &api.refusal_basis(op), expected, call, context)
        }
        _ => None,
    }
}

/// One step of a sequence, checked against the model (`items`); `n` is its place.
fn sequence(
    api: &Session<'_>,
    collection: &str,
    steps: &[Step],
    items: &mut Vec<Item>,
) -> Result<(), String> {
    for (n, step) in steps.iter().enumerate() {
        let context = format!("step {} of {steps:?}", n + 1);
        let at = Place {
            api,
            collection,
            n,
            context: &context,
        };
        match *step {
            Step::Create => at.create(items)?,
            Step::Read(i) => at.read(items, i)?,
            Step::Update(i) => at.update(items, i)?,
            Step::Delete(i) => at.delete(items, i)?,
            Step::List => at.list(items)?,
            Step::Stranger(i) => at.stranger(items, i)?,
        }
    }
    Ok(())
}

/// Where a step runs: the session, the collection, the step's place and how reports name it.
struct Place<'s, 'a> {
    api: &'s Session<'a>,
    collection: &'s str,
    n: usize,
    context: &'s str,
}

/// The item a step's index names, if there is one.
fn pick(items: &[Item], i: usize) -> Option<usize> {
    (!items.is_empty()).then(|| i % items.len())
}

impl Place<'_, '_> {
    /// Creates an item: a 2xx naming it.
    fn create(&self, items: &mut Vec<Item>) -> Result<(), String> {
        let (api, collection, n, context) = (self.api, self.collection, self.n, self.context);
        let info = &CHECK.info;
        let creator = api
            .op_for(collection, &[MockAction::Create])
            .ok_or("no create")?;
        let body = api.example_body(creator, Some(&api.nowhere(n)));
        let (id, last, _) = api
            .create(collection, As::Tenant(0), &body)
            .map_err(|call| {
                api.failure(info, "a 2xx answer naming the new item", &call, context)
            })?;
        items.push(Item {
            id,
            last,
            live: true,
        });
        Ok(())
    }

    /// Reads an item: as last written while live, the documented 404 once deleted.
    fn read(&self, items: &mut [Item], i: usize) -> Result<(), String> {
        let (api, collection, context) = (self.api, self.collection, self.context);
        let info = &CHECK.info;
        let Some(i) = pick(items, i) else {
            return Ok(());
        };
        let (found, call) = api.read(collection, As::Tenant(0), &items[i].id)?;
        let item = &items[i];
        match (&found, item.live) {
            (None, true) => {
                return Err(api.failure(info, "the live item", &call, context));
            }
            (Some(found), true) => {
                if let Some(last) = &item.last
                    && last != found
                {
                    return Err(api.failure(
                        info,
                        "the item as last written",
                        &call,
                        &format!("{context}\nlast written: {last}\nread:         {found}"),
                    ));
                }
            }
            (Some(_), false) => {
                return Err(api.failure(info, "404: the item was deleted", &call, context));
            }
            (None, false) => {
                if let Some(op) = api.op_for(collection, &[MockAction::Read])
                    && call.status != Some(404)
                    && api.documents(op, 404)
                    && let Some(report) = api.finding(
                        info,
                        &api.spec.response_basis(api.endpoint(op), 404),
                        "the documented 404 for a deleted item",
                        &call,
                        context,
                    )
                {
                    return Err(report);
                }
            }
        }
        Ok(())
    }

    /// Updates an item: a 2xx while live (the model keeps the answer), a refusal once deleted.
    fn update(&self, items: &mut [Item], i: usize) -> Result<(), String> {
        let (api, collection, n, context) = (self.api, self.collection, self.n, self.context);
        let info = &CHECK.info;
        let Some(i) = pick(items, i) else {
            return Ok(());
        };
        let Some(op) = api.op_for(collection, &[MockAction::Update, MockAction::Replace]) else {
            return Ok(());
        };
        let mut body = api.example_body(op, Some(&api.nowhere(100 + n)));
        // Change something visible: the delivery URL.
        if let Some(at) = api.target_field(op) {
            pointer::set(
                &mut body,
                &at,
                Value::String(format!("{}-updated", api.nowhere(100 + n))),
            );
        }
        let call = api.call_with_id(op, As::Tenant(0), &items[i].id, Some(body));
        if items[i].live {
            if !call.succeeded() {
                return Err(api.failure(info, "a 2xx answer", &call, context));
            }
            items[i].last = call
                .json
                .as_ref()
                .and_then(|j| api.resource(op, j))
                .cloned();
        } else if let Some(report) =
            refused_as_deleted(api, op, &call, "a 404: the item was deleted", context)
        {
            return Err(report);
        }
        Ok(())
    }

    /// Deletes an item: a 2xx while live, a refusal once deleted.
    fn delete(&self, items: &mut [Item], i: usize) -> Result<(), String> {
        let (api, collection, context) = (self.api, self.collection, self.context);
        let info = &CHECK.info;
        let Some(i) = pick(items, i) else {
            return Ok(());
        };
        let call = api
            .delete(collection, As::Tenant(0), &items[i].id)
            .ok_or("no delete")?;
        let op = api
            .op_for(collection, &[MockAction::Delete])
            .ok_or("no delete")?;
        if items[i].live {
            if !call.succeeded() {
                return Err(api.failure(info, "a 2xx answer", &call, context));
            }
            items[i].live = false;
        } else if let Some(report) = refused_as_deleted(
            api,
            op,
            &call,
            "a 404: the item was deleted already",
            context,
        ) {
            return Err(report);
        }
        Ok(())
    }

    /// Lists: every live item, no deleted one.
    fn list(&self, items: &mut [Item]) -> Result<(), String> {
        let (api, collection, context) = (self.api, self.collection, self.context);
        let info = &CHECK.info;
        let Some(op) = api.op_for(collection, &[MockAction::List]) else {
            return Ok(());
        };
        let call = api.call(op, As::Tenant(0), None, None);
        if !call.succeeded() {
            return Err(api.failure(info, "a 2xx answer", &call, context));
        }
        let listed: Vec<String> = api
            .listed(op, &call)
            .iter()
            .filter_map(|r| api.id_of(collection, r))
            .collect();
        for item in items.iter() {
            if item.live != listed.contains(&item.id) {
                return Err(api.failure(
                    info,
                    &format!(
                        "a list {} `{}`",
                        if item.live {
                            "with the live item"
                        } else {
                            "without the deleted item"
                        },
                        item.id
                    ),
                    &call,
                    context,
                ));
            }
        }
        Ok(())
    }

    /// The second tenant reads an item: not there for it.
    fn stranger(&self, items: &mut [Item], i: usize) -> Result<(), String> {
        let (api, collection, context) = (self.api, self.collection, self.context);
        let info = &CHECK.info;
        let Some(i) = pick(items, i) else {
            return Ok(());
        };
        if api.tenants() < 2 {
            return Ok(());
        }
        let (found, call) = api.read(collection, As::Stranger, &items[i].id)?;
        if found.is_some()
            || call.succeeded() && api.op_for(collection, &[MockAction::Read]).is_some()
        {
            return Err(api.failure(
                info,
                "another tenant's item is not there for these credentials (404, 401 or 403)",
                &call,
                &format!(
                    "{context}: the second tenant reads the first tenant's `{}`",
                    items[i].id
                ),
            ));
        }
        Ok(())
    }
}

/// The fault the `stateful` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::action::{Call, Outcome, Refusal};
    use crate::mock::{Fault, MockBuilder};
    use crate::spec::extensions::MockAction;

    /// Answers a delete (or a retry) with success but keeps serving the resource.
    #[derive(Debug, Clone, Copy)]
    pub struct ServesDeleted;

    impl Fault for ServesDeleted {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.action(MockAction::Delete, keep)
                .action(MockAction::Retry, keep)
        }
    }

    fn keep(call: &Call<'_>) -> Result<Outcome, Refusal> {
        call.existing().map(Outcome::Resource)
    }
}
