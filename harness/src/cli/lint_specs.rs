//! `cargo xtask lint-specs [--spec NAME|PATH]... [--assume ID=VALUE]...`

use std::process::ExitCode;

use crate::report;
use crate::spec::{self, lint};

use super::exit;

/// Arguments of `lint-specs`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A built-in spec name (`swsh`) or a spec file path; repeat for several. Default: every
    /// spec in `specs/`.
    #[arg(long = "spec", value_name = "NAME|PATH")]
    specs: Vec<String>,
    /// Replace an assumption of the spec for this run (see the spec's `x-assumptions`), e.g.
    /// `--assume digest-encoding=base64`.
    #[arg(long = "assume", value_name = "ID=VALUE")]
    assume: Vec<String>,
}

/// Runs the lint and prints the report; exit 0 only when nothing is wrong.
pub fn run(args: &Args) -> ExitCode {
    let loader = match super::flags::loader(&args.assume) {
        Ok(loader) => loader,
        Err(code) => return code,
    };
    let names = if args.specs.is_empty() {
        spec::builtin_names()
    } else {
        args.specs.clone()
    };
    if names.is_empty() {
        eprintln!("error: no spec found in {}", spec::specs_dir().display());
        return exit::code(exit::SPEC);
    }
    let mut failed = false;
    let mut reports = Vec::new();
    for name in &names {
        if let Some(message) = super::names::unknown_spec(name) {
            eprintln!("error: {message}");
            return exit::code(exit::USAGE);
        }
    }
    for name in &names {
        match loader.load(name) {
            Ok(spec) => {
                let report = lint::lint(&spec);
                print!("{}", report::lint_report(&spec, &report));
                println!();
                failed |= report.has_errors();
                reports.push(report);
            }
            Err(errors) => {
                // The spec loads without the overrides: the command line is at fault.
                if !args.assume.is_empty()
                    && let Ok(plain) = spec::Loader::new().load(name)
                {
                    let unknown = super::names::unknown_assumptions(&plain, &args.assume);
                    if unknown.is_empty() {
                        eprintln!("{errors}");
                    }
                    for message in unknown {
                        eprintln!("error: {message}");
                    }
                    return exit::code(exit::USAGE);
                }
                failed = true;
                eprintln!("{errors}");
                eprintln!();
            }
        }
    }
    print!("{}", report::coverage_table(&reports));
    if failed {
        eprintln!("lint-specs: FAILED");
        exit::code(exit::SPEC)
    } else {
        println!("lint-specs: ok ({} specs)", reports.len());
        exit::code(exit::OK)
    }
}
