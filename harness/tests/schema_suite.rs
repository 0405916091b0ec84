//! The official JSON Schema Test Suite (drafts 4 and 7) drives the generator: for every schema of the suite that
//! has a valid case, 200 valid and 200 edge values validate under `jsonschema` (compiled here
//! on its own, as the suite's draft says), and invalid values fail. The schemas the generator
//! refuses are listed below with the reason; the list must stay exactly the refusals.

use std::path::{Path, PathBuf};

use jsonschema::Draft;
use serde_json::Value;
use webhook_harness::generate::{Mode, SchemaGen};

/// The suite's directory and the draft its schemas are validated under.
const DRAFTS: &[(&str, Draft)] = &[("draft4", Draft::Draft4), ("draft7", Draft::Draft7)];

/// Schemas the generator refuses, by file and group description, with the reason.
const REFUSED: &[(&str, &str, &str)] = &[
    (
        "draft4/refRemote.json",
        "remote ref",
        "a `$ref` to another document: the generator resolves references inside the document",
    ),
    (
        "draft4/refRemote.json",
        "fragment within remote ref",
        "a `$ref` to another document",
    ),
    (
        "draft4/refRemote.json",
        "ref within remote ref",
        "a `$ref` to another document",
    ),
    (
        "draft4/refRemote.json",
        "change resolution scope",
        "a `$ref` resolved against an `id` that names another document",
    ),
    (
        "draft4/definitions.json",
        "valid definition",
        "a `$ref` to another document (the draft-04 meta-schema)",
    ),
    (
        "draft4/ref.json",
        "remote ref, containing refs itself",
        "a `$ref` to another document (the draft-04 meta-schema)",
    ),
    (
        "draft7/definitions.json",
        "valid definition",
        "a `$ref` to another document (the draft-07 meta-schema)",
    ),
    (
        "draft7/ref.json",
        "remote ref, containing refs itself",
        "a `$ref` to another document (the draft-07 meta-schema)",
    ),
    (
        "draft7/ref.json",
        "Recursive references between schemas",
        "a `$ref` resolved against the `$id` of a subschema (`node`): the generator resolves references by JSON Pointer within the document",
    ),
    (
        "draft7/refRemote.json",
        "remote ref",
        "a `$ref` to another document",
    ),
    (
        "draft7/refRemote.json",
        "fragment within remote ref",
        "a `$ref` to another document",
    ),
    (
        "draft7/refRemote.json",
        "ref within remote ref",
        "a `$ref` to another document",
    ),
    (
        "draft7/refRemote.json",
        "base URI change",
        "a `$ref` to another document",
    ),
    (
        "draft7/refRemote.json",
        "base URI change - change folder",
        "a `$ref` to another document",
    ),
    (
        "draft7/refRemote.json",
        "base URI change - change folder in subschema",
        "a `$ref` to another document",
    ),
    (
        "draft7/refRemote.json",
        "root ref in remote ref",
        "a `$ref` to another document",
    ),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn generated_values_of_every_suite_schema_validate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json-schema-test-suite");
    let mut refused: Vec<(String, String, String)> = Vec::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    // The valid values, for the independent check by Python's `jsonschema` below.
    let mut cases: Vec<Value> = Vec::new();
    for (dir, draft) in DRAFTS {
        let mut paths = Vec::new();
        files(&root.join(dir), &mut paths);
        assert!(paths.len() > 20, "the suite is missing: {}", root.display());
        for path in paths {
            let file = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let groups: Vec<Value> =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for group in groups {
                let description = group["description"].as_str().unwrap().to_string();
                let has_valid = group["tests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["valid"] == Value::Bool(true));
                if !has_valid {
                    continue;
                }
                let schema = &group["schema"];
                let generator = match SchemaGen::standalone(&file, schema, *draft) {
                    Ok(generator) => generator,
                    Err(error) => {
                        refused.push((file.clone(), description, error.to_string()));
                        continue;
                    }
                };
                let validator = jsonschema::options()
                    .with_draft(*draft)
                    .should_validate_formats(true)
                    .build(schema)
                    .unwrap();
                checked += 1;
                let seed = checked as u64;
                let mut values = Vec::new();
                for mode in [Mode::Valid, Mode::Edge] {
                    match generator.sample(mode, seed, 200) {
                        Ok(samples) => {
                            values.extend(samples.iter().take(20).map(|s| s.value.clone()));
                            for sample in samples {
                                if !validator.is_valid(&sample.value) {
                                    failures.push(format!(
                                        "{file} `{description}` ({mode:?}): {} does not validate",
                                        sample.value
                                    ));
                                }
                            }
                        }
                        Err(error) => {
                            failures.push(format!("{file} `{description}` ({mode:?}): {error}"))
                        }
                    }
                }
                cases.push(serde_json::json!({
                    "file": file,
                    "description": description,
                    "draft": dir,
                    "schema": schema,
                    "values": values,
                }));
                // Invalid values, where the schema constrains anything, fail.
                if let Ok(samples) = generator.sample(Mode::Invalid, seed, 20) {
                    for sample in samples {
                        if validator.is_valid(&sample.value) {
                            failures.push(format!(
                                "{file} `{description}` (Invalid): {} validates",
                                sample.value
                            ));
                        }
                    }
                }
            }
        }
    }
    println!(
        "{checked} suite schemas generated (valid, edge and invalid values checked), {} refused",
        refused.len()
    );
    python_agrees(&cases);
    assert!(checked > 70, "only {checked} schemas checked");
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let listed: Vec<(&str, &str)> = REFUSED.iter().map(|(f, d, _)| (*f, *d)).collect();
    let unexpected: Vec<String> = refused
        .iter()
        .filter(|(f, d, _)| !listed.contains(&(f.as_str(), d.as_str())))
        .map(|(f, d, e)| format!("{f} `{d}`: {e}"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "refused, not listed:\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<String> = listed
        .iter()
        .filter(|(f, d)| !refused.iter().any(|(rf, rd, _)| rf == f && rd == d))
        .map(|(f, d)| format!("{f} `{d}`"))
        .collect();
    assert!(
        stale.is_empty(),
        "listed as refused, but generated:\n{}",
        stale.join("\n")
    );
}

/// Python's `jsonschema` (with its format checker) validates the same valid and edge values:
/// an independent implementation agrees with the generator. Where it is not installed, CI
/// (`WEBHOOK_HARNESS_PYTHON_JSONSCHEMA=1`, set by `.ci/run`, which installs it) fails, and a
/// local run says how to install it.
fn python_agrees(cases: &[Value]) {
    let available = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("WEBHOOK_HARNESS_PYTHON_JSONSCHEMA").is_none(),
            "Python's jsonschema is required here: python3 -m pip install 'jsonschema[format-nongpl]'"
        );
        println!(
            "Python's jsonschema is not installed: the independent check did not run (python3 -m pip install 'jsonschema[format-nongpl]')"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.jsonl");
    let text: String = cases.iter().map(|c| format!("{c}\n")).collect();
    std::fs::write(&path, text).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python-jsonschema/validate.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{}", stdout.lines().last().unwrap_or_default());
    assert!(
        out.status.success(),
        "Python's jsonschema refuses generated values:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
