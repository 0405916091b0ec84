//! One deterministic delivery per event (fixed seed, subscription, secret and clock), as the
//! receiver would get it: a spec change shows up as a reviewable diff (`cargo insta review`).

use serde_json::{Value, json};
use webhook_harness::deliver::dispatch::prepare;
use webhook_harness::deliver::envelope::personalise;
use webhook_harness::generate::{Generator, Mode};
use webhook_harness::sign::Signer;
use webhook_harness::spec::ProviderSpec;

const SECRET: &str = "snapshot-secret";
const CLOCK: f64 = 1_700_000_000.0;

/// A fixed stored subscription of `provider` for `event`, with its id.
fn subscription(provider: &str, event: &str) -> (Value, String) {
    match provider {
        "swsh" => {
            let mut config = json!({"event": event, "targetUrl": "https://receiver.example.com/swsh", "metadata": {"token": "t-1", "n": 1}});
            if event != "newAlbum" {
                config["albumId"] = json!("album-1");
            }
            if event == "photoLabelAdded" {
                config["label"] = json!("sunset");
            }
            (
                json!({"webhookId": "6c8f3c1e-6a0b-4c59-9d8e-2f1a3b4c5d6e", "config": config}),
                "6c8f3c1e-6a0b-4c59-9d8e-2f1a3b4c5d6e".into(),
            )
        }
        "uc-alxgsv" => (
            json!({"type": "webhooks", "id": "wh-BQ26I4Ks4D4bdAZUxzKBRT", "attributes": {"events": [event], "target_url": "https://receiver.example.com/uc", "is_active": true, "version": "1", "signing_secret": "whsec-3UOLI5otLDaNONGsM49fEs"}, "relationships": {"project": {"data": {"type": "projects", "id": "8a540ce633522d881e97"}}}}),
            "wh-BQ26I4Ks4D4bdAZUxzKBRT".into(),
        ),
        "happycolis" => (
            json!({"id": "c3d4e5f6-a7b8-4012-8def-123456789012", "type": event, "health": "HEALTHY", "endPoint": "https://receiver.example.com/hc", "headers": {"X-Receiver-Key": "k-1"}}),
            "c3d4e5f6-a7b8-4012-8def-123456789012".into(),
        ),
        _ => (
            json!({"_id": "6170649a1b2c3d4e5f607182", "url": "https://receiver.example.com/btrz", "events": ["all"]}),
            "6170649a1b2c3d4e5f607182".into(),
        ),
    }
}

fn transcript(spec: &ProviderSpec, event: &str) -> String {
    let payload = Generator::new(spec)
        .event(event)
        .unwrap()
        .sample(Mode::Valid, 42, 1)
        .unwrap()
        .remove(0)
        .value;
    let (resource, id) = subscription(&spec.provider.id, event);
    let personal = personalise(spec, &payload, &resource, &id);
    let key = match spec
        .signature
        .key
        .as_ref()
        .and_then(|k| k.pointer.as_deref())
    {
        Some(at) => resource
            .pointer(at)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        None => SECRET.to_string(),
    };
    let forwarded: Vec<(String, String)> = spec
        .delivery
        .forward_headers
        .as_deref()
        .and_then(|at| resource.pointer(at))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let prepared = prepare(
        spec,
        &Signer::new(&spec.signature),
        &personal,
        key.as_bytes(),
        CLOCK,
        &forwarded,
    );
    let mut out = format!("{} (subscription {id})\n", spec.delivery.method);
    for (name, value) in &prepared.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    out.push_str(&String::from_utf8_lossy(&prepared.body));
    out.push('\n');
    out
}

#[test]
fn one_delivery_per_event() {
    for provider in ["betterez", "happycolis", "swsh", "uc-alxgsv"] {
        let spec = ProviderSpec::load(provider).unwrap();
        for event in spec.events.iter().map(|e| e.name.clone()) {
            let text = transcript(&spec, &event);
            let name = format!("{provider}__{}", event.replace('/', "."));
            insta::with_settings!({
                snapshot_path => format!("../../snapshots/deliveries/{provider}"),
                prepend_module_to_snapshot => false,
                input_file => spec.file.clone(),
                description => format!("event {event}, seed 42, signing time {CLOCK}"),
            }, {
                insta::assert_snapshot!(name, text);
            });
        }
    }
}
