//! Arbitrary input never panics the loader or the linter: mutated spec text and mutated spec
//! structure either load (and lint) or come back as errors naming the file.

mod common;

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;
use webhook_harness::spec::{Loader, lint};

fn swsh_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        std::fs::read_to_string(webhook_harness::spec::specs_dir().join("swsh.yaml")).unwrap()
    })
}

fn every_pointer(node: &Value, at: String, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for (k, v) in map {
                let p = webhook_harness::spec::pointer::join(&at, k);
                out.push(p.clone());
                every_pointer(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                every_pointer(v, p, out);
            }
        }
        _ => {}
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[#/a-z$~{}:.x-]{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z$x-]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn load_and_lint(text: &str) {
    match Loader::new().load_str(Path::new("mutated.yaml"), text) {
        Ok(spec) => {
            let _ = lint::lint(&spec);
        }
        Err(errors) => {
            assert!(!errors.0.is_empty());
            assert!(errors.to_string().contains("mutated.yaml"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mutated_text_never_panics(edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..8)) {
        let mut text: Vec<char> = swsh_text().chars().collect();
        for (at, op, c) in edits {
            if text.is_empty() { break; }
            let i = at.index(text.len());
            match op {
                0 => { text.remove(i); }
                1 => text.insert(i, c),
                _ => text[i] = c,
            }
        }
        let text: String = text.into_iter().collect();
        load_and_lint(&text);
    }

    #[test]
    fn truncated_text_never_panics(cut in any::<prop::sample::Index>()) {
        let text = swsh_text();
        let mut end = cut.index(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        load_and_lint(&text[..end]);
    }

    #[test]
    fn mutated_structure_never_panics(at in any::<prop::sample::Index>(), value in json_value()) {
        let mut doc = common::document("swsh");
        let mut pointers = Vec::new();
        every_pointer(&doc, String::new(), &mut pointers);
        let target = &pointers[at.index(pointers.len())];
        *doc.pointer_mut(target).unwrap() = value;
        load_and_lint(&serde_json::to_string(&doc).unwrap());
    }
}
