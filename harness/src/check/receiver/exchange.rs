//! One request to the receiver and its answer: sent with reqwest (lower-case or title-case
//! header names) or over a hand-written HTTP/1.1 connection (header names exactly as given),
//! every read bounded and timed out; rendered for failure reports and transcripts.

use std::time::{SystemTime, UNIX_EPOCH};

use super::Probe;
use crate::check::excerpt;
use crate::redact::Redactor;

/// One exchange with the target, kept for the failure report.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Request headers sent.
    pub headers: Vec<(String, String)>,
    /// Request body sent.
    pub body: Vec<u8>,
    /// The status answered, if any.
    pub status: Option<u16>,
    /// The answer's headers.
    pub response_headers: Vec<(String, String)>,
    /// The first bytes of the answer.
    pub response_body: String,
    /// Why no answer came.
    pub error: Option<String>,
}

impl Exchange {
    /// Whether the answer is a 2xx.
    #[must_use]
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The exchange as a transcript keeps it: the same for two runs with the same seed (the
    /// target's URL, the signature header's value and the reason a connection failed left
    /// out).
    #[must_use]
    pub fn transcript(&self, method: &str, redactor: &Redactor) -> String {
        let mut out = format!("{method} {{target}}\n");
        for (name, value) in &self.headers {
            out.push_str(&format!("  {name}: {}\n", redactor.header(name, value)));
        }
        // Payloads that echo the subscription hold the target's URL, whose port changes.
        let body = redactor.text(&String::from_utf8_lossy(&self.body));
        out.push_str(&format!(
            "  {}\n",
            crate::transcript::body_line(body.as_bytes())
        ));
        match (&self.status, &self.error) {
            (Some(status), _) => out.push_str(&format!("-> {status}\n")),
            (None, Some(error)) => {
                let kind = error.split(':').next().unwrap_or_default();
                out.push_str(&format!("-> no answer ({kind})\n"));
            }
            (None, None) => out.push_str("-> no answer\n"),
        }
        out
    }

    /// The request and the answer, as a failure report shows them.
    #[must_use]
    pub fn render(&self, method: &str, url: &str) -> String {
        let mut out = format!("request: {method} {url}\n");
        for (name, value) in &self.headers {
            out.push_str(&format!("  {name}: {value}\n"));
        }
        let body = String::from_utf8_lossy(&self.body);
        out.push_str(&format!(
            "  body ({} bytes): {}\n",
            self.body.len(),
            excerpt(&body, 2048)
        ));
        match (&self.status, &self.error) {
            (Some(status), _) => {
                out.push_str(&format!("response: {status}\n"));
                for (name, value) in &self.response_headers {
                    out.push_str(&format!("  {name}: {value}\n"));
                }
                out.push_str(&format!("  body: {}\n", excerpt(&self.response_body, 512)));
            }
            (None, Some(error)) => out.push_str(&format!("response: none ({error})\n")),
            (None, None) => out.push_str("response: none\n"),
        }
        out
    }
}

/// The time now, in Unix seconds: when a delivery is signed.
#[must_use]
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

/// What went wrong when no answer came: the kind first, then reqwest's chain of causes.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "no valid HTTP answer"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    if causes.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", causes.join(": "))
    }
}

impl Exchange {
    /// A request that was not sent, for `why`.
    fn unanswered(headers: &[(String, String)], body: &[u8], why: String) -> Self {
        Self {
            headers: headers.to_vec(),
            body: body.to_vec(),
            status: None,
            response_headers: Vec::new(),
            response_body: String::new(),
            error: Some(why),
        }
    }
}

impl Probe {
    /// Notes whether the target answered, for [`crate::check::Health`] (an answer too large
    /// to read is an answer).
    fn observe(&self, status: Option<u16>, error: Option<&str>) {
        self.health.observe(match (status, error) {
            (None, Some(why)) if !why.contains("--max-answer-bytes") => Some(why),
            _ => None,
        });
    }

    /// One request to the target with `client`, not recorded.
    pub(super) fn exchange(
        &self,
        client: &reqwest::Client,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Exchange {
        if let Some(why) = self.health.unresponsive() {
            return Exchange::unanswered(headers, body, why);
        }
        let mut request = client.request(
            self.spec
                .delivery
                .method
                .parse()
                .unwrap_or(reqwest::Method::POST),
            &self.settings.target,
        );
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = request.body(body.to_vec());
        let limit = self.max_answer_bytes;
        let (status, response_headers, response_body, error) = self.runtime.block_on(async move {
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response
                        .headers()
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("<binary>").to_string()))
                        .collect();
                    match crate::check::read_capped(response, limit).await {
                        Ok(bytes) => (
                            Some(status),
                            headers,
                            String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned(),
                            None,
                        ),
                        Err(error) => (None, headers, String::new(), Some(error)),
                    }
                }
                Err(error) => (None, Vec::new(), String::new(), Some(describe(&error))),
            }
        });
        self.observe(status, error.as_deref());
        Exchange {
            headers: headers.to_vec(),
            body: body.to_vec(),
            status,
            response_headers,
            response_body,
            error,
        }
    }

    /// One request over a plain HTTP/1.1 connection written by hand, not recorded; `None` for
    /// an `https://` target.
    pub(super) fn exchange_verbatim(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Option<Exchange> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let url = reqwest::Url::parse(&self.settings.target).ok()?;
        if url.scheme() != "http" {
            return None;
        }
        let host = url.host_str()?.to_string();
        let port = url.port_or_known_default()?;
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        let mut request = format!(
            "{} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n",
            self.spec.delivery.method
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        if let Some(why) = self.health.unresponsive() {
            return Some(Exchange::unanswered(headers, body, why));
        }
        let timeout = self.settings.timeout;
        // The status line and headers, plus the body up to the limit.
        let limit = self.max_answer_bytes.saturating_add(64 * 1024);
        let outcome = self.runtime.block_on(async move {
            let exchange = async {
                let mut stream = tokio::net::TcpStream::connect((host.as_str(), port))
                    .await
                    .map_err(|e| format!("could not connect: {e}"))?;
                stream
                    .write_all(&bytes)
                    .await
                    .map_err(|e| format!("no valid HTTP answer: {e}"))?;
                let mut answer = Vec::new();
                (&mut stream)
                    .take(limit as u64 + 1)
                    .read_to_end(&mut answer)
                    .await
                    .map_err(|e| format!("no valid HTTP answer: {e}"))?;
                if answer.len() > limit {
                    return Err(crate::check::too_large(limit));
                }
                Ok::<_, String>(answer)
            };
            tokio::time::timeout(timeout, exchange)
                .await
                .unwrap_or_else(|_| Err("timed out".to_string()))
        });
        let (status, response_body, error) = match outcome {
            Ok(answer) => {
                let text = String::from_utf8_lossy(&answer).into_owned();
                let status = text
                    .lines()
                    .next()
                    .and_then(|line| line.split_whitespace().nth(1))
                    .and_then(|code| code.parse::<u16>().ok());
                let body = text
                    .split_once("\r\n\r\n")
                    .map(|(_, b)| b.chars().take(4096).collect())
                    .unwrap_or_default();
                match status {
                    Some(status) => (Some(status), body, None),
                    None => (
                        None,
                        String::new(),
                        Some("no valid HTTP answer".to_string()),
                    ),
                }
            }
            Err(error) => (None, String::new(), Some(error)),
        };
        self.observe(status, error.as_deref());
        Some(Exchange {
            headers: headers.to_vec(),
            body: body.to_vec(),
            status,
            response_headers: Vec::new(),
            response_body,
            error,
        })
    }
}
