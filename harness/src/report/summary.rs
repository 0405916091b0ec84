//! The console summary of a conformance run: one line per mode that ran, with the requests it
//! made, the rate, and its trials.

use std::time::Duration;

use crate::runner::{Journal, Status};

/// The summary lines of a run that took `elapsed`:
/// `conformance receiver: N requests in X s (R requests/s; T trials, Y s of trial time)`.
#[must_use]
pub fn summary(journal: &Journal, elapsed: Duration) -> Vec<String> {
    let records = journal.records();
    let mut lines = Vec::new();
    for kind in ["receiver", "provider"] {
        let of_kind: Vec<_> = records.iter().filter(|r| r.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        let requests: usize = of_kind.iter().map(|r| r.exchanges).sum();
        let busy: f64 = of_kind.iter().map(|r| r.duration.as_secs_f64()).sum();
        let warned = of_kind
            .iter()
            .filter(|r| matches!(r.status, Status::Warned(_)))
            .count();
        let warnings = match warned {
            0 => String::new(),
            1 => "; 1 warning on assumptions (`--strict` fails it)".to_string(),
            n => format!("; {n} warnings on assumptions (`--strict` fails them)"),
        };
        lines.push(format!(
            "conformance {kind}: {requests} requests in {:.2} s ({:.0} requests/s; {} trials, {busy:.2} s of trial time{warnings})",
            elapsed.as_secs_f64(),
            requests as f64 / elapsed.as_secs_f64().max(1e-9),
            of_kind.len(),
        ));
    }
    for (cause, count) in journal.transport_failures() {
        let trials = if count == 1 { "trial" } else { "trials" };
        lines.push(if cause.unresponsive {
            format!("{count} {trials} failed: {cause}")
        } else {
            format!("{count} {trials} failed: no answer ({})", cause.last)
        });
    }
    match journal.snapshot_failures() {
        (0, 0) => {}
        (new, changed) => lines.push(match new + changed {
            1 => format!(
                "1 trial failed on its transcript alone ({new} without a snapshot yet, {changed} changed): review it, then run again"
            ),
            n => format!(
                "{n} trials failed on their transcripts alone ({new} without a snapshot yet, {changed} changed): review them, then run again"
            ),
        }),
    }
    lines.extend(
        journal
            .hints()
            .into_iter()
            .map(|hint| format!("hint: {hint}")),
    );
    lines
}
