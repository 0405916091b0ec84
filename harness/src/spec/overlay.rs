//! OpenAPI Overlay 1.0 documents: a list of actions, each selecting nodes of the spec document
//! with a JSONPath expression (RFC 9535) and merging an `update` into them or removing them.
//!
//! This is how the harness's `x-` extensions are supplied to a document written for other tools,
//! without editing it: `--overlay FILE` next to `--spec`. Actions apply in order, each to the
//! result of the one before. Two choices go beyond the Overlay specification, both to catch
//! mistakes early: an action whose target selects nothing is an error (the specification lets
//! it do nothing), and an overlay must name version `1.0.x`.

use std::path::Path;

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use super::error::{SpecError, SpecErrorKind};
use super::{parse, pointer};

/// Reads the overlay at `overlay` (YAML or JSON) and applies its actions to `document`. Every
/// problem is reported with the overlay file and the pointer of the action at fault.
pub fn apply_file(overlay: &Path, document: &mut Value) -> Result<(), Vec<SpecError>> {
    let text = std::fs::read_to_string(overlay).map_err(|e| {
        vec![SpecError::new(
            overlay,
            "",
            SpecErrorKind::Io(e.to_string()),
        )]
    })?;
    let parsed = parse::document_to_json(overlay, &text).map_err(|e| vec![e])?;
    apply(overlay, &parsed, document)
}

/// Applies the overlay document `overlay` (already parsed; `file` names it in messages).
pub fn apply(file: &Path, overlay: &Value, document: &mut Value) -> Result<(), Vec<SpecError>> {
    let error = |at: &str, message: String| {
        SpecError::new(file, at, SpecErrorKind::Invalid(message)).with_hint(
            "an overlay is an OpenAPI Overlay 1.0 document: `overlay: 1.0.0`, `info` (title, \
             version) and `actions`, each with a JSONPath `target` and an `update` or `remove: true`",
        )
    };
    let Some(map) = overlay.as_object() else {
        return Err(vec![error("", "an overlay must be a mapping".into())]);
    };
    let mut errors = Vec::new();
    match map.get("overlay").and_then(Value::as_str) {
        Some(version) if version.starts_with("1.0.") => {}
        other => errors.push(error(
            "/overlay",
            format!(
                "expected an Overlay 1.0 document, found `overlay: {}`",
                other.unwrap_or("(missing)")
            ),
        )),
    }
    let info = map.get("info");
    for field in ["title", "version"] {
        if info
            .and_then(|i| i.get(field))
            .and_then(Value::as_str)
            .is_none()
        {
            errors.push(error(
                "/info",
                format!("`info.{field}` is required and must be a string"),
            ));
        }
    }
    for key in map.keys() {
        if !["overlay", "info", "extends", "actions"].contains(&key.as_str())
            && !key.starts_with("x-")
        {
            errors.push(error(
                &pointer::join("", key),
                format!("`{key}` is not a field of an Overlay Object"),
            ));
        }
    }
    let actions = match map.get("actions") {
        Some(Value::Array(actions)) if !actions.is_empty() => actions.as_slice(),
        _ => {
            errors.push(error(
                "/actions",
                "`actions` is required and must be a non-empty list".into(),
            ));
            &[]
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    for (i, action) in actions.iter().enumerate() {
        if let Err(message) = apply_action(action, document) {
            errors.push(error(&format!("/actions/{i}"), message));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// One action: select, then remove or merge.
fn apply_action(action: &Value, document: &mut Value) -> Result<(), String> {
    let Some(action) = action.as_object() else {
        return Err("an action must be a mapping".into());
    };
    for key in action.keys() {
        if !["target", "description", "update", "remove"].contains(&key.as_str())
            && !key.starts_with("x-")
        {
            return Err(format!("`{key}` is not a field of an Action Object"));
        }
    }
    let Some(target) = action.get("target").and_then(Value::as_str) else {
        return Err("`target` is required and must be a JSONPath expression".into());
    };
    let path = JsonPath::parse(target)
        .map_err(|e| format!("`target: {target}` is not a JSONPath expression (RFC 9535): {e}"))?;
    let remove = match action.get("remove") {
        None => false,
        Some(Value::Bool(remove)) => *remove,
        Some(other) => return Err(format!("`remove` must be true or false, found {other}")),
    };
    let update = action.get("update");
    if !remove && update.is_none() {
        return Err(format!(
            "the action on `{target}` has neither `update` nor `remove: true`"
        ));
    }
    let mut pointers: Vec<String> = path
        .query_located(document)
        .dedup()
        .locations()
        .map(|location| location.to_json_pointer())
        .collect();
    if pointers.is_empty() {
        return Err(format!(
            "`target: {target}` selects nothing in the document"
        ));
    }
    if remove {
        // Last first, so that removing an array item does not shift the indices still to remove.
        pointers.sort_by_key(|p| std::cmp::Reverse(sort_key(p)));
        for at in &pointers {
            remove_at(document, at).map_err(|why| format!("`target: {target}`: {why}"))?;
        }
        return Ok(());
    }
    let update = update.unwrap_or(&Value::Null);
    for at in &pointers {
        let node = pointer::get_or_create(document, at)
            .ok_or_else(|| format!("`target: {target}`: {at} cannot be written"))?;
        match (node, update) {
            (Value::Object(node), Value::Object(update)) => merge(node, update),
            (Value::Array(items), item) => items.push(item.clone()),
            (Value::Object(_), other) => {
                return Err(format!(
                    "`target: {target}` selects an object ({at}); its `update` must be an object, found {other}"
                ));
            }
            (_, _) => {
                return Err(format!(
                    "`target: {target}` selects {at}, which is neither an object nor an array; \
                     target its parent to replace it"
                ));
            }
        }
    }
    Ok(())
}

/// Merges `update` into `node`: a member that is an object on both sides is merged recursively,
/// any other member replaces the one of the same name or is added.
fn merge(node: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (key, value) in update {
        match (node.get_mut(key), value) {
            (Some(Value::Object(inner)), Value::Object(update)) => merge(inner, update),
            _ => {
                node.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Tokens with array indices compared as numbers.
fn sort_key(at: &str) -> Vec<(usize, String)> {
    pointer::tokens(at)
        .unwrap_or_default()
        .into_iter()
        .map(|token| (token.parse().unwrap_or(usize::MAX), token))
        .collect()
}

fn remove_at(document: &mut Value, at: &str) -> Result<(), String> {
    let tokens = pointer::tokens(at).unwrap_or_default();
    let Some((last, parent)) = tokens.split_last() else {
        return Err("the whole document cannot be removed".into());
    };
    let parent_at: String = parent
        .iter()
        .map(|t| format!("/{}", pointer::escape(t)))
        .collect();
    match document.pointer_mut(&parent_at) {
        Some(Value::Object(map)) => {
            map.shift_remove(last);
        }
        Some(Value::Array(items)) => {
            let index: usize = last.parse().map_err(|_| format!("{at} is not an index"))?;
            if index < items.len() {
                items.remove(index);
            }
        }
        _ => return Err(format!("{at} does not resolve")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn updates_merge_deeply_and_removals_go_last_first() {
        let mut doc = json!({
            "info": {"title": "A", "contact": {"name": "n"}},
            "tags": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
            "paths": {"/a": {"get": {"x-other": 1}}, "/b": {"get": {"x-other": 2}}}
        });
        let file = Path::new("o.yaml");
        apply(
            file,
            &overlay(json!([
                {"target": "$.info", "update": {"contact": {"email": "e"}, "x-provider": {"id": "p"}}},
                {"target": "$.tags[?@.name != 'b']", "remove": true},
                {"target": "$.paths.*.get", "update": {"x-operation": {"status": "documented"}}},
                {"target": "$.tags", "update": {"name": "z"}}
            ])),
            &mut doc,
        )
        .unwrap();
        assert_eq!(
            doc["info"],
            json!({"title": "A", "contact": {"name": "n", "email": "e"}, "x-provider": {"id": "p"}})
        );
        assert_eq!(doc["tags"], json!([{"name": "b"}, {"name": "z"}]));
        assert_eq!(
            doc["paths"]["/b"]["get"]["x-operation"]["status"],
            "documented"
        );
        assert_eq!(doc["paths"]["/b"]["get"]["x-other"], 2);
    }

    #[test]
    fn mistakes_name_the_action() {
        let mut doc = json!({"info": {}});
        let errors = apply(
            Path::new("o.yaml"),
            &overlay(json!([
                {"target": "$.nothing", "update": {}},
                {"target": "$[", "remove": true},
                {"target": "$.info"}
            ])),
            &mut doc,
        )
        .unwrap_err();
        let found: Vec<(String, String)> = errors
            .iter()
            .map(|e| (e.pointer.clone(), e.kind.to_string()))
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].1.contains("selects nothing"), "{found:?}");
        assert_eq!(found[1].0, "/actions/1");
        assert!(
            found[1].1.contains("not a JSONPath expression"),
            "{found:?}"
        );
        assert!(found[2].1.contains("neither `update` nor"), "{found:?}");
        let errors = apply(
            Path::new("o.yaml"),
            &json!({"overlay": "2.0.0", "actions": []}),
            &mut doc,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
    }
}
