//! The provider-mode API client: [`Api`] knows the target, the spec's operations and the
//! credentials, and builds requests (REST and GraphQL, each tenant's credentials in the
//! documented place); a [`Session`] is one trial's use of it, sending requests and recording
//! them into the trial's transcript.

use std::sync::{OnceLock, RwLock};

use serde_json::Value;

use super::{As, Call, Op, Settings};
use crate::check::excerpt;
use crate::generate::Generator;
use crate::redact::{Redactor, redact};
use crate::spec::extensions::MockAction;
use crate::spec::model::Endpoint;
use crate::spec::{ProviderSpec, pointer};
use crate::transcript::Recorder;

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
    max_answer_bytes: usize,
    /// Whether the target still answers (consecutive transport failures).
    pub health: crate::check::Health,
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
            max_answer_bytes: crate::check::DEFAULT_MAX_ANSWER_BYTES,
            health: crate::check::Health::default(),
        }
    }
    /// Reads at most `limit` bytes of any answer (`--max-answer-bytes`); a larger answer is
    /// no answer, reported with that reason.
    #[must_use]
    pub fn with_max_answer_bytes(mut self, limit: usize) -> Self {
        self.max_answer_bytes = limit;
        self
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
    /// The create operation whose items `op` sees: one whose `defaults` give the stored
    /// fields `op`'s `only` asks for (any create of its collection, without `only`).
    #[must_use]
    pub fn creator_for(&self, op: &Op) -> Option<&Op> {
        let collection = op.collection()?;
        let only = op.mock.as_ref().map(|m| &m.only);
        self.ops.iter().find(|o| {
            o.collection() == Some(collection)
                && o.action() == Some(MockAction::Create)
                && only.is_none_or(|only| {
                    only.iter().all(|(at, value)| {
                        o.mock.as_ref().and_then(|m| m.defaults.get(at)) == Some(value)
                    })
                })
        })
    }
    /// The number of tenants the credentials name.
    #[must_use]
    pub fn tenants(&self) -> usize {
        self.settings.credentials.tenants.len()
    }
    /// The request of `op` as `who`: method, URL and headers; `id` fills the path parameter
    /// that names the resource.
    pub(super) fn request(
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

    /// What transcripts show instead of the target's address and the credentials.
    #[must_use]
    pub fn redactor(&self) -> Redactor {
        let target = &self.settings.target;
        let mut redactor = Redactor::new().value(target.trim_end_matches('/'), "{target}");
        if let Some(origin) = origin(target) {
            redactor = redactor.value(&origin, "{origin}");
        }
        for tenant in &self.settings.credentials.tenants {
            for secret in tenant.secrets.values().filter(|s| s.len() >= 4) {
                redactor = redactor.secret(secret, "[credential]");
            }
        }
        redactor
    }

    /// What failure reports show instead of the credentials: `[credential NAME@TENANT]`.
    #[must_use]
    pub fn redactor_for_reports(&self) -> Redactor {
        let mut redactor = Redactor::new();
        for tenant in &self.settings.credentials.tenants {
            for (name, secret) in &tenant.secrets {
                redactor = redactor.secret(secret, &format!("[credential {name}@{}]", tenant.id));
            }
        }
        redactor
    }

    /// A trial's session with the target, recording into `recorder`.
    #[must_use]
    pub fn session<'a>(&'a self, recorder: &'a Recorder) -> Session<'a> {
        Session {
            api: self,
            recorder,
        }
    }
}

/// One trial's use of an [`Api`]: every request it sends is recorded into the trial's own
/// transcript, with the ids the target made up during the trial replaced by placeholders.
pub struct Session<'a> {
    api: &'a Api,
    recorder: &'a Recorder,
}

impl std::ops::Deref for Session<'_> {
    type Target = Api;

    fn deref(&self) -> &Api {
        self.api
    }
}

impl Session<'_> {
    /// The trial's transcript.
    #[must_use]
    pub fn recorder(&self) -> &Recorder {
        self.recorder
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
    /// Sends `op` (no body) as `who` with the query parameters `params` in place of any
    /// of the same names (a list's paging parameters).
    pub fn call_with_query(&self, op: &Op, who: As, params: &[(&str, String)]) -> Call {
        let (method, url, headers) = self.request(op, who, None);
        let url = match reqwest::Url::parse(&url) {
            Ok(mut parsed) => {
                let kept: Vec<(String, String)> = parsed
                    .query_pairs()
                    .filter(|(name, _)| !params.iter().any(|(n, _)| n == name))
                    .map(|(n, v)| (n.into_owned(), v.into_owned()))
                    .collect();
                parsed
                    .query_pairs_mut()
                    .clear()
                    .extend_pairs(kept)
                    .extend_pairs(params.iter().map(|(n, v)| (*n, v.as_str())));
                parsed.to_string()
            }
            Err(_) => url,
        };
        self.send_as(Some(op), &method, &url, headers, Vec::new())
    }

    /// Sends `op` as `who`, naming resource `id`, with `bytes` as an `application/json` body
    /// whatever they hold (bodies that are not JSON).
    pub fn call_bytes(&self, op: &Op, who: As, id: Option<&str>, bytes: Vec<u8>) -> Call {
        let (method, url, mut headers) = self.request(op, who, id);
        headers.push(("content-type".into(), "application/json".into()));
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
    pub(super) fn send_as(
        &self,
        op: Option<&Op>,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Call {
        if let Some(why) = self.health.unresponsive() {
            let call = Call {
                method: method.to_string(),
                url: url.to_string(),
                headers,
                body,
                status: None,
                content_type: None,
                response: String::new(),
                json: None,
                error: Some(why),
            };
            self.recorder.record_with(|| self.transcript(op, &call));
            return call;
        }
        let mut request = self
            .client
            .request(method.parse().unwrap_or(reqwest::Method::GET), url);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if !body.is_empty() {
            request = request.body(body.clone());
        }
        let limit = self.max_answer_bytes;
        let (status, content_type, response, error) = self.runtime.block_on(async move {
            match request.send().await {
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    let content_type = answer
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
                    match crate::check::read_capped(answer, limit).await {
                        Ok(bytes) => (
                            Some(status),
                            content_type,
                            String::from_utf8_lossy(&bytes).into_owned(),
                            None,
                        ),
                        // An answer that could not be read whole is judged as no answer.
                        Err(error) => (None, content_type, String::new(), Some(error)),
                    }
                }
                Err(error) => (
                    None,
                    None,
                    String::new(),
                    Some(crate::check::receiver::describe(&error)),
                ),
            }
        });
        self.health.observe(match (status, error.as_deref()) {
            (None, Some(why)) if !why.contains("--max-answer-bytes") => Some(why),
            _ => None,
        });
        let call = Call {
            method: method.to_string(),
            url: url.to_string(),
            headers,
            json: serde_json::from_str(&response).ok(),
            body,
            status,
            content_type,
            response,
            error,
        };
        self.recorder.record_with(|| self.transcript(op, &call));
        call
    }
    /// Remembers an id the target gave, so that transcripts show it as `[id N]`.
    pub fn remember_id(&self, id: &str) {
        self.recorder.remember_id(id);
    }
    /// Remembers a value that changes from run to run (a port), shown as `label`.
    pub fn remember_as(&self, value: &str, label: &str) {
        self.recorder.remember_as(value, label);
    }
    /// Whether `id` was made during this trial.
    #[must_use]
    pub fn made_here(&self, id: &str) -> bool {
        self.recorder.made_here(id)
    }
    /// The call as a transcript keeps it: ids the target made up, credentials, timestamps and
    /// secrets replaced by placeholders, everything else kept.
    fn transcript(&self, op: Option<&Op>, call: &Call) -> String {
        let redactor = self.redactor();
        let normalise = |text: &str| redactor.text(text);
        let mut out = format!("{} {}\n", call.method, normalise(&call.url));
        // A Content-Type the operation does not declare is what the request is about: shown.
        if let Some(op) = op
            && let Some(declared) = &self.endpoint(op).request
            && let Some((_, sent)) = call
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            && !declared.content.iter().any(|m| {
                sent.split(';')
                    .next()
                    .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(&m.content_type))
            })
        {
            out.push_str(&format!("  content-type: {sent}\n"));
        }
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
                                        .is_some_and(|id| self.made_here(&id))
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
                let call = self.api.session(&Recorder::new(false)).send(
                    "GET",
                    &format!("{origin}/__mock/deliveries"),
                    Vec::new(),
                    Vec::new(),
                );
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
