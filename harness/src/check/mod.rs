//! The check catalogue: each check is a named rule with its reason and the provider
//! documentation it comes from, one file per check. The runner turns each into trials named
//! `provider::check::subject`.

pub mod provider;
pub mod receiver;

/// What a check is and why it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// The check's name in trial names (`bad-signature`).
    pub id: &'static str,
    /// Why a receiver must pass it.
    pub reason: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
}

/// The largest answer a check reads by default (`--max-answer-bytes`): 1 MiB.
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 1 << 20;

/// Why an answer was not read whole: it is larger than the limit.
pub(crate) fn too_large(limit: usize) -> String {
    format!("the answer is larger than --max-answer-bytes ({limit} bytes); reading stopped there")
}

/// Reads an answer's body up to `limit` bytes: never holds more.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| receiver::describe(&e))? {
        if out.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Whether a target still answers. After [`Health::LIMIT`] requests in a row got no answer
/// (timed out, refused, reset), the requests that follow are not sent: they fail at once with
/// "target unresponsive", so that a dead or hanging target gets its verdict in seconds, not
/// one timeout per request. Any answer resets the count.
#[derive(Debug, Default)]
pub struct Health {
    failures: std::sync::atomic::AtomicU32,
    last: std::sync::Mutex<String>,
}

impl Health {
    /// Requests in a row without an answer after which the target is unresponsive.
    pub const LIMIT: u32 = 3;

    /// Notes how a request ended: `None` answered, `Some(why)` no answer.
    pub fn observe(&self, failure: Option<&str>) {
        use std::sync::atomic::Ordering;
        match failure {
            None => self.failures.store(0, Ordering::Relaxed),
            Some(why) => {
                *self
                    .last
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = why.to_string();
                self.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Why the next request is not sent, if the target is unresponsive.
    #[must_use]
    pub fn unresponsive(&self) -> Option<String> {
        let failures = self.failures.load(std::sync::atomic::Ordering::Relaxed);
        (failures >= Self::LIMIT).then(|| {
            let last = self
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            format!(
                "target unresponsive: {failures} requests in a row got no answer (last: {last}); not sent"
            )
        })
    }
}

/// The pre-flight of a run against an external target: a TCP connection to the host and port
/// of `url`, within `timeout`. `Err` says, in one line, why the target cannot be reached, so
/// that a run against a target that is down fails at once instead of once per trial.
///
/// # Errors
///
/// The URL has no host, the host does not resolve, or no address accepts a connection in
/// time.
pub async fn reachable(url: &str, timeout: std::time::Duration) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("`{url}` names no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| format!("`{url}` names no port"))?;
    let attempt = async {
        let addresses = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("`{host}` does not resolve ({e})"))?;
        let mut last = format!("`{host}` resolves to no address");
        for address in addresses {
            match tokio::net::TcpStream::connect(address).await {
                Ok(_) => return Ok(()),
                Err(e) => last = format!("could not connect to {address} ({e})"),
            }
        }
        Err(last)
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "could not connect to {host}:{port} within {:.1} s",
            timeout.as_secs_f64()
        )),
    }
}

/// The start of `text`, at most `limit` bytes (cut at a character boundary), saying how much
/// was left out.
pub(crate) fn excerpt(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}
