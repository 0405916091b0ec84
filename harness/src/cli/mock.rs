//! `cargo xtask mock`: a mock provider as a standalone server.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::mock::MockProvider;
use serde_json::json;

use super::exit;

/// Arguments of `mock`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A built-in spec name (`swsh`) or a spec file path.
    #[arg(long, value_name = "NAME|PATH")]
    spec: String,
    /// The port on 127.0.0.1 (default: one the OS chooses, printed at start).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Set a credential: `SCHEME=VALUE[@TENANT]` (tenant default `tenant-a`), e.g.
    /// `--credential bearerAuth=sk_test@8a540ce633522d881e97`. Repeatable. Default: two
    /// tenants, `tenant-a` and `tenant-b`, with a secret for every credential, printed at start.
    #[arg(long = "credential", value_name = "SCHEME=VALUE[@TENANT]")]
    credentials: Vec<String>,
    /// Accept `http://` target URLs where the provider only accepts `https://` (for local
    /// receivers).
    #[arg(long)]
    allow_http_targets: bool,
    /// The seed of generated ids and secrets (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Print where it listens and the credentials as one JSON object on the first line of
    /// standard output, for scripts.
    #[arg(long)]
    json: bool,
    /// Close a connection whose request headers take longer than this to arrive, from their
    /// first byte (milliseconds).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    header_timeout_ms: u64,
    /// Close a connection that waits this long for its next request (milliseconds); also the
    /// time a request body has to arrive (408 beyond).
    #[arg(long, value_name = "MS", default_value_t = 60_000)]
    idle_timeout_ms: u64,
    /// Serve at most this many connections at once; beyond, new clients wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Retry without waiting and give each delivery attempt 2 s, for tests (the provider's
    /// attempt count stays); the flags below override it.
    #[arg(long)]
    fast: bool,
    /// Retries after a failed first delivery attempt, for a provider that retries (default:
    /// the spec's `x-delivery.retry`).
    #[arg(long, value_name = "N")]
    retries: Option<u32>,
    /// The wait before the first retry (milliseconds; default: the spec's, 0 with `--fast`).
    #[arg(long, value_name = "MS")]
    backoff_ms: Option<u64>,
    /// The longest wait between retries (milliseconds; default: the spec's, 0 with `--fast`).
    #[arg(long, value_name = "MS")]
    max_backoff_ms: Option<u64>,
    /// The time limit of one delivery attempt, connecting included (milliseconds; default:
    /// the spec's `x-delivery.timeoutMs`).
    #[arg(long, value_name = "MS")]
    delivery_timeout_ms: Option<u64>,
    /// Replace an assumption of the spec, e.g. `--assume subscription-id-format=wh_{uuid}`.
    #[arg(long = "assume", value_name = "ID=VALUE")]
    assume: Vec<String>,
    /// An OpenAPI Overlay 1.0 file applied to the spec before it is read (repeatable, applied in
    /// order): how the harness's `x-` extensions are given to a document written for other
    /// tools, whose own `x-` keys are then kept and ignored.
    #[arg(long = "overlay", value_name = "FILE")]
    overlays: Vec<PathBuf>,
}

/// Starts the mock and serves until Ctrl-C or SIGTERM.
pub fn run(args: &Args) -> ExitCode {
    let runtime = match super::flags::runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(serve(args))
}

async fn serve(args: &Args) -> ExitCode {
    let spec = match super::flags::spec(&args.assume, &args.overlays, &args.spec) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let retry = crate::mock::DeliveryPolicy::of(&spec.delivery);
    let mut builder = MockProvider::builder(spec)
        .port(args.port)
        .allow_http_targets(args.allow_http_targets)
        .header_timeout(Duration::from_millis(args.header_timeout_ms))
        .idle_timeout(Duration::from_millis(args.idle_timeout_ms))
        .max_connections(args.max_connections as usize);
    if let Some(seed) = args.seed {
        builder = builder.seed(seed);
    }
    if args.fast {
        builder = builder.fast();
    }
    if let Some(retries) = args.retries {
        builder = builder.retries(retries);
    }
    if args.backoff_ms.is_some() || args.max_backoff_ms.is_some() {
        // The one not given stays as it was: the spec's, or none with `--fast`.
        let (initial, longest) = if args.fast {
            (Duration::ZERO, Duration::ZERO)
        } else {
            (retry.initial_backoff, retry.max_backoff)
        };
        let initial = args.backoff_ms.map_or(initial, Duration::from_millis);
        let longest = args.max_backoff_ms.map_or(longest, Duration::from_millis);
        builder = builder.backoff(initial, longest);
    }
    if let Some(timeout) = args.delivery_timeout_ms {
        builder = builder.delivery_timeout(Duration::from_millis(timeout));
    }
    for arg in &args.credentials {
        builder = match builder.credential_arg(arg) {
            Ok(builder) => builder,
            Err(error) => {
                eprintln!("error: {error}");
                return exit::code(exit::USAGE);
            }
        };
    }
    let provider = match builder.start().await {
        Ok(provider) => provider,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::code(exit::USAGE);
        }
    };
    // Listen for the stop signals before saying the mock is up: a script that reads the first
    // line and sends SIGTERM at once must get a clean stop, not the default action.
    let stop = Stop::listen();
    if args.json {
        let line = json!({
            "provider": provider.spec().provider.id,
            "uri": provider.uri(),
            "port": provider.address().port(),
            "credentials": provider.credentials(),
            "delivery": delivery_json(&provider.delivery_policy()),
        });
        println!("{line}");
    } else {
        println!(
            "{} mock listening on {}",
            provider.spec().provider.name,
            provider.uri()
        );
        for tenant in &provider.credentials().tenants {
            let secrets: Vec<String> = tenant
                .secrets
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            println!("  tenant {}: {}", tenant.id, secrets.join("  "));
        }
        println!("Ctrl-C or SIGTERM stops it.");
    }
    stop.wait().await;
    eprintln!("shutting down");
    provider.shutdown().await;
    exit::code(exit::OK)
}

/// The signals that stop the mock (Ctrl-C, and SIGTERM on Unix), listened for from creation.
struct Stop {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Stop {
    fn listen() -> Self {
        Self {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some(mut term) = self.term {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How the mock retries and times deliveries, for the `--json` line.
fn delivery_json(policy: &crate::mock::DeliveryPolicy) -> serde_json::Value {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    json!({
        "attempts": policy.attempts,
        "backoff_ms": ms(policy.initial_backoff),
        "max_backoff_ms": ms(policy.max_backoff),
        "timeout_ms": ms(policy.timeout),
    })
}
