//! `static`: the documented answer, with nothing put in it.

use super::call::{Action, Call, Outcome, Refusal};

/// Answers the documented success body (or one generated from the response schema).
#[derive(Debug, Clone, Copy, Default)]
pub struct Static;

impl Action for Static {
    fn run(&self, _call: &Call<'_>) -> Result<Outcome, Refusal> {
        Ok(Outcome::Done)
    }
}
