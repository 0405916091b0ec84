//! The mock provider over real HTTP: each REST provider's lifecycle, and every refusal.

use reqwest::{Client, Response};
use serde_json::{Value, json};
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

/// Checks `body` against the documented response of `operation` for `status`.
fn assert_documented(provider: &MockProvider, operation: &str, status: u16, body: &Value) {
    let spec = provider.spec();
    let endpoint = spec.endpoint(operation).unwrap();
    let response = endpoint
        .responses
        .iter()
        .find(|r| r.status == status.to_string())
        .or_else(|| endpoint.responses.iter().find(|r| r.covers(status)))
        .unwrap_or_else(|| panic!("{operation} documents no {status}"));
    let schema = response
        .body
        .json()
        .and_then(|m| m.schema.clone())
        .unwrap_or_else(|| panic!("{operation} {status} has no schema"));
    let violations = spec.schemas.violations(&schema, body).unwrap();
    assert!(
        violations.is_empty(),
        "{operation} {status}: {body}\n{violations:?}"
    );
}

async fn json_of(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    assert_eq!(content_type.as_deref(), Some("application/json"), "{text}");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
    )
}

async fn swsh(allow_http: bool) -> (MockProvider, String, String) {
    let provider = MockProvider::builder(ProviderSpec::load("swsh").unwrap())
        .allow_http_targets(allow_http)
        .seed(1)
        .start()
        .await
        .unwrap();
    let a = provider
        .credentials()
        .secret("tenant-a", "ApiKeyAuth")
        .unwrap()
        .to_string();
    let b = provider
        .credentials()
        .secret("tenant-b", "ApiKeyAuth")
        .unwrap()
        .to_string();
    (provider, a, b)
}

#[tokio::test]
async fn swsh_subscription_lifecycle() {
    let (provider, key, _) = swsh(false).await;
    let client = Client::new();
    let config = json!({"event": "photoLabelAdded", "targetUrl": "https://hooks.example.com/swsh", "albumId": "album-1", "label": "sunset", "metadata": {"token": "t", "n": 1}});
    let (status, created) = json_of(
        client
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &key)
            .json(&config)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_documented(&provider, "createSubscription", 200, &created);
    assert_eq!(
        created["data"]["config"], config,
        "the config is echoed as sent"
    );
    let id = created["data"]["webhookId"].as_str().unwrap().to_string();

    let (status, listed) = json_of(
        client
            .get(format!("{}/webhook/getSubscriptions", provider.uri()))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_documented(&provider, "getSubscriptions", 200, &listed);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["webhookId"], id.as_str());
    assert_eq!(provider.subscriptions().len(), 1);

    let delete = |id: String| {
        client
            .post(format!("{}/webhook/deleteSubscription", provider.uri()))
            .header("x-api-key", &key)
            .json(&json!({"webhookId": id}))
            .send()
    };
    let (status, deleted) = json_of(delete(id.clone()).await.unwrap()).await;
    assert_eq!(status, 200, "{deleted}");
    assert_documented(&provider, "deleteSubscription", 200, &deleted);
    let (status, again) = json_of(delete(id.clone()).await.unwrap()).await;
    assert_eq!(status, 404, "a deleted subscription is gone: {again}");
    assert!(again["message"].as_str().unwrap().contains(&id));
    assert!(provider.subscriptions().is_empty());
}

#[tokio::test]
async fn swsh_refusals_name_the_field() {
    let (provider, key, _) = swsh(false).await;
    let client = Client::new();
    let create = |body: Value| {
        client
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &key)
            .json(&body)
            .send()
    };

    let (status, body) = json_of(
        create(json!({"event": "newAlbum", "targetUrl": "http://localhost:9000/hook"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("/targetUrl")
            && message.contains("HTTPS")
            && message.contains("--allow-http-targets"),
        "{message}"
    );

    let long = "x".repeat(41);
    let (status, body) = json_of(create(json!({"event": "photoLabelAdded", "targetUrl": "https://a.example.com", "albumId": "a", "label": long})).await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("/label"),
        "{body}"
    );
    assert_documented(&provider, "createSubscription", 400, &body);

    let (status, body) = json_of(
        create(json!({"event": "newPhoto", "targetUrl": "https://a.example.com"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("albumId"),
        "{body}"
    );

    let (status, body) = json_of(
        client
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &key)
            .header("content-type", "application/json")
            .body("{\"event\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );

    let (status, body) = json_of(
        client
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &key)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 415);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{body}"
    );

    let huge = json!({"event": "newAlbum", "targetUrl": "https://a.example.com", "metadata": {"blob": "x".repeat(2 * 1024 * 1024)}});
    let (status, body) = json_of(create(huge).await.unwrap()).await;
    assert_eq!(status, 413, "{body}");

    let (status, body) = json_of(
        client
            .get(format!("{}/webhook/nope", provider.uri()))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("/webhook/createSubscription"),
        "the 404 lists the endpoints: {body}"
    );

    let (status, _) = json_of(
        client
            .get(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 405);

    let (status, body) = json_of(
        client
            .get(format!(
                "{}/webhook/getSubscriptions?limit=65",
                provider.uri()
            ))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "limit is 1..64: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("limit"),
        "{body}"
    );
}

#[tokio::test]
async fn swsh_refuses_missing_and_wrong_keys() {
    let (provider, _, _) = swsh(false).await;
    let client = Client::new();
    let url = format!("{}/webhook/getSubscriptions", provider.uri());
    let (status, body) = json_of(client.get(&url).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("x-api-key"),
        "{body}"
    );
    assert_documented(&provider, "getSubscriptions", 401, &body);
    let (status, _) = json_of(
        client
            .get(&url)
            .header("x-api-key", "not-a-key")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn swsh_tenants_are_kept_apart() {
    let (provider, a, b) = swsh(false).await;
    let client = Client::new();
    let (_, created) = json_of(
        client
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &a)
            .json(&json!({"event": "newAlbum", "targetUrl": "https://a.example.com"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = created["data"]["webhookId"].as_str().unwrap();
    let (_, listed) = json_of(
        client
            .get(format!("{}/webhook/getSubscriptions", provider.uri()))
            .header("x-api-key", &b)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        listed["data"],
        json!([]),
        "tenant b sees nothing of tenant a"
    );
    let (status, _) = json_of(
        client
            .post(format!("{}/webhook/deleteSubscription", provider.uri()))
            .header("x-api-key", &b)
            .json(&json!({"webhookId": id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status, 404,
        "tenant b cannot delete tenant a's subscription"
    );
    assert_eq!(provider.subscriptions().len(), 1);
}

#[tokio::test]
async fn http_targets_are_accepted_when_allowed() {
    let (provider, key, _) = swsh(true).await;
    let (status, body) = json_of(
        Client::new()
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", &key)
            .json(&json!({"event": "newAlbum", "targetUrl": "http://127.0.0.1:9/hook"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["config"]["targetUrl"],
        "http://127.0.0.1:9/hook"
    );
}

/// The uc.alxgsv docs' curl commands, with only the host, the project id and the key changed.
#[tokio::test]
async fn uc_alxgsv_answers_the_docs_curl_commands() {
    let provider = MockProvider::builder(ProviderSpec::load("uc-alxgsv").unwrap())
        .seed(2)
        .start()
        .await
        .unwrap();
    let project = "tenant-a";
    let key = provider
        .credentials()
        .secret(project, "bearerAuth")
        .unwrap()
        .to_string();
    let client = Client::new();
    let base = format!("{}/api/v1/projects/{project}", provider.uri());
    let body = r#"{"webhook": { "target_url": "http://example.com/webhook", "events": ["file.updated", "file.created"] }}"#;
    let send = |method: reqwest::Method, url: String, body: Option<&'static str>| {
        let request = client
            .request(method, url)
            .header("Authorization", format!("Bearer {key}"))
            .header("Content-Type", "application/json");
        match body {
            Some(b) => request.body(b).send(),
            None => request.send(),
        }
    };

    let (status, created) = json_of(
        send(
            reqwest::Method::POST,
            format!("{base}/webhooks.json"),
            Some(body),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_documented(&provider, "createWebhook", 200, &created);
    let webhook = &created["data"];
    assert_eq!(webhook["type"], "webhooks");
    assert_eq!(
        webhook["attributes"]["events"],
        json!(["file.updated", "file.created"])
    );
    assert_eq!(
        webhook["attributes"]["target_url"], "http://example.com/webhook",
        "uc.alxgsv allows http targets"
    );
    assert_eq!(webhook["attributes"]["is_active"], true, "the default");
    assert_eq!(webhook["attributes"]["version"], "1", "the default");
    assert_eq!(webhook["relationships"]["project"]["data"]["id"], project);
    let id = webhook["id"].as_str().unwrap().to_string();

    let (status, viewed) = json_of(
        send(
            reqwest::Method::GET,
            format!("{base}/webhooks/{id}.json"),
            None,
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(viewed, created);

    let update = r#"{"webhook": { "target_url": "http://example.com/webhook", "events": ["file.updated", "file.created"] }}"#;
    let (status, updated) = json_of(
        send(
            reqwest::Method::PUT,
            format!("{base}/webhooks/{id}.json"),
            Some(update),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_documented(&provider, "updateWebhook", 200, &updated);
    assert_eq!(
        updated["data"]["attributes"]["signing_secret"],
        created["data"]["attributes"]["signing_secret"],
        "the secret is the server's, kept"
    );

    let (status, partial) = json_of(
        send(
            reqwest::Method::PUT,
            format!("{base}/webhooks/{id}.json"),
            Some(r#"{"webhook": {"is_active": false}}"#),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{partial}");
    assert_eq!(partial["data"]["attributes"]["is_active"], false);
    assert_eq!(
        partial["data"]["attributes"]["events"],
        json!(["file.updated", "file.created"]),
        "a partial update keeps the rest"
    );

    let (status, listed) = json_of(
        send(reqwest::Method::GET, format!("{base}/webhooks.json"), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_documented(&provider, "listWebhooks", 200, &listed);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    let (status, deleted) = json_of(
        send(
            reqwest::Method::DELETE,
            format!("{base}/webhooks/{id}.json"),
            None,
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(deleted["data"]["id"], id.as_str());
    let (status, gone) = json_of(
        send(
            reqwest::Method::GET,
            format!("{base}/webhooks/{id}.json"),
            None,
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_documented(&provider, "viewWebhook", 404, &gone);
    assert!(
        gone["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("Webhook not found"),
        "{gone}"
    );
}

#[tokio::test]
async fn uc_alxgsv_projects_are_kept_apart() {
    let provider = MockProvider::builder(ProviderSpec::load("uc-alxgsv").unwrap())
        .start()
        .await
        .unwrap();
    let client = Client::new();
    let key_a = provider
        .credentials()
        .secret("tenant-a", "bearerAuth")
        .unwrap()
        .to_string();
    let key_b = provider
        .credentials()
        .secret("tenant-b", "bearerAuth")
        .unwrap()
        .to_string();
    let (_, created) = json_of(
        client
            .post(format!("{}/api/v1/projects/tenant-a/webhooks.json", provider.uri()))
            .bearer_auth(&key_a)
            .json(&json!({"webhook": {"target_url": "https://a.example.com", "events": ["file.created"]}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = created["data"]["id"].as_str().unwrap();
    // Project b's key on project a's path: refused.
    let (status, body) = json_of(
        client
            .get(format!(
                "{}/api/v1/projects/tenant-a/webhooks/{id}.json",
                provider.uri()
            ))
            .bearer_auth(&key_b)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["errors"][0].as_str().unwrap().split(':').next(),
        Some("Unauthorized")
    );
    // Project b's own path: the webhook is not there.
    let (status, _) = json_of(
        client
            .get(format!(
                "{}/api/v1/projects/tenant-b/webhooks/{id}.json",
                provider.uri()
            ))
            .bearer_auth(&key_b)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = json_of(
        client
            .delete(format!(
                "{}/api/v1/projects/tenant-b/webhooks/{id}.json",
                provider.uri()
            ))
            .bearer_auth(&key_b)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(provider.subscriptions().len(), 1);
    let (status, body) = json_of(
        client
            .post(format!(
                "{}/api/v1/projects/tenant-a/webhooks.json",
                provider.uri()
            ))
            .bearer_auth(&key_a)
            .json(&json!({"webhook": {"events": ["file.created"]}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["errors"][0].as_str().unwrap().contains("target_url"),
        "{body}"
    );
}

#[tokio::test]
async fn betterez_writes_need_the_key_and_the_jwt() {
    let provider = MockProvider::builder(ProviderSpec::load("betterez").unwrap())
        .start()
        .await
        .unwrap();
    let client = Client::new();
    let key = provider
        .credentials()
        .secret("tenant-a", "apiKey")
        .unwrap()
        .to_string();
    let jwt = provider
        .credentials()
        .secret("tenant-a", "jwt")
        .unwrap()
        .to_string();
    let subscription =
        json!({"name": "sync", "url": "https://hooks.example.com/b", "events": ["images.created"]});
    let url = format!("{}/subscriptions", provider.uri());
    let (status, body) = json_of(
        client
            .post(&url)
            .header("x-api-key", &key)
            .json(&subscription)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("Bearer"),
        "{body}"
    );

    let (status, created) = json_of(
        client
            .post(&url)
            .header("x-api-key", &key)
            .bearer_auth(&jwt)
            .json(&subscription)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_documented(&provider, "createSubscription", 200, &created);
    let id = created["_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 24);

    let (status, read) = json_of(
        client
            .get(format!("{url}/{id}"))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(read, created);

    let replacement = json!({"url": "https://hooks.example.com/c", "events": ["all"]});
    let (status, replaced) = json_of(
        client
            .put(format!("{url}/{id}"))
            .header("x-api-key", &key)
            .bearer_auth(&jwt)
            .json(&replacement)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["events"], json!(["all"]));
    assert!(
        replaced.get("name").is_none(),
        "a replace drops what the request leaves out: {replaced}"
    );
    assert_eq!(replaced["_id"], id.as_str());

    let (status, _) = json_of(
        client
            .delete(format!("{url}/{id}"))
            .header("x-api-key", &key)
            .bearer_auth(&jwt)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!((200..300).contains(&status));
    let (status, _) = json_of(
        client
            .get(format!("{url}/{id}"))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn several_providers_run_side_by_side() {
    let a = MockProvider::start(ProviderSpec::load("swsh").unwrap())
        .await
        .unwrap();
    let b = MockProvider::start(ProviderSpec::load("swsh").unwrap())
        .await
        .unwrap();
    let c = MockProvider::start(ProviderSpec::load("uc-alxgsv").unwrap())
        .await
        .unwrap();
    assert_ne!(a.uri(), b.uri());
    assert_ne!(b.uri(), c.uri());
    let key = a
        .credentials()
        .secret("tenant-a", "ApiKeyAuth")
        .unwrap()
        .to_string();
    let response = Client::new()
        .post(format!("{}/webhook/createSubscription", a.uri()))
        .header("x-api-key", key)
        .json(&json!({"event": "newAlbum", "targetUrl": "https://a.example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(a.subscriptions().len(), 1);
    assert!(
        b.subscriptions().is_empty(),
        "no state is shared between mocks"
    );
    assert_eq!(a.received().len(), 1);
    assert_eq!(
        a.received()[0].operation.as_deref(),
        Some("createSubscription")
    );
    a.shutdown().await;
}

/// Polls `check` every 10 ms until it holds, for at most 5 s; whether it held.
async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn betterez_undeliverables_through_its_own_endpoints() {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};
    let provider = MockProvider::builder(ProviderSpec::load("betterez").unwrap())
        .allow_http_targets(true)
        .seed(3)
        .start()
        .await
        .unwrap();
    let failing = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&failing)
        .await;
    let working = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&working)
        .await;
    let secret = |tenant: &str, name: &str| {
        provider
            .credentials()
            .secret(tenant, name)
            .unwrap()
            .to_string()
    };
    let (key, jwt, other_key, other_jwt) = (
        secret("tenant-a", "apiKey"),
        secret("tenant-a", "jwt"),
        secret("tenant-b", "apiKey"),
        secret("tenant-b", "jwt"),
    );
    let client = Client::new();
    let base = provider.uri();
    let get = |path: String, key: String| {
        let client = client.clone();
        async move {
            json_of(
                client
                    .get(path)
                    .header("x-api-key", key)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let write = |method: reqwest::Method, path: String, key: String, jwt: String| {
        client
            .request(method, path)
            .header("x-api-key", key)
            .bearer_auth(jwt)
    };
    let target = format!("{}/hooks", failing.uri());
    let response = write(
        reqwest::Method::POST,
        format!("{base}/subscriptions"),
        key.clone(),
        jwt.clone(),
    )
    .json(&json!({"url": target, "events": ["all"]}))
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    provider.emit_fixture("images.created").await.unwrap();
    provider.emit("images.deleted").await.unwrap();

    // Listed, in the documented shape, to its tenant only.
    let (status, list) = get(format!("{base}/undelivered"), key.clone()).await;
    assert_eq!(status, 200, "{list}");
    assert_documented(&provider, "listUndelivered", 200, &list);
    let items = list["undelivered"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{list}");
    let first = items[0]["_id"].as_str().unwrap().to_string();
    let second = items[1]["_id"].as_str().unwrap().to_string();
    assert_eq!(items[0]["url"], target.as_str());
    assert_eq!(items[0]["event"], "images.created");
    assert_eq!(items[0]["where"], "500 Internal Server Error");
    assert_eq!(items[0]["reason"], "the receiver answered 500");
    assert_eq!(items[0]["createdAt"]["offset"], 0);
    assert_eq!(items[1]["payload"]["event"], "images.deleted");
    assert_eq!(
        provider
            .undeliverable()
            .iter()
            .map(|u| u.id.clone())
            .collect::<Vec<_>>(),
        [first.clone(), second.clone()],
        "the dispatcher's own list"
    );
    let (status, others) = get(format!("{base}/undelivered"), other_key.clone()).await;
    assert_eq!((status, others), (200, json!({"undelivered": []})));
    let (status, _) = get(format!("{base}/undelivered/{first}"), other_key.clone()).await;
    assert_eq!(status, 404);
    let (status, read) = get(format!("{base}/undelivered/{first}"), key.clone()).await;
    assert_eq!(status, 200);
    assert_documented(&provider, "getUndelivered", 200, &read);
    assert_eq!(read, items[0]);

    // A retry that fails again keeps the item, with the new failure.
    let (status, answer) = json_of(
        write(
            reqwest::Method::PUT,
            format!("{base}/undelivered/{first}/retry"),
            key.clone(),
            jwt.clone(),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, answer), (200, json!({"retried": 1})));
    assert!(
        eventually(|| async { failing.received_requests().await.unwrap().len() == 3 }).await,
        "the resend reached the failing receiver"
    );
    let (status, _) = get(format!("{base}/undelivered/{first}"), key.clone()).await;
    assert_eq!(status, 200, "still listed");

    // Another tenant can neither retry nor erase it.
    for (method, path) in [
        (
            reqwest::Method::PUT,
            format!("{base}/undelivered/{first}/retry"),
        ),
        (
            reqwest::Method::DELETE,
            format!("{base}/undelivered/{first}"),
        ),
    ] {
        let response = write(method, path, other_key.clone(), other_jwt.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
    }

    // Pointed at a working receiver, a retry delivers it (same event id) and it leaves the list.
    let fixed = format!("{}/fixed", working.uri());
    let (status, patched) = json_of(
        write(
            reqwest::Method::PATCH,
            format!("{base}/undelivered"),
            key.clone(),
            jwt.clone(),
        )
        .json(&json!({"_id": first, "url": fixed}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["url"], fixed.as_str());
    let response = write(
        reqwest::Method::PUT,
        format!("{base}/undelivered/{first}/retry"),
        key.clone(),
        jwt.clone(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        eventually(|| async {
            get(format!("{base}/undelivered/{first}"), key.clone())
                .await
                .0
                == 404
        })
        .await,
        "delivered, so no longer listed"
    );
    let delivered = working.received_requests().await.unwrap();
    assert_eq!(delivered.len(), 1);
    let payload: Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_eq!(payload["id"], items[0]["payload"]["id"]);
    assert_ne!(payload["attemptId"], items[0]["payload"]["attemptId"]);

    // Retry-all resends what is left (it fails: still listed); batch-all erases it.
    let (status, answer) = json_of(
        write(
            reqwest::Method::PUT,
            format!("{base}/undelivered/retry-all"),
            key.clone(),
            jwt.clone(),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, answer), (200, json!({"retried": 1})));
    assert!(
        eventually(|| async { failing.received_requests().await.unwrap().len() == 4 }).await,
        "retry-all reached the failing receiver"
    );
    let (_, list) = get(format!("{base}/undelivered"), key.clone()).await;
    assert_eq!(list["undelivered"][0]["_id"], second.as_str());
    let response = write(
        reqwest::Method::DELETE,
        format!("{base}/undelivered/batch-all"),
        key.clone(),
        jwt.clone(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 204);
    let (_, list) = get(format!("{base}/undelivered"), key.clone()).await;
    assert_eq!(list, json!({"undelivered": []}));
    assert!(provider.undeliverable().is_empty());
}

#[tokio::test]
async fn swsh_lists_page_with_an_opaque_cursor() {
    let (provider, key, other) = swsh(false).await;
    let client = Client::new();
    let base = provider.uri();
    let mut ids = Vec::new();
    for n in 0..5 {
        let (status, created) = json_of(
            client
                .post(format!("{base}/webhook/createSubscription"))
                .header("x-api-key", &key)
                .json(&json!({"event": "newAlbum", "targetUrl": format!("https://hooks.example.com/{n}")}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{created}");
        ids.push(created["data"]["webhookId"].as_str().unwrap().to_string());
    }
    let page = |query: String, key: String| {
        let client = client.clone();
        let url = format!("{base}/webhook/getSubscriptions{query}");
        async move {
            json_of(
                client
                    .get(url)
                    .header("x-api-key", key)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let listed = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["webhookId"].as_str().unwrap().to_string())
            .collect()
    };

    // Pages of 2: a cursor while more remain, none on the last page.
    let (status, first) = page("?limit=2".into(), key.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_documented(&provider, "getSubscriptions", 200, &first);
    assert_eq!(listed(&first), ids[..2]);
    let cursor = first["cursor"].as_str().unwrap().to_string();
    assert!(
        !ids.iter().any(|id| cursor.contains(id.as_str())),
        "opaque: {cursor}"
    );
    let (_, second) = page(format!("?limit=2&cursor={cursor}"), key.clone()).await;
    assert_eq!(listed(&second), ids[2..4]);
    // An item of a page already read is deleted: the walk goes on after it, no repeat, no gap.
    let response = client
        .post(format!("{base}/webhook/deleteSubscription"))
        .header("x-api-key", &key)
        .json(&json!({"webhookId": ids[3]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cursor = second["cursor"].as_str().unwrap().to_string();
    let (_, last) = page(format!("?limit=2&cursor={cursor}"), key.clone()).await;
    assert_eq!(listed(&last), ids[4..]);
    assert!(last.get("cursor").is_none(), "{last}");
    assert_documented(&provider, "getSubscriptions", 200, &last);

    // Without a limit, the documented default (32) applies: all four on one page.
    let (_, all) = page(String::new(), key.clone()).await;
    assert_eq!(listed(&all).len(), 4);
    assert!(all.get("cursor").is_none());
    // Another tenant's walk sees none of them.
    let (_, theirs) = page("?limit=1".into(), other).await;
    assert_eq!(theirs, json!({"data": []}));
    // A cursor the API did not give, and limits out of 1..64, are refused with the 400.
    for query in ["?cursor=not-a-cursor", "?limit=0", "?limit=65"] {
        let (status, body) = page(query.into(), key.clone()).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_documented(&provider, "getSubscriptions", 400, &body);
    }
}

#[tokio::test]
async fn swsh_refuses_albums_the_tenant_does_not_administer() {
    let reserved = "00000000-0000-0000-0000-000000000000";
    let provider = MockProvider::builder(ProviderSpec::load("swsh").unwrap())
        .administers("tenant-b", ["album-b"])
        .start()
        .await
        .unwrap();
    let client = Client::new();
    let create = |tenant: &str, config: Value| {
        let key = provider
            .credentials()
            .secret(tenant, "ApiKeyAuth")
            .unwrap()
            .to_string();
        let request = client
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", key)
            .json(&config);
        async move { json_of(request.send().await.unwrap()).await }
    };
    let photo = |album: &str| json!({"event": "newPhoto", "targetUrl": "https://hooks.example.com/p", "albumId": album});
    // By default a tenant administers every album but the reserved one.
    let (status, body) = create("tenant-a", photo("album-a")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = create("tenant-a", photo(reserved)).await;
    assert_eq!(status, 403, "{body}");
    assert_documented(&provider, "createSubscription", 403, &body);
    assert!(
        body["message"].as_str().unwrap().contains(reserved),
        "{body}"
    );
    // A tenant given its own albums administers those only.
    let (status, _) = create("tenant-b", photo("album-b")).await;
    assert_eq!(status, 200);
    let (status, _) = create("tenant-b", photo("album-a")).await;
    assert_eq!(status, 403);
    // A config without an album (newAlbum) needs no permission.
    let (status, _) = create(
        "tenant-b",
        json!({"event": "newAlbum", "targetUrl": "https://hooks.example.com/a"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        provider.subscriptions().len(),
        3,
        "nothing made by a refusal"
    );
}
