//! The mock's actions: what an operation does with the store, one file per
//! `x-operation.mock.action`, behind one trait.
//!
//! Start from [`Action`] and [`Call`] (`call.rs`): an action gets a call (the operation, its
//! `x-operation.mock`, the tenant, the request fields) and answers an [`Outcome`] or a
//! [`Refusal`], which `render.rs` turns into a REST reply and `graphql.rs` into GraphQL data.
//! [`builtin`] below is the one table from action kind to implementation; the builder puts
//! overrides in front of it (`MockBuilder::action`, `MockBuilder::operation`).
//!
//! - `create.rs`: [`Create`]; `read.rs`: [`Read`]; `update.rs`: [`Update`] (update and
//!   replace); `delete.rs`: [`Delete`] (delete and retry); `delete_all.rs`: [`DeleteAll`]
//!   (delete-all and retry-all); `list.rs`: [`List`] (with paging); `token.rs`: [`Token`];
//!   `static_.rs`: [`Static`]; `graphql.rs`: `Graphql`, with the `graphql` feature (the
//!   GraphQL endpoint, whose root fields call the actions above); `undeliverable.rs`: the
//!   same kinds over the dispatcher's undeliverable list, for the collection
//!   `x-delivery.undeliverable` names.

mod call;
mod create;
mod delete;
mod delete_all;
#[cfg(feature = "graphql")]
mod graphql;
mod list;
mod paging;
mod read;
mod render;
mod static_;
mod token;
mod undeliverable;
mod update;

pub use call::{Action, Call, Outcome, Refusal};
pub use create::Create;
pub use delete::Delete;
pub use delete_all::DeleteAll;
#[cfg(feature = "graphql")]
pub use graphql::Graphql;
pub use list::{List, Page};
pub use read::Read;
pub use static_::Static;
pub use token::Token;
pub use update::Update;

pub(crate) use call::{Actions, Via};
pub(crate) use render::{place, render};

use crate::spec::extensions::MockAction;

/// The built-in action of each kind: the registration table.
#[must_use]
pub fn builtin(kind: MockAction) -> &'static dyn Action {
    match kind {
        MockAction::Create => &Create,
        MockAction::Read => &Read,
        MockAction::Update | MockAction::Replace => &Update,
        MockAction::Delete | MockAction::Retry => &Delete,
        MockAction::DeleteAll | MockAction::RetryAll => &DeleteAll,
        MockAction::List => &List,
        MockAction::Static => &Static,
        MockAction::Token => &Token,
        #[cfg(feature = "graphql")]
        MockAction::Graphql => &Graphql,
        #[cfg(not(feature = "graphql"))]
        MockAction::Graphql => &NoGraphql,
    }
}

/// The GraphQL endpoint without the `graphql` feature: a mock of a spec that has one does not
/// start (`MockError::Graphql`), so this answers only an action table used on its own.
#[cfg(not(feature = "graphql"))]
struct NoGraphql;

#[cfg(not(feature = "graphql"))]
impl Action for NoGraphql {
    fn run(&self, _call: &Call<'_>) -> Result<Outcome, Refusal> {
        Err(Refusal::Status(
            501,
            "serving GraphQL needs the `graphql` feature of webhook-harness".into(),
        ))
    }
}

/// The actions of a mock: `kinds` and `operations` (by `operationId` or GraphQL field) in front
/// of [`builtin`].
pub(crate) fn registry(
    kinds: Vec<(MockAction, Box<dyn Action>)>,
    operations: Vec<(String, Box<dyn Action>)>,
) -> Actions {
    Actions::new(builtin, kinds, operations)
}
