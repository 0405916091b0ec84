//! `cargo xtask lint-specs [--spec NAME|PATH]... [--overlay FILE]... [--assume ID=VALUE]...`

use std::path::PathBuf;
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
    /// An OpenAPI Overlay 1.0 file applied to the spec before it is read (repeatable, applied in
    /// order, to every `--spec` named): how the harness's `x-` extensions are given to a document written for other
    /// tools, whose own `x-` keys are then kept and ignored.
    #[arg(long = "overlay", value_name = "FILE")]
    overlays: Vec<PathBuf>,
}

/// Runs the lint and prints the report; exit 0 only when nothing is wrong.
pub fn run(args: &Args) -> ExitCode {
    if !args.overlays.is_empty() && args.specs.is_empty() {
        eprintln!("error: --overlay applies to the specs named with --spec; name one");
        return exit::code(exit::USAGE);
    }
    let loader = match super::flags::loader(&args.assume, &args.overlays) {
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
                    && let Ok(plain) = super::flags::loader(&[], &args.overlays)
                        .map_err(|_| ())
                        .and_then(|l| l.load(name).map_err(|_| ()))
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
