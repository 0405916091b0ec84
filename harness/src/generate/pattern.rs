//! `pattern`: strings generated from a regular expression, by walking its parsed form.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::rng::Draw;

/// A compiled `pattern`.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written.
    pub source: String,
    regex: regex::Regex,
    hir: Hir,
}

impl Pattern {
    /// Compiles a pattern; the error says why it cannot be used.
    pub fn new(source: &str) -> Result<Self, String> {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(source)
            .map_err(|e| format!("the pattern `{source}` cannot be parsed: {e}"))?;
        let regex = regex::Regex::new(source)
            .map_err(|e| format!("the pattern `{source}` cannot be compiled: {e}"))?;
        Ok(Self {
            source: source.to_string(),
            regex,
            hir,
        })
    }

    /// Whether `text` matches (anywhere, as JSON Schema's `pattern` means).
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// A string matching the pattern; `extra` bounds how far unbounded repetitions go.
    pub fn generate<R: Draw + ?Sized>(&self, rng: &mut R, extra: usize) -> String {
        let mut out = String::new();
        walk(&self.hir, rng, extra, &mut out);
        out
    }
}

fn walk<R: Draw + ?Sized>(hir: &Hir, rng: &mut R, extra: usize, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges = class.ranges();
            if ranges.is_empty() {
                return;
            }
            let total: u64 = ranges
                .iter()
                .map(|r| u64::from(r.end() as u32 - r.start() as u32) + 1)
                .sum();
            let mut n = rng.next_u64() % total;
            for range in ranges {
                let size = u64::from(range.end() as u32 - range.start() as u32) + 1;
                if n < size {
                    let code = range.start() as u32 + n as u32;
                    out.push(char::from_u32(code).unwrap_or(range.start()));
                    return;
                }
                n -= size;
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges = class.ranges();
            if let Some(range) = ranges.get(rng.below(ranges.len().max(1))) {
                let byte =
                    range.start() + (rng.below(usize::from(range.end() - range.start()) + 1) as u8);
                out.push(char::from(byte.min(0x7f)));
            }
        }
        HirKind::Repetition(rep) => {
            let max = rep.max.map_or(rep.min as usize + extra, |m| m as usize);
            let count = rng.between(rep.min as usize, max.max(rep.min as usize));
            for _ in 0..count {
                walk(&rep.sub, rng, extra, out);
            }
        }
        HirKind::Capture(capture) => walk(&capture.sub, rng, extra, out),
        HirKind::Concat(parts) => {
            for part in parts {
                walk(part, rng, extra, out);
            }
        }
        HirKind::Alternation(branches) => walk(rng.pick(branches), rng, extra, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::{RngAlgorithm, TestRng};

    #[test]
    fn generated_strings_match() {
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
        for source in [
            "^[0-9a-f]{24}$",
            "^wh-[A-Za-z0-9]{22}$",
            "^https://",
            "^(a|bc)+x?$",
            "é+[😀-😃]",
        ] {
            let pattern = Pattern::new(source).unwrap();
            for _ in 0..200 {
                let text = pattern.generate(&mut rng, 8);
                assert!(pattern.matches(&text), "{source} does not match {text:?}");
            }
        }
    }
}
