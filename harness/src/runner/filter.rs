//! A libtest name filter that matches no trial is a mistake, not an empty success: it is
//! reported with the trial names, checks, providers or subjects closest to what was typed.

use libtest_mimic::{Arguments, Trial};

use crate::suggest;

/// Why the name filter of `args` selects none of `trials`, if it does not (`--skip` and
/// `--ignored` aside: excluding every trial on purpose is allowed). `None` without a filter, or
/// when one trial matches.
#[must_use]
pub fn unmatched_filter(args: &Arguments, trials: &[Trial]) -> Option<String> {
    let filter = args.filter.as_deref()?;
    let positive = Arguments {
        skip: Vec::new(),
        ignored: false,
        ..args.clone()
    };
    if trials.is_empty() || trials.iter().any(|t| !positive.is_filtered_out(t)) {
        return None;
    }
    // Every name a filter could be aiming at: whole trial names and their `::` parts.
    let mut names: Vec<String> = Vec::new();
    for trial in trials {
        let parts: Vec<&str> = trial.name().split("::").collect();
        for start in 0..parts.len() {
            for end in start + 1..=parts.len() {
                names.push(parts[start..end].join("::"));
            }
        }
    }
    names.sort();
    names.dedup();
    let checks: Vec<&str> = {
        let mut checks: Vec<&str> = trials
            .iter()
            .filter_map(|t| t.name().split("::").nth(1))
            .collect();
        checks.sort_unstable();
        checks.dedup();
        checks
    };
    let close = suggest::closest(filter, names.iter().map(String::as_str));
    let hint = match close.as_slice() {
        [] => suggest::hint(filter, "checks", checks),
        [one] => format!("did you mean `{one}`?"),
        several => format!(
            "did you mean one of {}?",
            several
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(format!(
        "the filter `{filter}`{} matches none of the {} trials\n  hint: {hint} (`-- --list` lists every trial)",
        if args.exact { " (--exact)" } else { "" },
        trials.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trials() -> Vec<Trial> {
        ["swsh::bad-signature::newPhoto", "swsh::edge::newAlbum"]
            .into_iter()
            .map(|name| Trial::test(name, || Ok(())))
            .collect()
    }

    fn args(filter: &str, exact: bool) -> Arguments {
        Arguments {
            filter: Some(filter.into()),
            exact,
            ..Arguments::default()
        }
    }

    #[test]
    fn a_filter_that_matches_is_fine() {
        assert!(unmatched_filter(&args("edge", false), &trials()).is_none());
        assert!(unmatched_filter(&args("swsh::edge::newAlbum", true), &trials()).is_none());
        assert!(unmatched_filter(&Arguments::default(), &trials()).is_none());
    }

    #[test]
    fn a_misspelt_filter_gets_the_closest_names() {
        let message = unmatched_filter(&args("bad-signatre", false), &trials()).unwrap();
        assert!(
            message.contains("did you mean `bad-signature`?"),
            "{message}"
        );
        let message = unmatched_filter(&args("swsh::edge::newAlbm", true), &trials()).unwrap();
        assert!(
            message.contains("`swsh::edge::newAlbum`") && message.contains("(--exact)"),
            "{message}"
        );
        let message = unmatched_filter(&args("zzzzzzzz", false), &trials()).unwrap();
        assert!(message.contains("checks: bad-signature, edge"), "{message}");
    }
}
