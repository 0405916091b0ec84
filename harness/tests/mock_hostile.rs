//! Hostile input over the network never panics the mock or corrupts its state: admin routes
//! without their segment, huge page numbers, integers beyond 64 bits, deep nesting, GraphQL
//! documents built to be expensive. Every answer is JSON, and error codes match their cause.

use reqwest::Client;
use serde_json::{Value, json};
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

/// The mock's credential `name` for tenant-a.
fn tenant_a_secret(provider: &MockProvider, name: &str) -> String {
    provider
        .credentials()
        .secret("tenant-a", name)
        .unwrap()
        .to_string()
}

async fn start(name: &str) -> MockProvider {
    MockProvider::builder(ProviderSpec::load(name).unwrap())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap()
}

/// The status and the JSON body (which must be JSON).
async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}, not JSON ({e}): {text:?}"));
    (status, body)
}

#[tokio::test]
async fn admin_routes_without_their_segment_answer_404_json() {
    let provider = start("happycolis").await;
    let client = Client::new();
    for (method, path) in [
        ("POST", "/__mock/queues/unblock"),
        ("POST", "/__mock/queues//unblock"),
        ("POST", "/__mock/queues/skip"),
        ("POST", "/__mock/undeliverable//resend"),
        ("POST", "/__mock/undeliverable/resend/resend"),
        ("DELETE", "/__mock/undeliverable/"),
        ("GET", "/__mock/nothing-here"),
        ("PUT", "/__mock/deliveries"),
    ] {
        let url = format!("{}{path}", provider.uri());
        let (status, body) = send(client.request(method.parse().unwrap(), &url)).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_eq!(body["error"], "not_found", "{body}");
    }
    // Still serving.
    let (status, _) = send(client.get(format!("{}/__mock/queues", provider.uri()))).await;
    assert_eq!(status, 200);
}

/// uc.alxgsv's list, as tenant-a, with `query`.
async fn uc_list(provider: &MockProvider, query: &str) -> (u16, Value) {
    let key = tenant_a_secret(provider, "bearerAuth");
    send(
        Client::new()
            .get(format!(
                "{}/api/v1/projects/tenant-a/webhooks.json?{query}",
                provider.uri()
            ))
            .bearer_auth(key),
    )
    .await
}

#[tokio::test]
async fn huge_page_numbers_answer_an_empty_page_or_the_declared_maximum() {
    let provider = start("uc-alxgsv").await;
    let key = tenant_a_secret(&provider, "bearerAuth");
    let (status, body) = send(
        Client::new()
            .post(format!("{}/api/v1/projects/tenant-a/webhooks.json", provider.uri()))
            .bearer_auth(&key)
            .json(&json!({"webhook": {"target_url": "https://hooks.example.com/u", "events": ["file.created"]}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for query in [
        "page=4611686018427387905&items=4",
        "page=18446744073709551615&items=18446744073709551615",
        "page=11230462190996644498806700249186304&items=4",
        "page=2&items=11230462190996644498806700249186304",
        "page=100000000000000000000000000000000000000000000000000000000&items=1",
    ] {
        let (status, body) = uc_list(&provider, query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["data"], json!([]), "{query}: {body}");
    }
    let (status, body) = uc_list(
        &provider,
        "page=1&items=11230462190996644498806700249186304",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"].as_array().unwrap().len(), 1, "{body}");
    // Below the declared minimum, or not a number: the documented 400.
    for query in [
        "page=0",
        "items=-11230462190996644498806700249186304",
        "page=1e400",
    ] {
        let (status, body) = uc_list(&provider, query).await;
        assert_eq!(status, 400, "{query}: {body}");
    }
    // swsh declares `limit` at most 64: a huge one is that 400, not a type error.
    let swsh = start("swsh").await;
    let key = tenant_a_secret(&swsh, "ApiKeyAuth");
    let (status, body) = send(
        Client::new()
            .get(format!(
                "{}/webhook/getSubscriptions?limit=11230462190996644498806700249186304",
                swsh.uri()
            ))
            .header("x-api-key", key),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let message = body.to_string();
    assert!(!message.contains("not of type"), "{message}");
    assert!(message.contains("limit"), "{message}");
}

#[tokio::test]
async fn deep_nesting_is_refused_at_creation_and_stored_items_read_back_whole() {
    // Betterez subscriptions keep fields beyond the documented ones.
    let provider = start("betterez").await;
    let key = tenant_a_secret(&provider, "apiKey");
    let jwt = tenant_a_secret(&provider, "jwt");
    let url = format!("{}/subscriptions", provider.uri());
    let nested = |depth: usize| {
        let mut value = json!("leaf");
        for _ in 0..depth {
            value = json!({"n": value});
        }
        value
    };
    let create = |extra: Value| {
        Client::new()
            .post(&url)
            .header("x-api-key", &key)
            .bearer_auth(&jwt)
            .json(&json!({"name": "deep", "url": "https://hooks.example.com/b", "events": ["images.created"], "extra": extra}))
    };
    for depth in [120, 126] {
        let (status, body) = send(create(nested(depth))).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("nested deeper than"), "{body}");
    }
    // Within the limit, the item reads back exactly as stored.
    let (status, body) = send(create(nested(60))).await;
    assert_eq!(status, 200, "{body}");
    let (status, listed) = send(
        Client::new()
            .get(&url)
            .header("x-api-key", &key)
            .bearer_auth(&jwt),
    )
    .await;
    assert_eq!(status, 200);
    let items = listed["subscriptions"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["extra"], nested(60), "{listed}");
}

#[tokio::test]
async fn betterez_error_codes_match_their_cause() {
    let provider = start("betterez").await;
    let key = tenant_a_secret(&provider, "apiKey");
    let jwt = tenant_a_secret(&provider, "jwt");
    let url = format!("{}/subscriptions", provider.uri());
    let client = Client::new();
    let authed =
        |request: reqwest::RequestBuilder| request.header("x-api-key", &key).bearer_auth(&jwt);
    let cases = [
        (
            authed(client.post(&url))
                .header("content-type", "application/json")
                .body("{\"url\": "),
            400,
            "BAD_REQUEST",
        ),
        (authed(client.patch(&url)), 405, "METHOD_NOT_ALLOWED"),
        (
            authed(client.post(&url))
                .header("content-type", "application/json")
                .body(vec![b' '; 2 * 1024 * 1024]),
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            authed(client.post(&url))
                .header("content-type", "text/plain")
                .body("x"),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            authed(client.post(&url)).json(
                &json!({"name": "n", "url": "ftp://x.example/h", "events": ["images.created"]}),
            ),
            400,
            "INVALID_URL",
        ),
        (client.post(&url).json(&json!({})), 401, "UNAUTHORIZED"),
    ];
    for (request, status, code) in cases {
        let (got, body) = send(request).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["code"], code, "{body}");
    }
}

/// A GraphQL POST to HappyColis: the HTTP status and the answer.
async fn graphql(provider: &MockProvider, query: &str) -> (u16, Value) {
    let token = tenant_a_secret(provider, "bearerAuth");
    send(
        Client::new()
            .post(format!("{}/graphql", provider.uri()))
            .bearer_auth(token)
            .json(&json!({"query": query})),
    )
    .await
}

#[tokio::test]
async fn graphql_documents_beyond_the_limits_are_refused_unexecuted() {
    use webhook_harness::mock::graphql_limits::{MAX_ALIASES, MAX_COMPLEXITY, MAX_DEPTH};
    let provider = start("happycolis").await;
    let aliases: String = (0..3000)
        .map(|i| format!("a{i}: __schema {{ queryType {{ name }} }} "))
        .collect();
    let deep = format!(
        "{}name{}",
        "__schema { queryType { fields { type { ofType { ".repeat(4),
        " } } } } }".repeat(4)
    );
    // Within the alias limit, but each alias selects a large part of the schema.
    let subtree = "types { name kind description fields { name description args { name description type { name kind ofType { name kind } } } type { name kind ofType { name kind ofType { name } } } } inputFields { name } enumValues { name } }";
    let wide: String = (0..MAX_ALIASES)
        .map(|i| format!("a{i}: __schema {{ {subtree} }} "))
        .collect();
    const { assert!(MAX_ALIASES * 25 > MAX_COMPLEXITY) };
    for (query, what) in [
        (format!("{{ {aliases} }}"), "aliased fields"),
        (format!("{{ {deep} }}"), "nested too deep"),
        (format!("{{ {wide} }}"), "complex"),
    ] {
        let (status, answer) = graphql(&provider, &query).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer["data"].is_null(), "{what}: executed anyway");
        let message = answer["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        assert!(message.contains(what), "{what}: {answer}");
    }
    // Within the limits, introspection runs.
    let few: String = (0..MAX_ALIASES)
        .map(|i| format!("a{i}: __typename "))
        .collect();
    let (_, answer) = graphql(
        &provider,
        &format!("{{ {few} __schema {{ queryType {{ name }} }} }}"),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer}");
    // The standard introspection query needs 13 levels.
    const { assert!(MAX_DEPTH >= 13) };
}

#[tokio::test(flavor = "current_thread")]
async fn a_graphql_execution_does_not_hold_up_other_clients() {
    use std::sync::{Mutex, mpsc};
    use webhook_harness::mock::action::{Call, Outcome, Refusal};
    let (release, wait) = mpsc::channel::<()>();
    let wait = Mutex::new(wait);
    // The mutation waits (blocking its thread) until the other client has been answered.
    let provider = MockProvider::builder(ProviderSpec::load("happycolis").unwrap())
        .operation(
            "integrationWebhookCreate",
            move |_: &Call<'_>| -> Result<Outcome, Refusal> {
                let released = wait
                    .lock()
                    .unwrap()
                    .recv_timeout(std::time::Duration::from_secs(5));
                Err(Refusal::Status(
                    409,
                    format!("released: {}", released.is_ok()),
                ))
            },
        )
        .start()
        .await
        .unwrap();
    let mutation = graphql(
        &provider,
        "mutation { integrationWebhookCreate(input: {endPoint: \"https://h.example.com/h\", type: \"product/image/created\"}) { id } }",
    );
    let other = async {
        let (status, _) =
            send(Client::new().get(format!("{}/__mock/queues", provider.uri()))).await;
        let _ = release.send(());
        status
    };
    let ((_, answer), status) = tokio::join!(mutation, other);
    assert_eq!(status, 200);
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("released: true"), "{answer}");
}
