//! `list`: the tenant's resources, one page at a time where the spec names paging parameters
//! (page numbers, or opaque cursors: `paging.rs`).

use super::call::{Action, Call, Outcome, Refusal};
pub use super::paging::{List, Page};

impl Action for List {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        if let Some(served) = super::undeliverable::serve(call) {
            return served;
        }
        let mut items = call.store().list(call.collection(), call.tenant_id());
        items.retain(|item| call.sees(item));
        let page = Self::paged(call, items)?;
        if page.next.is_some() && !call.is_graphql() {
            return Ok(Outcome::Reply(Self::reply(call, page)));
        }
        Ok(Outcome::Items(page.items))
    }
}
