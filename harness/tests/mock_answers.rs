//! The spec documents every answer the mock gives. For every REST operation of every built-in
//! spec with a management API (and the GraphQL endpoint's statuses), a property test sends
//! requests made by the project's generator: valid, edge and invalid bodies and parameters,
//! missing, partial, forged and other tenants' credentials, known and unknown ids, and paging
//! values out of range. Every status answered must be one the spec lists for that operation,
//! and every body must match the schema documented for that status.

use std::collections::BTreeMap;
use std::sync::Mutex;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::Value;
use webhook_harness::generate::Generator;
use webhook_harness::mock::{MockProvider, Tenant};
use webhook_harness::spec::{Endpoint, Loader, ProviderSpec};

/// Generated requests per operation; `MOCK_ANSWERS_CASES` changes it.
const CASES: u32 = 48;

/// Query values a list's paging parameters are tried with besides generated ones: zero,
/// negative, fractional, beyond 64 bits, empty and not a number.
const ODD_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1.5",
    "1e3",
    "99999999999999999999999",
    "",
    "abc",
    "2147483648",
];

/// How a case presents its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credential {
    /// The tenant's own secrets, for every scheme the operation requires.
    Valid,
    /// No credentials at all.
    Missing,
    /// Every secret replaced by one the mock never issued.
    Forged,
    /// Only the first scheme of a requirement that needs several.
    Partial,
    /// Valid secrets, but the path names the other tenant (uc.alxgsv's project id).
    OtherTenantPath,
}

/// What an id parameter (or an id in the body) holds.
#[derive(Debug, Clone)]
enum Id {
    /// The id of a resource the tenant holds, when it holds any.
    Known(usize),
    /// A value the generator drew from the parameter's schema (valid or not).
    Drawn(String),
}

/// One generated request to one operation.
#[derive(Debug, Clone)]
struct Case {
    tenant: usize,
    credential: Credential,
    id: Id,
    /// Path and query parameters, `None` when left out.
    parameters: Vec<Option<String>>,
    body: Option<Value>,
}

fn load(name: &str) -> ProviderSpec {
    if name.ends_with(".yaml") {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
        return Loader::new()
            .load_file(&path)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    ProviderSpec::load(name).unwrap_or_else(|e| panic!("{e}"))
}

/// A parameter value as text, from a generated JSON value.
fn text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Values of one parameter's schema: valid, edge and invalid draws, plus the odd numbers for
/// integer query parameters.
fn parameter_strategy(
    generator: &Generator,
    endpoint: &Endpoint,
    index: usize,
) -> BoxedStrategy<Option<String>> {
    let parameter = &endpoint.parameters[index];
    let Some(schema) = parameter
        .schema
        .as_deref()
        .and_then(|s| generator.schema(s).ok())
    else {
        return Just(Some("x".to_string())).boxed();
    };
    let drawn = prop_oneof![
        3 => schema.valid().prop_map(|v| Some(text(v))),
        1 => schema.edge().prop_map(|v| Some(text(v))),
        1 => schema.invalid().prop_map(|i| Some(text(i.value))),
    ];
    if parameter.location == "path" {
        return drawn.boxed();
    }
    let odd = prop::sample::select(ODD_NUMBERS).prop_map(|s| Some(s.to_string()));
    prop_oneof![2 => Just(None), 3 => drawn, 2 => odd].boxed()
}

fn body_strategy(generator: &Generator, endpoint: &Endpoint) -> BoxedStrategy<Option<Value>> {
    if endpoint.request.as_ref().and_then(|b| b.json()).is_none() {
        return Just(None).boxed();
    }
    match generator.request(&endpoint.operation_id) {
        Ok(body) => prop_oneof![
            3 => body.valid().prop_map(Some),
            1 => body.edge().prop_map(Some),
            3 => body.invalid().prop_map(|i| Some(i.value)),
        ]
        .boxed(),
        // A body without a schema: an empty object.
        Err(_) => Just(Some(Value::Object(serde_json::Map::new()))).boxed(),
    }
}

fn case_strategy(generator: &Generator, endpoint: &Endpoint) -> BoxedStrategy<Case> {
    let parameters: Vec<_> = (0..endpoint.parameters.len())
        .map(|i| parameter_strategy(generator, endpoint, i))
        .collect();
    let id_schema = id_parameter(endpoint)
        .and_then(|i| endpoint.parameters[i].schema.clone())
        .and_then(|s| generator.schema(&s).ok());
    let drawn_id = match id_schema {
        Some(schema) => prop_oneof![
            schema.valid().prop_map(|v| Id::Drawn(text(v))),
            schema.invalid().prop_map(|i| Id::Drawn(text(i.value))),
        ]
        .boxed(),
        None => Just(Id::Drawn("unknown".into())).boxed(),
    };
    let credential = prop_oneof![
        6 => Just(Credential::Valid),
        1 => Just(Credential::Missing),
        1 => Just(Credential::Forged),
        1 => Just(Credential::Partial),
        1 => Just(Credential::OtherTenantPath),
    ];
    (
        0..2usize,
        credential,
        prop_oneof![2 => any::<usize>().prop_map(Id::Known), 1 => drawn_id],
        parameters,
        body_strategy(generator, endpoint),
    )
        .prop_map(|(tenant, credential, id, parameters, body)| Case {
            tenant,
            credential,
            id,
            parameters,
            body,
        })
        .boxed()
}

/// The path parameter that names the operation's resource (`path:<name>` in `x-operation`).
fn id_parameter(endpoint: &Endpoint) -> Option<usize> {
    let name = endpoint
        .ext
        .mock
        .as_ref()?
        .id
        .as_deref()?
        .strip_prefix("path:")?;
    endpoint.parameters.iter().position(|p| p.name == name)
}

/// The path parameter that names the tenant (`tenant: path:<name>`).
fn tenant_parameter(endpoint: &Endpoint) -> Option<usize> {
    let name = endpoint
        .ext
        .mock
        .as_ref()?
        .tenant
        .as_deref()?
        .strip_prefix("path:")?;
    endpoint.parameters.iter().position(|p| p.name == name)
}

/// The ids of the resources of the operation's collection.
fn known_ids(provider: &MockProvider, endpoint: &Endpoint) -> Vec<String> {
    let Some(mock) = endpoint.ext.mock.as_ref() else {
        return Vec::new();
    };
    let Some(collection) = mock.collection.as_deref() else {
        return Vec::new();
    };
    // Where the collection's resources keep their id: the `idField` of any of its operations.
    let at = provider
        .spec()
        .endpoints
        .iter()
        .filter_map(|e| e.ext.mock.as_ref())
        .filter(|m| m.collection.as_deref() == Some(collection))
        .find_map(|m| m.id_field.as_deref())
        .unwrap_or("/id");
    provider
        .resources(collection)
        .iter()
        .filter_map(|r| r.pointer(at).cloned().map(text))
        .collect()
}

/// `clientSecret` as `client_secret`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
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
    tenant: &Tenant,
    credential: Credential,
) -> reqwest::RequestBuilder {
    let schemes = endpoint.security.first().cloned().unwrap_or_default();
    let take = match credential {
        Credential::Missing => 0,
        Credential::Partial => 1,
        _ => schemes.len(),
    };
    for name in schemes.iter().take(take) {
        let scheme = spec
            .security_schemes
            .iter()
            .find(|s| &s.name == name)
            .unwrap();
        let mut secret = tenant.secrets.get(name).cloned().unwrap_or_default();
        if credential == Credential::Forged {
            secret = format!("forged{}", secret.len());
        }
        request = if scheme.kind == "apiKey" {
            request.header(scheme.parameter.as_deref().unwrap(), secret)
        } else {
            request.bearer_auth(secret)
        };
    }
    request
}

/// What one answer was.
struct Answer {
    url: String,
    status: u16,
    content_type: String,
    text: String,
}

async fn send(
    client: &reqwest::Client,
    provider: &MockProvider,
    endpoint: &Endpoint,
    case: &Case,
) -> Answer {
    let spec = provider.spec();
    let tenants = &provider.credentials().tenants;
    let tenant = &tenants[case.tenant % tenants.len()];
    let other = &tenants[(case.tenant + 1) % tenants.len()];
    let known = known_ids(provider, endpoint);
    let id = match &case.id {
        Id::Known(index) if !known.is_empty() => known[index % known.len()].clone(),
        Id::Known(_) => "no-such-id".to_string(),
        Id::Drawn(id) => id.clone(),
    };
    let mut path = endpoint.path.clone();
    let mut query = Vec::new();
    for (index, parameter) in endpoint.parameters.iter().enumerate() {
        let value = if Some(index) == tenant_parameter(endpoint) {
            match case.credential {
                Credential::OtherTenantPath => Some(other.id.clone()),
                _ => Some(tenant.id.clone()),
            }
        } else if Some(index) == id_parameter(endpoint) {
            Some(id.clone())
        } else {
            case.parameters[index].clone()
        };
        match (parameter.location.as_str(), value) {
            ("path", Some(value)) => {
                path = path.replace(&format!("{{{}}}", parameter.name), &urlencode(&value));
            }
            ("query", Some(value)) => {
                query.push(format!(
                    "{}={}",
                    urlencode(&parameter.name),
                    urlencode(&value)
                ));
            }
            _ => {}
        }
    }
    let url = if query.is_empty() {
        format!("{}{path}", provider.uri())
    } else {
        format!("{}{path}?{}", provider.uri(), query.join("&"))
    };
    let mut request = client.request(endpoint.method.parse().unwrap(), &url);
    request = authorize(request, spec, endpoint, tenant, case.credential);
    if let Some(mut body) = case.body.clone() {
        // An id the body carries (swsh's `webhookId`) is the case's id when it is a known one.
        let in_body = endpoint
            .ext
            .mock
            .as_ref()
            .and_then(|m| m.id.as_deref())
            .and_then(|i| i.strip_prefix("body:"));
        if let (Id::Known(_), Some(at)) = (&case.id, in_body)
            && let Some(slot) = body.pointer_mut(at)
        {
            *slot = Value::String(id.clone());
        }
        // Credentials the body carries (a token grant's `client_id` and `client_secret`) are
        // the tenant's own when the case presents valid ones.
        if let (Credential::Valid, Some(fields)) = (case.credential, body.as_object_mut()) {
            for (scheme, secret) in &tenant.secrets {
                if let Some(slot) = fields.get_mut(&snake_case(scheme)) {
                    *slot = Value::String(secret.clone());
                }
            }
        }
        let media = endpoint.request.as_ref().and_then(|b| b.json()).unwrap();
        request = if media.content_type.contains("form") {
            let pairs: Vec<String> = body
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(&text(v.clone()))))
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
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = response.text().await.unwrap();
    Answer {
        url,
        status,
        content_type,
        text,
    }
}

/// Whether the spec documents `answer` for `endpoint`: its status is listed, and its body is
/// what that status documents (JSON matching the schema, or nothing when no content is).
fn judge(spec: &ProviderSpec, endpoint: &Endpoint, answer: &Answer) -> Result<(), String> {
    let Answer {
        url,
        status,
        content_type,
        text,
    } = answer;
    let at = format!(
        "{} {} {url} answered {status} {text}",
        endpoint.operation_id, endpoint.method
    );
    let Some(response) = endpoint
        .responses
        .iter()
        .find(|r| r.status == status.to_string())
        .or_else(|| endpoint.responses.iter().find(|r| r.covers(*status)))
    else {
        let listed: Vec<&str> = endpoint
            .responses
            .iter()
            .map(|r| r.status.as_str())
            .collect();
        return Err(format!("{at}\nthe spec lists only {listed:?}"));
    };
    let Some(media) = response.body.json() else {
        return if text.is_empty() {
            Ok(())
        } else {
            Err(format!("{at}\nthe spec documents no body for {status}"))
        };
    };
    if media.content_type.contains("json") && !content_type.contains("json") {
        return Err(format!(
            "{at}\nContent-Type {content_type:?}, the spec documents {}",
            media.content_type
        ));
    }
    let body: Value =
        serde_json::from_str(text).map_err(|e| format!("{at}\nthe body is not JSON: {e}"))?;
    if let Some(schema) = &media.schema {
        let violations = spec.schemas.violations(schema, &body).unwrap();
        if !violations.is_empty() {
            let shown: Vec<String> = violations
                .iter()
                .map(|v| format!("{}: {}", v.instance_pointer, v.message))
                .collect();
            return Err(format!("{at}\nagainst the schema of {status}: {shown:?}"));
        }
    }
    Ok(())
}

/// Runs the property over every operation of `name`'s mock; the statuses seen per operation.
fn every_answer_is_documented(name: &str) -> BTreeMap<String, BTreeMap<u16, usize>> {
    let spec = load(name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let provider = runtime.block_on(async {
        MockProvider::builder(spec.clone())
            .seed(5)
            .start()
            .await
            .unwrap()
    });
    let generator = Generator::new(&spec);
    let client = reqwest::Client::new();
    let cases = std::env::var("MOCK_ANSWERS_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(CASES);
    let seen = Mutex::new(BTreeMap::<String, BTreeMap<u16, usize>>::new());
    let mut failures = Vec::new();
    for endpoint in &spec.endpoints {
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 256,
            ..Config::default()
        };
        // A fixed seed per spec and operation: the same requests on every run.
        let mut seed = [0u8; 32];
        for (i, b) in format!("{name}/{}", endpoint.operation_id)
            .bytes()
            .enumerate()
        {
            seed[i % 32] ^= b;
        }
        // The documented request examples first, as the docs show them, with valid credentials.
        let examples: Vec<Value> = endpoint
            .request
            .as_ref()
            .and_then(|b| b.json())
            .map(|m| m.examples.iter().map(|e| e.value.clone()).collect())
            .unwrap_or_default();
        for example in examples {
            let case = Case {
                tenant: 0,
                credential: Credential::Valid,
                id: Id::Known(0),
                parameters: vec![None; endpoint.parameters.len()],
                body: Some(example),
            };
            let answer = runtime.block_on(send(&client, &provider, endpoint, &case));
            *seen
                .lock()
                .unwrap()
                .entry(endpoint.operation_id.clone())
                .or_default()
                .entry(answer.status)
                .or_default() += 1;
            if let Err(error) = judge(&spec, endpoint, &answer) {
                failures.push(format!("{name}: the documented example: {error}"));
            }
        }
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let result = runner.run(&case_strategy(&generator, endpoint), |case| {
            let answer = runtime.block_on(send(&client, &provider, endpoint, &case));
            *seen
                .lock()
                .unwrap()
                .entry(endpoint.operation_id.clone())
                .or_default()
                .entry(answer.status)
                .or_default() += 1;
            judge(&spec, endpoint, &answer).map_err(TestCaseError::fail)
        });
        if let Err(error) = result {
            failures.push(format!("{name}: {error}"));
        }
    }
    runtime.block_on(provider.shutdown());
    // Every operation is tried before failing, so that one run lists every undocumented answer.
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    seen.into_inner().unwrap()
}

/// Checks a spec's run exercised both successes and refusals, and prints what it saw.
fn report(name: &str, seen: &BTreeMap<String, BTreeMap<u16, usize>>) {
    for (operation, statuses) in seen {
        eprintln!("{name} {operation}: {statuses:?}");
    }
    let all = seen.values().flat_map(|s| s.iter());
    let (mut successes, mut refusals) = (0, 0);
    for (status, n) in all {
        match status {
            200..=299 => successes += n,
            400..=499 => refusals += n,
            _ => {}
        }
    }
    assert!(
        successes > 0 && refusals > 0,
        "{name}: both outcomes are exercised: {seen:?}"
    );
}

#[test]
fn betterez_documents_every_answer() {
    report("betterez", &every_answer_is_documented("betterez"));
}

#[test]
fn swsh_documents_every_answer() {
    report("swsh", &every_answer_is_documented("swsh"));
}

#[test]
fn uc_alxgsv_documents_every_answer() {
    report("uc-alxgsv", &every_answer_is_documented("uc-alxgsv"));
}

#[test]
fn standard_webhooks_documents_every_answer() {
    report(
        "standard-webhooks",
        &every_answer_is_documented("standard-webhooks"),
    );
}

#[test]
fn hookshot_documents_every_answer() {
    report(
        "hookshot",
        &every_answer_is_documented("tests/specs/hookshot.yaml"),
    );
}

#[test]
fn happycolis_documents_every_answer() {
    report("happycolis", &every_answer_is_documented("happycolis"));
}

/// A created resource gets the defaults the request schema declares inside what the request
/// sends: hookshot's documented example leaves `config.content_type` out, which defaults to
/// `json` and is required in the stored hook.
#[tokio::test]
async fn a_create_fills_the_request_schemas_nested_defaults() {
    let spec = load("tests/specs/hookshot.yaml");
    let provider = MockProvider::start(spec).await.unwrap();
    let key = provider
        .credentials()
        .secret("tenant-a", "bearerAuth")
        .unwrap()
        .to_string();
    let response = reqwest::Client::new()
        .post(format!("{}/hooks", provider.uri()))
        .bearer_auth(key)
        .json(&serde_json::json!({
            "config": {"url": "https://hooks.example.com/all", "secret": "another secret"},
            "events": ["*"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let hook: Value = response.json().await.unwrap();
    assert_eq!(hook["config"]["content_type"], "json", "{hook}");
    assert_eq!(hook["config"]["secret"], "another secret", "{hook}");
}
