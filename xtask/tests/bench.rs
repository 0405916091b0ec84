//! `cargo xtask bench`: its help names the sections and the peers. Nothing here times anything.

use std::process::Command;

#[test]
fn help_names_the_peers_and_the_conformance_section() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--help"])
        .output()
        .expect("the xtask binary runs");
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8_lossy(&output.stdout);
    for word in [
        "--peers",
        "conformance",
        "signing",
        "--only",
        "--quick",
        "Prism",
        "Schemathesis",
    ] {
        assert!(
            help.contains(word),
            "`bench --help` does not mention {word}:\n{help}"
        );
    }
}

#[test]
fn only_needs_a_section() {
    // A debug build re-runs itself in release mode before it checks the section's name, so
    // only clap's side of `--only` is checked here: it is a usage error, and nothing runs.
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--only"])
        .output()
        .expect("the xtask binary runs");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}
