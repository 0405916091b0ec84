//! Reference receivers: webhook endpoints written from each provider's documented steps, used
//! by the embedded default run and, with one deliberate [`Fault`] each, by the tests that
//! prove every check can fail.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use crate::sign;
use crate::spec::ProviderSpec;
use crate::spec::extensions::{BodyEncoding, SignatureKind};

/// A defect a faulty receiver has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None: the receiver follows the docs.
    None,
    /// Refuses every delivery with a 400.
    RejectsEverything,
    /// Answers 500 to any payload holding a string with an underscore (which the documented
    /// examples never have, and generated payloads often do).
    ChokesOnUnderscores,
    /// Never checks the signature.
    SkipsSignatureCheck,
    /// Answers 500 (not a 4xx) to a bad signature.
    ServerErrorOnBadSignature,
    /// Compares only the first 16 characters of the signature.
    ComparesSignaturePrefix,
    /// Answers 409 to an event it has seen (same event id, or same body without one).
    ConflictOnRedelivery,
    /// Answers 500 to an event type the spec does not list.
    ServerErrorOnUnknownEvent,
    /// Answers 415 unless the Content-Type is exactly the provider's, parameters included.
    ExactContentType,
    /// Answers after this many milliseconds.
    Slow(u64),
    /// Answers 500 to any string with a character outside ASCII.
    CrashesOnNonAscii,
    /// Verifies the signature over its own re-serialisation of the parsed body, not the bytes.
    VerifiesReserialised,
    /// Answers 500 to a payload holding a `null` anywhere (a parser into non-optional types).
    CrashesOnNull,
    /// Answers 500 to a payload holding a property name that no schema of the spec declares
    /// (a parser that denies unknown fields).
    CrashesOnUnknownField,
    /// Answers 422 to an event about an object it has seen a later event of (a creation
    /// after the removal).
    RejectsOutOfOrder,
    /// Looks headers up by their lower-case names with an exact-case comparison (a raw
    /// header list, as some frameworks expose), so title-case names go unseen.
    CaseSensitiveHeaders,
}

/// What a running receiver knows.
struct State {
    spec: ProviderSpec,
    secret: String,
    fault: Fault,
    /// Keys of the events seen (for [`Fault::ConflictOnRedelivery`]).
    seen: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The latest lifecycle step seen per object id (for [`Fault::RejectsOutOfOrder`]).
    latest: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

/// A running reference receiver.
#[derive(Debug)]
pub struct ReferenceReceiver {
    address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl ReferenceReceiver {
    /// Starts a receiver of `spec`'s deliveries on 127.0.0.1, verifying with `secret`.
    pub async fn start(spec: ProviderSpec, secret: &str, fault: Fault) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let state = std::sync::Arc::new(State {
            spec,
            secret: secret.to_string(),
            fault,
            seen: std::sync::Mutex::default(),
            latest: std::sync::Mutex::default(),
        });
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = std::sync::Arc::clone(&state);
                if state.fault == Fault::CaseSensitiveHeaders {
                    tokio::spawn(serve_raw(stream, state));
                    continue;
                }
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |request: Request<hyper::body::Incoming>| {
                            let state = std::sync::Arc::clone(&state);
                            async move {
                                let headers = request.headers().clone();
                                let body = request
                                    .into_body()
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                if let Fault::Slow(ms) = state.fault {
                                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                                }
                                let status = judge(&state, &headers, &body);
                                Ok::<_, Infallible>(
                                    Response::builder()
                                        .status(status)
                                        .body(Full::new(Bytes::from_static(b"{}")))
                                        .unwrap_or_default(),
                                )
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
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

impl Drop for ReferenceReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The status a receiver answers.
fn judge(state: &State, headers: &hyper::HeaderMap, body: &[u8]) -> u16 {
    let (spec, secret, fault) = (&state.spec, state.secret.as_str(), state.fault);
    if fault == Fault::RejectsEverything {
        return 400;
    }
    if fault == Fault::ExactContentType {
        let sent = headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if sent != spec.delivery.content_type.as_deref() {
            return 415;
        }
    }
    // The signed text: the body, or its decoding for a JSON-string body.
    let text = match spec.delivery.body_encoding {
        BodyEncoding::Plain => String::from_utf8_lossy(body).into_owned(),
        BodyEncoding::JsonString => match serde_json::from_slice::<String>(body) {
            Ok(text) => text,
            Err(_) => return 400,
        },
    };
    // As the docs say: the bytes, or (Betterez) the parsed body serialised again. The faulty
    // variant re-serialises with serde_json for every provider.
    let signed = if fault == Fault::VerifiesReserialised {
        serde_json::from_str::<Value>(&text)
            .map(|v| serde_json::to_string(&v).unwrap_or_default())
            .unwrap_or_default()
    } else if spec.signature.verified_over == crate::spec::extensions::VerifiedOver::Reserialised {
        serde_json::from_str::<Value>(&text)
            .map(|v| crate::deliver::serialize::payload_text(&v, spec.delivery.serialization))
            .unwrap_or_default()
    } else {
        text.clone()
    };
    if spec.signature.scheme == SignatureKind::Hmac
        && fault != Fault::SkipsSignatureCheck
        && !verifies(spec, secret, fault, headers, &signed)
    {
        return if fault == Fault::ServerErrorOnBadSignature {
            500
        } else {
            401
        };
    }
    let Ok(payload) = serde_json::from_str::<Value>(&text) else {
        return 400;
    };
    if fault == Fault::CrashesOnNonAscii && has(&payload, &|s: &str| !s.is_ascii()) {
        return 500;
    }
    if fault == Fault::ChokesOnUnderscores && has_underscore(&payload) {
        return 500;
    }
    if fault == Fault::CrashesOnNull && has_null(&payload) {
        return 500;
    }
    if fault == Fault::CrashesOnUnknownField {
        let mut declared = std::collections::HashSet::new();
        declared_names(&spec.document, &mut declared);
        if has_key(&payload, &|k: &str| !declared.contains(k)) {
            return 500;
        }
    }
    if fault == Fault::ServerErrorOnUnknownEvent
        && let Some(name) = spec.event_name_of(&payload)
        && spec.event(name).is_none()
    {
        return 500;
    }
    if fault == Fault::ConflictOnRedelivery {
        let key = spec
            .event_id_of(&payload)
            .map_or_else(|| text.clone(), str::to_string);
        if !state
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key)
        {
            return 409;
        }
    }
    if fault == Fault::RejectsOutOfOrder
        && let Some(name) = spec.event_name_of(&payload)
    {
        let lifecycle = spec.lifecycle(name);
        if let Some(step) = lifecycle.iter().position(|e| e.name == name)
            && let Some(id) = lifecycle[step]
                .ext
                .resource_id
                .first()
                .and_then(|at| crate::spec::pointer::get(&payload, at))
        {
            let mut latest = state
                .latest
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let seen = latest.entry(id.to_string()).or_insert(step);
            if step < *seen {
                return 422;
            }
            *seen = step;
        }
    }
    // Unknown events and duplicates are acknowledged: the provider must not retry them.
    200
}

/// Serves one connection by reading the request by hand, keeping only the headers whose names
/// arrive in lower case: the exact-case lookup of [`Fault::CaseSensitiveHeaders`].
async fn serve_raw(mut stream: tokio::net::TcpStream, state: std::sync::Arc<State>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
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
            length = value.parse().unwrap_or(0);
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
    let status = judge(&state, &headers, &buffer[head_end..head_end + length]);
    let reply =
        format!("HTTP/1.1 {status} Answer\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}");
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn has(value: &Value, test: &dyn Fn(&str) -> bool) -> bool {
    match value {
        Value::String(s) => test(s),
        Value::Array(items) => items.iter().any(|v| has(v, test)),
        Value::Object(map) => map.iter().any(|(k, v)| test(k) || has(v, test)),
        _ => false,
    }
}

fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(has_null),
        Value::Object(map) => map.values().any(has_null),
        _ => false,
    }
}

fn has_key(value: &Value, test: &dyn Fn(&str) -> bool) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|v| has_key(v, test)),
        Value::Object(map) => map.iter().any(|(k, v)| test(k) || has_key(v, test)),
        _ => false,
    }
}

/// Every property name a schema of the document declares (`properties` and `required`).
fn declared_names<'a>(document: &'a Value, out: &mut std::collections::HashSet<&'a str>) {
    match document {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                out.extend(properties.keys().map(String::as_str));
            }
            if let Some(Value::Array(required)) = map.get("required") {
                out.extend(required.iter().filter_map(Value::as_str));
            }
            for value in map.values() {
                declared_names(value, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                declared_names(item, out);
            }
        }
        _ => {}
    }
}

fn has_underscore(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('_'),
        Value::Array(items) => items.iter().any(has_underscore),
        Value::Object(map) => map.values().any(has_underscore),
        _ => false,
    }
}

/// Verifies the signature header the way the provider's docs describe (see
/// [`sign::verify`]); the prefix fault compares only the first 16 characters.
fn verifies(
    spec: &ProviderSpec,
    secret: &str,
    fault: Fault,
    headers: &hyper::HeaderMap,
    text: &str,
) -> bool {
    let Some(value) = spec
        .signature
        .header
        .as_deref()
        .and_then(|h| headers.get(h))
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    if fault == Fault::ComparesSignaturePrefix {
        return sign::expected_and_presented(spec, secret.as_bytes(), value, text).is_some_and(
            |(expected, presented)| presented.len() >= 16 && expected.starts_with(&presented[..16]),
        );
    }
    sign::verify(spec, secret.as_bytes(), value, text)
}
