//! The request pipeline, free of HTTP plumbing, in order: route → authenticate (credentials
//! and tenancy, `auth.rs`) → parameters → body (content type, JSON or form, the target-URL
//! rule, the schema: `body.rs`) → the operation's action (`action/`) → the reply hooks → the
//! journal. Every refusal is a reply in the provider's own error shape (`reply.rs`).

use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::Value;

use super::action::{self, Call, Via};
use super::auth::AuthRequest;
use super::body;
use super::engine::Engine;
use super::hook::Exchange;
use super::reply::{self, Reply, auth_status, client_error_status, success_status};
use super::router::Match;
use crate::spec::{Endpoint, pointer};

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

impl Engine {
    /// Answers one request. Never panics on input; client errors are 4xx.
    pub fn handle(&self, request: &Incoming) -> Reply {
        let (mut reply, matched, resource_at) =
            match self.router.find(&request.method, &request.path) {
                Match::NotFound => (self.not_found(request), None, None),
                Match::WrongMethod(allowed) => (self.wrong_method(request, &allowed), None, None),
                Match::Found(i, params) => {
                    let endpoint = &self.core.spec.endpoints[i];
                    let (reply, resource_at) = self.endpoint(endpoint, &params, request);
                    (reply, Some(i), resource_at)
                }
            };
        if !self.hooks.is_empty() {
            let exchange = Exchange {
                method: &request.method,
                path: &request.path,
                endpoint: matched.map(|i| &self.core.spec.endpoints[i]),
                resource_at,
            };
            for hook in &self.hooks {
                hook.on_reply(&exchange, &mut reply);
            }
        }
        self.journal
            .record(&request.method, &request.path, matched, reply.status);
        reply
    }

    /// Whether answering `request` may take long enough to belong off the async workers (a
    /// GraphQL document is executed).
    #[must_use]
    pub fn runs_long(&self, request: &Incoming) -> bool {
        matches!(
            self.router.find(&request.method, &request.path),
            Match::Found(i, _) if self.core.spec.endpoints[i].graphql.is_some()
        )
    }

    fn not_found(&self, request: &Incoming) -> Reply {
        let spec = &self.core.spec;
        let mut endpoints: Vec<String> = spec
            .endpoints
            .iter()
            .map(|e| format!("{} {}{}", e.method, self.router.base(), e.path))
            .collect();
        endpoints.truncate(12);
        reply::error(
            spec,
            None,
            404,
            &format!(
                "no endpoint {} {} in the {} mock; endpoints: {}",
                request.method,
                request.path,
                spec.provider.name,
                endpoints.join(", ")
            ),
        )
    }

    fn wrong_method(&self, request: &Incoming, allowed: &[String]) -> Reply {
        let mut reply = reply::error(
            &self.core.spec,
            None,
            405,
            &format!(
                "{} {} is not an endpoint; this path takes {}",
                request.method,
                request.path,
                allowed.join(", ")
            ),
        );
        reply.headers.push(("allow", allowed.join(", ")));
        reply
    }

    /// The pipeline of a matched endpoint: the reply, and where its resource sits.
    fn endpoint<'e>(
        &'e self,
        endpoint: &'e Endpoint,
        params: &[(String, String)],
        request: &Incoming,
    ) -> (Reply, Option<&'e str>) {
        let spec = &self.core.spec;
        let auth = AuthRequest::new(
            &self.core.credentials,
            &spec.security_schemes,
            endpoint,
            &request.headers,
            &request.query,
            params,
        );
        let tenant = match self.authenticate.authenticate(&auth) {
            Ok(tenant) => tenant,
            Err(message) => {
                let reply = reply::error(spec, Some(endpoint), auth_status(endpoint), &message);
                return (reply, None);
            }
        };
        if let Err((parameter, message)) = self.check_parameters(endpoint, params, request) {
            // A resource id in the path that its schema refuses names no resource: where the
            // operation documents no client error, that is its documented "not found".
            let names_resource = endpoint
                .ext
                .mock
                .as_ref()
                .and_then(|m| m.id.as_deref())
                .and_then(|id| id.strip_prefix("path:"))
                == Some(parameter);
            let status =
                if names_resource && !reply::documents(endpoint, client_error_status(endpoint)) {
                    reply::missing_status(endpoint)
                } else {
                    client_error_status(endpoint)
                };
            // The documented example of a status shows one refusal (Betterez's 400 shows a bad
            // URL): a bad parameter gets the machine code of its status, not that example's.
            return (
                reply::other_error(spec, Some(endpoint), status, &message),
                None,
            );
        }
        let mock = endpoint.ext.mock.as_ref();
        let body = match body::parse(&self.core, endpoint, mock, &request.headers, &request.body) {
            Ok(body) => body,
            Err(reply) => return (reply, None),
        };
        let Some(mock) = mock else {
            let status = success_status(endpoint);
            return (
                Reply::new(status, self.core.template(endpoint, status)),
                None,
            );
        };
        let call = Call::new(
            &self.core,
            &self.actions,
            endpoint,
            mock,
            tenant,
            Via::Rest {
                params,
                query: &request.query,
                body: body.as_ref(),
            },
        );
        let result = self
            .actions
            .find(&endpoint.operation_id, mock.action)
            .run(&call);
        let (reply, carries_resource) = action::render(&call, result);
        (reply, action::place(mock).filter(|_| carries_resource))
    }

    /// Checks the path, query and header parameters against their schemas: the first one
    /// missing or refused, and why.
    fn check_parameters<'e>(
        &self,
        endpoint: &'e Endpoint,
        params: &[(String, String)],
        request: &Incoming,
    ) -> Result<(), (&'e str, String)> {
        let spec = &self.core.spec;
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
                    return Err((
                        &parameter.name,
                        format!(
                            "the {} parameter `{}` is required",
                            parameter.location, parameter.name
                        ),
                    ));
                }
                continue;
            };
            let Some(schema) = &parameter.schema else {
                continue;
            };
            let value = coerce(&spec.document, schema, &raw);
            if spec.schemas.is_valid(schema, &value) {
                continue;
            }
            if let Some(v) = spec
                .schemas
                .violations(schema, &value)
                .and_then(|v| v.into_iter().next())
            {
                return Err((
                    &parameter.name,
                    format!(
                        "the {} parameter `{}`: {}",
                        parameter.location, parameter.name, v.message
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A query or path string read as its schema's type (`"5"` as 5 for an integer).
fn coerce(doc: &Value, schema_at: &str, raw: &str) -> Value {
    let types: Vec<&str> = match pointer::get(doc, schema_at).map(|s| s.get("type")) {
        Some(Some(Value::String(t))) => vec![t.as_str()],
        Some(Some(Value::Array(ts))) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer") {
        if let Ok(n) = raw.parse::<i64>() {
            return Value::from(n);
        }
        if let Ok(n) = raw.parse::<u64>() {
            return Value::from(n);
        }
        // An integer beyond 64 bits is still an integer: it is judged by its magnitude (as a
        // float with no fraction), so that `minimum`/`maximum` apply and type does not fail.
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = raw.parse::<f64>()
            && let Some(n) = serde_json::Number::from_f64(n)
        {
            return Value::Number(n);
        }
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
