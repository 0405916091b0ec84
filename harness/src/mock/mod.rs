//! The mock provider: every endpoint of a spec, served over real HTTP with real state, auth and
//! validation, in-process from a test or standalone (`cargo xtask mock`).
//!
//! Start from [`MockProvider::start`] (or [`MockProvider::builder`] to change a setting):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use webhook_harness::mock::MockProvider;
//! use webhook_harness::spec::ProviderSpec;
//!
//! let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
//! let key = provider.credentials().secret("tenant-a", "ApiKeyAuth").unwrap().to_string();
//! let response = reqwest::Client::new()
//!     .post(format!("{}/webhook/createSubscription", provider.uri()))
//!     .header("x-api-key", key)
//!     .json(&serde_json::json!({"event": "newAlbum", "targetUrl": "https://example.com/hook"}))
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(provider.resources("subscriptions").len(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! Everything provider-specific comes from the spec's `x-operation.mock` (see
//! `specs/EXTENSIONS.md`). What lives where:
//!
//! - Starting and handling a mock: `builder.rs` ([`MockBuilder`]: every setting and extension
//!   point with its default), `provider.rs` ([`MockProvider`]), `settings.rs` ([`Settings`]),
//!   `error.rs` ([`MockError`]).
//! - The request pipeline, `pipeline.rs`, free of HTTP: route (`router.rs`) → authenticate,
//!   credentials and tenancy (`auth.rs`, [`Authenticate`]) → parameters → body (`body.rs`:
//!   content type, JSON or form (`form.rs`), the target-URL rule (`target.rs`,
//!   [`TargetRule`]), the schema (`validate.rs`, [`Validate`])) → the operation's action →
//!   the reply hooks (`hook.rs`, [`ReplyHook`]) → the journal (`journal.rs`). Refusals are
//!   errors in the provider's own shape (`reply.rs`).
//! - The actions, [`action`]: one file per `x-operation.mock.action` behind the
//!   [`action::Action`] trait, registered in [`action::builtin`]; the GraphQL endpoint
//!   (`graphql.rs` compiles the spec's SDL) calls the same actions for its root fields.
//! - What the stages and actions share, `core.rs`: the spec, the tenants, the store
//!   (`store.rs`), seeded drawing of ids and bodies; stored resources are built in
//!   `resource.rs` (with raw schema lookups from `schema.rs`).
//! - The test API: `subscribe.rs` ([`MockProvider::subscribe`]: the spec's
//!   subscription-creating operation called through the pipeline, read back into a
//!   [`Subscription`] with its signing secret), `expect.rs` ([`MockProvider::expect`],
//!   [`Expectation`]: counts of acknowledged deliveries, checked by [`MockProvider::verify`]
//!   and on drop), `policy.rs` ([`DeliveryPolicy`]: the spec's retries, backoff and time limit
//!   with the builder's overrides, [`MockBuilder::fast`]).
//! - Deliveries: `emit.rs` ([`Emit`]); the admin endpoints under `/__mock/`: `admin.rs`;
//!   `server.rs` is the HTTP plumbing (hyper on 127.0.0.1, body limit, graceful shutdown).
//!
//! Every extension point has a default that behaves as the provider documents; a test (or a
//! user) replaces one through the builder, as wiremock lets one plug in a custom responder:
//! [`MockBuilder::action`], [`MockBuilder::operation`], [`MockBuilder::authenticate`],
//! [`MockBuilder::validate`], [`MockBuilder::target_rule`], [`MockBuilder::on_reply`].

pub mod action;
mod admin;
mod auth;
mod body;
mod builder;
mod connection;
mod core;
mod emit;
mod engine;
mod error;
mod expect;
mod form;
#[cfg(feature = "graphql")]
mod graphql;
#[cfg(feature = "graphql")]
pub mod graphql_limits;
mod hook;
mod journal;
mod pipeline;
mod policy;
mod provider;
mod reply;
mod resource;
mod router;
mod schema;
mod server;
mod settings;
mod store;
mod subscribe;
mod target;
mod validate;

pub use crate::deliver::dispatch::{Attempt, Outcome, Recipient, Report, Undeliverable};
pub use crate::ids::fill as fill_id;
pub use auth::{
    AuthRequest, Authenticate, Credentials, SpecSecurity, Tenant,
    credential_names as credential_names_of, default_credentials,
};
#[cfg(feature = "test-support")]
pub use builder::Fault;
pub use builder::MockBuilder;
pub use emit::{Emit, EmitError};
pub use error::MockError;
pub use expect::{Expectation, ExpectationError};
pub use hook::{Exchange, ReplyHook};
pub use journal::Recorded;
pub use policy::{DeliveryOverrides, DeliveryPolicy};
pub use provider::MockProvider;
pub use reply::Reply;
pub use settings::Settings;
pub use store::Store;
pub use subscribe::{SubscribeError, Subscription};
pub use target::{HttpsRule, Target, TargetRule, Verdict};
pub use validate::{SchemaValidation, Validate, Validated, Validation};
