//! Bundles the built-in specs and their fixtures into the library when the `cli` feature is on,
//! so that an installed `webhook-harness` finds them after its source checkout is gone
//! (`spec::bundle`). Without the feature, or without the files (a packaged crate), the bundle
//! is empty and the specs are read from the checkout only.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("..");
    let mut files = Vec::new();
    if std::env::var_os("CARGO_FEATURE_CLI").is_some() {
        for folder in ["specs", "fixtures"] {
            let dir = root.join(folder);
            println!("cargo:rerun-if-changed={}", dir.display());
            collect(&root, &dir, &mut files);
        }
    }
    files.sort();
    // A digest of names and contents (FNV-1a), so that an extracted bundle is never reused for
    // other contents.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut table = String::from("pub(super) static FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let bytes = std::fs::read(path).unwrap_or_default();
        for byte in name.bytes().chain([0]).chain(bytes.iter().copied()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let _ = writeln!(
            table,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    table.push_str("];\n");
    let _ = writeln!(table, "pub(super) const DIGEST: u64 = {hash:#x};");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("bundle.rs");
    if let Err(error) = std::fs::write(&out, table) {
        panic!("cannot write {}: {error}", out.display());
    }
}

/// Every file under `dir`, named by its path from `root` with `/` separators.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let path = path.canonicalize().unwrap_or(path);
            out.push((name, path));
        }
    }
}
