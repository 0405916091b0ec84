//! The generator's own properties, over every event and every request body of the four specs:
//! valid and edge values validate and satisfy the invariants; invalid values fail for exactly
//! the labelled reason; a seed fixes the output.

use proptest::test_runner::TestCaseError;
use serde_json::Value;
use webhook_harness::generate::{Generator, GraphqlGen, Invalid, Mode, SchemaGen, rng};
use webhook_harness::spec::ProviderSpec;

const PROVIDERS: [&str; 4] = ["betterez", "happycolis", "swsh", "uc-alxgsv"];
const CASES: u32 = 1000;

/// Every (spec, subject, generator): events first, then request bodies.
fn subjects() -> Vec<(ProviderSpec, String, SchemaGen)> {
    let mut out = Vec::new();
    for name in PROVIDERS {
        let spec = ProviderSpec::load(name).unwrap();
        let generator = Generator::new(&spec);
        let events: Vec<String> = generator.events().map(str::to_string).collect();
        let operations: Vec<String> = generator
            .operations_with_bodies()
            .map(str::to_string)
            .collect();
        for event in events {
            let schema = generator.event(&event).unwrap_or_else(|e| panic!("{e}"));
            out.push((spec.clone(), format!("{name}::{event}"), schema));
        }
        for operation in operations {
            let schema = generator
                .request(&operation)
                .unwrap_or_else(|e| panic!("{e}"));
            out.push((spec.clone(), format!("{name}::{operation}"), schema));
        }
    }
    out
}

/// Checks `value` against the spec independently of the generator's own acceptance test.
fn check(spec: &ProviderSpec, schema: &SchemaGen, value: &Value) -> Result<(), TestCaseError> {
    let violations = spec.schemas.violations(schema.pointer(), value).unwrap();
    if let Some(v) = violations.first() {
        return Err(TestCaseError::fail(format!("{v}\nvalue: {value}")));
    }
    if let Some(event) = schema.event() {
        for invariant in spec.invariants_for(event) {
            invariant
                .check(event, value, None)
                .map_err(|b| TestCaseError::fail(format!("{b}\nvalue: {value}")))?;
        }
    }
    Ok(())
}

#[test]
fn valid_and_edge_values_validate_and_keep_the_invariants() {
    let subjects = subjects();
    assert!(subjects.len() >= 15 + 4, "only {} subjects", subjects.len());
    for (i, (spec, name, schema)) in subjects.iter().enumerate() {
        for (mode, strategy) in [("valid", schema.valid()), ("edge", schema.edge())] {
            let mut runner = rng::runner(i as u64, CASES);
            runner
                .run(&strategy, |value| check(spec, schema, &value))
                .unwrap_or_else(|e| panic!("{name} ({mode}): {e}"));
        }
    }
}

#[test]
fn invalid_values_fail_for_exactly_the_labelled_reason() {
    for (i, (spec, name, schema)) in subjects().iter().enumerate() {
        let mut runner = rng::runner(1000 + i as u64, CASES / 4);
        let keywords = std::cell::RefCell::new(std::collections::BTreeSet::new());
        runner
            .run(&schema.invalid(), |invalid| {
                let violations = spec
                    .schemas
                    .violations(schema.pointer(), &invalid.value)
                    .unwrap();
                let [only] = violations.as_slice() else {
                    return Err(TestCaseError::fail(format!(
                        "{} violations, labelled {}: {violations:?}",
                        violations.len(),
                        invalid.label
                    )));
                };
                if only.instance_pointer != invalid.label.pointer
                    || only.keyword != invalid.label.keyword
                    || only.schema_pointer != invalid.label.schema_pointer
                {
                    return Err(TestCaseError::fail(format!(
                        "labelled {:?}, validator says {only:?}",
                        invalid.label
                    )));
                }
                keywords.borrow_mut().insert(invalid.label.cause.clone());
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Variety: more than one kind of violation per schema.
        let keywords = keywords.into_inner();
        assert!(keywords.len() >= 2, "{name}: only {keywords:?}");
    }
}

#[test]
fn the_edge_mode_reaches_the_boundaries() {
    let spec = ProviderSpec::load("swsh").unwrap();
    let generator = Generator::new(&spec);
    let labels = generator
        .event("photoLabelAdded")
        .unwrap()
        .sample(Mode::Edge, 7, 400)
        .unwrap();
    let text: String = labels.iter().map(|s| s.value.to_string()).collect();
    assert!(
        text.contains('é') || text.contains('日') || text.contains('😀'),
        "non-ASCII text"
    );
    assert!(
        text.contains("\\\"") || text.contains("\\\\") || text.contains('/'),
        "escape-sensitive characters"
    );
    let uc = ProviderSpec::load("uc-alxgsv").unwrap();
    let files = Generator::new(&uc)
        .event("file.created")
        .unwrap()
        .sample(Mode::Edge, 7, 200)
        .unwrap();
    let nulls = files
        .iter()
        .filter(|s| s.value["included"][0]["attributes"]["uuid"].is_null())
        .count();
    assert!(
        nulls > 20,
        "nullable fields are null often in edge mode ({nulls}/200)"
    );
    let extras = labels
        .iter()
        .filter(|s| {
            s.value
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k != "data" && k != "metadata")
        })
        .count();
    assert!(extras > 0, "unknown extra properties appear where allowed");
}

#[test]
fn a_seed_fixes_the_output() {
    let spec = ProviderSpec::load("uc-alxgsv").unwrap();
    let schema = Generator::new(&spec).event("file.created").unwrap();
    for mode in [Mode::Valid, Mode::Edge, Mode::Invalid] {
        let a = serde_json::to_string(&schema.sample(mode, 99, 20).unwrap()).unwrap();
        let b = serde_json::to_string(&schema.sample(mode, 99, 20).unwrap()).unwrap();
        let c = serde_json::to_string(&schema.sample(mode, 100, 20).unwrap()).unwrap();
        assert_eq!(a, b, "{mode:?}: same seed, same bytes");
        assert_ne!(a, c, "{mode:?}: another seed, other values");
    }
}

#[test]
fn a_failing_case_shrinks_to_a_minimal_payload() {
    let spec = ProviderSpec::load("happycolis").unwrap();
    let schema = Generator::new(&spec)
        .event("product/image/created")
        .unwrap();
    let mut runner = rng::runner(5, 200);
    // A "receiver" that fails whenever the product has a title.
    let failure = runner
        .run(&schema.valid(), |value| {
            if value["body"]["product"]["title"].is_string() {
                Err(TestCaseError::fail("title present"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
    let proptest::test_runner::TestError::Fail(_, minimal) = failure else {
        panic!("{failure}")
    };
    assert!(schema.accepts(&minimal), "the shrunk value stays valid");
    let title = minimal["body"]["product"]["title"].as_str().unwrap();
    assert!(title.chars().count() <= 1, "the title shrank: {title:?}");
}

#[test]
fn schemas_the_generator_cannot_draw_are_errors_with_a_pointer() {
    let spec = ProviderSpec::load("swsh").unwrap();
    let mut doc = spec.document.clone();
    doc["components"]["schemas"]["Odd"] =
        serde_json::json!({"type": "string", "pattern": "(?<=a)b"});
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("swsh.yaml");
    std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
    let spec = webhook_harness::spec::Loader::new()
        .load_file(&file)
        .unwrap();
    let error = Generator::new(&spec)
        .schema("/components/schemas/Odd")
        .unwrap_err()
        .to_string();
    assert!(error.contains("/components/schemas/Odd/pattern"), "{error}");
    assert!(error.contains("swsh.yaml"), "{error}");
    assert!(error.contains("(?<=a)b"), "{error}");
}

#[test]
fn catalogue_shapes_generate_through_a_loaded_spec() {
    // What published catalogues hold: `uri-template` links, another tool's annotations, and an
    // `allOf` whose part is a `oneOf` of typed alternatives, here inside `items` too.
    let spec = ProviderSpec::load("swsh").unwrap();
    let mut doc = spec.document.clone();
    doc["components"]["schemas"]["CatalogueEvent"] = serde_json::json!({
        "type": "object",
        "tsAdditionalProperties": false,
        "required": ["links", "payload", "items"],
        "properties": {
            "links": {
                "type": "object",
                "required": ["self"],
                "properties": {"self": {"type": "string", "format": "uri-template"}},
                "additionalProperties": {"type": "string", "format": "iri-reference"}
            },
            "payload": {"allOf": [
                {"type": "object", "properties": {"kind": {"type": "string"}}},
                {"oneOf": [
                    {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
                    {"type": "string", "format": "duration"},
                    {"type": "array", "items": {"type": "string", "format": "ipv6"}}
                ]}
            ]},
            "items": {"type": "array", "minItems": 1, "items": {"allOf": [
                {"$ref": "#/components/schemas/AlbumId"},
                {"oneOf": [{"format": "idn-hostname"}, {"format": "json-pointer", "minLength": 2}]}
            ]}}
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("swsh.yaml");
    std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
    let spec = webhook_harness::spec::Loader::new()
        .load_file(&file)
        .unwrap();
    let schema = Generator::new(&spec)
        .schema("/components/schemas/CatalogueEvent")
        .unwrap_or_else(|e| panic!("{e}"));
    let unknown: Vec<&str> = schema
        .unknown_keywords()
        .iter()
        .map(|(_, k)| k.as_str())
        .collect();
    assert_eq!(unknown, ["tsAdditionalProperties"]);
    for mode in [Mode::Valid, Mode::Edge, Mode::Invalid] {
        for sample in schema.sample(mode, 11, 200).unwrap() {
            let violations = spec
                .schemas
                .violations(schema.pointer(), &sample.value)
                .unwrap();
            assert_eq!(
                violations.is_empty(),
                mode != Mode::Invalid,
                "{mode:?}: {}\n{violations:?}",
                sample.value
            );
        }
    }
}

/// HappyColis' GraphQL schema.
fn happycolis_sdl() -> (ProviderSpec, String) {
    let spec = ProviderSpec::load("happycolis").unwrap();
    let sdl = spec
        .endpoint("graphql")
        .and_then(|e| e.graphql.as_ref())
        .map(|g| g.schema.clone())
        .unwrap();
    (spec, sdl)
}

#[test]
fn graphql_variables_follow_the_sdl() {
    let (_, sdl) = happycolis_sdl();
    let generator = GraphqlGen::new(&sdl).unwrap();
    let example = serde_json::json!({"input": {"headers": {"X-Receiver-Key": "k"}}});
    let op = generator
        .operation("integrationWebhookCreate", None)
        .unwrap()
        .with_examples(vec![example]);
    assert!(
        op.query.contains("integrationWebhookCreate(input: $input)")
            && op.query.contains("$input: IntegrationWebhookInput!")
            && op.query.contains("{ id type health endPoint }"),
        "{}",
        op.query
    );
    let samples = op.sample(9, 200).unwrap();
    assert_eq!(
        samples,
        op.sample(9, 200).unwrap(),
        "a seed fixes the values"
    );
    let (mut absent, mut null) = (0, 0);
    for variables in &samples {
        let input = variables["input"].as_object().unwrap();
        assert!(input["endPoint"].is_string() && input["type"].is_string());
        match input.get("headers") {
            None => absent += 1,
            Some(Value::Null) => null += 1,
            Some(headers) => assert_eq!(headers, &serde_json::json!({"X-Receiver-Key": "k"})),
        }
        for key in input.keys() {
            assert!(
                ["endPoint", "type", "headers", "id", "integrationId"].contains(&key.as_str()),
                "{key}"
            );
        }
    }
    assert!(
        absent > 0 && null > 0,
        "nullable fields are left out and null too"
    );
    // Without a documented value, a custom scalar is left out.
    let bare = generator
        .operation("integrationWebhookCreate", None)
        .unwrap();
    for variables in bare.sample(3, 50).unwrap() {
        assert!(variables["input"].get("headers").is_none_or(Value::is_null));
    }
    assert!(
        async_graphql::parser::parse_query(op.malformed()).is_err(),
        "{}",
        op.malformed()
    );
}

#[test]
fn graphql_violations_break_one_input_rule_each() {
    let sdl = "scalar JSON\nenum Format { JSON COMPACT }\ninput In { name: String! format: Format tags: [String!] count: Int extra: JSON }\ntype Out { id: ID! }\ntype Mutation { make(input: In!, dry: Boolean): Out! }";
    let generator = GraphqlGen::new(sdl).unwrap();
    let op = generator.operation("make", None).unwrap();
    for variables in op.sample(4, 100).unwrap() {
        let format = &variables["input"]["format"];
        assert!(format.is_null() || ["JSON", "COMPACT"].contains(&format.as_str().unwrap()));
        assert!(variables["input"]["name"].is_string());
    }
    let violations = op.violations(11).unwrap();
    let found = |rule: &str, at: &str| {
        violations
            .iter()
            .any(|v| v.label.rule == rule && v.label.pointer == at)
    };
    for (rule, at) in [
        ("non-null", "/input"),
        ("non-null", "/input/name"),
        ("scalar", "/input/name"),
        ("enum", "/input/format"),
        ("scalar", "/input/count"),
        ("scalar", "/dry"),
        ("input-field", "/input/unknownField"),
    ] {
        assert!(found(rule, at), "{rule} at {at}: {violations:#?}");
    }
    for v in &violations {
        // The edit is where the label says.
        match (v.label.rule, v.variables.pointer(&v.label.pointer)) {
            ("enum", Some(value)) => assert_eq!(value, "NOT_A_FORMAT"),
            ("non-null", value) => assert!(value.is_none_or(Value::is_null), "{v:?}"),
            ("input-field", Some(value)) => assert_eq!(value, "x"),
            ("scalar", Some(value)) => assert!(!value.is_null()),
            other => panic!("{other:?}"),
        }
        assert!(
            !v.label.pointer.starts_with("/input/extra"),
            "custom scalars are never broken"
        );
    }
}

#[test]
fn an_invalid_value_shrinks_keeping_exactly_its_violation() {
    let keys = |spec: &ProviderSpec, schema: &SchemaGen, value: &Value| {
        let mut keys: Vec<_> = spec
            .schemas
            .violations(schema.pointer(), value)
            .unwrap()
            .into_iter()
            .map(|v| (v.instance_pointer, v.keyword, v.schema_pointer))
            .collect();
        keys.sort();
        keys
    };
    let mut shrunk = 0;
    for (spec, subject, schema) in subjects() {
        for sample in schema.sample(Mode::Invalid, 21, 4).unwrap() {
            let invalid = Invalid {
                value: sample.value,
                label: sample.label.unwrap(),
            };
            let before = keys(&spec, &schema, &invalid.value);
            let result = schema.shrink_invalid(&invalid, 200, |_| true);
            assert_eq!(
                keys(&spec, &schema, &result.value),
                before,
                "{subject}: {}",
                result.value
            );
            let size = |v: &Value| v.to_string().len();
            assert!(size(&result.value) <= size(&invalid.value), "{subject}");
            shrunk += usize::from(result.steps > 0);
            // A target that never fails again keeps the value as it was.
            let kept = schema.shrink_invalid(&invalid, 200, |_| false);
            assert_eq!(kept.value, invalid.value);
            assert_eq!(kept.steps, 0);
        }
    }
    assert!(shrunk > 0, "some invalid value shrinks");
}

/// Every value of `values` at `pointer` (JSON Pointer), where present.
fn at<'v>(values: &'v [Value], pointer: &str) -> Vec<&'v Value> {
    values.iter().filter_map(|v| v.pointer(pointer)).collect()
}

#[test]
fn edge_coverage_takes_every_branch_enum_value_optional_member_and_long_value() {
    let schema = serde_json::json!({
        "type": "object",
        "required": ["kind", "shape", "size"],
        "properties": {
            "kind": {"enum": ["a", "b", "c", "d", "e"]},
            "shape": {"oneOf": [
                {"type": "object", "required": ["circle"], "properties": {"circle": {"type": "integer", "minimum": 1, "maximum": 9}}, "additionalProperties": false},
                {"type": "object", "required": ["square"], "properties": {"square": {"type": "boolean"}}, "additionalProperties": false},
                {"type": "object", "required": ["label"], "properties": {"label": {"type": "string", "minLength": 2, "maxLength": 7}}, "additionalProperties": false}
            ]},
            "size": {"anyOf": [{"type": "integer", "minimum": -3, "maximum": 40}, {"type": "string", "enum": ["small", "large"]}]},
            "note": {"type": "string"},
            "maybe": {"type": ["string", "null"], "maxLength": 3},
            "tags": {"type": "array", "items": {"enum": ["x", "y"]}},
            "few": {"type": "array", "minItems": 1, "maxItems": 4, "items": {"type": "integer"}}
        },
        "additionalProperties": false
    });
    let generator =
        SchemaGen::standalone("cover.json", &schema, jsonschema::Draft::Draft202012).unwrap();
    let cover = generator.edge_cover(11).unwrap();
    let values = &cover.values;
    for value in values {
        assert!(generator.accepts(value), "{value}");
    }
    // Every enum value (5), every oneOf branch (3), every anyOf branch (2) and its values.
    let kinds: std::collections::BTreeSet<&str> = at(values, "/kind")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    for member in ["/shape/circle", "/shape/square", "/shape/label"] {
        assert!(!at(values, member).is_empty(), "no {member}");
    }
    let sizes = at(values, "/size");
    assert!(sizes.iter().any(|v| v.is_i64()), "{sizes:?}");
    for word in ["small", "large"] {
        assert!(sizes.iter().any(|v| *v == word), "no {word}: {sizes:?}");
    }
    // The boundaries of each declared bound.
    for (pointer, bounds) in [("/shape/circle", [1, 9]), ("/size", [-3, 40])] {
        for bound in bounds {
            assert!(
                at(values, pointer).iter().any(|v| **v == bound),
                "{pointer} {bound}"
            );
        }
    }
    let label_lengths: Vec<usize> = at(values, "/shape/label")
        .iter()
        .filter_map(|v| v.as_str())
        .map(|s| s.chars().count())
        .collect();
    assert!(
        label_lengths.contains(&2) && label_lengths.contains(&7),
        "{label_lengths:?}"
    );
    assert!(at(values, "/shape/square").contains(&&Value::Bool(true)));
    assert!(at(values, "/shape/square").contains(&&Value::Bool(false)));
    // Each optional member present and absent; null and not where nullable.
    for member in ["note", "maybe", "tags", "few"] {
        assert!(
            values.iter().any(|v| v.get(member).is_some()),
            "{member} never present"
        );
        assert!(
            values.iter().any(|v| v.get(member).is_none()),
            "{member} never absent"
        );
    }
    assert!(at(values, "/maybe").iter().any(|v| v.is_null()));
    assert!(at(values, "/maybe").iter().any(|v| v.is_string()));
    // Long values where nothing bounds them, beside the lower bound; the declared bounds of
    // the bounded array.
    let note_lengths: Vec<usize> = at(values, "/note")
        .iter()
        .filter_map(|v| v.as_str())
        .map(|s| s.chars().count())
        .collect();
    for length in [0, 255, 256, 1024, 65_536] {
        assert!(note_lengths.contains(&length), "{length}: {note_lengths:?}");
    }
    let tag_lengths: Vec<usize> = at(values, "/tags")
        .iter()
        .filter_map(|v| v.as_array())
        .map(Vec::len)
        .collect();
    assert!(
        tag_lengths.contains(&0) && tag_lengths.contains(&1000),
        "{tag_lengths:?}"
    );
    let tags: std::collections::BTreeSet<&str> = at(values, "/tags")
        .iter()
        .filter_map(|v| v.as_array())
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(tags.len(), 2, "{tags:?}");
    let few: Vec<usize> = at(values, "/few")
        .iter()
        .filter_map(|v| v.as_array())
        .map(Vec::len)
        .collect();
    assert!(few.contains(&1) && few.contains(&4), "{few:?}");
    // One long thing per value: no value holds two 64 Ki strings or a long string and a long
    // array.
    for value in values {
        let text = value.to_string();
        assert!(text.len() < 65_536 * 6 + 20_000, "{} bytes", text.len());
    }
    assert_eq!(
        cover.tally.covered, cover.tally.options,
        "{:?}",
        cover.tally
    );
    // The same seed gives the same values.
    assert_eq!(generator.edge_cover(11).unwrap().values, cover.values);
}

#[test]
fn edge_coverage_of_every_event_of_the_built_in_specs() {
    for (spec, name, schema) in subjects() {
        let cover = schema.edge_cover(3).unwrap();
        for value in &cover.values {
            check(&spec, &schema, value).unwrap();
        }
        // Every option of every built-in payload and request body is taken.
        assert_eq!(cover.tally.covered, cover.tally.options, "{name}");
    }
}
