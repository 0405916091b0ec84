//! Regular expressions (`pattern`) compiled from their parsed form into a small drawing
//! program; the `pattern` keyword draws and checks strings with them.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::rng::Draw;

/// A compiled `pattern`.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written.
    pub source: String,
    regex: regex::Regex,
    program: Vec<Op>,
}

/// The pattern compiled for drawing: literal runs, character tables, repetitions, choices.
#[derive(Debug, Clone)]
enum Op {
    Literal(String),
    /// A small class, expanded: one draw picks a character.
    Table(Vec<char>),
    /// A large class: ranges with their cumulative sizes.
    Ranges(Vec<(char, u64)>),
    Repeat {
        min: usize,
        max: Option<usize>,
        body: Vec<Op>,
    },
    Choice(Vec<Vec<Op>>),
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
        let mut program = Vec::new();
        compile(&hir, &mut program);
        Ok(Self {
            source: source.to_string(),
            regex,
            program,
        })
    }

    /// Whether `text` matches (anywhere, as JSON Schema's `pattern` means).
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// A string matching the pattern; `extra` bounds how far unbounded repetitions go.
    pub fn generate<R: Draw + ?Sized>(&self, rng: &mut R, extra: usize) -> String {
        let mut out = String::with_capacity(32);
        run(&self.program, rng, extra, &mut out);
        out
    }
}

fn compile(hir: &Hir, out: &mut Vec<Op>) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => {
            let text = String::from_utf8_lossy(&literal.0);
            match out.last_mut() {
                Some(Op::Literal(run)) => run.push_str(&text),
                _ => out.push(Op::Literal(text.into_owned())),
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect();
            out.push(class_op(&ranges));
        }
        HirKind::Class(Class::Bytes(class)) => {
            // Byte classes in a Unicode pattern: keep their ASCII part.
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .filter(|r| r.start() < 0x80)
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
                .collect();
            out.push(class_op(&ranges));
        }
        HirKind::Repetition(rep) => {
            let mut body = Vec::new();
            compile(&rep.sub, &mut body);
            out.push(Op::Repeat {
                min: rep.min as usize,
                max: rep.max.map(|m| m as usize),
                body,
            });
        }
        HirKind::Capture(capture) => compile(&capture.sub, out),
        HirKind::Concat(parts) => {
            for part in parts {
                compile(part, out);
            }
        }
        HirKind::Alternation(branches) => {
            out.push(Op::Choice(
                branches
                    .iter()
                    .map(|b| {
                        let mut ops = Vec::new();
                        compile(b, &mut ops);
                        ops
                    })
                    .collect(),
            ));
        }
    }
}

fn class_op(ranges: &[(char, char)]) -> Op {
    let size = |(a, b): &(char, char)| u64::from(*b as u32 - *a as u32) + 1;
    let total: u64 = ranges.iter().map(size).sum();
    if total <= 512 {
        return Op::Table(ranges.iter().flat_map(|(a, b)| *a..=*b).collect());
    }
    let mut cumulative = 0;
    Op::Ranges(
        ranges
            .iter()
            .map(|r| {
                cumulative += size(r);
                (r.0, cumulative)
            })
            .collect(),
    )
}

fn run<R: Draw + ?Sized>(program: &[Op], rng: &mut R, extra: usize, out: &mut String) {
    for op in program {
        match op {
            Op::Literal(text) => out.push_str(text),
            Op::Table(chars) => {
                if !chars.is_empty() {
                    out.push(*rng.pick(chars));
                }
            }
            Op::Ranges(ranges) => {
                let Some(&(_, total)) = ranges.last() else {
                    continue;
                };
                let n = rng.next_u64() % total;
                let mut start_of_range = 0;
                for &(first, end) in ranges {
                    if n < end {
                        let code = first as u32 + (n - start_of_range) as u32;
                        out.push(char::from_u32(code).unwrap_or(first));
                        break;
                    }
                    start_of_range = end;
                }
            }
            Op::Repeat { min, max, body } => {
                let hi = max.unwrap_or(min + extra).max(*min);
                for _ in 0..rng.between(*min, hi) {
                    run(body, rng, extra, out);
                }
            }
            Op::Choice(branches) => {
                if !branches.is_empty() {
                    let branch: &Vec<Op> = rng.pick(branches);
                    run(branch, rng, extra, out);
                }
            }
        }
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
