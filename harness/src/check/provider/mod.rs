//! Provider-mode checks: what an implementation of a provider's API (the mock, a fake, a proxy,
//! an alternative) must do, as the spec documents it.
//!
//! - the API client: [`Api`] (`client.rs`) builds requests from the spec's operations
//!   ([`Op`], `op.rs`) with each tenant's credentials; a [`Session`] is one trial's use of it
//!   and records every [`Call`] (`call.rs`) into the trial's transcript; `crud.rs` creates,
//!   reads and deletes items; `answers.rs` reads what the spec documents and judges answers;
//!   `graphql.rs` draws a GraphQL operation's variables from the SDL and judges GraphQL
//!   results (for `generated` and `invalid-request`);
//! - the catalogue, one file per check: `documented_example.rs`, `generated.rs`,
//!   `invalid_request.rs`, `auth.rs`, `forbidden.rs`, `target_url.rs`, `stateful.rs`, `paging.rs`,
//!   `deliveries.rs`, `undeliverable.rs`.

mod answers;
mod auth;
mod call;
mod client;
mod crud;
mod deliveries;
mod documented_example;
mod forbidden;
mod generated;
mod graphql;
mod invalid_request;
mod malformed;
mod op;
mod paging;
mod stateful;
mod target_url;
mod undeliverable;

use std::time::Duration;

use super::CheckInfo;
use crate::mock::Credentials;
use crate::transcript::Recorder;

pub use call::Call;
pub use client::{Api, Session, origin};
pub use deliveries::Capture;
pub use op::{As, Op};

/// One deliberate fault of the mock per provider check, each written beside the check it
/// proves (test support): the project's tests give a mock one (`MockBuilder::fault`) and
/// assert that its check fails.
#[cfg(feature = "test-support")]
pub mod faults {
    pub use super::auth::fault::{IgnoresCredentials, LeaksTenants};
    pub use super::deliveries::fault::{DeliversUnsubscribed, SignsWithWrongKey};
    pub use super::documented_example::fault::DropsIdFromResponses;
    pub use super::forbidden::fault::ForbiddenAnsweredOk;
    pub use super::generated::fault::ForgetsUpdates;
    pub use super::graphql::fault::{AcceptsWrongEnumValues, IgnoresUnknownInputFields};
    pub use super::invalid_request::fault::{
        AcceptsAnyExtraMember, AcceptsOverlongStrings, CrashesOnBrokenJson, SkipsValidation,
    };
    pub use super::malformed::fault::{CrashesOnEmptyBody, IgnoresContentType};
    pub use super::paging::fault::CursorRepeatsAnItem;
    pub use super::stateful::fault::ServesDeleted;
    pub use super::target_url::fault::AcceptsHttpTargets;
    pub use super::undeliverable::fault::RetryDoesNotResend;
}

/// Whether a check runs for a subject (an operation, a collection or an event).
pub use super::receiver::Applies;

/// One provider check.
#[derive(Clone, Copy)]
pub struct ProviderCheck {
    /// Name, reason, source.
    pub info: CheckInfo,
    /// The subjects it has trials for: operations, collections or events.
    pub subjects: fn(&Api) -> Vec<(String, Applies)>,
    /// Runs it for one subject: `Ok(None)` passed, `Ok(Some(reason))` could not run (the
    /// target lacks what it needs), `Err(report)` failed.
    pub run: fn(&Session<'_>, &str) -> Result<Option<String>, String>,
}

impl ProviderCheck {
    /// Runs it for one subject against `api`'s target, outside a run (no transcript kept).
    pub fn run_on(&self, api: &Api, subject: &str) -> Result<Option<String>, String> {
        let recorder = Recorder::new(false);
        (self.run)(&api.session(&recorder), subject)
    }
}

impl std::fmt::Debug for ProviderCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.info.id)
    }
}

/// Every provider check, in the order trials are listed.
#[must_use]
pub fn catalogue() -> Vec<ProviderCheck> {
    vec![
        documented_example::CHECK,
        generated::CHECK,
        invalid_request::CHECK,
        auth::CHECK,
        forbidden::CHECK,
        target_url::CHECK,
        stateful::CHECK,
        paging::CHECK,
        deliveries::CHECK,
        undeliverable::CHECK,
    ]
}

/// Where and how requests are made.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The base URL: the target's address plus the spec's base path
    /// (`http://127.0.0.1:8080/api` where the spec's server is `https://host/api`).
    pub target: String,
    /// The credentials, by tenant: the first tenant makes every request; a second one is the
    /// stranger of the tenant checks. Tenant ids are what path tenancy compares with
    /// (uc.alxgsv's project id).
    pub credentials: Credentials,
    /// Generated requests per operation.
    pub cases: u32,
    /// The seed of everything generated.
    pub seed: u64,
    /// Per-request timeout.
    pub timeout: Duration,
}
