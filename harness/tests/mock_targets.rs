//! Delivery URLs are judged once, on what they parse to with the parser deliveries are sent
//! with: the mock's own address is refused whatever the route, the local-receiver opt-in
//! covers only hosts that are this machine, and what cannot be sent is refused.

use reqwest::Client;
use serde_json::{Value, json};
use webhook_harness::mock::{MockProvider, Outcome};
use webhook_harness::spec::ProviderSpec;

async fn start(name: &str, allow_http: bool) -> MockProvider {
    MockProvider::builder(ProviderSpec::load(name).unwrap())
        .allow_http_targets(allow_http)
        .start()
        .await
        .unwrap()
}

fn port(provider: &MockProvider) -> u16 {
    provider.uri().rsplit(':').next().unwrap().parse().unwrap()
}

/// Subscribes `target` on swsh: the status and the body.
async fn swsh_subscribe(provider: &MockProvider, target: &str) -> (u16, Value) {
    let key = provider
        .credentials()
        .secret("tenant-a", "ApiKeyAuth")
        .unwrap()
        .to_string();
    let response = Client::new()
        .post(format!("{}/webhook/createSubscription", provider.uri()))
        .header("x-api-key", key)
        .json(&json!({"event": "newAlbum", "targetUrl": target}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Subscribes `target` on uc.alxgsv (no https rule): the status and the body.
async fn uc_subscribe(provider: &MockProvider, target: &str) -> (u16, Value) {
    let key = provider
        .credentials()
        .secret("tenant-a", "bearerAuth")
        .unwrap()
        .to_string();
    let response = Client::new()
        .post(format!(
            "{}/api/v1/projects/tenant-a/webhooks.json",
            provider.uri()
        ))
        .bearer_auth(key)
        .json(&json!({"webhook": {"target_url": target, "events": ["file.created"]}}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Subscribes `end_point` on HappyColis (GraphQL): the answer.
async fn happycolis_subscribe(provider: &MockProvider, end_point: &str, headers: Value) -> Value {
    let token = provider
        .credentials()
        .secret("tenant-a", "bearerAuth")
        .unwrap()
        .to_string();
    Client::new()
        .post(format!("{}/graphql", provider.uri()))
        .bearer_auth(token)
        .json(&json!({
            "query": "mutation C($input: IntegrationWebhookInput!) { integrationWebhookCreate(input: $input) { id } }",
            "variables": {"input": {"endPoint": end_point, "type": "product/image/created", "headers": headers}}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_mock_refuses_to_deliver_to_itself() {
    for allow in [true, false] {
        let swsh = start("swsh", allow).await;
        let uc = start("uc-alxgsv", allow).await;
        for (provider, scheme) in [
            (&swsh, "https"),
            (&swsh, "http"),
            (&uc, "http"),
            (&uc, "https"),
        ] {
            let port = port(provider);
            for target in [
                format!("{scheme}://127.0.0.1:{port}/__mock/events/newAlbum"),
                format!("{scheme}://localhost:{port}/anything"),
                format!("{scheme}://[::1]:{port}/"),
                format!("{scheme}://%31%32%37.0.0.1:{port}/__mock/queues"),
            ] {
                let (status, body) = if std::ptr::eq(provider, &swsh) {
                    swsh_subscribe(provider, &target).await
                } else {
                    uc_subscribe(provider, &target).await
                };
                assert_eq!(status, 400, "{target}: {body}");
                let text = body.to_string();
                assert!(text.contains("own address"), "{target}: {text}");
                assert!(
                    text.contains("targetUrl") || text.contains("target_url"),
                    "{text}"
                );
            }
            assert!(provider.subscriptions().is_empty());
        }
    }
    // GraphQL too.
    let happycolis = start("happycolis", true).await;
    let port = port(&happycolis);
    let answer = happycolis_subscribe(
        &happycolis,
        &format!("http://127.0.0.1:{port}/graphql"),
        json!({}),
    )
    .await;
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
    assert!(
        error["message"].as_str().unwrap().contains("/endPoint"),
        "{answer}"
    );
    assert!(happycolis.subscriptions().is_empty());
}

#[tokio::test]
async fn the_local_opt_in_covers_only_this_machine_however_the_url_is_spelled() {
    let provider = start("swsh", true).await;
    for target in [
        "http://127.0.0.1.attacker.example/h",
        "http://192.0.2.2:18191\\@127.0.0.1/h",
        "http://127.0.0.1@192.0.2.2/h",
        "http://user:secret@127.0.0.1:9/h",
        "http://localhost.attacker.example/h",
        "http://192.0.2.2#@127.0.0.1/h",
        "http://[::ffff:192.0.2.2]/h",
        "http://xn--127-0-0-1.example/h",
    ] {
        let (status, body) = swsh_subscribe(&provider, target).await;
        assert_eq!(status, 400, "{target}: {body}");
        assert!(body.to_string().contains("targetUrl"), "{body}");
    }
    assert!(provider.subscriptions().is_empty());
    // This machine, however spelled, is what the opt-in is for.
    for target in [
        "http://127.0.0.1:9/h",
        "http://LOCALHOST:9/h",
        "http://[::1]:9/h",
        "http://0x7f.1:9/h",
    ] {
        let (status, body) = swsh_subscribe(&provider, target).await;
        assert_eq!(status, 200, "{target}: {body}");
    }
}

#[tokio::test]
async fn what_cannot_be_sent_is_refused_when_subscribing() {
    let provider = start("uc-alxgsv", false).await;
    for target in [
        "ftp://files.example.com/h",
        "mailto:ops@example.com",
        "http://",
        "file:///etc/passwd",
    ] {
        let (status, body) = uc_subscribe(&provider, target).await;
        assert_eq!(status, 400, "{target}: {body}");
        assert!(body.to_string().contains("target_url"), "{body}");
    }
    // The docs' own example stays accepted: an http:// URL of any host.
    let (status, body) = uc_subscribe(&provider, "http://example.com/webhook").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn deliveries_go_where_the_url_was_judged_to_go() {
    // A receiver on this machine, subscribed with a host that only parses to 127.0.0.1 once
    // percent-decoded: the rule accepted it as local, so the delivery must reach it.
    let receiver = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let provider = start("swsh", true).await;
    let port = receiver.address().port();
    let (status, body) =
        swsh_subscribe(&provider, &format!("http://%31%32%37.0.0.1:{port}/h")).await;
    assert_eq!(status, 200, "{body}");
    let report = provider.emit("newAlbum").await.unwrap();
    assert_eq!(
        report.deliveries[0].outcome,
        Outcome::Delivered,
        "{:?}",
        provider.deliveries()
    );
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn forwarded_headers_that_cannot_be_sent_are_refused_when_subscribing() {
    let provider = start("happycolis", true).await;
    for headers in [
        json!({"Bad Name": "v"}),
        json!({"X-Ok": "line\r\nbreak"}),
        json!({"X-Ok": 7}),
        json!({"": "v"}),
        json!(["X-Ok"]),
    ] {
        let answer = happycolis_subscribe(&provider, "http://127.0.0.1:9/h", headers.clone()).await;
        let error = &answer["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{headers}: {answer}"
        );
        assert!(
            error["message"].as_str().unwrap().contains("/headers"),
            "{answer}"
        );
    }
    assert!(provider.subscriptions().is_empty());
    let answer = happycolis_subscribe(
        &provider,
        "http://127.0.0.1:9/h",
        json!({"X-Receiver-Key": "k 1"}),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer}");
}
