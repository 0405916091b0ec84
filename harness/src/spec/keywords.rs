//! The keywords of JSON Schema 2020-12 and draft-07 (and the OpenAPI 3.1 additions), and a walk
//! that finds the keys of a spec's schemas that are none of them: JSON Schema treats those as
//! annotations, so they constrain nothing, and the lint lists each once as a warning (often a
//! keyword of another tool, such as OpenAPI 3.0's `nullable`, that the author meant to apply).

use std::collections::BTreeSet;

use serde_json::Value;

use super::pointer;

/// Every keyword of JSON Schema 2020-12 and draft-07, and OpenAPI 3.1's schema keywords.
pub const KNOWN: &[&str] = &[
    // Core.
    "$schema",
    "$id",
    "$ref",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "$comment",
    "$defs",
    "definitions",
    // Applicators.
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependencies",
    "prefixItems",
    "items",
    "additionalItems",
    "contains",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    // Validation.
    "type",
    "const",
    "enum",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    // Format, content, meta-data.
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
    // OpenAPI 3.1.
    "discriminator",
    "xml",
    "externalDocs",
    "example",
];

/// Keywords whose value is a schema.
const ONE: &[&str] = &[
    "not",
    "if",
    "then",
    "else",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
    "items",
];

/// Keywords whose value is an array of schemas (or, for `items`, may be).
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems", "items"];

/// Keywords whose value maps names to schemas.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
];

/// The keys of no vocabulary in the schema at `at` of `doc` and every schema it reaches
/// (following local `$ref`s once), as (pointer, keyword), in walk order. `x-` keys are
/// extensions, not annotations.
#[must_use]
pub fn unknown(doc: &Value, at: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    walk(doc, at, &mut seen, &mut out);
    out
}

fn walk(doc: &Value, at: &str, seen: &mut BTreeSet<String>, out: &mut Vec<(String, String)>) {
    if !seen.insert(at.to_string()) {
        return;
    }
    let Some(Value::Object(map)) = pointer::get(doc, at) else {
        return;
    };
    for (key, value) in map {
        let here = pointer::join(at, key);
        if !KNOWN.contains(&key.as_str()) && !key.starts_with("x-") {
            out.push((here.clone(), key.clone()));
            continue;
        }
        if key == "$ref"
            && let Some(target) = value.as_str().and_then(|r| r.strip_prefix('#'))
        {
            walk(doc, &pointer::percent_decode(target), seen, out);
        }
        if ONE.contains(&key.as_str()) && value.is_object() {
            walk(doc, &here, seen, out);
        }
        if LIST.contains(&key.as_str())
            && let Value::Array(items) = value
        {
            for i in 0..items.len() {
                walk(doc, &format!("{here}/{i}"), seen, out);
            }
        }
        if MAP.contains(&key.as_str())
            && let Value::Object(members) = value
        {
            for name in members.keys() {
                walk(doc, &pointer::join(&here, name), seen, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_no_vocabulary_are_found_through_refs_and_subschemas() {
        let doc = serde_json::json!({
            "components": {"schemas": {
                "A": {"type": "object", "tsAdditionalProperties": false, "x-note": 1,
                      "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"allOf": [{"nullable": true}], "items": [{"examples": [1]}]}
            }}
        });
        let found = unknown(&doc, "/components/schemas/A");
        assert_eq!(
            found,
            [
                (
                    "/components/schemas/A/tsAdditionalProperties".to_string(),
                    "tsAdditionalProperties".to_string()
                ),
                (
                    "/components/schemas/B/allOf/0/nullable".to_string(),
                    "nullable".to_string()
                ),
            ]
        );
    }
}
