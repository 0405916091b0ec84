//! Names a user typed (specs, assumptions, events, operations), checked before anything runs,
//! with "did you mean" suggestions.

use std::path::Path;

use crate::spec::{ProviderSpec, builtin_names, specs_dir};
use crate::suggest;

/// Why `--spec NAME|PATH` names nothing, if it does not: a path that does not exist, or a name
/// that is no built-in spec (with the closest names). `None` when there is something to load
/// (which may still be broken: that is the loader's report).
#[must_use]
pub fn unknown_spec(name_or_path: &str) -> Option<String> {
    let path = Path::new(name_or_path);
    let looks_like_path = name_or_path.contains('/')
        || name_or_path.contains('\\')
        || path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
    if path.is_file() {
        return None;
    }
    if looks_like_path {
        return Some(format!(
            "--spec `{name_or_path}`: no such file (from {})",
            std::env::current_dir().map_or_else(|_| ".".into(), |d| d.display().to_string())
        ));
    }
    if specs_dir().join(format!("{name_or_path}.yaml")).is_file() {
        return None;
    }
    let names = builtin_names();
    Some(format!(
        "--spec `{name_or_path}`: no built-in spec is named so\n  hint: {}; or pass the path of a spec file",
        suggest::hint(
            name_or_path,
            "built-in specs",
            names.iter().map(String::as_str)
        )
    ))
}

/// The `--assume ID=VALUE` arguments whose ID is not an assumption of `spec`, each as an error
/// with the closest ids.
#[must_use]
pub fn unknown_assumptions(spec: &ProviderSpec, assume: &[String]) -> Vec<String> {
    assume
        .iter()
        .filter_map(|arg| {
            let id = arg
                .split_once('=')
                .map_or(arg.as_str(), |(id, _)| id)
                .trim();
            (!spec.assumptions.iter().any(|a| a.id == id)).then(|| {
                format!(
                    "--assume {arg}: {} has no assumption `{id}`\n  hint: {}",
                    spec.provider.id,
                    suggest::hint(
                        id,
                        "its assumptions",
                        spec.assumptions.iter().map(|a| a.id.as_str())
                    )
                )
            })
        })
        .collect()
}

/// Why `--event NAME` is not an event of `spec`, if it is not (with the closest names).
#[must_use]
pub fn unknown_event(spec: &ProviderSpec, event: &str) -> Option<String> {
    spec.event(event).is_none().then(|| {
        format!(
            "--event `{event}`: {} has no such event\n  hint: {}",
            spec.provider.id,
            suggest::hint(
                event,
                "its events",
                spec.events.iter().map(|e| e.name.as_str())
            )
        )
    })
}

/// Why `--endpoint OPERATION` is not an operation of `spec`, if it is not (with the closest
/// operation ids).
#[must_use]
pub fn unknown_operation(spec: &ProviderSpec, operation: &str) -> Option<String> {
    (!spec.endpoints.iter().any(|e| e.operation_id == operation)).then(|| {
        format!(
            "--endpoint `{operation}`: {} has no such operation\n  hint: {}",
            spec.provider.id,
            suggest::hint(
                operation,
                "its operations",
                spec.endpoints.iter().map(|e| e.operation_id.as_str())
            )
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_spec_name_gets_a_suggestion() {
        let message = unknown_spec("swhs").unwrap();
        assert!(message.contains("did you mean `swsh`?"), "{message}");
        assert!(unknown_spec("swsh").is_none());
        let message = unknown_spec("specs/nope.yaml").unwrap();
        assert!(message.contains("no such file"), "{message}");
    }

    #[test]
    fn misspelt_assumptions_and_events_get_suggestions() {
        let spec = ProviderSpec::load("betterez").unwrap();
        let errors = unknown_assumptions(
            &spec,
            &["digest-encodng=base64".into(), "digest-encoding=hex".into()],
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("did you mean `digest-encoding`?"),
            "{errors:?}"
        );
        let message = unknown_event(&spec, "images.create").unwrap();
        assert!(message.contains("did you mean"), "{message}");
        assert!(message.contains("`images.created`"), "{message}");
        assert!(unknown_event(&spec, "images.created").is_none());
    }
}
