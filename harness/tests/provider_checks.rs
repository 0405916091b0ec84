//! Every provider check passes against the mock and fails against a mock with exactly its
//! fault (`check::provider::faults`), saying why.

use std::time::Duration;

use webhook_harness::check::provider::faults::{
    AcceptsAnyExtraMember, AcceptsHttpTargets, AcceptsOverlongStrings, AcceptsWrongEnumValues,
    CrashesOnBrokenJson, CrashesOnEmptyBody, CursorRepeatsAnItem, DeliversUnsubscribed,
    DropsIdFromResponses, ForgetsUpdates, IgnoresContentType, IgnoresCredentials,
    IgnoresUnknownInputFields, LeaksTenants, RetryDoesNotResend, ServesDeleted, SignsWithWrongKey,
    SkipsValidation,
};
use webhook_harness::check::provider::{self, Api, Applies, Settings};
use webhook_harness::mock::{Fault, MockProvider};
use webhook_harness::spec::ProviderSpec;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// An `Api` of `spec` at `target`, with `(cases, seed, timeout seconds)`.
fn api_at(
    runtime: &tokio::runtime::Runtime,
    spec: ProviderSpec,
    target: String,
    credentials: webhook_harness::mock::Credentials,
    (cases, seed, timeout): (u32, u64, u64),
) -> Api {
    Api::new(
        spec,
        Settings {
            target,
            credentials,
            cases,
            seed,
            timeout: Duration::from_secs(timeout),
        },
        runtime.handle().clone(),
    )
}

/// Runs `check` for `subject` against a mock of `provider`, with `fault` if any.
fn outcome(
    runtime: &tokio::runtime::Runtime,
    provider: &str,
    fault: Option<&dyn Fault>,
    check: &str,
    subject: &str,
) -> Result<Option<String>, String> {
    let spec = ProviderSpec::load(provider).unwrap();
    let mut builder = MockProvider::builder(spec.clone())
        .allow_http_targets(true)
        .seed(7);
    if let Some(fault) = fault {
        builder = builder.fault(fault);
    }
    let mock = runtime.block_on(builder.start()).unwrap();
    let api = api_at(
        runtime,
        spec,
        mock.uri(),
        mock.credentials().clone(),
        (8, 5, 5),
    );
    let check = provider::catalogue()
        .into_iter()
        .find(|c| c.info.id == check)
        .unwrap();
    let applies = (check.subjects)(&api)
        .into_iter()
        .find(|(s, _)| s == subject)
        .map(|(_, a)| a);
    assert_eq!(
        applies,
        Some(Applies::Yes),
        "{provider} {check:?} {subject}"
    );
    check.run_on(&api, subject)
}

/// A fault, the provider, check and subject that must catch it, and what the report must say.
type Case = (
    &'static dyn Fault,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// Each fault, the check that must catch it, where, and what its report must say.
const FAULTS: [Case; 19] = [
    (
        &CrashesOnEmptyBody,
        "swsh",
        "invalid-request",
        "createSubscription",
        &["empty (0 bytes) where a body is required", "response: 500"],
    ),
    (
        &IgnoresContentType,
        "uc-alxgsv",
        "invalid-request",
        "createWebhook",
        &["sent as `Content-Type: text/plain`", "response: 200"],
    ),
    (
        &LeaksTenants,
        "betterez",
        "auth",
        "getSubscription",
        &["the second tenant's credentials", "response: 200"],
    ),
    (
        &AcceptsHttpTargets,
        "swsh",
        "target-url",
        "createSubscription",
        &["http://receiver.example.com", "response: 200"],
    ),
    (
        &SkipsValidation,
        "swsh",
        "invalid-request",
        "createSubscription",
        &["the request breaks", "response: 200"],
    ),
    (
        &CrashesOnBrokenJson,
        "swsh",
        "invalid-request",
        "createSubscription",
        &["is not JSON at all", "response: 500"],
    ),
    (
        &CrashesOnBrokenJson,
        "uc-alxgsv",
        "invalid-request",
        "createWebhook",
        &["not JSON", "response: 500"],
    ),
    (
        &AcceptsAnyExtraMember,
        "swsh",
        "invalid-request",
        "createSubscription",
        &[
            "`/metadata` has an extra property",
            "of type object",
            "response: 20",
        ],
    ),
    (
        &IgnoresCredentials,
        "swsh",
        "auth",
        "getSubscriptions",
        &["sent with no credentials", "response: 200"],
    ),
    (
        &ServesDeleted,
        "swsh",
        "stateful",
        "subscriptions",
        &["minimal sequence", "Delete"],
    ),
    (
        &LeaksTenants,
        "uc-alxgsv",
        "auth",
        "viewWebhook",
        &["the second tenant's credentials", "response: 200"],
    ),
    (
        &LeaksTenants,
        "swsh",
        "auth",
        "getSubscriptions",
        &["must not be listed"],
    ),
    (
        &DropsIdFromResponses,
        "uc-alxgsv",
        "documented-example",
        "createWebhook",
        &["schema violations", "\"id\""],
    ),
    (
        &SignsWithWrongKey,
        "uc-alxgsv",
        "deliveries",
        "file.created",
        &["does not verify with the subscriber's key"],
    ),
    (
        &DeliversUnsubscribed,
        "betterez",
        "deliveries",
        "images.created",
        &["no delivery of `images.deleted`"],
    ),
    (
        &CursorRepeatsAnItem,
        "swsh",
        "paging",
        "getSubscriptions",
        &[
            "each item on one page only",
            "is on an earlier page too",
            "cursor=",
        ],
    ),
    (
        &RetryDoesNotResend,
        "betterez",
        "undeliverable",
        "undelivered",
        &["the retry resends the delivery", "PUT", "/retry"],
    ),
    (
        &IgnoresUnknownInputFields,
        "happycolis",
        "invalid-request",
        "integrationWebhookCreate",
        &[
            "input-field `/input/unknownField`",
            "a GraphQL error (HTTP 200 with `errors` and no `data.integrationWebhookCreate`)",
            "response: 200",
        ],
    ),
    (
        &ForgetsUpdates,
        "uc-alxgsv",
        "generated",
        "updateWebhook",
        &["reads back", "seed: 5"],
    ),
];

#[test]
fn each_provider_check_fails_on_its_defect_and_passes_without_it() {
    let runtime = runtime();
    for (fault, provider, check, subject, says) in FAULTS {
        let good = outcome(&runtime, provider, None, check, subject);
        assert_eq!(good, Ok(None), "{provider}::{check}::{subject} on the mock");
        let report = outcome(&runtime, provider, Some(fault), check, subject)
            .expect_err(&format!("{fault:?}: {provider}::{check}::{subject}"));
        for needle in says {
            assert!(
                report.contains(needle),
                "{fault:?}: {needle:?} in\n{report}"
            );
        }
    }
}

/// The HappyColis spec with an enum-typed input field added to its SDL (the documented SDL
/// has none), written to a file of its own.
fn happycolis_with_enum() -> String {
    let text = std::fs::read_to_string(webhook_harness::spec::specs_dir().join("happycolis.yaml"))
        .unwrap();
    let field = "            integrationId: ID\n";
    assert!(text.contains(field));
    let text = text.replacen(
        field,
        &format!("{field}            \"Payload format.\"\n            format: PayloadFormat\n"),
        1,
    );
    let text = text.replacen(
        "          scalar JSON\n",
        "          scalar JSON\n\n          enum PayloadFormat { JSON COMPACT }\n",
        1,
    );
    let path = std::env::temp_dir().join(format!("happycolis-enum-{}.yaml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_graphql_api_that_accepts_a_wrong_enum_value_fails_invalid_request() {
    let runtime = runtime();
    let spec = happycolis_with_enum();
    let good = outcome(
        &runtime,
        &spec,
        None,
        "invalid-request",
        "integrationWebhookCreate",
    );
    assert_eq!(good, Ok(None));
    let good = outcome(
        &runtime,
        &spec,
        None,
        "generated",
        "integrationWebhookCreate",
    );
    assert_eq!(good, Ok(None));
    let report = outcome(
        &runtime,
        &spec,
        Some(&AcceptsWrongEnumValues),
        "invalid-request",
        "integrationWebhookCreate",
    )
    .expect_err("a wrong enum value accepted");
    let _ = std::fs::remove_file(&spec);
    for needle in [
        "enum `/input/format`",
        "`NOT_A_PAYLOADFORMAT`, which is none of its values",
        "response: 200",
        "\"integrationWebhookCreate\":{",
    ] {
        assert!(report.contains(needle), "{needle:?} in\n{report}");
    }
}

/// The body a report shows (its `  body: ` line), parsed.
fn reported_body(report: &str) -> serde_json::Value {
    let line = report
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("body: "))
        .unwrap_or_else(|| panic!("no body in\n{report}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn an_accepted_invalid_body_shrinks_and_keeps_its_one_violation() {
    let runtime = runtime();
    let report = outcome(
        &runtime,
        "standard-webhooks",
        Some(&AcceptsOverlongStrings),
        "invalid-request",
        "createEndpoint",
    )
    .expect_err("an overlong label accepted");
    assert!(report.contains("breaks `maxLength`"), "{report}");
    let figures = report
        .lines()
        .find_map(|l| l.strip_prefix("shrunk: "))
        .unwrap_or_else(|| panic!("not shrunk:\n{report}"));
    let sizes = figures
        .split("body ")
        .nth(1)
        .and_then(|rest| rest.split(" bytes").next())
        .unwrap();
    let (before, after) = sizes.split_once(" -> ").unwrap();
    let (before, after): (usize, usize) = (before.parse().unwrap(), after.parse().unwrap());
    assert!(after < before, "{report}");
    // The body shown is the shrunk one, and it still breaks exactly its labelled rule.
    let body = reported_body(&report);
    assert_eq!(serde_json::to_vec(&body).unwrap().len(), after, "{report}");
    let spec = ProviderSpec::load("standard-webhooks").unwrap();
    let generator = webhook_harness::generate::Generator::new(&spec)
        .request("createEndpoint")
        .unwrap();
    let violations = spec.schemas.violations(generator.pointer(), &body).unwrap();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].keyword, "maxLength");
    assert!(
        figures.contains(&format!("at {}", violations[0].instance_pointer)),
        "{report}"
    );
}

#[test]
fn the_mock_passes_every_provider_check_of_every_spec() {
    let runtime = runtime();
    for provider in ["betterez", "happycolis", "swsh", "uc-alxgsv"] {
        let spec = ProviderSpec::load(provider).unwrap();
        let mock = runtime
            .block_on(
                MockProvider::builder(spec.clone())
                    .allow_http_targets(true)
                    .seed(1)
                    .start(),
            )
            .unwrap();
        let api = api_at(
            &runtime,
            spec,
            mock.uri(),
            mock.credentials().clone(),
            (8, 2, 5),
        );
        let mut ran = 0;
        for check in provider::catalogue() {
            for (subject, applies) in (check.subjects)(&api) {
                if applies != Applies::Yes {
                    continue;
                }
                let outcome = check.run_on(&api, &subject);
                assert_eq!(
                    outcome,
                    Ok(None),
                    "{provider}::{}::{subject}",
                    check.info.id
                );
                ran += 1;
            }
        }
        assert!(ran >= 10, "{provider}: {ran} trials");
    }
}

#[test]
fn a_target_without_triggers_skips_deliveries_with_the_reason() {
    let runtime = runtime();
    // A plain HTTP server that knows nothing of /__mock/.
    let server = runtime.block_on(wiremock::MockServer::start());
    let spec = ProviderSpec::load("swsh").unwrap();
    let api = api_at(
        &runtime,
        spec.clone(),
        server.uri(),
        webhook_harness::mock::default_credentials(&spec),
        (2, 0, 2),
    );
    let check = provider::catalogue()
        .into_iter()
        .find(|c| c.info.id == "deliveries")
        .unwrap();
    let outcome = check.run_on(&api, "newPhoto").unwrap();
    assert!(
        outcome.is_some_and(|reason| reason.contains("no way to trigger events")),
        "runtime-ignored with the reason"
    );
}

#[test]
fn a_target_that_is_down_fails_every_check_clearly() {
    let runtime = runtime();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let spec = ProviderSpec::load("swsh").unwrap();
    let api = api_at(
        &runtime,
        spec.clone(),
        format!("http://{closed}"),
        webhook_harness::mock::default_credentials(&spec),
        (2, 0, 2),
    );
    let check = provider::catalogue()
        .into_iter()
        .find(|c| c.info.id == "documented-example")
        .unwrap();
    let report = check.run_on(&api, "ping").unwrap_err();
    assert!(
        report.contains("response: none (could not connect"),
        "{report}"
    );
}

#[test]
fn a_target_without_triggers_lists_undeliverable_as_ignored_with_the_reason() {
    let runtime = runtime();
    let server = runtime.block_on(wiremock::MockServer::start());
    let spec = ProviderSpec::load("betterez").unwrap();
    let api = api_at(
        &runtime,
        spec.clone(),
        server.uri(),
        webhook_harness::mock::default_credentials(&spec),
        (2, 0, 2),
    );
    let check = provider::catalogue()
        .into_iter()
        .find(|c| c.info.id == "undeliverable")
        .unwrap();
    let subjects = (check.subjects)(&api);
    assert!(
        matches!(
            subjects.as_slice(),
            [(subject, Applies::Ignored(reason))]
                if subject == "undelivered" && reason.contains("no way to trigger")
        ),
        "{subjects:?}"
    );
    // Specs without an undeliverable list have no such trial.
    let swsh = ProviderSpec::load("swsh").unwrap();
    let api = api_at(
        &runtime,
        swsh.clone(),
        server.uri(),
        webhook_harness::mock::default_credentials(&swsh),
        (2, 0, 2),
    );
    assert!((check.subjects)(&api).is_empty());
}

/// Runs the `forbidden` check on swsh's createSubscription against a mock with `fault` (if
/// any): its outcome and the warnings it noted.
fn forbidden_on(
    runtime: &tokio::runtime::Runtime,
    fault: Option<&dyn Fault>,
) -> (Result<Option<String>, String>, Vec<String>) {
    let spec = ProviderSpec::load("swsh").unwrap();
    let mut builder = MockProvider::builder(spec.clone())
        .allow_http_targets(true)
        .seed(7);
    if let Some(fault) = fault {
        builder = builder.fault(fault);
    }
    let mock = runtime.block_on(builder.start()).unwrap();
    let api = api_at(
        runtime,
        spec,
        mock.uri(),
        mock.credentials().clone(),
        (2, 0, 5),
    );
    let check = provider::catalogue()
        .into_iter()
        .find(|c| c.info.id == "forbidden")
        .unwrap();
    let recorder = webhook_harness::transcript::Recorder::new(false);
    let outcome = (check.run)(&api.session(&recorder), "createSubscription");
    (outcome, recorder.warnings())
}

#[test]
fn a_403_answered_as_200_is_a_warning_and_a_failure_under_strict() {
    use webhook_harness::check::provider::faults::ForbiddenAnsweredOk;
    let runtime = runtime();
    let (outcome, warnings) = forbidden_on(&runtime, None);
    assert_eq!(outcome, Ok(None));
    assert!(warnings.is_empty(), "{warnings:?}");

    // The 403 rests on the album-admin assumption: a warning, not a failure.
    let (outcome, warnings) = forbidden_on(&runtime, Some(&ForbiddenAnsweredOk));
    assert_eq!(outcome, Ok(None));
    let [warning] = warnings.as_slice() else {
        panic!("{warnings:?}")
    };
    for needle in [
        "forbidden:",
        "403 for a request naming /albumId `00000000-0000-0000-0000-000000000000`",
        "expectation: assumed (album-admin)",
        "--assume album-admin=",
        "response: 200",
    ] {
        assert!(warning.contains(needle), "{needle:?} in\n{warning}");
    }

    // Under --strict the same trial fails.
    let spec = ProviderSpec::load("swsh").unwrap();
    let mock = runtime
        .block_on(
            MockProvider::builder(spec.clone())
                .allow_http_targets(true)
                .fault(&ForbiddenAnsweredOk)
                .start(),
        )
        .unwrap();
    let api = std::sync::Arc::new(api_at(
        &runtime,
        spec,
        mock.uri(),
        mock.credentials().clone(),
        (2, 0, 5),
    ));
    let check = provider::catalogue()
        .into_iter()
        .find(|c| c.info.id == "forbidden")
        .unwrap();
    let mut conclusions = Vec::new();
    for strict in [false, true] {
        let mut context = webhook_harness::runner::Context::new(None);
        context.strict = strict;
        let api = std::sync::Arc::clone(&api);
        let trial = context.trial(
            "swsh::forbidden::createSubscription".into(),
            "provider",
            std::sync::Arc::new(api.redactor_for_reports()),
            "cargo xtask conformance provider --spec swsh -- --exact swsh::forbidden::createSubscription".into(),
            move |recorder| (check.run)(&api.session(recorder), "createSubscription"),
        );
        // The inner run's output goes to a file: its expected failure is not this test's.
        let log = tempfile::NamedTempFile::new().unwrap();
        let args = libtest_mimic::Arguments::from_iter([
            "provider_checks",
            "--test-threads=1",
            "--logfile",
            &log.path().display().to_string(),
        ]);
        conclusions.push(libtest_mimic::run(&args, vec![trial]).num_failed);
    }
    assert_eq!(
        conclusions,
        [0, 1],
        "a warning, then a failure under strict"
    );
}

/// A HappyColis API whose remove mutations ignore the families (the mock under the
/// `cross-family-remove` and `oauth-remove-family` alternatives `{}`) breaks an assumption:
/// `generated` warns, and passes.
#[test]
fn a_cross_family_remove_is_a_warning() {
    let runtime = runtime();
    let spec = ProviderSpec::load("happycolis").unwrap();
    let lenient = webhook_harness::spec::Loader::new()
        .assume("cross-family-remove", "{}")
        .assume("oauth-remove-family", "{}")
        .load("happycolis")
        .unwrap();
    let mock = runtime
        .block_on(MockProvider::builder(lenient).seed(7).start())
        .unwrap();
    let api = api_at(
        &runtime,
        spec,
        mock.uri(),
        mock.credentials().clone(),
        (2, 0, 5),
    );
    let check = provider::catalogue()
        .into_iter()
        .find(|c| c.info.id == "generated")
        .unwrap();
    let recorder = webhook_harness::transcript::Recorder::new(false);
    let outcome = (check.run)(&api.session(&recorder), "oauthWebhookCreate");
    assert_eq!(outcome, Ok(None));
    let warnings = recorder.warnings();
    let [warning] = warnings.as_slice() else {
        panic!("{warnings:?}")
    };
    for needle in [
        "`integrationWebhookRemove` removes only the subscriptions of its own family",
        "expectation: assumed (cross-family-remove)",
        "response: 200",
    ] {
        assert!(warning.contains(needle), "{needle:?} in\n{warning}");
    }
}

#[test]
fn invalid_request_sends_every_violation_site_even_at_one_case() {
    use std::sync::{Arc, Mutex};
    use webhook_harness::mock::{SchemaValidation, Validate, Validated, Validation};

    let runtime = runtime();
    for (provider, operation) in [
        ("swsh", "createSubscription"),
        ("uc-alxgsv", "createWebhook"),
    ] {
        let spec = ProviderSpec::load(provider).unwrap();
        let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
        let seen = Arc::clone(&bodies);
        // Every request body the mock validates, recorded; validation as usual.
        let recording = move |check: &Validation<'_>| {
            if check.what == Validated::RequestBody {
                seen.lock().unwrap().push(check.value.clone());
            }
            SchemaValidation.validate(check)
        };
        let mock = runtime
            .block_on(
                MockProvider::builder(spec.clone())
                    .allow_http_targets(true)
                    .validate(recording)
                    .start(),
            )
            .unwrap();
        let seed = 9;
        let api = api_at(
            &runtime,
            spec.clone(),
            mock.uri(),
            mock.credentials().clone(),
            (1, seed, 5),
        );
        let check = provider::catalogue()
            .into_iter()
            .find(|c| c.info.id == "invalid-request")
            .unwrap();
        assert_eq!(check.run_on(&api, operation), Ok(None), "{provider}");
        // The sites the generator enumerates for the check's seed: each one was sent.
        let generator = api.generator.request(operation).unwrap();
        let sites = generator.violations(seed ^ 0x1a5a1d).unwrap();
        assert!(sites.len() > 5, "{provider}: {} sites", sites.len());
        let sent = bodies.lock().unwrap().clone();
        for site in &sites {
            let label = site.label.as_ref().unwrap();
            let found = sent.iter().any(|body| {
                spec.schemas
                    .violations(generator.pointer(), body)
                    .unwrap_or_default()
                    .iter()
                    .any(|v| v.instance_pointer == label.pointer)
            });
            assert!(
                found,
                "{provider}: no request broke {} at `{}` (of {} sites, {} bodies sent)",
                label.keyword,
                label.pointer,
                sites.len(),
                sent.len()
            );
        }
    }
}
