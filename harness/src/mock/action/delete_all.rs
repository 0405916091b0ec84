//! `delete-all` and `retry-all`: empty the tenant's collection.

use super::call::{Action, Call, Outcome, Refusal};

/// Removes every resource of the tenant in the collection, and answers the documented body.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeleteAll;

impl Action for DeleteAll {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        if let Some(served) = super::undeliverable::serve(call) {
            return served;
        }
        call.store().clear(call.collection(), call.tenant_id());
        Ok(Outcome::Done)
    }
}
