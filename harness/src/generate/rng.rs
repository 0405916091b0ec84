//! Small drawing helpers over any `Rng` (proptest's `TestRng` included). A generator of any
//! type passes on as `&mut dyn Rng` through `&mut &mut R` (a mutable reference to a generator
//! is a generator), so the keywords' draw hooks, plain functions, draw from the caller's
//! sequence.

use proptest::prelude::Rng;

/// Draws used by the generator.
pub trait Draw: Rng {
    /// A uniform index in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        (self.next_u64() % n as u64) as usize
    }

    /// A uniform integer in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A uniform `i64` in `lo..=hi`.
    fn between_i64(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (u128::from(self.next_u64()) % span) as i128) as i64
    }

    /// True with probability `num / den`.
    fn chance(&mut self, num: u32, den: u32) -> bool {
        (self.next_u32() % den) < num
    }

    /// A uniform float in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One element of a non-empty slice.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

impl<R: Rng + ?Sized> Draw for R {}

/// The deterministic generator for a `u64` seed: the same seed gives the same sequence.
#[must_use]
pub fn seeded(seed: u64) -> proptest::test_runner::TestRng {
    // Spread the 64 bits over the 32 bytes ChaCha wants (splitmix64).
    let mut state = seed;
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    proptest::test_runner::TestRng::from_seed(
        proptest::test_runner::RngAlgorithm::XorShift,
        &bytes[..16],
    )
}

/// A proptest runner whose whole sequence is fixed by `seed`.
#[must_use]
pub fn runner(seed: u64, cases: u32) -> proptest::test_runner::TestRunner {
    let config = proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    proptest::test_runner::TestRunner::new_with_rng(config, seeded(seed))
}
