//! Deliveries from the mock to receivers (wiremock servers standing in for the user's), checked
//! against the event schemas, the invariants and the providers' documented signature steps,
//! with each provider's delivery rules driven through the Rust API and the admin endpoints.

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Client;
use serde_json::{Value, json};
use sha2::Sha256;
use webhook_harness::deliver::serialize::json_stringify;
use webhook_harness::mock::{Emit, MockProvider, Outcome};
use webhook_harness::spec::{Loader, ProviderSpec};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The mock's credential `name` for tenant-a.
fn tenant_a_secret(provider: &MockProvider, name: &str) -> String {
    provider
        .credentials()
        .secret("tenant-a", name)
        .unwrap()
        .to_string()
}

fn mac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A receiver (on 127.0.0.1) that answers its first `times` deliveries with `first`, then
/// `then`.
async fn receiver_answering(first: ResponseTemplate, times: u64, then: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(then))
        .mount(&server)
        .await;
    server
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

fn assert_valid_event(spec: &ProviderSpec, event: &str, payload: &Value, subscription: &Value) {
    let schema = spec.event(event).unwrap().schema().unwrap();
    let violations = spec.schemas.violations(schema, payload).unwrap();
    assert!(violations.is_empty(), "{event}: {violations:?}\n{payload}");
    for invariant in spec.invariants_for(event) {
        invariant
            .check(event, payload, Some(subscription))
            .unwrap_or_else(|b| panic!("{b}\n{payload}"));
    }
}

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn swsh_delivers_by_album_and_label_with_the_metadata() {
    let spec = ProviderSpec::load("swsh").unwrap();
    let provider = MockProvider::builder(spec.clone())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap();
    let sink = receiver(200).await;
    let key = tenant_a_secret(&provider, "ApiKeyAuth");
    let config = json!({"event": "photoLabelAdded", "targetUrl": format!("{}/swsh", sink.uri()), "albumId": "album-1", "label": "sunset", "metadata": {"token": "shared-secret", "n": 2}});
    let created: Value = Client::new()
        .post(format!("{}/webhook/createSubscription", provider.uri()))
        .header("x-api-key", key)
        .json(&config)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let subscription = created["data"].clone();

    let context = |label: &str| Emit {
        context: [
            ("albumId".to_string(), json!("album-1")),
            ("label".to_string(), json!(label)),
        ]
        .into_iter()
        .collect(),
        ..Emit::default()
    };
    let report = provider
        .emit_with("photoLabelAdded", context("sunset"))
        .await
        .unwrap();
    assert_eq!(report.deliveries.len(), 1);
    assert_eq!(report.deliveries[0].outcome, Outcome::Delivered);
    let report = provider
        .emit_with("photoLabelAdded", context("beach"))
        .await
        .unwrap();
    assert!(report.deliveries.is_empty(), "another label: no delivery");
    assert!(
        provider
            .emit("newPhoto")
            .await
            .unwrap()
            .deliveries
            .is_empty(),
        "another event: no delivery"
    );

    let received = sink.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let payload: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(
        payload["metadata"],
        json!({"token": "shared-secret", "n": 2}),
        "the metadata is echoed"
    );
    assert_eq!(
        header(&received[0], "content-type"),
        Some("application/json")
    );
    assert!(
        received[0]
            .headers
            .keys()
            .all(|h| !h.as_str().contains("signature")),
        "swsh signs nothing"
    );
    assert_valid_event(&spec, "photoLabelAdded", &payload, &subscription);
}

#[tokio::test]
async fn uc_alxgsv_deliveries_verify_with_the_webhook_secret() {
    let spec = ProviderSpec::load("uc-alxgsv").unwrap();
    let provider = MockProvider::builder(spec.clone()).start().await.unwrap();
    let sink = receiver(200).await;
    let key = tenant_a_secret(&provider, "bearerAuth");
    let created: Value = Client::new()
        .post(format!("{}/api/v1/projects/tenant-a/webhooks.json", provider.uri()))
        .bearer_auth(key)
        .json(&json!({"webhook": {"target_url": format!("{}/uc", sink.uri()), "events": ["file.created"]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let webhook = created["data"].clone();
    let secret = webhook["attributes"]["signing_secret"]
        .as_str()
        .unwrap()
        .to_string();

    let report = provider.emit("file.created").await.unwrap();
    assert_eq!(report.deliveries.len(), 1, "{report:?}");
    assert!(
        provider
            .emit("file.deleted")
            .await
            .unwrap()
            .deliveries
            .is_empty(),
        "not subscribed"
    );

    let received = sink.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    // As implemented: a JSON string literal whose content is the signed text.
    let text: String = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(
        header(&received[0], "x-uc-signature"),
        Some(hex(&mac(secret.as_bytes(), text.as_bytes())).as_str())
    );
    let payload: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        payload["included"][1], webhook,
        "the included webhook is the subscription"
    );
    assert_valid_event(&spec, "file.created", &payload, &webhook);
}

/// A HappyColis mock delivering to plain-HTTP receivers on 127.0.0.1.
async fn happycolis() -> MockProvider {
    MockProvider::builder(ProviderSpec::load("happycolis").unwrap())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap()
}

async fn happycolis_subscription(provider: &MockProvider, tenant: &str, end_point: &str) -> Value {
    let token = provider
        .credentials()
        .secret(tenant, "bearerAuth")
        .unwrap()
        .to_string();
    let body = json!({
        "query": "mutation C($input: IntegrationWebhookInput!) { integrationWebhookCreate(input: $input) { id } }",
        "variables": {"input": {"endPoint": end_point, "type": "product/image/created", "headers": {"X-Receiver-Key": "k-123"}}}
    });
    let answer: Value = Client::new()
        .post(format!("{}/graphql", provider.uri()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"]["integrationWebhookCreate"].clone()
}

/// Concurrent emissions to a FIFO provider each return once their own messages are delivered:
/// an emission that finds the queue being sent by another waits for it rather than reporting
/// `queued` (and emitters faster than the receiver wait rather than grow the queue).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_fifo_emissions_return_delivered() {
    let provider = std::sync::Arc::new(happycolis().await);
    let sink = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_millis(5)))
        .mount(&sink)
        .await;
    happycolis_subscription(&provider, "tenant-a", &format!("{}/hc", sink.uri())).await;
    let emissions = (0..8).map(|_| {
        let provider = std::sync::Arc::clone(&provider);
        tokio::spawn(async move { provider.emit("product/image/created").await.unwrap() })
    });
    for report in futures_util::future::join_all(emissions).await {
        let report = report.unwrap();
        assert_eq!(report.deliveries.len(), 1);
        assert_eq!(
            report.deliveries[0].outcome,
            Outcome::Delivered,
            "{report:?}"
        );
    }
    assert_eq!(sink.received_requests().await.unwrap().len(), 8);
    assert!(provider.blocked().is_empty());
}

/// An emission dropped while its message is being sent (a caller's timeout, an admin client
/// that went away) leaves the queue able to go on: the next emission sends the dropped message
/// again, first, then its own, and does not wait for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_emission_dropped_mid_send_does_not_stall_the_queue() {
    let provider = happycolis().await;
    let sink = receiver_answering(
        ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(2)),
        1,
        200,
    )
    .await;
    happycolis_subscription(&provider, "tenant-a", &format!("{}/hc", sink.uri())).await;
    let dropped = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        provider.emit_fixture("product/image/created"),
    )
    .await;
    assert!(
        dropped.is_err(),
        "the first emission was meant to be cut short"
    );
    let next = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        provider.emit("product/image/created"),
    )
    .await
    .expect("the queue stalled behind the dropped emission")
    .unwrap();
    assert_eq!(next.deliveries[0].outcome, Outcome::Delivered, "{next:?}");
    let received = sink.received_requests().await.unwrap();
    assert_eq!(
        received.len(),
        3,
        "the cut-short message, again, then the next"
    );
    assert_eq!(received[0].body, received[1].body);
    assert!(provider.blocked().is_empty());
}

#[tokio::test]
async fn happycolis_signs_forwards_headers_and_blocks_its_queue_on_failure() {
    let spec = ProviderSpec::load("happycolis").unwrap();
    let provider = MockProvider::builder(spec.clone())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap();
    let sink = receiver_answering(ResponseTemplate::new(500), 1, 200).await;
    let subscription =
        happycolis_subscription(&provider, "tenant-a", &format!("{}/hc", sink.uri())).await;
    let secret = tenant_a_secret(&provider, "clientSecret");

    // The first delivery fails: the queue blocks, and the next event waits behind it.
    let first = provider
        .emit_fixture("product/image/created")
        .await
        .unwrap();
    assert_eq!(first.deliveries[0].outcome, Outcome::Queued);
    let second = provider.emit("product/image/created").await.unwrap();
    assert_eq!(second.deliveries[0].outcome, Outcome::Queued);
    assert_eq!(provider.blocked(), vec![("tenant-a".to_string(), 2)]);
    assert_eq!(
        sink.received_requests().await.unwrap().len(),
        1,
        "nothing else goes while blocked"
    );

    provider.unblock("tenant-a").await;
    assert!(provider.blocked().is_empty());
    let received = sink.received_requests().await.unwrap();
    assert_eq!(
        received.len(),
        3,
        "the blocked message again, then the next one"
    );
    assert_eq!(
        received[0].body, received[1].body,
        "the same message, byte for byte"
    );
    let ids: Vec<String> = received
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["header"]["messageId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        ids[0], ids[1],
        "the blocked message goes first, with its messageId (assumption message-id-stable)"
    );
    assert_ne!(ids[1], ids[2]);
    for request in &received {
        let signature = header(request, "x-happycolis-webhook-signature").unwrap();
        assert_eq!(
            signature,
            base64::engine::general_purpose::STANDARD.encode(mac(secret.as_bytes(), &request.body))
        );
        assert_eq!(
            header(request, "x-receiver-key"),
            Some("k-123"),
            "custom headers are forwarded"
        );
        let payload: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            json_stringify(&payload).as_bytes(),
            &request.body[..],
            "the body is JSON.stringify output"
        );
        let stored = provider.subscriptions()[0].clone();
        assert_eq!(payload["header"]["webhookId"], subscription["id"]);
        assert_valid_event(&spec, "product/image/created", &payload, &stored);
    }
}

#[tokio::test]
async fn betterez_failures_land_in_the_undeliverable_list() {
    let spec = ProviderSpec::load("betterez").unwrap();
    let provider = MockProvider::builder(spec.clone()).start().await.unwrap();
    let sink = receiver_answering(ResponseTemplate::new(503), 2, 200).await;
    let key = tenant_a_secret(&provider, "apiKey");
    let jwt = tenant_a_secret(&provider, "jwt");
    let response = Client::new()
        .post(format!("{}/subscriptions", provider.uri()))
        .header("x-api-key", key)
        .bearer_auth(jwt)
        .json(&json!({"url": format!("{}/b", sink.uri()), "events": ["all"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let report = provider.emit_fixture("images.created").await.unwrap();
    let Outcome::Undeliverable { id } = &report.deliveries[0].outcome else {
        panic!("{report:?}")
    };
    provider.emit("images.deleted").await.unwrap();
    let list = provider.undeliverable();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].reason, "the receiver answered 503");
    assert_eq!(provider.erase(Some(&list[1].id)), 1);
    assert_eq!(provider.resend(Some(id)).await, 1);
    assert!(provider.undeliverable().is_empty(), "resent and delivered");

    let received = sink.received_requests().await.unwrap();
    let last = received.last().unwrap();
    let signature = header(last, "x-btrz-signature").unwrap();
    let (t, s2) = signature.split_once(",s2=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let private = provider
        .credentials()
        .secret("tenant-a", "webhookPrivateKey")
        .unwrap();
    let parsed: Value = serde_json::from_slice(&last.body).unwrap();
    assert_eq!(
        s2,
        hex(&mac(
            private.as_bytes(),
            format!("{t}.{}", json_stringify(&parsed)).as_bytes()
        ))
    );
    assert_ne!(
        serde_json::from_slice::<Value>(&received[0].body).unwrap()["attemptId"],
        parsed["attemptId"],
        "a resend is a new attempt"
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&received[0].body).unwrap()["id"],
        parsed["id"],
        "of the same event"
    );
}

#[tokio::test]
async fn retries_back_off_and_a_hanging_receiver_times_out() {
    let spec = Loader::new()
        .assume(
            "delivery-retry-policy",
            r#"{"maxAttempts": 3, "initialBackoffMs": 10, "maxBackoffMs": 40, "multiplier": 2.0}"#,
        )
        .assume("delivery-timeout", "300")
        .load("swsh")
        .unwrap();
    let provider = MockProvider::builder(spec)
        .allow_http_targets(true)
        .start()
        .await
        .unwrap();
    let flaky = receiver_answering(ResponseTemplate::new(500), 2, 204).await;
    let key = tenant_a_secret(&provider, "ApiKeyAuth");
    let subscribe = |url: String| {
        Client::new()
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", key.clone())
            .json(&json!({"event": "newAlbum", "targetUrl": url}))
            .send()
    };
    subscribe(format!("{}/a", flaky.uri())).await.unwrap();
    let report = provider.emit("newAlbum").await.unwrap();
    assert_eq!(
        report.deliveries[0].outcome,
        Outcome::Delivered,
        "the third attempt succeeds"
    );
    let numbers: Vec<u32> = provider.deliveries().iter().map(|a| a.number).collect();
    assert_eq!(numbers, [1, 2, 3]);

    let hanging = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&hanging)
        .await;
    let provider = MockProvider::builder(Loader::new().assume("delivery-timeout", "300").assume("delivery-retry-policy", r#"{"maxAttempts": 1, "initialBackoffMs": 0, "maxBackoffMs": 0, "multiplier": 1.0}"#).load("swsh").unwrap())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap();
    let key = tenant_a_secret(&provider, "ApiKeyAuth");
    Client::new()
        .post(format!("{}/webhook/createSubscription", provider.uri()))
        .header("x-api-key", key)
        .json(&json!({"event": "newAlbum", "targetUrl": format!("{}/h", hanging.uri())}))
        .send()
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let report = provider.emit("newAlbum").await.unwrap();
    assert_eq!(report.deliveries[0].outcome, Outcome::Dropped);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the attempt ends at the timeout"
    );
    assert!(
        provider.deliveries()[0]
            .error
            .as_deref()
            .unwrap()
            .contains("timed out"),
        "{:?}",
        provider.deliveries()[0]
    );
}

#[tokio::test]
async fn the_admin_endpoints_emit_and_report() {
    let provider = MockProvider::builder(ProviderSpec::load("swsh").unwrap())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap();
    let sink = receiver(200).await;
    let key = tenant_a_secret(&provider, "ApiKeyAuth");
    let client = Client::new();
    client
        .post(format!("{}/webhook/createSubscription", provider.uri()))
        .header("x-api-key", key)
        .json(&json!({"event": "newAlbum", "targetUrl": sink.uri()}))
        .send()
        .await
        .unwrap();
    let admin = format!("http://{}/__mock", provider.address());

    let report: Value = client
        .post(format!("{admin}/events/newAlbum"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["deliveries"][0]["outcome"], "delivered", "{report}");
    let report: Value = client
        .post(format!("{admin}/events/newAlbum"))
        .json(&json!({"seed": 4}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["deliveries"].as_array().unwrap().len(), 1);
    let mine = json!({"data": {"albumId": "my-album", "name": "Mine"}});
    let report: Value = client
        .post(format!("{admin}/events/newAlbum"))
        .json(&json!({"payload": mine}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["deliveries"][0]["outcome"], "delivered");
    let last: Value =
        serde_json::from_slice(&sink.received_requests().await.unwrap().last().unwrap().body)
            .unwrap();
    assert_eq!(last["data"]["albumId"], "my-album");

    let response = client
        .post(format!("{admin}/events/newAlbum"))
        .json(&json!({"payload": {"data": {}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        400,
        "a payload that breaks the schema is refused"
    );
    let response = client
        .post(format!("{admin}/events/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let log: Value = client
        .get(format!("{admin}/deliveries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.as_array().unwrap().len(), 3);
    assert_eq!(log[0]["status"], 200);
}

#[tokio::test]
async fn happycolis_keeps_each_integrations_order_under_concurrent_emits() {
    let mut builder =
        MockProvider::builder(ProviderSpec::load("happycolis").unwrap()).allow_http_targets(true);
    for i in 0..10 {
        builder = builder.credential(
            "bearerAuth",
            &format!("token-{i}"),
            &format!("integration-{i}"),
        );
    }
    let provider = std::sync::Arc::new(builder.start().await.unwrap());
    let sink = receiver(200).await;
    for i in 0..10 {
        happycolis_subscription(
            &provider,
            &format!("integration-{i}"),
            &format!("{}/hc", sink.uri()),
        )
        .await;
    }
    let emitters: Vec<_> = (0..3)
        .map(|_| {
            let provider = std::sync::Arc::clone(&provider);
            tokio::spawn(async move {
                for _ in 0..10 {
                    provider.emit("product/image/created").await.unwrap();
                }
            })
        })
        .collect();
    for emitter in emitters {
        emitter.await.unwrap();
    }
    let mut by_webhook: std::collections::BTreeMap<String, Vec<String>> =
        std::collections::BTreeMap::new();
    for request in sink.received_requests().await.unwrap() {
        let payload: Value = serde_json::from_slice(&request.body).unwrap();
        by_webhook
            .entry(payload["header"]["webhookId"].as_str().unwrap().to_string())
            .or_default()
            .push(payload["header"]["messageId"].as_str().unwrap().to_string());
    }
    assert_eq!(by_webhook.len(), 10);
    let orders: Vec<&Vec<String>> = by_webhook.values().collect();
    assert_eq!(orders[0].len(), 30, "no event lost");
    assert!(
        orders.iter().all(|o| o == &orders[0]),
        "every integration got the events in the same (emission) order"
    );
    assert_eq!(provider.delivery_totals(), (300, 300));
}

#[tokio::test]
async fn blocking_resending_and_erasing_over_http() {
    let client = Client::new();
    // HappyColis: a failing receiver blocks the queue; unblock over HTTP.
    let happycolis = happycolis().await;
    let sink = receiver_answering(ResponseTemplate::new(500), 1, 200).await;
    happycolis_subscription(&happycolis, "tenant-a", &format!("{}/hc", sink.uri())).await;
    let admin = format!("http://{}/__mock", happycolis.address());
    let report: Value = client
        .post(format!("{admin}/events/product/image/created"))
        .json(&json!({"fixture": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["deliveries"][0]["outcome"], "queued", "{report}");
    let queues: Value = client
        .get(format!("{admin}/queues"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        queues,
        json!([{"tenant": "tenant-a", "status": "BLOCKED", "waiting": 1}])
    );
    let unblocked: Value = client
        .post(format!("{admin}/queues/tenant-a/unblock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unblocked["blocked"], false);
    assert_eq!(sink.received_requests().await.unwrap().len(), 2);

    // Betterez: undeliverable messages resent and erased over HTTP.
    let betterez = MockProvider::builder(ProviderSpec::load("betterez").unwrap())
        .start()
        .await
        .unwrap();
    let sink = receiver_answering(ResponseTemplate::new(500), 3, 200).await;
    let key = tenant_a_secret(&betterez, "apiKey");
    let jwt = tenant_a_secret(&betterez, "jwt");
    client
        .post(format!("{}/subscriptions", betterez.uri()))
        .header("x-api-key", key)
        .bearer_auth(jwt)
        .json(&json!({"url": format!("{}/b", sink.uri()), "events": ["images.created"]}))
        .send()
        .await
        .unwrap();
    let admin = format!("http://{}/__mock", betterez.address());
    for _ in 0..3 {
        client
            .post(format!("{admin}/events/images.created"))
            .send()
            .await
            .unwrap();
    }
    let list: Value = client
        .get(format!("{admin}/undeliverable"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    let first = list[0]["id"].as_str().unwrap();
    let erased: Value = client
        .delete(format!("{admin}/undeliverable/{first}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(erased["erased"], 1);
    let missing = client
        .delete(format!("{admin}/undeliverable/{first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let resent: Value = client
        .post(format!("{admin}/undeliverable/resend"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resent["resent"], 2);
    let list: Value = client
        .get(format!("{admin}/undeliverable"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    let erased: Value = client
        .delete(format!("{admin}/undeliverable"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(erased["erased"], 0);
}

#[tokio::test]
async fn a_dead_receiver_is_a_logged_failure_not_a_hang() {
    // A port nothing listens on: bind one, then close it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let provider = MockProvider::start(ProviderSpec::load("uc-alxgsv").unwrap())
        .await
        .unwrap();
    let key = tenant_a_secret(&provider, "bearerAuth");
    Client::new()
        .post(format!("{}/api/v1/projects/tenant-a/webhooks.json", provider.uri()))
        .bearer_auth(key)
        .json(&json!({"webhook": {"target_url": format!("http://{closed}/gone"), "events": ["group.created"]}}))
        .send()
        .await
        .unwrap();
    let report = provider.emit("group.created").await.unwrap();
    assert_eq!(
        report.deliveries[0].outcome,
        Outcome::Dropped,
        "uc.alxgsv drops failures"
    );
    let attempt = &provider.deliveries()[0];
    assert_eq!(attempt.status, None);
    assert!(
        attempt.error.as_deref().is_some_and(|e| !e.is_empty()),
        "{attempt:?}"
    );
    assert_eq!(provider.delivery_totals(), (1, 0));
}

#[tokio::test]
async fn swsh_throttles_photo_label_added_per_photo_and_label() {
    for (window, repeats_delivered) in [(None, false), (Some("0"), true)] {
        let mut loader = Loader::new();
        if let Some(window) = window {
            loader = loader.assume("label-throttle-window", window);
        }
        let spec = loader.load("swsh").unwrap();
        let provider = MockProvider::builder(spec)
            .allow_http_targets(true)
            .start()
            .await
            .unwrap();
        let sink = receiver(200).await;
        let key = tenant_a_secret(&provider, "ApiKeyAuth");
        let config = json!({"event": "photoLabelAdded", "targetUrl": format!("{}/swsh", sink.uri()), "albumId": "album-1", "label": "sunset"});
        let response = Client::new()
            .post(format!("{}/webhook/createSubscription", provider.uri()))
            .header("x-api-key", key)
            .json(&config)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let context = |label: &str, fixture: bool| Emit {
            fixture,
            seed: Some(11),
            context: [
                ("albumId".to_string(), json!("album-1")),
                ("label".to_string(), json!(label)),
            ]
            .into_iter()
            .collect(),
            ..Emit::default()
        };
        let outcome = |report: webhook_harness::deliver::dispatch::Report| {
            report
                .deliveries
                .iter()
                .map(|d| d.outcome.clone())
                .collect::<Vec<_>>()
        };
        // The same photo and label twice: the second is held back within the window.
        let first = provider
            .emit_with("photoLabelAdded", context("sunset", true))
            .await
            .unwrap();
        assert_eq!(outcome(first), [Outcome::Delivered]);
        let again = provider
            .emit_with("photoLabelAdded", context("sunset", true))
            .await
            .unwrap();
        let expected = if repeats_delivered {
            Outcome::Delivered
        } else {
            Outcome::Throttled
        };
        assert_eq!(outcome(again), [expected], "window {window:?}");
        // Another photo (a generated one) goes through.
        let other = provider
            .emit_with("photoLabelAdded", context("sunset", false))
            .await
            .unwrap();
        assert_eq!(outcome(other), [Outcome::Delivered]);
        let received = sink.received_requests().await.unwrap();
        assert_eq!(received.len(), if repeats_delivered { 3 } else { 2 });
    }
}
