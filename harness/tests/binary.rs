//! The `webhook-harness` binary (what `cargo install` gives): the same commands as `cargo xtask`,
//! under its own name in `--help` and in the reproduce command of a failed trial.

use std::process::Command;

use webhook_harness::check::receiver::faults::Fault;
use webhook_harness::reference::ReferenceReceiver;
use webhook_harness::spec::ProviderSpec;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_webhook-harness"))
}

#[test]
fn help_names_the_installed_program() {
    let out = binary().arg("--help").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("Usage: webhook-harness <COMMAND>"),
        "{stdout}"
    );
    for command in ["conformance", "lint-specs", "generate", "mock"] {
        assert!(stdout.contains(command), "{command} missing: {stdout}");
    }
    let out = binary().arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(version.starts_with("webhook-harness "), "{version}");
    let out = binary().args(["conformance", "--spec"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_failed_trial_is_reproduced_with_the_installed_program() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let spec = ProviderSpec::load("swsh").unwrap();
    let faulty = runtime
        .block_on(ReferenceReceiver::start_with(
            spec,
            "",
            Fault::ConflictOnRedelivery,
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = binary()
        .current_dir(dir.path())
        .args([
            "conformance",
            "receiver",
            "--spec",
            "swsh",
            "--target",
            &faulty.url(),
            "--cases",
            "2",
            "--no-snapshots",
            "--",
            "redelivery",
        ])
        .env_remove("CI")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(
        stdout.contains("reproduce: webhook-harness conformance receiver --spec swsh"),
        "{stdout}"
    );
    assert!(!stdout.contains("cargo xtask"), "{stdout}");
}
