//! `cargo xtask conformance` as a user runs it.

mod common;

use common::{receiver, xtask};

use webhook_harness::check::receiver::faults::Fault;

#[test]
fn the_embedded_default_passes_with_a_libtest_summary() {
    let out = xtask().arg("conformance").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("test result: ok."), "{stdout}");
    // The reference receivers and mocks meet the spec's assumptions too.
    assert!(!stdout.contains("on assumptions"), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("[receiver] happycolis::bad-signature::product/image/created"),
        "{stdout}"
    );
    assert!(
        stderr.contains("swsh deliveries carry no signature"),
        "the warning: {stderr}"
    );
    // Provider mode runs too, against the in-process mocks.
    assert!(
        stdout.contains("[provider] uc-alxgsv::deliveries::file.created"),
        "{stdout}"
    );
    assert!(
        stdout.contains("conformance receiver: ") && stdout.contains("conformance provider: "),
        "{stdout}"
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
fn a_dead_target_fails_the_run_at_once_with_one_message() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for mode in ["receiver", "provider"] {
        let started = std::time::Instant::now();
        let out = xtask()
            .args([
                "conformance",
                mode,
                "--spec",
                "swsh",
                "--target",
                &format!("http://{closed}/hook"),
                "--timeout",
                "2",
                "--no-snapshots",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
        assert!(
            stderr.contains("target unreachable") && stderr.contains(&closed.to_string()),
            "{stderr}"
        );
        assert!(!stdout.contains("test "), "no trial runs: {stdout}");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}

fn receiver_run(target: &str, extra: &[&str]) -> std::process::Output {
    xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "swsh",
            "--target",
            target,
            "--cases",
            "4",
        ])
        .args(extra)
        .env("INSTA_UPDATE", "new")
        .env_remove("CI")
        .output()
        .unwrap()
}

#[test]
fn junit_xml_lists_every_trial_with_its_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    let (_rt, faulty) = receiver(Fault::ConflictOnRedelivery);
    let out = receiver_run(
        &faulty.url(),
        &[
            "--no-snapshots",
            "--junit",
            junit.to_str().unwrap(),
            "--",
            "--test-threads",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(101));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"<testsuite name="swsh""#), "{xml}");
    assert!(
        xml.contains(r#"name="swsh::documented-example::newAlbum""#),
        "{xml}"
    );
    // A failure carries the report; an ignored trial its reason.
    assert!(
        xml.contains("<failure") && xml.contains("delivery 2 of the same event"),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped") && xml.contains("carry no signature"),
        "{xml}"
    );
    let cases = xml.matches("<testcase").count();
    let listed = String::from_utf8_lossy(&receiver_run(&faulty.url(), &["--", "--list"]).stdout)
        .lines()
        .filter(|l| l.ends_with(": test"))
        .count();
    assert_eq!(cases, listed, "{xml}");
}

/// A TCP server on 127.0.0.1 that answers every connection with `answer` (or never).
fn raw_server(answer: Option<&'static [u8]>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buffer = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buffer);
            match answer {
                Some(bytes) => {
                    let _ = std::io::Write::write_all(&mut stream, bytes);
                }
                None => held.push(stream),
            }
        }
    });
    format!("http://{address}/hook")
}

#[test]
fn a_target_answering_garbage_or_nothing_fails_each_trial_clearly_and_in_time() {
    for (target, expected) in [
        (raw_server(Some(b"garbage\r\n\r\n")), "no valid HTTP answer"),
        (raw_server(None), "timed out"),
    ] {
        let started = std::time::Instant::now();
        let out = xtask()
            .args([
                "conformance",
                "receiver",
                "--spec",
                "betterez",
                "--target",
                &target,
                "--secret",
                "a-receiver-secret",
                "--cases",
                "1",
                "--timeout",
                "0.5",
                "--no-snapshots",
                "--",
                "--exact",
                "betterez::documented-example::images.created",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(101), "{stdout}");
        assert!(
            stdout.contains(&format!("response: none ({expected}")),
            "{stdout}"
        );
        assert!(
            stdout.contains("reproduce: cargo xtask conformance receiver --spec betterez"),
            "{stdout}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}

#[test]
fn a_target_that_is_not_a_url_is_a_usage_error() {
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "swsh",
            "--target",
            "localhost:3000",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an http(s) URL"));
}

/// A standalone mock (`cargo xtask mock --json`), killed when dropped.
struct Standalone(std::process::Child, String);

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn standalone(spec: &str, extra: &[&str]) -> Standalone {
    use std::io::BufRead;
    let mut child = xtask()
        .args(["mock", "--spec", spec, "--json"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let started: serde_json::Value = serde_json::from_str(&first).unwrap();
    let uri = started["uri"].as_str().unwrap().to_string();
    Standalone(child, uri)
}

#[test]
fn provider_mode_passes_against_the_standalone_mock() {
    let mock = standalone("swsh", &["--allow-http-targets"]);
    let out = xtask()
        .args([
            "conformance",
            "provider",
            "--spec",
            "swsh",
            "--target",
            &mock.1,
            "--cases",
            "8",
            "--no-snapshots",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for trial in [
        "[provider] swsh::documented-example::createSubscription",
        "[provider] swsh::stateful::subscriptions",
        "[provider] swsh::deliveries::newPhoto",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(trial) && l.ends_with("ok")),
            "{trial}: {stdout}"
        );
    }
    assert!(stdout.contains("conformance provider: "), "{stdout}");
}

#[test]
fn provider_mode_without_http_targets_says_how_to_subscribe_a_local_capture() {
    // swsh only delivers to https: a mock started without the opt-in refuses the capture URL.
    let mock = standalone("swsh", &[]);
    let out = xtask()
        .args([
            "conformance",
            "provider",
            "--spec",
            "swsh",
            "--target",
            &mock.1,
            "--no-snapshots",
            "--",
            "--exact",
            "swsh::deliveries::newAlbum",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(stdout.contains("--allow-http-targets"), "{stdout}");
}

#[test]
fn provider_mode_rejects_a_credential_the_spec_does_not_have() {
    let out = xtask()
        .args([
            "conformance",
            "provider",
            "--spec",
            "swsh",
            "--target",
            "http://127.0.0.1:9",
            "--credential",
            "password=x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("its credentials: ApiKeyAuth"), "{stderr}");
}

#[test]
fn a_secret_that_does_not_decode_as_the_spec_says_is_refused_before_any_request() {
    // Nothing listens on port 9: a request would fail differently (status 101, a report).
    for (secret, says) in [
        ("whsec_not-base64!", "is not Base64"),
        ("whsec_", "holds no key material"),
    ] {
        let out = xtask()
            .args([
                "conformance",
                "receiver",
                "--spec",
                "standard-webhooks",
                "--target",
                "http://127.0.0.1:9/hooks",
                "--secret",
                secret,
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("--secret") && stderr.contains(says) && stderr.contains("whsec_"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("not-base64!"),
            "the secret itself is not echoed: {stderr}"
        );
    }
}
