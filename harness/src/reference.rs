//! Reference receivers: webhook endpoints written from each provider's documented verification
//! steps, used by the embedded default run.
//!
//! A receiver follows the steps in order (read the body, work out what the signature covers,
//! check the signature, parse the payload) through the one [`Verifier`] of the provider's
//! scheme. A [`Quirk`] can depart from one step while the others stay as documented: that is
//! how the project's tests build receivers with exactly one defect (the faults beside each
//! receiver check, compiled with the `test-support` feature), and how a user can model a
//! receiver of their own.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use crate::sign::Verifier;
use crate::spec::ProviderSpec;

/// How a receiver departs from the provider's documented steps. Every hook defaults to the
/// documented behaviour; a quirk overrides the steps it changes.
pub trait Quirk: Send + Sync + 'static {
    /// A status to answer before anything is read (`None`: go on).
    fn first(&self, _spec: &ProviderSpec, _headers: &HeaderMap) -> Option<u16> {
        None
    }

    /// What the signature is verified over, given the payload text (`None`: as the docs say).
    fn signed_over(&self, _text: &str) -> Option<String> {
        None
    }

    /// Whether the receiver refuses timestamps outside the convention's tolerance (the
    /// documented steps do).
    fn checks_freshness(&self) -> bool {
        true
    }

    /// The signature comparison (`None`: the documented one, whole values in constant time).
    fn verify(
        &self,
        _verifier: &Verifier,
        _headers: &HeaderMap,
        _signed: &str,
        _key: &[u8],
    ) -> Option<bool> {
        None
    }

    /// The status a delivery with a bad signature gets.
    fn bad_signature(&self) -> u16 {
        401
    }

    /// A status to answer instead of 200 once the payload parsed (`None`: 200); `headers`
    /// are the delivery's (envelope fields may travel there).
    fn payload(
        &self,
        _spec: &ProviderSpec,
        _headers: &HeaderMap,
        _text: &str,
        _payload: &Value,
    ) -> Option<u16> {
        None
    }

    /// How long to wait before answering.
    fn delay(&self) -> Duration {
        Duration::ZERO
    }

    /// Whether the receiver reads requests by hand and sees header names exactly as they
    /// arrive (hyper's server lower-cases them).
    fn reads_raw_headers(&self) -> bool {
        false
    }
}

/// A header's value as text, for envelope fields read from headers.
pub fn header_text(headers: &HeaderMap) -> impl Fn(&str) -> Option<String> + '_ {
    |name| headers.get(name)?.to_str().ok().map(str::to_string)
}

/// The documented behaviour: no departure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Documented;

impl Quirk for Documented {}

/// What a running receiver knows.
struct State {
    spec: ProviderSpec,
    verifier: Verifier,
    /// The key material of the secret (its text's bytes where it does not decode).
    key: Vec<u8>,
    quirk: Box<dyn Quirk>,
}

/// A running reference receiver.
#[derive(Debug)]
pub struct ReferenceReceiver {
    address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl ReferenceReceiver {
    /// Starts a receiver of `spec`'s deliveries on 127.0.0.1, verifying with `secret`, as the
    /// provider's docs describe.
    pub async fn start(spec: ProviderSpec, secret: &str) -> std::io::Result<Self> {
        Self::start_with(spec, secret, Documented).await
    }

    /// Starts a receiver that departs from the documented steps as `quirk` says.
    pub async fn start_with(
        spec: ProviderSpec,
        secret: &str,
        quirk: impl Into<Box<dyn Quirk>>,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let key = spec
            .signing
            .key
            .as_ref()
            .and_then(|k| k.decode(secret).ok())
            .unwrap_or_else(|| secret.as_bytes().to_vec());
        let state = Arc::new(State {
            verifier: Verifier::new(&spec),
            spec,
            key,
            quirk: quirk.into(),
        });
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // Out of descriptors, say: wait a moment rather than spin.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let state = Arc::clone(&state);
                if state.quirk.reads_raw_headers() {
                    tokio::spawn(serve_raw(stream, state));
                } else {
                    tokio::spawn(serve(stream, state));
                }
            }
        });
        Ok(Self { address, task })
    }

    /// The URL deliveries go to.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}/webhooks", self.address)
    }
}

impl<Q: Quirk> From<Q> for Box<dyn Quirk> {
    fn from(quirk: Q) -> Self {
        Box::new(quirk)
    }
}

impl Drop for ReferenceReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(stream: tokio::net::TcpStream, state: Arc<State>) {
    let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
        let state = Arc::clone(&state);
        async move {
            let headers = request.headers().clone();
            let body = http_body_util::Limited::new(request.into_body(), 8 << 20)
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            pause(state.quirk.delay()).await;
            let status = judge(&state, &headers, &body);
            Ok::<_, Infallible>(
                Response::builder()
                    .status(status)
                    .body(Full::new(Bytes::from_static(b"{}")))
                    .unwrap_or_default(),
            )
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Waits `delay` (a zero delay does not go through the timer, which has a millisecond's
/// granularity).
async fn pause(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

/// The status a receiver answers: the provider's documented steps, in order.
fn judge(state: &State, headers: &HeaderMap, body: &[u8]) -> u16 {
    let (spec, quirk, verifier) = (&state.spec, &state.quirk, &state.verifier);
    if let Some(status) = quirk.first(spec, headers) {
        return status;
    }
    let Ok(text) = verifier.text(body) else {
        return 400;
    };
    if verifier.signs() {
        let signed = quirk
            .signed_over(&text)
            .unwrap_or_else(|| verifier.signed_over(&text));
        let key = &state.key;
        let fresh = !quirk.checks_freshness() || verifier.check_fresh(headers).is_ok();
        let verified = quirk
            .verify(verifier, headers, &signed, key)
            .unwrap_or_else(|| verifier.check_signatures(headers, &signed, key).is_ok());
        let verified = fresh && verified;
        if !verified {
            return quirk.bad_signature();
        }
    }
    let Ok(payload) = serde_json::from_str::<Value>(&text) else {
        return 400;
    };
    // Unknown events and duplicates are acknowledged: the provider must not retry them.
    quirk.payload(spec, headers, &text, &payload).unwrap_or(200)
}

/// Serves one connection by reading the request by hand, keeping only the headers whose names
/// arrive in lower case: an exact-case lookup over a raw header list ([`Quirk::reads_raw_headers`]).
/// The head and the body are bounded, as every read of a peer is.
async fn serve_raw(mut stream: tokio::net::TcpStream, state: Arc<State>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > 64 << 10 {
            return;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut headers = hyper::HeaderMap::new();
    let mut length = 0usize;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().unwrap_or(0).min(8 << 20);
        }
        if name == name.to_ascii_lowercase()
            && let (Ok(name), Ok(value)) = (
                hyper::header::HeaderName::from_bytes(name.as_bytes()),
                hyper::header::HeaderValue::from_str(value),
            )
        {
            headers.append(name, value);
        }
    }
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    pause(state.quirk.delay()).await;
    let status = judge(&state, &headers, &buffer[head_end..head_end + length]);
    let reply =
        format!("HTTP/1.1 {status} Answer\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}");
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}
