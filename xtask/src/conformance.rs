//! `cargo xtask conformance`: the conformance runner. With no mode, the embedded default: the
//! bundled reference receivers of every built-in spec, checked in receiver mode.

use std::process::ExitCode;
use std::time::Duration;

use harness::check::receiver::Settings;
use harness::reference::{Fault, ReferenceReceiver};
use harness::runner::{self, ReceiverTarget};
use harness::spec::{ProviderSpec, builtin_names};

use crate::exit;

/// Arguments of `conformance`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// libtest arguments for the embedded default run (`--list`, filters, `--exact`...).
    #[arg(last = true, value_name = "LIBTEST-ARGS")]
    libtest: Vec<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Mode {
    /// Check a webhook receiver: deliver the provider's events to it, as the provider would,
    /// and check how it answers.
    Receiver(ReceiverArgs),
}

/// Arguments of `conformance receiver`.
#[derive(Debug, clap::Args)]
struct ReceiverArgs {
    /// A built-in spec name (`swsh`) or a spec file path.
    #[arg(long, value_name = "NAME|PATH")]
    spec: String,
    /// The receiver's URL (where the provider would POST).
    #[arg(long, value_name = "URL")]
    target: String,
    /// The secret the receiver verifies signatures with (the provider's signing key).
    #[arg(long, value_name = "S", default_value = "")]
    secret: String,
    /// Generated payloads per event.
    #[arg(long, value_name = "N", default_value_t = 32)]
    cases: u32,
    /// The seed of every generated payload (printed in failure reports).
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Per-request timeout, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// Replace an assumption of the spec, e.g. `--assume digest-encoding=base64`.
    #[arg(long = "assume", value_name = "ID=VALUE")]
    assume: Vec<String>,
    /// libtest arguments: `--list`, name filters, `--exact`, `--skip`, `--ignored`,
    /// `--test-threads`...
    #[arg(last = true, value_name = "LIBTEST-ARGS")]
    libtest: Vec<String>,
}

/// Runs the trials; exit status 101 when one fails, as libtest.
pub fn run(args: &Args) -> ExitCode {
    let runtime = match crate::flags::runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match &args.mode {
        Some(Mode::Receiver(receiver)) => {
            let loader = match crate::flags::loader(&receiver.assume) {
                Ok(loader) => loader,
                Err(code) => return code,
            };
            let spec = match loader.load(&receiver.spec) {
                Ok(spec) => spec,
                Err(errors) => {
                    eprintln!("{errors}");
                    return exit::code(exit::SPEC);
                }
            };
            if receiver.timeout.is_nan()
                || receiver.timeout.is_infinite()
                || receiver.timeout <= 0.0
            {
                eprintln!("error: --timeout must be a positive number of seconds");
                return exit::code(exit::USAGE);
            }
            let target = ReceiverTarget {
                spec,
                spec_arg: receiver.spec.clone(),
                settings: Settings {
                    target: receiver.target.clone(),
                    secret: receiver.secret.clone(),
                    cases: receiver.cases,
                    seed: receiver.seed,
                    timeout: Duration::from_secs_f64(receiver.timeout),
                },
            };
            execute(&runtime, vec![target], &receiver.libtest)
        }
        None => {
            // The embedded default: every built-in spec against its reference receiver.
            let mut receivers = Vec::new();
            let mut targets = Vec::new();
            for name in builtin_names() {
                let spec = match ProviderSpec::load(&name) {
                    Ok(spec) => spec,
                    Err(errors) => {
                        eprintln!("{errors}");
                        return exit::code(exit::SPEC);
                    }
                };
                let secret = "reference-receiver-secret";
                let receiver = match runtime.block_on(ReferenceReceiver::start(
                    spec.clone(),
                    secret,
                    Fault::None,
                )) {
                    Ok(receiver) => receiver,
                    Err(error) => {
                        eprintln!("error: cannot start the reference receiver: {error}");
                        return exit::code(exit::USAGE);
                    }
                };
                targets.push(ReceiverTarget {
                    spec,
                    spec_arg: name.clone(),
                    settings: Settings {
                        target: receiver.url(),
                        secret: secret.into(),
                        cases: 32,
                        seed: 0,
                        timeout: Duration::from_secs(10),
                    },
                });
                receivers.push(receiver);
            }
            execute(&runtime, targets, &args.libtest)
        }
    }
}

fn execute(
    runtime: &tokio::runtime::Runtime,
    targets: Vec<ReceiverTarget>,
    libtest: &[String],
) -> ExitCode {
    let arguments = libtest_mimic::Arguments::from_iter(
        std::iter::once("conformance".to_string()).chain(libtest.iter().cloned()),
    );
    if !arguments.list {
        for warning in runner::warnings(&targets.iter().map(|t| &t.spec).collect::<Vec<_>>()) {
            eprintln!("{warning}");
        }
    }
    let trials = runner::receiver_trials(targets, runtime.handle());
    runner::run(&arguments, trials).exit_code()
}
