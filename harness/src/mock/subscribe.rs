//! [`MockProvider::subscribe`]: a subscription made through the provider's own
//! subscription-creating operation (the `x-operation.mock` with `action: create` and a
//! `target`, a REST endpoint or a GraphQL mutation), as its API would be called, with the
//! tenant's credentials; the answer read back into a [`Subscription`] with its signing secret.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::engine::Engine;
use super::pipeline::Incoming;
use super::provider::MockProvider;
use crate::deliver::Subscriber;
use crate::spec::extensions::MockState;
use crate::spec::{Endpoint, pointer};

/// A subscription the mock stores, as [`MockProvider::subscribe`] made it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use webhook_harness::mock::MockProvider;
/// use webhook_harness::spec::ProviderSpec;
///
/// let provider = MockProvider::builder(ProviderSpec::load("uc-alxgsv")?)
///     .allow_http_targets(true)
///     .start()
///     .await?;
/// let subscription = provider.subscribe("file.created", "http://127.0.0.1:9/hook").await?;
/// assert!(subscription.id.starts_with("wh-"));
/// assert_eq!(subscription.tenant, "tenant-a");
/// // uc.alxgsv signs with the webhook's own signing_secret.
/// assert_eq!(
///     subscription.secret.as_deref(),
///     subscription.resource["attributes"]["signing_secret"].as_str(),
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// Its id, as the provider's API gave it.
    pub id: String,
    /// The tenant that owns it.
    pub tenant: String,
    /// The event it was made for.
    pub event: String,
    /// The URL deliveries go to, as given.
    pub url: String,
    /// The secret's text that signs its deliveries, as the provider hands it out (the
    /// subscription's own secret, or the tenant's credential, as the spec's
    /// `x-webhook-signature.key` says); `None` for a provider that signs nothing (swsh).
    /// [`crate::sign::verify`] takes it as it is.
    pub secret: Option<String>,
    /// The resource as the mock stores it.
    pub resource: Value,
}

/// Why [`MockProvider::subscribe`] made no subscription.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use webhook_harness::mock::{MockProvider, SubscribeError};
/// use webhook_harness::spec::ProviderSpec;
///
/// let provider = MockProvider::start(ProviderSpec::load("happycolis")?).await?;
/// // HappyColis accepts https:// receivers only, as its docs say.
/// let error = provider.subscribe("product/image/created", "http://127.0.0.1:9/").await.unwrap_err();
/// assert!(matches!(error, SubscribeError::Refused { ref operation, .. } if operation == "integrationWebhookCreate"));
/// assert!(error.to_string().contains("hint: MockBuilder::allow_http_targets(true)"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscribeError {
    /// The mock has no such tenant.
    #[error("no tenant `{0}` in this mock; tenants: {1}")]
    UnknownTenant(String, String),
    /// The spec has no such event.
    #[error("no event `{0}` in this spec; events: {1}")]
    UnknownEvent(String, String),
    /// The spec declares no operation that creates subscriptions.
    #[error(
        "the {0} spec has no operation that creates subscriptions\n\
         hint: mark one with `x-operation.mock` `action: create` and a `target` pointer (specs/EXTENSIONS.md)"
    )]
    NoCreator(String),
    /// The mock refused the request, as the provider would have.
    #[error("the {provider} mock refused the subscription ({operation}): {status} {answer}{hint}")]
    Refused {
        /// The provider's name.
        provider: String,
        /// The operation called (an `operationId` or a GraphQL mutation).
        operation: String,
        /// The answer's status.
        status: u16,
        /// The answer's body.
        answer: String,
        /// What to change, when it is known (on its own line).
        hint: String,
    },
    /// The answer did not name the subscription it made.
    #[error("the {0} mock answered {1} without the subscription's id at `{2}`: {3}")]
    NoId(String, String, String, String),
}

/// The subscription-creating operation of a spec: its endpoint, its `x-operation.mock`, and
/// the GraphQL mutation that runs it (REST: `None`).
fn creator(engine: &Engine) -> Option<(&Endpoint, &MockState, Option<&str>)> {
    let spec = &engine.core.spec;
    let creates = |m: &MockState| m.action == crate::spec::extensions::MockAction::Create;
    let rest = spec.endpoints.iter().find_map(|e| {
        let mock = e.ext.mock.as_ref()?;
        (creates(mock) && mock.target.is_some()).then_some((e, mock, None))
    });
    rest.or_else(|| {
        spec.endpoints.iter().find_map(|e| {
            e.graphql.as_ref()?.operations.iter().find_map(|o| {
                let mock = o.mock.as_ref()?;
                (creates(mock) && mock.target.is_some()).then_some((e, mock, Some(o.name.as_str())))
            })
        })
    })
}

impl MockProvider {
    /// Subscribes `url` to `event` as the first tenant (`tenant-a` by default): see
    /// [`Self::subscribe_as`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("swsh")?).await?;
    /// let subscription = provider.subscribe("newAlbum", "https://example.com/hook").await?;
    /// assert_eq!(subscription.secret, None); // swsh signs nothing
    /// assert_eq!(provider.subscriptions().len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn subscribe(&self, event: &str, url: &str) -> Result<Subscription, SubscribeError> {
        let tenant = self
            .credentials()
            .tenants
            .first()
            .map(|t| t.id.clone())
            .unwrap_or_default();
        self.subscribe_as(&tenant, event, url).await
    }

    /// Subscribes `url` to `event` for `tenant` through the provider's own API: the spec's
    /// subscription-creating operation (a REST endpoint, or HappyColis' GraphQL mutation
    /// `integrationWebhookCreate`) is called with the tenant's credentials and a body built
    /// from its documented example (the one for `event` where there is one) with the event,
    /// the URL and, where the provider has one, the active flag set; headers that the example
    /// asks to forward are left out. The request goes through the whole pipeline: auth,
    /// validation, the target-URL rule (an `http://` URL needs
    /// [`super::MockBuilder::allow_http_targets`] where the provider wants `https://`) and the
    /// provider's permissions; a refusal is a [`SubscribeError::Refused`] with the answer.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use webhook_harness::{mock::MockProvider, spec::ProviderSpec};
    /// let provider = MockProvider::start(ProviderSpec::load("happycolis")?).await?;
    /// let subscription = provider
    ///     .subscribe_as("tenant-b", "product/image/created", "https://example.com/hook")
    ///     .await?;
    /// assert_eq!(subscription.tenant, "tenant-b");
    /// // HappyColis signs with the client secret of the tenant's application.
    /// assert_eq!(
    ///     subscription.secret.as_deref(),
    ///     provider.credentials().secret("tenant-b", "clientSecret"),
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub async fn subscribe_as(
        &self,
        tenant: &str,
        event: &str,
        url: &str,
    ) -> Result<Subscription, SubscribeError> {
        let engine = Arc::clone(self.engine());
        let spec = &engine.core.spec;
        if spec.event(event).is_none() {
            let events: Vec<&str> = spec.events.iter().map(|e| e.name.as_str()).collect();
            return Err(SubscribeError::UnknownEvent(
                event.to_string(),
                events.join(", "),
            ));
        }
        let Some(presenter) = engine.core.credentials.tenant(tenant).cloned() else {
            let tenants: Vec<&str> = engine
                .core
                .credentials
                .tenants
                .iter()
                .map(|t| t.id.as_str())
                .collect();
            return Err(SubscribeError::UnknownTenant(
                tenant.to_string(),
                tenants.join(", "),
            ));
        };
        let Some((endpoint, mock, mutation)) = creator(&engine) else {
            return Err(SubscribeError::NoCreator(spec.provider.name.clone()));
        };
        let (mock, mutation) = (mock.clone(), mutation.map(str::to_string));
        let operation = mutation
            .clone()
            .unwrap_or_else(|| endpoint.operation_id.clone());
        let body = request_body(&engine, endpoint, &mock, mutation.as_deref(), event, url);
        let incoming = request(&engine, endpoint, &mock, &presenter, &body);
        let handler = Arc::clone(&engine);
        let reply = tokio::task::spawn_blocking(move || handler.handle(&incoming))
            .await
            .unwrap_or_else(|_| {
                super::reply::Reply::new(500, json!("the request was not answered"))
            });
        let refused = |status: u16, answer: &Value| SubscribeError::Refused {
            provider: spec.provider.name.clone(),
            operation: operation.clone(),
            status,
            answer: answer.to_string(),
            hint: if url.starts_with("http://") && !engine.core.settings.allow_http_targets {
                "\nhint: MockBuilder::allow_http_targets(true) accepts http:// receivers on this machine".into()
            } else {
                String::new()
            },
        };
        if !(200..300).contains(&reply.status) || reply.body.get("errors").is_some() {
            return Err(refused(reply.status, &reply.body));
        }
        let at = match &mutation {
            Some(name) => format!("/data/{name}"),
            None => mock.response.clone().unwrap_or_default(),
        };
        let id_field = mock.id_field.clone().unwrap_or_else(|| "/id".into());
        let id = pointer::get(&reply.body, &format!("{at}{id_field}"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                SubscribeError::NoId(
                    spec.provider.name.clone(),
                    reply.status.to_string(),
                    format!("{at}{id_field}"),
                    reply.body.to_string(),
                )
            })?;
        let collection = mock.collection.as_deref().unwrap_or("subscriptions");
        let resource = engine
            .core
            .store
            .get(collection, tenant, &id)
            .unwrap_or_else(|| pointer::get(&reply.body, &at).cloned().unwrap_or_default());
        let secret = engine.dispatcher.secret(&Subscriber {
            resource: resource.clone(),
            id: id.clone(),
            tenant: tenant.to_string(),
        });
        Ok(Subscription {
            id,
            tenant: tenant.to_string(),
            event: event.to_string(),
            url: url.to_string(),
            secret,
            resource,
        })
    }
}

/// The body that subscribes `url` to `event`: the operation's documented example for the event
/// (or its first, or an empty object), with the event, the URL and the active flag set, and
/// without forwarded headers.
fn request_body(
    engine: &Engine,
    endpoint: &Endpoint,
    mock: &MockState,
    mutation: Option<&str>,
    event: &str,
    url: &str,
) -> Value {
    let delivery = &engine.core.spec.delivery;
    let fields_at = format!(
        "{}{}",
        if mutation.is_some() { "/variables" } else { "" },
        mock.request.as_deref().unwrap_or("")
    );
    let into = mock.request_into.as_deref().unwrap_or("");
    // Where a field of the stored resource sits in the request, if the request sets it.
    let field = |stored: &str| {
        stored
            .strip_prefix(into)
            .map(|rest| format!("{fields_at}{rest}"))
    };
    let events_at = field(&delivery.matching.events);
    let examples: Vec<&Value> = endpoint
        .request
        .iter()
        .flat_map(|b| &b.content)
        .filter(|m| m.content_type.contains("json"))
        .flat_map(|m| &m.examples)
        .filter(|e| mutation.is_none_or(|name| e.name == name))
        .map(|e| &e.value)
        .collect();
    let names = |v: &Value| match v {
        Value::String(s) => s == event,
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some(event)),
        _ => false,
    };
    let mut body = examples
        .iter()
        .find(|v| {
            events_at
                .as_deref()
                .and_then(|at| pointer::get(v, at))
                .is_some_and(names)
        })
        .or(examples.first())
        .map_or_else(|| json!({}), |v| (*v).clone());
    if let Some(at) = events_at {
        let value = if pointer::get(&body, &at).is_some_and(Value::is_array) {
            json!([event])
        } else {
            json!(event)
        };
        pointer::set(&mut body, &at, value);
    }
    if let Some(at) = mock.target.as_deref() {
        pointer::set(&mut body, &format!("{fields_at}{at}"), json!(url));
    }
    if let Some(at) = delivery.matching.active.as_deref().and_then(field) {
        pointer::set(&mut body, &at, Value::Bool(true));
    }
    if let Some(at) = delivery.forward_headers.as_deref().and_then(field)
        && let Some((parent, last)) = at.rsplit_once('/')
        && let Some(Value::Object(map)) = body.pointer_mut(parent)
    {
        map.remove(&pointer::unescape(last));
    }
    body
}

/// The request that sends `body` to `endpoint` as `tenant`: its path (the tenant's id in a
/// tenancy path parameter), its credentials as the endpoint's first security requirement
/// says, JSON.
fn request(
    engine: &Engine,
    endpoint: &Endpoint,
    mock: &MockState,
    tenant: &super::auth::Tenant,
    body: &Value,
) -> Incoming {
    let spec = &engine.core.spec;
    let tenant_param = mock.tenant.as_deref().and_then(|t| t.strip_prefix("path:"));
    let mut path = endpoint.path.clone();
    for parameter in endpoint.parameters.iter().filter(|p| p.location == "path") {
        let value = if Some(parameter.name.as_str()) == tenant_param {
            tenant.id.clone()
        } else {
            "x".to_string()
        };
        path = path.replace(&format!("{{{}}}", parameter.name), &value);
    }
    let mut headers = hyper::HeaderMap::new();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    let mut query = Vec::new();
    for name in endpoint.security.first().into_iter().flatten() {
        let Some(scheme) = spec.security_schemes.iter().find(|s| &s.name == name) else {
            continue;
        };
        let secret = tenant.secrets.get(name).cloned().unwrap_or_default();
        let (header, value) = match scheme.kind.as_str() {
            "apiKey" if scheme.location.as_deref() == Some("query") => {
                query.push((scheme.parameter.clone().unwrap_or_default(), secret));
                continue;
            }
            "apiKey" => (scheme.parameter.clone().unwrap_or_default(), secret),
            _ => ("authorization".to_string(), format!("Bearer {secret}")),
        };
        if let (Ok(header), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(header.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            headers.insert(header, value);
        }
    }
    Incoming {
        method: endpoint.method.clone(),
        path: format!("{}{path}", engine.router.base()),
        query,
        headers,
        body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
    }
}
