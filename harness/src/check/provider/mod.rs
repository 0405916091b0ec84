//! Provider-mode checks: what an implementation of a provider's API (the mock, a fake, a proxy,
//! an alternative) must do, as the spec documents it. [`Api`] makes the requests, with the
//! credentials it was given, and records both sides for the failure report and the transcript.

mod auth;
mod deliveries;
mod documented_example;
mod generated;
mod invalid_request;
mod stateful;
mod target_url;

use std::cell::RefCell;
use std::sync::{OnceLock, RwLock};
use std::time::Duration;

use serde_json::Value;

use super::{CheckInfo, excerpt};
use crate::generate::Generator;
use crate::mock::Credentials;
use crate::spec::extensions::{MockAction, MockState};
use crate::spec::model::Endpoint;
use crate::spec::{ProviderSpec, pointer};

pub use deliveries::Capture;

/// One deliberate fault of the mock per provider check, each written beside the check it
/// proves (test support): the project's tests give a mock one (`MockBuilder::fault`) and
/// assert that its check fails.
#[cfg(feature = "test-support")]
pub mod faults {
    pub use super::auth::fault::{IgnoresCredentials, LeaksTenants};
    pub use super::deliveries::fault::{DeliversUnsubscribed, SignsWithWrongKey};
    pub use super::documented_example::fault::DropsIdFromResponses;
    pub use super::generated::fault::ForgetsUpdates;
    pub use super::invalid_request::fault::SkipsValidation;
    pub use super::stateful::fault::ServesDeleted;
    pub use super::target_url::fault::AcceptsHttpTargets;
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
    pub run: fn(&Api, &str) -> Result<Option<String>, String>,
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
        target_url::CHECK,
        stateful::CHECK,
        deliveries::CHECK,
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

/// One operation: a REST endpoint, or one operation of a GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct Op {
    /// Its name in trial names: the `operationId`, or the GraphQL field.
    pub name: String,
    /// Index of its endpoint in the spec.
    pub endpoint: usize,
    /// What it does to the state.
    pub mock: Option<MockState>,
    /// The GraphQL field, for a GraphQL operation.
    pub graphql: Option<String>,
}

impl Op {
    /// Its action, if it has state.
    #[must_use]
    pub fn action(&self) -> Option<MockAction> {
        self.mock.as_ref().map(|m| m.action)
    }

    /// Its collection.
    #[must_use]
    pub fn collection(&self) -> Option<&str> {
        self.mock.as_ref().and_then(|m| m.collection.as_deref())
    }

    /// Where the request fields sit in the body it sends.
    #[must_use]
    pub fn fields_at(&self) -> String {
        let request = self
            .mock
            .as_ref()
            .and_then(|m| m.request.as_deref())
            .unwrap_or("");
        match &self.graphql {
            Some(_) => format!("/variables{request}"),
            None => request.to_string(),
        }
    }

    /// Where a field of the stored resource (`/config/event`) sits in the body it sends, if
    /// the request sets it.
    #[must_use]
    pub fn field(&self, stored: &str) -> Option<String> {
        let into = self
            .mock
            .as_ref()
            .and_then(|m| m.request_into.as_deref())
            .unwrap_or("");
        stored
            .strip_prefix(into)
            .map(|rest| format!("{}{rest}", self.fields_at()))
    }

    /// Where the resource id goes in the body (`body:` ids: a delete by body).
    #[must_use]
    pub fn body_id(&self) -> Option<String> {
        let at = self.mock.as_ref()?.id.as_deref()?.strip_prefix("body:")?;
        Some(match &self.graphql {
            Some(_) => format!("/variables{at}"),
            None => at.to_string(),
        })
    }

    /// The path parameter naming the resource.
    #[must_use]
    pub fn path_id(&self) -> Option<&str> {
        self.mock.as_ref()?.id.as_deref()?.strip_prefix("path:")
    }

    /// Whether it names an existing resource.
    #[must_use]
    pub fn needs_id(&self) -> bool {
        self.mock.as_ref().is_some_and(|m| m.id.is_some())
    }
}

/// Who a request claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum As {
    /// The tenant at this index of the credentials.
    Tenant(usize),
    /// Nobody: no credentials at all.
    Nobody,
    /// Credentials in the right place, but not valid ones.
    Forged,
    /// The second tenant's credentials, in the first tenant's place (its project in the path).
    Stranger,
}

/// One request and its answer, kept for the failure report and the transcript.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method.
    pub method: String,
    /// URL.
    pub url: String,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
    /// The status, if an answer came.
    pub status: Option<u16>,
    /// The answer's body.
    pub response: String,
    /// The answer parsed as JSON, if it is.
    pub json: Option<Value>,
    /// Why no answer came.
    pub error: Option<String>,
}

impl Call {
    /// Whether the answer is a 2xx (and, for GraphQL, carries no `errors`).
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
            && self
                .json
                .as_ref()
                .is_none_or(|j| j.get("errors").is_none_or(Value::is_null))
    }

    /// The request and the answer, as a failure report shows them.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = format!("request: {} {}\n", self.method, self.url);
        for (name, value) in &self.headers {
            out.push_str(&format!("  {name}: {value}\n"));
        }
        if !self.body.is_empty() {
            out.push_str(&format!(
                "  body: {}\n",
                excerpt(&String::from_utf8_lossy(&self.body), 2048)
            ));
        }
        match (self.status, &self.error) {
            (Some(status), _) => out.push_str(&format!(
                "response: {status}\n  body: {}\n",
                excerpt(&self.response, 1024)
            )),
            (None, Some(error)) => out.push_str(&format!("response: none ({error})\n")),
            (None, None) => out.push_str("response: none\n"),
        }
        out
    }
}

thread_local! {
    /// Values the target (or the harness) made up during the current trial, with the
    /// placeholder a transcript shows instead (`[id N]`, `{capture}`).
    static MADE_UP: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// Makes the requests of one provider's checks to the target.
pub struct Api {
    /// The spec.
    pub spec: ProviderSpec,
    /// The settings.
    pub settings: Settings,
    /// The generator of the spec's values.
    pub generator: Generator,
    /// Every operation.
    pub ops: Vec<Op>,
    /// Trials that create resources hold it shared; a delivery trial holds it alone, so that
    /// no other trial's subscription (pointing nowhere) is delivered to, or blocks a queue,
    /// while it runs.
    pub subscriptions: RwLock<()>,
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    triggers: OnceLock<Option<String>>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("provider", &self.spec.provider.id)
            .field("target", &self.settings.target)
            .finish_non_exhaustive()
    }
}

impl Api {
    /// The API of `spec` at the target, requested with `runtime`.
    #[must_use]
    pub fn new(spec: ProviderSpec, settings: Settings, runtime: tokio::runtime::Handle) -> Self {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let mut ops = Vec::new();
        for (index, endpoint) in spec.endpoints.iter().enumerate() {
            ops.push(Op {
                name: endpoint.operation_id.clone(),
                endpoint: index,
                mock: endpoint.ext.mock.clone(),
                graphql: None,
            });
            for op in endpoint.graphql.iter().flat_map(|g| &g.operations) {
                if op.mock.is_some() {
                    ops.push(Op {
                        name: op.name.clone(),
                        endpoint: index,
                        mock: op.mock.clone(),
                        graphql: Some(op.name.clone()),
                    });
                }
            }
        }
        Self {
            generator: Generator::new(&spec),
            spec,
            settings,
            ops,
            subscriptions: RwLock::new(()),
            client,
            runtime,
            triggers: OnceLock::new(),
        }
    }

    /// Runs `future` on the runtime the requests use.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The endpoint of `op`.
    #[must_use]
    pub fn endpoint(&self, op: &Op) -> &Endpoint {
        &self.spec.endpoints[op.endpoint]
    }

    /// The operation named `name`.
    #[must_use]
    pub fn op(&self, name: &str) -> Option<&Op> {
        self.ops.iter().find(|o| o.name == name)
    }

    /// The operation of `collection` doing `action` (REST first).
    #[must_use]
    pub fn op_for(&self, collection: &str, actions: &[MockAction]) -> Option<&Op> {
        actions.iter().find_map(|action| {
            self.ops
                .iter()
                .find(|o| o.collection() == Some(collection) && o.action() == Some(*action))
        })
    }

    /// The number of tenants the credentials name.
    #[must_use]
    pub fn tenants(&self) -> usize {
        self.settings.credentials.tenants.len()
    }

    /// The first documented 2xx status of `op` (200 for GraphQL and when none is).
    #[must_use]
    pub fn success_status(&self, op: &Op) -> u16 {
        self.endpoint(op)
            .responses
            .iter()
            .filter_map(|r| r.status.parse::<u16>().ok())
            .find(|s| (200..300).contains(s))
            .unwrap_or(200)
    }

    /// Whether `op`'s endpoint documents `status`.
    #[must_use]
    pub fn documents(&self, op: &Op, status: u16) -> bool {
        self.endpoint(op)
            .responses
            .iter()
            .any(|r| r.status.parse::<u16>().ok() == Some(status))
    }

    /// The documented 4xx statuses of `op`.
    #[must_use]
    pub fn client_errors(&self, op: &Op) -> Vec<u16> {
        self.endpoint(op)
            .responses
            .iter()
            .filter_map(|r| r.status.parse::<u16>().ok())
            .filter(|s| (400..500).contains(s))
            .collect()
    }

    /// The documented example request bodies of `op` (for a GraphQL operation, the examples
    /// named after it), with their pointers.
    #[must_use]
    pub fn examples(&self, op: &Op) -> Vec<(String, Value)> {
        let Some(media) = self.endpoint(op).request.as_ref().and_then(|b| {
            b.content
                .iter()
                .find(|m| m.content_type.contains("json") || m.content_type.contains("form"))
        }) else {
            return Vec::new();
        };
        media
            .examples
            .iter()
            .filter(|e| match &op.graphql {
                Some(name) => &e.name == name,
                None => true,
            })
            .map(|e| (e.pointer.clone(), e.value.clone()))
            .collect()
    }

    /// A body for `op`: its first documented example (or an empty object), with the target
    /// URL set to `target` when it has one.
    #[must_use]
    pub fn example_body(&self, op: &Op, target: Option<&str>) -> Value {
        let mut body = self
            .examples(op)
            .into_iter()
            .next()
            .map_or_else(|| Value::Object(serde_json::Map::new()), |(_, v)| v);
        if let (Some(url), Some(at)) = (target, self.target_field(op)) {
            pointer::set(&mut body, &at, Value::String(url.to_string()));
        }
        body
    }

    /// Where `op`'s request carries the delivery URL.
    #[must_use]
    pub fn target_field(&self, op: &Op) -> Option<String> {
        let target = op.mock.as_ref()?.target.as_deref()?;
        Some(format!("{}{target}", op.fields_at()))
    }

    /// A delivery URL that goes nowhere (connections to port 9 of this machine are refused at
    /// once), for subscriptions the checks create and delete.
    #[must_use]
    pub fn nowhere(&self, n: usize) -> String {
        format!("https://127.0.0.1:9/conformance/{n}")
    }

    /// The request of `op` as `who`: method, URL and headers; `id` fills the path parameter
    /// that names the resource.
    fn request(
        &self,
        op: &Op,
        who: As,
        id: Option<&str>,
    ) -> (String, String, Vec<(String, String)>) {
        let endpoint = self.endpoint(op);
        let tenants = &self.settings.credentials.tenants;
        let tenant = match who {
            As::Tenant(i) => tenants.get(i),
            As::Nobody | As::Forged | As::Stranger => tenants.first(),
        };
        let presenter = match who {
            As::Stranger => tenants.get(1),
            _ => tenant,
        };
        let tenant_param = op
            .mock
            .as_ref()
            .and_then(|m| m.tenant.as_deref())
            .and_then(|t| t.strip_prefix("path:"));
        let mut path = endpoint.path.clone();
        for parameter in endpoint.parameters.iter().filter(|p| p.location == "path") {
            let value = if Some(parameter.name.as_str()) == tenant_param {
                tenant
                    .map_or("unknown-tenant", |t| t.id.as_str())
                    .to_string()
            } else if Some(parameter.name.as_str()) == op.path_id() {
                id.unwrap_or("missing-id").to_string()
            } else {
                "x".to_string()
            };
            path = path.replace(&format!("{{{}}}", parameter.name), &value);
        }
        let mut query = Vec::new();
        // A list is asked for its largest page, so that the checks' resources are on it.
        if let Some(size) = op.mock.as_ref().and_then(|m| m.page_size.as_deref()) {
            for parameter in endpoint.parameters.iter().filter(|p| p.location == "query") {
                if parameter.name == size {
                    let max = parameter
                        .schema
                        .as_deref()
                        .and_then(|at| pointer::get(&self.spec.document, at))
                        .and_then(|s| s.get("maximum"))
                        .and_then(Value::as_u64)
                        .unwrap_or(100);
                    query.push(format!("{}={max}", parameter.name));
                }
            }
        }
        let mut url = format!("{}{path}", self.settings.target.trim_end_matches('/'));
        let mut headers = Vec::new();
        if who != As::Nobody
            && let Some(requirement) = endpoint.security.first()
        {
            for name in requirement {
                let Some(scheme) = self.spec.security_schemes.iter().find(|s| &s.name == name)
                else {
                    continue;
                };
                let secret = match who {
                    As::Forged => "forged-credential-0000".to_string(),
                    _ => presenter
                        .and_then(|t| t.secrets.get(name))
                        .cloned()
                        .unwrap_or_default(),
                };
                match scheme.kind.as_str() {
                    "apiKey" => {
                        let param = scheme.parameter.clone().unwrap_or_default();
                        if scheme.location.as_deref() == Some("query") {
                            query.push(format!("{param}={secret}"));
                        } else {
                            headers.push((param, secret));
                        }
                    }
                    _ => headers.push(("authorization".into(), format!("Bearer {secret}"))),
                }
            }
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        (endpoint.method.clone(), url, headers)
    }

    /// Sends `op` as `who`, naming resource `id`, with `body`.
    pub fn call(&self, op: &Op, who: As, id: Option<&str>, body: Option<&Value>) -> Call {
        let (method, url, mut headers) = self.request(op, who, id);
        let media = self
            .endpoint(op)
            .request
            .as_ref()
            .and_then(|b| b.content.first())
            .map(|m| m.content_type.clone());
        let bytes = match (body, media.as_deref()) {
            (None, _) => Vec::new(),
            (Some(value), Some(m)) if m.contains("x-www-form-urlencoded") => {
                headers.push(("content-type".into(), m.to_string()));
                form(value).into_bytes()
            }
            (Some(value), _) => {
                headers.push(("content-type".into(), "application/json".into()));
                serde_json::to_vec(value).unwrap_or_default()
            }
        };
        self.send_as(Some(op), &method, &url, headers, bytes)
    }

    /// Sends any request; records it in the trial's transcript.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Call {
        self.send_as(None, method, url, headers, body)
    }

    fn send_as(
        &self,
        op: Option<&Op>,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Call {
        let mut request = self
            .client
            .request(method.parse().unwrap_or(reqwest::Method::GET), url);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if !body.is_empty() {
            request = request.body(body.clone());
        }
        let (status, response, error) = self.runtime.block_on(async move {
            match request.send().await {
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    match answer.bytes().await {
                        Ok(bytes) => (
                            Some(status),
                            String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)])
                                .into_owned(),
                            None,
                        ),
                        Err(error) => (Some(status), String::new(), Some(error.to_string())),
                    }
                }
                Err(error) => (None, String::new(), Some(super::receiver::describe(&error))),
            }
        });
        let call = Call {
            method: method.to_string(),
            url: url.to_string(),
            headers,
            json: serde_json::from_str(&response).ok(),
            body,
            status,
            response,
            error,
        };
        crate::transcript::record_with(|| self.transcript(op, &call));
        call
    }

    /// Remembers an id the target gave, so that transcripts show it as `[id N]`.
    pub fn remember_id(&self, id: &str) {
        MADE_UP.with(|made| {
            let mut made = made.borrow_mut();
            if !id.is_empty() && !made.iter().any(|(known, _)| known == id) {
                let label = format!("[id {}]", made.len() + 1);
                made.push((id.to_string(), label));
            }
        });
    }

    /// Remembers a value that changes from run to run (a port), shown as `label`.
    pub fn remember_as(&self, value: &str, label: &str) {
        MADE_UP.with(|made| {
            made.borrow_mut()
                .push((value.to_string(), label.to_string()))
        });
    }

    /// Whether `id` was made during this trial.
    #[must_use]
    pub fn made_here(id: &str) -> bool {
        MADE_UP.with(|made| made.borrow().iter().any(|(known, _)| known == id))
    }

    /// Forgets what the previous trial on this thread made up.
    pub fn forget_ids() {
        MADE_UP.with(|made| made.borrow_mut().clear());
    }

    /// A trial's transcript entries with what it made up replaced by placeholders (longest
    /// first, so that an id inside a longer value is not cut).
    #[must_use]
    pub fn normalise(entries: Vec<String>) -> Vec<String> {
        MADE_UP.with(|made| {
            let mut made = made.borrow().clone();
            made.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
            entries
                .into_iter()
                .map(|mut entry| {
                    for (value, label) in &made {
                        entry = entry.replace(value.as_str(), label);
                    }
                    entry
                })
                .collect()
        })
    }

    /// The call as a transcript keeps it: ids the target made up, credentials, timestamps and
    /// secrets replaced by placeholders, everything else kept.
    fn transcript(&self, op: Option<&Op>, call: &Call) -> String {
        let normalise = |text: &str| -> String {
            let mut out = text.replace(self.settings.target.trim_end_matches('/'), "{target}");
            if let Some(origin) = origin(&self.settings.target) {
                out = out.replace(&origin, "{origin}");
            }
            for tenant in &self.settings.credentials.tenants {
                for secret in tenant.secrets.values().filter(|s| s.len() >= 4) {
                    out = out.replace(secret.as_str(), "[credential]");
                }
            }
            out
        };
        let mut out = format!("{} {}\n", call.method, normalise(&call.url));
        if !call.body.is_empty() {
            // The text, not a digest: what the trial made up is replaced at its end.
            out.push_str(&format!(
                "  body: {}\n",
                excerpt(&normalise(&String::from_utf8_lossy(&call.body)), 600)
            ));
        }
        match (call.status, &call.error) {
            (Some(status), _) => {
                out.push_str(&format!("-> {status}\n"));
                let shown = call.json.as_ref().map_or_else(
                    || call.response.chars().take(200).collect::<String>(),
                    |json| {
                        let mut json = json.clone();
                        // A list shows the items this trial made: others come and go with the
                        // trials running beside it.
                        if let Some(op) = op.filter(|o| o.action() == Some(MockAction::List)) {
                            let at = op
                                .mock
                                .as_ref()
                                .and_then(|m| m.response.as_deref())
                                .unwrap_or("");
                            let collection = op.collection().unwrap_or_default();
                            if let Some(Value::Array(items)) = json.pointer_mut(at) {
                                items.retain(|item| {
                                    self.id_of(collection, item)
                                        .is_some_and(|id| Self::made_here(&id))
                                });
                            }
                        }
                        redact(&json).to_string()
                    },
                );
                out.push_str(&format!("  {}\n", excerpt(&normalise(&shown), 600)));
            }
            (None, Some(error)) => out.push_str(&format!(
                "-> no answer ({})\n",
                error.split(':').next().unwrap_or_default()
            )),
            (None, None) => out.push_str("-> no answer\n"),
        }
        out
    }

    /// Whether the target offers the mock's admin endpoints to trigger events: `None` if so,
    /// else why not. Asked once.
    pub fn trigger_support(&self) -> Option<String> {
        self.triggers
            .get_or_init(|| {
                let Some(origin) = origin(&self.settings.target) else {
                    return Some(format!("`{}` is not a URL", self.settings.target));
                };
                // Asked once for all trials: kept out of whichever trial's transcript asks first.
                let (call, _) = crate::transcript::capture(|| {
                    self.send("GET", &format!("{origin}/__mock/deliveries"), Vec::new(), Vec::new())
                });
                if call.status == Some(200) {
                    None
                } else {
                    Some(format!(
                        "the target offers no way to trigger events (GET {origin}/__mock/deliveries answered {}; the spec declares no x- trigger)",
                        call.status.map_or_else(|| "nothing".to_string(), |s| s.to_string())
                    ))
                }
            })
            .clone()
    }

    /// The resource in the answer to `op` (at `response`, or the GraphQL field).
    #[must_use]
    pub fn resource<'v>(&self, op: &Op, answer: &'v Value) -> Option<&'v Value> {
        match &op.graphql {
            Some(name) => pointer::get(answer, &format!("/data/{name}")),
            None => {
                let mock = op.mock.as_ref()?;
                let at = mock
                    .response
                    .as_deref()
                    .or(mock.resource.as_ref().map(|_| ""))?;
                pointer::get(answer, at)
            }
        }
    }

    /// The id of the item a successful create answered with (remembered for transcripts).
    #[must_use]
    pub fn created_id(&self, op: &Op, call: &Call) -> Option<String> {
        if op.action() != Some(MockAction::Create) || !call.succeeded() {
            return None;
        }
        let id = call
            .json
            .as_ref()
            .and_then(|j| self.resource(op, j))
            .and_then(|r| self.id_of(op.collection().unwrap_or_default(), r))?;
        self.remember_id(&id);
        Some(id)
    }

    /// The id of a resource of `collection`.
    #[must_use]
    pub fn id_of(&self, collection: &str, resource: &Value) -> Option<String> {
        let at = self
            .ops
            .iter()
            .filter(|o| o.collection() == Some(collection))
            .find_map(|o| o.mock.as_ref().and_then(|m| m.id_field.clone()))
            .unwrap_or_else(|| "/id".to_string());
        match pointer::get(resource, &at)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// Creates a resource of `collection` as `who` from `body`; its id, the resource the
    /// answer holds, and the call.
    pub fn create(
        &self,
        collection: &str,
        who: As,
        body: &Value,
    ) -> Result<(String, Option<Value>, Call), Box<Call>> {
        let Some(op) = self.op_for(collection, &[MockAction::Create]) else {
            return Err(Box::new(self.send(
                "NONE",
                "no create operation",
                Vec::new(),
                Vec::new(),
            )));
        };
        let call = self.call(op, who, None, Some(body));
        if !call.succeeded() {
            return Err(Box::new(call));
        }
        let resource = call
            .json
            .as_ref()
            .and_then(|j| self.resource(op, j))
            .cloned();
        let id = resource
            .as_ref()
            .and_then(|r| self.id_of(collection, r))
            .unwrap_or_default();
        if id.is_empty() {
            return Err(Box::new(call));
        }
        self.remember_id(&id);
        Ok((id, resource, call))
    }

    /// Deletes resource `id` of `collection` as `who`; the call, or `None` without a delete.
    pub fn delete(&self, collection: &str, who: As, id: &str) -> Option<Call> {
        let op = self.op_for(collection, &[MockAction::Delete])?;
        Some(self.call_with_id(op, who, id, None))
    }

    /// Sends `op` naming resource `id` (in the path or the body), with `body` (default: its
    /// documented example).
    pub fn call_with_id(&self, op: &Op, who: As, id: &str, body: Option<Value>) -> Call {
        let needs_body = self.endpoint(op).request.is_some();
        let mut body = body.or_else(|| needs_body.then(|| self.example_body(op, None)));
        if let (Some(at), Some(body)) = (op.body_id(), body.as_mut()) {
            pointer::set(body, &at, Value::String(id.to_string()));
        }
        self.call(op, who, Some(id), body.as_ref())
    }

    /// Reads resource `id` of `collection` as `who`: with the read operation, or from the list.
    /// `Ok(Some(resource))` found, `Ok(None)` refused (the call says how), `Err` no way to read.
    pub fn read(
        &self,
        collection: &str,
        who: As,
        id: &str,
    ) -> Result<(Option<Value>, Call), String> {
        if let Some(op) = self.op_for(collection, &[MockAction::Read]) {
            let call = self.call_with_id(op, who, id, None);
            let found = call
                .succeeded()
                .then(|| {
                    call.json
                        .as_ref()
                        .and_then(|j| self.resource(op, j))
                        .cloned()
                })
                .flatten();
            return Ok((found, call));
        }
        if let Some(op) = self.op_for(collection, &[MockAction::List]) {
            let call = self.call(op, who, None, None);
            let found = self
                .listed(op, &call)
                .into_iter()
                .find(|r| self.id_of(collection, r).as_deref() == Some(id));
            return Ok((found, call));
        }
        Err(format!(
            "the spec has no way to read a {collection} resource"
        ))
    }

    /// The resources a list answer holds.
    #[must_use]
    pub fn listed(&self, op: &Op, call: &Call) -> Vec<Value> {
        call.json
            .as_ref()
            .and_then(|j| {
                let at = op
                    .mock
                    .as_ref()
                    .and_then(|m| m.response.as_deref())
                    .unwrap_or("");
                pointer::get(j, at)
            })
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// Checks an answer against the schema of its status: the violations, if any.
    #[must_use]
    pub fn schema_violations(&self, op: &Op, call: &Call) -> Vec<String> {
        let (Some(status), Some(json)) = (call.status, call.json.as_ref()) else {
            return Vec::new();
        };
        let Some(schema) = self
            .endpoint(op)
            .responses
            .iter()
            .find(|r| r.status.parse::<u16>().ok() == Some(status))
            .or_else(|| {
                self.endpoint(op)
                    .responses
                    .iter()
                    .find(|r| r.covers(status))
            })
            .and_then(|r| r.body.json())
            .and_then(|m| m.schema.clone())
        else {
            return Vec::new();
        };
        self.spec
            .schemas
            .violations(&schema, json)
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                if v.instance_pointer.is_empty() {
                    v.message
                } else {
                    format!("{}: {}", v.instance_pointer, v.message)
                }
            })
            .collect()
    }

    /// The failure report of a call that broke a check.
    #[must_use]
    pub fn failure(&self, info: &CheckInfo, expected: &str, call: &Call, extra: &str) -> String {
        let mut out = format!(
            "{}: {}\n  (source: {})\nexpected: {expected}\n",
            info.id, info.reason, info.source
        );
        if !extra.is_empty() {
            out.push_str(extra);
            out.push('\n');
        }
        out.push_str(&call.render());
        out
    }
}

/// `scheme://host:port` of a URL.
#[must_use]
pub fn origin(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
        None => format!("{}://{host}", parsed.scheme()),
    })
}

/// A JSON value with timestamps, secrets and signatures replaced by placeholders.
#[must_use]
pub fn redact(value: &Value) -> Value {
    fn walk(key: &str, value: &Value) -> Value {
        let lower = key.to_ascii_lowercase();
        let secret = ["secret", "token", "signature", "password"]
            .iter()
            .any(|w| lower.contains(w));
        let timely = ["date", "time", "created", "updated", "_at"]
            .iter()
            .any(|w| lower.contains(w));
        match value {
            Value::Object(map) => {
                // Keys sorted: an implementation's key order is not behaviour.
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), walk(k, &map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(key, v)).collect()),
            Value::String(_) if secret => Value::String("[redacted]".into()),
            Value::String(s) if timely || looks_like_time(s) => Value::String("[timestamp]".into()),
            Value::Number(_) if timely => Value::String("[timestamp]".into()),
            Value::Number(_)
                if matches!(lower.as_str(), "count" | "total" | "pages" | "total_count") =>
            {
                Value::String("[count]".into())
            }
            other => other.clone(),
        }
    }
    walk("", value)
}

fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
}

/// A JSON object as `application/x-www-form-urlencoded`.
fn form(value: &Value) -> String {
    let Value::Object(map) = value else {
        return String::new();
    };
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{}={}", encode(k), encode(&v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_everything_but_times_and_secrets() {
        let value = serde_json::json!({
            "id": "wh-1", "signing_secret": "whsec-abc", "created": "2024-01-01T00:00:00Z",
            "label": "x", "nested": [{"updated_at": 17}], "when": "2023-11-26T05:17:07.185Z"
        });
        assert_eq!(
            redact(&value),
            serde_json::json!({
                "id": "wh-1", "signing_secret": "[redacted]", "created": "[timestamp]",
                "label": "x", "nested": [{"updated_at": "[timestamp]"}], "when": "[timestamp]"
            })
        );
    }

    #[test]
    fn forms_are_encoded() {
        assert_eq!(
            form(&serde_json::json!({"client_id": "a b", "x": "é&"})),
            "client_id=a+b&x=%C3%A9%26"
        );
        assert_eq!(
            origin("http://127.0.0.1:80/api").as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(
            origin("http://127.0.0.1:8080/api").as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }
}
