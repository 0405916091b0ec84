//! `paging`: walking a list page by page, with the page size and the page number or cursor its
//! operation documents, gives every item once: the pages together hold the model (what was
//! listed before plus what the trial made), none repeated, none missing, no page larger than
//! asked, and the walk ends.

use serde_json::Value;

use super::{Applies, As, Call, Op, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "paging",
        reason: "walking a list page by page (the documented page size, and page number or cursor) gives every item once: none repeated, none missing, no page larger than asked, and the walk ends",
        source: "the list operation's paging parameters (x-operation.mock pageSize with page, or cursor and nextCursor)",
    },
    subjects: |api| {
        api.ops
            .iter()
            .filter(|o| o.graphql.is_none() && o.action() == Some(MockAction::List))
            .filter(|o| o.mock.as_ref().is_some_and(|m| m.page_size.is_some()))
            .map(|o| {
                let collection = o.collection().unwrap_or_default();
                let applies = if api.op_for(collection, &[MockAction::Create]).is_some() {
                    Applies::Yes
                } else {
                    Applies::Ignored(format!(
                        "the API has no operation that creates `{collection}` items to page through"
                    ))
                };
                (o.name.clone(), applies)
            })
            .collect()
    },
    run,
};

/// At most this many pages are asked for before the walk is judged endless.
const MOST_PAGES: usize = 5000;

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api.op(name).ok_or("no such operation")?;
    let mock = op.mock.as_ref().ok_or("the operation is not a list")?;
    let collection = op.collection().unwrap_or_default().to_string();
    let size_name = mock
        .page_size
        .clone()
        .ok_or("the list names no page size")?;
    // Pages of two (or the documented minimum): a handful of items make several pages.
    let (least, most) = bounds(api, op, &size_name);
    let size = 2u64.clamp(least, most.max(least));
    let count = (2 * size + 1) as usize;
    // Alone: no other trial adds or removes items while the list is walked.
    let _alone = api
        .subscriptions
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let creator = api
        .op_for(&collection, &[MockAction::Create])
        .ok_or("no way to create items")?;
    // What the list holds before: the model is that plus what the trial makes.
    let before = walk(api, op, &size_name, size, &[])?.0;
    let mut made = Vec::new();
    let mut outcome = Ok(());
    for n in 0..count {
        let body = api.example_body(creator, Some(&api.nowhere(n)));
        match api.create(&collection, As::Tenant(0), &body) {
            Ok((id, _, _)) => made.push(id),
            Err(call) => {
                outcome = Err(api.failure(
                    &CHECK.info,
                    &format!("{count} items created to page through"),
                    &call,
                    "",
                ));
                break;
            }
        }
    }
    if outcome.is_ok() {
        outcome = walk(api, op, &size_name, size, &made).and_then(|(seen, call)| {
            match seen
                .iter()
                .find(|id| !before.contains(id) && !made.contains(id))
            {
                None => Ok(()),
                Some(stranger) => Err(api.failure(
                    &CHECK.info,
                    "the pages hold the list: what it held before and what the trial made",
                    &call,
                    &format!("`{stranger}` is on a page, but was neither listed before nor made by the trial"),
                )),
            }
        });
    }
    for id in &made {
        let _ = api.delete(&collection, As::Tenant(0), id);
    }
    outcome.map(|()| None)
}

/// The documented bounds of the page size parameter (1 and 100 where none are given).
fn bounds(api: &Session<'_>, op: &Op, name: &str) -> (u64, u64) {
    let schema = api
        .endpoint(op)
        .parameters
        .iter()
        .find(|p| p.name == name && p.location == "query")
        .and_then(|p| p.schema.as_deref())
        .and_then(|at| pointer::get(&api.spec.document, at));
    let bound = |key: &str| schema.and_then(|s| s.get(key)).and_then(Value::as_u64);
    (
        bound("minimum").unwrap_or(1).max(1),
        bound("maximum").unwrap_or(100),
    )
}

/// The cursor of the page after page `number` (`None` at the end of the list: no cursor, or
/// a `{}` or empty one); a cursor given back unchanged fails. The target's cursors are shown
/// as placeholders in the transcript.
fn next_cursor(
    api: &Session<'_>,
    mock: &crate::spec::extensions::MockState,
    call: &Call,
    asked: Option<&str>,
    number: u64,
) -> Result<Option<String>, String> {
    let next = mock
        .next_cursor
        .as_deref()
        .and_then(|at| call.json.as_ref().and_then(|j| pointer::get(j, at)))
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    if next.is_some() && next.as_deref() == asked {
        return Err(api.failure(
            &CHECK.info,
            "a cursor that moves on",
            call,
            "the answer gives back the cursor it was asked with",
        ));
    }
    if let Some(next) = &next {
        api.remember_as(next, &format!("{{cursor {number}}}"));
    }
    Ok(next)
}

/// Walks every page of `op` with pages of `size`; checks that each item comes once and that
/// every one of `made` comes. The ids seen, and the last page's call.
fn walk(
    api: &Session<'_>,
    op: &Op,
    size_name: &str,
    size: u64,
    made: &[String],
) -> Result<(Vec<String>, Call), String> {
    let mock = op.mock.as_ref().ok_or("the operation is not a list")?;
    let collection = op.collection().unwrap_or_default();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut number = 1u64;
    let mut last: Option<Call> = None;
    for _ in 0..MOST_PAGES {
        let mut params = vec![(size_name, size.to_string())];
        match (&mock.cursor, &mock.page) {
            (Some(name), _) => {
                if let Some(cursor) = &cursor {
                    params.push((name.as_str(), cursor.clone()));
                }
            }
            (None, Some(name)) => params.push((name.as_str(), number.to_string())),
            (None, None) => {}
        }
        let call = api.call_with_query(op, As::Tenant(0), &params);
        if !call.succeeded() {
            return Err(api.failure(&CHECK.info, "a page of the list (2xx)", &call, ""));
        }
        if let Some(report) = api.judge_answer(&CHECK.info, op, &call, "") {
            return Err(report);
        }
        let items = api.listed(op, &call);
        if items.len() as u64 > size {
            return Err(api.failure(
                &CHECK.info,
                &format!("at most {size} items on a page (`{size_name}={size}`)"),
                &call,
                &format!("{} items", items.len()),
            ));
        }
        for item in &items {
            let Some(id) = api.id_of(collection, item) else {
                continue;
            };
            if seen.contains(&id) {
                return Err(api.failure(
                    &CHECK.info,
                    "each item on one page only",
                    &call,
                    &format!("`{id}` is on an earlier page too (pages so far: {number})"),
                ));
            }
            seen.push(id);
        }
        let more = match &mock.cursor {
            Some(_) => {
                cursor = next_cursor(api, mock, &call, cursor.as_deref(), number)?;
                cursor.is_some()
            }
            None => mock.page.is_some() && items.len() as u64 == size,
        };
        last = Some(call);
        if !more {
            let missing: Vec<&String> = made.iter().filter(|id| !seen.contains(id)).collect();
            let call = last.ok_or("no page was asked for")?;
            if missing.is_empty() {
                return Ok((seen, call));
            }
            return Err(api.failure(
                &CHECK.info,
                "every item on some page",
                &call,
                &format!(
                    "the walk ended after {number} pages without {}",
                    missing
                        .iter()
                        .map(|id| format!("`{id}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        number += 1;
    }
    let call = last.ok_or("no page was asked for")?;
    Err(api.failure(
        &CHECK.info,
        "a walk that ends",
        &call,
        &format!("{MOST_PAGES} pages asked for and the list still says more remain"),
    ))
}

/// The fault the `paging` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::action::{Call, List, Outcome, Page, Refusal};
    use crate::mock::{Fault, MockBuilder};
    use crate::spec::extensions::MockAction;

    /// Pages with a cursor that starts the next page at the last item of the previous one,
    /// so that each page boundary repeats an item.
    #[derive(Debug, Clone, Copy)]
    pub struct CursorRepeatsAnItem;

    impl Fault for CursorRepeatsAnItem {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.action(MockAction::List, overlapping)
        }
    }

    fn overlapping(call: &Call<'_>) -> Result<Outcome, Refusal> {
        let items = call.store().list(call.collection(), call.tenant_id());
        let value = |name: Option<&String>| {
            call.query()
                .iter()
                .find(|(n, _)| Some(n) == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let mock = call.mock();
        let size = value(mock.page_size.as_ref()).unwrap_or(items.len()).max(1);
        let start = value(mock.cursor.as_ref()).unwrap_or(0).min(items.len());
        let end = (start + size).min(items.len());
        let next = (end < items.len()).then(|| (end - 1).to_string());
        let page = Page {
            items: items[start..end].to_vec(),
            next,
        };
        Ok(Outcome::Reply(List::reply(call, page)))
    }
}
