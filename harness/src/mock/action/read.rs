//! `read`: answers the resource the request names.

use super::call::{Action, Call, Outcome, Refusal};

/// Answers the tenant's resource the request names, or refuses it as missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Read;

impl Action for Read {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        call.existing().map(Outcome::Resource)
    }
}
