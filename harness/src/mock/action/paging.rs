//! Paging: [`List`]'s pages of items (page numbers, or opaque cursors the mock issues) and the
//! REST reply that carries them; the `list` action (`list.rs`) and the undeliverable list
//! (`undeliverable.rs`) both page through it.

use serde_json::Value;

use super::call::{Call, Refusal};
use crate::mock::reply::{Reply, success_status};
use crate::mock::schema;
use crate::spec::pointer;

/// Answers the tenant's resources in creation order, paged by the query parameters the spec
/// names (`x-operation.mock.pageSize` with `page`, from 1, or with `cursor`, an opaque cursor
/// the previous page's answer gave at `nextCursor`). A page size the query does not give is
/// the parameter's documented `default` (no paging without one).
#[derive(Debug, Clone, Copy, Default)]
pub struct List;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The items of the page.
    pub items: Vec<Value>,
    /// The cursor of the next page, while more items remain (cursor paging only).
    pub next: Option<String>,
}

impl List {
    /// The page of `items` the query asks for; all of them where the spec names no page size
    /// (or the query gives none and the parameter documents no default).
    #[must_use]
    pub fn page(call: &Call<'_>, items: Vec<Value>) -> Vec<Value> {
        Self::paged(call, items).map_or_else(|_| Vec::new(), |p| p.items)
    }

    /// The page of `items` the query asks for, with the next page's cursor; refused when the
    /// query's cursor is not one the mock issued.
    pub fn paged(call: &Call<'_>, items: Vec<Value>) -> Result<Page, Refusal> {
        let query = |name: &str| {
            call.query()
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let mock = call.mock();
        let Some(size_name) = mock.page_size.as_deref() else {
            return Ok(Page { items, next: None });
        };
        let per_page = query(size_name)
            .and_then(magnitude)
            .or_else(|| documented_default(call, size_name));
        let Some(per_page) = per_page.filter(|n| *n > 0) else {
            return Ok(Page { items, next: None });
        };
        if let Some(cursor_name) = mock.cursor.as_deref() {
            let start = match query(cursor_name).filter(|c| !c.is_empty()) {
                None => 0,
                Some(cursor) => resume(call, &items, cursor).ok_or_else(|| {
                    Refusal::Invalid(format!(
                        "the query parameter `{cursor_name}` is not a cursor this API gave"
                    ))
                })?,
            };
            let end = start.saturating_add(per_page).min(items.len());
            let next = (end < items.len()).then(|| cursor_after(call, start, &items[start..end]));
            let items = items.into_iter().take(end).skip(start).collect();
            return Ok(Page { items, next });
        }
        let page = mock
            .page
            .as_deref()
            .and_then(query)
            .and_then(magnitude)
            .unwrap_or(1)
            .max(1);
        let items = items
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        Ok(Page { items, next: None })
    }

    /// The REST reply of a page: the items at `response`, the next cursor at `nextCursor`.
    #[must_use]
    pub fn reply(call: &Call<'_>, page: Page) -> Reply {
        let mut reply = reply(call, page.items);
        if let (Some(next), Some(at)) = (page.next, call.mock().next_cursor.as_deref()) {
            pointer::set(&mut reply.body, at, Value::String(next));
        }
        reply
    }
}

/// A count or page number from the query. The parameters passed their schemas; a number too
/// large for memory stands for "past the end", however far.
fn magnitude(text: &str) -> Option<usize> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse::<usize>().unwrap_or(usize::MAX))
}

/// The `default` of the query parameter `name`'s schema.
fn documented_default(call: &Call<'_>, name: &str) -> Option<usize> {
    let parameter = call
        .endpoint()
        .parameters
        .iter()
        .find(|p| p.name == name && p.location == "query")?;
    let schema = pointer::get(&call.spec().document, parameter.schema.as_deref()?)?;
    usize::try_from(schema.get("default")?.as_u64()?).ok()
}

/// The id of a listed item, as text.
fn id_text(item: &Value, id_at: &str) -> Option<String> {
    pointer::get(item, id_at).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
}

/// The cursor of the page after `page`, which started at `start`: opaque to clients
/// (Base64url of JSON), it names the page's start and its items, so that the next page starts
/// after the last of them still listed, even when items were deleted meanwhile.
fn cursor_after(call: &Call<'_>, start: usize, page: &[Value]) -> String {
    use base64::Engine as _;
    let id_at = item_id_field(call);
    let ids: Vec<String> = page.iter().filter_map(|i| id_text(i, &id_at)).collect();
    let text = serde_json::to_string(&(start, ids)).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// Where the page after the one a cursor names starts; `None` for a cursor the mock did not
/// issue.
fn resume(call: &Call<'_>, items: &[Value], cursor: &str) -> Option<usize> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let (start, ids): (usize, Vec<String>) = serde_json::from_slice(&bytes).ok()?;
    let id_at = item_id_field(call);
    // After the last item of that page still listed; with none left, where the page began.
    let after = items
        .iter()
        .rposition(|item| id_text(item, &id_at).is_some_and(|id| ids.contains(&id)));
    Some(after.map_or(start.min(items.len()), |i| i + 1))
}

/// Where a listed item's id sits: where the undeliverable list puts it
/// (`x-delivery.undeliverable`), or the `idField` of an operation of the same collection.
fn item_id_field(call: &Call<'_>) -> String {
    let spec = call.spec();
    if let Some(rules) = spec
        .delivery
        .undeliverable
        .as_ref()
        .filter(|u| u.collection == call.collection())
        && let Some(at) = rules.pointer_of(crate::spec::extensions::ItemField::Id)
    {
        return at.to_string();
    }
    spec.endpoints
        .iter()
        .filter_map(|e| e.ext.mock.as_ref())
        .filter(|m| m.collection.as_deref() == Some(call.collection()))
        .find_map(|m| m.id_field.clone())
        .unwrap_or_else(|| call.id_field().to_string())
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
