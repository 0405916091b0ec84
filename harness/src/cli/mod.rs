//! The command line, as a library: `conformance`, `lint-specs`, `generate` and `mock`, so that
//! any workspace gets `cargo xtask conformance ...` from a three-line `xtask/src/main.rs`:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     webhook_harness::cli::run(std::env::args_os())
//! }
//! ```
//!
//! Start from [`run`] (parse and run) or [`Command`] (to embed the subcommands in a command line
//! of your own, with `#[command(flatten)]`). Every path a flag takes (`--spec`, `--snapshots`,
//! `--junit`) is taken from the current directory; built-in spec names resolve to the harness's
//! own `specs/` folder (or `WEBHOOK_HARNESS_SPECS`). Exit statuses are in [`exit`]; names a user
//! typed are checked with "did you mean" suggestions ([`crate::suggest`]).

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod conformance;
pub mod exit;
mod flags;
pub mod generate;
pub mod lint_specs;
pub mod mock;
mod names;

/// The subcommands, each with its arguments.
#[derive(Debug, Subcommand)]
pub enum Command {
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
}

/// Conformance test harness and mock provider for webhook APIs.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How the commands are called from an xtask: `cargo xtask`.
pub const XTASK: &str = "cargo xtask";

/// Parses `args` (the program's name first, as `std::env::args_os()` gives them) and runs the
/// command, as `cargo xtask`. A command line clap refuses prints its message and exits 2
/// (`--help` and `--version` print and exit 0).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_as(XTASK, args)
}

/// Like [`run`], for a program called `program`: `--help` and the reproduce command of a failed
/// trial name it. The `webhook-harness` binary (`cargo install`) runs
/// `run_as("webhook-harness", std::env::args_os())`.
pub fn run_as<I, T>(program: &str, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let command = <Cli as clap::CommandFactory>::command()
        .name(program.to_string())
        .bin_name(program);
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => run_command_as(program, cli.command),
        Err(error) => {
            let _ = error.print();
            exit::code(if error.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            })
        }
    }
}

/// Runs one parsed command, as `cargo xtask`.
#[must_use]
pub fn run_command(command: Command) -> ExitCode {
    run_command_as(XTASK, command)
}

/// Runs one parsed command for a program called `program` (see [`run_as`]).
#[must_use]
pub fn run_command_as(program: &str, command: Command) -> ExitCode {
    match command {
        Command::Conformance(args) => {
            crate::transcript::quiet_snapshot_panics();
            conformance::run_as(program, &args)
        }
        Command::LintSpecs(args) => lint_specs::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Mock(args) => mock::run(&args),
    }
}
