//! Spec files: loading, resolving and checking the OpenAPI 3.1 documents in `specs/`.
//!
//! Start from [`Loader`] (or [`ProviderSpec::load`]): it parses the YAML, applies run-time
//! overrides of the spec's assumptions, checks every `$ref` and every `x-` extension
//! (`specs/EXTENSIONS.md`), validates the document against the OpenAPI 3.1 meta-schema, builds the
//! typed model ([`Endpoint`], [`Event`], the signature and delivery rules, the invariants, errata
//! and assumptions) and compiles every schema once ([`SchemaSet`]). Every problem found is
//! reported, each with the file and the JSON Pointer at fault ([`SpecErrors`]).
//!
//! [`lint`] goes further: it validates every example and fixture, checks the invariants on them
//! and matches failures against the recorded errata.

mod build;
pub mod bundle;
mod checks;
pub mod error;
pub mod extensions;
pub mod invariant;
pub mod keywords;
pub mod lint;
mod load;
pub mod model;
pub mod overlay;
pub mod parse;
pub mod pointer;
pub mod provenance;
pub mod schemas;
pub mod signing;
mod walk;

use std::path::PathBuf;

use serde_json::Value;

pub use error::{SpecError, SpecErrorKind, SpecErrors};
pub use extensions::{
    AssumptionExt as Assumption, DeliveryExt as DeliveryRules, EnvelopeExt as Envelope,
    ErratumExt as Erratum, InvariantExt as Invariant, ProviderInfo,
    SignatureExt as SignatureScheme,
};
pub use load::{Loader, SPECS_DIR_ENV, builtin_names, specs_dir};
pub use model::{Body, Endpoint, Event, Example, Media, Parameter, Response, SecurityScheme};
pub use schemas::{SchemaSet, Violation};

/// An `x-` key of another tool in a foreign document: kept in the document, ignored by the
/// harness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignExtension {
    /// The key, e.g. `x-speakeasy-retries`.
    pub key: String,
    /// Where it first stands.
    pub first: String,
    /// How many nodes carry it.
    pub count: usize,
}

/// One provider's spec, loaded and checked.
#[derive(Debug, Clone)]
pub struct ProviderSpec {
    /// The file it was loaded from.
    pub file: PathBuf,
    /// The OpenAPI Overlay files applied to it, in order (`--overlay`).
    pub overlays: Vec<PathBuf>,
    /// The `x-` keys of other tools found in a document read as foreign (kept, ignored), each
    /// once, in document order.
    pub foreign_extensions: Vec<ForeignExtension>,
    /// The whole document, with assumption overrides applied.
    pub document: Value,
    /// `info.x-provider`.
    pub provider: ProviderInfo,
    /// `servers[].url`.
    pub servers: Vec<String>,
    /// `components/securitySchemes`.
    pub security_schemes: Vec<SecurityScheme>,
    /// The management endpoints.
    pub endpoints: Vec<Endpoint>,
    /// The events.
    pub events: Vec<Event>,
    /// `x-webhook-signature` as written.
    pub signature: SignatureScheme,
    /// `x-webhook-signature` resolved: its preset applied, every scheme complete.
    pub signing: signing::Signing,
    /// `x-delivery`.
    pub delivery: DeliveryRules,
    /// `x-envelope`.
    pub envelope: Envelope,
    /// `x-invariants`.
    pub invariants: Vec<Invariant>,
    /// `x-assumptions`, with overridden values.
    pub assumptions: Vec<Assumption>,
    /// Ids of the assumptions overridden at load time.
    pub overridden: Vec<String>,
    /// `x-errata`.
    pub errata: Vec<Erratum>,
    /// Every schema, compiled.
    pub schemas: SchemaSet,
}

impl ProviderSpec {
    /// Loads a built-in spec by name (`swsh`) or a spec file by path, with no overrides.
    pub fn load(name_or_path: &str) -> Result<Self, SpecErrors> {
        Loader::new().load(name_or_path)
    }

    /// The event named `name`.
    #[must_use]
    pub fn event(&self, name: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.name == name)
    }

    /// The lifecycle `event` belongs to: the events about the same `resource` that declare a
    /// `resourceId`, in the order the spec lists them (empty when `event` declares none).
    #[must_use]
    pub fn lifecycle(&self, event: &str) -> Vec<&Event> {
        let Some(resource) = self
            .event(event)
            .filter(|e| !e.ext.resource_id.is_empty())
            .and_then(|e| e.ext.resource.as_deref())
        else {
            return Vec::new();
        };
        self.events
            .iter()
            .filter(|e| {
                e.ext.resource.as_deref() == Some(resource) && !e.ext.resource_id.is_empty()
            })
            .collect()
    }

    /// The event name a payload carries (`x-envelope.eventName`), if the provider puts one in
    /// the payload (see [`Self::event_name_in`] for one in a header).
    #[must_use]
    pub fn event_name_of<'v>(&self, payload: &'v serde_json::Value) -> Option<&'v str> {
        let at = self.envelope.event_name.as_deref()?;
        pointer::get(payload, at)?.as_str()
    }

    /// The event id a payload carries (`x-envelope.eventId`), if the provider puts one in the
    /// payload (see [`Self::event_id_in`] for one in a header).
    #[must_use]
    pub fn event_id_of<'v>(&self, payload: &'v serde_json::Value) -> Option<&'v str> {
        let at = self.envelope.event_id.as_deref()?;
        pointer::get(payload, at)?.as_str()
    }

    /// An envelope field of a delivery, wherever the spec puts it (`x-envelope`): a header
    /// (`header:<Name>`, read with `header`) or a pointer into the payload.
    pub fn envelope_value(
        &self,
        source: Option<&str>,
        header: impl Fn(&str) -> Option<String>,
        payload: &serde_json::Value,
    ) -> Option<String> {
        let source = source?;
        match source.strip_prefix("header:") {
            Some(name) => header(name),
            None => pointer::get(payload, source).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
        }
    }

    /// The event name of a delivery (`x-envelope.eventName`, header or payload).
    pub fn event_name_in(
        &self,
        header: impl Fn(&str) -> Option<String>,
        payload: &serde_json::Value,
    ) -> Option<String> {
        self.envelope_value(self.envelope.event_name.as_deref(), header, payload)
    }

    /// The event id of a delivery (`x-envelope.eventId`, header or payload).
    pub fn event_id_in(
        &self,
        header: impl Fn(&str) -> Option<String>,
        payload: &serde_json::Value,
    ) -> Option<String> {
        self.envelope_value(self.envelope.event_id.as_deref(), header, payload)
    }

    /// The endpoint whose `operationId` is `id`.
    #[must_use]
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.operation_id == id)
    }

    /// The invariants that apply to `event`.
    pub fn invariants_for<'a>(
        &'a self,
        event: &'a str,
    ) -> impl Iterator<Item = &'a Invariant> + 'a {
        self.invariants.iter().filter(move |i| i.applies_to(event))
    }

    /// The errata that list `pointer` (an example's pointer, say).
    pub fn errata_for<'a>(&'a self, pointer: &'a str) -> impl Iterator<Item = &'a Erratum> + 'a {
        self.errata
            .iter()
            .filter(move |e| e.affects.iter().any(|a| a == pointer))
    }

    /// The mock description of the operation that creates subscriptions (a create with a target
    /// URL, over REST or GraphQL): where subscriptions live and what they hold.
    #[must_use]
    pub fn subscription_creator(&self) -> Option<&extensions::MockState> {
        let rest = self.endpoints.iter().filter_map(|e| e.ext.mock.as_ref());
        let graphql = self
            .endpoints
            .iter()
            .filter_map(|e| e.graphql.as_ref())
            .flat_map(|g| g.operations.iter().filter_map(|o| o.mock.as_ref()));
        rest.chain(graphql)
            .find(|m| m.action == extensions::MockAction::Create && m.target.is_some())
    }

    /// Resolves a path written in the spec (a fixture's `x-fixture`) against the spec's folder.
    #[must_use]
    pub fn resolve_path(&self, relative: &str) -> PathBuf {
        self.file
            .parent()
            .map_or_else(|| PathBuf::from(relative), |dir| dir.join(relative))
    }
}
