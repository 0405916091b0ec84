//! Mock endpoints under load: requests per second and latency for a create and a read on two
//! providers, next to a fixed-body hyper server on the same requests in the same run.

use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

use super::load::{self, Shot};

/// The connections the load generator keeps open.
const CONNECTIONS: usize = 32;

/// Runs every scenario; one row per (scenario, server).
pub fn run(duration: Duration) -> Result<Vec<Value>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(scenarios(duration))
}

async fn scenarios(duration: Duration) -> Result<Vec<Value>, String> {
    let fixed = load::fixed_server(br#"{"data":{"webhookId":"6c8f3c1e-6a0b-4c59-9d8e-2f1a3b4c5d6e","config":{"event":"newAlbum","targetUrl":"https://hooks.example.com/swsh"}}}"#)
        .await
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::new();

    let swsh = MockProvider::start(ProviderSpec::load("swsh").map_err(|e| e.to_string())?)
        .await
        .map_err(|e| e.to_string())?;
    let key_a = swsh
        .credentials()
        .secret("tenant-a", "ApiKeyAuth")
        .unwrap_or_default()
        .to_string();
    let key_b = swsh
        .credentials()
        .secret("tenant-b", "ApiKeyAuth")
        .unwrap_or_default()
        .to_string();
    let create = swsh_create(&key_a);
    // The read: tenant b's list, which holds one subscription (tenant a's grow during the creates).
    send_once(swsh.address(), swsh_create(&key_b)).await?;
    let read = swsh_read(&key_b);
    rows.extend(
        pair(
            "swsh",
            "create (POST /webhook/createSubscription)",
            swsh.address(),
            fixed,
            create,
            duration,
        )
        .await,
    );
    rows.extend(
        pair(
            "swsh",
            "read (GET /webhook/getSubscriptions, 1 item)",
            swsh.address(),
            fixed,
            read,
            duration,
        )
        .await,
    );

    let uc = MockProvider::start(ProviderSpec::load("uc-alxgsv").map_err(|e| e.to_string())?)
        .await
        .map_err(|e| e.to_string())?;
    let bearer = format!(
        "Bearer {}",
        uc.credentials()
            .secret("tenant-a", "bearerAuth")
            .unwrap_or_default()
    );
    let create = uc_create(&bearer);
    let created = send_once(uc.address(), create.clone()).await?;
    let created = created["data"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no id in {created}"))?;
    let read = uc_read(&bearer, &created);
    rows.extend(
        pair(
            "uc-alxgsv",
            "create (POST .../webhooks.json)",
            uc.address(),
            fixed,
            create,
            duration,
        )
        .await,
    );
    rows.extend(
        pair(
            "uc-alxgsv",
            "read (GET .../webhooks/{id}.json)",
            uc.address(),
            fixed,
            read,
            duration,
        )
        .await,
    );
    Ok(rows)
}

/// swsh's create: a `photoLabelAdded` subscription of the tenant whose API key is `key`.
pub(super) fn swsh_create(key: &str) -> Shot {
    Shot {
        method: hyper::Method::POST,
        path: "/webhook/createSubscription".into(),
        headers: vec![("x-api-key".into(), key.into()), ("content-type".into(), "application/json".into())],
        body: Bytes::from(json!({"event": "photoLabelAdded", "targetUrl": "https://hooks.example.com/swsh", "albumId": "album-1", "label": "sunset"}).to_string()),
    }
}

/// swsh's read: the subscriptions of the tenant whose API key is `key`.
pub(super) fn swsh_read(key: &str) -> Shot {
    Shot {
        method: hyper::Method::GET,
        path: "/webhook/getSubscriptions".into(),
        headers: vec![("x-api-key".into(), key.into())],
        body: Bytes::new(),
    }
}

/// uc.alxgsv's create, with the docs' request body; `bearer` is the whole header value.
pub(super) fn uc_create(bearer: &str) -> Shot {
    let body = r#"{"webhook": { "target_url": "https://example.com/webhook", "events": ["file.updated", "file.created"] }}"#;
    Shot {
        method: hyper::Method::POST,
        path: "/api/v1/projects/tenant-a/webhooks.json".into(),
        headers: vec![
            ("authorization".into(), bearer.into()),
            ("content-type".into(), "application/json".into()),
        ],
        body: Bytes::from_static(body.as_bytes()),
    }
}

/// uc.alxgsv's read of the webhook `id`.
pub(super) fn uc_read(bearer: &str, id: &str) -> Shot {
    Shot {
        method: hyper::Method::GET,
        path: format!("/api/v1/projects/tenant-a/webhooks/{id}.json"),
        headers: vec![("authorization".into(), bearer.into())],
        body: Bytes::new(),
    }
}

/// Sends one request and checks it succeeded, within 10 seconds.
pub(super) async fn send_once(address: std::net::SocketAddr, shot: Shot) -> Result<Value, String> {
    tokio::time::timeout(Duration::from_secs(10), exchange(address, shot))
        .await
        .map_err(|_| format!("setup request to {address}: no answer within 10 s"))?
}

async fn exchange(address: std::net::SocketAddr, shot: Shot) -> Result<Value, String> {
    use http_body_util::{BodyExt, Full};
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut request = hyper::Request::builder()
        .method(shot.method)
        .uri(&shot.path)
        .header("host", address.to_string());
    for (k, v) in &shot.headers {
        request = request.header(k, v);
    }
    let request = request
        .body(Full::new(shot.body))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "setup request answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

async fn pair(
    provider: &str,
    endpoint: &str,
    mock: std::net::SocketAddr,
    fixed: std::net::SocketAddr,
    shot: Shot,
    duration: Duration,
) -> Vec<Value> {
    let ours = load::run(mock, shot.clone(), CONNECTIONS, duration, 200).await;
    let floor = load::run(fixed, shot, CONNECTIONS, duration, 200).await;
    let ratio = ours.per_second() / floor.per_second().max(1.0);
    [("mock", &ours), ("fixed-body hyper", &floor)]
        .into_iter()
        .map(|(server, m)| {
            json!({
                "provider": provider,
                "endpoint": endpoint,
                "server": server,
                "requests_per_second": m.per_second().round(),
                "p50_us": m.p50_us,
                "p99_us": m.p99_us,
                "errors": m.errors + m.unexpected,
                "mock_to_fixed": if server == "mock" { (ratio * 1000.0).round() / 1000.0 } else { 1.0 },
            })
        })
        .collect()
}
