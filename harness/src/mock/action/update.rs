//! `update` and `replace`: change a stored resource and answer the new one.

use serde_json::{Map, Value};

use super::call::{Action, Call, Outcome, Refusal};
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

/// Changes the resource the request names: `update` lays the request fields over the stored
/// ones, `replace` makes them the whole field set (the id and the path fields stay). The new
/// resource is validated, stored and answered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Update;

impl Update {
    /// The id and the resource an update (or a replace) of `stored` with `fields` would store;
    /// stores nothing.
    pub fn apply(
        call: &Call<'_>,
        fields: Map<String, Value>,
        stored: Value,
    ) -> Result<(String, Value), Refusal> {
        let id = pointer::get(&stored, call.id_field())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let base = if call.mock().action == MockAction::Replace {
            let mut base = stored;
            let into = call.mock().request_into.as_deref().unwrap_or("");
            // Replace: the request fields become the whole field set (id and path fields stay).
            if let Some(Value::Object(target)) = pointer::get_or_create(&mut base, into) {
                target.clear();
            }
            base
        } else {
            stored
        };
        let resource = call.build(fields, &id, Some(base))?;
        crate::mock::resource::check_forwarded(call.spec(), &resource).map_err(Refusal::Invalid)?;
        Ok((id, resource))
    }
}

impl Action for Update {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        if let Some(served) = super::undeliverable::serve(call) {
            return served;
        }
        let fields = call.fields()?;
        let stored = call.existing()?;
        let (id, resource) = Self::apply(call, fields, stored)?;
        call.store()
            .replace(call.collection(), call.tenant_id(), &id, &resource);
        Ok(Outcome::Resource(resource))
    }
}
