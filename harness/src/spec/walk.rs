//! Whole-document walks: every `x-` key in its allowed place, every `$ref` resolving locally.

use super::pointer::percent_decode;
use std::path::Path;

use serde_json::Value;

use super::ForeignExtension;
use super::error::{SpecError, SpecErrorKind};
use super::pointer;

/// Keys whose values are maps of names (property names, header names, paths, ...): their keys are
/// never extensions, even when they start with `x-` (a header called `x-api-key`, say).
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependentRequired",
    "headers",
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
    "paths",
    "webhooks",
    "content",
    "encoding",
    "variables",
    "mapping",
    "scopes",
];

/// Keys whose values are instance data (examples, defaults), never walked.
const DATA_KEYS: &[&str] = &["value", "example", "default", "const", "enum"];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where a node sits, for deciding which extensions it may carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Info,
    PathOperation,
    WebhookOperation,
    Example,
    Other,
}

fn allowed(place: Place) -> &'static [&'static str] {
    match place {
        Place::Root => &[
            "x-webhook-signature",
            "x-delivery",
            "x-envelope",
            "x-invariants",
            "x-assumptions",
            "x-errata",
        ],
        Place::Info => &["x-provider"],
        Place::PathOperation => &["x-operation", "x-graphql"],
        Place::WebhookOperation => &["x-event"],
        Place::Example => &["x-fixture"],
        Place::Other => &[],
    }
}

/// Extensions allowed on any node.
const ANYWHERE: &[&str] = &["x-source", "x-note"];

fn place_of(tokens: &[String]) -> Place {
    match tokens {
        [] => Place::Root,
        [info] if info == "info" => Place::Info,
        [paths, _, method] if paths == "paths" && HTTP_METHODS.contains(&method.as_str()) => {
            Place::PathOperation
        }
        [hooks, _, method] if hooks == "webhooks" && HTTP_METHODS.contains(&method.as_str()) => {
            Place::WebhookOperation
        }
        [.., examples, _] if examples == "examples" => Place::Example,
        _ => Place::Other,
    }
}

/// Reports every `x-` key that is not allowed where it stands. In a `foreign` document, a key
/// that is none of the harness's extensions belongs to another tool: it is not an error, and it
/// is returned (each key once, with its first place and count).
pub fn check_extension_keys(
    file: &Path,
    doc: &Value,
    foreign: bool,
    errors: &mut Vec<SpecError>,
) -> Vec<ForeignExtension> {
    let mut walk = Walk {
        file,
        foreign,
        found: Vec::new(),
    };
    walk.keys(doc, &mut Vec::new(), false, errors);
    walk.found
}

/// Whether `key` is one of the harness's extensions, wherever it belongs.
fn is_harness_extension(key: &str) -> bool {
    ANYWHERE.contains(&key)
        || [
            Place::Root,
            Place::Info,
            Place::PathOperation,
            Place::WebhookOperation,
            Place::Example,
        ]
        .into_iter()
        .any(|place| allowed(place).contains(&key))
}

struct Walk<'a> {
    file: &'a Path,
    foreign: bool,
    found: Vec<ForeignExtension>,
}

impl Walk<'_> {
    fn keys(
        &mut self,
        node: &Value,
        path: &mut Vec<String>,
        keys_are_names: bool,
        errors: &mut Vec<SpecError>,
    ) {
        let file = self.file;
        match node {
            Value::Object(map) => {
                let place = place_of(path);
                for (key, child) in map {
                    let is_extension = !keys_are_names && key.starts_with("x-");
                    if is_extension && self.foreign && !is_harness_extension(key) {
                        match self.found.iter_mut().find(|f| &f.key == key) {
                            Some(seen) => seen.count += 1,
                            None => self.found.push(ForeignExtension {
                                key: key.clone(),
                                first: pointer_of(path, key),
                                count: 1,
                            }),
                        }
                        continue;
                    }
                    if is_extension {
                        if !ANYWHERE.contains(&key.as_str())
                            && !allowed(place).contains(&key.as_str())
                        {
                            let at = pointer_of(path, key);
                            let mut hint = format!(
                                "the extensions are defined in specs/EXTENSIONS.md; allowed here: {}",
                                ANYWHERE
                                    .iter()
                                    .chain(allowed(place))
                                    .copied()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            );
                            if let Some(home) = home_of(key) {
                                hint.push_str(&format!("; `{key}` belongs {home}"));
                            }
                            errors.push(
                                SpecError::new(
                                    file,
                                    at,
                                    SpecErrorKind::UnknownExtension(key.clone()),
                                )
                                .with_hint(hint),
                            );
                        }
                        // Extension values are checked by their own types, not walked.
                        continue;
                    }
                    if !keys_are_names && DATA_KEYS.contains(&key.as_str()) {
                        continue;
                    }
                    // JSON Schema `examples` is an array of instances: data, not structure.
                    if key == "examples" && child.is_array() {
                        continue;
                    }
                    let child_names = !keys_are_names && NAME_MAPS.contains(&key.as_str());
                    path.push(key.clone());
                    self.keys(child, path, child_names, errors);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    self.keys(item, path, false, errors);
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

fn home_of(key: &str) -> Option<&'static str> {
    [
        (Place::Root, "at the top level"),
        (Place::Info, "in `info`"),
        (Place::PathOperation, "on an operation under `paths`"),
        (Place::WebhookOperation, "on an operation under `webhooks`"),
        (Place::Example, "on an Example Object"),
    ]
    .into_iter()
    .find(|(place, _)| allowed(*place).contains(&key))
    .map(|(_, home)| home)
}

fn pointer_of(path: &[String], last: &str) -> String {
    let mut out = String::new();
    for token in path.iter().map(String::as_str).chain([last]) {
        out.push('/');
        out.push_str(&pointer::escape(token));
    }
    out
}

/// Reports every `$ref` that is not local or does not resolve.
pub fn check_refs(file: &Path, doc: &Value, errors: &mut Vec<SpecError>) {
    walk_refs(file, doc, doc, &mut String::new(), errors);
}

fn walk_refs(file: &Path, doc: &Value, node: &Value, at: &mut String, errors: &mut Vec<SpecError>) {
    match node {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    let here = pointer::join(at, key);
                    match child.as_str() {
                        Some(target) => {
                            if let Some(kind) = ref_problem(doc, target) {
                                errors.push(SpecError::new(file, here, kind));
                            }
                        }
                        None => errors.push(SpecError::new(
                            file,
                            here,
                            SpecErrorKind::Invalid("`$ref` must be a string".into()),
                        )),
                    }
                    continue;
                }
                if key.starts_with("x-") || DATA_KEYS.contains(&key.as_str()) {
                    continue;
                }
                if key == "examples" && child.is_array() {
                    continue;
                }
                let len = at.len();
                at.push('/');
                at.push_str(&pointer::escape(key));
                walk_refs(file, doc, child, at, errors);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                walk_refs(file, doc, item, at, errors);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

fn ref_problem(doc: &Value, target: &str) -> Option<SpecErrorKind> {
    let Some(fragment) = target.strip_prefix('#') else {
        return Some(SpecErrorKind::ExternalRef(target.to_string()));
    };
    let decoded = percent_decode(fragment);
    if pointer::get(doc, &decoded).is_none() {
        return Some(SpecErrorKind::DanglingRef(target.to_string()));
    }
    None
}

/// Follows a local Reference Object (`{"$ref": "#/..."}`) to its target; other nodes are returned
/// as they are. Gives up after a few hops, so a reference cycle cannot loop.
#[must_use]
pub fn deref<'d>(doc: &'d Value, mut node: &'d Value) -> &'d Value {
    for _ in 0..8 {
        let Some(target) = node.get("$ref").and_then(Value::as_str) else {
            return node;
        };
        let Some(fragment) = target.strip_prefix('#') else {
            return node;
        };
        match pointer::get(doc, &percent_decode(fragment)) {
            Some(next) => node = next,
            None => return node,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors_of(doc: &Value) -> Vec<SpecError> {
        let mut errors = Vec::new();
        check_extension_keys(Path::new("t.yaml"), doc, false, &mut errors);
        check_refs(Path::new("t.yaml"), doc, &mut errors);
        errors
    }

    #[test]
    fn header_names_are_not_extensions() {
        let doc = json!({"components": {"schemas": {"H": {"properties": {"x-api-key": {"type": "string"}}}}}});
        assert!(errors_of(&doc).is_empty());
    }

    #[test]
    fn misplaced_extension_is_reported_with_its_home() {
        let doc = json!({"info": {"x-delivery": {}}});
        let errors = errors_of(&doc);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/info/x-delivery");
        assert!(
            errors[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("at the top level")
        );
    }

    #[test]
    fn dangling_and_external_refs() {
        let doc =
            json!({"a": {"$ref": "#/nope"}, "b": {"$ref": "other.yaml#/x"}, "c": {"$ref": "#/a"}});
        let errors = errors_of(&doc);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].kind, SpecErrorKind::DanglingRef("#/nope".into()));
        assert_eq!(errors[1].pointer, "/b/$ref");
    }

    #[test]
    fn percent_encoded_refs_resolve() {
        let doc = json!({"paths": {"/a{b}": {"get": {}}}, "r": {"$ref": "#/paths/~1a%7Bb%7D/get"}});
        assert!(errors_of(&doc).is_empty());
    }
}
