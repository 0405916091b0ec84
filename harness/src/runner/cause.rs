//! Transport failures: a trial that failed because the target gave no answer (refused, reset,
//! timed out, or not asked any more once the target was unresponsive) says nothing about the
//! check, and a dead target makes every trial fail the same way. Such failures are told apart
//! by their cause, reported in full once, and counted in the summary.

/// Why a trial got no answer from its target, read from its failure report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportCause {
    /// The reason the (last) request got no answer, shortened to its kind and its innermost
    /// cause: `could not connect: Connection refused (os error 111)`, `timed out`.
    pub last: String,
    /// Whether the request was not even sent, the target being unresponsive already.
    pub unresponsive: bool,
}

impl TransportCause {
    /// The cause of a failure `report`, if it failed for want of an answer: the first
    /// `response: none (…)` line of the report.
    #[must_use]
    pub fn of(report: &str) -> Option<Self> {
        let line = report
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("response: none ("))?;
        let why = line.rsplit_once(')').map_or(line, |(why, _)| why);
        let (why, unresponsive) = match why
            .strip_prefix("target unresponsive: ")
            .and_then(|rest| rest.split_once("(last: "))
        {
            Some((_, last)) => (last.rsplit_once(')').map_or(last, |(l, _)| l), true),
            None => (why, false),
        };
        Some(Self {
            last: shorten(why),
            unresponsive,
        })
    }
}

impl std::fmt::Display for TransportCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "target unresponsive (last: {})", self.last)
    }
}

/// `kind: outer: ...: innermost` as `kind: innermost`.
fn shorten(why: &str) -> String {
    let parts: Vec<&str> = why.split(": ").collect();
    match parts.as_slice() {
        [kind, .., innermost] if parts.len() > 2 => format!("{kind}: {innermost}"),
        _ => why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_and_an_unresponsive_target_share_their_cause() {
        let refused = "documented-example: ...\nrequest: POST http://x/hook\nresponse: none (could not connect: client error (Connect): tcp connect error: Connection refused (os error 111))\n\nreproduce: x";
        let skipped = "redelivery: ...\n  response: none (target unresponsive: 3 requests in a row got no answer (last: could not connect: client error (Connect): tcp connect error: Connection refused (os error 111)); not sent)\n";
        let a = TransportCause::of(refused).unwrap();
        let b = TransportCause::of(skipped).unwrap();
        assert_eq!(
            a.last,
            "could not connect: Connection refused (os error 111)"
        );
        assert_eq!(a.last, b.last);
        assert!(!a.unresponsive && b.unresponsive);
        assert_eq!(
            b.to_string(),
            "target unresponsive (last: could not connect: Connection refused (os error 111))"
        );
        assert!(TransportCause::of("expected: a 2xx answer\nresponse: 500").is_none());
    }
}
