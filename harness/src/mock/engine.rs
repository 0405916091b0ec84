//! Everything a running mock holds, assembled from the builder's settings and extension
//! points: the shared [`Core`], the action table, the route table, the authentication stage,
//! the reply hooks, the journal and the delivery dispatcher.

use std::sync::Arc;

use super::action::{self, Action, Actions};
use super::auth::{Authenticate, Credentials, SpecSecurity};
use super::core::Core;
use super::error::MockError;
use super::expect::Expectations;
use super::hook::ReplyHook;
use super::journal::Journal;
use super::router::Router;
use super::settings::Settings;
use super::target::{HttpsRule, TargetRule};
use super::validate::{SchemaValidation, Validate};
use crate::deliver::dispatch::Dispatcher;
use crate::spec::ProviderSpec;
use crate::spec::extensions::{MockAction, MockState};

/// The extension points a builder fills in; each has its default.
pub struct Extensions {
    /// Actions in place of the built-in ones, by kind (default none).
    pub(super) kinds: Vec<(MockAction, Box<dyn Action>)>,
    /// Actions in place of the built-in ones, by `operationId` or GraphQL field (default none).
    pub(super) operations: Vec<(String, Box<dyn Action>)>,
    /// The authentication stage (default [`SpecSecurity`]).
    pub(super) authenticate: Box<dyn Authenticate>,
    /// Schema validation (default [`SchemaValidation`]).
    pub(super) validate: Box<dyn Validate>,
    /// The target-URL rule (default [`HttpsRule`]).
    pub(super) target_rule: Box<dyn TargetRule>,
    /// Reply hooks, in order (default none).
    pub(super) hooks: Vec<Box<dyn ReplyHook>>,
    /// A departure from the delivery rules (default none: the documented rules).
    pub(super) delivery: Option<Box<dyn crate::deliver::dispatch::Hook>>,
}

impl Default for Extensions {
    fn default() -> Self {
        Self {
            kinds: Vec::new(),
            operations: Vec::new(),
            authenticate: Box::new(SpecSecurity),
            validate: Box::new(SchemaValidation),
            target_rule: Box::new(HttpsRule),
            hooks: Vec::new(),
            delivery: None,
        }
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field(
                "kinds",
                &self.kinds.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field(
                "operations",
                &self.operations.iter().map(|(o, _)| o).collect::<Vec<_>>(),
            )
            .field("hooks", &self.hooks.len())
            .finish_non_exhaustive()
    }
}

/// Everything a running mock holds.
pub struct Engine {
    pub(super) core: Arc<Core>,
    pub(super) actions: Arc<Actions>,
    pub(super) router: Router,
    pub(super) authenticate: Box<dyn Authenticate>,
    pub(super) hooks: Vec<Box<dyn ReplyHook>>,
    pub(super) journal: Journal,
    pub(super) dispatcher: Arc<Dispatcher>,
    /// The expectations on deliveries, and the tally of attempts they are checked against.
    pub(super) expectations: Arc<Expectations>,
    /// The collection subscriptions live in, and where their id sits.
    pub(super) subscription_collection: String,
    pub(super) subscription_id_field: String,
    /// The subscribers as last read from the store, with the store's write count then: an
    /// emission reads the store again only after a write.
    pub(super) subscribers: std::sync::Mutex<(u64, Arc<Vec<crate::deliver::Subscriber>>)>,
    /// Each event's payload generator, compiled on first use.
    pub(super) events:
        std::sync::Mutex<std::collections::HashMap<String, crate::generate::SchemaGen>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("provider", &self.core.spec.provider.id)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for `spec`. Fails when a resource schema named by an `x-operation.mock` cannot
    /// be generated, or the GraphQL schema cannot be served.
    pub(super) fn new(
        spec: ProviderSpec,
        credentials: Credentials,
        settings: Settings,
        seed: u64,
        extensions: Extensions,
    ) -> Result<Self, MockError> {
        let mut core = Core::new(
            spec,
            credentials,
            settings,
            seed,
            extensions.target_rule,
            extensions.validate,
        )?;
        let spec = &core.spec;
        let base = spec
            .servers
            .first()
            .and_then(|url| url.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_default();
        let creator = spec.subscription_creator().cloned();
        let subscription_collection = creator
            .as_ref()
            .and_then(|m| m.collection.clone())
            .unwrap_or_else(|| "subscriptions".into());
        let subscription_id_field = creator
            .as_ref()
            .and_then(|m| m.id_field.clone())
            .unwrap_or_else(|| "/id".into());
        let target = creator
            .as_ref()
            .and_then(MockState::stored_target)
            .unwrap_or_default();
        let secrets = core
            .credentials
            .tenants
            .iter()
            .map(|t| (t.id.clone(), t.secrets.clone()))
            .collect();
        // Deliveries follow the spec's rules with the builder's overrides (retries, backoff,
        // time limit); everything else reads the spec as written.
        let mut delivering = spec.clone();
        delivering.delivery = core.settings.delivery.apply(&spec.delivery);
        let dispatcher = Dispatcher::new(
            Arc::new(delivering),
            target,
            secrets,
            Arc::clone(&core.rng),
            core.settings.clock,
        );
        let expectations = Arc::new(Expectations::default());
        let observer = Arc::clone(&expectations);
        let dispatcher = dispatcher.with_observer(move |attempt| observer.observe(attempt));
        let dispatcher = Arc::new(match extensions.delivery {
            Some(hook) => dispatcher.with_boxed_hook(hook),
            None => dispatcher,
        });
        let router = Router::new(&spec.endpoints, &base);
        core.dispatcher = Some(Arc::clone(&dispatcher));
        Ok(Self {
            router,
            journal: Journal::new(core.settings.journal_limit),
            actions: Arc::new(action::registry(extensions.kinds, extensions.operations)),
            authenticate: extensions.authenticate,
            hooks: extensions.hooks,
            dispatcher,
            expectations,
            subscription_collection,
            subscription_id_field,
            subscribers: std::sync::Mutex::new((u64::MAX, Arc::new(Vec::new()))),
            events: std::sync::Mutex::default(),
            core: Arc::new(core),
        })
    }
}
