//! `cargo xtask bench`: the product's benchmarks, built in release mode, printed as one table
//! and written to `target/bench/` as JSON and Markdown. `--peers` adds the tools a user would
//! pick instead, measured on the same work in the same run (`peers/`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use webhook_harness::generate::{Generator, Mode, rng};
use webhook_harness::spec::{ProviderSpec, builtin_names};

use webhook_harness::cli::exit;

mod catalogue;
mod conformance;
mod delivery;
mod load;
mod mock;
mod peers;
mod process;
mod signing;

/// The sections `--only` takes.
const SECTIONS: &[&str] = &[
    "generation",
    "signing",
    "mock",
    "delivery",
    "conformance",
    "catalogue",
    "peers",
];

/// Arguments of `bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shorter measurements (about a tenth of the time): for a quick look, not for figures.
    #[arg(long)]
    quick: bool,
    /// Run one section only: `generation`, `signing`, `mock`, `delivery`, `conformance` (the embedded
    /// conformance default as a subprocess), `catalogue` (a spec of 300 events over 400 schemas,
    /// made in memory: load time and payloads/s) or `peers` (as `--peers`, without the others).
    #[arg(long, value_name = "SECTION")]
    only: Option<String>,
    /// Also install the peers (Stoplight Prism, Schemathesis, hypothesis-jsonschema) into
    /// target/bench/peers/ (kept as a cache) and measure them on the same work in the same
    /// run: ratios ours / theirs against targets, with every peer's version. Needs npm,
    /// python3 and the network for the first install.
    #[arg(long)]
    peers: bool,
}

/// Re-runs itself in release mode if needed, then runs every benchmark.
pub fn run(args: &Args) -> ExitCode {
    if cfg!(debug_assertions) {
        return rerun_in_release(args);
    }
    if let Some(only) = &args.only
        && !SECTIONS.contains(&only.as_str())
    {
        eprintln!("error: unknown section `{only}` ({})", SECTIONS.join(", "));
        return exit::code(exit::USAGE);
    }
    let started = Instant::now();
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => {
            eprintln!("error: cannot find this executable: {error}");
            return exit::code(exit::USAGE);
        }
    };
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let repo = repo.canonicalize().unwrap_or(repo);
    let results = match measure(args, &exe, &repo) {
        Ok(results) => results,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::code(exit::SPEC);
        }
    };
    let markdown = results.markdown();
    print!("{markdown}");
    println!("\nbench took {:.0} s", started.elapsed().as_secs_f64());
    results.write(&repo.join("target/bench"), &markdown);
    exit::code(exit::OK)
}

/// Benchmarks of a debug build measure the compiler's settings, not the product: runs the
/// same command from a release build.
fn rerun_in_release(args: &Args) -> ExitCode {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args([
        "run",
        "--release",
        "--quiet",
        "--package",
        "xtask",
        "--",
        "bench",
    ]);
    if args.quick {
        command.arg("--quick");
    }
    if let Some(only) = &args.only {
        command.args(["--only", only]);
    }
    if args.peers {
        command.arg("--peers");
    }
    match command.status() {
        Ok(status) if status.success() => exit::code(exit::OK),
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(error) => {
            eprintln!("error: cannot run cargo for the release build: {error}");
            exit::code(exit::USAGE)
        }
    }
}

/// What one bench run measured, section by section (empty where a section did not run).
struct Results {
    generation: Vec<Value>,
    signing: Vec<Value>,
    mock: Vec<Value>,
    delivery: Vec<Value>,
    conformance: Vec<Value>,
    catalogue: Vec<Value>,
    peers: Option<Value>,
}

/// Runs the sections `args` asks for.
fn measure(args: &Args, exe: &std::path::Path, repo: &std::path::Path) -> Result<Results, String> {
    let wants = |section: &str| {
        if section == "peers" {
            return args.peers || args.only.as_deref() == Some("peers");
        }
        args.only.as_deref().is_none_or(|only| only == section)
    };
    let budget = Duration::from_millis(if args.quick { 100 } else { 1000 });
    let load = Duration::from_millis(if args.quick { 500 } else { 3000 });
    Ok(Results {
        generation: if wants("generation") {
            generation(budget)?
        } else {
            Vec::new()
        },
        signing: if wants("signing") {
            signing::run(budget)?
        } else {
            Vec::new()
        },
        mock: if wants("mock") {
            mock::run(load)?
        } else {
            Vec::new()
        },
        delivery: if wants("delivery") {
            delivery::run(load)?
        } else {
            Vec::new()
        },
        conformance: if wants("conformance") {
            conformance::run(exe, repo)
        } else {
            Vec::new()
        },
        catalogue: if wants("catalogue") {
            catalogue::run(budget)?
        } else {
            Vec::new()
        },
        peers: wants("peers").then(|| peers::run(exe, repo, peers::Settings::new(args.quick))),
    })
}

impl Results {
    /// Every table of a section that ran, as Markdown.
    fn markdown(&self) -> String {
        let sections = [
            (self.generation.is_empty(), table(&self.generation)),
            (self.signing.is_empty(), signing::table(&self.signing)),
            (self.mock.is_empty(), mock_table(&self.mock)),
            (self.delivery.is_empty(), delivery_table(&self.delivery)),
            (
                self.conformance.is_empty(),
                conformance::table(&self.conformance),
            ),
            (self.catalogue.is_empty(), catalogue::table(&self.catalogue)),
        ];
        let mut tables: Vec<String> = sections
            .into_iter()
            .filter(|(empty, _)| !empty)
            .map(|(_, table)| table)
            .collect();
        if let Some(peers) = &self.peers {
            tables.push(peers::tables(peers));
        }
        tables.join("\n")
    }

    /// Writes `bench.md` and `bench.json` into `dir`; a failure is a warning.
    fn write(&self, dir: &std::path::Path, markdown: &str) {
        let json = serde_json::to_string_pretty(&json!({
            "generation": self.generation,
            "signing": self.signing,
            "mock": self.mock,
            "delivery": self.delivery,
            "conformance": self.conformance,
            "catalogue": self.catalogue,
            "peers": self.peers,
        }))
        .unwrap_or_default();
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(dir.join("bench.md"), markdown))
            .and_then(|()| std::fs::write(dir.join("bench.json"), json));
        match written {
            Ok(()) => println!(
                "\nwritten to {}",
                dir.canonicalize()
                    .unwrap_or_else(|_| dir.to_path_buf())
                    .join("bench.{md,json}")
                    .display()
            ),
            Err(error) => eprintln!("warning: cannot write target/bench: {error}"),
        }
    }
}

/// Generation, per event: payloads generated, validated (inside the generator) and serialised
/// per second on one thread; and, in the same run, validation alone on the same payloads.
fn generation(budget: Duration) -> Result<Vec<Value>, String> {
    let mut rows = Vec::new();
    for name in builtin_names() {
        let spec = ProviderSpec::load(&name).map_err(|e| e.to_string())?;
        let generator = Generator::new(&spec);
        for event in spec.events.iter().map(|e| e.name.clone()) {
            let schema = generator.event(&event).map_err(|e| e.to_string())?;
            let mut random = rng::seeded(1);
            let (mut bytes, mut draws) = (0usize, 0usize);
            let (count, elapsed) = timed(budget, || {
                let sample = schema
                    .draw(Mode::Valid, &mut random)
                    .map_err(|e| e.to_string())
                    .unwrap_or_else(|e| panic!("{e}"));
                bytes += serde_json::to_vec(&sample.value).map_or(0, |b| b.len());
                draws += 1;
            });
            let values: Vec<Value> = schema
                .sample(Mode::Valid, 2, 256)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|s| s.value)
                .collect();
            let pointer = schema.pointer().to_string();
            let validator = spec.schemas.get(&pointer).ok_or("no validator")?;
            let mut i = 0;
            let (validated, validation_time) = timed(budget, || {
                assert!(validator.is_valid(&values[i % values.len()]));
                i += 1;
            });
            let per_second = count as f64 / elapsed.as_secs_f64();
            let validation_us = validation_time.as_secs_f64() * 1e6 / validated as f64;
            rows.push(json!({
                "provider": name,
                "event": event,
                "payloads_per_second": per_second.round(),
                "us_per_payload": (1e6 / per_second * 100.0).round() / 100.0,
                "validation_alone_us": (validation_us * 100.0).round() / 100.0,
                "mean_bytes": bytes / draws.max(1),
            }));
        }
    }
    Ok(rows)
}

/// Text made safe for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A JSON number as a table shows it: `48925`, not `48925.0`; empty for null.
fn num(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Runs `step` until `budget` has passed; returns the count and the time taken.
fn timed(budget: Duration, mut step: impl FnMut()) -> (u64, Duration) {
    // Warm up caches and lazily compiled validators first.
    for _ in 0..32 {
        step();
    }
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < budget {
        for _ in 0..16 {
            step();
        }
        count += 16;
    }
    (count, start.elapsed())
}

/// A Markdown table: `columns` are its headers, a trailing `:` right-aligns a column (the
/// numbers); a row shorter than the header is padded with empty cells.
pub(crate) fn markdown(columns: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    let names: Vec<&str> = columns.iter().map(|c| c.trim_end_matches(':')).collect();
    let rules: Vec<&str> = columns
        .iter()
        .map(|c| if c.ends_with(':') { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let _ = writeln!(out, "|{}|", rules.join("|"));
    for mut row in rows {
        row.resize(columns.len(), String::new());
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

/// A string field of a row, as a cell.
fn text(row: &Value, field: &str) -> String {
    cell(row[field].as_str().unwrap_or_default())
}

fn table(rows: &[Value]) -> String {
    let body = markdown(
        &[
            "provider",
            "event",
            "payloads/s:",
            "µs/payload:",
            "validation alone µs:",
            "mean bytes:",
        ],
        rows.iter().map(|row| {
            vec![
                text(row, "provider"),
                text(row, "event"),
                num(&row["payloads_per_second"]),
                num(&row["us_per_payload"]),
                num(&row["validation_alone_us"]),
                num(&row["mean_bytes"]),
            ]
        }),
    );
    format!("## Generation (one thread: generate + validate + serialise)\n\n{body}")
}

fn mock_table(rows: &[Value]) -> String {
    let body = markdown(
        &[
            "provider",
            "endpoint",
            "server",
            "requests/s:",
            "p50 µs:",
            "p99 µs:",
            "errors:",
            "mock / fixed:",
        ],
        rows.iter().map(|row| {
            vec![
                text(row, "provider"),
                text(row, "endpoint"),
                text(row, "server"),
                num(&row["requests_per_second"]),
                num(&row["p50_us"]),
                num(&row["p99_us"]),
                num(&row["errors"]),
                if row["server"] == "mock" {
                    num(&row["mock_to_fixed"])
                } else {
                    String::new()
                },
            ]
        }),
    );
    format!(
        "## Mock endpoints (32 keep-alive connections, load generator in the same process)\n\n{body}"
    )
}

fn delivery_table(rows: &[Value]) -> String {
    let body = markdown(
        &[
            "provider",
            "rule",
            "subscriptions:",
            "deliveries/s:",
            "÷ sink alone:",
            "delivered:",
            "failed:",
            "order",
        ],
        rows.iter().map(|row| {
            vec![
                text(row, "provider"),
                text(row, "rule"),
                num(&row["subscriptions"]),
                num(&row["deliveries_per_second"]),
                num(&row["ratio_to_sink"]),
                num(&row["delivered"]),
                num(&row["failed"]),
                text(row, "order"),
            ]
        }),
    );
    format!(
        "## Delivery (signed POSTs to a local keep-alive sink, 4 concurrent emitters)\n\n{body}"
    )
}
