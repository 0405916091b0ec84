//! `cargo xtask`: the front door of the harness. The subcommands are the library's
//! (`webhook_harness::cli`), plus `bench`, which measures this repository.

mod bench;

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
    #[command(flatten)]
    Harness(Box<webhook_harness::cli::Command>),
    /// Run the benchmarks in release mode; print one table and write it to target/bench/.
    Bench(bench::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Harness(command) => webhook_harness::cli::run_command(*command),
        Command::Bench(args) => bench::run(&args),
    }
}
