//! The mock's server under slow, idle and too many clients: time limits close what stalls,
//! the connection cap makes new clients wait while open ones are served, and the answers hyper
//! would write by itself are JSON in the provider's error shape.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

/// Every wait in these tests ends: a behaviour that does not happen within this fails.
const PATIENCE: Duration = Duration::from_secs(10);

async fn swsh(
    builder: impl FnOnce(webhook_harness::mock::MockBuilder) -> webhook_harness::mock::MockBuilder,
) -> MockProvider {
    builder(MockProvider::builder(ProviderSpec::load("swsh").unwrap()))
        .start()
        .await
        .unwrap()
}

fn address(provider: &MockProvider) -> String {
    provider.uri().trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection: what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut out))
        .await
        .expect("the server should close the connection")
        .ok();
    out
}

/// One request on a fresh connection, answered in full (`Connection: close`).
async fn request(address: &str, head: &str) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    String::from_utf8_lossy(&read_to_close(&mut stream).await).into_owned()
}

const PING: &str = "GET /webhook/ping HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";

#[tokio::test]
async fn a_slow_client_is_cut_after_the_header_timeout_while_others_are_served() {
    let provider = swsh(|b| b.header_timeout(Duration::from_millis(200))).await;
    let address = address(&provider);
    let mut slow = TcpStream::connect(&address).await.unwrap();
    // Half a request line, and then nothing.
    slow.write_all(b"GET /webhook/ping HT").await.unwrap();
    let answer = request(&address, PING).await;
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    let rest = read_to_close(&mut slow).await;
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let provider = swsh(|b| b.idle_timeout(Duration::from_millis(300))).await;
    let address = address(&provider);
    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(b"GET /webhook/ping HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    // The answer comes, the connection stays open for the next request, then closes.
    let everything = read_to_close(&mut idle).await;
    let text = String::from_utf8_lossy(&everything);
    assert!(text.starts_with("HTTP/1.1 "), "{text}");
    // A connection that never sends anything is closed too.
    let mut silent = TcpStream::connect(&address).await.unwrap();
    assert!(read_to_close(&mut silent).await.is_empty());
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408() {
    let provider = swsh(|b| b.idle_timeout(Duration::from_millis(300))).await;
    let mut stream = TcpStream::connect(address(&provider)).await.unwrap();
    stream
        .write_all(b"POST /webhook/createSubscription HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"ev")
        .await
        .unwrap();
    let answer = String::from_utf8_lossy(&read_to_close(&mut stream).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
}

#[tokio::test]
async fn at_the_connection_cap_new_clients_wait_while_open_ones_are_served() {
    let provider = swsh(|b| b.max_connections(1).idle_timeout(Duration::from_secs(30))).await;
    let address = address(&provider);
    let mut first = TcpStream::connect(&address).await.unwrap();
    // The open connection is served, again and again.
    for _ in 0..2 {
        first
            .write_all(b"GET /webhook/ping HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(PATIENCE, first.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 "));
    }
    // A second client connects (the backlog takes it) but is not accepted yet.
    let mut second = TcpStream::connect(&address).await.unwrap();
    second.write_all(PING.as_bytes()).await.unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), second.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "the second client was served beyond the cap"
    );
    // Once the first one goes, the second one is served.
    drop(first);
    let answer = String::from_utf8_lossy(&read_to_close(&mut second).await).into_owned();
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
}

#[tokio::test]
async fn oversized_request_lines_and_headers_are_answered_in_json() {
    let provider = swsh(|b| b).await;
    let address = address(&provider);
    let long_path = "a".repeat(70 * 1024);
    let answer = request(
        &address,
        &format!("GET /{long_path} HTTP/1.1\r\nhost: x\r\n\r\n"),
    )
    .await;
    let big = |n: usize| format!("x-big: {}\r\n", "b".repeat(n));
    // Beyond the mock's own limit, and beyond the buffer of the HTTP parser.
    let answer2 = request(
        &address,
        &format!(
            "GET /webhook/ping HTTP/1.1\r\nhost: x\r\n{}connection: close\r\n\r\n",
            big(70 * 1024)
        ),
    )
    .await;
    let answer5 = request(
        &address,
        &format!(
            "GET /webhook/ping HTTP/1.1\r\nhost: x\r\n{}connection: close\r\n\r\n",
            big(300 * 1024)
        ),
    )
    .await;
    let many: String = (0..150).map(|i| format!("x-h{i}: v\r\n")).collect();
    let answer3 = request(
        &address,
        &format!("GET /webhook/ping HTTP/1.1\r\nhost: x\r\n{many}connection: close\r\n\r\n"),
    )
    .await;
    let answer4 = request(&address, "NOT HTTP AT ALL\r\n\r\n").await;
    for answer in [answer, answer2, answer3, answer4, answer5] {
        let status: u16 = answer[9..12].parse().unwrap();
        assert!([400, 414, 431].contains(&status), "{answer}");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{answer}"
        );
        let body: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
        // swsh's error shape: {"error": ..., "message"?...} as its documented examples.
        assert!(body.is_object(), "{body}");
    }
}
