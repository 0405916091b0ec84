//! The HTTP side: a hyper server on 127.0.0.1 that turns requests into `Incoming`s for the
//! pipeline, with a body size limit, and shuts down cleanly.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::engine::Engine;
use super::form::form_urlencoded;
use super::pipeline::Incoming;
use super::reply::{self, Reply};

/// Serves `engine` on `listener` until `shutdown` turns true; open connections finish their
/// current request.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let engine = Arc::clone(&engine);
                let service = service_fn(move |request| {
                    let engine = Arc::clone(&engine);
                    async move { Ok::<_, Infallible>(answer(&engine, request).await) }
                });
                let connection = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    // Give open connections a moment to finish what they are doing.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await;
}

async fn answer(engine: &Engine, request: Request<Body>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, engine.core.settings.body_limit)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
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
                        engine.core.settings.body_limit
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
            return render(&reply);
        }
    };
    if let Some(reply) =
        super::emit::admin(engine, parts.method.as_str(), parts.uri.path(), &body).await
    {
        return render(&reply);
    }
    let incoming = Incoming {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts
            .uri
            .query()
            .map(|q| form_urlencoded(q.as_bytes()))
            .unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    render(&engine.handle(&incoming))
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
