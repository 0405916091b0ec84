//! `cargo xtask generate`: print generated payloads as JSON lines.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::names;
use crate::generate::{Generator, Mode};

use super::exit;

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["event", "endpoint"])))]
pub struct Args {
    /// A built-in spec name (`swsh`) or a spec file path.
    #[arg(long, value_name = "NAME|PATH")]
    spec: String,
    /// An event, spelled as in the spec (`product/image/created`).
    #[arg(long, value_name = "EVENT")]
    event: Option<String>,
    /// An endpoint's `operationId`: its request body is generated.
    #[arg(long, value_name = "OPERATION")]
    endpoint: Option<String>,
    /// `valid` (typical values), `edge` (boundaries, unusual text, nulls, extra fields; first
    /// the values that together take every branch, enum value, optional field and bound, and
    /// long strings and arrays where nothing bounds them, even past `--count`) or `invalid` (one
    /// labelled violation each).
    #[arg(long, default_value = "valid", value_name = "MODE")]
    mode: Mode,
    /// How many values (at least; edge mode prints every covering value).
    #[arg(long, default_value_t = 10, value_name = "N")]
    count: usize,
    /// The seed: the same seed prints the same values. Default: a fresh one, printed on stderr.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Replace an assumption of the spec for this run, e.g. `--assume digest-encoding=base64`.
    #[arg(long = "assume", value_name = "ID=VALUE")]
    assume: Vec<String>,
    /// An OpenAPI Overlay 1.0 file applied to the spec before it is read (repeatable, applied in
    /// order): how the harness's `x-` extensions are given to a document written for other
    /// tools, whose own `x-` keys are then kept and ignored.
    #[arg(long = "overlay", value_name = "FILE")]
    overlays: Vec<PathBuf>,
}

/// Prints `count` values, one JSON document per line. Invalid values print as
/// `{"label": {...}, "value": ...}`.
pub fn run(args: &Args) -> ExitCode {
    let spec = match super::flags::spec(&args.assume, &args.overlays, &args.spec) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let unknown = match (&args.event, &args.endpoint) {
        (Some(event), _) => names::unknown_event(&spec, event),
        (None, Some(operation)) => names::unknown_operation(&spec, operation),
        (None, None) => None,
    };
    if let Some(message) = unknown {
        eprintln!("error: {message}");
        return exit::code(exit::USAGE);
    }
    let generator = Generator::new(&spec);
    let schema = match (&args.event, &args.endpoint) {
        (Some(event), _) => generator.event(event),
        (None, Some(operation)) => generator.request(operation),
        (None, None) => unreachable!("clap requires one of --event and --endpoint"),
    };
    let schema = match schema {
        Ok(schema) => schema,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::code(exit::SPEC);
        }
    };
    let seed = args.seed.unwrap_or_else(fresh_seed);
    if args.seed.is_none() {
        eprintln!("seed: {seed} (pass --seed {seed} to print the same values again)");
    }
    // Edge mode opens with the values that cover every option of the schema, then draws.
    let covering = match args.mode {
        Mode::Edge => match schema.edge_cover(seed) {
            Ok(cover) => cover.values,
            Err(error) => {
                eprintln!("error: {error}");
                return exit::code(exit::SPEC);
            }
        },
        _ => Vec::new(),
    };
    let drawn = args.count.saturating_sub(covering.len());
    let samples = match schema.sample(args.mode, seed, drawn) {
        Ok(samples) => covering
            .into_iter()
            .map(|value| crate::generate::Sample { value, label: None })
            .chain(samples),
        Err(error) => {
            eprintln!("error: {error}");
            return exit::code(exit::SPEC);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for sample in samples {
        let line = match &sample.label {
            None => serde_json::to_string(&sample.value),
            Some(_) => serde_json::to_string(&sample),
        };
        if writeln!(out, "{}", line.unwrap_or_default()).is_err() {
            break; // A closed pipe (`| head`) is not an error.
        }
    }
    let _ = out.flush();
    exit::code(exit::OK)
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
}
