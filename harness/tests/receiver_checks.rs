//! Every receiver check passes against the reference receivers and fails against a receiver
//! with exactly its defect, saying why.

use std::time::Duration;

use webhook_harness::check::receiver::faults::Fault;
use webhook_harness::check::receiver::{self, Applies, Probe, Settings};
use webhook_harness::reference::ReferenceReceiver;
use webhook_harness::spec::ProviderSpec;

const SECRET: &str = "receiver-secret";
const SIGNING: [&str; 4] = ["betterez", "happycolis", "standard-webhooks", "uc-alxgsv"];
const PROVIDERS: [&str; 5] = [
    "betterez",
    "happycolis",
    "standard-webhooks",
    "swsh",
    "uc-alxgsv",
];
/// The specs whose signature covers a timestamp with a documented tolerance.
const REPLAY: [&str; 1] = ["standard-webhooks"];

/// Runs `check` for every event of `provider`, each against a fresh receiver with `fault` (one
/// endpoint per subscription, as receivers are usually routed); the outcomes.
fn outcomes(
    runtime: &tokio::runtime::Runtime,
    provider: &str,
    fault: Fault,
    check: &str,
) -> Vec<(String, Result<(), String>)> {
    let spec = ProviderSpec::load(provider).unwrap();
    let check = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == check)
        .unwrap();
    let outcomes: Vec<_> = spec
        .events
        .iter()
        .filter(|e| (check.applies)(&spec, &e.name) == Applies::Yes)
        .map(|e| {
            let receiver = runtime
                .block_on(ReferenceReceiver::start_with(spec.clone(), SECRET, fault))
                .unwrap();
            let settings = Settings {
                target: receiver.url(),
                secret: SECRET.into(),
                cases: 16,
                seed: 3,
                timeout: Duration::from_secs(5),
            };
            let probe = Probe::new(spec.clone(), settings, runtime.handle().clone());
            (e.name.clone(), check.run_on(&probe, &e.name))
        })
        .collect();
    assert!(
        !outcomes.is_empty(),
        "{check:?} runs for no event of {provider}"
    );
    outcomes
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_reference_receivers_pass_every_check() {
    let runtime = runtime();
    for provider in PROVIDERS {
        let spec = ProviderSpec::load(provider).unwrap();
        for check in receiver::catalogue() {
            if spec
                .events
                .iter()
                .all(|e| (check.applies)(&spec, &e.name) != Applies::Yes)
            {
                continue;
            }
            for (event, outcome) in outcomes(&runtime, provider, Fault::None, check.info.id) {
                assert!(
                    outcome.is_ok(),
                    "{provider}::{}::{event}: {}",
                    check.info.id,
                    outcome.unwrap_err()
                );
            }
        }
    }
}

#[test]
fn documented_example_fails_on_a_receiver_that_refuses() {
    let runtime = runtime();
    for provider in PROVIDERS {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::RejectsEverything,
            "documented-example",
        ) {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("expected: a 2xx answer") && report.contains("response: 400"),
                "{report}"
            );
            assert!(
                report.contains("request: POST http://127.0.0.1:"),
                "the report shows the request: {report}"
            );
        }
    }
}

#[test]
fn generated_fails_with_the_seed_and_a_minimal_payload_and_only_generated_does() {
    let runtime = runtime();
    for provider in ["betterez", "happycolis", "uc-alxgsv"] {
        let failures: Vec<String> =
            outcomes(&runtime, provider, Fault::ChokesOnUnderscores, "generated")
                .into_iter()
                .filter_map(|(_, o)| o.err())
                .collect();
        assert!(
            !failures.is_empty(),
            "{provider}: generated payloads with an underscore get a 500"
        );
        for report in &failures {
            assert!(
                report.contains("seed: 3")
                    && report.contains("minimal payload:")
                    && report.contains("response: 500"),
                "{report}"
            );
        }
    }
    // Where the payload does not echo the (generated) subscription, the documented examples hold
    // no underscore, so that check passes against the same receiver.
    for provider in ["betterez", "happycolis"] {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ChokesOnUnderscores,
            "documented-example",
        ) {
            assert!(outcome.is_ok(), "{provider} {event}: {:?}", outcome.err());
        }
    }
}

#[test]
fn bad_signature_fails_on_each_signature_defect() {
    let runtime = runtime();
    for provider in SIGNING {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::SkipsSignatureCheck,
            "bad-signature",
        ) {
            let report = outcome.expect_err(&event);
            for variant in [
                "signed with another secret",
                "no signature header",
                "a tampered body",
            ] {
                assert!(
                    report.contains(variant),
                    "{provider} {event}: {variant} accepted must be reported: {report}"
                );
            }
        }
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ServerErrorOnBadSignature,
            "bad-signature",
        ) {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("response: 500"),
                "{provider} {event}: a 5xx is a failure too: {report}"
            );
        }
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ComparesSignaturePrefix,
            "bad-signature",
        ) {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("the signature's last character changed"),
                "{provider} {event}: {report}"
            );
            assert!(
                !report.contains("no signature header"),
                "only the near misses get through a prefix compare: {report}"
            );
        }
        // The other checks do not notice these defects.
        for (_, outcome) in outcomes(&runtime, provider, Fault::SkipsSignatureCheck, "generated") {
            assert!(outcome.is_ok());
        }
    }
}

#[test]
fn replay_fails_on_a_receiver_that_ignores_the_timestamp() {
    let runtime = runtime();
    for provider in REPLAY {
        for (event, outcome) in
            outcomes(&runtime, provider, Fault::AcceptsStaleTimestamps, "replay")
        {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("an old delivery replayed")
                    && report.contains("a delivery from the future")
                    && report.contains("response: 200"),
                "{provider} {event}: {report}"
            );
            assert!(
                !report.contains("just inside the window"),
                "a fresh delivery is still accepted: {report}"
            );
        }
    }
    // Betterez signs a timestamp but documents no tolerance: nothing to hold a receiver to.
    let betterez = ProviderSpec::load("betterez").unwrap();
    let check = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == "replay")
        .unwrap();
    let Applies::Ignored(reason) = (check.applies)(&betterez, "images.created") else {
        panic!("betterez documents no tolerance")
    };
    assert!(reason.contains("no replay tolerance"), "{reason}");
}

#[test]
fn bad_signature_covers_malformed_headers_and_key_rotation() {
    let runtime = runtime();
    // The documented receivers refuse every malformed shape with a 4xx and accept a header
    // with two signatures of which one is valid.
    for (event, outcome) in outcomes(&runtime, "standard-webhooks", Fault::None, "bad-signature") {
        assert!(outcome.is_ok(), "{event}: {:?}", outcome.err());
    }
    // A receiver that crashes on a header it cannot split (a common library bug) fails with
    // a 5xx on exactly the malformed variants.
    for (event, outcome) in outcomes(
        &runtime,
        "standard-webhooks",
        Fault::CrashesOnMalformedSignature,
        "bad-signature",
    ) {
        let report = outcome.expect_err(&event);
        assert!(
            report.contains("without the scheme's shape") && report.contains("response: 500"),
            "{event}: {report}"
        );
        assert!(
            !report.contains("signed with another secret"),
            "well-formed but wrong signatures are still refused: {report}"
        );
    }
    // A receiver that takes only the first signature of a header misses a rotated key.
    for (event, outcome) in outcomes(
        &runtime,
        "standard-webhooks",
        Fault::FirstSignatureOnly,
        "bad-signature",
    ) {
        let report = outcome.expect_err(&event);
        assert!(
            report.contains("a key rotation") && report.contains("response: 401"),
            "{event}: {report}"
        );
    }
}

#[test]
fn swsh_signature_trials_are_ignored_with_the_reason() {
    let spec = ProviderSpec::load("swsh").unwrap();
    let check = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == "bad-signature")
        .unwrap();
    let Applies::Ignored(reason) = (check.applies)(&spec, &spec.events[0].name) else {
        panic!("swsh signs nothing")
    };
    assert!(
        reason.contains("cannot tell real deliveries from forged ones"),
        "{reason}"
    );
    assert_eq!(webhook_harness::runner::warnings(&[&spec]).len(), 1);
}

#[test]
fn a_target_that_is_down_fails_clearly_without_hanging() {
    let runtime = runtime();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let spec = ProviderSpec::load("happycolis").unwrap();
    let settings = Settings {
        target: format!("http://{closed}/hook"),
        secret: SECRET.into(),
        cases: 4,
        seed: 1,
        timeout: Duration::from_secs(2),
    };
    let probe = Probe::new(spec, settings, runtime.handle().clone());
    let check = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == "documented-example")
        .unwrap();
    let report = check.run_on(&probe, "product/image/created").unwrap_err();
    assert!(report.contains("response: none"), "{report}");
}

#[test]
fn redelivery_fails_on_a_receiver_that_refuses_duplicates() {
    let runtime = runtime();
    for provider in PROVIDERS {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ConflictOnRedelivery,
            "redelivery",
        ) {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("delivery 2 of the same event") && report.contains("response: 409"),
                "{report}"
            );
        }
    }
    // One delivery is no duplicate: each event's example, sent alone to a fresh receiver. (Sent
    // to one receiver in a row, Betterez's and HappyColis' two examples would collide: their docs
    // copy the same ids into both.)
    for provider in PROVIDERS {
        let spec = ProviderSpec::load(provider).unwrap();
        for event in spec.events.iter().map(|e| e.name.clone()) {
            let receiver = runtime
                .block_on(ReferenceReceiver::start_with(
                    spec.clone(),
                    SECRET,
                    Fault::ConflictOnRedelivery,
                ))
                .unwrap();
            let settings = Settings {
                target: receiver.url(),
                secret: SECRET.into(),
                cases: 2,
                seed: 3,
                timeout: Duration::from_secs(5),
            };
            let probe = Probe::new(spec.clone(), settings, runtime.handle().clone());
            let check = receiver::catalogue()
                .into_iter()
                .find(|c| c.info.id == "documented-example")
                .unwrap();
            assert!(check.run_on(&probe, &event).is_ok(), "{provider} {event}");
        }
    }
}

#[test]
fn unknown_event_fails_on_a_receiver_that_crashes_on_one() {
    let runtime = runtime();
    for provider in SIGNING {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ServerErrorOnUnknownEvent,
            "unknown-event",
        ) {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("event name sent: harness.unknown-event")
                    && report.contains("response: 500"),
                "{report}"
            );
        }
        for (_, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ServerErrorOnUnknownEvent,
            "generated",
        ) {
            assert!(outcome.is_ok(), "known events are fine");
        }
    }
    let swsh = ProviderSpec::load("swsh").unwrap();
    let check = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == "unknown-event")
        .unwrap();
    assert!(
        matches!(
            (check.applies)(&swsh, &swsh.events[0].name),
            Applies::Ignored(_)
        ),
        "swsh payloads name no event"
    );
}

#[test]
fn content_type_charset_fails_on_an_exact_header_comparison() {
    let runtime = runtime();
    for provider in PROVIDERS {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ExactContentType,
            "content-type-charset",
        ) {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("charset=utf-8") && report.contains("response: 415"),
                "{report}"
            );
        }
        for (_, outcome) in outcomes(
            &runtime,
            provider,
            Fault::ExactContentType,
            "documented-example",
        ) {
            assert!(outcome.is_ok(), "the provider's own header is accepted");
        }
    }
}

#[test]
fn timing_fails_on_a_receiver_slower_than_the_providers_timeout() {
    let runtime = runtime();
    let mut spec = ProviderSpec::load("swsh").unwrap();
    spec.delivery.timeout_ms = 200;
    let slow = runtime
        .block_on(ReferenceReceiver::start_with(
            spec.clone(),
            SECRET,
            Fault::Slow(600),
        ))
        .unwrap();
    let settings = Settings {
        target: slow.url(),
        secret: SECRET.into(),
        cases: 2,
        seed: 1,
        timeout: Duration::from_secs(5),
    };
    let probe = Probe::new(spec.clone(), settings, runtime.handle().clone());
    let timing = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == "timing")
        .unwrap();
    let report = timing.run_on(&probe, "newAlbum").unwrap_err();
    assert!(
        report.contains("an answer within 200 ms") && report.contains("answered after"),
        "{report}"
    );
    let documented = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == "documented-example")
        .unwrap();
    assert!(
        documented.run_on(&probe, "newAlbum").is_ok(),
        "a slow 2xx is still a 2xx for the other checks"
    );
    let fast = runtime
        .block_on(ReferenceReceiver::start_with(
            spec.clone(),
            SECRET,
            Fault::None,
        ))
        .unwrap();
    let probe = Probe::new(
        spec,
        Settings {
            target: fast.url(),
            secret: SECRET.into(),
            cases: 2,
            seed: 1,
            timeout: Duration::from_secs(5),
        },
        runtime.handle().clone(),
    );
    assert!(timing.run_on(&probe, "newAlbum").is_ok());
}

#[test]
fn edge_fails_on_a_receiver_that_chokes_on_unicode_or_reserialises() {
    let runtime = runtime();
    for provider in PROVIDERS {
        let failed = outcomes(&runtime, provider, Fault::CrashesOnNonAscii, "edge")
            .into_iter()
            .filter(|(_, o)| o.is_err())
            .count();
        assert!(failed > 0, "{provider}: edge payloads carry non-ASCII text");
        // Nulls where nullable (and inside unknown extra fields) break a receiver that
        // parses into non-optional types; every event's edge payloads hold one.
        for (event, outcome) in outcomes(&runtime, provider, Fault::CrashesOnNull, "edge") {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("null") && report.contains("response: 500"),
                "{provider} {event}: {report}"
            );
        }
    }
    for provider in ["happycolis", "uc-alxgsv"] {
        for (event, outcome) in outcomes(&runtime, provider, Fault::VerifiesReserialised, "edge") {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("re-serialises differently") && report.contains("response: 401"),
                "{provider} {event}: {report}"
            );
        }
        for (_, outcome) in outcomes(
            &runtime,
            provider,
            Fault::VerifiesReserialised,
            "documented-example",
        ) {
            assert!(
                outcome.is_ok(),
                "{provider}: the provider's own bytes re-serialise to themselves"
            );
        }
    }
    // Strings without a maxLength reach several kilobytes, inside arrays too: wherever an
    // event's payload has an array of such strings, a receiver that refuses them fails.
    let mut long = 0;
    for provider in PROVIDERS {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::RejectsLongStringsInArrays,
            "edge",
        ) {
            if let Err(report) = outcome {
                assert!(
                    (report.contains("4096 characters long")
                        || report.contains("edge coverage value"))
                        && report.contains("response: 413"),
                    "{provider} {event}: {report}"
                );
                long += 1;
            }
        }
    }
    assert!(
        long > 0,
        "no event's payload holds an array of unbounded strings"
    );
    // Arrays without a maxItems get 1,000 items in one of the coverage values: a receiver with
    // a smaller fixed buffer fails, told which value and why.
    let mut arrays = 0;
    for provider in PROVIDERS {
        for (event, outcome) in outcomes(&runtime, provider, Fault::RejectsLongArrays, "edge") {
            if let Err(report) = outcome {
                assert!(
                    report.contains("edge coverage value")
                        && report.contains("arrays of 1000 items")
                        && report.contains("response: 413"),
                    "{provider} {event}: {report}"
                );
                arrays += 1;
            }
        }
    }
    assert!(arrays > 0, "no event's payload holds an unbounded array");
    // Betterez tells receivers to re-serialise: the check follows that rule.
    for (event, outcome) in outcomes(&runtime, "betterez", Fault::VerifiesReserialised, "edge") {
        assert!(outcome.is_ok(), "betterez {event}: {:?}", outcome.err());
    }
}

#[test]
fn out_of_order_fails_on_a_receiver_that_refuses_a_creation_after_its_removal() {
    let runtime = runtime();
    // swsh payloads name no event, so a receiver cannot order them: the fault needs a name.
    for provider in SIGNING {
        for (event, outcome) in
            outcomes(&runtime, provider, Fault::RejectsOutOfOrder, "out-of-order")
        {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("delivered in this order, about one object")
                    && report.contains("response: 422"),
                "{report}"
            );
        }
    }
    // A lone event (swsh's newAlbum) has nothing to race with: listed as ignored, with why.
    let swsh = ProviderSpec::load("swsh").unwrap();
    let check = receiver::catalogue()
        .into_iter()
        .find(|c| c.info.id == "out-of-order")
        .unwrap();
    let Applies::Ignored(reason) = (check.applies)(&swsh, "newAlbum") else {
        panic!("newAlbum has no lifecycle");
    };
    assert!(reason.contains("same object"), "{reason}");
    assert_eq!((check.applies)(&swsh, "newPhoto"), Applies::Yes);
}

#[test]
fn header_case_fails_on_an_exact_case_header_lookup() {
    let runtime = runtime();
    for provider in SIGNING {
        for (event, outcome) in outcomes(
            &runtime,
            provider,
            Fault::CaseSensitiveHeaders,
            "header-case",
        ) {
            let report = outcome.expect_err(&event);
            assert!(
                report.contains("title case") && report.contains("response: 401"),
                "{report}"
            );
        }
    }
    // swsh deliveries carry no header a receiver must read, so the lookup cannot miss.
    for (event, outcome) in outcomes(&runtime, "swsh", Fault::CaseSensitiveHeaders, "header-case") {
        assert!(outcome.is_ok(), "{event}: {:?}", outcome.err());
    }
}

/// Each fault breaks exactly its check: run the whole catalogue against each faulty receiver.
#[test]
fn each_fault_fails_exactly_its_check() {
    let runtime = runtime();
    let matrix: [(Fault, &str, &[&str]); 10] = [
        (Fault::AcceptsStaleTimestamps, "replay", &REPLAY),
        (Fault::CrashesOnUnknownField, "edge", &PROVIDERS),
        (Fault::SkipsSignatureCheck, "bad-signature", &SIGNING),
        (Fault::ServerErrorOnBadSignature, "bad-signature", &SIGNING),
        (Fault::ComparesSignaturePrefix, "bad-signature", &SIGNING),
        (Fault::ConflictOnRedelivery, "redelivery", &PROVIDERS),
        (Fault::ServerErrorOnUnknownEvent, "unknown-event", &SIGNING),
        (Fault::ExactContentType, "content-type-charset", &PROVIDERS),
        // Where a payload names its event, so the receiver can order a lifecycle.
        (Fault::RejectsOutOfOrder, "out-of-order", &SIGNING),
        // Where a delivery carries a header the receiver must read (the signature).
        (Fault::CaseSensitiveHeaders, "header-case", &SIGNING),
    ];
    for (fault, check, manifests_for) in matrix {
        for provider in PROVIDERS {
            let spec = ProviderSpec::load(provider).unwrap();
            let failing: Vec<&str> = receiver::catalogue()
                .into_iter()
                .filter(|c| {
                    spec.events
                        .iter()
                        .any(|e| (c.applies)(&spec, &e.name) == Applies::Yes)
                })
                .filter(|c| {
                    outcomes(&runtime, provider, fault, c.info.id)
                        .iter()
                        .any(|(_, o)| o.is_err())
                })
                .map(|c| c.info.id)
                .collect();
            let mut expected: Vec<&str> = if manifests_for.contains(&provider) {
                vec![check]
            } else {
                Vec::new()
            };
            // uc.alxgsv's action.updated example carries a free-form `result` (the recognition
            // service's labels, `Name`/`Confidence`) that no schema declares: a parser that
            // denies unknown fields breaks on the provider's own example too.
            if fault == Fault::CrashesOnUnknownField && provider == "uc-alxgsv" {
                expected.insert(0, "documented-example");
            }
            // A receiver that verifies no signature checks no signed timestamp either; one that
            // answers 500 to a bad signature answers 500 to a stale one too.
            if matches!(
                fault,
                Fault::SkipsSignatureCheck | Fault::ServerErrorOnBadSignature
            ) && REPLAY.contains(&provider)
            {
                expected.push("replay");
            }
            assert_eq!(failing, expected, "{fault:?} against {provider}");
        }
    }
}
