//! The string formats our specs use, generated valid or broken; the `format` keyword
//! draws and breaks strings with them.

use super::rng::Draw;

/// A supported `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4122 UUID.
    Uuid,
    /// RFC 3339 date-time.
    DateTime,
    /// RFC 3339 full-date.
    Date,
    /// RFC 3986 URI.
    Uri,
    /// RFC 5321 mailbox.
    Email,
}

impl Format {
    /// The format named `name`, if supported.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "uuid" => Self::Uuid,
            "date-time" => Self::DateTime,
            "date" => Self::Date,
            "uri" => Self::Uri,
            "email" => Self::Email,
            _ => return None,
        })
    }

    /// The keyword value.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Uuid => "uuid",
            Self::DateTime => "date-time",
            Self::Date => "date",
            Self::Uri => "uri",
            Self::Email => "email",
        }
    }

    /// A valid value; `edge` favours unusual but valid forms.
    pub fn generate<R: Draw + ?Sized>(self, rng: &mut R, edge: bool) -> String {
        match self {
            Self::Uuid => uuid(rng),
            Self::Date => date(rng),
            Self::DateTime => {
                let mut out = date(rng);
                out.reserve(20);
                out.push('T');
                digits(&mut out, rng.below(24), 2);
                out.push(':');
                digits(&mut out, rng.below(60), 2);
                out.push(':');
                digits(&mut out, rng.below(60), 2);
                if edge {
                    match rng.below(3) {
                        0 => {}
                        1 => {
                            out.push('.');
                            digits(&mut out, rng.below(1_000_000), 6);
                        }
                        _ => {
                            out.push('.');
                            digits(&mut out, rng.below(1000), 3);
                        }
                    }
                    if rng.chance(1, 2) {
                        out.push('+');
                        digits(&mut out, rng.below(14), 2);
                        out.push(':');
                        digits(&mut out, [0, 30, 45][rng.below(3)], 2);
                    } else {
                        out.push('Z');
                    }
                } else {
                    out.push('.');
                    digits(&mut out, rng.below(1000), 3);
                    out.push('Z');
                }
                out
            }
            Self::Uri => {
                let mut out = String::with_capacity(64);
                out.push_str("https://");
                push_word(&mut out, rng, 3, 10);
                out.push_str(".example.com");
                if edge && rng.chance(1, 2) {
                    out.push_str(&format!(":{}", 1024 + rng.below(60000)));
                }
                for _ in 0..rng.between(0, 3) {
                    out.push('/');
                    push_word(&mut out, rng, 1, 12);
                }
                if edge {
                    // Percent-encoded text and a query: valid, and the kind of thing that breaks naive parsers.
                    out.push_str("/caf%C3%A9?q=a%2Fb&x=1");
                }
                out
            }
            Self::Email => format!("{}@{}.example.com", word(rng, 1, 12), word(rng, 3, 10)),
        }
    }

    /// A string that is not a valid value of this format.
    pub fn broken<R: Draw + ?Sized>(self, rng: &mut R) -> String {
        let choices: &[&str] = match self {
            Self::Uuid => &[
                "not-a-uuid",
                "2feda6cf-8c85-4f3e-b369",
                "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
            ],
            Self::DateTime => &[
                "2023-11-26T05: 17: 07.185Z",
                "yesterday",
                "2024-13-45T25:61:00Z",
            ],
            Self::Date => &["2024-13-45", "15/03/2024", "today"],
            Self::Uri => &[
                "http: //localhost:8080/webhook",
                "not a uri",
                "://missing-scheme",
            ],
            Self::Email => &["no-at-sign", "a@@b", "@example.com"],
        };
        (*rng.pick(choices)).to_string()
    }
}

/// Appends `value` as `width` decimal digits, zero-padded.
fn digits(out: &mut String, value: usize, width: usize) {
    let mut buf = [b'0'; 20];
    let mut n = value;
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&buf[..width]).unwrap_or_default());
}

/// A random version 4 UUID, lowercase.
fn uuid<R: Draw + ?Sized>(rng: &mut R) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bits = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
    // Version 4, variant 10xx.
    let bits = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let mut out = String::with_capacity(36);
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(HEX[((bits >> (124 - 4 * i)) & 0xf) as usize] as char);
    }
    out
}

fn date<R: Draw + ?Sized>(rng: &mut R) -> String {
    let mut out = String::with_capacity(30);
    digits(&mut out, 2000 + rng.below(30), 4);
    out.push('-');
    digits(&mut out, 1 + rng.below(12), 2);
    out.push('-');
    digits(&mut out, 1 + rng.below(28), 2);
    out
}

fn word<R: Draw + ?Sized>(rng: &mut R, min: usize, max: usize) -> String {
    let mut out = String::with_capacity(max);
    push_word(&mut out, rng, min, max);
    out
}

/// Appends a lowercase word (a letter, then letters and digits).
fn push_word<R: Draw + ?Sized>(out: &mut String, rng: &mut R, min: usize, max: usize) {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let len = rng.between(min, max);
    for i in 0..len {
        out.push(LETTERS[rng.below(if i == 0 { 26 } else { LETTERS.len() })] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_have_the_format() {
        let mut rng = crate::generate::rng::seeded(3);
        for _ in 0..500 {
            let id = Format::Uuid.generate(&mut rng, false);
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "4", "{id}");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
            let stamp = Format::DateTime.generate(&mut rng, false);
            assert_eq!(stamp.len(), 24, "{stamp}");
            assert!(stamp.ends_with('Z'));
        }
    }
}
