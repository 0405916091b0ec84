//! Every schema of a spec, compiled once with `jsonschema` (draft 2020-12, formats checked).
//!
//! Schemas are identified by the JSON Pointer of their node in the spec document; `$ref`s inside
//! them resolve against the whole document, so `#/components/schemas/X` works as in OpenAPI.

use crate::spec::pointer::percent_decode;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

/// The base URI the spec document is registered under.
const DOC_URI: &str = "urn:webhook-harness:spec";

/// One failed validation, with pointers into the instance and into the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Pointer into the validated value.
    pub instance_pointer: String,
    /// Pointer into the spec document to the keyword that failed.
    pub schema_pointer: String,
    /// The keyword (`required`, `format`, ...).
    pub keyword: String,
    /// What `jsonschema` said.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.instance_pointer.is_empty() {
            "(root)"
        } else {
            &self.instance_pointer
        };
        write!(f, "{at}: {} (schema {})", self.message, self.schema_pointer)
    }
}

/// The compiled schemas of one spec. Cloning is cheap (shared).
#[derive(Clone)]
pub struct SchemaSet {
    registry: Option<Arc<Registry<'static>>>,
    draft: Draft,
    validators: Arc<RwLock<BTreeMap<String, Arc<Validator>>>>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = self.validators.read().map(|v| v.len()).unwrap_or_default();
        f.debug_struct("SchemaSet")
            .field("compiled", &known)
            .finish()
    }
}

impl SchemaSet {
    /// Compiles the schemas at `pointers` in `doc`. Returns the set and, for each schema that does
    /// not compile, its pointer and the reason.
    pub fn compile(doc: &Value, pointers: &[String]) -> (Self, Vec<(String, String)>) {
        Self::compile_draft(doc, pointers, Draft::Draft202012)
    }

    /// Like [`Self::compile`], for a document of another JSON Schema draft (a standalone schema
    /// of draft 4, 6 or 7).
    pub fn compile_draft(
        doc: &Value,
        pointers: &[String],
        draft: Draft,
    ) -> (Self, Vec<(String, String)>) {
        let mut failures = Vec::new();
        let registry = match Registry::new()
            .draft(draft)
            .add(DOC_URI, draft.create_resource(doc.clone()))
            .and_then(|builder| builder.prepare())
        {
            Ok(registry) => Some(Arc::new(registry)),
            Err(error) => {
                failures.push((String::new(), error.to_string()));
                None
            }
        };
        let set = Self {
            registry,
            draft,
            validators: Arc::default(),
        };
        for pointer in pointers {
            if let Err(message) = set.build(pointer) {
                failures.push((pointer.clone(), message));
            }
        }
        (set, failures)
    }

    fn build(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        if let Some(found) = self
            .validators
            .read()
            .ok()
            .and_then(|v| v.get(pointer).cloned())
        {
            return Ok(found);
        }
        let registry = self
            .registry
            .as_ref()
            .ok_or("the document could not be registered")?;
        let wrapper = json!({ "$ref": format!("{DOC_URI}#{}", encode_fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(self.draft)
            .should_validate_formats(true)
            .with_registry(registry)
            .build(&wrapper)
            .map_err(|e| e.to_string())?;
        let validator = Arc::new(validator);
        if let Ok(mut cache) = self.validators.write() {
            cache.insert(pointer.to_string(), Arc::clone(&validator));
        }
        Ok(validator)
    }

    /// The validator of the schema at `pointer`, compiled on first use; `None` when there is no
    /// valid schema there.
    #[must_use]
    pub fn get(&self, pointer: &str) -> Option<Arc<Validator>> {
        self.build(pointer).ok()
    }

    /// Whether `value` is valid against the schema at `pointer` (false when there is no such schema).
    #[must_use]
    pub fn is_valid(&self, pointer: &str, value: &Value) -> bool {
        self.get(pointer).is_some_and(|v| v.is_valid(value))
    }

    /// Every violation of `value` against the schema at `pointer`; `None` when there is no such schema.
    #[must_use]
    pub fn violations(&self, pointer: &str, value: &Value) -> Option<Vec<Violation>> {
        let validator = self.get(pointer)?;
        Some(violations_of(&validator, pointer, value))
    }
}

/// Every violation of `value` against `validator`, compiled from the schema at `pointer`.
#[must_use]
pub fn violations_of(validator: &Validator, pointer: &str, value: &Value) -> Vec<Violation> {
    validator
        .iter_errors(value)
        .map(|error| Violation {
            instance_pointer: error.instance_path().to_string(),
            schema_pointer: error
                .absolute_keyword_location()
                .and_then(|uri| {
                    uri.as_str()
                        .strip_prefix(DOC_URI)
                        .and_then(|f| f.strip_prefix('#'))
                        .map(percent_decode)
                })
                .unwrap_or_else(|| schema_pointer(pointer, &error.schema_path().to_string())),
            keyword: error.kind().keyword().to_string(),
            message: excerpt(&error.to_string()),
        })
        .collect()
}

/// Messages longer than this are shown as their start and their end.
const MESSAGE_CHARS: usize = 240;

/// `message` cut to its start and its end when long: the validator quotes the whole instance
/// (a `oneOf` mismatch quotes the whole payload), and a report shows an excerpt of it.
pub fn excerpt(message: &str) -> String {
    let count = message.chars().count();
    if count <= MESSAGE_CHARS {
        return message.to_string();
    }
    let head: String = message.chars().take(MESSAGE_CHARS / 2).collect();
    let tail: String = message.chars().skip(count - MESSAGE_CHARS / 2).collect();
    format!("{head} … {tail} ({} bytes)", message.len())
}

/// Turns jsonschema's keyword location (relative to our `$ref` wrapper) into a pointer into the doc.
fn schema_pointer(root: &str, keyword_location: &str) -> String {
    // The wrapper is `{"$ref": ...}`, so every location starts with `/$ref`.
    let rest = keyword_location
        .strip_prefix("/$ref")
        .unwrap_or(keyword_location);
    format!("{root}{rest}")
}

/// Percent-encodes the characters of a JSON Pointer that are not allowed in a URI fragment.
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_show_an_excerpt_with_the_reason() {
        let doc = json!({"s": {"oneOf": [{"type": "string"}, {"type": "integer"}]}});
        let (set, _) = SchemaSet::compile(&doc, &["/s".to_string()]);
        let big = json!({"payload": "x".repeat(400_000)});
        let violations = set.violations("/s", &big).unwrap();
        let message = &violations[0].message;
        assert!(message.chars().count() < 400, "{} chars", message.len());
        assert!(message.contains("oneOf"), "{message}");
    }

    #[test]
    fn refs_resolve_against_the_document_and_formats_are_checked() {
        let doc = json!({
            "components": {"schemas": {
                "Id": {"type": "string", "format": "uuid"},
                "Thing": {"type": "object", "required": ["id"], "properties": {"id": {"$ref": "#/components/schemas/Id"}}}
            }},
            "paths": {"/a/{b}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}}
        });
        let body = "/paths/~1a~1{b}/get/responses/200/content/application~1json/schema".to_string();
        let (set, failures) = SchemaSet::compile(&doc, std::slice::from_ref(&body));
        assert!(failures.is_empty(), "{failures:?}");
        assert!(set.is_valid(
            &body,
            &json!({"id": "2feda6cf-8c85-4f3e-b369-254997fd847f"})
        ));
        let violations = set.violations(&body, &json!({"id": "nope"})).unwrap();
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].instance_pointer, "/id");
        assert_eq!(violations[0].keyword, "format");
        let missing = set.violations(&body, &json!({})).unwrap();
        assert_eq!(missing[0].keyword, "required");
    }

    #[test]
    fn a_broken_schema_is_reported_with_its_pointer() {
        let doc = json!({"s": {"type": 12}});
        let (_, failures) = SchemaSet::compile(&doc, &["/s".to_string()]);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].0, "/s");
    }
}
