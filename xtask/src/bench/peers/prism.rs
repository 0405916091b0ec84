//! Our standalone mock against Stoplight Prism on the same endpoints, under the same load: the
//! requests of the mock section (`bench/mock.rs`), 32 keep-alive connections, one after the
//! other on the same machine. Prism runs twice per spec, with its default logging and with
//! `-v silent`; every answer's status is counted, so a rate made of error answers shows.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::super::load::{self, Measured, Shot};
use super::super::mock::{send_once, swsh_create, swsh_read, uc_create, uc_read};
use super::super::process::{self, Server};
use super::install::Prism;
use super::{Standalone, standalone_mock};

/// The connections the load generator keeps open (as in the mock section).
const CONNECTIONS: usize = 32;
/// The longest Prism may take to listen.
const START_LIMIT: Duration = Duration::from_secs(90);

/// What was measured: one row per (provider, endpoint, server), one memory row per server
/// process.
#[derive(Debug, Default)]
pub struct Outcome {
    pub rows: Vec<Value>,
    pub memory: Vec<Value>,
}

/// Runs both specs; `prism` is the install, or why there is none.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    exe: &Path,
    repo: &Path,
    logs: &Path,
    prism: Result<&Prism, &String>,
    duration: Duration,
) -> Outcome {
    let mut outcome = Outcome::default();
    for provider in ["swsh", "uc-alxgsv"] {
        eprintln!("peers: {provider}: our standalone mock under load");
        let shots = match ours(runtime, exe, repo, provider, duration, &mut outcome) {
            Ok(shots) => shots,
            Err(error) => {
                outcome.rows.push(json!({"provider": provider, "endpoint": "all", "server": "ours (standalone mock)", "error": error}));
                continue;
            }
        };
        for (label, level) in [("default logging", None), ("-v silent", Some("silent"))] {
            let server = format!("Prism ({label})");
            let prism = match prism {
                Ok(prism) => prism,
                Err(_) => {
                    outcome.rows.push(json!({"provider": provider, "endpoint": "all", "server": server, "error": super::NOT_INSTALLED}));
                    continue;
                }
            };
            eprintln!("peers: {provider}: Prism ({label}) under load");
            let log = logs.join(format!(
                "prism-{provider}-{}.log",
                level.unwrap_or("default")
            ));
            if let Err(error) = theirs(
                runtime,
                repo,
                prism,
                provider,
                level,
                &log,
                &shots,
                duration,
                &server,
                &mut outcome,
            ) {
                outcome.rows.push(
                    json!({"provider": provider, "endpoint": "all", "server": server, "error": error}),
                );
            }
        }
    }
    outcome
}

/// The requests of one spec: (endpoint label, request).
type Shots = Vec<(&'static str, Shot)>;

/// Our mock as a subprocess: sets up as the mock section does, loads it, records its peak
/// memory; returns the requests, for Prism.
fn ours(
    runtime: &tokio::runtime::Runtime,
    exe: &Path,
    repo: &Path,
    provider: &str,
    duration: Duration,
    outcome: &mut Outcome,
) -> Result<Shots, String> {
    let (server, mock): (Server, Standalone) = standalone_mock(exe, repo, provider)?;
    let shots = match provider {
        "swsh" => {
            let key_a = mock.secret("tenant-a", "ApiKeyAuth")?;
            let key_b = mock.secret("tenant-b", "ApiKeyAuth")?;
            // Tenant b's list holds one subscription; tenant a's grows during the creates.
            runtime.block_on(send_once(mock.address, swsh_create(&key_b)))?;
            vec![
                (
                    "create (POST /webhook/createSubscription)",
                    swsh_create(&key_a),
                ),
                (
                    "read (GET /webhook/getSubscriptions, 1 item)",
                    swsh_read(&key_b),
                ),
            ]
        }
        _ => {
            let bearer = format!("Bearer {}", mock.secret("tenant-a", "bearerAuth")?);
            let created = runtime.block_on(send_once(mock.address, uc_create(&bearer)))?;
            let id = created["data"]["id"]
                .as_str()
                .ok_or_else(|| format!("no id in {created}"))?;
            vec![
                ("create (POST .../webhooks.json)", uc_create(&bearer)),
                ("read (GET .../webhooks/{id}.json)", uc_read(&bearer, id)),
            ]
        }
    };
    let name = "ours (standalone mock)";
    for (endpoint, shot) in &shots {
        let measured = runtime.block_on(load::run(
            mock.address,
            shot.clone(),
            CONNECTIONS,
            duration,
            200,
        ));
        outcome.rows.push(row(provider, endpoint, name, &measured));
    }
    outcome.memory.push(memory_row(provider, name, &server));
    Ok(shots)
}

/// Prism on the same spec and requests (the read of uc.alxgsv names the id our mock made:
/// Prism accepts any id of the documented shape).
#[allow(clippy::too_many_arguments)]
fn theirs(
    runtime: &tokio::runtime::Runtime,
    repo: &Path,
    prism: &Prism,
    provider: &str,
    level: Option<&str>,
    log: &Path,
    shots: &Shots,
    duration: Duration,
    name: &str,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let port = process::free_port()?;
    let mut command = Command::new(&prism.node);
    command
        .arg(&prism.cli)
        .args(["mock", "-p", &port.to_string(), "-h", "127.0.0.1"]);
    if let Some(level) = level {
        command.args(["-v", level]);
    }
    command
        .arg(repo.join("specs").join(format!("{provider}.yaml")))
        .current_dir(repo);
    let mut server = Server::spawn_logged("Prism", &mut command, log)?;
    let address = server
        .wait_for_port(port, START_LIMIT)
        .map_err(|e| format!("{e} (log: {})", log.display()))?;
    for (endpoint, shot) in shots {
        let measured =
            runtime.block_on(load::run(address, shot.clone(), CONNECTIONS, duration, 200));
        outcome.rows.push(row(provider, endpoint, name, &measured));
    }
    outcome.memory.push(memory_row(provider, name, &server));
    Ok(())
}

fn row(provider: &str, endpoint: &str, server: &str, m: &Measured) -> Value {
    let answered: u64 = m.statuses.values().sum();
    let not_2xx: u64 = m
        .statuses
        .iter()
        .filter(|(status, _)| !(200..300).contains(*status))
        .map(|(_, count)| count)
        .sum();
    let statuses: BTreeMap<String, u64> = m
        .statuses
        .iter()
        .map(|(status, count)| (status.to_string(), *count))
        .collect();
    json!({
        "provider": provider,
        "endpoint": endpoint,
        "server": server,
        "requests_per_second": m.per_second().round(),
        "p50_us": m.p50_us,
        "p99_us": m.p99_us,
        "connection_errors": m.errors,
        "statuses": statuses,
        "non_2xx_share": if answered == 0 { 1.0 } else { not_2xx as f64 / answered as f64 },
    })
}

fn memory_row(provider: &str, server: &str, process: &Server) -> Value {
    json!({
        "provider": provider,
        "server": server,
        "peak_memory_mib": process
            .peak_memory_kib()
            .map(|kib| (kib as f64 / 1024.0 * 10.0).round() / 10.0),
    })
}
