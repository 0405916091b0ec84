//! Flags several subcommands share.

use std::path::PathBuf;
use std::process::ExitCode;

use super::names;
use crate::spec::Loader;

use super::exit;

/// A loader with the `--overlay FILE`s and the `--assume ID=VALUE` overrides; a malformed
/// override, or an overlay that is not a file, is a usage error.
pub fn loader(assume: &[String], overlays: &[PathBuf]) -> Result<Loader, ExitCode> {
    let mut loader = Loader::new();
    for overlay in overlays {
        if !overlay.is_file() {
            eprintln!("error: --overlay {}: no such file", overlay.display());
            return Err(exit::code(exit::USAGE));
        }
        loader = loader.overlay(overlay);
    }
    for arg in assume {
        loader = loader.assume_arg(arg).map_err(|message| {
            eprintln!("error: {message}");
            exit::code(exit::USAGE)
        })?;
    }
    Ok(loader)
}

/// The multi-threaded runtime the async commands run on; failing to start it is reported.
pub fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("error: cannot start the async runtime: {error}");
            exit::code(exit::USAGE)
        })
}

/// The spec named by `--spec`, with the `--overlay` files and the `--assume` overrides. A name or
/// path that names nothing, or an override the spec refuses (an unknown id, a value it does not
/// accept), is a usage error; a broken spec is reported with every error, file and pointer.
pub fn spec(
    assume: &[String],
    overlays: &[PathBuf],
    name: &str,
) -> Result<crate::spec::ProviderSpec, ExitCode> {
    if let Some(message) = names::unknown_spec(name) {
        eprintln!("error: {message}");
        return Err(exit::code(exit::USAGE));
    }
    loader(assume, overlays)?.load(name).map_err(|errors| {
        // The spec loads without the overrides: the command line is at fault, not the spec.
        if !assume.is_empty()
            && let Ok(plain) =
                loader(&[], overlays).and_then(|l| l.load(name).map_err(|_| exit::code(exit::SPEC)))
        {
            let unknown = names::unknown_assumptions(&plain, assume);
            if unknown.is_empty() {
                eprintln!("{errors}");
            }
            for message in unknown {
                eprintln!("error: {message}");
            }
            return exit::code(exit::USAGE);
        }
        eprintln!("{errors}");
        exit::code(exit::SPEC)
    })
}
