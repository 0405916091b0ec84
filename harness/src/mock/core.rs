//! What every stage and action of a running mock reads: the spec, the tenants, the store, the
//! seeded drawing of ids, resources and answer bodies, the settings, the compiled GraphQL
//! schema, and the replaceable body stages (target-URL rule, validation).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use proptest::test_runner::TestRng;
use serde_json::Value;

use super::auth::Credentials;
use super::error::MockError;
#[cfg(feature = "graphql")]
use super::graphql::Compiled;
use super::reply;
use super::settings::Settings;
use super::store::Store;
use super::target::TargetRule;
use super::validate::Validate;
use crate::generate::{Generator, Mode, SchemaGen};
use crate::spec::{Endpoint, ProviderSpec, pointer};

/// The shared part of a running mock. Held in an `Arc`: a GraphQL request's resolvers keep a
/// handle on it while the GraphQL engine runs them.
pub struct Core {
    pub(super) spec: ProviderSpec,
    pub(super) credentials: Credentials,
    pub(super) store: Store,
    pub(super) settings: Settings,
    /// Shared with the dispatcher: one seeded sequence for everything the mock draws.
    pub(super) rng: Arc<Mutex<TestRng>>,
    pub(super) generator: Generator,
    #[cfg(feature = "graphql")]
    pub(super) graphql: Option<Compiled>,
    pub(super) target_rule: Box<dyn TargetRule>,
    pub(super) validate: Box<dyn Validate>,
    /// The dispatcher, whose undeliverable list the operations of
    /// `x-delivery.undeliverable.collection` serve (set once the engine has built it).
    pub(super) dispatcher: Option<Arc<crate::deliver::dispatch::Dispatcher>>,
    /// Generators of the resource schemas named by `x-operation.mock.resource`.
    resources: HashMap<String, SchemaGen>,
    /// Generators of response schemas, built on first use (`None`: cannot be generated).
    responses: Mutex<HashMap<String, Option<SchemaGen>>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("provider", &self.spec.provider.id)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// The core of a mock of `spec`. Fails when a resource schema named by an
    /// `x-operation.mock` cannot be generated, or the GraphQL schema cannot be served.
    pub(super) fn new(
        spec: ProviderSpec,
        credentials: Credentials,
        settings: Settings,
        seed: u64,
        target_rule: Box<dyn TargetRule>,
        validate: Box<dyn Validate>,
    ) -> Result<Self, MockError> {
        let generator = Generator::new(&spec);
        let mut resources = HashMap::new();
        for mock in spec.endpoints.iter().filter_map(|e| e.ext.mock.as_ref()) {
            if let Some(resource) = &mock.resource {
                let at = resource.trim_start_matches('#').to_string();
                if !resources.contains_key(&at) {
                    resources.insert(at.clone(), generator.schema(&at)?);
                }
            }
        }
        #[cfg(feature = "graphql")]
        let graphql = match spec.endpoints.iter().find_map(|e| e.graphql.as_ref()) {
            Some(ext) => Some(super::graphql::build(ext).map_err(MockError::Graphql)?),
            None => None,
        };
        #[cfg(not(feature = "graphql"))]
        if spec.endpoints.iter().any(|e| e.graphql.is_some()) {
            return Err(MockError::Graphql(
                "serving GraphQL needs the `graphql` feature of webhook-harness (on by default; add `features = [\"graphql\"]` to a `default-features = false` dependency)".into(),
            ));
        }
        Ok(Self {
            rng: Arc::new(Mutex::new(crate::generate::rng::seeded(seed))),
            generator,
            #[cfg(feature = "graphql")]
            graphql,
            spec,
            credentials,
            store: Store::default(),
            settings,
            target_rule,
            validate,
            dispatcher: None,
            resources,
            responses: Mutex::new(HashMap::new()),
        })
    }

    /// The body a success answer starts from: the documented example, or, for a spec that
    /// prints none, a value generated from the response schema (an empty object without one).
    pub(super) fn template(&self, endpoint: &Endpoint, status: u16) -> Value {
        self.template_around(endpoint, status, "")
    }

    /// [`Self::template`] for a body whose member `at` is about to be replaced: that member of
    /// the documented example is not copied.
    pub(super) fn template_around(&self, endpoint: &Endpoint, status: u16, at: &str) -> Value {
        if let Some(example) = reply::documented(endpoint, status) {
            let skip = pointer::tokens(at).and_then(|t| t.into_iter().next());
            return match (example, skip) {
                (Value::Object(map), Some(skip)) => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), if *k == skip { Value::Null } else { v.clone() }))
                        .collect(),
                ),
                _ => example.clone(),
            };
        }
        let schema = endpoint
            .responses
            .iter()
            .find(|r| r.covers(status))
            .and_then(|r| r.body.json())
            .and_then(|m| m.schema.clone());
        let Some(schema) = schema else {
            return Value::Object(serde_json::Map::new());
        };
        let mut cache = self
            .responses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !cache.contains_key(&schema) {
            let built = self.generator.schema(&schema).ok();
            cache.insert(schema.clone(), built);
        }
        let drawn = cache.get(&schema).and_then(Option::as_ref).and_then(|g| {
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            g.draw(Mode::Valid, &mut *rng).ok()
        });
        drawn.map_or_else(|| Value::Object(serde_json::Map::new()), |s| s.value)
    }

    /// Draws a value of the resource schema at `at`, leaving the members at `skip` (about to
    /// be overwritten) undrawn.
    pub(super) fn draw_resource(&self, at: &str, skip: &[String]) -> Option<Value> {
        let generator = self.resources.get(at)?;
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Unchecked: the resource is validated once it is built from the request.
        Some(generator.draw_skipping(&mut *rng, skip))
    }

    /// A fresh id from an id template (`wh-{alnum:22}`, `{uuid}`...).
    pub(super) fn new_id(&self, template: &str) -> String {
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        crate::ids::fill(template, &mut *rng)
    }
}
