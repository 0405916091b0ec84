//! Verdicts rest on the docs: a target that differs from the spec's assumptions only passes
//! with warnings, and fails under `--strict`; answers that are not what the docs document fail.

mod common;

use common::{reference, xtask};

use std::process::{Command, Output};

use serde_json::json;
use webhook_harness::mock::{Exchange, MockProvider, Reply};
use webhook_harness::spec::ProviderSpec;

/// An in-process swsh mock whose replies go through `hook`, on its own runtime.
fn swsh_mock(hook: fn(&Exchange<'_>, &mut Reply)) -> (tokio::runtime::Runtime, MockProvider) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let spec = ProviderSpec::load("swsh").unwrap();
    let mock = runtime
        .block_on(
            MockProvider::builder(spec)
                .allow_http_targets(true)
                .seed(3)
                .on_reply(hook)
                .start(),
        )
        .unwrap();
    (runtime, mock)
}

fn provider_run(target: &str, extra: &[&str]) -> Output {
    xtask()
        .args([
            "conformance",
            "provider",
            "--spec",
            "swsh",
            "--target",
            target,
            "--cases",
            "4",
            "--no-snapshots",
        ])
        .args(extra)
        .output()
        .unwrap()
}

/// 403 where the spec assumes 401 (`unauthorized-401`) for a missing or forged key.
fn forbidden_not_unauthorized(exchange: &Exchange<'_>, reply: &mut Reply) {
    if exchange.path.ends_with("/webhook/getSubscriptions") && reply.status == 401 {
        reply.status = 403;
    }
}

/// A liveness endpoint open to all (the spec assumes it needs the key: `ping-requires-key`).
fn open_ping(exchange: &Exchange<'_>, reply: &mut Reply) {
    if exchange.path.ends_with("/ping") && reply.status == 401 {
        *reply = Reply::new(200, json!({"data": {"message": "pong"}}));
    }
}

/// The documented `400 {message}` where the spec assumes 404 for another account's (or an
/// unknown) webhook id (`unknown-webhook-404`).
fn delete_answers_400(exchange: &Exchange<'_>, reply: &mut Reply) {
    if exchange.path.ends_with("/webhook/deleteSubscription") && reply.status == 404 {
        *reply = Reply::new(400, json!({"message": "Invalid webhookId"}));
    }
}

#[test]
fn a_target_that_differs_from_an_assumption_only_passes_with_warnings_and_fails_under_strict() {
    for (hook, assumption, trial) in [
        (
            forbidden_not_unauthorized as fn(&Exchange<'_>, &mut Reply),
            "unauthorized-401",
            "swsh::auth::getSubscriptions",
        ),
        (open_ping, "ping-requires-key", "swsh::auth::ping"),
        (
            delete_answers_400,
            "unknown-webhook-404",
            "swsh::auth::deleteSubscription",
        ),
    ] {
        let (_runtime, mock) = swsh_mock(hook);
        let out = provider_run(&mock.uri(), &[]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{assumption}: {stdout}\n{stderr}");
        assert!(
            stdout.contains("warnings on assumptions") || stdout.contains("warning on assumptions"),
            "{assumption}: {stdout}"
        );
        assert!(stderr.contains(assumption), "{assumption}: {stderr}");

        let out = provider_run(&mock.uri(), &["--strict"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(101), "{assumption}: {stdout}");
        let failed: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with("test ") && l.ends_with("FAILED"))
            .collect();
        assert!(
            failed.iter().any(|l| l.contains(trial)),
            "{assumption}: {trial} fails under --strict: {failed:?}\n{stdout}"
        );
        assert!(
            stdout.contains(&format!("expectation: assumed ({assumption})")),
            "{assumption}: {stdout}"
        );
        assert!(
            stdout.contains("reproduce: cargo xtask conformance provider --spec swsh")
                && stdout.contains(&format!("--strict --no-snapshots -- --exact {trial}")),
            "{stdout}"
        );
    }
}

#[test]
fn the_correct_mock_has_no_warning_and_passes_under_strict() {
    let (_runtime, mock) = swsh_mock(|_, _| {});
    let out = provider_run(&mock.uri(), &["--strict"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains("on assumptions"), "{stdout}");
}

/// A TCP server on 127.0.0.1 that reads each request (up to 64 KiB, once) and answers it with
/// `head` followed by `body` repeated `repeat` times (`None`: forever), then closes.
fn raw_server(head: &'static str, body: &'static [u8], repeat: Option<usize>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
                let mut buffer = vec![0u8; 65536];
                let _ = std::io::Read::read(&mut stream, &mut buffer);
                if std::io::Write::write_all(&mut stream, head.as_bytes()).is_err() {
                    return;
                }
                let mut sent = 0;
                while repeat.is_none_or(|n| sent < n) {
                    if std::io::Write::write_all(&mut stream, body).is_err() {
                        return;
                    }
                    sent += 1;
                }
            });
        }
    });
    format!("http://{address}")
}

#[test]
fn an_html_answer_to_a_documented_json_operation_fails() {
    let target = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 17\r\nConnection: close\r\n\r\n",
        b"<html>oops</html>",
        Some(1),
    );
    let out = provider_run(
        &target,
        &[
            "--",
            "--exact",
            "swsh::documented-example::getSubscriptions",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(stdout.contains("text/html"), "{stdout}");
    assert!(stdout.contains("expectation: documented"), "{stdout}");
}

/// The peak resident memory of process `pid`, in KiB (`VmHWM`).
fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `command`, polling its peak memory until it exits; the output and the largest peak.
fn run_measured(command: &mut Command) -> (Output, u64) {
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(kib) = peak_memory_kib(pid) {
                    peak = peak.max(kib);
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            peak
        })
    };
    let output = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    (output, watcher.join().unwrap())
}

#[test]
fn an_endless_answer_fails_with_its_reason_in_bounded_memory() {
    let target = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[",
        b"0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
        None,
    );
    for (mode, spec, trial) in [
        (
            "provider",
            "swsh",
            "swsh::documented-example::getSubscriptions",
        ),
        ("receiver", "swsh", "swsh::documented-example::newPhoto"),
    ] {
        let (out, peak) = run_measured(xtask().args([
            "conformance",
            mode,
            "--spec",
            spec,
            "--target",
            &format!("{target}/hook"),
            "--cases",
            "1",
            "--timeout",
            "20",
            "--no-snapshots",
            "--",
            "--exact",
            trial,
        ]));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(101), "{mode}: {stdout}");
        assert!(
            stdout.contains("larger than --max-answer-bytes"),
            "{mode}: {stdout}"
        );
        assert!(peak > 0 && peak < 100 * 1024, "{mode}: peak {peak} KiB");
    }
}

#[test]
fn a_receiver_that_never_answers_gets_its_verdict_in_under_a_minute() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let started = std::time::Instant::now();
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "uc-alxgsv",
            "--target",
            &format!("http://{address}/hook"),
            "--secret",
            "whsec-never-answers",
            "--timeout",
            "3",
            "--no-snapshots",
        ])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(stdout.contains("target unresponsive"), "{stdout}");
    assert!(
        !stdout.contains("minimal failing"),
        "no shrinking: {stdout}"
    );
    assert!(elapsed < std::time::Duration::from_secs(60), "{elapsed:?}");
}

#[test]
fn a_wrong_secret_gets_a_hint_naming_the_scheme() {
    use webhook_harness::check::receiver::faults::Fault;
    let (_runtime, receiver) = reference("betterez", "the-receivers-secret", Fault::None);
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "betterez",
            "--target",
            &receiver.url(),
            "--secret",
            "another-secret",
            "--cases",
            "2",
            "--no-snapshots",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    let hint = stdout
        .lines()
        .find(|l| l.starts_with("hint:"))
        .unwrap_or_else(|| panic!("no hint: {stdout}"));
    assert!(hint.contains("check --secret"), "{hint}");
    assert!(
        hint.contains("x-btrz-signature") || hint.contains("X-Btrz"),
        "{hint}"
    );

    // With the right secret, no hint.
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "betterez",
            "--target",
            &receiver.url(),
            "--secret",
            "the-receivers-secret",
            "--cases",
            "2",
            "--no-snapshots",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains("hint:"), "{stdout}");
}

#[test]
fn a_spec_that_signs_needs_a_secret_or_unsigned() {
    use webhook_harness::check::receiver::faults::Fault;
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "betterez",
            "--target",
            "http://127.0.0.1:9/hook",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--secret is required") && stderr.contains("--unsigned"),
        "{stderr}"
    );

    // `--unsigned` checks a receiver that does not verify: the signature checks do not run.
    let (_runtime, receiver) = reference("betterez", "", Fault::SkipsSignatureCheck);
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "betterez",
            "--target",
            &receiver.url(),
            "--unsigned",
            "--cases",
            "2",
            "--no-snapshots",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("betterez::bad-signature::")
                && l.contains("ignored (")
                && l.contains("--unsigned")),
        "{stdout}"
    );
}

/// Every file under `dir`, as text.
fn texts_under(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(texts_under(&path));
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((path.display().to_string(), text));
        }
    }
    out
}

#[test]
fn no_secret_appears_in_any_output_of_either_mode() {
    use webhook_harness::check::provider::faults::{DropsIdFromResponses, IgnoresCredentials};
    use webhook_harness::check::receiver::faults::Fault;
    use webhook_harness::mock::Fault as _;

    let dir = tempfile::tempdir().unwrap();
    // Receiver mode: uc.alxgsv payloads carry the webhook's signing secret; a receiver that
    // refuses everything puts bodies in every failure report.
    let receiver_secret = "whsec-Distinct0Receiver0Secret";
    let (_rt, receiver) = reference("uc-alxgsv", receiver_secret, Fault::RejectsEverything);
    let junit = dir.path().join("receiver.xml");
    let snapshots = dir.path().join("receiver-snapshots");
    let receiver_out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "uc-alxgsv",
            "--target",
            &receiver.url(),
            "--secret",
            receiver_secret,
            "--cases",
            "2",
            "--junit",
            junit.to_str().unwrap(),
            "--snapshots",
            snapshots.to_str().unwrap(),
        ])
        .env("INSTA_UPDATE", "always")
        .env_remove("CI")
        .output()
        .unwrap();
    assert_eq!(receiver_out.status.code(), Some(101));

    // Provider mode: a mock with distinctive keys that ignores them and drops ids, so that
    // failure reports show requests with credentials.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let key_a = "Distinct0Key0Of0Tenant0A";
    let key_b = "Distinct0Key0Of0Tenant0B";
    let spec = ProviderSpec::load("swsh").unwrap();
    let builder = MockProvider::builder(spec)
        .allow_http_targets(true)
        .credential("ApiKeyAuth", key_a, "tenant-a")
        .credential("ApiKeyAuth", key_b, "tenant-b");
    let builder = DropsIdFromResponses.apply(IgnoresCredentials.apply(builder));
    let mock = runtime.block_on(builder.start()).unwrap();
    let provider_junit = dir.path().join("provider.xml");
    let provider_snapshots = dir.path().join("provider-snapshots");
    let provider_out = xtask()
        .args([
            "conformance",
            "provider",
            "--spec",
            "swsh",
            "--target",
            &mock.uri(),
            "--credential",
            &format!("ApiKeyAuth={key_a}@tenant-a"),
            "--credential",
            &format!("ApiKeyAuth={key_b}@tenant-b"),
            "--cases",
            "2",
            "--junit",
            provider_junit.to_str().unwrap(),
            "--snapshots",
            provider_snapshots.to_str().unwrap(),
        ])
        .env("INSTA_UPDATE", "always")
        .env_remove("CI")
        .output()
        .unwrap();
    let provider_stdout = String::from_utf8_lossy(&provider_out.stdout);
    assert_eq!(provider_out.status.code(), Some(101), "{provider_stdout}");
    assert!(
        provider_stdout.contains("[credential ApiKeyAuth@tenant-a]"),
        "{provider_stdout}"
    );

    let mut outputs = vec![
        (
            "receiver stdout".to_string(),
            String::from_utf8_lossy(&receiver_out.stdout).into_owned(),
        ),
        (
            "receiver stderr".to_string(),
            String::from_utf8_lossy(&receiver_out.stderr).into_owned(),
        ),
        ("provider stdout".to_string(), provider_stdout.into_owned()),
        (
            "provider stderr".to_string(),
            String::from_utf8_lossy(&provider_out.stderr).into_owned(),
        ),
    ];
    outputs.extend(texts_under(dir.path()));
    assert!(outputs.len() > 8, "the runs wrote their files: {outputs:?}");
    for secret in [receiver_secret, key_a, key_b] {
        for (name, text) in &outputs {
            assert!(!text.contains(secret), "{secret} in {name}:\n{text}");
        }
    }
}

#[test]
fn a_printed_reproduce_command_reproduces_the_failure() {
    use webhook_harness::check::receiver::faults::Fault;
    let (_runtime, receiver) = reference("betterez", "the-secret", Fault::CrashesOnNonAscii);
    let out = xtask()
        .args([
            "conformance",
            "receiver",
            "--spec",
            "betterez",
            "--target",
            &receiver.url(),
            "--secret",
            "the-secret",
            "--cases",
            "12",
            "--seed",
            "77",
            "--timeout",
            "4",
            "--assume",
            "base-url=https://api.betterez.example/webhooks",
            "--no-snapshots",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    let reproduce = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: cargo xtask "))
        .unwrap_or_else(|| panic!("no reproduce line: {stdout}"))
        .to_string();
    for flag in [
        "--cases 12",
        "--seed 77",
        "--timeout 4",
        "--assume",
        "--no-snapshots",
    ] {
        assert!(reproduce.contains(flag), "{flag} in {reproduce}");
    }
    let failure = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("test ") && l.ends_with("FAILED"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let first = failure(&stdout);
    // The command, as a shell runs it, with the secret in place of its placeholder.
    let command = reproduce.replace("'<your secret>'", "the-secret");
    let replay = Command::new("sh")
        .arg("-c")
        .arg(format!("\"$XTASK\" {command}"))
        .env("XTASK", env!("CARGO_BIN_EXE_xtask"))
        .output()
        .unwrap();
    let replayed = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(101), "{command}\n{replayed}");
    let again = failure(&replayed);
    assert_eq!(again.len(), 1, "{command}\n{replayed}");
    assert!(first.contains(&again[0]), "{first:?} vs {again:?}");
    // The same report: the same payload, the same answer.
    let trial = again[0].split_whitespace().nth(2).unwrap().to_string();
    let report = |text: &str| -> String {
        let start = text
            .find(&format!("---- {trial} ----"))
            .unwrap_or_else(|| panic!("no report of {trial}: {text}"));
        let rest = &text[start..];
        // The clock is not replayed: the signature's timestamp and the answer's date differ.
        rest[..rest.find("reproduce:").unwrap_or(rest.len())]
            .lines()
            .filter(|l| !l.contains("x-btrz-signature:") && !l.trim_start().starts_with("date:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(report(&stdout), report(&replayed));
}
