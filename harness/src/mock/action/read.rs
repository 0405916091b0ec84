//! `read`: answers the resource the request names.

use super::call::{Action, Call, Outcome, Refusal};

/// Answers the tenant's resource the request names, or refuses it as missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Read;

impl Action for Read {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        if let Some(served) = super::undeliverable::serve(call) {
            return served;
        }
        call.existing().map(Outcome::Resource)
    }
}
