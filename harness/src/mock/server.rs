//! The HTTP side: a hyper server on 127.0.0.1 that turns requests into `Incoming`s for the
//! pipeline, with a cap on open connections, time limits on each (`connection.rs`), a body size
//! and time limit, and a clean shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

use super::connection::{Activity, InFlight, Limits, Watched};
use super::engine::Engine;
use super::form::form_urlencoded;
use super::pipeline::Incoming;
use super::reply::{self, Reply};

/// How long the accept loop waits after a failed accept (out of file descriptors, say) before
/// it tries again, instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(75);

/// How long open connections get to finish their request at shutdown.
const DRAIN: Duration = Duration::from_secs(5);

/// Whether the mock was told to stop (or its handle is gone).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}

/// Serves `engine` on `listener` until `shutdown` turns true; open connections finish their
/// current request. At most `max_connections` are open at once: beyond that the loop stops
/// accepting (clients wait in the listen backlog) while the open ones are served.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) {
    let settings = &engine.core.settings;
    let max = settings
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    let limits = Limits {
        header: settings.header_timeout,
        idle: settings.idle_timeout,
    };
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => permit,
            () = stopping(&mut shutdown) => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopping(&mut shutdown) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // EMFILE, ENFILE, ENOBUFS...: the condition lasts; retrying at once would spin.
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let engine = Arc::clone(&engine);
        let stop = shutdown.clone();
        tokio::spawn(async move {
            connection(stream, engine, limits, stop).await;
            drop(permit);
        });
    }
    // Give open connections a moment to finish what they are doing.
    let _ = tokio::time::timeout(DRAIN, slots.acquire_many(max as u32)).await;
}

/// Serves one connection until the client closes it, a time limit ends it, or the mock stops
/// (then the request in progress finishes first).
async fn connection(
    stream: TcpStream,
    engine: Arc<Engine>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let service = {
        let engine = Arc::clone(&engine);
        let activity = Arc::clone(&activity);
        service_fn(move |request| {
            let engine = Arc::clone(&engine);
            let activity = Arc::clone(&activity);
            async move {
                activity.begin();
                let _in_flight = InFlight(&activity);
                Ok::<_, Infallible>(answer(engine, request).await)
            }
        })
    };
    let rewrite = {
        let engine = Arc::clone(&engine);
        move |status: u16| own_answer(&engine, status)
    };
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity), rewrite));
    let mut builder = http1::Builder::new();
    builder
        .keep_alive(true)
        .header_read_timeout(None)
        .max_buf_size(MAX_HEAD_BYTES);
    let served = builder.serve_connection(io, service);
    tokio::pin!(served);
    // While nothing is due, look again this often: a request that ends re-arms the clock.
    let tick = limits
        .header
        .min(limits.idle)
        .max(Duration::from_millis(10));
    loop {
        let next_look = Instant::now() + tick;
        let due = activity
            .deadline(limits)
            .map_or(next_look, |d| d.min(next_look));
        tokio::select! {
            _ = served.as_mut() => return,
            () = tokio::time::sleep_until(due) => {
                if activity.deadline(limits).is_some_and(|d| d <= Instant::now()) {
                    // Idle or too slow: dropping the connection closes the socket.
                    return;
                }
            }
            () = stopping(&mut stop) => {
                served.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(DRAIN, served.as_mut()).await;
                return;
            }
        }
    }
}

/// The largest request head (request line and headers) hyper reads; beyond it, hyper's own
/// 431 (or 414 for a request line too long) is rewritten as JSON by [`own_answer`].
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The JSON body of an answer hyper would write by itself, empty, in the provider's shape.
fn own_body(engine: &Engine, status: u16) -> Vec<u8> {
    let message = match status {
        414 => "the request line is too long for the mock".to_string(),
        431 => format!(
            "the request's headers are too large for the mock (at most {MAX_HEAD_BYTES} bytes of request line and headers, and 100 headers)"
        ),
        400 => "the request is not valid HTTP/1.1".to_string(),
        505 => "the HTTP version is not supported; the mock speaks HTTP/1.1".to_string(),
        other => reply::reason(other).to_string(),
    };
    let reply = reply::other_error(&engine.core.spec, None, status, &message);
    serde_json::to_vec(&reply.body).unwrap_or_else(|_| b"{}".to_vec())
}

/// The JSON answer that replaces one hyper writes by itself, whole (head and body).
fn own_answer(engine: &Engine, status: u16) -> Vec<u8> {
    let body = own_body(engine, status);
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        reply::reason(status),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

async fn answer(engine: Arc<Engine>, request: Request<Body>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let head_bytes = parts.uri.to_string().len()
        + parts
            .headers
            .iter()
            .map(|(n, v)| n.as_str().len() + v.len() + 4)
            .sum::<usize>();
    if head_bytes > MAX_HEAD_BYTES {
        // The same answer as for a head the parser itself refuses.
        let mut response = Response::new(Full::new(Bytes::from(own_body(&engine, 431))));
        *response.status_mut() = hyper::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
        let headers = response.headers_mut();
        headers.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        headers.insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
        return response;
    }
    let body = match read_body(&engine, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let query = parts
        .uri
        .query()
        .map(|q| form_urlencoded(q.as_bytes()))
        .unwrap_or_default();
    if let Some(reply) = super::admin::admin(
        &engine,
        parts.method.as_str(),
        parts.uri.path(),
        &query,
        &body,
    )
    .await
    {
        return render(&reply);
    }
    let incoming = Incoming {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query,
        headers: parts.headers,
        body,
    };
    if engine.runs_long(&incoming) {
        // A GraphQL document's execution is bounded by the schema's limits but not short:
        // it runs on the blocking pool, not on a runtime worker that other clients need.
        let spec_engine = Arc::clone(&engine);
        return match tokio::task::spawn_blocking(move || spec_engine.handle(&incoming)).await {
            Ok(reply) => render(&reply),
            Err(_) => render(&reply::error(
                &engine.core.spec,
                None,
                500,
                "the request could not be answered",
            )),
        };
    }
    render(&engine.handle(&incoming))
}

/// A request's body, read within the idle timeout and up to the body limit; else the answer
/// that refuses it (413 too large, 400 unreadable, 408 too slow).
async fn read_body(engine: &Engine, body: Body) -> Result<Bytes, Response<Full<Bytes>>> {
    let settings = &engine.core.settings;
    let collected = tokio::time::timeout(
        settings.idle_timeout,
        Limited::new(body, settings.body_limit).collect(),
    )
    .await;
    match collected {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) => {
            let reply = if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                reply::error(
                    &engine.core.spec,
                    None,
                    413,
                    &format!(
                        "the body is larger than the mock's limit of {} bytes",
                        settings.body_limit
                    ),
                )
            } else {
                reply::error(
                    &engine.core.spec,
                    None,
                    400,
                    &format!("the body could not be read: {error}"),
                )
            };
            Err(render(&reply))
        }
        Err(_) => {
            let reply = reply::error(
                &engine.core.spec,
                None,
                408,
                &format!(
                    "the body did not arrive within {} ms",
                    settings.idle_timeout.as_millis()
                ),
            );
            let mut response = render(&reply);
            response.headers_mut().insert(
                hyper::header::CONNECTION,
                hyper::header::HeaderValue::from_static("close"),
            );
            Err(response)
        }
    }
}

fn render(reply: &Reply) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(&reply.body).unwrap_or_default();
    let mut response = Response::builder()
        .status(reply.status)
        .header(hyper::header::CONTENT_TYPE, "application/json");
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    response
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"{}"))))
}

/// Binds 127.0.0.1 on `port` (0: the OS chooses).
pub async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    Ok((listener, address))
}
