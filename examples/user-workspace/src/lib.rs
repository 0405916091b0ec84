//! A webhook receiver for a provider that follows Standard Webhooks: it verifies each
//! delivery's signature over the exact bytes received (`{webhook-id}.{webhook-timestamp}.{body}`,
//! HMAC-SHA256 with the Base64 key after `whsec_`), refuses deliveries signed more than five
//! minutes away from now, acknowledges a redelivery of an event it already has, and answers
//! every other delivery with 204.
//!

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// The secret used when `WEBHOOK_SECRET` is not set.
pub const DEFAULT_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// How far a delivery's timestamp may be from now, in seconds (the Standard Webhooks default).
const TOLERANCE: i64 = 300;

/// The receiver's state: the key and the events already handled.
pub struct Receiver {
    key: Vec<u8>,
    /// The `webhook-id`s already handled: a redelivery is acknowledged, not handled twice.
    seen: Mutex<HashSet<String>>,
}

/// Serves `listener` with the secret `secret` (`whsec_` and the Base64 key) until the task is
/// dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    secret: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret))?;
    let receiver = Arc::new(Receiver {
        key,
        seen: Mutex::default(),
    });
    loop {
        let (stream, _) = listener.accept().await?;
        let receiver = Arc::clone(&receiver);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let receiver = Arc::clone(&receiver);
                async move { Ok::<_, Infallible>(receiver.handle(request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

impl Receiver {
    async fn handle(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        if request.uri().path() != "/webhooks" {
            return answer(StatusCode::NOT_FOUND);
        }
        if request.method() != Method::POST {
            return answer(StatusCode::METHOD_NOT_ALLOWED);
        }
        let headers = request.headers().clone();
        let Ok(body) = Limited::new(request.into_body(), 1 << 20).collect().await else {
            return answer(StatusCode::PAYLOAD_TOO_LARGE);
        };
        let body = body.to_bytes();
        if let Err(status) = self.verify(&headers, &body) {
            return answer(status);
        }
        let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return answer(StatusCode::BAD_REQUEST);
        };
        let id = header(&headers, "webhook-id")
            .unwrap_or_default()
            .to_string();
        let first_time = self
            .seen
            .lock()
            .map(|mut seen| seen.insert(id))
            .unwrap_or(true);
        if first_time {
            // A real receiver queues the event here; an unknown `type` is acknowledged too.
            let _ = event.get("type");
        }
        answer(StatusCode::NO_CONTENT)
    }

    /// The Standard Webhooks verification, over the bytes received.
    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), StatusCode> {
        let id = header(headers, "webhook-id").ok_or(StatusCode::BAD_REQUEST)?;
        let timestamp = header(headers, "webhook-timestamp").ok_or(StatusCode::BAD_REQUEST)?;
        let signatures = header(headers, "webhook-signature").ok_or(StatusCode::UNAUTHORIZED)?;
        let sent: i64 = timestamp.parse().map_err(|_| StatusCode::BAD_REQUEST)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        if (now - sent).abs() > TOLERANCE {
            return Err(StatusCode::UNAUTHORIZED);
        }
        let mut signed = format!("{id}.{timestamp}.").into_bytes();
        signed.extend_from_slice(body);
        // Several signatures may be sent (a key rotation): one that verifies is enough.
        let verified = signatures
            .split(' ')
            .filter_map(|candidate| candidate.strip_prefix("v1,"))
            .filter_map(|signature| STANDARD.decode(signature).ok())
            .any(|signature| {
                <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.key)
                    .map(|mut mac| {
                        mac.update(&signed);
                        mac.verify_slice(&signature).is_ok()
                    })
                    .unwrap_or(false)
            });
        if verified {
            Ok(())
        } else {
            Err(StatusCode::UNAUTHORIZED)
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}
