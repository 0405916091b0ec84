//! Exit statuses, in one place. Scripts depend on them.

use std::process::ExitCode;

/// Everything passed.
pub const OK: u8 = 0;
/// A spec (or a fixture) is broken: the message names the file and the JSON Pointer.
pub const SPEC: u8 = 1;
/// The command line is wrong (clap also uses 2).
pub const USAGE: u8 = 2;
/// The target of a conformance run could not be reached (the pre-flight connection failed):
/// no trial ran.
pub const UNREACHABLE: u8 = 3;

/// Turns one of the constants into an [`ExitCode`].
pub fn code(status: u8) -> ExitCode {
    ExitCode::from(status)
}
