//! Coverage-guided edge values: a set of edge values that, together, take every option the
//! schema offers at least once.
//!
//! A *site* is one decision of a draw at one node of the arena: which `oneOf`/`anyOf` branch,
//! which `enum` value, whether an optional member is present, whether a nullable value is
//! `null`, which boolean, and which length or number among the boundaries (the declared
//! `minLength`/`maxLength`, `minItems`/`maxItems`, `minimum`/`maximum`; for strings and arrays
//! without an upper bound, the long ones: [`LONG_LENGTHS`] characters, [`LONG_ITEMS`] items).
//! While a [`Cover`] steers a draw, each site takes the option it has taken least (one it has
//! not yet covered first); a drawn value that validates and covers something new is kept, and
//! its options count as covered. Drawing stops when every option of every site reached is
//! covered, or after a bounded number of draws that add nothing (an option no valid value can
//! take: a `oneOf` branch every value of which matches another branch too).
//!
//! At most one *heavy* option (a 65,536-character string, a 1,000-item array) is taken per
//! value, and the items of a heavy array are drawn unsteered, so that no value is larger than
//! one long string or one long array of ordinary items.

use std::collections::BTreeMap;

/// The lengths an unbounded string also takes (beside its `minLength`): either side of a
/// one-byte length prefix (255, 256), a kilobyte, and 64 Ki characters.
pub const LONG_LENGTHS: [usize; 4] = [255, 256, 1024, 65_536];

/// The length an array without `maxItems` also takes.
pub const LONG_ITEMS: usize = 1000;

/// What a site decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Decision {
    /// A `oneOf` or `anyOf` branch.
    Branch,
    /// A `const`/`enum` value.
    Value,
    /// Whether the optional member at this index of `properties` is present.
    Optional,
    /// `null` or a value of another type, where both are allowed.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A string's length.
    StringLength,
    /// An array's length.
    ArrayLength,
    /// A number among the boundaries.
    Number,
}

/// One decision at one node: (node, decision, slot).
type Site = (usize, Decision, usize);

#[derive(Debug)]
struct Options {
    covered: Vec<bool>,
    tries: Vec<u32>,
    heavy: Option<usize>,
}

/// The coverage of one run: which options of which sites accepted values have taken.
#[derive(Debug, Default)]
pub struct Cover {
    sites: BTreeMap<Site, Options>,
    /// The choices of the draw under way.
    log: Vec<(Site, usize)>,
    heavy_taken: bool,
    /// Inside a heavy value: choices are left to chance.
    unsteered: usize,
}

/// How much of the schema's options a set of values covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Decisions seen (sites).
    pub sites: usize,
    /// Options of those sites.
    pub options: usize,
    /// Options some kept value took.
    pub covered: usize,
}

impl Cover {
    /// Picks an option of `site` among `count` (`heavy` names the one that makes the value
    /// large, if any); `None` to leave it to chance (inside a heavy value, or when every option
    /// is covered).
    pub fn choose(&mut self, site: Site, count: usize, heavy: Option<usize>) -> Option<usize> {
        if self.unsteered > 0 || count == 0 {
            return None;
        }
        let options = self.sites.entry(site).or_insert_with(|| Options {
            covered: vec![false; count],
            tries: vec![0; count],
            heavy,
        });
        if options.covered.len() != count {
            // The same node offers another number of options (a bound that depends on the
            // draw): not steered.
            return None;
        }
        let heavy_blocked = self.heavy_taken;
        let pick = (0..count)
            .filter(|&i| !options.covered[i])
            .filter(|&i| !(heavy_blocked && options.heavy == Some(i)))
            .min_by_key(|&i| options.tries[i])?;
        options.tries[pick] += 1;
        if options.heavy == Some(pick) {
            self.heavy_taken = true;
        }
        self.log.push((site, pick));
        Some(pick)
    }

    /// Draws made from here on are not steered (the items of a heavy array), until
    /// [`Self::steer`].
    pub fn unsteer(&mut self) {
        self.unsteered += 1;
    }

    /// Ends one [`Self::unsteer`].
    pub fn steer(&mut self) {
        self.unsteered = self.unsteered.saturating_sub(1);
    }

    /// Starts a draw.
    pub fn begin(&mut self) {
        self.log.clear();
        self.heavy_taken = false;
        self.unsteered = 0;
    }

    /// Ends a draw whose value was `accepted` (valid): its choices count as covered. Whether it
    /// covered anything new.
    pub fn end(&mut self, accepted: bool) -> bool {
        let mut new = false;
        for (site, pick) in self.log.drain(..) {
            if let Some(options) = self.sites.get_mut(&site)
                && accepted
                && !options.covered[pick]
            {
                options.covered[pick] = true;
                new = true;
            }
        }
        new
    }

    /// Whether every option of every site seen is covered.
    #[must_use]
    pub fn complete(&self) -> bool {
        self.sites.values().all(|o| o.covered.iter().all(|c| *c))
    }

    /// The counts so far.
    #[must_use]
    pub fn tally(&self) -> Tally {
        Tally {
            sites: self.sites.len(),
            options: self.sites.values().map(|o| o.covered.len()).sum(),
            covered: self
                .sites
                .values()
                .map(|o| o.covered.iter().filter(|c| **c).count())
                .sum(),
        }
    }
}

/// The lengths a string of `min..=max` characters takes: its bounds, or, without an upper
/// bound, its lower one and the long lengths past it; the index of the heavy one, if any.
#[must_use]
pub fn string_lengths(min: usize, max: Option<usize>) -> (Vec<usize>, Option<usize>) {
    let mut lengths = vec![min];
    match max {
        Some(max) => lengths.push(max),
        None => lengths.extend(LONG_LENGTHS.iter().copied().filter(|&n| n > min)),
    }
    lengths.sort_unstable();
    lengths.dedup();
    let heavy = lengths.iter().position(|&n| n >= 65_536);
    (lengths, heavy)
}

/// The lengths an array of `min..=max` items takes: its bounds (an upper bound past
/// [`LONG_ITEMS`] stands at it, as does a missing one), and one item where the lower bound is
/// none (the items of a long array are not steered: this is where an item's own options are
/// covered); the index of the heavy one.
#[must_use]
pub fn array_lengths(min: usize, max: usize) -> (Vec<usize>, Option<usize>) {
    let mut lengths = vec![min, 1, max.min(LONG_ITEMS.max(min))];
    lengths.retain(|&n| n >= min && n <= max);
    lengths.sort_unstable();
    lengths.dedup();
    let heavy = lengths.iter().position(|&n| n >= LONG_ITEMS);
    (lengths, heavy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_hold_the_bounds_and_the_long_values() {
        assert_eq!(
            string_lengths(0, None),
            (vec![0, 255, 256, 1024, 65_536], Some(4))
        );
        assert_eq!(string_lengths(1, Some(64)), (vec![1, 64], None));
        assert_eq!(string_lengths(3, Some(300)), (vec![3, 300], None));
        assert_eq!(
            string_lengths(300, None),
            (vec![300, 1024, 65_536], Some(2))
        );
        assert_eq!(array_lengths(0, usize::MAX), (vec![0, 1, 1000], Some(2)));
        assert_eq!(array_lengths(1, 20), (vec![1, 20], None));
        assert_eq!(array_lengths(0, 0), (vec![0], None));
        assert_eq!(array_lengths(2, 3), (vec![2, 3], None));
    }

    #[test]
    fn options_are_taken_least_tried_first_and_one_heavy_per_draw() {
        let mut cover = Cover::default();
        let (a, b) = (
            (0, Decision::StringLength, 0),
            (1, Decision::StringLength, 0),
        );
        cover.begin();
        assert_eq!(cover.choose(a, 2, Some(1)), Some(0));
        cover.end(true);
        cover.begin();
        assert_eq!(cover.choose(a, 2, Some(1)), Some(1));
        // The heavy option of `b` waits for a draw without one.
        assert_eq!(cover.choose(b, 2, Some(0)), Some(1));
        cover.end(true);
        cover.begin();
        assert_eq!(cover.choose(a, 2, Some(1)), None);
        assert_eq!(cover.choose(b, 2, Some(0)), Some(0));
        assert!(cover.end(true));
        assert!(cover.complete());
        assert_eq!(
            cover.tally(),
            Tally {
                sites: 2,
                options: 4,
                covered: 4
            }
        );
    }
}
