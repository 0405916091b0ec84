//! Helpers shared by the spec tests: copies of the built-in specs that a test may break.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use webhook_harness::spec::{Loader, ProviderSpec, SpecErrors, specs_dir};

/// The built-in spec `name` as a JSON value.
pub fn document(name: &str) -> Value {
    let text = std::fs::read_to_string(specs_dir().join(format!("{name}.yaml"))).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// A throw-away copy of the repository layout (`specs/`, `fixtures/<name>/`) holding `doc` as the
/// spec `name`, so that fixture paths resolve as in the real repository.
pub struct Copy {
    pub dir: tempfile::TempDir,
    pub spec: PathBuf,
}

impl Copy {
    pub fn new(name: &str, doc: &Value) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("specs")).unwrap();
        let fixtures = specs_dir().join("../fixtures").join(name);
        let target = dir.path().join("fixtures").join(name);
        std::fs::create_dir_all(&target).unwrap();
        if let Ok(entries) = std::fs::read_dir(&fixtures) {
            for entry in entries.flatten() {
                std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
            }
        }
        let spec = dir.path().join("specs").join(format!("{name}.yaml"));
        // JSON is YAML, so the copy is written as JSON: what we test is the loader, not a printer.
        std::fs::write(&spec, serde_json::to_string_pretty(doc).unwrap()).unwrap();
        Self { dir, spec }
    }

    pub fn fixture(&self, name: &str, file: &str) -> PathBuf {
        self.dir.path().join("fixtures").join(name).join(file)
    }

    pub fn load(&self) -> Result<ProviderSpec, SpecErrors> {
        Loader::new().load_file(&self.spec)
    }
}

/// Loads `doc` as the spec `name` and returns its errors (panics if it loads).
pub fn errors_of(name: &str, doc: &Value) -> SpecErrors {
    match Copy::new(name, doc).load() {
        Ok(_) => panic!("the broken spec loaded"),
        Err(errors) => errors,
    }
}

/// Sets the node at `pointer`, creating object members as needed.
pub fn set(doc: &mut Value, pointer: &str, value: Value) {
    assert!(
        webhook_harness::spec::pointer::set(doc, pointer, value),
        "cannot set {pointer}"
    );
}

/// Removes the member at `pointer`.
pub fn remove(doc: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = webhook_harness::spec::pointer::unescape(key);
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove(&key))
        .unwrap_or_else(|| panic!("nothing at {pointer}"));
}

/// The repository's `../shared/seeds` folder, when it is there.
pub fn seeds_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds");
    dir.is_dir().then_some(dir)
}
