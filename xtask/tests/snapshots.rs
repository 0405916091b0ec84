//! Transcripts as insta snapshots, as insta users expect them: new ones are pending until
//! reviewed (never written in CI), `INSTA_UPDATE` and `INSTA_FORCE_PASS` work as insta documents,
//! a failed trial never becomes the baseline, and stale pending files go once a trial matches.

mod common;

use common::receiver;

use std::path::Path;
use std::process::{Command, Output};

use webhook_harness::check::receiver::faults::Fault;

const TRIAL: &str = "swsh::redelivery::newPhoto";

/// One run of `TRIAL` against `target` from the folder `cwd`, with the environment `env` (and
/// no other INSTA_ or CI variable), its transcripts under `--snapshots snaps`.
fn run(cwd: &Path, target: &str, seed: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(cwd).args([
        "conformance",
        "receiver",
        "--spec",
        "swsh",
        "--target",
        target,
        "--cases",
        "2",
        "--seed",
        seed,
        "--snapshots",
        "snaps",
        "--",
        "--exact",
        TRIAL,
    ]);
    for (name, _) in std::env::vars() {
        if name.starts_with("INSTA_") || name == "CI" {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    (
        status.code(),
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    )
}

#[test]
fn a_new_transcript_is_pending_until_reviewed_and_never_written_in_ci() {
    let dir = tempfile::tempdir().unwrap();
    let (_rt, good) = receiver(Fault::None);
    let snap = dir.path().join("snaps/swsh/redelivery__newPhoto.snap");
    let pending = dir.path().join("snaps/swsh/redelivery__newPhoto.snap.new");

    // In CI, a missing snapshot fails the trial and nothing is written.
    let (code, out) = run(dir.path(), &good.url(), "0", &[("CI", "true")]);
    assert_eq!(code, Some(101), "{out}");
    assert!(out.contains("no snapshot of this trial yet"), "{out}");
    assert!(!snap.exists() && !pending.exists(), "{out}");

    // Locally, it fails too, and waits in `.snap.new`, named after the trial, for review.
    let (code, out) = run(dir.path(), &good.url(), "0", &[]);
    assert_eq!(code, Some(101), "{out}");
    assert!(
        out.contains("waits in snaps/swsh/redelivery__newPhoto.snap.new")
            && out.contains("`cargo insta review` looks only inside cargo packages' folders"),
        "{out}"
    );
    assert!(!snap.exists(), "{out}");
    assert!(
        out.contains(
            "1 trial failed on its transcript alone (1 without a snapshot yet, 0 changed)"
        ) && out.contains("hint: `cargo insta review` looks only inside"),
        "{out}"
    );
    let text = std::fs::read_to_string(&pending).unwrap();
    assert!(
        text.contains(&format!("description: \"{TRIAL}\"")) && text.contains("-> 200"),
        "{text}"
    );

    // INSTA_FORCE_PASS passes the comparison (the transcript still waits for review).
    let (code, out) = run(dir.path(), &good.url(), "0", &[("INSTA_FORCE_PASS", "1")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(pending.exists() && !snap.exists());

    // INSTA_UPDATE=always records it; the next run matches and the stale pending file goes.
    let (code, out) = run(dir.path(), &good.url(), "0", &[("INSTA_UPDATE", "always")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(snap.exists(), "{out}");
    std::fs::write(&pending, "stale").unwrap();
    let (code, out) = run(dir.path(), &good.url(), "0", &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        !pending.exists(),
        "the stale pending file is removed: {out}"
    );
}

#[test]
fn a_failed_trial_never_becomes_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snaps/swsh/redelivery__newPhoto.snap");
    let pending = dir.path().join("snaps/swsh/redelivery__newPhoto.snap.new");
    let (_rt, good) = receiver(Fault::None);
    let (code, out) = run(dir.path(), &good.url(), "0", &[("INSTA_UPDATE", "always")]);
    assert_eq!(code, Some(0), "{out}");
    let baseline = std::fs::read_to_string(&snap).unwrap();
    assert!(baseline.contains("-> 200"), "{baseline}");

    // The receiver now refuses redeliveries: the trial fails; even with INSTA_UPDATE=always its
    // transcript only waits for review.
    let (_rt2, changed) = receiver(Fault::ConflictOnRedelivery);
    for update in ["always", "auto"] {
        let (code, out) = run(dir.path(), &changed.url(), "0", &[("INSTA_UPDATE", update)]);
        assert_eq!(code, Some(101), "{update}: {out}");
        assert_eq!(
            std::fs::read_to_string(&snap).unwrap(),
            baseline,
            "{update}: the baseline is kept: {out}"
        );
        let waiting = std::fs::read_to_string(&pending).unwrap();
        assert!(waiting.contains("-> 409"), "{update}: {waiting}");
        assert!(
            out.contains("-> 409"),
            "{update}: insta prints the diff: {out}"
        );
        std::fs::remove_file(&pending).unwrap();
    }

    // A trial without a snapshot that fails is not recorded either.
    std::fs::remove_file(&snap).unwrap();
    let (code, out) = run(
        dir.path(),
        &changed.url(),
        "0",
        &[("INSTA_UPDATE", "always")],
    );
    assert_eq!(code, Some(101), "{out}");
    assert!(!snap.exists() && pending.exists(), "{out}");
}

#[test]
fn a_changed_transcript_of_a_passing_trial_fails_until_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snaps/swsh/redelivery__newPhoto.snap");
    let pending = dir.path().join("snaps/swsh/redelivery__newPhoto.snap.new");
    let (_rt, good) = receiver(Fault::None);
    let (code, out) = run(dir.path(), &good.url(), "0", &[("INSTA_UPDATE", "always")]);
    assert_eq!(code, Some(0), "{out}");
    let baseline = std::fs::read_to_string(&snap).unwrap();
    // Another seed sends other payloads: the trial passes its check, its transcript differs.
    let (code, out) = run(dir.path(), &good.url(), "7", &[]);
    assert_eq!(code, Some(101), "{out}");
    assert!(
        out.contains("differs from its snapshot snaps/swsh/"),
        "{out}"
    );
    assert!(pending.exists());
    assert_eq!(std::fs::read_to_string(&snap).unwrap(), baseline);
    let (code, out) = run(dir.path(), &good.url(), "7", &[("INSTA_UPDATE", "always")]);
    assert_eq!(code, Some(0), "{out}");
    assert_ne!(std::fs::read_to_string(&snap).unwrap(), baseline);
}

#[test]
fn inside_a_package_the_advice_is_cargo_insta_review_and_it_accepts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"my-receiver\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    let (_rt, good) = receiver(Fault::None);
    let (code, out) = run(dir.path(), &good.url(), "0", &[]);
    assert_eq!(code, Some(101), "{out}");
    assert!(
        out.contains("review with `cargo insta review` (or `cargo insta accept`"),
        "{out}"
    );
    // With cargo-insta installed, its own commands find and accept the pending transcript.
    let insta = Command::new("cargo")
        .args(["insta", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !insta {
        eprintln!("skipped the cargo-insta half: `cargo insta` is not installed");
        return;
    }
    let accepted = Command::new("cargo")
        .args(["insta", "accept"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
    assert!(
        dir.path()
            .join("snaps/swsh/redelivery__newPhoto.snap")
            .is_file()
    );
    let (code, out) = run(dir.path(), &good.url(), "0", &[]);
    assert_eq!(code, Some(0), "{out}");
}
