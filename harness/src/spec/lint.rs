//! `lint-specs`: what loading cannot see. Every example validates against its schema (or fails
//! exactly as a recorded erratum says), every fixture is the example byte for byte, every
//! invariant holds on every event example, and every fixture file is referenced.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::extensions::{ErratumExpect, Status};
use super::model::{Body, Example};
use super::{ProviderSpec, keywords, pointer};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something is wrong: the lint fails.
    Error,
    /// A documented error of the provider, reproduced as recorded: informational.
    Erratum,
    /// Worth a look, not wrong: a schema key of no JSON Schema vocabulary, or another tool's `x-`
    /// key in a foreign document (both ignored).
    Warning,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The file at fault (the spec, or a fixture).
    pub file: PathBuf,
    /// Pointer into the spec document.
    pub pointer: String,
    /// What was found.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Erratum => "erratum",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.file.display())?;
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Counts for the coverage table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Events.
    pub events: usize,
    /// Endpoints documented by the provider.
    pub endpoints_documented: usize,
    /// Endpoints inferred from code.
    pub endpoints_inferred: usize,
    /// Examples checked.
    pub examples: usize,
    /// Examples backed by a fixture.
    pub fixtures: usize,
    /// Invariants.
    pub invariants: usize,
    /// Assumptions.
    pub assumptions: usize,
    /// Errata.
    pub errata: usize,
}

/// The result of linting one spec.
#[derive(Debug, Clone)]
pub struct Report {
    /// Provider id.
    pub provider: String,
    /// Counts.
    pub coverage: Coverage,
    /// Everything found, errors first.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether any finding is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Lints a loaded spec.
#[must_use]
pub fn lint(spec: &ProviderSpec) -> Report {
    let mut lint = Lint {
        spec,
        findings: Vec::new(),
        coverage: Coverage {
            events: spec.events.len(),
            endpoints_documented: spec
                .endpoints
                .iter()
                .filter(|e| e.ext.status == Status::Documented)
                .count(),
            endpoints_inferred: spec
                .endpoints
                .iter()
                .filter(|e| e.ext.status == Status::Inferred)
                .count(),
            invariants: spec.invariants.len(),
            assumptions: spec.assumptions.len(),
            errata: spec.errata.len(),
            ..Coverage::default()
        },
        checked: BTreeSet::new(),
        fixtures_used: BTreeSet::new(),
    };
    for event in &spec.events {
        lint.event(event);
    }
    for endpoint in &spec.endpoints {
        lint.endpoint(endpoint);
    }
    lint.errata();
    lint.unknown_keywords();
    lint.foreign_extensions();
    let Lint {
        mut findings,
        coverage,
        fixtures_used,
        ..
    } = lint;
    unreferenced_fixtures(spec, &fixtures_used, &mut findings);
    findings.sort_by_key(|f| f.severity);
    Report {
        provider: spec.provider.id.clone(),
        coverage,
        findings,
    }
}

/// A lint in progress: what was found, and which examples and fixtures were seen.
struct Lint<'s> {
    spec: &'s ProviderSpec,
    findings: Vec<Finding>,
    coverage: Coverage,
    checked: BTreeSet<String>,
    fixtures_used: BTreeSet<PathBuf>,
}

impl Lint<'_> {
    /// Each key of no JSON Schema vocabulary in the schemas of bodies, once, where it first
    /// appears, with how often it does.
    fn unknown_keywords(&mut self) {
        let spec = self.spec;
        let schemas = spec
            .events
            .iter()
            .map(|e| &e.payload)
            .chain(spec.endpoints.iter().filter_map(|e| e.request.as_ref()))
            .flat_map(|body| body.content.iter().filter_map(|m| m.schema.as_deref()));
        let mut found: Vec<(String, String)> = Vec::new();
        for schema in schemas {
            for (at, keyword) in keywords::unknown(&spec.document, schema) {
                if !found.iter().any(|(p, _)| *p == at) {
                    found.push((at, keyword));
                }
            }
        }
        let mut listed: Vec<&str> = Vec::new();
        for (at, keyword) in &found {
            if listed.contains(&keyword.as_str()) {
                continue;
            }
            listed.push(keyword);
            let count = found.iter().filter(|(_, k)| k == keyword).count();
            let more = if count > 1 {
                format!(" ({count} places)")
            } else {
                String::new()
            };
            self.findings.push(Finding {
                severity: Severity::Warning,
                file: spec.file.clone(),
                pointer: at.clone(),
                message: format!(
                    "`{keyword}` is no JSON Schema keyword: it constrains nothing and is ignored{more}"
                ),
            });
        }
    }

    /// Each `x-` key of another tool in a foreign document, once.
    fn foreign_extensions(&mut self) {
        let spec = self.spec;
        for found in &spec.foreign_extensions {
            let more = if found.count > 1 {
                format!(" ({} places)", found.count)
            } else {
                String::new()
            };
            self.findings.push(Finding {
                severity: Severity::Warning,
                file: spec.file.clone(),
                pointer: found.first.clone(),
                message: format!(
                    "`{}` is another tool's extension: kept, and ignored by the harness{more}",
                    found.key
                ),
            });
        }
    }

    fn body(&mut self, body: &Body) {
        check_body(
            self.spec,
            body,
            &mut self.findings,
            &mut self.coverage,
            &mut self.checked,
            &mut self.fixtures_used,
        );
    }

    /// An event: it has examples, its invariants and `resourceId` pointers hold on them, and
    /// its payload's examples validate.
    fn event(&mut self, event: &crate::spec::Event) {
        let spec = self.spec;
        if event.examples().is_empty() {
            self.findings.push(error(
                spec,
                &event.payload.pointer,
                format!("event `{}` has no example payload", event.name),
            ));
        }
        for example in event.examples() {
            for inv in spec
                .invariants_for(&event.name)
                .filter(|i| !i.needs_subscription())
            {
                if let Err(breach) = inv.check(&event.name, &example.value, None) {
                    self.findings
                        .push(against_errata(spec, &example.pointer, breach.to_string()));
                }
            }
            self.resource_ids(event, example);
        }
        self.body(&event.payload);
    }

    /// Every `resourceId` pointer of `event` holds the object's id on `example`, the same at
    /// each.
    fn resource_ids(&mut self, event: &crate::spec::Event, example: &crate::spec::Example) {
        let ids: Vec<Option<&Value>> = event
            .ext
            .resource_id
            .iter()
            .map(|at| crate::spec::pointer::get(&example.value, at))
            .collect();
        if let Some(missing) = ids.iter().position(Option::is_none) {
            self.findings.push(against_errata(
                self.spec,
                &example.pointer,
                format!(
                    "x-event.resourceId `{}` is absent from the example",
                    event.ext.resource_id[missing]
                ),
            ));
        } else if ids.windows(2).any(|w| w[0] != w[1]) {
            self.findings.push(against_errata(
                self.spec,
                &example.pointer,
                format!(
                    "the pointers of x-event.resourceId ({}) hold different values",
                    event.ext.resource_id.join(", ")
                ),
            ));
        }
    }

    /// An endpoint: its bodies' examples validate, and it documents a 2xx with an example.
    fn endpoint(&mut self, endpoint: &crate::spec::Endpoint) {
        let spec = self.spec;
        if let Some(request) = &endpoint.request {
            self.body(request);
        }
        for response in &endpoint.responses {
            self.body(&response.body);
        }
        let success = endpoint
            .responses
            .iter()
            .find(|r| r.status.starts_with('2'));
        match success {
            None => self.findings.push(error(
                spec,
                &endpoint.pointer,
                format!("`{}` documents no 2xx response", endpoint.operation_id),
            )),
            Some(r)
                if !r.body.content.is_empty()
                    && r.body.content.iter().all(|m| m.examples.is_empty()) =>
            {
                self.findings.push(error(
                    spec,
                    &r.body.pointer,
                    format!(
                        "the {} response of `{}` has no example",
                        r.status, endpoint.operation_id
                    ),
                ));
            }
            Some(_) => {}
        }
    }

    /// Every erratum that expects invalid examples lists examples that exist.
    fn errata(&mut self) {
        let spec = self.spec;
        for (i, erratum) in spec.errata.iter().enumerate() {
            if erratum.expect != ErratumExpect::Invalid {
                continue;
            }
            if erratum.affects.is_empty() {
                self.findings.push(error(
                    spec,
                    &format!("/x-errata/{i}"),
                    format!(
                        "erratum `{}` expects invalid examples but lists none",
                        erratum.id
                    ),
                ));
            }
            for (j, target) in erratum.affects.iter().enumerate() {
                if !self.checked.contains(target.as_str()) {
                    self.findings.push(error(
                        spec,
                        &format!("/x-errata/{i}/affects/{j}"),
                        format!("erratum `{}` expects {target} to be an invalid example, but no example of a body with a schema is there", erratum.id),
                    ));
                }
            }
        }
    }
}

fn error(spec: &ProviderSpec, at: &str, message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        file: spec.file.clone(),
        pointer: at.to_string(),
        message,
    }
}

/// A failure of the example at `at`: an erratum finding when an `invalid` erratum lists it.
fn against_errata(spec: &ProviderSpec, at: &str, message: String) -> Finding {
    match spec
        .errata_for(at)
        .find(|e| e.expect == ErratumExpect::Invalid)
    {
        Some(erratum) => Finding {
            severity: Severity::Erratum,
            file: spec.file.clone(),
            pointer: at.to_string(),
            message: format!("as recorded by erratum `{}`, {message}", erratum.id),
        },
        None => error(spec, at, message),
    }
}

fn check_body(
    spec: &ProviderSpec,
    body: &Body,
    findings: &mut Vec<Finding>,
    coverage: &mut Coverage,
    checked: &mut BTreeSet<String>,
    fixtures_used: &mut BTreeSet<PathBuf>,
) {
    for media in &body.content {
        for example in &media.examples {
            if !checked.insert(example.pointer.clone()) {
                continue; // A shared (`$ref`) example is checked once.
            }
            coverage.examples += 1;
            if let Some(fixture) = &example.fixture {
                coverage.fixtures += 1;
                check_fixture(spec, example, fixture, findings, fixtures_used);
            }
            let Some(schema) = &media.schema else {
                continue;
            };
            let violations = spec
                .schemas
                .violations(schema, &example.value)
                .unwrap_or_default();
            let expected_invalid = spec
                .errata_for(&example.pointer)
                .find(|e| e.expect == ErratumExpect::Invalid);
            match (violations.is_empty(), expected_invalid) {
                (true, None) => {}
                (true, Some(erratum)) => findings.push(error(
                    spec,
                    &example.pointer,
                    format!("erratum `{}` says this example is invalid, but it validates: update the erratum or the schema", erratum.id),
                )),
                (false, erratum) => {
                    // A recorded erratum needs only its first symptom; a real error shows more.
                    let shown = if erratum.is_some() { 1 } else { 5 };
                    let list = violations.iter().take(shown).map(ToString::to_string).collect::<Vec<_>>().join("\n      ");
                    let more = violations.len().saturating_sub(shown);
                    let suffix = if more > 0 { format!("\n      (and {more} more)") } else { String::new() };
                    findings.push(against_errata(
                        spec,
                        &example.pointer,
                        format!("example `{}` does not validate:\n      {list}{suffix}", example.name),
                    ));
                }
            }
        }
    }
}

fn check_fixture(
    spec: &ProviderSpec,
    example: &Example,
    fixture: &str,
    findings: &mut Vec<Finding>,
    fixtures_used: &mut BTreeSet<PathBuf>,
) {
    let path = spec.resolve_path(fixture);
    fixtures_used.insert(normalise(&path));
    let at = pointer::join(&example.pointer, "x-fixture");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            findings.push(error(
                spec,
                &at,
                format!("fixture {} cannot be read: {e}", path.display()),
            ));
            return;
        }
    };
    let parsed: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            findings.push(Finding {
                severity: Severity::Error,
                file: path.clone(),
                pointer: String::new(),
                message: format!("fixture is not JSON: {e}"),
            });
            return;
        }
    };
    if let Some(diff) = first_difference(&parsed, &example.value, &mut String::new()) {
        findings.push(error(
            spec,
            &at,
            format!(
                "fixture {} differs from the example's value at {}",
                path.display(),
                if diff.is_empty() { "(root)" } else { &diff }
            ),
        ));
    }
}

/// The pointer of the first place where two values differ.
fn first_difference(a: &Value, b: &Value, at: &mut String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let len = at.len();
                at.push('/');
                at.push_str(&pointer::escape(key));
                let found = match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => first_difference(p, q, at),
                    _ => Some(at.clone()),
                };
                at.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(at.clone());
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                let found = first_difference(p, q, at);
                at.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        _ => (a != b).then(|| at.clone()),
    }
}

fn normalise(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Every `.json` file in the provider's fixture folder must be referenced by an example.
fn unreferenced_fixtures(
    spec: &ProviderSpec,
    used: &BTreeSet<PathBuf>,
    findings: &mut Vec<Finding>,
) {
    let dir = spec.resolve_path(&format!("../fixtures/{}", spec.provider.id));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        if !used.contains(&normalise(&file)) {
            findings.push(Finding {
                severity: Severity::Error,
                file: file.clone(),
                pointer: String::new(),
                message: "fixture is not referenced by any example's `x-fixture`".into(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn first_difference_names_the_pointer() {
        let a = json!({"a": [1, {"b": 2}], "c": 3});
        let b = json!({"a": [1, {"b": 5}], "c": 3});
        assert_eq!(
            first_difference(&a, &b, &mut String::new()).as_deref(),
            Some("/a/1/b")
        );
        assert_eq!(first_difference(&a, &a, &mut String::new()), None);
        assert_eq!(
            first_difference(&json!({"x": 1}), &json!({}), &mut String::new()).as_deref(),
            Some("/x")
        );
    }
}
