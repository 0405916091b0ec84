//! Delivery under load: signed deliveries per second from the mock to a local keep-alive sink,
//! over many subscriptions, with the sink's own rate measured alone in the same run. For
//! HappyColis (one FIFO queue per integration) it also checks that nothing was lost and that
//! every integration received the events in the same order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

use super::load::{self, Shot};

/// Subscriptions (uc.alxgsv) or integrations (HappyColis) the events fan out to.
const FAN_OUT: usize = 100;
/// Concurrent emitters.
const EMITTERS: usize = 4;

/// Runs the delivery scenarios; one row each.
pub fn run(duration: Duration) -> Result<Vec<Value>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(scenarios(duration))
}

/// What the recording sink saw: (subscription id, message id) per HappyColis delivery.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

async fn sink(seen: Seen) -> Result<std::net::SocketAddr, String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: hyper::Request<hyper::body::Incoming>| {
                        let seen = Arc::clone(&seen);
                        async move {
                            let body = request
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            if let Ok(value) = serde_json::from_slice::<Value>(&body)
                                && let (Some(webhook), Some(message)) = (
                                    value["header"]["webhookId"].as_str(),
                                    value["header"]["messageId"].as_str(),
                                )
                            {
                                seen.lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                                    .push((webhook.to_string(), message.to_string()));
                            }
                            Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                                Bytes::from_static(b"ok"),
                            )))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(address)
}

async fn scenarios(duration: Duration) -> Result<Vec<Value>, String> {
    let seen: Seen = Arc::default();
    let address = sink(Arc::clone(&seen)).await?;
    let target = format!("http://{address}/hook");
    let mut rows = Vec::new();

    // uc.alxgsv: one project, FAN_OUT webhooks on file.created; failures are dropped.
    let uc = MockProvider::builder(ProviderSpec::load("uc-alxgsv").map_err(|e| e.to_string())?)
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let key = uc
        .credentials()
        .secret("tenant-a", "bearerAuth")
        .unwrap_or_default()
        .to_string();
    let client = reqwest::Client::new();
    for _ in 0..FAN_OUT {
        client
            .post(format!(
                "{}/api/v1/projects/tenant-a/webhooks.json",
                uc.uri()
            ))
            .bearer_auth(&key)
            .json(&json!({"webhook": {"target_url": target, "events": ["file.created"]}}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
    }
    let (delivered, failed, seconds) = emit_for(Arc::new(uc), "file.created", duration).await;
    rows.push(json!({"provider": "uc-alxgsv", "rule": "drop, hex HMAC, double-encoded body", "subscriptions": FAN_OUT, "deliveries_per_second": (delivered as f64 / seconds).round(), "delivered": delivered, "failed": failed, "order": "n/a"}));

    // HappyColis: FAN_OUT integrations (tenants), one subscription each, one FIFO queue each.
    let mut builder =
        MockProvider::builder(ProviderSpec::load("happycolis").map_err(|e| e.to_string())?)
            .allow_http_targets(true);
    for i in 0..FAN_OUT {
        builder = builder
            .credential(
                "bearerAuth",
                &format!("token-{i}"),
                &format!("integration-{i}"),
            )
            .credential(
                "clientSecret",
                &format!("secret-{i}"),
                &format!("integration-{i}"),
            );
    }
    let happycolis = builder.start().await.map_err(|e| e.to_string())?;
    for i in 0..FAN_OUT {
        let answer: Value = client
            .post(format!("{}/graphql", happycolis.uri()))
            .bearer_auth(format!("token-{i}"))
            .json(&json!({"query": "mutation C($input: IntegrationWebhookInput!) { integrationWebhookCreate(input: $input) { id } }", "variables": {"input": {"endPoint": target, "type": "product/image/created"}}}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        if answer["errors"].is_array() {
            return Err(format!("subscribing integration {i}: {answer}"));
        }
    }
    seen.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clear();
    let (delivered, failed, seconds) =
        emit_for(Arc::new(happycolis), "product/image/created", duration).await;
    let order = check_order(&seen, delivered);
    rows.push(json!({"provider": "happycolis", "rule": "FIFO per integration, base64 HMAC", "subscriptions": FAN_OUT, "deliveries_per_second": (delivered as f64 / seconds).round(), "delivered": delivered, "failed": failed, "order": order}));

    // The sink alone, on the same kind of request.
    let body = Bytes::from(serde_json::to_vec(&json!({"header": {"webhookId": "w", "messageId": "m"}, "body": {"id": "x".repeat(700)}})).unwrap_or_default());
    let shot = Shot {
        method: hyper::Method::POST,
        path: "/hook".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body,
    };
    let alone = load::run(address, shot, 32, duration, 200).await;
    // The figure to compare between runs: each scenario's rate over the sink's, in this run.
    for row in &mut rows {
        let ratio = row["deliveries_per_second"].as_f64().unwrap_or(0.0) / alone.per_second();
        row["ratio_to_sink"] = json!((ratio * 1000.0).round() / 1000.0);
    }
    rows.push(json!({"provider": "sink alone", "rule": "32 keep-alive connections, same sink", "subscriptions": 0, "deliveries_per_second": alone.per_second().round(), "delivered": alone.requests, "failed": alone.errors + alone.unexpected, "order": "n/a"}));
    Ok(rows)
}

/// Emits `event` from EMITTERS tasks for `duration`; returns delivered and failed deliveries
/// (from the dispatcher's exact totals) and the seconds it took, queues drained included.
async fn emit_for(
    provider: Arc<MockProvider>,
    event: &'static str,
    duration: Duration,
) -> (u64, u64, f64) {
    let (attempts_before, delivered_before) = provider.delivery_totals();
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..EMITTERS {
        let provider = Arc::clone(&provider);
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                if provider.emit(event).await.is_err() {
                    break;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let (attempts, delivered) = provider.delivery_totals();
    let delivered = delivered - delivered_before;
    (
        delivered,
        (attempts - attempts_before) - delivered,
        start.elapsed().as_secs_f64(),
    )
}

/// Every integration must have received the same message ids in the same order, all of them.
fn check_order(seen: &Seen, delivered: u64) -> String {
    let seen = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut by_webhook: HashMap<&str, Vec<&str>> = HashMap::new();
    for (webhook, message) in seen.iter() {
        by_webhook
            .entry(webhook.as_str())
            .or_default()
            .push(message.as_str());
    }
    let Some(reference) = by_webhook.values().next() else {
        return "nothing received".into();
    };
    let same = by_webhook.values().all(|sequence| sequence == reference);
    let received = seen.len() as u64;
    match (same, received >= delivered) {
        (true, true) => format!(
            "exact: {} integrations x {} events, same order",
            by_webhook.len(),
            reference.len()
        ),
        (false, _) => "OUT OF ORDER".into(),
        (true, false) => format!("LOST: {delivered} delivered, {received} received"),
    }
}
