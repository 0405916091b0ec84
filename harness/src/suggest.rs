//! "Did you mean": the known names closest to a misspelt one, by edit distance.

/// The candidates closest to `input` (at most three, all at the smallest distance found), among
/// those within an edit distance of a third of the longer name (at least 1, at most 4 edits);
/// case does not count.
#[must_use]
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let lowered = input.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|candidate| *candidate != input)
        .filter_map(|candidate| {
            let distance = strsim::damerau_levenshtein(&lowered, &candidate.to_lowercase());
            let limit = (input.chars().count().max(candidate.chars().count()) / 3).clamp(1, 4);
            (distance <= limit).then_some((distance, candidate))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    // Only the closest: one edit away beats two.
    let best = scored.first().map_or(0, |(distance, _)| *distance);
    scored
        .into_iter()
        .take_while(|(distance, _)| *distance == best)
        .take(3)
        .map(|(_, name)| name)
        .collect()
}

/// `input` is unknown among `candidates`: a hint line naming the closest ones (`did you mean
/// `x`?`) or, when none is close, all of them (`known: a, b, c`), under `what` (`built-in
/// specs`).
#[must_use]
pub fn hint<'a>(input: &str, what: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let close = closest(input, candidates.iter().copied());
    let known = if candidates.len() > 12 {
        format!("{} {what}", candidates.len())
    } else {
        format!("{what}: {}", candidates.join(", "))
    };
    match close.as_slice() {
        [] => known,
        [one] => format!("did you mean `{one}`? ({known})"),
        several => format!(
            "did you mean one of {}? ({known})",
            several
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_the_name() {
        let specs = [
            "betterez",
            "happycolis",
            "standard-webhooks",
            "swsh",
            "uc-alxgsv",
        ];
        assert_eq!(closest("swhs", specs), ["swsh"]);
        assert_eq!(closest("betterz", specs), ["betterez"]);
        assert_eq!(closest("HappyColis", specs), ["happycolis"]);
        assert!(closest("stripe", specs).is_empty());
    }

    #[test]
    fn the_hint_names_the_closest_or_lists_all() {
        let checks = ["bad-signature", "replay", "edge"];
        assert_eq!(
            hint("bad-signatur", "checks", checks),
            "did you mean `bad-signature`? (checks: bad-signature, replay, edge)"
        );
        assert_eq!(
            hint("zzz", "checks", checks),
            "checks: bad-signature, replay, edge"
        );
    }
}
