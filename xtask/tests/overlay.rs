//! `--overlay FILE` as a user gives it: a document written for other tools (Parcelbox's OpenAPI
//! file) with the harness's extensions in an OpenAPI Overlay, on every command that takes
//! `--spec`, and in the reproduce command of a failure report.

use std::path::PathBuf;
use std::process::{Command, Output};

use webhook_harness::check::receiver::faults::Fault;
use webhook_harness::reference::ReferenceReceiver;
use webhook_harness::spec::Loader;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn foreign(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../harness/tests/specs/foreign")
        .join(file)
        .canonicalize()
        .unwrap()
        .display()
        .to_string()
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("CI")
        .output()
        .unwrap();
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn receiver_run(fault: Fault, extra: &[&str]) -> (Option<i32>, String, String) {
    let (document, overlay) = (
        foreign("parcelbox.openapi.json"),
        foreign("parcelbox.overlay.yaml"),
    );
    let spec = Loader::new()
        .overlay(&overlay)
        .load(&document)
        .unwrap_or_else(|e| panic!("{e}"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let receiver = runtime
        .block_on(ReferenceReceiver::start_with(spec, SECRET, fault))
        .unwrap();
    let target = receiver.url();
    let mut args = vec![
        "conformance",
        "receiver",
        "--spec",
        &document,
        "--overlay",
        &overlay,
        "--target",
        &target,
        "--secret",
        SECRET,
        "--cases",
        "4",
        "--no-snapshots",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn receiver_mode_passes_on_a_foreign_document_with_its_overlay() {
    let (code, stdout, stderr) = receiver_run(Fault::None, &[]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("parcelbox::bad-signature::parcel.shipped"),
        "{stdout}"
    );
}

#[test]
fn the_reproduce_command_carries_the_overlay() {
    let (code, stdout, stderr) = receiver_run(
        Fault::RejectsEverything,
        &[
            "--",
            "--exact",
            "parcelbox::documented-example::parcel.shipped",
        ],
    );
    assert_eq!(code, Some(101), "{stdout}\n{stderr}");
    let expected = format!(
        "reproduce: cargo xtask conformance receiver --spec {} --overlay {} --timeout 10 --target",
        foreign("parcelbox.openapi.json"),
        foreign("parcelbox.overlay.yaml")
    );
    assert!(stdout.contains(&expected), "{stdout}");
}

#[test]
fn lint_specs_and_generate_take_the_overlay() {
    let (document, overlay) = (
        foreign("parcelbox.openapi.json"),
        foreign("parcelbox.overlay.yaml"),
    );
    let (code, stdout, stderr) = run(&["lint-specs", "--spec", &document, "--overlay", &overlay]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout
            .matches("`x-stoplight` is another tool's extension")
            .count(),
        1,
        "{stdout}"
    );
    assert!(stdout.contains("lint-specs: ok (1 specs)"), "{stdout}");

    let (code, stdout, stderr) = run(&[
        "generate",
        "--spec",
        &document,
        "--overlay",
        &overlay,
        "--event",
        "parcel.delivered",
        "--count",
        "3",
        "--seed",
        "1",
    ]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");

    // Without the overlay, the same document is refused, strictly; a missing overlay file and an
    // overlay without a spec to apply to are usage errors.
    let (code, _, stderr) = run(&["lint-specs", "--spec", &document]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("unknown extension `x-logo`"), "{stderr}");
    let (code, _, stderr) = run(&["lint-specs", "--spec", &document, "--overlay", "nope.yaml"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--overlay nope.yaml: no such file"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["lint-specs", "--overlay", &overlay]);
    assert_eq!(code, Some(2), "{stderr}");
}
