//! The mock's JSON.stringify against the real one: for every edge payload of every event, the
//! bytes equal `JSON.stringify(JSON.parse(bytes))` as Node computes it (Betterez receivers
//! verify signatures over exactly that).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use webhook_harness::deliver::serialize::json_stringify;
use webhook_harness::generate::{Generator, Mode};
use webhook_harness::spec::ProviderSpec;

fn node_round_trip(texts: &[String]) -> Option<Vec<String>> {
    let script = "const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(l => l.length); \
                  for (const l of lines) process.stdout.write(JSON.stringify(JSON.parse(l)) + '\\n');";
    let mut child = Command::new("node")
        .args(["-e", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = texts.join("\n");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    assert!(output.status.success(), "node failed");
    Some(
        String::from_utf8(output.stdout)
            .ok()?
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn bytes_equal_javascripts_reserialisation() {
    let mut texts = Vec::new();
    for name in ["betterez", "happycolis", "swsh", "uc-alxgsv"] {
        let spec = ProviderSpec::load(name).unwrap();
        let generator = Generator::new(&spec);
        let events: Vec<String> = generator.events().map(str::to_string).collect();
        for event in events {
            for mode in [Mode::Valid, Mode::Edge] {
                for sample in generator
                    .event(&event)
                    .unwrap()
                    .sample(mode, 3, 100)
                    .unwrap()
                {
                    texts.push(json_stringify(&sample.value));
                }
            }
        }
    }
    // Values whose text differs between serialisers.
    let tricky: Vec<Value> = vec![
        json!({"b": 1, "2": 2, "0": 0, "a": [1.0, 1e21, -0.0, 1e-7, 0.1, 9007199254740993u64]}),
        json!({"s": "/é\u{2028}\u{1}\"\\\n\t\u{7f}😀", "10": null, "01": true}),
    ];
    texts.extend(tricky.iter().map(json_stringify));
    let Some(reserialised) = node_round_trip(&texts) else {
        eprintln!(
            "node is not installed: this comparison needs it (the unit tests of deliver::serialize still run)"
        );
        return;
    };
    assert_eq!(reserialised.len(), texts.len());
    for (ours, theirs) in texts.iter().zip(&reserialised) {
        assert_eq!(ours, theirs, "JSON.stringify(JSON.parse(x)) differs from x");
    }
}
