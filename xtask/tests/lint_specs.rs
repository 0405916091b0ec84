//! `cargo xtask lint-specs` as a user runs it: exit statuses and what it prints.

mod common;

use common::xtask;

use std::path::Path;

fn specs() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs"))
}

#[test]
fn the_built_in_specs_pass_with_a_coverage_table() {
    let out = xtask().arg("lint-specs").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for provider in [
        "betterez",
        "happycolis",
        "standard-webhooks",
        "swsh",
        "uc-alxgsv",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(provider)),
            "{provider} missing from the table:\n{stdout}"
        );
    }
    assert!(stdout.contains("assumptions ("));
    assert!(stdout.contains("webhook-response-shows-group [invalid example]"));
    assert!(stdout.contains("lint-specs: ok (5 specs)"));
}

/// A copy of the repository's specs and fixtures in a temporary folder, with `edit` applied to
/// the text of `specs/<name>.yaml`.
fn broken_copy(
    name: &str,
    edit: impl Fn(&str) -> String,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["specs", "fixtures"] {
        copy_tree(&specs().join("..").join(sub), &dir.path().join(sub));
    }
    let file = dir.path().join("specs").join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&file, edited).unwrap();
    (dir, file)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_broken_ref_fails_with_the_file_and_pointer() {
    let (_dir, file) = broken_copy("swsh", |t| {
        t.replacen("#/components/schemas/", "#/components/schemas/Missing", 1)
    });
    let out = xtask()
        .args(["lint-specs", "--spec"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("swsh.yaml at /"), "{stderr}");
    assert!(stderr.contains("does not resolve"), "{stderr}");
}

#[test]
fn a_broken_example_fails_with_the_file_and_pointer() {
    // The Betterez fixture's image id, changed in the spec's example only: the example no longer
    // matches its fixture, and no longer matches the ObjectId pattern.
    let (_dir, file) = broken_copy("betterez", |t| {
        t.replace(
            "imageId: 5f243d100617680712e78dd7",
            "imageId: not-an-object-id",
        )
    });
    let out = xtask()
        .args(["lint-specs", "--spec"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("error: ") && stdout.contains("betterez.yaml at /webhooks/images.deleted"),
        "{stdout}"
    );
    assert!(stdout.contains("does not match"), "{stdout}");
}

#[test]
fn a_bad_assume_flag_is_a_usage_error() {
    let out = xtask()
        .args(["lint-specs", "--assume", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ID=VALUE"));
}
