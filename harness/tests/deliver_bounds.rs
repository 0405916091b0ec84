//! What the mock keeps of deliveries stays bounded: a receiver's answer is read up to 64 KiB,
//! the attempt log is served a page at a time, and a blocked queue's head can be dropped.

use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use webhook_harness::deliver::dispatch::EXCERPT;
use webhook_harness::mock::{MockProvider, Outcome};
use webhook_harness::spec::ProviderSpec;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn swsh_with_subscription(target: &str) -> MockProvider {
    let provider = MockProvider::builder(ProviderSpec::load("swsh").unwrap())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap();
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
    assert_eq!(response.status(), 200);
    provider
}

#[tokio::test]
async fn a_receiver_answering_without_end_is_read_only_up_to_the_excerpt() {
    // A receiver that answers 200 with a body of a gibibyte, written as long as it is read.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let written = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 64 * 1024];
        let _ = stream.read(&mut request).await;
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1073741824\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b'x'; 64 * 1024];
        let mut written = 0usize;
        while written < 1 << 30 {
            match tokio::time::timeout(Duration::from_secs(5), stream.write_all(&chunk)).await {
                Ok(Ok(())) => written += chunk.len(),
                // The mock closed the connection (an error), or stopped reading (a stall).
                _ => break,
            }
        }
        written
    });
    let provider = swsh_with_subscription(&format!("http://{address}/hook")).await;
    let report = provider.emit("newAlbum").await.unwrap();
    assert_eq!(report.deliveries[0].outcome, Outcome::Delivered);
    let attempt = provider.deliveries().pop().unwrap();
    let excerpt = attempt.response_excerpt.unwrap();
    assert_eq!(excerpt.len(), EXCERPT, "the first 64 KiB are kept");
    let written = tokio::time::timeout(Duration::from_secs(30), written)
        .await
        .unwrap()
        .unwrap();
    // Socket buffers take a few MiB; the rest of the gibibyte was never read.
    assert!(
        written < 32 << 20,
        "the mock read {written} bytes of the answer"
    );
}

#[tokio::test]
async fn the_attempt_log_is_served_a_page_at_a_time() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let provider = swsh_with_subscription(&format!("{}/hook", receiver.uri())).await;
    for _ in 0..5 {
        provider.emit("newAlbum").await.unwrap();
    }
    let get = |query: &str| {
        Client::new()
            .get(format!("{}/__mock/deliveries{query}", provider.uri()))
            .send()
    };
    let response = get("?offset=1&limit=2").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-total-count"], "5");
    let page: Vec<Value> = response.json().await.unwrap();
    let all: Vec<Value> = get("").await.unwrap().json().await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(page, all[1..3].to_vec());
    let past: Vec<Value> = get("?offset=18446744073709551616000")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(past.is_empty());
    for query in ["?limit=1001", "?offset=-1", "?limit=ten"] {
        let response = get(query).await.unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["message"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn a_blocked_queue_can_drop_its_head_over_http() {
    let provider = MockProvider::builder(ProviderSpec::load("happycolis").unwrap())
        .allow_http_targets(true)
        .start()
        .await
        .unwrap();
    let sink = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&sink)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&sink)
        .await;
    let token = provider
        .credentials()
        .secret("tenant-a", "bearerAuth")
        .unwrap()
        .to_string();
    let created: Value = Client::new()
        .post(format!("{}/graphql", provider.uri()))
        .bearer_auth(token)
        .json(&json!({
            "query": "mutation C($input: IntegrationWebhookInput!) { integrationWebhookCreate(input: $input) { id } }",
            "variables": {"input": {"endPoint": format!("{}/hc", sink.uri()), "type": "product/image/created"}}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(created["errors"].is_null(), "{created}");
    let admin = format!("{}/__mock", provider.uri());
    let skip = || {
        Client::new()
            .post(format!("{admin}/queues/tenant-a/skip"))
            .send()
    };
    // Not blocked yet: nothing to skip.
    let response = skip().await.unwrap();
    assert_eq!(response.status(), 409);
    assert!(response.json::<Value>().await.unwrap()["message"].is_string());

    provider
        .emit_fixture("product/image/created")
        .await
        .unwrap();
    provider.emit("product/image/created").await.unwrap();
    assert_eq!(provider.blocked(), vec![("tenant-a".to_string(), 2)]);
    let response = skip().await.unwrap();
    assert_eq!(response.status(), 200);
    let skipped: Value = response.json().await.unwrap();
    assert_eq!(
        skipped["skipped"]["event"], "product/image/created",
        "{skipped}"
    );
    assert_eq!(skipped["blocked"], false, "{skipped}");
    // The head was dropped, not resent: the sink saw the failed one, then the next one.
    let received = sink.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_ne!(received[0].body, received[1].body);
    assert!(provider.blocked().is_empty());
}
