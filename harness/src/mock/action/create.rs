//! `create`: stores a new resource under a fresh id and answers it.

use serde_json::Value;

use super::call::{Action, Call, Outcome, Refusal};
use crate::mock::{resource, schema};
use crate::spec::pointer;

/// How many ids a create tries before it gives up.
const TRIES: usize = 8;

/// Builds a resource from the request fields (REST: from the resource schema, validated;
/// GraphQL: the operation's defaults and the input) and stores it under a fresh id, drawing
/// another id while the drawn one is taken.
#[derive(Debug, Clone, Copy, Default)]
pub struct Create;

impl Action for Create {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        let mut fields = call.fields()?;
        if !call.is_graphql() {
            fill_request_defaults(call, &mut fields);
        }
        call.check_permission()?;
        let mut id = call.new_id();
        let mut resource = if call.is_graphql() {
            resource::with_defaults(call.mock(), fields, &id)
        } else {
            call.build(fields, &id, None)?
        };
        resource::check_forwarded(call.spec(), &resource).map_err(Refusal::Invalid)?;
        for attempt in 1..=TRIES {
            if call
                .store()
                .insert(call.collection(), call.tenant_id(), &id, &resource)
            {
                return Ok(Outcome::Resource(resource));
            }
            // A REST create draws one more id after its last try and a GraphQL one does not;
            // both sequences are part of what a seed reproduces.
            if attempt == TRIES && call.is_graphql() {
                break;
            }
            // Taken: the same resource under another id.
            id = call.new_id();
            pointer::set(&mut resource, call.id_field(), Value::String(id.clone()));
        }
        Err(Refusal::Conflict(if call.is_graphql() {
            "could not find a free id".into()
        } else {
            "could not find a free id (the id format is too small)".into()
        }))
    }
}

/// The `default`s the request schema declares inside the members the request sends (a
/// partial update gets none: what it leaves out stays as it was).
fn fill_request_defaults(call: &Call<'_>, fields: &mut serde_json::Map<String, Value>) {
    let doc = &call.spec().document;
    let Some(at) = call
        .endpoint()
        .request
        .as_ref()
        .and_then(|b| b.json())
        .and_then(|m| m.schema.as_deref())
    else {
        return;
    };
    let into = call.mock().request.as_deref().unwrap_or("");
    if let Some(node) = schema::at(doc, at, into) {
        schema::fill_nested_defaults(doc, node, fields);
    }
}
