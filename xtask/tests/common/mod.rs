//! What the command-line tests share: the built binary, and reference receivers on their own
//! runtimes.

#![allow(dead_code)] // each test file uses its own part

use std::process::Command;

use webhook_harness::check::receiver::faults::Fault;
use webhook_harness::reference::ReferenceReceiver;
use webhook_harness::spec::ProviderSpec;

/// The built `xtask` binary.
pub fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

/// A reference receiver of `provider` verifying with `secret`, with `fault`, on 127.0.0.1 and
/// its own runtime (kept alive by the caller).
pub fn reference(
    provider: &str,
    secret: &str,
    fault: Fault,
) -> (tokio::runtime::Runtime, ReferenceReceiver) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let spec = ProviderSpec::load(provider).unwrap();
    let receiver = runtime
        .block_on(ReferenceReceiver::start_with(spec, secret, fault))
        .unwrap();
    (runtime, receiver)
}

/// A swsh receiver (which signs nothing) with `fault`.
pub fn receiver(fault: Fault) -> (tokio::runtime::Runtime, ReferenceReceiver) {
    reference("swsh", "", fault)
}
