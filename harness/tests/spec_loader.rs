//! The spec loader on the built-in specs, and on every kind of broken spec.

mod common;

use common::{Copy, document, errors_of, remove, set};
use serde_json::{Value, json};
use webhook_harness::spec::extensions::Encoding;
use webhook_harness::spec::lint::{self, Severity};
use webhook_harness::spec::{Loader, ProviderSpec, SpecErrorKind, builtin_names, pointer};

const PROVIDERS: [&str; 4] = ["betterez", "happycolis", "swsh", "uc-alxgsv"];

#[test]
fn the_four_specs_load_with_their_fifteen_events() {
    assert_eq!(
        builtin_names(),
        [
            "betterez",
            "happycolis",
            "standard-webhooks",
            "swsh",
            "uc-alxgsv"
        ],
        "the seed providers and the generic Standard Webhooks sender"
    );
    let mut events = Vec::new();
    for name in PROVIDERS {
        let spec = ProviderSpec::load(name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.provider.id, name);
        events.extend(spec.events.iter().map(|e| e.name.clone()));
    }
    events.sort();
    let mut expected = vec![
        "images.created",
        "images.deleted",
        "product/image/created",
        "product/image/removed",
        "file.created",
        "file.updated",
        "file.deleted",
        "group.created",
        "group.updated",
        "group.deleted",
        "action.created",
        "action.updated",
        "newPhoto",
        "newAlbum",
        "photoLabelAdded",
    ];
    expected.sort_unstable();
    assert_eq!(events, expected);
}

#[test]
fn the_four_specs_lint_clean_and_their_errata_reproduce() {
    for name in PROVIDERS {
        let spec = ProviderSpec::load(name).unwrap();
        let report = lint::lint(&spec);
        let errors: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
    // The uc.alxgsv docs' response samples show a group resource: four examples, recorded.
    let uc = ProviderSpec::load("uc-alxgsv").unwrap();
    let recorded = lint::lint(&uc)
        .findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Erratum && f.message.contains("webhook-response-shows-group")
        })
        .count();
    assert_eq!(recorded, 4);
}

#[test]
fn the_documented_endpoints_are_there() {
    let endpoints = |name: &str| -> Vec<String> {
        let spec = ProviderSpec::load(name).unwrap();
        spec.endpoints
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect()
    };
    let uc = endpoints("uc-alxgsv");
    for op in [
        "POST /api/v1/projects/{project_id}/webhooks.json",
        "GET /api/v1/projects/{project_id}/webhooks.json",
        "GET /api/v1/projects/{project_id}/webhooks/{webhook_id}.json",
        "PUT /api/v1/projects/{project_id}/webhooks/{webhook_id}.json",
        "DELETE /api/v1/projects/{project_id}/webhooks/{webhook_id}.json",
    ] {
        assert!(uc.contains(&op.to_string()), "uc-alxgsv lacks {op}");
    }
    let swsh = endpoints("swsh");
    for op in [
        "POST /webhook/createSubscription",
        "GET /webhook/getSubscriptions",
        "POST /webhook/deleteSubscription",
    ] {
        assert!(swsh.contains(&op.to_string()), "swsh lacks {op}");
    }
    let hc = ProviderSpec::load("happycolis").unwrap();
    let graphql = hc
        .endpoints
        .iter()
        .find_map(|e| e.graphql.as_ref())
        .expect("a GraphQL endpoint");
    let names: Vec<&str> = graphql.operations.iter().map(|o| o.name.as_str()).collect();
    for op in [
        "integrationWebhookCreate",
        "oauthWebhookCreate",
        "integrationWebhookRemove",
    ] {
        assert!(names.contains(&op), "happycolis lacks {op}");
    }
    let betterez = ProviderSpec::load("betterez").unwrap();
    assert!(betterez.endpoints.iter().all(|e| e.ext.note.is_some()));
    assert!(endpoints("betterez").contains(&"GET /subscriptions".to_string()));
}

#[test]
fn broken_yaml_is_reported_with_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, "openapi: 3.1.0\ninfo: [title\n  x: 1\n").unwrap();
    let errors = Loader::new().load_file(&file).unwrap_err();
    let error = errors.iter().next().unwrap();
    assert!(matches!(error.kind, SpecErrorKind::Yaml(_)), "{error}");
    assert!(error.to_string().contains("broken.yaml"));
    assert!(error.to_string().contains("line"), "{error}");
}

#[test]
fn a_missing_file_and_an_unknown_name_are_clear() {
    let errors = Loader::new().load("no-such-provider").unwrap_err();
    let text = errors.to_string();
    assert!(
        text.contains("no built-in spec is named `no-such-provider`"),
        "{text}"
    );
    assert!(
        text.contains("swsh"),
        "the hint lists the built-in specs: {text}"
    );
    let errors = Loader::new().load("/nonexistent/spec.yaml").unwrap_err();
    assert!(matches!(
        errors.iter().next().unwrap().kind,
        SpecErrorKind::Io(_)
    ));
}

#[test]
fn an_openapi_30_document_is_refused() {
    let mut doc = document("swsh");
    set(&mut doc, "/openapi", json!("3.0.3"));
    let errors = errors_of("swsh", &doc);
    assert_eq!(errors.0[0].pointer, "/openapi");
}

/// The pointer of the `$ref` of newPhoto's payload schema (or of a `$ref` inside it).
fn a_ref_pointer(doc: &Value) -> String {
    fn find(node: &Value, at: String) -> Option<String> {
        match node {
            Value::Object(map) => {
                if map.get("$ref").is_some_and(Value::is_string) {
                    return Some(format!("{at}/$ref"));
                }
                map.iter().find_map(|(k, v)| find(v, pointer::join(&at, k)))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| find(v, format!("{at}/{i}"))),
            _ => None,
        }
    }
    let at = "/webhooks/newPhoto/post/requestBody";
    find(doc.pointer(at).unwrap(), at.to_string()).expect("a $ref")
}

#[test]
fn a_dangling_ref_names_its_pointer() {
    let mut doc = document("swsh");
    let at = a_ref_pointer(&doc);
    set(&mut doc, &at, json!("#/components/schemas/Nope"));
    let errors = errors_of("swsh", &doc);
    assert!(
        errors.iter().any(|e| e.pointer == at
            && e.kind == SpecErrorKind::DanglingRef("#/components/schemas/Nope".into())),
        "{errors}"
    );
    assert!(errors.to_string().contains("swsh.yaml"));
}

#[test]
fn an_external_ref_is_refused() {
    let mut doc = document("swsh");
    let at = a_ref_pointer(&doc);
    set(&mut doc, &at, json!("common.yaml#/Photo"));
    let errors = errors_of("swsh", &doc);
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == at && matches!(e.kind, SpecErrorKind::ExternalRef(_))),
        "{errors}"
    );
}

#[test]
fn unknown_and_misplaced_extensions_are_refused() {
    let mut doc = document("swsh");
    set(&mut doc, "/x-delivery-mode", json!("fast"));
    set(&mut doc, "/paths/~1ping/get/x-event", json!({}));
    let errors = errors_of("swsh", &doc);
    let unknown = errors
        .iter()
        .find(|e| e.pointer == "/x-delivery-mode")
        .expect("the root key");
    assert_eq!(
        unknown.kind,
        SpecErrorKind::UnknownExtension("x-delivery-mode".into())
    );
    let misplaced = errors
        .iter()
        .find(|e| e.pointer == "/paths/~1ping/get/x-event")
        .expect("the misplaced key");
    assert!(
        misplaced
            .hint
            .as_deref()
            .unwrap()
            .contains("on an operation under `webhooks`"),
        "{misplaced}"
    );
}

#[test]
fn an_unknown_field_inside_an_extension_is_refused_at_its_pointer() {
    let mut doc = document("swsh");
    set(&mut doc, "/x-delivery/retries", json!(3));
    set(&mut doc, "/x-webhook-signature/scheme", json!("rsa"));
    let errors = errors_of("swsh", &doc);
    let unknown = errors
        .iter()
        .find(|e| e.pointer.starts_with("/x-delivery"))
        .expect("an x-delivery error");
    assert!(unknown.to_string().contains("retries"), "{unknown}");
    let bad = errors
        .iter()
        .find(|e| e.pointer == "/x-webhook-signature/scheme")
        .expect("the scheme's pointer");
    assert!(bad.to_string().contains("rsa"), "{bad}");
}

#[test]
fn an_invalid_schema_is_refused() {
    let mut doc = document("swsh");
    set(&mut doc, "/components/schemas/Broken", json!({"type": 12}));
    let errors = errors_of("swsh", &doc);
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == "/components/schemas/Broken"
                && matches!(e.kind, SpecErrorKind::Schema(_))),
        "{errors}"
    );
}

#[test]
fn a_document_that_breaks_openapi_structure_is_refused() {
    let mut doc = document("swsh");
    remove(&mut doc, "/info/title");
    let errors = errors_of("swsh", &doc);
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == "/info" && e.to_string().contains("not valid OpenAPI 3.1")),
        "{errors}"
    );
}

#[test]
fn every_event_and_operation_must_say_where_it_comes_from() {
    let mut doc = document("swsh");
    remove(&mut doc, "/webhooks/newPhoto/post/x-event");
    remove(&mut doc, "/paths/~1ping/get/x-operation");
    let errors = errors_of("swsh", &doc);
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == "/webhooks/newPhoto/post" && e.to_string().contains("x-event"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == "/paths/~1ping/get" && e.to_string().contains("x-operation"))
    );
}

#[test]
fn an_event_name_must_match_its_key() {
    let mut doc = document("swsh");
    set(
        &mut doc,
        "/webhooks/newPhoto/post/x-event/name",
        json!("newPicture"),
    );
    let errors = errors_of("swsh", &doc);
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == "/webhooks/newPhoto/post/x-event/name"),
        "{errors}"
    );
}

#[test]
fn an_undeclared_source_tag_is_refused() {
    let mut doc = document("swsh");
    set(&mut doc, "/x-webhook-signature/source", json!(["NOWHERE"]));
    let errors = errors_of("swsh", &doc);
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == "/x-webhook-signature/source/0"
                && e.to_string().contains("NOWHERE")),
        "{errors}"
    );
}

#[test]
fn an_assumption_must_match_the_node_it_names() {
    let mut doc = document("betterez");
    set(&mut doc, "/x-webhook-signature/encoding", json!("base64"));
    let errors = errors_of("betterez", &doc);
    let error = errors
        .iter()
        .find(|e| e.pointer.starts_with("/x-assumptions/"))
        .expect("an assumption error");
    assert!(
        error.to_string().contains("/x-webhook-signature/encoding"),
        "{error}"
    );
}

#[test]
fn assumptions_are_overridden_at_run_time() {
    let default = ProviderSpec::load("betterez").unwrap();
    assert_eq!(default.signature.encoding, Some(Encoding::Hex));
    let spec = Loader::new()
        .assume("digest-encoding", "base64")
        .load("betterez")
        .unwrap();
    assert_eq!(spec.signature.encoding, Some(Encoding::Base64));
    assert_eq!(spec.overridden, ["digest-encoding"]);

    let unknown = Loader::new()
        .assume("digest-colour", "blue")
        .load("betterez")
        .unwrap_err();
    let error = unknown.iter().next().unwrap();
    assert!(error.to_string().contains("digest-colour"));
    assert!(
        error.hint.as_deref().unwrap().contains("digest-encoding"),
        "the hint lists the ids"
    );

    let refused = Loader::new()
        .assume("digest-encoding", "base32")
        .load("betterez")
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("accepted: \"hex\", \"base64\""),
        "{refused}"
    );

    assert!(Loader::new().assume_arg("no-equals-sign").is_err());
}

/// The first event example that no erratum covers: (example pointer, event name).
fn clean_event_example(spec: &ProviderSpec) -> (String, String) {
    spec.events
        .iter()
        .flat_map(|e| {
            e.examples()
                .iter()
                .map(move |x| (x.pointer.clone(), e.name.clone()))
        })
        .find(|(at, _)| spec.errata_for(at).next().is_none())
        .expect("a clean example")
}

#[test]
fn lint_fails_on_an_example_that_breaks_its_schema() {
    let spec = ProviderSpec::load("uc-alxgsv").unwrap();
    let (at, _) = clean_event_example(&spec);
    let mut doc = spec.document.clone();
    remove(&mut doc, &format!("{at}/value/data"));
    let copy = Copy::new("uc-alxgsv", &doc);
    let report = lint::lint(&copy.load().unwrap());
    let finding = report
        .findings
        .iter()
        .find(|f| f.pointer == at && f.message.contains("does not validate"))
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(finding.severity, Severity::Error);
    assert!(
        finding.message.contains("\"data\" is a required property"),
        "{finding}"
    );
    assert!(report.has_errors());
}

#[test]
fn lint_fails_on_an_example_that_breaks_an_invariant() {
    let spec = ProviderSpec::load("happycolis").unwrap();
    let (at, _) = clean_event_example(&spec);
    let mut doc = spec.document.clone();
    // Another valid UUID, so only the invariant can catch it.
    set(
        &mut doc,
        &format!("{at}/value/header/organizationId"),
        json!("00000000-0000-4000-8000-000000000000"),
    );
    let copy = Copy::new("happycolis", &doc);
    let report = lint::lint(&copy.load().unwrap());
    let finding = report
        .findings
        .iter()
        .find(|f| f.pointer == at && f.message.contains("invariant"))
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(finding.severity, Severity::Error);
    assert!(
        finding.message.contains("/body/product/organizationId"),
        "{finding}"
    );
}

#[test]
fn lint_fails_on_a_fixture_that_differs_from_its_example() {
    let spec = ProviderSpec::load("betterez").unwrap();
    let copy = Copy::new("betterez", &spec.document);
    let fixture = copy.fixture("betterez", "images.deleted.json");
    let text = std::fs::read_to_string(&fixture)
        .unwrap()
        .replace("5f243d100617680712e78dd7", "5f243d100617680712e78dd8");
    std::fs::write(&fixture, text).unwrap();
    let report = lint::lint(&copy.load().unwrap());
    let finding = report
        .findings
        .iter()
        .find(|f| f.pointer.ends_with("/x-fixture"))
        .expect("a fixture finding");
    assert!(
        finding
            .message
            .contains("differs from the example's value at /data/imageId"),
        "{finding}"
    );
}

#[test]
fn lint_fails_on_an_unreferenced_or_broken_fixture() {
    let spec = ProviderSpec::load("betterez").unwrap();
    let copy = Copy::new("betterez", &spec.document);
    std::fs::write(copy.fixture("betterez", "stray.json"), "{}").unwrap();
    std::fs::write(copy.fixture("betterez", "images.created.json"), "{not json").unwrap();
    let report = lint::lint(&copy.load().unwrap());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.file.ends_with("stray.json") && f.message.contains("not referenced"))
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.file.ends_with("images.created.json") && f.message.contains("not JSON"))
    );
}

#[test]
fn lint_fails_on_an_erratum_that_no_longer_reproduces() {
    let spec = ProviderSpec::load("uc-alxgsv").unwrap();
    let (at, _) = clean_event_example(&spec);
    let mut doc = spec.document.clone();
    let errata = doc["x-errata"].as_array_mut().unwrap();
    errata.push(
        json!({"id": "stale", "summary": "no longer true", "expect": "invalid", "affects": [at]}),
    );
    let copy = Copy::new("uc-alxgsv", &doc);
    let report = lint::lint(&copy.load().unwrap());
    let finding = report
        .findings
        .iter()
        .find(|f| f.pointer == at)
        .expect("a finding");
    assert_eq!(finding.severity, Severity::Error);
    assert!(
        finding
            .message
            .contains("erratum `stale` says this example is invalid, but it validates"),
        "{finding}"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let mut doc = document("swsh");
    set(&mut doc, "/x-unknown-a", json!(1));
    set(&mut doc, "/x-unknown-b", json!(2));
    let at = a_ref_pointer(&doc);
    set(&mut doc, &at, json!("#/nope"));
    let errors = errors_of("swsh", &doc);
    assert!(errors.0.len() >= 3, "{errors}");
}

#[test]
fn an_assumption_over_several_nodes_replaces_them_all() {
    let spec = Loader::new()
        .assume("subscription-id-format", "wh_{uuid}")
        .load("happycolis")
        .unwrap();
    let graphql = spec
        .endpoints
        .iter()
        .find_map(|e| e.graphql.as_ref())
        .unwrap();
    let formats: Vec<_> = graphql
        .operations
        .iter()
        .map(|o| o.mock.as_ref().unwrap().id_format.as_deref())
        .collect();
    assert_eq!(formats, [Some("wh_{uuid}"); 4]);

    // And one node of the four drifting from the others is caught.
    let mut doc = document("happycolis");
    set(
        &mut doc,
        "/paths/~1graphql/post/x-graphql/operations/2/mock/idFormat",
        json!("x-{uuid}"),
    );
    let errors = errors_of("happycolis", &doc);
    assert!(
        errors
            .to_string()
            .contains("operations/2/mock/idFormat holds \"x-{uuid}\""),
        "{errors}"
    );
}

#[test]
fn a_mock_resource_must_resolve() {
    let mut doc = document("swsh");
    set(
        &mut doc,
        "/paths/~1webhook~1createSubscription/post/x-operation/mock/resource",
        json!("#/components/schemas/Nope"),
    );
    let errors = errors_of("swsh", &doc);
    assert!(
        errors.iter().any(|e| e.pointer
            == "/paths/~1webhook~1createSubscription/post/x-operation/mock/resource"
            && e.to_string().contains("does not resolve")),
        "{errors}"
    );
}

#[test]
fn a_page_parameter_the_operation_lacks_is_refused_at_its_pointer() {
    let mut doc = document("swsh");
    let at = "/paths/~1webhook~1getSubscriptions/get/x-operation/mock/pageSize";
    set(&mut doc, at, json!("per_page"));
    let errors = errors_of("swsh", &doc);
    let error = errors
        .iter()
        .find(|e| e.pointer == at)
        .unwrap_or_else(|| panic!("no error at {at}: {errors:?}"));
    assert!(
        error.to_string().contains("no query parameter `per_page`"),
        "{error}"
    );
}

#[test]
fn resource_ids_absent_from_an_example_are_lint_errors() {
    let mut doc = document("betterez");
    set(
        &mut doc,
        "/webhooks/images.created/post/x-event/resourceId",
        json!(["/data/nowhere"]),
    );
    let copy = Copy::new("betterez", &doc);
    let spec = copy.load().expect("loads");
    let report = lint::lint(&spec);
    assert!(
        report.findings.iter().any(|f| f.severity == Severity::Error
            && f.to_string().contains("`/data/nowhere` is absent")),
        "{:?}",
        report.findings
    );
}

#[test]
fn broken_undeliverable_and_throttle_rules_are_refused_at_their_pointers() {
    let mut doc = document("betterez");
    set(
        &mut doc,
        "/x-delivery/undeliverable/collection",
        json!("nowhere"),
    );
    set(
        &mut doc,
        "/x-delivery/undeliverable/item/not a pointer",
        json!("id"),
    );
    let errors = errors_of("betterez", &doc);
    for (at, says) in [
        ("/x-delivery/undeliverable/collection", "nowhere"),
        ("/x-delivery/undeliverable/item", "not a pointer"),
    ] {
        let error = errors
            .iter()
            .find(|e| e.pointer == at)
            .unwrap_or_else(|| panic!("no error at {at}: {errors:?}"));
        assert!(error.to_string().contains(says), "{error}");
    }

    let mut doc = document("swsh");
    set(&mut doc, "/x-delivery/throttle/0/key/0", json!("photoId"));
    set(
        &mut doc,
        "/x-delivery/throttle/0/events/0",
        json!("photoDeleted"),
    );
    set(
        &mut doc,
        "/x-delivery/undeliverable",
        json!({"collection": "subscriptions", "item": {"/id": "id"}}),
    );
    let errors = errors_of("swsh", &doc);
    for (at, says) in [
        ("/x-delivery/throttle/0/key", "payload:<JSON Pointer>"),
        ("/x-delivery/throttle/0/events", "photoDeleted"),
        ("/x-delivery/undeliverable", "onFailure: undeliverable"),
    ] {
        let error = errors
            .iter()
            .find(|e| e.pointer == at)
            .unwrap_or_else(|| panic!("no error at {at}: {errors:?}"));
        assert!(error.to_string().contains(says), "{error}");
    }
}

#[test]
fn lint_warns_once_per_key_of_no_json_schema_vocabulary() {
    let spec = ProviderSpec::load("uc-alxgsv").unwrap();
    let schemas: Vec<String> = spec
        .events
        .iter()
        .filter_map(|e| e.schema().map(str::to_string))
        .take(2)
        .collect();
    assert_eq!(schemas.len(), 2);
    let mut doc = spec.document.clone();
    for at in &schemas {
        set(
            &mut doc,
            &format!("{at}/tsAdditionalProperties"),
            json!(false),
        );
    }
    let copy = Copy::new("uc-alxgsv", &doc);
    let report = lint::lint(&copy.load().unwrap());
    let warnings: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(
        warnings[0].pointer,
        format!("{}/tsAdditionalProperties", schemas[0])
    );
    assert!(
        warnings[0].message.contains("`tsAdditionalProperties`"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].message.contains("2 places"), "{}", warnings[0]);
    assert!(!report.has_errors(), "{:#?}", report.findings);
}
