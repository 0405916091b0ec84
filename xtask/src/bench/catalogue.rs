//! A large catalogue: a spec of 300 events over 400 schemas (about 5 MB of JSON), made in
//! memory from the bundled Standard Webhooks spec (its endpoints, signature and delivery rules
//! kept, its events and payload schemas replaced), then loaded and drawn from: how long loading
//! takes, and how many payloads per second the generator gives across the events.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use webhook_harness::generate::{Generator, Mode, rng};
use webhook_harness::spec::{Loader, parse, specs_dir};

/// Events in the catalogue.
pub const EVENTS: usize = 300;
/// Schemas in the catalogue (besides the base spec's own).
pub const SCHEMAS: usize = 400;
/// Loading must take less than this (release build).
pub const LOAD_TARGET: Duration = Duration::from_secs(2);

/// Properties per schema, and the length of each one's description (real catalogues document
/// every field).
const PROPERTIES: usize = 24;
const DESCRIPTION: usize = 300;

/// The catalogue document, as JSON text.
pub fn document() -> Result<String, String> {
    let base_file = specs_dir().join("standard-webhooks.yaml");
    let text = std::fs::read_to_string(&base_file).map_err(|e| e.to_string())?;
    let mut doc = parse::yaml_to_json(&base_file, &text).map_err(|e| e.to_string())?;
    let names: Vec<String> = (0..EVENTS)
        .map(|i| {
            format!(
                "resource{}.{}",
                i / 3,
                ["created", "updated", "deleted"][i % 3]
            )
        })
        .collect();
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or("the base spec has no components/schemas")?;
    for old in ["User", "UserEvent", "Invoice", "InvoiceEvent"] {
        schemas.remove(old);
    }
    let mut types: Vec<Value> = names.iter().map(|n| json!(n)).collect();
    types.push(json!("*"));
    schemas.insert(
        "EventType".into(),
        json!({"type": "string", "enum": types, "x-source": ["SW"]}),
    );
    for i in 0..SCHEMAS {
        schemas.insert(format!("Object{i}"), object_schema(i));
    }
    let mut webhooks = Map::new();
    for (i, name) in names.iter().enumerate() {
        webhooks.insert(name.clone(), event(i, name));
    }
    doc["webhooks"] = Value::Object(webhooks);
    serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())
}

/// Schema `i`: scalar fields of every kind, each documented, and links to two other schemas
/// (of higher numbers, so the graph has no cycle).
fn object_schema(i: usize) -> Value {
    let mut properties = Map::new();
    let words = "The value as the provider's API reports it; kept for reconciliation. ";
    let description: String = words.chars().cycle().take(DESCRIPTION).collect();
    for p in 0..PROPERTIES {
        let field = match p % 6 {
            0 => json!({"type": "string", "minLength": 1, "maxLength": 64}),
            1 => json!({"type": "integer", "minimum": 0, "maximum": 1_000_000}),
            2 => json!({"type": "string", "enum": ["draft", "active", "archived", "deleted"]}),
            3 => json!({"type": ["string", "null"], "format": "date-time"}),
            4 => json!({"type": "boolean"}),
            _ => {
                json!({"type": "array", "maxItems": 5, "items": {"type": "string", "maxLength": 32}})
            }
        };
        let mut field = field.as_object().cloned().unwrap_or_default();
        field.insert("description".into(), json!(description));
        properties.insert(format!("field{p}"), Value::Object(field));
    }
    for (k, link) in [i * 2 + 1, i * 2 + 2].into_iter().enumerate() {
        if link < SCHEMAS {
            properties.insert(
                format!("link{k}"),
                json!({"$ref": format!("#/components/schemas/Object{link}")}),
            );
        }
    }
    json!({
        "type": "object",
        "required": ["field0", "field1"],
        "properties": properties,
        "x-source": ["SW"],
    })
}

/// Event `i` named `name`: the Standard Webhooks shape around one of the schemas.
fn event(i: usize, name: &str) -> Value {
    let data = format!("#/components/schemas/Object{}", i % SCHEMAS);
    json!({"post": {
        "operationId": format!("event{i}"),
        "summary": format!("Event {name}"),
        "x-event": {
            "name": name,
            "status": "documented",
            "source": ["SW"],
            "trigger": "the catalogue benchmark",
        },
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": {"type": "string", "const": name},
                "timestamp": {"$ref": "#/components/schemas/Timestamp"},
                "data": {"$ref": data},
            },
        }}}},
        "responses": {"200": {"description": "any 2xx acknowledges the delivery"}},
    }})
}

/// Loads the catalogue and draws from it for `budget`: one row.
pub fn run(budget: Duration) -> Result<Vec<Value>, String> {
    let text = document()?;
    let started = Instant::now();
    let spec = Loader::new()
        .load_str(Path::new("catalogue.json"), &text)
        .map_err(|e| format!("the catalogue does not load: {e}"))?;
    let load = started.elapsed();
    let generator = Generator::new(&spec);
    let started = Instant::now();
    let schemas = spec
        .events
        .iter()
        .map(|e| generator.event(&e.name).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let compile = started.elapsed();
    let mut random = rng::seeded(7);
    let (mut count, mut bytes) = (0usize, 0usize);
    let started = Instant::now();
    while started.elapsed() < budget {
        let sample = schemas[count % schemas.len()]
            .draw(Mode::Valid, &mut random)
            .map_err(|e| e.to_string())?;
        bytes += serde_json::to_vec(&sample.value).map_or(0, |b| b.len());
        count += 1;
    }
    let per_second = count as f64 / started.elapsed().as_secs_f64();
    Ok(vec![json!({
        "events": spec.events.len(),
        "schemas": spec.document["components"]["schemas"].as_object().map_or(0, Map::len),
        "document_bytes": text.len(),
        "load_seconds": (load.as_secs_f64() * 1000.0).round() / 1000.0,
        "load_target_seconds": LOAD_TARGET.as_secs_f64(),
        "within_target": load < LOAD_TARGET,
        "generators_seconds": (compile.as_secs_f64() * 1000.0).round() / 1000.0,
        "payloads_per_second": per_second.round(),
        "mean_bytes": bytes / count.max(1),
    })])
}

/// The section's table.
pub fn table(rows: &[Value]) -> String {
    let text = |row: &Value, field: &str| match &row[field] {
        Value::Bool(yes) => if *yes { "yes" } else { "no" }.to_string(),
        value => super::num(value),
    };
    format!(
        "## Large catalogue ({EVENTS} events, {SCHEMAS} schemas, made in memory)\n\n{}",
        super::markdown(
            &[
                "events:",
                "schemas:",
                "document bytes:",
                "load s:",
                "target s:",
                "within target",
                "generators s:",
                "payloads/s:",
                "mean bytes:",
            ],
            rows.iter().map(|row| {
                [
                    "events",
                    "schemas",
                    "document_bytes",
                    "load_seconds",
                    "load_target_seconds",
                    "within_target",
                    "generators_seconds",
                    "payloads_per_second",
                    "mean_bytes",
                ]
                .iter()
                .map(|f| text(row, f))
                .collect()
            }),
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_loads_and_every_event_draws() {
        let text = document().unwrap();
        assert!(
            (4_000_000..8_000_000).contains(&text.len()),
            "{} bytes",
            text.len()
        );
        let spec = Loader::new()
            .load_str(Path::new("catalogue.json"), &text)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.events.len(), EVENTS);
        let generator = Generator::new(&spec);
        let mut random = rng::seeded(1);
        for event in &spec.events {
            let schema = generator.event(&event.name).unwrap();
            let sample = schema.draw(Mode::Valid, &mut random).unwrap();
            assert_eq!(sample.value["type"], event.name.as_str());
        }
    }
}
