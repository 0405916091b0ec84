//! The conformance runner as a user runs it: the embedded default (every built-in spec against
//! its reference receiver) as a subprocess of this executable, timed from outside, with the
//! rate each mode prints on its summary line.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::{cell, num, process};

/// Generated payloads per event in the measured run.
pub const CASES: u32 = 256;
/// The longest the embedded default may take before it is stopped.
const LIMIT: Duration = Duration::from_secs(180);

/// One `conformance MODE: N requests in X s (R requests/s)` line; what may follow the rate
/// inside the parentheses (`; 15 trials, 0.56 s of trial time`) is kept as `detail`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub mode: String,
    pub requests: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub detail: String,
}

/// Parses a summary line; `None` for any other line.
pub fn parse_summary(line: &str) -> Option<Summary> {
    let rest = line.trim().strip_prefix("conformance ")?;
    let (mode, rest) = rest.split_once(": ")?;
    let (requests, rest) = rest.split_once(" requests in ")?;
    let (seconds, rest) = rest.split_once(" s (")?;
    let (per_second, rest) = rest.strip_suffix(')')?.split_once(" requests/s")?;
    let detail = match rest.strip_prefix(';') {
        Some(detail) => detail.trim(),
        None if rest.is_empty() => "",
        None => return None,
    };
    if mode.is_empty() || mode.contains(char::is_whitespace) {
        return None;
    }
    Some(Summary {
        mode: mode.to_string(),
        requests: requests.trim().parse().ok()?,
        seconds: seconds.trim().parse().ok()?,
        per_second: per_second.trim().parse().ok()?,
        detail: detail.to_string(),
    })
}

/// Every summary line of an output, in order.
pub fn summaries(stdout: &str) -> Vec<Summary> {
    stdout.lines().filter_map(parse_summary).collect()
}

/// Runs `exe conformance --cases 256 --no-snapshots` from `repo`; one row per mode that
/// printed its summary line (receiver; provider once the embedded default has it), or one
/// error row.
pub fn run(exe: &Path, repo: &Path) -> Vec<Value> {
    let cases = CASES.to_string();
    let finished = process::run(
        Command::new(exe)
            .args(["conformance", "--cases", &cases, "--no-snapshots"])
            .current_dir(repo),
        LIMIT,
    );
    let command = format!("cargo xtask conformance --cases {CASES} --no-snapshots");
    let finished = match finished {
        Ok(finished) => finished,
        Err(error) => return vec![error_row(&command, &error)],
    };
    let wall = finished.wall.as_secs_f64();
    if !finished.status.success() {
        return vec![error_row(
            &command,
            &format!("exit {}: {}", finished.status, finished.tail(3)),
        )];
    }
    let found = summaries(&finished.stdout);
    if found.is_empty() {
        return vec![error_row(
            &command,
            "exit 0 but no `conformance MODE: N requests in X s` line",
        )];
    }
    found
        .into_iter()
        .map(|s| {
            json!({
                "command": command,
                "mode": s.mode,
                "requests": s.requests,
                "seconds": s.seconds,
                "requests_per_second": s.per_second,
                "detail": s.detail,
                "process_wall_seconds": (wall * 100.0).round() / 100.0,
            })
        })
        .collect()
}

fn error_row(command: &str, error: &str) -> Value {
    json!({"command": command, "mode": "embedded default", "error": error})
}

/// The Markdown table of the rows.
pub fn table(rows: &[Value]) -> String {
    let body = super::markdown(
        &[
            "mode",
            "requests:",
            "seconds:",
            "requests/s:",
            "process wall s:",
            "detail",
        ],
        rows.iter().map(|row| {
            let mode = cell(row["mode"].as_str().unwrap_or_default());
            match row["error"].as_str() {
                Some(error) => vec![mode, format!("error: {}", cell(error))],
                None => vec![
                    mode,
                    num(&row["requests"]),
                    num(&row["seconds"]),
                    num(&row["requests_per_second"]),
                    num(&row["process_wall_seconds"]),
                    cell(row["detail"].as_str().unwrap_or_default()),
                ],
            }
        }),
    );
    format!(
        "## Conformance (embedded default, `--cases {CASES} --no-snapshots`, a subprocess)\n\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_receiver_line() {
        let line = "conformance receiver: 4297 requests in 0.47 s (9121 requests/s)";
        assert_eq!(
            parse_summary(line),
            Some(Summary {
                mode: "receiver".into(),
                requests: 4297,
                seconds: 0.47,
                per_second: 9121.0,
                detail: String::new(),
            })
        );
    }

    #[test]
    fn parses_the_provider_line_among_others() {
        let out = "test a ... ok\n\ntest result: ok. 1 passed\n\
                   conformance receiver: 10 requests in 1.00 s (10 requests/s)\n\
                   conformance provider: 812 requests in 2.50 s (325 requests/s; 15 trials, 0.56 s of trial time)\n";
        let found = summaries(out);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].mode, "provider");
        assert_eq!(found[1].requests, 812);
        assert!((found[1].seconds - 2.5).abs() < 1e-9);
        assert_eq!(found[1].detail, "15 trials, 0.56 s of trial time");
    }

    #[test]
    fn other_lines_are_not_summaries() {
        for line in [
            "",
            "conformance receiver: many requests in 1 s (2 requests/s)",
            "conformance receiver: 1 requests in 1 s",
            "conformance receiver: 1 requests in 1 s (1 requests/s) and more",
            "conformance receiver: 1 requests in 1 s (1 requests/second)",
            "test result: ok. 143 passed; 0 failed",
            "conformance two words: 1 requests in 1 s (1 requests/s)",
        ] {
            assert_eq!(parse_summary(line), None, "{line}");
        }
    }
}
