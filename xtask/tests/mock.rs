//! `cargo xtask mock` as a script would run it: JSON on the first line, the docs' curl
//! commands answered, a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

#[tokio::test]
async fn the_standalone_mock_prints_json_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "mock",
            "--spec",
            "uc-alxgsv",
            "--json",
            "--credential",
            "bearerAuth=sk_test@8a540ce633522d881e97",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let started: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    let uri = started["uri"].as_str().unwrap();
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    let tenants = started["credentials"]["tenants"].as_array().unwrap();
    assert!(
        tenants
            .iter()
            .any(|t| t["id"] == "8a540ce633522d881e97" && t["secrets"]["bearerAuth"] == "sk_test"),
        "{started}"
    );

    // The docs' create command, with the host, the project id and the key changed.
    let response = reqwest::Client::new()
        .post(format!("{uri}/api/v1/projects/8a540ce633522d881e97/webhooks.json"))
        .header("Authorization", "Bearer sk_test")
        .header("Content-Type", "application/json")
        .body(r#"{"webhook": { "target_url": "http://example.com/webhook", "events": ["file.updated", "file.created"] }}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["data"]["attributes"]["events"],
        json!(["file.updated", "file.created"])
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a SIGTERM is a clean stop: {status}");
}

#[test]
fn a_bad_credential_flag_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["mock", "--spec", "swsh", "--credential", "nope=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ApiKeyAuth"),
        "the error lists the spec's credentials: {stderr}"
    );
}

#[tokio::test]
async fn the_standalone_mock_closes_idle_and_slow_connections_as_its_flags_say() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "mock",
            "--spec",
            "swsh",
            "--json",
            "--header-timeout-ms",
            "200",
            "--idle-timeout-ms",
            "400",
            "--max-connections",
            "100",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let started: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    let address = started["uri"].as_str().unwrap().trim_start_matches("http://").to_string();
    // Fifty clients that connect and say nothing, fifty that send half a request line.
    let mut stalled = Vec::new();
    for i in 0..100 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        if i % 2 == 1 {
            stream.write_all(b"GET /webhook/ping HT").await.unwrap();
        }
        stalled.push(stream);
    }
    // Each one is closed by the mock (a read that ends), none is left open.
    for mut stream in stalled {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut rest),
        )
        .await;
        assert!(closed.is_ok(), "a stalled connection was left open");
    }
    // And the mock still serves.
    let response = reqwest::get(format!("http://{address}/__mock/queues")).await.unwrap();
    assert_eq!(response.status(), 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
}
