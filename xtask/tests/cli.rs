//! What users and scripts rely on from the command line: exit statuses, "did you mean", one
//! report per transport failure, and the progress line only on a terminal.

use std::process::{Command, Output};

fn xtask() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.env_remove("CI");
    command
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = xtask().args(args).output().unwrap();
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn a_misspelt_spec_is_a_usage_error_with_a_suggestion() {
    for command in [
        &[
            "conformance",
            "receiver",
            "--spec",
            "swhs",
            "--target",
            "http://127.0.0.1:9/",
        ][..],
        &[
            "conformance",
            "provider",
            "--spec",
            "swhs",
            "--target",
            "http://127.0.0.1:9/",
        ],
        &["mock", "--spec", "swhs"],
        &["lint-specs", "--spec", "swhs"],
        &["generate", "--spec", "swhs", "--event", "newPhoto"],
    ] {
        let (code, _, stderr) = run(command);
        assert_eq!(code, Some(2), "{command:?}: {stderr}");
        assert!(
            stderr.contains("no built-in spec is named so")
                && stderr.contains("did you mean `swsh`?"),
            "{command:?}: {stderr}"
        );
    }
    let (code, _, stderr) = run(&["lint-specs", "--spec", "no/such/spec.yaml"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no such file"), "{stderr}");
}

#[test]
fn a_misspelt_assumption_is_a_usage_error_with_a_suggestion() {
    for command in [
        &[
            "lint-specs",
            "--spec",
            "betterez",
            "--assume",
            "digest-encodng=base64",
        ][..],
        &[
            "conformance",
            "receiver",
            "--spec",
            "betterez",
            "--assume",
            "digest-encodng=base64",
            "--target",
            "http://127.0.0.1:9/",
            "--secret",
            "s",
        ],
    ] {
        let (code, _, stderr) = run(command);
        assert_eq!(code, Some(2), "{command:?}: {stderr}");
        assert!(
            stderr.contains("has no assumption `digest-encodng`")
                && stderr.contains("did you mean `digest-encoding`?"),
            "{command:?}: {stderr}"
        );
    }
    // A known assumption with a value it does not accept is the command line's fault too.
    let (code, _, stderr) = run(&[
        "lint-specs",
        "--spec",
        "betterez",
        "--assume",
        "digest-encoding=rot13",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not an accepted value"), "{stderr}");
}

#[test]
fn a_misspelt_event_or_operation_is_a_usage_error_with_a_suggestion() {
    let (code, _, stderr) = run(&["generate", "--spec", "swsh", "--event", "newPhotos"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("did you mean `newPhoto`?"), "{stderr}");
    let (code, _, stderr) = run(&[
        "generate",
        "--spec",
        "swsh",
        "--endpoint",
        "createSubscriptions",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("did you mean `createSubscription`?"),
        "{stderr}"
    );
}

#[test]
fn a_filter_that_matches_no_trial_is_a_usage_error_with_a_suggestion() {
    let (code, stdout, stderr) = run(&["conformance", "--", "bad-signatur::"]);
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("matches none of the") && stderr.contains("`bad-signature"),
        "{stderr}"
    );
    assert!(!stdout.contains("test result"), "no trial ran: {stdout}");
    let (code, _, stderr) = run(&["conformance", "--", "--exact", "swsh::edge::newAlbm"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("did you mean `swsh::edge::newAlbum`?"),
        "{stderr}"
    );
    // Listing with a filter that matches is fine, and needs no target.
    let (code, stdout, _) = run(&["conformance", "--", "--list", "swsh::edge::"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("swsh::edge::newAlbum: test"), "{stdout}");
}

/// A target that accepts one connection (the pre-flight's) and then goes away: every request of
/// the run is refused.
fn dies_after_the_preflight() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let _ = listener.accept();
    });
    format!("http://{address}/hook")
}

#[test]
fn a_target_that_dies_gets_one_full_report_and_a_count() {
    let target = dies_after_the_preflight();
    let (code, stdout, stderr) = run(&[
        "conformance",
        "receiver",
        "--spec",
        "swsh",
        "--target",
        &target,
        "--cases",
        "2",
        "--no-snapshots",
    ]);
    assert_eq!(code, Some(101), "{stdout}\n{stderr}");
    let failed: usize = stdout
        .lines()
        .filter(|l| l.starts_with("test ") && l.ends_with("FAILED"))
        .count();
    assert!(failed > 3, "{stdout}");
    // The full report (with the request sent) once; the others in three lines.
    assert_eq!(stdout.matches("request: POST").count(), 1, "{stdout}");
    assert_eq!(
        stdout
            .matches("no answer, as in the full report of")
            .count(),
        failed - 1,
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l
            == format!("{failed} trials failed: target unresponsive (last: could not connect: Connection refused (os error 111))")),
        "{stdout}"
    );
}

#[test]
fn no_progress_line_when_standard_error_is_not_a_terminal() {
    let (code, _, stderr) = run(&["conformance", "--only", "receiver", "--no-snapshots"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("running: "), "{stderr}");
    assert!(!stderr.contains('\r'), "{stderr}");
}

#[test]
fn a_progress_line_on_a_terminal_for_a_run_longer_than_a_second() {
    // `script` (util-linux) runs the command on a pseudo-terminal.
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "`script` is needed to check the progress line on a terminal"
        );
        eprintln!("skipped: `script` is not installed");
        return;
    }
    // A target that accepts connections and never answers: each trial waits out its timeout.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().flatten().collect();
        drop(held);
    });
    let command = format!(
        "{} conformance receiver --spec swsh --target http://{address}/hook --cases 1 --timeout 1.5 --no-snapshots -- --test-threads 2",
        env!("CARGO_BIN_EXE_xtask")
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("CI")
        .output()
        .unwrap();
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(
        terminal.contains("running: ") && terminal.contains("/33 trials done"),
        "{terminal}"
    );
}
