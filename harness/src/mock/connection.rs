//! One client connection: its socket watched for the mock's time limits, and the rewrite of
//! the answers hyper writes on its own (a request line or headers too large, a request that is
//! not HTTP/1.1) into JSON in the provider's error shape.
//!
//! The limits: a connection waiting for a request closes after the idle timeout; a request
//! whose headers started arriving closes it unless they are complete within the header
//! timeout. A request being answered is never cut by either.

use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// The time limits of a connection.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// From the first byte of a request to the end of its headers.
    pub(super) header: Duration,
    /// Between requests (and before the first one).
    pub(super) idle: Duration,
}

#[derive(Debug)]
struct Phase {
    /// Requests being answered.
    in_flight: usize,
    /// When the connection last became idle (opened, or a request answered).
    idle_since: Instant,
    /// When the first byte of the next request arrived, if one has.
    head_since: Option<Instant>,
}

/// What the connection is doing, shared by its socket, its service and its watchdog.
#[derive(Debug)]
pub(super) struct Activity(Mutex<Phase>);

impl Activity {
    pub(super) fn new() -> Self {
        Self(Mutex::new(Phase {
            in_flight: 0,
            idle_since: Instant::now(),
            head_since: None,
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A request starts being answered (its headers are in).
    pub(super) fn begin(&self) {
        let mut phase = self.lock();
        phase.in_flight += 1;
        phase.head_since = None;
    }

    /// A request has been answered.
    pub(super) fn end(&self) {
        let mut phase = self.lock();
        phase.in_flight = phase.in_flight.saturating_sub(1);
        phase.idle_since = Instant::now();
        phase.head_since = None;
    }

    fn read_some(&self) {
        let mut phase = self.lock();
        if phase.in_flight == 0 && phase.head_since.is_none() {
            phase.head_since = Some(Instant::now());
        }
    }

    /// When the connection is due to close if nothing changes (`None`: a request is being
    /// answered).
    pub(super) fn deadline(&self, limits: Limits) -> Option<Instant> {
        let phase = self.lock();
        if phase.in_flight > 0 {
            return None;
        }
        Some(match phase.head_since {
            Some(since) => (since + limits.header).min(phase.idle_since + limits.idle),
            None => phase.idle_since + limits.idle,
        })
    }
}

/// Ends a request's activity when dropped (also when the request's future is cancelled).
pub(super) struct InFlight<'a>(pub(super) &'a Activity);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// The client's socket, as hyper sees it: reads mark activity, and an answer hyper writes on
/// its own (an empty 4xx/5xx for a request it could not parse) is replaced by `rewrite`'s.
pub(super) struct Watched<R> {
    stream: TcpStream,
    activity: std::sync::Arc<Activity>,
    rewrite: R,
    /// Bytes of a replacement answer not yet written.
    pending: Vec<u8>,
}

impl<R: Fn(u16) -> Vec<u8>> Watched<R> {
    pub(super) fn new(stream: TcpStream, activity: std::sync::Arc<Activity>, rewrite: R) -> Self {
        Self {
            stream,
            activity,
            rewrite,
            pending: Vec::new(),
        }
    }

    /// Writes what is left of a replacement answer; ready when all of it is written.
    fn flush_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let n = std::task::ready!(Pin::new(&mut self.stream).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

/// The status of an answer hyper wrote by itself: a response head with an empty body, which
/// the mock's own answers never are (they always carry JSON).
fn own_answer(buf: &[u8]) -> Option<u16> {
    let head = buf.strip_prefix(b"HTTP/1.1 ")?;
    let status: u16 = std::str::from_utf8(head.get(..3)?).ok()?.parse().ok()?;
    let text = String::from_utf8_lossy(buf).to_ascii_lowercase();
    (status >= 400 && text.ends_with("\r\n\r\n") && text.contains("\r\ncontent-length: 0\r\n"))
        .then_some(status)
}

impl<R: Fn(u16) -> Vec<u8> + Unpin> AsyncRead for Watched<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read_some();
        }
        polled
    }
}

impl<R: Fn(u16) -> Vec<u8> + Unpin> AsyncWrite for Watched<R> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        std::task::ready!(self.flush_pending(cx))?;
        if let Some(status) = own_answer(buf) {
            self.pending = (self.rewrite)(status);
            // Written as far as hyper knows; the replacement goes out now or on the next poll.
            let _ = self.flush_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.flush_pending(cx))?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.flush_pending(cx))?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_empty_error_answers_are_hypers_own() {
        let date = "date: Mon, 07 Dec 2026 07:00:00 GMT\r\n";
        let own = format!(
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n{date}\r\n"
        );
        assert_eq!(own_answer(own.as_bytes()), Some(431));
        let ours = format!(
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n{date}\r\n{{}}"
        );
        assert_eq!(own_answer(ours.as_bytes()), None);
        let fine = format!("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n{date}\r\n");
        assert_eq!(own_answer(fine.as_bytes()), None);
    }

    #[test]
    fn deadlines_follow_the_phase() {
        let limits = Limits {
            header: Duration::from_millis(200),
            idle: Duration::from_secs(60),
        };
        let activity = Activity::new();
        let idle = activity.deadline(limits).unwrap();
        activity.read_some();
        let head = activity.deadline(limits).unwrap();
        assert!(head < idle);
        activity.begin();
        assert_eq!(activity.deadline(limits), None);
        activity.end();
        assert!(activity.deadline(limits).unwrap() >= idle);
    }
}
