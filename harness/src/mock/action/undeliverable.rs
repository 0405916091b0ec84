//! The undeliverable list served through the provider's own operations: where
//! `x-delivery.undeliverable.collection` names an operation's collection, the built-in list,
//! read, update, delete, retry, retry-all and delete-all act on the dispatcher's undeliverable
//! list (the tenant's messages only), each message shown in the provider's item shape
//! (`x-delivery.undeliverable.item`).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::call::{Call, Outcome, Refusal};
use super::paging::List;
use crate::deliver::dispatch::{Dispatcher, Undeliverable};
use crate::mock::reply::{Reply, success_status};
use crate::spec::extensions::{ItemField, MockAction, UndeliverableExt};
use crate::spec::pointer;

/// The spec's undeliverable rules and the dispatcher, where `call`'s collection is the one that
/// serves the undeliverable list.
fn served<'a>(call: &Call<'a>) -> Option<(&'a UndeliverableExt, &'a Arc<Dispatcher>)> {
    let rules = call.spec().delivery.undeliverable.as_ref()?;
    if call.mock().collection.as_deref() != Some(rules.collection.as_str()) {
        return None;
    }
    Some((rules, call.core().dispatcher.as_ref()?))
}

/// Serves `call` from the dispatcher's undeliverable list if its collection is the one the spec
/// names; `None` for every other collection (the store serves it).
pub(super) fn serve(call: &Call<'_>) -> Option<Result<Outcome, Refusal>> {
    let (rules, dispatcher) = served(call)?;
    Some(run(call, rules, dispatcher))
}

fn run(
    call: &Call<'_>,
    rules: &UndeliverableExt,
    dispatcher: &Arc<Dispatcher>,
) -> Result<Outcome, Refusal> {
    let tenant = call.tenant_id();
    let mine = |u: &Undeliverable| u.tenant == tenant;
    match call.mock().action {
        MockAction::List => {
            let items = dispatcher
                .undeliverable_where(mine)
                .iter()
                .map(|u| item(rules, u))
                .collect();
            let page = List::paged(call, items)?;
            if page.next.is_some() {
                return Ok(Outcome::Reply(List::reply(call, page)));
            }
            Ok(Outcome::Items(page.items))
        }
        MockAction::Read => {
            let id = call.requested_id()?;
            dispatcher
                .undeliverable_where(|u| mine(u) && u.id == id)
                .first()
                .map(|u| Outcome::Resource(item(rules, u)))
                .ok_or_else(|| call.missing(&id))
        }
        MockAction::Update | MockAction::Replace => {
            let id = call.requested_id()?;
            let fields = call.fields()?;
            let url = rules
                .pointer_of(ItemField::Target)
                .and_then(|at| pointer::get(&Value::Object(fields), at).cloned());
            let found = match url {
                // The body stage has applied the target-URL rule (`x-operation.mock.target`).
                Some(Value::String(url)) => dispatcher.retarget(tenant, &id, &url),
                Some(_) => return Err(Refusal::Invalid("the target URL must be a string".into())),
                None => dispatcher
                    .undeliverable_where(|u| mine(u) && u.id == id)
                    .into_iter()
                    .next(),
            };
            found
                .map(|u| Outcome::Resource(item(rules, &u)))
                .ok_or_else(|| call.missing(&id))
        }
        MockAction::Delete => {
            let id = call.requested_id()?;
            dispatcher
                .erase_where(|u| mine(u) && u.id == id)
                .first()
                .map(|u| Outcome::Resource(item(rules, u)))
                .ok_or_else(|| call.missing(&id))
        }
        MockAction::DeleteAll => {
            dispatcher.erase_where(mine);
            Ok(Outcome::Done)
        }
        MockAction::Retry => {
            let id = call.requested_id()?;
            if dispatcher
                .undeliverable_where(|u| mine(u) && u.id == id)
                .is_empty()
            {
                return Err(call.missing(&id));
            }
            let count = dispatcher.start_resend(|u| mine(u) && u.id == id);
            Ok(Outcome::Reply(retried(call, rules, count)))
        }
        MockAction::RetryAll => {
            let count = dispatcher.start_resend(mine);
            Ok(Outcome::Reply(retried(call, rules, count)))
        }
        MockAction::Create | MockAction::Static | MockAction::Token | MockAction::Graphql => Err(
            Refusal::Invalid("undeliverable items are made by failed deliveries only".into()),
        ),
    }
}

/// The documented success answer of a retry, with the number resent at
/// `x-delivery.undeliverable.retried`.
fn retried(call: &Call<'_>, rules: &UndeliverableExt, count: usize) -> Reply {
    let endpoint = call.endpoint();
    let status = success_status(endpoint);
    let mut body = call.core().template(endpoint, status);
    if let Some(at) = rules.retried.as_deref() {
        pointer::set(&mut body, at, Value::from(count));
    }
    Reply::new(status, body)
}

/// A message of the undeliverable list in the provider's item shape.
#[must_use]
pub fn item(rules: &UndeliverableExt, message: &Undeliverable) -> Value {
    let mut out = Value::Object(Map::new());
    for (at, field) in &rules.item {
        let value = match field {
            ItemField::Id => Value::from(message.id.clone()),
            ItemField::Event => Value::from(message.event.clone()),
            ItemField::Subscription => Value::from(message.subscription.clone()),
            ItemField::Target => Value::from(message.target.clone()),
            ItemField::Reason => Value::from(message.reason.clone()),
            ItemField::Answer => Value::from(message.answer.clone()),
            ItemField::Payload => message.payload.clone(),
            ItemField::FailedAt => Value::from(rfc3339(message.failed_at_ms)),
            ItemField::FailedAtSeconds => Value::from(message.failed_at_ms / 1000),
            ItemField::UtcOffset => Value::from(0),
        };
        pointer::set(&mut out, at, value);
    }
    out
}

/// Milliseconds since the epoch as RFC 3339 in UTC, with milliseconds
/// (`2021-10-20T18:45:00.123Z`).
fn rfc3339(ms: u64) -> String {
    let (days, rest) = ((ms / 86_400_000) as i64, ms % 86_400_000);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            super::rfc3339(1_634_755_500_123),
            "2021-10-20T18:45:00.123Z"
        );
        assert_eq!(super::rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
