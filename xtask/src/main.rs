//! `cargo xtask`: the front door of the harness. Each subcommand parses its arguments and calls
//! the `webhook_harness` library; no behaviour lives here.

mod bench;
mod conformance;
mod exit;
mod flags;
mod generate;
mod lint_specs;
mod mock;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The mock allocates and frees many small JSON nodes per request; mimalloc does that markedly
/// faster than the system allocator (measured with `cargo xtask bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Conformance test harness and mock provider for webhook APIs.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the conformance checks. Without a mode: every built-in spec against its bundled
    /// reference receiver and its in-process mock. `receiver`: check your webhook receiver.
    /// `provider`: check an implementation of a provider's API.
    Conformance(conformance::Args),
    /// Load and check the provider specs: OpenAPI 3.1 structure, extensions, examples, fixtures,
    /// invariants and errata; print a coverage table.
    LintSpecs(lint_specs::Args),
    /// Print generated payloads (valid, edge or invalid) of an event or an endpoint's request
    /// body as JSON lines.
    Generate(generate::Args),
    /// Start a mock provider as a standalone server on 127.0.0.1, until Ctrl-C or SIGTERM.
    Mock(mock::Args),
    /// Run the benchmarks in release mode; print one table and write it to target/bench/.
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Conformance(args) => {
            webhook_harness::transcript::quiet_snapshot_panics();
            conformance::run(&args)
        }
        Command::LintSpecs(args) => lint_specs::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Mock(args) => mock::run(&args),
    }
}
