//! Our provider mode against Schemathesis: both test the swsh API of our standalone mock (a
//! fresh one each, so neither sees the other's subscriptions) with the same number of cases
//! per operation; the rate is test cases (one API call each) per second of the tool's own run.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::super::conformance::summaries;
use super::super::process;
use super::install::Venv;
use super::standalone_mock;

/// The longest either tool may take.
const LIMIT: Duration = Duration::from_secs(180);

/// What Schemathesis printed about its run.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Test cases generated (each one API call).
    pub cases: u64,
    /// The duration on its closing line.
    pub seconds: f64,
}

/// Reads `Test cases:` / `N generated, ...` and the closing `=== ... in 11.85s ===` line of
/// `schemathesis run`.
pub fn parse_report(stdout: &str) -> Option<Report> {
    let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
    let at = lines.iter().position(|l| *l == "Test cases:")?;
    let cases = lines
        .get(at + 1)?
        .split_once(" generated")?
        .0
        .trim()
        .parse()
        .ok()?;
    let seconds = lines
        .iter()
        .rev()
        .filter(|l| l.starts_with('=') && l.ends_with('='))
        .find_map(|l| {
            let inner = l.trim_matches('=').trim();
            let (_, tail) = inner.rsplit_once(" in ")?;
            tail.strip_suffix('s')?.parse::<f64>().ok()
        })?;
    Some(Report { cases, seconds })
}

/// Both runs; one row each.
pub fn run(
    exe: &Path,
    repo: &Path,
    work: &Path,
    venv: Result<&Venv, &String>,
    cases: u32,
) -> Vec<Value> {
    let spec = repo.join("specs/swsh.yaml");
    eprintln!("peers: Schemathesis on our swsh mock ({cases} examples per operation)");
    let theirs = match venv {
        Ok(venv) => schemathesis(venv, &spec, exe, repo, work, cases),
        Err(_) => Err(super::NOT_INSTALLED.to_string()),
    };
    let theirs_row = match theirs {
        Ok(row) => row,
        Err(error) => json!({"tool": "Schemathesis", "error": error}),
    };
    eprintln!("peers: our provider mode on our swsh mock (--cases {cases})");
    let ours_row = match provider_mode(exe, repo, cases) {
        Ok(row) => row,
        Err(error) => json!({"tool": "ours (conformance provider)", "error": error}),
    };
    vec![ours_row, theirs_row]
}

fn schemathesis(
    venv: &Venv,
    spec: &Path,
    exe: &Path,
    repo: &Path,
    work: &Path,
    cases: u32,
) -> Result<Value, String> {
    let (_server, mock) = standalone_mock(exe, repo, "swsh")?;
    let key = mock.secret("tenant-a", "ApiKeyAuth")?;
    std::fs::create_dir_all(work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let done = process::run(
        Command::new(&venv.schemathesis)
            .arg("run")
            .arg(spec)
            .args(["--url", &mock.uri, "-H", &format!("x-api-key: {key}")])
            .args(["--max-examples", &cases.to_string(), "--seed", "1"])
            .env("NO_COLOR", "1")
            .current_dir(work),
        LIMIT,
    )?;
    let command = format!(
        "schemathesis run specs/swsh.yaml --url <mock> -H 'x-api-key: <tenant-a>' --max-examples {cases} --seed 1"
    );
    let Some(report) = parse_report(&done.stdout) else {
        return Err(format!(
            "no test case count in its output ({}): {}",
            done.status,
            done.tail(3)
        ));
    };
    // Exit 1 means it found failures; the run still counts, and the note says so.
    let note = if done.status.success() {
        "all passed".to_string()
    } else {
        format!("{} (it reported failures)", done.status)
    };
    Ok(json!({
        "tool": "Schemathesis",
        "command": command,
        "cases": report.cases,
        "seconds": report.seconds,
        "cases_per_second": super::rate(report.cases as f64 / report.seconds.max(1e-9)),
        "wall_seconds": (done.wall.as_secs_f64() * 100.0).round() / 100.0,
        "note": note,
    }))
}

/// `conformance provider` against a fresh mock; the rate from its summary line.
fn provider_mode(exe: &Path, repo: &Path, cases: u32) -> Result<Value, String> {
    let help = process::run(
        Command::new(exe)
            .args(["conformance", "provider", "--help"])
            .current_dir(repo),
        Duration::from_secs(30),
    )?;
    if !help.status.success() {
        return Err(
            "provider mode unavailable (`cargo xtask conformance provider` is not there yet)"
                .into(),
        );
    }
    let (_server, mock) = standalone_mock(exe, repo, "swsh")?;
    let mut command = Command::new(exe);
    command
        .args(["conformance", "provider", "--spec", "swsh", "--target"])
        .arg(&mock.uri)
        .args(["--cases", &cases.to_string(), "--no-snapshots"]);
    let mut shown = format!(
        "cargo xtask conformance provider --spec swsh --target <mock> --cases {cases} --no-snapshots"
    );
    // Where the mode takes credentials, it gets the mock's, as Schemathesis does.
    if help.stdout.contains("--credential") {
        for tenant in ["tenant-a", "tenant-b"] {
            let key = mock.secret(tenant, "ApiKeyAuth")?;
            command.args(["--credential", &format!("ApiKeyAuth={key}@{tenant}")]);
        }
        shown.push_str(" --credential ApiKeyAuth=<tenant-a>@tenant-a --credential ApiKeyAuth=<tenant-b>@tenant-b");
    }
    let done = process::run(command.current_dir(repo), LIMIT)?;
    if done.status.code() == Some(2) {
        return Err(format!("provider mode unavailable: {}", done.tail(2)));
    }
    let summary = summaries(&done.stdout)
        .into_iter()
        .find(|s| s.mode == "provider")
        .ok_or_else(|| {
            format!(
                "no `conformance provider: ...` line ({}): {}",
                done.status,
                done.tail(3)
            )
        })?;
    let mut note = if done.status.success() {
        "all passed".to_string()
    } else {
        format!("{} (some trials failed)", done.status)
    };
    if !summary.detail.is_empty() {
        note = format!("{note}; {}", summary.detail);
    }
    Ok(json!({
        "tool": "ours (conformance provider)",
        "command": shown,
        "cases": summary.requests,
        "seconds": summary.seconds,
        "cases_per_second": summary.per_second,
        "wall_seconds": (done.wall.as_secs_f64() * 100.0).round() / 100.0,
        "note": note,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "Schemathesis v4.32.5
━━━━━━━━━━━━━━━━━━━━

 ✅  Fuzzing (in 1.26s)

     ✅ 4 passed

=================================== SUMMARY ====================================

API Operations:
  Selected: 4/4
  Tested: 4

Test cases:
  988 generated, 988 passed, 6 skipped

Seed: 1

============================= 1 warning in 11.85s ==============================
";

    #[test]
    fn reads_cases_and_seconds() {
        assert_eq!(
            parse_report(OUTPUT),
            Some(Report {
                cases: 988,
                seconds: 11.85,
            })
        );
    }

    #[test]
    fn reads_a_run_with_failures() {
        let out = "Test cases:\n  40 generated, 37 passed, 3 failed\n\n\
                   ===================== 3 failures in 2.03s =====================\n";
        assert_eq!(
            parse_report(out),
            Some(Report {
                cases: 40,
                seconds: 2.03,
            })
        );
    }

    #[test]
    fn no_report_without_its_lines() {
        assert_eq!(parse_report(""), None);
        assert_eq!(parse_report("Test cases:\n  none\n=== in 1s ==="), None);
        assert_eq!(parse_report("Test cases:\n  3 generated\n"), None);
    }
}
