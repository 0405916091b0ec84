//! Create, read and delete helpers over a trial's session: what the checks do with items.

use serde_json::Value;

use super::{As, Call, Op, Session};
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

impl Session<'_> {
    /// The id of the item a successful create answered with (remembered for transcripts).
    #[must_use]
    pub fn created_id(&self, op: &Op, call: &Call) -> Option<String> {
        if op.action() != Some(MockAction::Create) || !call.succeeded() {
            return None;
        }
        let id = call
            .json
            .as_ref()
            .and_then(|j| self.resource(op, j))
            .and_then(|r| self.id_of(op.collection().unwrap_or_default(), r))?;
        self.remember_id(&id);
        Some(id)
    }
    /// Creates a resource of `collection` as `who` from `body`; its id, the resource the
    /// answer holds, and the call.
    pub fn create(
        &self,
        collection: &str,
        who: As,
        body: &Value,
    ) -> Result<(String, Option<Value>, Call), Box<Call>> {
        let Some(op) = self.op_for(collection, &[MockAction::Create]) else {
            return Err(Box::new(self.send(
                "NONE",
                "no create operation",
                Vec::new(),
                Vec::new(),
            )));
        };
        self.create_with(op, who, body)
    }
    /// Creates a resource with the create operation `op` as `who` from `body`; its id, the
    /// resource the answer holds, and the call.
    pub fn create_with(
        &self,
        op: &Op,
        who: As,
        body: &Value,
    ) -> Result<(String, Option<Value>, Call), Box<Call>> {
        let collection = op.collection().unwrap_or_default();
        let call = self.call(op, who, None, Some(body));
        if !call.succeeded() {
            return Err(Box::new(call));
        }
        let resource = call
            .json
            .as_ref()
            .and_then(|j| self.resource(op, j))
            .cloned();
        let id = resource
            .as_ref()
            .and_then(|r| self.id_of(collection, r))
            .unwrap_or_default();
        if id.is_empty() {
            return Err(Box::new(call));
        }
        self.remember_id(&id);
        Ok((id, resource, call))
    }
    /// Deletes resource `id` of `collection` as `who`; the call, or `None` without a delete.
    /// Where a collection has several delete operations, each seeing its own items
    /// (`x-operation.mock.only`: HappyColis' two families), they are tried in turn until one
    /// deletes it.
    pub fn delete(&self, collection: &str, who: As, id: &str) -> Option<Call> {
        let mut last = None;
        for op in self.ops.iter().filter(|o| {
            o.collection() == Some(collection) && o.action() == Some(MockAction::Delete)
        }) {
            let call = self.call_with_id(op, who, id, None);
            let done = call.succeeded();
            last = Some(call);
            if done {
                break;
            }
        }
        last
    }
    /// Sends `op` naming resource `id` (in the path or the body), with `body` (default: its
    /// documented example).
    pub fn call_with_id(&self, op: &Op, who: As, id: &str, body: Option<Value>) -> Call {
        let needs_body = self.endpoint(op).request.is_some();
        let mut body = body.or_else(|| needs_body.then(|| self.example_body(op, None)));
        if let (Some(at), Some(body)) = (op.body_id(), body.as_mut()) {
            pointer::set(body, &at, Value::String(id.to_string()));
        }
        self.call(op, who, Some(id), body.as_ref())
    }
    /// Reads resource `id` of `collection` as `who`: with the read operation, or from the list.
    /// `Ok(Some(resource))` found, `Ok(None)` refused (the call says how), `Err` no way to read.
    pub fn read(
        &self,
        collection: &str,
        who: As,
        id: &str,
    ) -> Result<(Option<Value>, Call), String> {
        if let Some(op) = self.op_for(collection, &[MockAction::Read]) {
            let call = self.call_with_id(op, who, id, None);
            let found = call
                .succeeded()
                .then(|| {
                    call.json
                        .as_ref()
                        .and_then(|j| self.resource(op, j))
                        .cloned()
                })
                .flatten();
            return Ok((found, call));
        }
        if let Some(op) = self.op_for(collection, &[MockAction::List]) {
            let call = self.call(op, who, None, None);
            let found = self
                .listed(op, &call)
                .into_iter()
                .find(|r| self.id_of(collection, r).as_deref() == Some(id));
            return Ok((found, call));
        }
        Err(format!(
            "the spec has no way to read a {collection} resource"
        ))
    }
}
