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

/// The delivery policy flags, as the `--json` line reports them: `--fast` with the flags that
/// override it.
#[test]
fn the_delivery_policy_flags_show_in_the_json_line() {
    let first_line = |args: &[&str]| {
        let mut child = Running(
            Command::new(env!("CARGO_BIN_EXE_xtask"))
                .args(["mock", "--spec", "swsh", "--json"])
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let mut first = String::new();
        BufReader::new(child.0.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let started: Value =
            serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
        started["delivery"].clone()
    };
    assert_eq!(
        first_line(&[]),
        json!({"attempts": 3, "backoff_ms": 1000, "max_backoff_ms": 30000, "timeout_ms": 10000})
    );
    assert_eq!(
        first_line(&["--fast"]),
        json!({"attempts": 3, "backoff_ms": 0, "max_backoff_ms": 0, "timeout_ms": 2000})
    );
    assert_eq!(
        first_line(&[
            "--fast",
            "--retries",
            "1",
            "--max-backoff-ms",
            "50",
            "--delivery-timeout-ms",
            "700"
        ]),
        json!({"attempts": 2, "backoff_ms": 0, "max_backoff_ms": 50, "timeout_ms": 700})
    );
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

/// A spawned mock, killed if the test ends early (a failed assertion), so that none is left
/// running.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
        .map(Running)
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let started: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    let address = started["uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
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
    let response = reqwest::get(format!("http://{address}/__mock/queues"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.0.wait().unwrap().success());
}

/// The CPU time (user and system, in clock ticks) the process `pid` has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name (which sits in parentheses): utime is the 12th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[tokio::test]
async fn out_of_file_descriptors_the_mock_waits_instead_of_spinning_and_recovers() {
    use tokio::io::AsyncReadExt;
    // A mock with few file descriptors, so that accepting fails with EMFILE.
    let mut child = Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -n 48 && exec {} mock --spec swsh --json --idle-timeout-ms 1500",
                env!("CARGO_BIN_EXE_xtask")
            ),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map(Running)
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let started: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    let address = started["uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    let mut idle = Vec::new();
    for _ in 0..80 {
        idle.push(tokio::net::TcpStream::connect(&address).await.unwrap());
    }
    // Some of these wait in the backlog, unaccepted: the mock must not spin on EMFILE.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let before = cpu_ticks(child.0.id());
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let used = cpu_ticks(child.0.id()) - before;
    assert!(
        used < 20,
        "the mock used {used} ticks of CPU in a second at the descriptor limit"
    );
    // The idle ones are closed in time, and the mock serves again.
    for mut stream in idle {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            stream.read_to_end(&mut rest),
        )
        .await;
        assert!(closed.is_ok(), "an idle connection was left open");
    }
    let response = reqwest::get(format!("http://{address}/__mock/queues"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let _ = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status();
    assert!(child.0.wait().unwrap().success());
}
