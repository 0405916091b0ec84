//! `delete` and `retry`: remove one resource and answer it (for the undeliverable list, see
//! `undeliverable.rs`).

use super::call::{Action, Call, Outcome, Refusal};

/// Removes the tenant's resource the request names and answers it, or refuses it as missing.
/// A `retry` of an undelivered item is the same: the item leaves the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Delete;

impl Action for Delete {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        if let Some(served) = super::undeliverable::serve(call) {
            return served;
        }
        let id = call.requested_id()?;
        // An item the operation does not see (`only`) is missing to it, and stays.
        if call.find(&id).is_none() {
            return Err(call.missing(&id));
        }
        call.store()
            .remove(call.collection(), call.tenant_id(), &id)
            .map(Outcome::Resource)
            .ok_or_else(|| call.missing(&id))
    }
}
