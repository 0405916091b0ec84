//! The request pipeline, independent of HTTP plumbing: route, authenticate, check the tenant,
//! validate parameters and body, then run the operation's action on the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hyper::HeaderMap;
use proptest::test_runner::TestRng;
use serde_json::Value;

use super::auth::{self, Credentials, Tenant};
use super::error::MockError;
use super::form::form_urlencoded;
use super::journal::{Journal, Recorded};
use super::reply::{self, Reply, auth_status, client_error_status, missing_status, success_status};
use super::router::{Match, Router};
use super::schema;
use super::settings::{Defect, Settings};
use super::store::Store;
use crate::generate::{Generator, Mode, SchemaGen};
use crate::spec::extensions::{MockAction, MockState};
use crate::spec::{Endpoint, ProviderSpec, pointer};

/// A request as the engine sees it.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// `GET`, `POST`...
    pub method: String,
    /// The raw path.
    pub path: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// Headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

/// Everything a running mock holds.
pub struct Engine {
    pub(super) spec: ProviderSpec,
    pub(super) router: Router,
    pub(super) credentials: Credentials,
    pub(super) store: Arc<Store>,
    pub(super) settings: Settings,
    pub(super) graphql: Option<super::graphql::Graphql>,
    pub(super) rng: Arc<Mutex<TestRng>>,
    resources: HashMap<String, SchemaGen>,
    pub(super) generator: Generator,
    pub(super) dispatcher: Arc<crate::deliver::dispatch::Dispatcher>,
    /// The collection subscriptions live in, and where their id sits.
    pub(super) subscription_collection: String,
    pub(super) subscription_id_field: String,
    responses: Mutex<HashMap<String, Option<SchemaGen>>>,
    journal: Journal,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("provider", &self.spec.provider.id)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for `spec`. Fails when a resource schema named by an `x-operation.mock` cannot
    /// be generated.
    pub fn new(
        spec: ProviderSpec,
        credentials: Credentials,
        settings: Settings,
        seed: u64,
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
        let base = spec
            .servers
            .first()
            .and_then(|url| url.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_default();
        let graphql = match spec.endpoints.iter().find_map(|e| e.graphql.as_ref()) {
            Some(ext) => Some(super::graphql::build(ext).map_err(MockError::Graphql)?),
            None => None,
        };
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
        let rng = Arc::new(Mutex::new(crate::generate::rng::seeded(seed)));
        let secrets = credentials
            .tenants
            .iter()
            .map(|t| (t.id.clone(), t.secrets.clone()))
            .collect();
        let dispatcher = Arc::new(
            crate::deliver::dispatch::Dispatcher::new(
                Arc::new(spec.clone()),
                target,
                secrets,
                Arc::clone(&rng),
                settings.clock,
            )
            .with_defects(
                settings.defect == Some(Defect::SignsWithWrongKey),
                settings.defect == Some(Defect::DeliversUnsubscribed),
            ),
        );
        let settings_journal_limit = settings.journal_limit;
        Ok(Self {
            dispatcher,
            subscription_collection,
            subscription_id_field,
            generator,
            responses: Mutex::new(HashMap::new()),
            graphql,
            router: Router::new(&spec.endpoints, &base),
            spec,
            credentials,
            store: Arc::new(Store::default()),
            settings,
            resources,
            rng,
            journal: Journal::new(settings_journal_limit),
        })
    }

    /// Answers one request. Never panics on input; client errors are 4xx.
    pub fn handle(&self, request: &Incoming) -> Reply {
        let (reply, operation) = match self.router.find(&request.method, &request.path) {
            Match::NotFound => (self.not_found(request), None),
            Match::WrongMethod(allowed) => {
                let mut r = reply::error(
                    &self.spec,
                    None,
                    405,
                    &format!(
                        "{} {} is not an endpoint; this path takes {}",
                        request.method,
                        request.path,
                        allowed.join(", ")
                    ),
                );
                r.headers.push(("allow", allowed.join(", ")));
                (r, None)
            }
            Match::Found(i, params) => {
                let endpoint = &self.spec.endpoints[i];
                (self.endpoint(endpoint, &params, request), Some(i))
            }
        };
        self.journal
            .record(&request.method, &request.path, operation, reply.status);
        reply
    }

    /// The journal, oldest first.
    #[must_use]
    pub fn journal(&self) -> Vec<Recorded> {
        self.journal.read(&self.spec.endpoints)
    }

    fn not_found(&self, request: &Incoming) -> Reply {
        let mut endpoints: Vec<String> = self
            .spec
            .endpoints
            .iter()
            .map(|e| format!("{} {}{}", e.method, self.router.base(), e.path))
            .collect();
        endpoints.truncate(12);
        reply::error(
            &self.spec,
            None,
            404,
            &format!(
                "no endpoint {} {} in the {} mock; endpoints: {}",
                request.method,
                request.path,
                self.spec.provider.name,
                endpoints.join(", ")
            ),
        )
    }

    fn endpoint(
        &self,
        endpoint: &Endpoint,
        params: &[(String, String)],
        request: &Incoming,
    ) -> Reply {
        let tenant = match auth::authenticate(
            &self.credentials,
            &self.spec.security_schemes,
            &endpoint.security,
            &request.headers,
            &request.query,
        ) {
            Ok(tenant) => tenant,
            Err(_) if self.settings.defect == Some(Defect::IgnoresCredentials) => {
                self.credentials.tenants.first()
            }
            Err(message) => {
                return reply::error(&self.spec, Some(endpoint), auth_status(endpoint), &message);
            }
        };
        let mock = endpoint.ext.mock.as_ref();
        if let (Some(param), Some(tenant)) = (
            mock.and_then(|m| m.tenant.as_deref())
                .and_then(|t| t.strip_prefix("path:")),
            tenant,
        ) {
            let value = params
                .iter()
                .find(|(n, _)| n == param)
                .map_or("", |(_, v)| v.as_str());
            if value != tenant.id && self.settings.defect != Some(Defect::IgnoresCredentials) {
                return reply::error(
                    &self.spec,
                    Some(endpoint),
                    auth_status(endpoint),
                    &format!("the credentials do not belong to {param} `{value}`"),
                );
            }
        }
        if let Err(message) = self.check_parameters(endpoint, params, request) {
            return reply::error(
                &self.spec,
                Some(endpoint),
                client_error_status(endpoint),
                &message,
            );
        }
        let body = match self.body(endpoint, mock, request) {
            Ok(body) => body,
            Err(reply) => return reply,
        };
        let Some(mock) = mock else {
            return self.success(endpoint, None);
        };
        let context = Context {
            engine: self,
            endpoint,
            mock,
            tenant,
            params,
            body: body.as_ref(),
            query: &request.query,
        };
        context.run()
    }

    fn check_parameters(
        &self,
        endpoint: &Endpoint,
        params: &[(String, String)],
        request: &Incoming,
    ) -> Result<(), String> {
        for parameter in &endpoint.parameters {
            let raw: Option<String> = match parameter.location.as_str() {
                "path" => params
                    .iter()
                    .find(|(n, _)| *n == parameter.name)
                    .map(|(_, v)| v.clone()),
                "query" => request
                    .query
                    .iter()
                    .find(|(n, _)| *n == parameter.name)
                    .map(|(_, v)| v.clone()),
                "header" => request
                    .headers
                    .get(parameter.name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                _ => None,
            };
            let Some(raw) = raw else {
                if parameter.required {
                    return Err(format!(
                        "the {} parameter `{}` is required",
                        parameter.location, parameter.name
                    ));
                }
                continue;
            };
            let Some(schema) = &parameter.schema else {
                continue;
            };
            let value = coerce(&self.spec.document, schema, &raw);
            if self.spec.schemas.is_valid(schema, &value) {
                continue;
            }
            if let Some(v) = self
                .spec
                .schemas
                .violations(schema, &value)
                .and_then(|v| v.into_iter().next())
            {
                return Err(format!(
                    "the {} parameter `{}`: {}",
                    parameter.location, parameter.name, v.message
                ));
            }
        }
        Ok(())
    }

    /// Parses and validates the request body. `Err` is the reply to send.
    fn body(
        &self,
        endpoint: &Endpoint,
        mock: Option<&MockState>,
        request: &Incoming,
    ) -> Result<Option<Value>, Reply> {
        let Some(declared) = &endpoint.request else {
            return Ok(None);
        };
        let bad = |status: u16, message: String| {
            reply::error(&self.spec, Some(endpoint), status, &message)
        };
        if request.body.is_empty() {
            return if declared.required {
                Err(bad(
                    client_error_status(endpoint),
                    "a request body is required".into(),
                ))
            } else {
                Ok(None)
            };
        }
        let content_type = request
            .headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let media = if essence.is_empty() {
            declared.json()
        } else {
            declared
                .content
                .iter()
                .find(|m| m.content_type.eq_ignore_ascii_case(&essence))
        };
        let Some(media) = media else {
            let accepted: Vec<&str> = declared
                .content
                .iter()
                .map(|m| m.content_type.as_str())
                .collect();
            return Err(bad(
                415,
                format!(
                    "Content-Type `{content_type}` is not accepted here; send {}",
                    accepted.join(" or ")
                ),
            ));
        };
        let value = if media.content_type.contains("x-www-form-urlencoded") {
            Value::Object(
                form_urlencoded(&request.body)
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            )
        } else {
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(value) => value,
                Err(error) => {
                    return Err(bad(
                        client_error_status(endpoint),
                        format!("the body is not valid JSON: {error}"),
                    ));
                }
            }
        };
        if let Some(schema) = &media.schema {
            self.validate_body(endpoint, mock, schema, &value)?;
        }
        Ok(Some(value))
    }

    fn validate_body(
        &self,
        endpoint: &Endpoint,
        mock: Option<&MockState>,
        schema: &str,
        value: &Value,
    ) -> Result<(), Reply> {
        let bad = |message: String| {
            reply::error(
                &self.spec,
                Some(endpoint),
                client_error_status(endpoint),
                &message,
            )
        };
        // The URL deliveries go to: the provider's https rule, and the opt-in for local receivers.
        let target = mock.and_then(|m| {
            m.target
                .as_deref()
                .map(|t| format!("{}{t}", m.request.as_deref().unwrap_or("")))
        });
        let mut checked = std::borrow::Cow::Borrowed(value);
        if let Some(at) = &target
            && let Some(Value::String(url)) = pointer::get(value, at)
        {
            let https_only = mock.is_some_and(|m| m.https_only);
            if self.settings.defect == Some(Defect::AcceptsHttpTargets) {
                // The defect: no https rule at all, not even the schema's.
                if let Some(rest) = url.strip_prefix("http://") {
                    let mut copy = value.clone();
                    pointer::set(&mut copy, at, Value::String(format!("https://{rest}")));
                    checked = std::borrow::Cow::Owned(copy);
                }
            } else if let Some(rest) = url.strip_prefix("http://") {
                if self.settings.allow_http_targets && loopback(rest) {
                    let mut copy = value.clone();
                    pointer::set(&mut copy, at, Value::String(format!("https://{rest}")));
                    checked = std::borrow::Cow::Owned(copy);
                } else if https_only || !self.spec.schemas.is_valid(schema, value) {
                    return Err(bad(format!(
                        "{at}: `{url}` is not an HTTPS URL, and the provider only delivers to HTTPS URLs; to subscribe a local http:// receiver (127.0.0.1 or localhost) in tests, start the mock with --allow-http-targets (MockBuilder::allow_http_targets(true))"
                    )));
                }
            } else if https_only && !url.starts_with("https://") {
                return Err(bad(format!(
                    "{at}: `{url}` is not an HTTPS URL; the provider only delivers to HTTPS URLs"
                )));
            }
        }
        let value = checked.as_ref();
        if self.spec.schemas.is_valid(schema, value)
            || self.settings.defect == Some(Defect::SkipsValidation)
        {
            return Ok(());
        }
        // A discriminated oneOf: report the chosen branch's errors, which name the field.
        let precise = schema::discriminated(&self.spec.document, schema, value)
            .filter(|branch| self.spec.schemas.get(branch).is_some());
        let violations = self
            .spec
            .schemas
            .violations(precise.as_deref().unwrap_or(schema), value)
            .unwrap_or_default();
        let message = violations
            .iter()
            .take(3)
            .map(|v| {
                if v.instance_pointer.is_empty() {
                    v.message.clone()
                } else {
                    format!("{}: {}", v.instance_pointer, v.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        Err(bad(if message.is_empty() {
            "the body does not match the schema".into()
        } else {
            message
        }))
    }

    /// The documented success reply, with nothing put in it.
    fn success(&self, endpoint: &Endpoint, body: Option<Value>) -> Reply {
        let status = success_status(endpoint);
        let body = body.unwrap_or_else(|| self.template(endpoint, status));
        Reply::new(status, body)
    }

    /// The body a success answer starts from: the documented example, or, for a spec that
    /// prints none, a value generated from the response schema (an empty object without one).
    fn template(&self, endpoint: &Endpoint, status: u16) -> Value {
        self.template_around(endpoint, status, "")
    }

    /// [`Self::template`] for a body whose member `at` is about to be replaced: that member of
    /// the documented example is not copied.
    fn template_around(&self, endpoint: &Endpoint, status: u16, at: &str) -> Value {
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

    /// Draws a value of the resource schema at `pointer`, leaving the members at `skip` (about
    /// to be overwritten) undrawn.
    fn draw_resource(&self, at: &str, skip: &[String]) -> Option<Value> {
        let generator = self.resources.get(at)?;
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Unchecked: the resource is validated once it is built from the request.
        Some(generator.draw_skipping(&mut *rng, skip))
    }

    fn new_id(&self, template: &str) -> String {
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        crate::ids::fill(template, &mut *rng)
    }
}

/// One request being served by an action.
struct Context<'a> {
    engine: &'a Engine,
    endpoint: &'a Endpoint,
    mock: &'a MockState,
    tenant: Option<&'a Tenant>,
    params: &'a [(String, String)],
    body: Option<&'a Value>,
    query: &'a [(String, String)],
}

impl Context<'_> {
    fn run(&self) -> Reply {
        match self.mock.action {
            MockAction::Create => self.create(),
            MockAction::Read => self.with_existing(|resource| Ok(self.reply_with(resource))),
            MockAction::Update | MockAction::Replace => self.change(),
            MockAction::Delete | MockAction::Retry => self.delete(),
            MockAction::DeleteAll | MockAction::RetryAll => {
                self.engine.store.clear(self.collection(), self.tenant_id());
                self.engine.success(self.endpoint, None)
            }
            MockAction::List => self.list(),
            MockAction::Static => self.engine.success(self.endpoint, None),
            MockAction::Token => self.token(),
            MockAction::Graphql => {
                super::graphql::serve(self.engine, self.endpoint, self.tenant, self.body)
            }
        }
    }

    fn collection(&self) -> &str {
        self.mock.collection.as_deref().unwrap_or("resources")
    }

    fn tenant_id(&self) -> &str {
        self.tenant.map_or("", |t| t.id.as_str())
    }

    fn error(&self, status: u16, message: &str) -> Reply {
        reply::error(&self.engine.spec, Some(self.endpoint), status, message)
    }

    /// The request fields: the body at `request`.
    fn fields(&self) -> Result<serde_json::Map<String, Value>, Reply> {
        let at = self.mock.request.as_deref().unwrap_or("");
        match self.body.and_then(|b| pointer::get(b, at)) {
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(_) => Err(self.error(
                client_error_status(self.endpoint),
                &format!(
                    "{} must be an object",
                    if at.is_empty() { "the body" } else { at }
                ),
            )),
            None => Err(self.error(
                client_error_status(self.endpoint),
                &format!(
                    "the body needs {}",
                    if at.is_empty() {
                        "an object".to_string()
                    } else {
                        format!("`{at}`")
                    }
                ),
            )),
        }
    }

    fn id_field(&self) -> &str {
        self.mock.id_field.as_deref().unwrap_or("/id")
    }

    /// The id a read, update or delete names.
    fn requested_id(&self) -> Option<String> {
        let source = self.mock.id.as_deref()?;
        if let Some(param) = source.strip_prefix("path:") {
            return self
                .params
                .iter()
                .find(|(n, _)| n == param)
                .map(|(_, v)| v.clone());
        }
        let at = source.strip_prefix("body:")?;
        match pointer::get(self.body?, at)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    fn with_existing(&self, then: impl FnOnce(Value) -> Result<Reply, Reply>) -> Reply {
        let Some(id) = self.requested_id() else {
            return self.error(
                client_error_status(self.endpoint),
                "the request names no resource id",
            );
        };
        let found = self
            .engine
            .store
            .get(self.collection(), self.tenant_id(), &id)
            .or_else(|| {
                // The defect: any tenant's item answers.
                (self.engine.settings.defect == Some(Defect::LeaksTenants))
                    .then(|| {
                        self.engine
                            .credentials
                            .tenants
                            .iter()
                            .find_map(|t| self.engine.store.get(self.collection(), &t.id, &id))
                    })
                    .flatten()
            });
        match found {
            Some(resource) => then(resource).unwrap_or_else(|reply| reply),
            None => self.missing(&id),
        }
    }

    fn missing(&self, id: &str) -> Reply {
        self.error(
            missing_status(self.endpoint),
            &format!(
                "no {} `{id}` (for these credentials)",
                singular(self.collection())
            ),
        )
    }

    /// The documented success body with `resource` put at `response`.
    fn reply_with(&self, resource: Value) -> Reply {
        let mut resource = resource;
        if self.engine.settings.defect == Some(Defect::DropsIdFromResponses) {
            remove_at(&mut resource, self.id_field());
        }
        let status = success_status(self.endpoint);
        // Without `response`, a resource-building operation answers with the resource itself.
        let response = self
            .mock
            .response
            .as_deref()
            .or(self.mock.resource.as_ref().map(|_| ""));
        match response {
            Some(at) => {
                let mut body = self.engine.template_around(self.endpoint, status, at);
                if at.is_empty() {
                    body = resource;
                } else {
                    // A documented example without a place for the resource: start from nothing.
                    if pointer::get_or_create(&mut body, at).is_none() {
                        body = Value::Object(serde_json::Map::new());
                    }
                    pointer::set(&mut body, at, resource);
                }
                Reply::new(status, body)
            }
            None => self.engine.success(self.endpoint, None),
        }
    }

    fn create(&self) -> Reply {
        let fields = match self.fields() {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let template = self.mock.id_format.as_deref().unwrap_or("{uuid}");
        let mut id = self.engine.new_id(template);
        let mut resource = match self.build(fields, &id, None) {
            Ok(resource) => resource,
            Err(reply) => return reply,
        };
        for _ in 0..8 {
            if self
                .engine
                .store
                .insert(self.collection(), self.tenant_id(), &id, &resource)
            {
                return self.reply_with(resource);
            }
            // Taken: the same resource under another id.
            id = self.engine.new_id(template);
            pointer::set(&mut resource, self.id_field(), Value::String(id.clone()));
        }
        self.error(409, "could not find a free id (the id format is too small)")
    }

    /// Builds a stored resource from request fields: a drawn value of the resource schema, the
    /// id, the fields laid over `requestInto`, and the path fields. `existing` is the stored
    /// resource being replaced.
    fn build(
        &self,
        fields: serde_json::Map<String, Value>,
        id: &str,
        existing: Option<Value>,
    ) -> Result<Value, Reply> {
        let doc = &self.engine.spec.document;
        let resource_at = self
            .mock
            .resource
            .as_deref()
            .map(|r| r.trim_start_matches('#'));
        let into = self.mock.request_into.as_deref().unwrap_or("");
        // What the request, the id and the path will set is not worth drawing.
        let mut skip: Vec<String> = fields.keys().map(|k| pointer::join(into, k)).collect();
        skip.push(self.id_field().to_string());
        skip.extend(self.mock.from_path.keys().cloned());
        let mut resource = existing
            .or_else(|| resource_at.and_then(|at| self.engine.draw_resource(at, &skip)))
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        let into_schema = resource_at.and_then(|at| schema::at(doc, at, into));
        let required: Vec<&str> = into_schema
            .map(|s| schema::required(doc, s))
            .unwrap_or_default();
        let Some(Value::Object(target)) = pointer::get_or_create(&mut resource, into) else {
            return Err(self.error(
                client_error_status(self.endpoint),
                "the stored resource has no object where the request fields go",
            ));
        };
        // Drawn optional fields the request does not set: their default, or nothing.
        let drawn: Vec<String> = target.keys().cloned().collect();
        for key in drawn {
            if fields.contains_key(&key) {
                continue;
            }
            match into_schema.and_then(|s| schema::default_of(doc, s, &key)) {
                Some(default) => {
                    target.insert(key, default.clone());
                }
                None if required.contains(&key.as_str()) => {}
                None => {
                    target.shift_remove(&key);
                }
            }
        }
        for (key, value) in fields {
            target.insert(key, value);
        }
        pointer::set(
            &mut resource,
            self.id_field(),
            Value::String(id.to_string()),
        );
        for (at, param) in &self.mock.from_path {
            if let Some((_, value)) = self.params.iter().find(|(n, _)| n == param) {
                pointer::set(&mut resource, at, Value::String(value.clone()));
            }
        }
        // With http targets allowed, the stored target may be http where the schema says https.
        let mut checked = std::borrow::Cow::Borrowed(&resource);
        if self.engine.settings.allow_http_targets
            && let Some(at) = self.mock.stored_target()
            && let Some(Value::String(url)) = pointer::get(&resource, &at)
            && let Some(rest) = url.strip_prefix("http://")
            && loopback(rest)
        {
            let mut copy = resource.clone();
            pointer::set(&mut copy, &at, Value::String(format!("https://{rest}")));
            checked = std::borrow::Cow::Owned(copy);
        }
        if let Some(at) = resource_at
            && !matches!(
                self.engine.settings.defect,
                Some(Defect::SkipsValidation | Defect::AcceptsHttpTargets)
            )
            && let Some(violation) = self
                .engine
                .spec
                .schemas
                .violations(at, &checked)
                .and_then(|v| v.into_iter().next())
        {
            return Err(self.error(
                client_error_status(self.endpoint),
                &format!("the resource would be invalid: {violation}"),
            ));
        }
        Ok(resource)
    }

    fn change(&self) -> Reply {
        let fields = match self.fields() {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        self.with_existing(|stored| {
            let id = pointer::get(&stored, self.id_field())
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let resource = if self.mock.action == MockAction::Replace {
                let mut base = stored.clone();
                let into = self.mock.request_into.as_deref().unwrap_or("");
                // Replace: the request fields become the whole field set (id and path fields stay).
                if let Some(Value::Object(target)) = pointer::get_or_create(&mut base, into) {
                    target.clear();
                }
                self.build(fields, &id, Some(base))?
            } else {
                self.build(fields, &id, Some(stored))?
            };
            if self.engine.settings.defect != Some(Defect::ForgetsUpdates) {
                self.engine
                    .store
                    .replace(self.collection(), self.tenant_id(), &id, &resource);
            }
            Ok(self.reply_with(resource))
        })
    }

    fn delete(&self) -> Reply {
        let Some(id) = self.requested_id() else {
            return self.error(
                client_error_status(self.endpoint),
                "the request names no resource id",
            );
        };
        if self.engine.settings.defect == Some(Defect::ServesDeleted) {
            return self.with_existing(|resource| Ok(self.reply_with(resource)));
        }
        match self
            .engine
            .store
            .remove(self.collection(), self.tenant_id(), &id)
        {
            Some(resource) => self.reply_with(resource),
            None => self.missing(&id),
        }
    }

    fn list(&self) -> Reply {
        let mut items = if self.engine.settings.defect == Some(Defect::LeaksTenants) {
            self.engine
                .store
                .all(self.collection())
                .into_iter()
                .map(|(_, v)| v)
                .collect()
        } else {
            self.engine.store.list(self.collection(), self.tenant_id())
        };
        let number = |name: &str| {
            self.query
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let per_page = self.mock.page_size.as_deref().and_then(number);
        if let Some(per_page) = per_page {
            let page = self
                .mock
                .page
                .as_deref()
                .and_then(number)
                .unwrap_or(1)
                .max(1);
            items = items
                .into_iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .collect();
        }
        let status = success_status(self.endpoint);
        let at = self.mock.response.as_deref().unwrap_or("");
        let mut body = self.engine.template(self.endpoint, status);
        // Keep only what the response schema requires from the example: a documented cursor or
        // page count would describe the docs' data, not ours.
        let schema_at = self
            .endpoint
            .responses
            .iter()
            .find(|r| r.covers(status))
            .and_then(|r| r.body.json())
            .and_then(|m| m.schema.clone());
        if let (Some(schema_at), Value::Object(map)) = (schema_at, &mut body) {
            let doc = &self.engine.spec.document;
            let required: Vec<String> = pointer::get(doc, &schema_at)
                .map(|s| {
                    schema::required(doc, s)
                        .into_iter()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let top = pointer::tokens(at)
                .and_then(|t| t.into_iter().next())
                .unwrap_or_default();
            map.retain(|k, _| required.contains(k) || *k == top);
        }
        if at.is_empty() {
            body = Value::Array(items);
        } else {
            pointer::set(&mut body, at, Value::Array(items));
        }
        Reply::new(status, body)
    }

    /// Issues a bearer token for a tenant's client credentials (`client_id`, `client_secret`).
    fn token(&self) -> Reply {
        let field = |name: &str| self.body.and_then(|b| b.get(name)).and_then(Value::as_str);
        let secret = field("client_secret");
        let tenant = self.engine.credentials.tenants.iter().find(|t| {
            secret.is_some_and(|s| t.secrets.get("clientSecret").is_some_and(|own| own == s))
                && field("client_id")
                    .is_none_or(|id| t.secrets.get("clientId").is_none_or(|own| own == id))
        });
        let Some(tenant) = tenant else {
            return self.error(401, "unknown client_id or client_secret");
        };
        let bearer = self
            .engine
            .spec
            .security_schemes
            .iter()
            .find(|s| s.kind == "http" || s.kind == "oauth2")
            .and_then(|s| tenant.secrets.get(&s.name));
        let status = success_status(self.endpoint);
        let mut body = self.engine.template(self.endpoint, status);
        pointer::set(
            &mut body,
            "/access_token",
            Value::String(bearer.cloned().unwrap_or_default()),
        );
        Reply::new(status, body)
    }
}

/// Whether the rest of an `http://` URL names this machine (127.0.0.1, `[::1]`, localhost).
pub(super) fn loopback(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().map_or(host, |h| &h[1..])
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

fn remove_at(value: &mut Value, at: &str) {
    let Some((parent, last)) = at.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
        map.shift_remove(&pointer::unescape(last));
    }
}

fn singular(collection: &str) -> &str {
    collection.strip_suffix('s').unwrap_or(collection)
}

/// A query or path string read as its schema's type (`"5"` as 5 for an integer).
fn coerce(doc: &Value, schema_at: &str, raw: &str) -> Value {
    let types: Vec<&str> = match pointer::get(doc, schema_at).map(|s| s.get("type")) {
        Some(Some(Value::String(t))) => vec![t.as_str()],
        Some(Some(Value::Array(ts))) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer")
        && let Ok(n) = raw.parse::<i64>()
    {
        return Value::from(n);
    }
    if types.contains(&"number")
        && let Ok(n) = raw.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(n)
    {
        return Value::Number(n);
    }
    if types.contains(&"boolean") && (raw == "true" || raw == "false") {
        return Value::Bool(raw == "true");
    }
    Value::String(raw.to_string())
}
