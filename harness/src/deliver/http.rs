//! The HTTP side of deliveries: one POST to a receiver, over a pooled keep-alive hyper client,
//! with a time limit on the whole exchange and a bounded read of the answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// What one POST got: the status and the start of the answer, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    /// The status, if an answer came.
    pub(super) status: Option<u16>,
    /// The first bytes of the answer's body.
    pub(super) excerpt: Option<String>,
    /// Why no answer came, with its cause (refused, reset, timed out, invalid header...).
    pub(super) error: Option<String>,
}

impl Answer {
    fn failed(error: String) -> Self {
        Self {
            status: None,
            excerpt: None,
            error: Some(error),
        }
    }
}

/// Sends deliveries: keep-alive connections per receiver, a time limit per exchange.
#[derive(Debug, Clone)]
pub(super) struct Poster {
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
    method: hyper::Method,
    /// Targets already read as URLs (a subscription's URL is posted to again and again).
    uris: Arc<Mutex<HashMap<String, Result<hyper::Uri, String>>>>,
}

/// How many targets [`Poster`] remembers before it starts again.
const URIS: usize = 4096;

impl Poster {
    /// A poster whose exchanges (connect included) end after `timeout`.
    pub(super) fn new(method: &str, timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout.min(Duration::from_secs(5))));
        connector.set_nodelay(true);
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout,
            method: method.parse().unwrap_or(hyper::Method::POST),
            uris: Arc::default(),
        }
    }

    /// `target` read as the mock's target rule read it (WHATWG rules, `url` crate), in its
    /// normalised form: what was judged is what is reached.
    fn uri(&self, target: &str) -> Result<hyper::Uri, String> {
        let mut uris = self
            .uris
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(uri) = uris.get(target) {
            return uri.clone();
        }
        let uri = url::Url::parse(target)
            .map_err(|e| e.to_string())
            .and_then(|url| {
                url.as_str()
                    .parse()
                    .map_err(|e: hyper::http::uri::InvalidUri| e.to_string())
            });
        if uris.len() >= URIS {
            uris.clear();
        }
        uris.insert(target.to_string(), uri.clone());
        uri
    }

    /// POSTs `body` with `headers` to `target`, keeping at most `keep` bytes of the answer
    /// (the rest is not read).
    pub(super) async fn post(
        &self,
        target: &str,
        headers: &[(String, String)],
        body: Bytes,
        keep: usize,
    ) -> Answer {
        let uri = match self.uri(target) {
            Ok(uri) => uri,
            Err(error) => return Answer::failed(format!("`{target}` is not a URL: {error}")),
        };
        let mut request = hyper::Request::builder()
            .method(self.method.clone())
            .uri(uri);
        for (name, value) in headers {
            let Ok(header) = hyper::header::HeaderName::from_bytes(name.as_bytes()) else {
                return Answer::failed(format!("invalid header name `{name}` (not sent)"));
            };
            let Ok(value) = hyper::header::HeaderValue::from_str(value) else {
                return Answer::failed(format!("invalid header value for `{name}` (not sent)"));
            };
            request = request.header(header, value);
        }
        let request = match request.body(Full::new(body)) {
            Ok(request) => request,
            Err(error) => return Answer::failed(format!("invalid request (not sent): {error}")),
        };
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| super::cause::describe(&e))?;
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut start = Vec::new();
            while start.len() < keep {
                match body.frame().await {
                    Some(Ok(frame)) => {
                        if let Some(data) = frame.data_ref() {
                            start.extend_from_slice(data);
                        }
                    }
                    _ => break,
                }
            }
            start.truncate(keep);
            Ok::<_, String>((status, String::from_utf8_lossy(&start).into_owned()))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok((status, excerpt))) => Answer {
                status: Some(status),
                excerpt: Some(excerpt),
                error: None,
            },
            Ok(Err(error)) => Answer::failed(error),
            Err(_) => Answer::failed(format!(
                "timed out: no complete answer within {} ms",
                self.timeout.as_millis()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_says_so() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let poster = Poster::new("POST", Duration::from_secs(2));
        let answer = poster
            .post(&format!("http://{closed}/hook"), &[], Bytes::new(), 16)
            .await;
        let error = answer.error.unwrap();
        assert!(error.starts_with("connection refused: "), "{error}");
        let answer = poster
            .post(
                "http://127.0.0.1:9/x",
                &[("x".into(), "bad\nvalue".into())],
                Bytes::new(),
                16,
            )
            .await;
        assert!(
            answer
                .error
                .unwrap()
                .contains("invalid header value for `x`")
        );
    }

    /// A receiver that reads the request, then does `then` with the connection.
    async fn receiver(then: fn(tokio::net::TcpStream)) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await;
                then(stream);
            }
        });
        address
    }

    #[tokio::test]
    async fn each_failure_names_its_cause() {
        let poster = Poster::new("POST", Duration::from_millis(300));
        let reset = receiver(|stream| {
            // Linger 0: closing sends a reset, not an orderly end.
            let _ = stream.set_zero_linger();
            drop(stream);
        })
        .await;
        let answer = poster
            .post(&format!("http://{reset}/h"), &[], Bytes::new(), 16)
            .await;
        let error = answer.error.unwrap();
        assert!(error.starts_with("connection reset"), "{error}");

        let silent = receiver(|stream| {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                drop(stream);
            });
        })
        .await;
        let answer = poster
            .post(&format!("http://{silent}/h"), &[], Bytes::new(), 16)
            .await;
        let error = answer.error.unwrap();
        assert!(error.starts_with("timed out"), "{error}");

        let answer = poster
            .post("https://127.0.0.1:9/h", &[], Bytes::new(), 16)
            .await;
        let error = answer.error.unwrap();
        assert!(error.starts_with("TLS"), "{error}");

        let answer = poster
            .post(
                "http://127.0.0.1:9/h",
                &[("bad name".into(), "v".into())],
                Bytes::new(),
                16,
            )
            .await;
        assert_eq!(
            answer.error.unwrap(),
            "invalid header name `bad name` (not sent)"
        );
    }
}
