//! Every keyword family of JSON Schema 2020-12 and draft-07, one schema each in
//! `schemas/keywords.json`, in the combinations real catalogues use (`allOf` over `oneOf`,
//! combinators inside `items`, recursion): valid and edge values validate under `jsonschema`,
//! invalid values do not; a schema no value satisfies is an error naming both schemas;
//! unknown keywords are listed, not refused.

use jsonschema::Draft;
use serde_json::{Value, json};
use webhook_harness::generate::{Mode, SchemaGen};

fn draft(name: &str) -> Draft {
    match name {
        "draft7" => Draft::Draft7,
        _ => Draft::Draft202012,
    }
}

#[test]
fn every_keyword_family_generates_valid_edge_and_invalid_values() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("schemas/keywords.json")).unwrap();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let description = case["description"].as_str().unwrap();
        let draft = draft(case["draft"].as_str().unwrap());
        let schema = &case["schema"];
        let validator = jsonschema::options()
            .with_draft(draft)
            .should_validate_formats(true)
            .build(schema)
            .unwrap();
        let generator = match SchemaGen::standalone(description, schema, draft) {
            Ok(generator) => generator,
            Err(error) => {
                failures.push(format!("`{description}`: {error}"));
                continue;
            }
        };
        for mode in [Mode::Valid, Mode::Edge] {
            match generator.sample(mode, i as u64, 300) {
                Ok(samples) => failures.extend(
                    samples
                        .iter()
                        .filter(|s| !validator.is_valid(&s.value))
                        .map(|s| {
                            format!("`{description}` ({mode:?}): {} does not validate", s.value)
                        }),
                ),
                Err(error) => failures.push(format!("`{description}` ({mode:?}): {error}")),
            }
        }
        match generator.sample(Mode::Invalid, i as u64, 30) {
            Ok(samples) => failures.extend(
                samples
                    .iter()
                    .filter(|s| validator.is_valid(&s.value))
                    .map(|s| format!("`{description}` (Invalid): {} validates", s.value)),
            ),
            Err(error) => failures.push(format!("`{description}` (Invalid): {error}")),
        }
    }
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_schema_no_value_satisfies_names_both_schemas_at_once() {
    let schema = json!({"allOf": [{"type": "string"}, {"$ref": "#/$defs/count"}], "$defs": {"count": {"type": "integer"}}});
    let error = SchemaGen::standalone("contradiction.json", &schema, Draft::Draft202012)
        .unwrap_err()
        .to_string();
    assert!(error.contains("no value satisfies"), "{error}");
    assert!(
        error.contains("/allOf/0") && error.contains("/$defs/count"),
        "{error}"
    );
    assert!(
        !error.contains("tries"),
        "reported when compiled, not after retries: {error}"
    );
}

#[test]
fn contradictory_bounds_are_errors_at_once_naming_both_schemas() {
    let schema = json!({"allOf": [{"type": "string", "minLength": 5}, {"maxLength": 2}]});
    let error = SchemaGen::standalone("bounds.json", &schema, Draft::Draft202012)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("minLength 5 is above maxLength 2"),
        "{error}"
    );
    assert!(
        error.contains("/allOf/0") && error.contains("/allOf/1"),
        "{error}"
    );
    let alone = json!({"type": "integer", "minimum": 1.2, "maximum": 1.8});
    let error = SchemaGen::standalone("integer.json", &alone, Draft::Draft202012)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no value satisfies") && !error.contains("tries"),
        "{error}"
    );
    // Where another type is left, the bounds only rule out theirs.
    let either = json!({"type": ["integer", "string"], "minimum": 1.2, "maximum": 1.8});
    let generator = SchemaGen::standalone("either.json", &either, Draft::Draft202012).unwrap();
    for sample in generator.sample(Mode::Valid, 2, 20).unwrap() {
        assert!(sample.value.is_string(), "{}", sample.value);
    }
}

#[test]
fn a_oneof_branch_that_cannot_hold_is_dropped_not_fatal() {
    let schema = json!({"allOf": [{"type": "object"}, {"oneOf": [{"type": "string"}, {"type": "object", "required": ["a"]}]}]});
    let generator = SchemaGen::standalone("branches.json", &schema, Draft::Draft202012).unwrap();
    for sample in generator.sample(Mode::Valid, 1, 50).unwrap() {
        assert!(sample.value.get("a").is_some(), "{}", sample.value);
    }
    let none = json!({"allOf": [{"type": "object"}, {"oneOf": [{"type": "string"}, {"type": "integer"}]}]});
    let error = SchemaGen::standalone("none.json", &none, Draft::Draft202012)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no value satisfies") && error.contains("/allOf/1/oneOf/0"),
        "{error}"
    );
}

#[test]
fn unknown_keywords_are_listed_and_ignored() {
    let schema = json!({"type": "object", "tsAdditionalProperties": false, "properties": {"a": {"type": "string", "nullable": true}}});
    let generator = SchemaGen::standalone("annotated.json", &schema, Draft::Draft202012).unwrap();
    let unknown: Vec<&str> = generator
        .unknown_keywords()
        .iter()
        .map(|(_, k)| k.as_str())
        .collect();
    assert_eq!(unknown, ["tsAdditionalProperties", "nullable"]);
    assert_eq!(generator.unknown_keywords()[1].0, "/properties/a/nullable");
}

#[test]
fn violations_cover_every_keyword_at_every_place_and_all_fail() {
    let schema = json!({
        "type": "object",
        "required": ["name", "tags"],
        "properties": {
            "name": {"type": "string", "maxLength": 5},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "n": {"type": "integer", "minimum": 1}
        },
        "additionalProperties": {"type": ["string", "number", "boolean"]}
    });
    let validator = jsonschema::validator_for(&schema).unwrap();
    let generator = SchemaGen::standalone("sites.json", &schema, Draft::Draft202012).unwrap();
    let violations = generator.violations(3).unwrap();
    let mut covered: Vec<(String, String)> = Vec::new();
    for sample in &violations {
        assert!(!validator.is_valid(&sample.value), "{}", sample.value);
        let label = sample.label.as_ref().unwrap();
        covered.push((label.cause.clone(), label.pointer.clone()));
    }
    for expected in [
        ("required", ""),
        ("type", ""),
        ("maxLength", "/name"),
        ("type", "/name"),
        ("maxItems", "/tags"),
        ("type", "/tags/0"),
        ("minimum", "/n"),
        ("additionalProperties", "/unexpectedProperty"),
    ] {
        assert!(
            covered
                .iter()
                .any(|(c, p)| c == expected.0 && p == expected.1),
            "{expected:?} not covered: {covered:?}"
        );
    }
    // An object where only scalars may be.
    assert!(
        violations
            .iter()
            .any(|s| s.value["unexpectedProperty"].is_object())
    );
    // Once per keyword and place: the items of one array count once.
    let tags = covered
        .iter()
        .filter(|(c, p)| c == "type" && p.starts_with("/tags/"))
        .count();
    assert_eq!(tags, 1, "{covered:?}");
}

#[test]
fn long_values_put_kilobytes_in_unbounded_strings_even_inside_arrays() {
    let schema = json!({
        "type": "object",
        "properties": {
            "notes": {"type": "array", "items": {"type": "string"}},
            "code": {"type": "string", "maxLength": 8},
            "id": {"type": "string", "format": "uuid"}
        }
    });
    let validator = jsonschema::validator_for(&schema).unwrap();
    let generator = SchemaGen::standalone("long.json", &schema, Draft::Draft202012).unwrap();
    for seed in 0..10 {
        let value = generator.long(seed).unwrap().value;
        assert!(validator.is_valid(&value), "{value}");
        let note = value["notes"][0].as_str().unwrap();
        assert!(
            note.chars().count() >= 4096,
            "{} chars",
            note.chars().count()
        );
        assert!(value["code"].as_str().unwrap().chars().count() <= 8);
    }
}
