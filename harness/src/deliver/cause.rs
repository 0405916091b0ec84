//! Why a delivery got no answer, in words a receiver's author acts on: the cause first
//! (`connection refused`, `connection reset`, `timed out`, `host not found`, `TLS`), then the
//! client's chain of errors.

use std::io::ErrorKind;

/// The cause of `error` first, then its chain of messages.
pub(super) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let chain = chain(error);
    format!("{}: {chain}", cause(error, &chain))
}

/// Every message of the chain, each once.
fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

fn cause(error: &(dyn std::error::Error + 'static), chain: &str) -> &'static str {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            match io.kind() {
                ErrorKind::ConnectionRefused => return "connection refused",
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe => {
                    return "connection reset";
                }
                ErrorKind::TimedOut => return "timed out",
                _ => {}
            }
        }
        if let Some(hyper) = current.downcast_ref::<hyper::Error>()
            && hyper.is_incomplete_message()
        {
            return "connection reset (closed before a complete answer)";
        }
        next = current.source();
    }
    let lower = chain.to_ascii_lowercase();
    if lower.contains("scheme is not http")
        || lower.contains("tls")
        || lower.contains("certificate")
    {
        "TLS (the mock's deliveries speak plain http:// only; an https:// receiver cannot be reached)"
    } else if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service")
    {
        "host not found"
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "timed out"
    } else if lower.contains("reset") {
        "connection reset"
    } else if lower.contains("refused") {
        "connection refused"
    } else {
        "no answer"
    }
}
