//! `list`: the tenant's resources, one page at a time where the spec names paging parameters.

use serde_json::Value;

use super::call::{Action, Call, Outcome, Refusal};
use crate::mock::reply::{Reply, success_status};
use crate::mock::schema;
use crate::spec::pointer;

/// Answers the tenant's resources in creation order, paged by the query parameters the spec
/// names (`x-operation.mock.pageSize`, `page`, from 1).
#[derive(Debug, Clone, Copy, Default)]
pub struct List;

impl List {
    /// The page of `items` the query asks for; all of them where the spec names no page size
    /// or the query gives none.
    #[must_use]
    pub fn page(call: &Call<'_>, items: Vec<Value>) -> Vec<Value> {
        let number = |name: &str| {
            call.query()
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let mock = call.mock();
        let Some(per_page) = mock.page_size.as_deref().and_then(number) else {
            return items;
        };
        let page = mock.page.as_deref().and_then(number).unwrap_or(1).max(1);
        items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect()
    }
}

impl Action for List {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        if let Some(served) = super::undeliverable::serve(call) {
            return served;
        }
        let items = call.store().list(call.collection(), call.tenant_id());
        Ok(Outcome::Items(Self::page(call, items)))
    }
}

/// The REST answer of a list: the documented success body with `items` at
/// `x-operation.mock.response` (the body itself without one).
pub(super) fn reply(call: &Call<'_>, items: Vec<Value>) -> Reply {
    let endpoint = call.endpoint();
    let status = success_status(endpoint);
    let at = call.mock().response.as_deref().unwrap_or("");
    let mut body = call.core().template(endpoint, status);
    // Keep only what the response schema requires from the example: a documented cursor or
    // page count would describe the docs' data, not ours.
    let schema_at = endpoint
        .responses
        .iter()
        .find(|r| r.covers(status))
        .and_then(|r| r.body.json())
        .and_then(|m| m.schema.clone());
    if let (Some(schema_at), Value::Object(map)) = (schema_at, &mut body) {
        let doc = &call.spec().document;
        let required: Vec<String> = pointer::get(doc, &schema_at)
            .map(|s| {
                schema::required(doc, s)
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let top = pointer::tokens(at)
            .and_then(|t| t.into_iter().next())
            .unwrap_or_default();
        map.retain(|k, _| required.contains(k) || *k == top);
    }
    if at.is_empty() {
        body = Value::Array(items);
    } else {
        pointer::set(&mut body, at, Value::Array(items));
    }
    Reply::new(status, body)
}
