//! The product against the official verification libraries of each signing convention: the
//! signatures it makes are accepted by them, the mock's deliveries are accepted by them, and
//! receiver mode's checks pass receivers built on them and fail receivers with one defect each.
//!
//! The libraries (npm `standardwebhooks`, `@octokit/webhooks`, `@octokit/webhooks-methods`,
//! `stripe`; PyPI `standardwebhooks`, `slack-sdk`, pinned in `harness/tests/verifiers/`) are
//! installed by `harness/tests/verifiers/install.sh` (CI runs it) into `target/verifiers`, or
//! wherever `WEBHOOK_HARNESS_VERIFIERS` says. Without them these tests say why and pass, except
//! in CI (`CI` set), where they fail.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use webhook_harness::check::receiver::{self, Applies, Probe, Settings, now};
use webhook_harness::deliver::{Pipeline, Subscriber};
use webhook_harness::generate::{Generator, Mode, rng};
use webhook_harness::mock::{MockProvider, Outcome};
use webhook_harness::spec::ProviderSpec;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const INSTALL: &str = "harness/tests/verifiers/install.sh";
/// The npm packages `install.sh` installs.
const NPM: [&str; 4] = [
    "standardwebhooks",
    "@octokit/webhooks",
    "@octokit/webhooks-methods",
    "stripe",
];
/// Longest a verifier program may take over one batch.
const VERIFY_LIMIT: Duration = Duration::from_secs(120);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scripts() -> PathBuf {
    repo().join("harness/tests/verifiers")
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The installed verifiers.
struct Verifiers {
    root: PathBuf,
}

impl Verifiers {
    /// The installed verifiers; `None` (after saying why) when they are missing outside CI. In
    /// CI a missing install is a failure: the tests would otherwise pass without running.
    fn find() -> Option<Self> {
        let root = std::env::var_os("WEBHOOK_HARNESS_VERIFIERS")
            .map_or_else(|| repo().join("target/verifiers"), PathBuf::from);
        let mut missing: Vec<String> = Vec::new();
        let mut node = Command::new("node");
        node.arg("--version");
        if !run(node, String::new(), Duration::from_secs(30)).is_ok_and(|o| o.success) {
            missing.push("node (Node.js 20 or later) on the PATH".into());
        }
        for package in NPM {
            let dir = root.join("node/node_modules").join(package);
            if !dir.join("package.json").is_file() {
                missing.push(format!("the npm package {package} in {}", dir.display()));
            }
        }
        let python = root.join("venv/bin/python");
        if !python.is_file() {
            missing.push(format!(
                "the Python venv with standardwebhooks and slack-sdk at {}",
                python.display()
            ));
        }
        if missing.is_empty() {
            return Some(Self { root });
        }
        let why = format!(
            "the official verification libraries are not installed (missing: {}); run `bash {INSTALL}` (it installs into target/verifiers, or $WEBHOOK_HARNESS_VERIFIERS)",
            missing.join("; ")
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        None
    }

    /// `node` running `script` (a file of `harness/tests/verifiers/`) with `args`, from the
    /// directory whose `node_modules` holds the packages (an ES module given with `-e` resolves
    /// its imports from the working directory).
    fn node(&self, script: &str, args: &[&str]) -> Command {
        let code = std::fs::read_to_string(scripts().join(script)).unwrap();
        let mut command = Command::new("node");
        command
            .args(["--input-type=module", "-e", &code, "--"])
            .args(args)
            .current_dir(self.root.join("node"));
        command
    }

    /// The venv's Python running `script` (a file of `harness/tests/verifiers/`) with `args`.
    fn python(&self, script: &str, args: &[&str]) -> Command {
        let mut command = Command::new(self.root.join("venv/bin/python"));
        command.arg(scripts().join(script)).args(args);
        command
    }

    /// The verdicts of `library` (run by `node` or `python`) on each delivery, in order.
    fn verdicts(&self, runtime: Runtime, library: &str, deliveries: &[Verification]) -> Vec<Value> {
        let input: String = deliveries
            .iter()
            .map(|d| {
                let headers: serde_json::Map<String, Value> = d
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                json!({"library": library, "secret": d.secret, "headers": headers, "body": b64(&d.body)})
                    .to_string()
                    + "\n"
            })
            .collect();
        let command = match runtime {
            Runtime::Node => self.node("verify.mjs", &[]),
            Runtime::Python => self.python("verify.py", &[]),
        };
        let output = run(command, input, VERIFY_LIMIT).unwrap();
        assert!(
            output.success,
            "the {library} verifier failed: {}",
            output.stderr
        );
        let verdicts: Vec<Value> = output
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(verdicts.len(), deliveries.len(), "{}", output.stderr);
        verdicts
    }
}

#[derive(Debug, Clone, Copy)]
enum Runtime {
    Node,
    Python,
}

/// One delivery to verify, with the secret the library is given.
#[derive(Debug, Clone)]
struct Verification {
    secret: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The event it was made for.
    event: String,
}

struct Output {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `command` with `input` on its standard input; it is killed (and this fails) past `limit`.
fn run(mut command: Command, input: String, limit: Duration) -> Result<Output, String> {
    let shown = format!("{:?}", command.get_program());
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{shown} did not finish within {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    Ok(Output {
        success: status.success(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// A receiver program listening on 127.0.0.1; killed when dropped (and it exits by itself when
/// its standard input closes, should this process die first).
struct Receiver {
    child: Child,
    url: String,
    name: String,
}

impl Receiver {
    fn start(mut command: Command, secret: &str, name: &str) -> Self {
        let log = tempfile::NamedTempFile::new().unwrap();
        command
            .env("WEBHOOK_SECRET", secret)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap());
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, first_line) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = first_line
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_default();
        let url = serde_json::from_str::<Value>(&line)
            .ok()
            .and_then(|v| v["url"].as_str().map(str::to_string));
        let Some(url) = url else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the receiver {name} did not say where it listens within 30 s (it printed {line:?}); its errors:\n{}",
                std::fs::read_to_string(log.path()).unwrap_or_default()
            );
        };
        Self {
            child,
            url,
            name: name.to_string(),
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// a. Each preset's signatures, made by the delivery pipeline, against the official libraries.
// ---------------------------------------------------------------------------------------------

/// `specs/standard-webhooks.yaml` signed with `preset` instead (its key the subscription's
/// `/secret`), written to `dir` and loaded as any spec file.
fn with_preset(preset: &str, dir: &Path) -> ProviderSpec {
    let text = std::fs::read_to_string(repo().join("specs/standard-webhooks.yaml")).unwrap();
    let mut doc: Value = serde_yaml_ng::from_str(&text).unwrap();
    doc["info"]["x-provider"]["id"] = json!(format!("standard-webhooks-as-{preset}"));
    doc["x-webhook-signature"] = json!({
        "preset": preset,
        "key": {"from": "subscription", "pointer": "/secret"},
        "source": ["SW"],
    });
    // The event id travels in `webhook-id`: where the preset does not send that header, the
    // provider does.
    if !preset.starts_with("standard-webhooks") {
        doc["x-delivery"]["headers"] = json!([{"name": "webhook-id", "value": "{eventId}"}]);
    }
    // The assumption about the Standard Webhooks tolerance names a node the preset replaces.
    doc["x-assumptions"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["id"] != "replay-tolerance");
    let path = dir.join(format!("{preset}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    ProviderSpec::load(path.to_str().unwrap())
        .unwrap_or_else(|e| panic!("the spec signed with {preset} does not load: {e}"))
}

/// `count` deliveries of `spec`'s events (valid and edge payloads in turn) to a subscriber whose
/// secret is `secret`, built by the delivery pipeline as the dispatcher builds them and signed now.
fn pipeline_deliveries(spec: ProviderSpec, secret: &str, count: u64) -> Vec<Verification> {
    let spec = Arc::new(spec);
    let pipeline = Pipeline::new(Arc::clone(&spec));
    let generator = Generator::new(&spec);
    let events: Vec<String> = generator.events().map(str::to_string).collect();
    let subscriber = Subscriber {
        resource: json!({
            "id": "ep_officialLibraries00000000",
            "url": "https://receiver.example.com/hooks",
            "eventTypes": ["*"],
            "secret": secret,
        }),
        id: "ep_officialLibraries00000000".into(),
        tenant: "tenant-a".into(),
    };
    let key = pipeline.key(&subscriber, |_, _| None).unwrap();
    assert!(!key.is_empty());
    (0..count)
        .map(|i| {
            let event = &events[i as usize % events.len()];
            let mode = if i % 2 == 0 { Mode::Valid } else { Mode::Edge };
            let payload = generator
                .event(event)
                .unwrap()
                .sample(mode, 7_000 + i, 1)
                .unwrap()
                .remove(0)
                .value;
            let mut rng = rng::seeded(i);
            let mut payload = pipeline.envelope(&payload, &subscriber);
            pipeline.new_attempt(&mut payload, &mut rng);
            let event_id = pipeline
                .event_id_in_header()
                .then(|| pipeline.new_event_id(&mut rng));
            let envelope = pipeline.envelope_of(event, &payload, &subscriber, event_id.as_deref());
            let delivery = pipeline.prepare(
                &payload,
                &envelope,
                &[key.as_slice()],
                now(),
                &pipeline.forwarded(&subscriber),
            );
            Verification {
                secret: secret.to_string(),
                headers: delivery.headers,
                body: delivery.body,
                event: event.clone(),
            }
        })
        .collect()
}

/// The same delivery with a member added to its body (the signature unchanged).
fn tampered(delivery: &Verification) -> Verification {
    let text = String::from_utf8(delivery.body.clone()).unwrap();
    let rest = text.strip_prefix('{').expect("an object payload");
    let comma = if rest.trim_start().starts_with('}') {
        ""
    } else {
        ","
    };
    Verification {
        body: format!("{{\"tampered\":true{comma}{rest}").into_bytes(),
        ..delivery.clone()
    }
}

/// One convention: its preset, a secret and another valid one, and the libraries that verify it.
struct Convention {
    preset: &'static str,
    secret: String,
    wrong: String,
    libraries: &'static [(Runtime, &'static str)],
}

fn conventions() -> Vec<Convention> {
    let whsec = |text: &str| format!("whsec_{}", b64(text.as_bytes()));
    let whsk = |seed: u8| format!("whsk_{}", b64(&[seed; 32]));
    vec![
        Convention {
            preset: "standard-webhooks",
            secret: whsec("official-libraries-secret-32-byte"),
            wrong: whsec("another-secret-of-the-same-length"),
            libraries: &[
                (Runtime::Node, "standardwebhooks"),
                (Runtime::Python, "standardwebhooks"),
            ],
        },
        // No official npm or PyPI library verifies Standard Webhooks' Ed25519 scheme (v1a), as
        // far as we know: Node's own crypto.verify checks it, with the public key it derives from
        // the whsk_ secret (verify.mjs, `ed25519`).
        Convention {
            preset: "standard-webhooks-v1a",
            secret: whsk(7),
            wrong: whsk(8),
            libraries: &[(Runtime::Node, "ed25519")],
        },
        Convention {
            preset: "stripe",
            secret: "whsec_officialLibrariesStripeSecret01".into(),
            wrong: "whsec_officialLibrariesStripeSecret02".into(),
            libraries: &[(Runtime::Node, "stripe")],
        },
        Convention {
            preset: "github",
            secret: "It's a Secret to Everybody".into(),
            wrong: "It's a Secret to Nobody".into(),
            libraries: &[
                (Runtime::Node, "@octokit/webhooks-methods"),
                (Runtime::Node, "@octokit/webhooks"),
            ],
        },
        Convention {
            preset: "slack",
            secret: "8f742231b10e8888abcd99yyyzzz85a5".into(),
            wrong: "8f742231b10e8888abcd99yyyzzz85a6".into(),
            libraries: &[(Runtime::Python, "slack-sdk")],
        },
    ]
}

/// Deliveries per preset.
const PER_PRESET: u64 = 20;

#[test]
fn every_presets_signatures_are_accepted_by_the_official_libraries() {
    let Some(verifiers) = Verifiers::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for convention in conventions() {
        let spec = with_preset(convention.preset, dir.path());
        let good = pipeline_deliveries(spec, &convention.secret, PER_PRESET);
        let tampered: Vec<Verification> = good.iter().map(tampered).collect();
        let wrong: Vec<Verification> = good
            .iter()
            .map(|d| Verification {
                secret: convention.wrong.clone(),
                ..d.clone()
            })
            .collect();
        for &(runtime, library) in convention.libraries {
            let all: Vec<Verification> = [good.clone(), tampered.clone(), wrong.clone()].concat();
            let verdicts = verifiers.verdicts(runtime, library, &all);
            let (accepted, refused) = verdicts.split_at(good.len());
            for (delivery, verdict) in good.iter().zip(accepted) {
                assert_eq!(
                    verdict["ok"],
                    true,
                    "{} refuses a delivery signed with the {} preset: {verdict}\nheaders: {:?}\nbody: {}",
                    library,
                    convention.preset,
                    delivery.headers,
                    String::from_utf8_lossy(&delivery.body)
                );
                // The GitHub handler reads the event name from X-GitHub-Event.
                if let Some(event) = verdict.get("event") {
                    assert_eq!(event, &json!(delivery.event), "{verdict}");
                }
            }
            for (i, verdict) in refused.iter().enumerate() {
                let what = if i < good.len() {
                    "a tampered body"
                } else {
                    "a wrong secret"
                };
                assert_eq!(
                    verdict["ok"], false,
                    "{library} accepts {what} under the {} preset",
                    convention.preset
                );
            }
            let reasons: std::collections::BTreeSet<&str> = refused
                .iter()
                .filter_map(|v| v["error"].as_str()?.lines().next())
                .collect();
            eprintln!(
                "{}: {library} ({runtime:?}) accepted {} of {} deliveries, refused {} tampered bodies and {} wrong secrets ({reasons:?})",
                convention.preset,
                accepted.len(),
                good.len(),
                tampered.len(),
                wrong.len()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// b. The mock's own deliveries, captured by a receiver, against the official libraries.
// ---------------------------------------------------------------------------------------------

/// Times each event is emitted.
const EMITS: usize = 5;

/// Every request `sink` received, as deliveries verified with `secret`, each with the event
/// `events[i]` emitted for it.
async fn captured(sink: &MockServer, secret: &str, events: &[String]) -> Vec<Verification> {
    let received = sink.received_requests().await.unwrap();
    assert_eq!(received.len(), events.len(), "one delivery per emission");
    received
        .into_iter()
        .zip(events)
        .map(|(request, event)| Verification {
            secret: secret.to_string(),
            headers: request
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap().to_string()))
                .collect(),
            body: request.body,
            event: event.clone(),
        })
        .collect()
}

async fn sink() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

/// Emits every event of `provider` [`EMITS`] times, each delivered to its one subscriber; the
/// events in order.
async fn emit_all(provider: &MockProvider) -> Vec<String> {
    let names: Vec<String> = provider
        .spec()
        .events
        .iter()
        .map(|e| e.name.clone())
        .collect();
    let mut emitted = Vec::new();
    for _ in 0..EMITS {
        for event in &names {
            let report = provider.emit(event).await.unwrap();
            assert_eq!(report.deliveries.len(), 1, "{event}: {report:?}");
            assert_eq!(
                report.deliveries[0].outcome,
                Outcome::Delivered,
                "{report:?}"
            );
            emitted.push(event.clone());
        }
    }
    emitted
}

fn assert_all_accepted(
    verifiers: &Verifiers,
    runtime: Runtime,
    library: &str,
    deliveries: &[Verification],
) -> Vec<Value> {
    let verdicts = verifiers.verdicts(runtime, library, deliveries);
    for (delivery, verdict) in deliveries.iter().zip(&verdicts) {
        assert_eq!(
            verdict["ok"],
            true,
            "{library} refuses a delivery of the mock: {verdict}\nheaders: {:?}\nbody: {}",
            delivery.headers,
            String::from_utf8_lossy(&delivery.body)
        );
    }
    eprintln!(
        "{library} ({runtime:?}) accepted all {} deliveries of the mock",
        deliveries.len()
    );
    verdicts
}

#[test]
fn the_mocks_deliveries_are_accepted_by_the_official_libraries() {
    let Some(verifiers) = Verifiers::find() else {
        return;
    };
    let runtime = tokio_runtime();

    // Standard Webhooks: the endpoint's whsec_ secret is made by the sender and answered.
    let deliveries = runtime.block_on(async {
        let spec = ProviderSpec::load("standard-webhooks").unwrap();
        let provider = MockProvider::builder(spec)
            .allow_http_targets(true)
            .start()
            .await
            .unwrap();
        let sink = sink().await;
        let token = provider
            .credentials()
            .secret("tenant-a", "bearerAuth")
            .unwrap();
        let answer = reqwest::Client::new()
            .post(format!("{}/endpoints", provider.uri()))
            .bearer_auth(token)
            .json(&json!({"url": format!("{}/standard-webhooks", sink.uri()), "eventTypes": ["*"]}))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201);
        let endpoint: Value = answer.json().await.unwrap();
        let secret = endpoint["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_"), "{endpoint}");
        let emitted = emit_all(&provider).await;
        captured(&sink, &secret, &emitted).await
    });
    assert_eq!(deliveries.len(), 4 * EMITS);
    assert_all_accepted(&verifiers, Runtime::Node, "standardwebhooks", &deliveries);
    assert_all_accepted(&verifiers, Runtime::Python, "standardwebhooks", &deliveries);

    // Hookshot (GitHub's convention): the hook's secret is chosen by the caller.
    let secret = "a hook secret, chosen by the caller";
    let deliveries = runtime.block_on(async {
        let spec = ProviderSpec::load(
            repo()
                .join("harness/tests/specs/hookshot.yaml")
                .to_str()
                .unwrap(),
        )
        .unwrap();
        let provider = MockProvider::builder(spec)
            .allow_http_targets(true)
            .start()
            .await
            .unwrap();
        let sink = sink().await;
        let token = provider.credentials().secret("tenant-a", "bearerAuth").unwrap();
        let answer = reqwest::Client::new()
            .post(format!("{}/hooks", provider.uri()))
            .bearer_auth(token)
            .json(&json!({
                "name": "web",
                "config": {"url": format!("{}/github", sink.uri()), "content_type": "json", "secret": secret},
                "events": ["*"],
                "active": true,
            }))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201);
        let hook: Value = answer.json().await.unwrap();
        assert_eq!(hook["config"]["secret"], secret, "{hook}");
        let emitted = emit_all(&provider).await;
        captured(&sink, secret, &emitted).await
    });
    assert_eq!(deliveries.len(), 3 * EMITS);
    assert_all_accepted(
        &verifiers,
        Runtime::Node,
        "@octokit/webhooks-methods",
        &deliveries,
    );
    let verdicts = assert_all_accepted(&verifiers, Runtime::Node, "@octokit/webhooks", &deliveries);
    let uuid =
        regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
            .unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for (delivery, verdict) in deliveries.iter().zip(&verdicts) {
        // The library read the event from X-GitHub-Event and the delivery id from X-GitHub-Delivery.
        assert_eq!(verdict["event"], json!(delivery.event), "{verdict}");
        let id = verdict["id"].as_str().unwrap();
        assert!(uuid.is_match(id), "X-GitHub-Delivery is a GUID: {id}");
        ids.insert(id.to_string());
    }
    assert_eq!(
        ids.len(),
        deliveries.len(),
        "one X-GitHub-Delivery per event"
    );
}

// ---------------------------------------------------------------------------------------------
// c. Receiver mode against receivers built on the libraries, correct and with one defect each.
// ---------------------------------------------------------------------------------------------

/// What the receiver-mode catalogue found on one receiver: the failure reports of each failing
/// check, and how many (check, event) trials ran.
struct Findings {
    failures: BTreeMap<&'static str, Vec<String>>,
    trials: usize,
}

impl Findings {
    fn failing(&self) -> Vec<&'static str> {
        self.failures.keys().copied().collect()
    }

    fn report(&self, check: &str) -> String {
        self.failures
            .get(check)
            .map(|r| r.join("\n"))
            .unwrap_or_default()
    }
}

/// Runs every check of the catalogue that applies, for every event of `spec`, against `receiver`.
fn catalogue_on(
    runtime: &tokio::runtime::Runtime,
    spec: &ProviderSpec,
    receiver: &Receiver,
    secret: &str,
) -> Findings {
    let settings = Settings {
        target: receiver.url.clone(),
        secret: secret.into(),
        cases: 8,
        seed: 11,
        timeout: Duration::from_secs(10),
    };
    let probe = Probe::new(spec.clone(), settings, runtime.handle().clone());
    let mut findings = Findings {
        failures: BTreeMap::new(),
        trials: 0,
    };
    for check in receiver::catalogue() {
        for event in &spec.events {
            if (check.applies)(spec, &event.name) != Applies::Yes {
                continue;
            }
            findings.trials += 1;
            if let Err(report) = check.run_on(&probe, &event.name) {
                findings
                    .failures
                    .entry(check.info.id)
                    .or_default()
                    .push(format!("[{}] {report}", event.name));
            }
        }
    }
    eprintln!(
        "{}: {} trials, failing: {:?}",
        receiver.name,
        findings.trials,
        findings.failing()
    );
    for (check, reports) in &findings.failures {
        eprintln!("  {check}: {}", what_failed(reports).join("; "));
    }
    findings
}

/// The distinct variants named in failure reports, each with the answer it got
/// (`no signature header: 500`).
fn what_failed(reports: &[String]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    for report in reports {
        let mut variant = "";
        for line in report.lines() {
            if let Some(name) = line.strip_prefix("variant: ") {
                variant = name;
            } else if let Some(status) = line.strip_prefix("response: ") {
                seen.insert(format!("{variant}: {status}"));
            }
        }
    }
    seen.into_iter().collect()
}

fn hookshot() -> ProviderSpec {
    ProviderSpec::load(
        repo()
            .join("harness/tests/specs/hookshot.yaml")
            .to_str()
            .unwrap(),
    )
    .unwrap()
}

/// The GitHub-style spec the mock and the probe use here loads and lints without errors (CI's
/// OpenAPI validator loop covers `specs/` only).
#[test]
fn the_hookshot_spec_lints_clean() {
    use webhook_harness::spec::lint::{self, Severity};
    let spec = hookshot();
    let errors: Vec<String> = lint::lint(&spec)
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let names: Vec<&str> = spec.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ping", "push", "issues"]);
    assert_eq!(spec.signing.preset.as_deref(), Some("github"));
    assert_eq!(
        spec.signing.schemes.len(),
        2,
        "X-Hub-Signature-256 and X-Hub-Signature"
    );
}

const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The checks a Standard Webhooks receiver that never verifies fails: it checks no signature,
/// and so no signed timestamp either.
const UNVERIFIED: [&str; 2] = ["bad-signature", "replay"];

fn assert_replay_only(findings: &Findings) {
    assert_eq!(findings.failing(), ["replay"]);
    let report = findings.report("replay");
    assert!(
        report.contains("an old delivery replayed")
            && report.contains("a delivery from the future")
            && !report.contains("just inside the window"),
        "{report}"
    );
}

fn assert_unverified(findings: &Findings) {
    assert_eq!(findings.failing(), UNVERIFIED);
    let report = findings.report("bad-signature");
    for variant in [
        "signed with another secret",
        "no signature header",
        "a tampered body",
    ] {
        assert!(report.contains(variant), "{variant}: {report}");
    }
}

#[test]
fn receiver_checks_on_standard_webhooks_receivers_built_on_npm_standardwebhooks() {
    let Some(verifiers) = Verifiers::find() else {
        return;
    };
    let runtime = tokio_runtime();
    let spec = ProviderSpec::load("standard-webhooks").unwrap();
    let start = |variant: &str| {
        Receiver::start(
            verifiers.node("receiver.mjs", &["standardwebhooks", variant]),
            SW_SECRET,
            &format!("npm standardwebhooks receiver, {variant}"),
        )
    };
    let correct = catalogue_on(&runtime, &spec, &start("correct"), SW_SECRET);
    assert!(
        correct.failures.is_empty(),
        "a receiver built on the library fails: {:#?}",
        correct.failures
    );
    assert!(correct.trials >= 4 * 10, "{} trials", correct.trials);
    assert_unverified(&catalogue_on(
        &runtime,
        &spec,
        &start("skip-verification"),
        SW_SECRET,
    ));
    assert_replay_only(&catalogue_on(
        &runtime,
        &spec,
        &start("ignore-tolerance"),
        SW_SECRET,
    ));
    // The npm library refuses every malformed header the check sends with its own
    // WebhookVerificationError, so a wrapper that catches only that error passes.
    let uncaught = catalogue_on(&runtime, &spec, &start("uncaught"), SW_SECRET);
    assert!(uncaught.failures.is_empty(), "{:#?}", uncaught.failures);
}

#[test]
fn receiver_checks_on_standard_webhooks_receivers_built_on_pypi_standardwebhooks() {
    let Some(verifiers) = Verifiers::find() else {
        return;
    };
    let runtime = tokio_runtime();
    let spec = ProviderSpec::load("standard-webhooks").unwrap();
    let start = |variant: &str| {
        Receiver::start(
            verifiers.python("receiver.py", &[variant]),
            SW_SECRET,
            &format!("PyPI standardwebhooks receiver, {variant}"),
        )
    };
    let correct = catalogue_on(&runtime, &spec, &start("correct"), SW_SECRET);
    assert!(
        correct.failures.is_empty(),
        "a receiver built on the library fails: {:#?}",
        correct.failures
    );
    assert!(correct.trials >= 4 * 10, "{} trials", correct.trials);
    assert_unverified(&catalogue_on(
        &runtime,
        &spec,
        &start("skip-verification"),
        SW_SECRET,
    ));
    assert_replay_only(&catalogue_on(
        &runtime,
        &spec,
        &start("ignore-tolerance"),
        SW_SECRET,
    ));
    // standardwebhooks 1.1.0 raises ValueError (not its own error) on a signature header it
    // cannot split: a wrapper that catches only WebhookVerificationError answers 500.
    let uncaught = catalogue_on(&runtime, &spec, &start("uncaught"), SW_SECRET);
    assert_eq!(uncaught.failing(), ["bad-signature"]);
    let report = uncaught.report("bad-signature");
    assert!(
        report.contains("without the scheme's shape") && report.contains("response: 500"),
        "{report}"
    );
    assert!(
        !report.contains("variant: signed with another secret"),
        "a well-formed wrong signature is still refused: {report}"
    );
}

#[test]
fn receiver_checks_on_github_receivers_built_on_octokit_webhooks() {
    let Some(verifiers) = Verifiers::find() else {
        return;
    };
    let runtime = tokio_runtime();
    let spec = hookshot();
    let secret = "It's a Secret to Everybody";
    let start = |variant: &str| {
        Receiver::start(
            verifiers.node("receiver.mjs", &["github", variant]),
            secret,
            &format!("@octokit/webhooks receiver, {variant}"),
        )
    };
    for variant in ["correct", "handwritten"] {
        let findings = catalogue_on(&runtime, &spec, &start(variant), secret);
        assert!(
            findings.failures.is_empty(),
            "{variant}: a receiver built on the library fails: {:#?}",
            findings.failures
        );
        assert!(findings.trials >= 3 * 8, "{} trials", findings.trials);
    }
    let skipping = catalogue_on(&runtime, &spec, &start("skip-verification"), secret);
    assert_eq!(skipping.failing(), ["bad-signature"]);
    let report = skipping.report("bad-signature");
    assert!(
        report.contains("signed with another secret") && report.contains("a tampered body"),
        "{report}"
    );
    // webhooks.verify() throws a TypeError when the signature is missing or empty: a handler
    // that does not catch it answers 500.
    let uncaught = catalogue_on(&runtime, &spec, &start("uncaught"), secret);
    assert_eq!(uncaught.failing(), ["bad-signature"]);
    let report = uncaught.report("bad-signature");
    assert!(
        report.contains("no signature header")
            && report.contains("an empty signature")
            && report.contains("response: 500"),
        "{report}"
    );
    assert!(
        !report.contains("variant: signed with another secret"),
        "a well-formed wrong signature is still refused: {report}"
    );
}
