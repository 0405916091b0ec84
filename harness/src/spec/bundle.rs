//! The built-in specs and their fixtures, carried inside the library (with the `cli` feature)
//! for an installed `webhook-harness` whose source checkout is gone: `cargo install --git`
//! builds from a checkout that cargo's cache cleaning may later delete.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/bundle.rs"));

/// The built-in specs folder extracted from the bundle (`specs/` beside `fixtures/`, under the
/// user's cache folder), written at most once per process. `None` when the library carries no
/// bundle or the folder cannot be written.
#[must_use]
pub fn extracted() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| extract(&cache_root()?)).clone()
}

/// `$XDG_CACHE_HOME`, else `~/.cache`, else the temporary folder.
fn cache_root() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .or_else(|| Some(std::env::temp_dir()))
}

/// Writes the bundle under `cache` (in a folder named by the version and a digest of the
/// contents, so that other contents never reuse it) and returns its `specs/` folder.
fn extract(cache: &Path) -> Option<PathBuf> {
    if FILES.is_empty() {
        return None;
    }
    let root = cache
        .join("webhook-harness")
        .join(format!("{}-{DIGEST:016x}", env!("CARGO_PKG_VERSION")));
    for (name, bytes) in FILES {
        let path = root.join(name);
        if std::fs::read(&path).is_ok_and(|on_disk| on_disk == *bytes) {
            continue;
        }
        std::fs::create_dir_all(path.parent()?).ok()?;
        // Written beside, then renamed: a process reading at the same time never sees half.
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, bytes).ok()?;
        std::fs::rename(&partial, &path).ok()?;
    }
    Some(root.join("specs"))
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_the_checkouts_specs_and_fixtures_and_loads_from_its_own_folder() {
        let cache = tempfile::tempdir().unwrap();
        let specs = extract(cache.path()).unwrap();
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let names = crate::spec::builtin_names();
        assert!(names.len() >= 5, "{names:?}");
        for name in &names {
            let file = format!("{name}.yaml");
            assert_eq!(
                std::fs::read(specs.join(&file)).unwrap(),
                std::fs::read(checkout.join("specs").join(&file)).unwrap()
            );
            let spec = crate::spec::ProviderSpec::load(specs.join(&file).to_str().unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // Fixtures are found beside the extracted specs, as in a checkout.
            let fixtures = spec.resolve_path(&format!("../fixtures/{}", spec.provider.id));
            assert_eq!(
                fixtures.is_dir(),
                checkout.join("fixtures").join(&spec.provider.id).is_dir(),
                "{name}"
            );
        }
        // A second extraction finds everything in place.
        assert_eq!(extract(cache.path()), Some(specs));
    }
}
