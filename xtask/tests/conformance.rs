//! `cargo xtask conformance` as a user runs it.

use std::process::Command;

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

#[test]
fn the_embedded_default_passes_with_a_libtest_summary() {
    let out = xtask().arg("conformance").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("test result: ok."), "{stdout}");
    assert!(
        stdout.contains("[receiver] happycolis::bad-signature::product/image/created"),
        "{stdout}"
    );
    assert!(
        stderr.contains("swsh deliveries carry no signature"),
        "the warning: {stderr}"
    );
}

#[test]
fn libtest_arguments_pass_through() {
    let out = xtask()
        .args(["conformance", "--", "--list"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("uc-alxgsv::generated::file.created")),
        "{stdout}"
    );
    let out = xtask()
        .args([
            "conformance",
            "--",
            "--exact",
            "betterez::documented-example::images.created",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 passed") && stdout.contains("filtered out"),
        "{stdout}"
    );
}

#[test]
fn a_dead_target_fails_with_status_101_and_a_report() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "swsh",
            "--target",
            &format!("http://{closed}/hook"),
            "--cases",
            "2",
            "--timeout",
            "2",
            "--",
            "--test-threads",
            "1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(stdout.contains("response: none"), "{stdout}");
    assert!(
        stdout.contains("reproduce: cargo xtask conformance receiver --spec swsh"),
        "{stdout}"
    );
}
