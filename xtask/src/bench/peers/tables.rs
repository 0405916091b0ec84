//! The Markdown tables of a peers run.

use std::fmt::Write as _;

use serde_json::Value;

use super::super::{cell, markdown, num};
use super::hypothesis;

/// The Markdown tables of a peers run.
pub fn tables(peers: &Value) -> String {
    let mut out = String::new();
    if let Some(error) = peers["error"].as_str() {
        let _ = writeln!(out, "## Peers\n\nerror: {}", cell(error));
        return out;
    }
    out.push_str(&prism(peers));
    out.push_str(&schemathesis(peers));
    out.push_str(&generation(peers));
    out.push_str(&ratios(peers));
    out.push_str(&versions(peers));
    out
}

fn text(row: &Value, field: &str) -> String {
    cell(row[field].as_str().unwrap_or_default())
}

fn rows(peers: &Value, field: &str) -> Vec<Value> {
    peers[field].as_array().cloned().unwrap_or_default()
}

/// Mock endpoints against Prism, and the servers' peak memory.
fn prism(peers: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Peers: mock endpoints vs Stoplight Prism ({} s per endpoint and server, 32 keep-alive connections, load generator in the bench process)\n",
        num(&peers["settings"]["load_seconds_per_endpoint"])
    );
    out.push_str(&markdown(
        &[
            "provider",
            "endpoint",
            "server",
            "requests/s:",
            "p50 µs:",
            "p99 µs:",
            "statuses",
        ],
        rows(peers, "prism").iter().map(|row| {
            let mut cells = vec![
                text(row, "provider"),
                text(row, "endpoint"),
                text(row, "server"),
            ];
            if let Some(error) = row["error"].as_str() {
                cells.push(format!("error: {}", cell(error)));
                return cells;
            }
            let mut statuses: Vec<String> = row["statuses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, count)| format!("{status}: {count}"))
                .collect();
            if row["connection_errors"].as_u64().unwrap_or(0) > 0 {
                statuses.push(format!("connection errors: {}", row["connection_errors"]));
            }
            cells.extend([
                num(&row["requests_per_second"]),
                num(&row["p50_us"]),
                num(&row["p99_us"]),
                statuses.join(", "),
            ]);
            cells
        }),
    ));
    let _ = writeln!(
        out,
        "\nPeak memory (VmHWM) of each server process after its load:\n"
    );
    out.push_str(&markdown(
        &["provider", "server", "peak memory MiB:"],
        rows(peers, "memory").iter().map(|row| {
            vec![
                text(row, "provider"),
                text(row, "server"),
                num(&row["peak_memory_mib"]),
            ]
        }),
    ));
    out
}

/// Provider mode against Schemathesis.
fn schemathesis(peers: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Peers: provider mode vs Schemathesis (swsh, a fresh standalone mock each, {} cases per operation)\n",
        num(&peers["settings"]["cases_per_operation"])
    );
    out.push_str(&markdown(
        &[
            "tool",
            "cases (API calls):",
            "seconds (own):",
            "cases/s:",
            "wall s:",
            "note",
        ],
        rows(peers, "schemathesis")
            .iter()
            .map(|row| match row["error"].as_str() {
                Some(error) => vec![text(row, "tool"), format!("error: {}", cell(error))],
                None => vec![
                    text(row, "tool"),
                    num(&row["cases"]),
                    num(&row["seconds"]),
                    num(&row["cases_per_second"]),
                    num(&row["wall_seconds"]),
                    text(row, "note"),
                ],
            }),
    ));
    out
}

/// The generator against hypothesis-jsonschema.
fn generation(peers: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Peers: generator vs hypothesis-jsonschema ({} {} payload, one thread, {} s each)\n",
        hypothesis::PROVIDER,
        hypothesis::EVENT,
        num(&peers["settings"]["generation_budget_seconds"])
    );
    out.push_str(&markdown(
        &[
            "generator",
            "values:",
            "seconds:",
            "values/s:",
            "mean bytes:",
        ],
        rows(peers, "generation")
            .iter()
            .map(|row| match row["error"].as_str() {
                Some(error) => vec![text(row, "generator"), format!("error: {}", cell(error))],
                None => vec![
                    text(row, "generator"),
                    num(&row["values"]),
                    num(&row["seconds"]),
                    num(&row["values_per_second"]),
                    num(&row["mean_bytes"]),
                ],
            }),
    ));
    out
}

/// The ratios, with their targets.
fn ratios(peers: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Peers: ratios (ours / theirs; targets are reported, not asserted)\n"
    );
    out.push_str(&markdown(
        &[
            "comparison",
            "ours:",
            "theirs:",
            "ratio:",
            "target:",
            "mark",
            "note",
        ],
        rows(peers, "ratios").iter().map(|row| {
            let unit = row["unit"].as_str().unwrap_or_default();
            let rate = |v: &Value| {
                if v.is_null() {
                    String::new()
                } else {
                    format!("{} {unit}", num(v))
                }
            };
            let times = |v: &Value| v.as_f64().map_or_else(String::new, |x| format!("{x}x"));
            vec![
                text(row, "comparison"),
                rate(&row["ours"]),
                rate(&row["theirs"]),
                times(&row["ratio"]),
                times(&row["target"]),
                text(row, "mark"),
                text(row, "flag"),
            ]
        }),
    ));
    out
}

/// The peers' versions, and where they are kept.
fn versions(peers: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## Peers: versions\n");
    out.push_str(&markdown(
        &["peer", "version", "installed"],
        rows(peers, "versions")
            .iter()
            .map(|row| match row["error"].as_str() {
                Some(error) => vec![text(row, "peer"), "not installed".into(), cell(error)],
                None => vec![text(row, "peer"), text(row, "version"), text(row, "how")],
            }),
    ));
    let _ = writeln!(
        out,
        "\nPeers folder: `{}` (kept between runs as a cache; installing or checking the peers took {} s of this run); peers section: {} s.",
        peers["folder"].as_str().unwrap_or_default(),
        num(&peers["install_seconds"]),
        num(&peers["seconds"]),
    );
    out
}
