//! `cargo xtask conformance`: the conformance runner. With no mode, the embedded default: the
//! bundled reference receivers of every built-in spec, checked in receiver mode.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::check::provider;
use crate::check::receiver::Settings;
use crate::mock::Credentials;
use crate::report;
use crate::runner::embedded::EmbeddedError;
use crate::runner::{self, Context, Embedded, ProviderTarget, ReceiverTarget};
use crate::spec::ProviderSpec;
use crate::transcript::Snapshots;

use super::exit;

/// Arguments of `conformance`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// The embedded default runs both halves; `receiver` or `provider` runs one.
    #[arg(long, value_name = "MODE", value_parser = ["receiver", "provider"])]
    only: Option<String>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Mode {
    /// Check a webhook receiver: deliver the provider's events to it, as the provider would,
    /// and check how it answers.
    Receiver(ReceiverArgs),
    /// Check a provider-compatible API (an alternative, a proxy, a fake, the mock): its
    /// documented examples, generated and invalid requests, credentials, state, and (where it
    /// can be triggered) its deliveries.
    Provider(ProviderArgs),
}

/// Arguments of `conformance provider`.
#[derive(Debug, clap::Args)]
struct ProviderArgs {
    #[command(flatten)]
    spec: SpecArgs,
    /// The API's base URL: its address plus the spec's base path
    /// (`http://127.0.0.1:8080` for swsh, whose paths start at the root).
    #[arg(long, value_name = "BASE-URL")]
    target: String,
    /// A credential: `NAME=VALUE[@TENANT]` (tenant default `tenant-a`), NAME a security
    /// scheme of the spec (or a signing-key credential). Repeatable; a second tenant enables
    /// the tenant checks. Default: the standalone mock's default credentials.
    #[arg(long = "credential", value_name = "NAME=VALUE[@TENANT]")]
    credentials: Vec<String>,
    #[command(flatten)]
    run: RunArgs,
}

/// The spec and how requests are made: flags of both modes.
#[derive(Debug, clap::Args)]
struct SpecArgs {
    /// A built-in spec name (`swsh`) or a spec file path.
    #[arg(long, value_name = "NAME|PATH")]
    spec: String,
    /// Per-request timeout, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// Replace an assumption of the spec, e.g. `--assume digest-encoding=base64`.
    #[arg(long = "assume", value_name = "ID=VALUE")]
    assume: Vec<String>,
    /// An OpenAPI Overlay 1.0 file applied to the spec before it is read (repeatable, applied in
    /// order): how the harness's `x-` extensions are given to a document written for other
    /// tools, whose own `x-` keys are then kept and ignored.
    #[arg(long = "overlay", value_name = "FILE")]
    overlays: Vec<PathBuf>,
}

impl SpecArgs {
    /// The spec (with its overrides) and the timeout, or the exit status of a usage error.
    fn load(&self, target: &str) -> Result<(ProviderSpec, Duration), ExitCode> {
        let spec = super::flags::spec(&self.assume, &self.overlays, &self.spec)?;
        check_timeout(self.timeout)?;
        check_url(target)?;
        Ok((spec, Duration::from_secs_f64(self.timeout)))
    }
}

/// Flags every run takes.
#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Generated cases per trial: payloads per event (receiver mode), request bodies per
    /// operation (provider mode).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CASES)]
    cases: u32,
    /// The seed of every generated payload (printed in failure reports).
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Also write the outcomes as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Where each trial's transcript is kept as an insta snapshot (default: for a target,
    /// `snapshots/conformance/<provider>/`; for the embedded default run with default
    /// `--cases` and `--seed`, the repository's `snapshots/conformance/reference/`).
    #[arg(long, value_name = "DIR", conflicts_with = "no_snapshots")]
    snapshots: Option<PathBuf>,
    /// Do not compare or record transcripts.
    #[arg(long)]
    no_snapshots: bool,
    /// Fail a trial whose target breaks an assumed expectation (one the provider's docs do
    /// not state, only the spec's `x-assumptions` or the harness's own rules). Without it, such
    /// a trial passes with a warning, counted in the summary and marked in JUnit.
    #[arg(long)]
    strict: bool,
    /// The largest answer read from the target, in bytes; a larger one fails its trial with
    /// that reason, and no more of it is read.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_ANSWER_BYTES)]
    max_answer_bytes: usize,
    /// libtest arguments: `--list`, name filters, `--exact`, `--skip`, `--ignored`,
    /// `--test-threads`...
    #[arg(last = true, value_name = "LIBTEST-ARGS")]
    libtest: Vec<String>,
}

const DEFAULT_CASES: u32 = 32;
const DEFAULT_MAX_ANSWER_BYTES: usize = crate::check::DEFAULT_MAX_ANSWER_BYTES;

impl RunArgs {
    /// The flags of this run that shape its trials, as a reproduce command repeats them.
    fn reproduce(&self) -> String {
        let mut out = format!("--cases {} --seed {}", self.cases, self.seed);
        if self.strict {
            out.push_str(" --strict");
        }
        if self.max_answer_bytes != DEFAULT_MAX_ANSWER_BYTES {
            out.push_str(&format!(" --max-answer-bytes {}", self.max_answer_bytes));
        }
        if self.no_snapshots {
            out.push_str(" --no-snapshots");
        } else if let Some(dir) = &self.snapshots {
            out.push_str(&format!(
                " --snapshots {}",
                shell_word(&dir.display().to_string())
            ));
        }
        out
    }
}

impl SpecArgs {
    /// `--spec`, every `--overlay`, `--timeout` and every `--assume`, as a reproduce command
    /// repeats them.
    fn reproduce(&self) -> String {
        let mut out = format!("--spec {}", shell_word(&self.spec));
        for overlay in &self.overlays {
            out.push_str(&format!(
                " --overlay {}",
                shell_word(&overlay.display().to_string())
            ));
        }
        out.push_str(&format!(" --timeout {}", self.timeout));
        for assume in &self.assume {
            out.push_str(&format!(" --assume {}", shell_word(assume)));
        }
        out
    }
}

/// `word` quoted for a POSIX shell where it needs it.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Arguments of `conformance receiver`.
#[derive(Debug, clap::Args)]
struct ReceiverArgs {
    #[command(flatten)]
    spec: SpecArgs,
    /// The receiver's URL (where the provider would POST).
    #[arg(long, value_name = "URL")]
    target: String,
    /// The secret the receiver verifies signatures with (the provider's signing key), written
    /// as the spec's key says (`whsec_...` for Standard Webhooks). Required for a spec that
    /// signs, unless `--unsigned`.
    #[arg(long, value_name = "S", default_value = "")]
    secret: String,
    /// Check a receiver that does not verify signatures: deliveries go unsigned and the
    /// signature checks (`bad-signature`, `replay`) do not run.
    #[arg(long, conflicts_with = "secret")]
    unsigned: bool,
    #[command(flatten)]
    run: RunArgs,
}

/// Runs the trials; exit status 101 when one fails, as libtest.
pub fn run(args: &Args) -> ExitCode {
    run_as(super::XTASK, args)
}

/// Like [`run`], for a program called `program` (`cargo xtask`, `webhook-harness`): the
/// reproduce command of a failed trial starts with it.
pub fn run_as(program: &str, args: &Args) -> ExitCode {
    let runtime = match super::flags::runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match &args.mode {
        Some(Mode::Receiver(receiver)) => run_receiver(&runtime, program, receiver),
        Some(Mode::Provider(provider)) => run_provider(&runtime, program, provider),
        None => run_embedded(&runtime, program, args),
    }
}

fn run_receiver(
    runtime: &tokio::runtime::Runtime,
    program: &str,
    receiver: &ReceiverArgs,
) -> ExitCode {
    let (mut spec, timeout) = match receiver.spec.load(&receiver.target) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if receiver.unsigned {
        spec.signing
            .unsign("--unsigned: the receiver is checked without signature verification");
    } else if spec.signing.signs() && receiver.secret.is_empty() {
        eprintln!(
            "error: --secret is required: {} signs its deliveries ({}); give the secret your receiver verifies with, or --unsigned to check a receiver that does not verify signatures",
            spec.provider.name,
            spec.signing
                .schemes
                .iter()
                .map(|s| format!("header `{}`", s.header))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return exit::code(exit::USAGE);
    }
    // A secret that does not decode as the spec's key says would sign every delivery with a
    // wrong (or empty) key: refused before any request.
    if let Some(key) = spec.signing.key.as_ref()
        && !receiver.secret.is_empty()
        && let Err(why) = key.decode(&receiver.secret)
    {
        eprintln!(
            "error: --secret: the secret {why}; {} keys are {}",
            spec.provider.name,
            key.shape()
        );
        return exit::code(exit::USAGE);
    }
    let snapshots = snapshots(&receiver.run, || {
        Some(PathBuf::from("snapshots/conformance"))
    });
    let reproduce = format!(
        "{program} conformance receiver {} --target {} {} {}",
        receiver.spec.reproduce(),
        shell_word(&receiver.target),
        if receiver.unsigned {
            "--unsigned"
        } else {
            "--secret '<your secret>'"
        },
        receiver.run.reproduce()
    );
    let target = ReceiverTarget {
        spec,
        reproduce,
        settings: Settings {
            target: receiver.target.clone(),
            secret: receiver.secret.clone(),
            cases: receiver.run.cases,
            seed: receiver.run.seed,
            timeout,
        },
    };
    execute(
        runtime,
        (vec![target], Vec::new()),
        &receiver.run,
        snapshots,
        Some((&receiver.target, timeout)),
    )
}

fn run_provider(
    runtime: &tokio::runtime::Runtime,
    program: &str,
    provider: &ProviderArgs,
) -> ExitCode {
    let (spec, timeout) = match provider.spec.load(&provider.target) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let credentials = match Credentials::from_flags(&spec, &provider.credentials) {
        Ok(credentials) => credentials,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::code(exit::USAGE);
        }
    };
    let snapshots = snapshots(&provider.run, || {
        Some(PathBuf::from("snapshots/conformance"))
    });
    let mut reproduce = format!(
        "{program} conformance provider {} --target {}",
        provider.spec.reproduce(),
        shell_word(&provider.target),
    );
    if !provider.credentials.is_empty() {
        for tenant in &credentials.tenants {
            for name in tenant.secrets.keys() {
                reproduce.push_str(&format!(
                    " --credential '{name}=<{name} of {}>@{}'",
                    tenant.id, tenant.id
                ));
            }
        }
    }
    reproduce.push_str(&format!(" {}", provider.run.reproduce()));
    let target = ProviderTarget {
        spec,
        reproduce,
        settings: provider::Settings {
            target: provider.target.clone(),
            credentials,
            cases: provider.run.cases,
            seed: provider.run.seed,
            timeout,
        },
    };
    execute(
        runtime,
        (Vec::new(), vec![target]),
        &provider.run,
        snapshots,
        Some((&provider.target, timeout)),
    )
}

/// The embedded default: every built-in spec against its reference receiver and its mock.
fn run_embedded(runtime: &tokio::runtime::Runtime, program: &str, args: &Args) -> ExitCode {
    let embedded = match runtime.block_on(Embedded::start(args.run.cases, args.run.seed)) {
        Ok(embedded) => embedded,
        Err(error @ EmbeddedError::Spec(_)) => {
            eprintln!("{error}");
            return exit::code(exit::SPEC);
        }
        Err(error) => {
            eprintln!("error: {error}");
            return exit::code(exit::USAGE);
        }
    };
    // The committed transcripts of the reference receivers and mocks hold for the default
    // settings only.
    let snapshots = snapshots(&args.run, || {
        // (An installed binary whose checkout is gone has none: it runs without.)
        Some(Embedded::committed_snapshots())
            .filter(|dir| args.run.cases == DEFAULT_CASES && args.run.seed == 0 && dir.is_dir())
    });
    let mut receivers = embedded.receivers.clone();
    let mut providers = embedded.providers.clone();
    let only = args
        .only
        .as_deref()
        .map_or_else(String::new, |mode| format!(" --only {mode}"));
    let reproduce = format!("{program} conformance{only} {}", args.run.reproduce());
    for target in &mut receivers {
        target.reproduce.clone_from(&reproduce);
    }
    for target in &mut providers {
        target.reproduce.clone_from(&reproduce);
    }
    match args.only.as_deref() {
        Some("receiver") => providers.clear(),
        Some("provider") => receivers.clear(),
        _ => {}
    }
    execute(runtime, (receivers, providers), &args.run, snapshots, None)
}

/// The snapshot folder of a run: `--snapshots`, none with `--no-snapshots`, else `default`.
fn snapshots(run: &RunArgs, default: impl FnOnce() -> Option<PathBuf>) -> Option<Snapshots> {
    if run.no_snapshots {
        return None;
    }
    run.snapshots.clone().or_else(default).map(Snapshots::new)
}

/// One connection to the target before any trial: a target that is down fails the run at once,
/// with one message, instead of every trial waiting out its timeout. Listing trials needs no
/// target.
fn preflight(
    runtime: &tokio::runtime::Runtime,
    target: &str,
    timeout: Duration,
) -> Result<(), ExitCode> {
    runtime
        .block_on(crate::check::reachable(target, timeout))
        .map_err(|why| {
            eprintln!(
                "error: target unreachable: {why}; no trial ran. Is it running, and is --target `{target}` right?"
            );
            exit::code(exit::UNREACHABLE)
        })
}

fn check_timeout(seconds: f64) -> Result<(), ExitCode> {
    if seconds.is_nan() || seconds.is_infinite() || seconds <= 0.0 {
        eprintln!("error: --timeout must be a positive number of seconds");
        return Err(exit::code(exit::USAGE));
    }
    Ok(())
}

fn check_url(target: &str) -> Result<(), ExitCode> {
    if let Err(error) = reqwest::Url::parse(target)
        .map_err(|e| e.to_string())
        .and_then(|url| match url.scheme() {
            "http" | "https" => Ok(()),
            other => Err(format!("the scheme `{other}` is not http or https")),
        })
    {
        eprintln!("error: --target `{target}` is not an http(s) URL: {error}");
        return Err(exit::code(exit::USAGE));
    }
    Ok(())
}

/// Runs the trials of `targets` (receivers, providers): a filter that selects none of them is
/// a usage error; then, unless trials are only listed, the pre-flight of `external` (an
/// external target and the timeout), the warnings, and the trials with a progress line.
fn execute(
    runtime: &tokio::runtime::Runtime,
    (targets, providers): (Vec<ReceiverTarget>, Vec<ProviderTarget>),
    run: &RunArgs,
    snapshots: Option<Snapshots>,
    external: Option<(&str, Duration)>,
) -> ExitCode {
    let arguments = libtest_mimic::Arguments::from_iter(
        std::iter::once("conformance".to_string()).chain(run.libtest.iter().cloned()),
    );
    let warnings = runner::warnings(&targets.iter().map(|t| &t.spec).collect::<Vec<_>>());
    let shown_dir = snapshots.as_ref().map(|s| s.dir().display().to_string());
    let context = Context {
        strict: run.strict,
        max_answer_bytes: run.max_answer_bytes,
        ..Context::new(snapshots)
    };
    let mut trials = runner::receiver_trials(targets, runtime.handle(), &context);
    trials.extend(runner::provider_trials(
        providers,
        runtime.handle(),
        &context,
    ));
    if let Some(message) = runner::unmatched_filter(&arguments, &trials) {
        eprintln!("error: {message}");
        return exit::code(exit::USAGE);
    }
    if !arguments.list {
        if let Some((target, timeout)) = external
            && let Err(code) = preflight(runtime, target, timeout)
        {
            return code;
        }
        for warning in warnings {
            eprintln!("{warning}");
        }
        if let Some(dir) = shown_dir {
            eprintln!("transcripts: {dir}");
        }
    }
    let started = Instant::now();
    let conclusion = runner::run_with_progress(&arguments, trials, &context.journal);
    if !arguments.list {
        for line in report::summary(&context.journal, started.elapsed()) {
            println!("{line}");
        }
        if let Some(snapshots) = &context.snapshots
            && context.journal.snapshot_failures() != (0, 0)
        {
            println!("hint: {}", snapshots.review_advice());
        }
    }
    if let Some(path) = &run.junit
        && !arguments.list
    {
        if let Err(error) =
            report::write_junit(&context.journal, "webhook-harness conformance", path)
        {
            eprintln!("error: {error}");
            return exit::code(exit::USAGE);
        }
        eprintln!("JUnit XML: {}", path.display());
    }
    conclusion.exit_code()
}
