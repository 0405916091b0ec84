//! A document written for other tools (Parcelbox's OpenAPI file, with Redoc's, Speakeasy's and
//! Stoplight's `x-` keys and none of the harness's) loads without edits when an OpenAPI Overlay
//! supplies the harness's extensions, and receiver mode runs on it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use webhook_harness::check::receiver::faults::Fault;
use webhook_harness::check::receiver::{self, Applies, Probe, Settings};
use webhook_harness::reference::ReferenceReceiver;
use webhook_harness::spec::lint::{self, Severity};
use webhook_harness::spec::{Loader, ProviderSpec, SpecErrorKind};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/foreign")
}

fn document() -> PathBuf {
    dir().join("parcelbox.openapi.json")
}

fn parcelbox() -> ProviderSpec {
    Loader::new()
        .overlay(dir().join("parcelbox.overlay.yaml"))
        .load_file(&document())
        .unwrap_or_else(|errors| panic!("{errors}"))
}

#[test]
fn the_overlay_supplies_the_extensions_and_other_tools_keys_are_kept() {
    let spec = parcelbox();
    assert_eq!(spec.provider.id, "parcelbox");
    assert_eq!(spec.events.len(), 2);
    assert_eq!(spec.endpoints.len(), 3);
    let keys: Vec<(&str, usize)> = spec
        .foreign_extensions
        .iter()
        .map(|f| (f.key.as_str(), f.count))
        .collect();
    assert_eq!(
        keys,
        [
            ("x-logo", 1),
            ("x-internal", 1),
            ("x-tagGroups", 1),
            ("x-codeSamples", 1),
            ("x-speakeasy-name-override", 3),
            ("x-stoplight", 2),
            ("x-enum-varnames", 1),
            ("x-speakeasy-param-sensitive", 1),
            ("x-enum-descriptions", 1),
        ]
    );
    // Kept in the document, except the one the overlay removes.
    assert!(spec.document["info"]["x-logo"].is_object());
    assert!(spec.document.get("x-speakeasy-retries").is_none());
    // JSON's surrogate pairs read as the astral characters they stand for.
    let note = &spec.events[0].payload.content[0].examples[0].value["data"]["note"];
    assert_eq!(
        note,
        "Fragile \u{1f4e6} \u{2014} handle with care \u{1f64f}"
    );
    assert_eq!(spec.overlays, [dir().join("parcelbox.overlay.yaml")]);
}

#[test]
fn the_lint_lists_each_foreign_key_once_as_a_warning() {
    let spec = parcelbox();
    let report = lint::lint(&spec);
    assert!(!report.has_errors(), "{:#?}", report.findings);
    let foreign: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.message.contains("another tool's extension"))
        .map(|f| {
            assert_eq!(f.severity, Severity::Warning);
            f.message.as_str()
        })
        .collect();
    assert_eq!(foreign.len(), spec.foreign_extensions.len(), "{foreign:#?}");
    assert!(
        foreign.contains(
            &"`x-speakeasy-name-override` is another tool's extension: kept, and ignored by the harness (3 places)"
        ),
        "{foreign:#?}"
    );
}

#[test]
fn without_the_overlay_the_document_is_strict_and_says_what_is_missing() {
    let errors = Loader::new().load_file(&document()).unwrap_err();
    let kinds: Vec<String> = errors.iter().map(|e| e.kind.to_string()).collect();
    assert!(
        errors.iter().any(
            |e| e.kind == SpecErrorKind::UnknownExtension("x-logo".into())
                && e.pointer == "/info/x-logo"
        ),
        "{kinds:#?}"
    );
    assert!(
        kinds.iter().any(|k| k == "`x-provider` is required"),
        "{kinds:#?}"
    );
    // Read as foreign but without the overlay: only the missing extensions are errors.
    let errors = Loader::new()
        .foreign_extensions(true)
        .load_file(&document())
        .unwrap_err();
    assert!(
        errors
            .iter()
            .all(|e| !matches!(e.kind, SpecErrorKind::UnknownExtension(_))),
        "{errors}"
    );
}

#[test]
fn a_harness_extension_out_of_place_is_still_an_error_in_a_foreign_document() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("misplaced.yaml");
    std::fs::write(
        &overlay,
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components\n    update: {x-delivery: {}}\n",
    )
    .unwrap();
    let errors = Loader::new()
        .overlay(dir_overlay())
        .overlay(&overlay)
        .load_file(&document())
        .unwrap_err();
    assert!(
        errors.iter().any(
            |e| e.kind == SpecErrorKind::UnknownExtension("x-delivery".into())
                && e.pointer == "/components/x-delivery"
        ),
        "{errors}"
    );
}

fn dir_overlay() -> PathBuf {
    dir().join("parcelbox.overlay.yaml")
}

#[test]
fn an_overlay_that_misses_names_the_file_and_the_action() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("typo.yaml");
    std::fs::write(
        &overlay,
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.webhooks['parcel.shiped'].post\n    update: {x-event: {}}\n",
    )
    .unwrap();
    let errors = Loader::new()
        .overlay(&overlay)
        .load_file(&document())
        .unwrap_err();
    let error = errors.iter().next().unwrap();
    assert_eq!(error.file, overlay);
    assert_eq!(error.pointer, "/actions/0");
    assert!(
        error.kind.to_string().contains("selects nothing"),
        "{errors}"
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Every check that applies, for every event, against a fresh reference receiver with `fault`.
fn outcomes(fault: Fault) -> Vec<(String, Result<(), String>)> {
    let runtime = runtime();
    let spec = parcelbox();
    let mut out = Vec::new();
    for check in receiver::catalogue() {
        for event in &spec.events {
            if (check.applies)(&spec, &event.name) != Applies::Yes {
                continue;
            }
            let receiver = runtime
                .block_on(ReferenceReceiver::start_with(spec.clone(), SECRET, fault))
                .unwrap();
            let settings = Settings {
                target: receiver.url(),
                secret: SECRET.into(),
                cases: 8,
                seed: 5,
                timeout: Duration::from_secs(5),
            };
            let probe = Probe::new(spec.clone(), settings, runtime.handle().clone());
            out.push((
                format!("{}::{}", check.info.id, event.name),
                check.run_on(&probe, &event.name),
            ));
        }
    }
    out
}

#[test]
fn receiver_mode_runs_on_the_foreign_document() {
    let passed = outcomes(Fault::None);
    // Every check of the catalogue applies to both events (signed, timestamped, one lifecycle).
    assert_eq!(passed.len(), 2 * receiver::catalogue().len());
    for (trial, outcome) in &passed {
        assert!(
            outcome.is_ok(),
            "{trial}: {}",
            outcome.as_ref().unwrap_err()
        );
    }
    for check in [
        "documented-example",
        "bad-signature",
        "replay",
        "redelivery",
    ] {
        assert!(
            passed.iter().any(|(t, _)| t.starts_with(check)),
            "{check} runs on the foreign document"
        );
    }
    // And a receiver with a defect fails the check for it.
    let failed = outcomes(Fault::SkipsSignatureCheck);
    assert!(
        failed
            .iter()
            .any(|(t, o)| t.starts_with("bad-signature::") && o.is_err()),
        "a receiver that skips the signature check fails bad-signature"
    );
}

#[test]
fn the_mock_serves_the_foreign_document_and_passes_provider_mode() {
    use webhook_harness::check::provider::{self, Api};
    use webhook_harness::mock::MockProvider;
    let runtime = runtime();
    let spec = parcelbox();
    let mock = runtime
        .block_on(
            MockProvider::builder(spec.clone())
                .allow_http_targets(true)
                .seed(1)
                .start(),
        )
        .unwrap();
    let api = Api::new(
        spec,
        provider::Settings {
            target: mock.uri(),
            credentials: mock.credentials().clone(),
            cases: 8,
            seed: 2,
            timeout: Duration::from_secs(5),
        },
        runtime.handle().clone(),
    );
    let mut ran = Vec::new();
    for check in provider::catalogue() {
        for (subject, applies) in (check.subjects)(&api) {
            if applies != Applies::Yes {
                continue;
            }
            let outcome = check.run_on(&api, &subject);
            assert_eq!(outcome, Ok(None), "{}::{subject}", check.info.id);
            ran.push(format!("{}::{subject}", check.info.id));
        }
    }
    for trial in [
        "documented-example::createWebhookEndpoint",
        "invalid-request::createWebhookEndpoint",
    ] {
        assert!(ran.iter().any(|t| t == trial), "{trial} in {ran:?}");
    }
}
