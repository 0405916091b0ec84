//! Our generator against hypothesis-jsonschema on one schema: the payload of uc.alxgsv's
//! `file.created`, the node our generator draws from, exported as one standalone JSON Schema
//! (every `$ref` inlined). Both draw and serialise values for the same time budget; ours also
//! validates each value and applies the spec's invariants, which the peer does not.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use webhook_harness::generate::{Generator, Mode, rng};
use webhook_harness::spec::ProviderSpec;

use super::super::process;
use super::install::Venv;

/// The script that drives hypothesis-jsonschema, written into the peers folder.
const SCRIPT: &str = include_str!("hypothesis_gen.py");
/// The spec and event whose payload schema both generators draw from.
pub const PROVIDER: &str = "uc-alxgsv";
pub const EVENT: &str = "file.created";

/// Both runs; one row each.
pub fn run(dir: &Path, venv: Result<&Venv, &String>, budget: Duration) -> Vec<Value> {
    let spec = match ProviderSpec::load(PROVIDER) {
        Ok(spec) => spec,
        Err(errors) => {
            return vec![json!({"generator": "ours", "error": errors.to_string()})];
        }
    };
    let generator = Generator::new(&spec);
    let schema = match generator.event(EVENT) {
        Ok(schema) => schema,
        Err(error) => return vec![json!({"generator": "ours", "error": error.to_string()})],
    };
    eprintln!(
        "peers: our generator on {PROVIDER} {EVENT} for {} s",
        budget.as_secs_f64()
    );
    let mut random = rng::seeded(1);
    let (mut values, mut bytes, mut failure) = (0u64, 0usize, None);
    let started = Instant::now();
    while started.elapsed() < budget && failure.is_none() {
        for _ in 0..16 {
            match schema.draw(Mode::Valid, &mut random) {
                Ok(sample) => {
                    bytes += serde_json::to_vec(&sample.value).map_or(0, |b| b.len());
                    values += 1;
                }
                Err(error) => failure = Some(error.to_string()),
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let ours = match failure {
        Some(error) => json!({"generator": "ours", "error": error}),
        None => row(
            "ours (generate + validate + serialise)",
            values,
            seconds,
            bytes as u64 / values.max(1),
        ),
    };
    eprintln!(
        "peers: hypothesis-jsonschema on the same schema for {} s",
        budget.as_secs_f64()
    );
    let theirs = match venv {
        Ok(venv) => hypothesis(dir, venv, &spec, schema.pointer(), budget),
        Err(_) => Err(super::NOT_INSTALLED.to_string()),
    }
    .unwrap_or_else(|error| json!({"generator": "hypothesis-jsonschema", "error": error}));
    vec![ours, theirs]
}

fn row(generator: &str, values: u64, seconds: f64, mean_bytes: u64) -> Value {
    json!({
        "generator": generator,
        "schema": format!("{PROVIDER} {EVENT} payload"),
        "values": values,
        "seconds": (seconds * 100.0).round() / 100.0,
        "values_per_second": super::rate(values as f64 / seconds.max(1e-9)),
        "mean_bytes": mean_bytes,
    })
}

fn hypothesis(
    dir: &Path,
    venv: &Venv,
    spec: &ProviderSpec,
    pointer: &str,
    budget: Duration,
) -> Result<Value, String> {
    let schema = standalone(&spec.document, pointer)?;
    let schema_file = dir.join("file.created.schema.json");
    let script = dir.join("hypothesis_gen.py");
    std::fs::write(
        &schema_file,
        serde_json::to_string_pretty(&schema).unwrap_or_default(),
    )
    .and_then(|()| std::fs::write(&script, SCRIPT))
    .map_err(|e| format!("cannot write into {}: {e}", dir.display()))?;
    let done = process::run(
        Command::new(&venv.python)
            .arg(&script)
            .arg(&schema_file)
            .arg(format!("{}", budget.as_secs_f64()))
            .current_dir(dir),
        budget + Duration::from_secs(180),
    )?;
    let last = done.stdout.lines().last().unwrap_or_default();
    let answer: Value = serde_json::from_str(last)
        .map_err(|_| format!("no result line ({}): {}", done.status, done.tail(3)))?;
    if let Some(error) = answer["error"].as_str() {
        return Err(error.to_string());
    }
    let values = answer["values"].as_u64().unwrap_or_default();
    let seconds = answer["seconds"].as_f64().unwrap_or(f64::NAN);
    let mut out = row(
        "hypothesis-jsonschema (generate + serialise)",
        values,
        seconds,
        answer["mean_bytes"].as_u64().unwrap_or_default(),
    );
    out["versions"] = json!({
        "hypothesis-jsonschema": answer["hypothesis_jsonschema"],
        "hypothesis": answer["hypothesis"],
        "python": answer["python"],
    });
    Ok(out)
}

/// The schema at `pointer` of `document` as one standalone draft-07 JSON Schema, which
/// hypothesis-jsonschema reads: every local `$ref` inlined (a recursive one is an error),
/// 2020-12 `prefixItems` written as draft-07 tuple `items` (with `additionalItems`), and the
/// annotations (`description`, `examples`, `x-` extensions...) left out.
pub fn standalone(document: &Value, pointer: &str) -> Result<Value, String> {
    let node = document
        .pointer(pointer)
        .ok_or_else(|| format!("no schema at {pointer}"))?;
    let mut out = inline(document, node, &mut Vec::new())?;
    if let Value::Object(map) = &mut out {
        map.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
    }
    Ok(out)
}

/// Keywords whose value is one schema.
const ONE: &[&str] = &[
    "items",
    "additionalItems",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is a list of schemas.
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to schemas.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
];
/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
    "externalDocs",
    "xml",
];

fn inline(document: &Value, node: &Value, stack: &mut Vec<String>) -> Result<Value, String> {
    let Value::Object(map) = node else {
        return Ok(node.clone());
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("`{reference}` is not a local $ref"))?;
        if stack.iter().any(|r| r == reference) {
            return Err(format!("`{reference}` is recursive: it cannot be inlined"));
        }
        let resolved = document
            .pointer(target)
            .ok_or_else(|| format!("`{reference}` resolves to nothing"))?;
        stack.push(reference.to_string());
        let mut inlined = inline(document, resolved, stack)?;
        stack.pop();
        // Siblings of `$ref` (2020-12 allows them) apply together with the target.
        let siblings: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| *k != "$ref")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !siblings.is_empty() {
            let rest = inline(document, &Value::Object(siblings), stack)?;
            inlined = json!({"allOf": [inlined, rest]});
        }
        return Ok(inlined);
    }
    let mut out = Map::new();
    for (key, value) in map {
        if key.starts_with("x-") || ANNOTATIONS.contains(&key.as_str()) {
            continue;
        }
        let converted = if ONE.contains(&key.as_str()) && !value.is_array() {
            inline(document, value, stack)?
        } else if LIST.contains(&key.as_str()) || (key == "items" && value.is_array()) {
            Value::Array(
                value
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|v| inline(document, v, stack))
                    .collect::<Result<_, _>>()?,
            )
        } else if MAP.contains(&key.as_str()) {
            let mut inner = Map::new();
            for (name, schema) in value.as_object().into_iter().flatten() {
                inner.insert(name.clone(), inline(document, schema, stack)?);
            }
            Value::Object(inner)
        } else {
            value.clone()
        };
        out.insert(key.clone(), converted);
    }
    // draft-07 has no prefixItems: its tuple form is `items: [...]`, the rest `additionalItems`.
    if let Some(prefix) = out.remove("prefixItems") {
        if let Some(rest) = out.remove("items") {
            out.insert("additionalItems".into(), rest);
        }
        out.insert("items".into(), prefix);
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlines_refs_and_rewrites_prefix_items() {
        let document = json!({
            "components": {"schemas": {
                "Id": {"type": "string", "pattern": "^f-", "description": "an id", "x-source": ["A"]},
                "Pair": {"type": "array", "prefixItems": [{"$ref": "#/components/schemas/Id"}, {"type": "integer"}], "items": false},
            }},
            "root": {"type": "object", "properties": {
                "description": {"$ref": "#/components/schemas/Id"},
                "pair": {"$ref": "#/components/schemas/Pair"},
            }, "required": ["pair"], "x-note": "dropped"},
        });
        let schema = standalone(&document, "/root").expect("inlines");
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "description": {"type": "string", "pattern": "^f-"},
                    "pair": {"type": "array", "items": [{"type": "string", "pattern": "^f-"}, {"type": "integer"}], "additionalItems": false},
                },
                "required": ["pair"],
                "$schema": "http://json-schema.org/draft-07/schema#",
            })
        );
    }

    #[test]
    fn a_recursive_ref_is_an_error() {
        let document =
            json!({"Node": {"type": "object", "properties": {"next": {"$ref": "#/Node"}}}});
        let error = standalone(&document, "/Node").expect_err("recursive");
        assert!(error.contains("recursive"), "{error}");
    }

    #[test]
    fn the_benchmarked_schema_exports_without_refs() {
        let spec = ProviderSpec::load(PROVIDER).expect("the built-in spec loads");
        let generator = Generator::new(&spec);
        let pointer = generator
            .event(EVENT)
            .expect("an event")
            .pointer()
            .to_string();
        let schema = standalone(&spec.document, &pointer).expect("exports");
        let text = schema.to_string();
        assert!(!text.contains("$ref"), "{text}");
        assert!(!text.contains("prefixItems"), "{text}");
        assert_eq!(
            schema["properties"]["included"]["items"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
    }
}
