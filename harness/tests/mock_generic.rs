//! The mock is spec-driven: a fifth provider written only as a spec file gets a working mock,
//! and no generated request, valid or not, makes any mock answer a 5xx or an undocumented body.

use std::collections::BTreeMap;

use reqwest::Client;
use serde_json::{Value, json};
use webhook_harness::generate::{Generator, Mode, rng};
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::{Endpoint, Loader, ProviderSpec};

const FIFTH: &str = r##"
openapi: 3.1.0
info:
  title: Hooks of a fifth provider
  version: "1"
  x-provider:
    id: fifth
    name: Fifth
    sources:
      DOC: { url: https://fifth.example.com/docs, title: Docs }
servers: [{ url: https://api.fifth.example.com/v2 }]
paths:
  /hooks:
    post:
      operationId: createHook
      x-operation:
        status: documented
        source: [DOC]
        mock: { collection: hooks, action: create, tenant: credential, idFormat: "hk_{alnum:8}", resource: '#/components/schemas/Hook', target: /url, httpsOnly: true }
      security: [{ key: [] }]
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/HookInput' }
            examples: { one: { summary: "Constructed", value: { url: https://a.example.com, topic: x } } }
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Hook' }
        '400':
          description: bad
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Problem' }
        '401':
          description: no key
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Problem' }
  /hooks/{id}:
    get:
      operationId: readHook
      x-operation:
        status: documented
        source: [DOC]
        mock: { collection: hooks, action: read, tenant: credential, id: "path:id", response: "" }
      security: [{ key: [] }]
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        '200':
          description: the hook
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Hook' }
        '404':
          description: no such hook
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Problem' }
  /status:
    get:
      operationId: status
      x-operation: { status: documented, source: [DOC] }
      responses:
        '200':
          description: up
          content:
            application/json:
              schema:
                type: object
                required: [ok, since]
                properties: { ok: { const: true }, since: { type: string, format: date-time } }
webhooks:
  hook.fired:
    post:
      operationId: hook.fired
      x-event: { name: hook.fired, status: documented, source: [DOC] }
      requestBody:
        content:
          application/json:
            schema: { type: object, required: [topic], properties: { topic: { type: string } } }
            examples: { one: { summary: "Constructed", value: { topic: x } } }
      responses: { '200': { description: ok } }
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: x-fifth-key }
  schemas:
    HookInput:
      type: object
      required: [url, topic]
      properties: { url: { type: string, format: uri }, topic: { type: string, minLength: 1 } }
    Hook:
      type: object
      required: [id, url, topic, secret, active]
      properties:
        id: { type: string, pattern: "^hk_[A-Za-z0-9]{8}$" }
        url: { type: string, format: uri }
        topic: { type: string }
        secret: { type: string, pattern: "^sec_[a-f0-9]{16}$" }
        active: { type: boolean, default: true }
    Problem:
      type: object
      required: [problem]
      properties: { problem: { type: string } }
x-webhook-signature: { scheme: none, reason: the docs define none }
x-delivery:
  method: POST
  contentType: application/json
  serialization: compact
  bodyEncoding: plain
  success: 2xx
  timeoutMs: 5000
  ordering: none
  queue: none
  onFailure: drop
  matching: { events: /topic }
x-envelope: {}
"##;

#[tokio::test]
async fn a_spec_file_alone_gives_a_working_mock() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fifth.yaml");
    std::fs::write(&file, FIFTH).unwrap();
    let spec = Loader::new()
        .load_file(&file)
        .unwrap_or_else(|e| panic!("{e}"));
    let provider = MockProvider::start(spec).await.unwrap();
    assert!(
        provider.uri().ends_with("/v2"),
        "the server URL's path is kept: {}",
        provider.uri()
    );
    let key = provider
        .credentials()
        .secret("tenant-a", "key")
        .unwrap()
        .to_string();
    let client = Client::new();

    let response = client
        .post(format!("{}/hooks", provider.uri()))
        .header("x-fifth-key", &key)
        .json(&json!({"url": "https://r.example.com", "topic": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the documented success status");
    let hook: Value = response.json().await.unwrap();
    assert!(hook["id"].as_str().unwrap().starts_with("hk_"));
    assert!(
        hook["secret"].as_str().unwrap().starts_with("sec_"),
        "server-side fields come from the schema: {hook}"
    );
    assert_eq!(hook["active"], true, "the schema's default");

    let read: Value = client
        .get(format!(
            "{}/hooks/{}",
            provider.uri(),
            hook["id"].as_str().unwrap()
        ))
        .header("x-fifth-key", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read, hook);

    let response = client
        .post(format!("{}/hooks", provider.uri()))
        .header("x-fifth-key", &key)
        .json(&json!({"url": "http://r.example.com", "topic": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["problem"].is_null() || problem.get("message").is_some(),
        "{problem}"
    );

    // No example, no mock action: the answer is generated from the response schema.
    let status: Value = client
        .get(format!("{}/status", provider.uri()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["ok"], true);
    assert!(status["since"].is_string(), "{status}");
}

/// A generated value of a parameter's schema, as text.
fn parameter_value(
    generator: &Generator,
    schema: &str,
    rng: &mut proptest::test_runner::TestRng,
) -> String {
    match generator
        .schema(schema)
        .and_then(|g| g.draw(Mode::Valid, rng))
    {
        Ok(sample) => match sample.value {
            Value::String(s) => s,
            other => other.to_string(),
        },
        Err(_) => "x".into(),
    }
}

/// Sends generated requests, valid and invalid, to every endpoint of `name`'s mock, with and
/// without credentials, and checks every answer.
async fn fuzz(name: &str, cases: usize) -> BTreeMap<u16, usize> {
    let spec = ProviderSpec::load(name).unwrap();
    let provider = MockProvider::builder(spec.clone())
        .seed(9)
        .start()
        .await
        .unwrap();
    let generator = Generator::new(&spec);
    let client = Client::new();
    let mut rng = rng::seeded(11);
    let mut statuses = BTreeMap::new();
    for endpoint in &spec.endpoints {
        // The documented request examples first, with valid credentials.
        let examples: Vec<Value> = endpoint
            .request
            .as_ref()
            .and_then(|b| b.json())
            .map(|m| m.examples.iter().map(|e| e.value.clone()).collect())
            .unwrap_or_default();
        let tenant = &provider.credentials().tenants[0];
        let needs_path = endpoint
            .parameters
            .iter()
            .any(|p| p.location == "path" && p.name != "project_id");
        if !needs_path
            && !endpoint
                .request
                .as_ref()
                .and_then(|b| b.json())
                .is_some_and(|m| m.content_type.contains("form"))
        {
            for example in examples {
                let path = endpoint.path.replace("{project_id}", &tenant.id);
                let url = format!("{}{path}", provider.uri());
                let request = authorize(
                    client.request(endpoint.method.parse().unwrap(), &url),
                    &spec,
                    endpoint,
                    tenant,
                )
                .json(&example);
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap();
                assert!(status < 500, "{name} {url}: {status} {body}");
                check_documented(&spec, endpoint, status, &body, &url);
                *statuses.entry(status).or_default() += 1;
            }
        }
        for case in 0..cases {
            let tenant = &provider.credentials().tenants[case % 2];
            let mut path = endpoint.path.clone();
            let mut query = Vec::new();
            for parameter in &endpoint.parameters {
                let value = if parameter.location == "path"
                    && parameter.name == "project_id"
                    && case % 3 != 0
                {
                    tenant.id.clone()
                } else {
                    parameter
                        .schema
                        .as_deref()
                        .map_or_else(|| "x".into(), |s| parameter_value(&generator, s, &mut rng))
                };
                match parameter.location.as_str() {
                    "path" => {
                        path = path.replace(&format!("{{{}}}", parameter.name), &urlencode(&value))
                    }
                    "query" if case % 2 == 0 => query.push((parameter.name.clone(), value)),
                    _ => {}
                }
            }
            let query: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
                .collect();
            let url = if query.is_empty() {
                format!("{}{path}", provider.uri())
            } else {
                format!("{}{path}?{}", provider.uri(), query.join("&"))
            };
            let mut request = client.request(endpoint.method.parse().unwrap(), &url);
            if case % 5 != 4 {
                request = authorize(request, &spec, endpoint, tenant);
            }
            let media = endpoint.request.as_ref().and_then(|b| b.json());
            if let Some(media) = media {
                let mode = if case % 2 == 0 {
                    Mode::Valid
                } else {
                    Mode::Invalid
                };
                let body = generator
                    .request(&endpoint.operation_id)
                    .and_then(|g| g.draw(mode, &mut rng))
                    .map(|s| s.value)
                    .unwrap_or(Value::Null);
                request = if media.content_type.contains("form") {
                    let pairs: Vec<String> = body
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| {
                                    format!(
                                        "{}={}",
                                        urlencode(k),
                                        urlencode(
                                            &v.as_str()
                                                .map_or_else(|| v.to_string(), str::to_string)
                                        )
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    request
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(pairs.join("&"))
                } else {
                    request.json(&body)
                };
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert!(
                status < 500,
                "{name} {} {url}: {status} {text}",
                endpoint.method
            );
            if status == 204 {
                assert!(text.is_empty(), "{name} {url}: a 204 with a body: {text}");
                *statuses.entry(status).or_default() += 1;
                continue;
            }
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name} {url}: not JSON ({e}): {text}"));
            check_documented(&spec, endpoint, status, &body, &url);
            *statuses.entry(status).or_default() += 1;
        }
    }
    statuses
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn authorize(
    mut request: reqwest::RequestBuilder,
    spec: &ProviderSpec,
    endpoint: &Endpoint,
    tenant: &webhook_harness::mock::Tenant,
) -> reqwest::RequestBuilder {
    for name in endpoint.security.first().into_iter().flatten() {
        let scheme = spec
            .security_schemes
            .iter()
            .find(|s| &s.name == name)
            .unwrap();
        let secret = tenant.secrets.get(name).unwrap();
        request = if scheme.kind == "apiKey" {
            request.header(scheme.parameter.as_deref().unwrap(), secret)
        } else {
            request.bearer_auth(secret)
        };
    }
    request
}

fn check_documented(
    spec: &ProviderSpec,
    endpoint: &Endpoint,
    status: u16,
    body: &Value,
    url: &str,
) {
    let Some(response) = endpoint
        .responses
        .iter()
        .find(|r| r.status == status.to_string())
        .or_else(|| endpoint.responses.iter().find(|r| r.covers(status)))
    else {
        // Undocumented statuses (405, 413, 415...) still answer JSON, checked by the caller.
        return;
    };
    if let Some(schema) = response.body.json().and_then(|m| m.schema.clone()) {
        let violations = spec.schemas.violations(&schema, body).unwrap();
        assert!(
            violations.is_empty(),
            "{} {url} answered {status} {body}, against its schema: {violations:?}",
            endpoint.operation_id
        );
    }
}

#[tokio::test]
async fn generated_requests_never_get_a_5xx_or_an_undocumented_body() {
    for name in ["betterez", "happycolis", "swsh", "uc-alxgsv"] {
        let statuses = fuzz(name, 24).await;
        eprintln!("{name}: {statuses:?}");
        let successes: usize = statuses
            .iter()
            .filter(|(s, _)| (200..300).contains(*s))
            .map(|(_, n)| n)
            .sum();
        let refusals: usize = statuses
            .iter()
            .filter(|(s, _)| (400..500).contains(*s))
            .map(|(_, n)| n)
            .sum();
        assert!(
            successes > 0 && refusals > 0,
            "{name}: both outcomes are exercised: {statuses:?}"
        );
    }
}

#[tokio::test]
async fn a_long_run_keeps_memory_flat() {
    let provider = MockProvider::builder(ProviderSpec::load("swsh").unwrap())
        .journal_limit(100)
        .start()
        .await
        .unwrap();
    let key = provider
        .credentials()
        .secret("tenant-a", "ApiKeyAuth")
        .unwrap()
        .to_string();
    let client = Client::new();
    for _ in 0..300 {
        let created: Value = client
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &key)
            .json(&json!({"event": "newAlbum", "targetUrl": "https://a.example.com"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["data"]["webhookId"].as_str().unwrap();
        let response = client
            .post(format!("{}/webhook/deleteSubscription", provider.uri()))
            .header("x-api-key", &key)
            .json(&json!({"webhookId": id}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert!(
        provider.subscriptions().is_empty(),
        "deleted subscriptions are gone"
    );
    assert_eq!(
        provider.received().len(),
        100,
        "the journal keeps only the most recent requests"
    );
}
