//! Reading raw schema nodes: following `$ref`, `allOf` and `properties` to the node that
//! describes one place of an instance.

use serde_json::Value;

use crate::spec::pointer;

/// Follows a local `$ref` chain.
fn deref<'d>(doc: &'d Value, mut node: &'d Value) -> &'d Value {
    for _ in 0..16 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(target) => match pointer::get(doc, target) {
                Some(next) => node = next,
                None => return node,
            },
            None => return node,
        }
    }
    node
}

/// The schema `properties` entry for `name` in `schema` (looking into `allOf` branches too).
fn property<'d>(doc: &'d Value, schema: &'d Value, name: &str) -> Option<&'d Value> {
    let schema = deref(doc, schema);
    if let Some(found) = schema.get("properties").and_then(|p| p.get(name)) {
        return Some(deref(doc, found));
    }
    schema
        .get("allOf")?
        .as_array()?
        .iter()
        .find_map(|branch| property(doc, branch, name))
}

/// The `required` names of `schema` (with its `allOf` branches).
#[must_use]
pub fn required<'d>(doc: &'d Value, schema: &'d Value) -> Vec<&'d str> {
    let schema = deref(doc, schema);
    let mut out: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(branches) = schema.get("allOf").and_then(Value::as_array) {
        for branch in branches {
            out.extend(required(doc, branch));
        }
    }
    out
}

/// The schema node that describes `instance_pointer` inside the schema at `schema_pointer`
/// (properties only: arrays and combinators other than `allOf` are not followed).
#[must_use]
pub fn at<'d>(doc: &'d Value, schema_pointer: &str, instance_pointer: &str) -> Option<&'d Value> {
    let mut node = deref(doc, pointer::get(doc, schema_pointer)?);
    for token in pointer::tokens(instance_pointer)? {
        node = property(doc, node, &token)?;
    }
    Some(node)
}

/// The `default` of property `name` of `schema`, if it declares one.
#[must_use]
pub fn default_of<'d>(doc: &'d Value, schema: &'d Value, name: &str) -> Option<&'d Value> {
    property(doc, schema, name)?.get("default")
}

/// A discriminated `oneOf` at `schema_pointer`: the branch `value` names, as a schema pointer.
#[must_use]
pub fn discriminated(doc: &Value, schema_pointer: &str, value: &Value) -> Option<String> {
    let schema = deref(doc, pointer::get(doc, schema_pointer)?);
    let discriminator = schema.get("discriminator")?;
    let property = discriminator.get("propertyName")?.as_str()?;
    let tag = value.get(property)?.as_str()?;
    let target = discriminator.get("mapping")?.get(tag)?.as_str()?;
    target.strip_prefix('#').map(str::to_string)
}

/// Fills, inside each object member of `fields` (and recursively inside theirs), the
/// properties the request leaves out with the `default` its schema `schema` declares: a created
/// resource gets `config.content_type: json` when the request's `config` omits it. Members left
/// out at the top are not filled here: the resource schema's defaults apply to them.
pub fn fill_nested_defaults(
    doc: &Value,
    schema: &Value,
    fields: &mut serde_json::Map<String, Value>,
) {
    fill_members(doc, schema, fields, 0);
}

fn fill_members(
    doc: &Value,
    schema: &Value,
    fields: &mut serde_json::Map<String, Value>,
    depth: usize,
) {
    // Request bodies nest at most 64 levels (the mock refuses deeper ones); schemas may recurse.
    if depth > 64 {
        return;
    }
    for (name, value) in fields.iter_mut() {
        let Value::Object(inner) = value else {
            continue;
        };
        let Some(member) = property(doc, schema, name) else {
            continue;
        };
        fill_absent(doc, member, inner, depth + 1);
    }
}

fn fill_absent(
    doc: &Value,
    schema: &Value,
    object: &mut serde_json::Map<String, Value>,
    depth: usize,
) {
    let schema = deref(doc, schema);
    let mut names: Vec<&str> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some(branches) = schema.get("allOf").and_then(Value::as_array) {
        for branch in branches {
            if let Some(p) = deref(doc, branch)
                .get("properties")
                .and_then(Value::as_object)
            {
                names.extend(p.keys().map(String::as_str));
            }
        }
    }
    for name in names {
        if object.contains_key(name) {
            continue;
        }
        if let Some(default) = default_of(doc, schema, name) {
            object.insert(name.to_string(), default.clone());
        }
    }
    fill_members(doc, schema, object, depth);
}
