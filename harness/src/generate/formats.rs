//! The string formats of JSON Schema 2020-12 and draft-07 (and `uuid`), generated valid or
//! broken; the `format` keyword draws and breaks strings with them. A format outside this
//! catalogue is an annotation: strings are drawn as if it were absent.

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
    /// RFC 3339 full-time.
    Time,
    /// ISO 8601 duration.
    Duration,
    /// RFC 3986 URI.
    Uri,
    /// RFC 3986 URI reference.
    UriReference,
    /// RFC 6570 URI template.
    UriTemplate,
    /// RFC 3987 IRI.
    Iri,
    /// RFC 3987 IRI reference.
    IriReference,
    /// RFC 5321 mailbox.
    Email,
    /// RFC 6531 mailbox.
    IdnEmail,
    /// RFC 1123 host name.
    Hostname,
    /// RFC 5890 internationalised host name.
    IdnHostname,
    /// Dotted-quad IPv4 address.
    Ipv4,
    /// RFC 4291 IPv6 address.
    Ipv6,
    /// RFC 6901 JSON Pointer.
    JsonPointer,
    /// Relative JSON Pointer.
    RelativeJsonPointer,
    /// ECMA-262 regular expression.
    Regex,
}

/// Every format of the catalogue, with its keyword value.
const NAMES: &[(Format, &str)] = &[
    (Format::Uuid, "uuid"),
    (Format::DateTime, "date-time"),
    (Format::Date, "date"),
    (Format::Time, "time"),
    (Format::Duration, "duration"),
    (Format::Uri, "uri"),
    (Format::UriReference, "uri-reference"),
    (Format::UriTemplate, "uri-template"),
    (Format::Iri, "iri"),
    (Format::IriReference, "iri-reference"),
    (Format::Email, "email"),
    (Format::IdnEmail, "idn-email"),
    (Format::Hostname, "hostname"),
    (Format::IdnHostname, "idn-hostname"),
    (Format::Ipv4, "ipv4"),
    (Format::Ipv6, "ipv6"),
    (Format::JsonPointer, "json-pointer"),
    (Format::RelativeJsonPointer, "relative-json-pointer"),
    (Format::Regex, "regex"),
];

impl Format {
    /// Every format of the catalogue.
    #[cfg(test)]
    pub fn all() -> impl Iterator<Item = Self> {
        NAMES.iter().map(|(f, _)| *f)
    }

    /// The format named `name`, if it is in the catalogue.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }

    /// The keyword value.
    #[must_use]
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, n)| n)
    }

    /// A valid value; `edge` favours unusual but valid forms.
    pub fn generate<R: Draw + ?Sized>(self, rng: &mut R, edge: bool) -> String {
        match self {
            Self::Uuid => uuid(rng),
            Self::Date => date(rng),
            Self::DateTime => date_time(rng, edge),
            Self::Uri => uri(rng, edge),
            Self::Email => format!("{}@{}.example.com", word(rng, 1, 12), word(rng, 3, 10)),
            Self::Time => time(rng, edge),
            Self::Duration => {
                let picks = ["P1D", "PT1H", "P3DT4H5M", "PT30S", "P2W", "P1Y2M"];
                if edge {
                    (*rng.pick(&picks)).to_string()
                } else {
                    format!("P{}DT{}H", 1 + rng.below(30), rng.below(24))
                }
            }
            Self::UriReference => {
                let mut out = String::from("/");
                push_word(&mut out, rng, 1, 10);
                if edge {
                    out.push_str("?q=a%20b#frag");
                }
                out
            }
            Self::UriTemplate => {
                let mut out = String::from("https://");
                push_word(&mut out, rng, 3, 10);
                out.push_str(".example.com/");
                push_word(&mut out, rng, 1, 8);
                out.push_str("/{id}");
                if edge {
                    out.push_str("{?query,page*}");
                }
                out
            }
            Self::Iri => {
                let mut out = String::from("https://");
                push_word(&mut out, rng, 3, 10);
                out.push_str(if edge {
                    ".example.com/caf\u{e9}/\u{65e5}\u{672c}"
                } else {
                    ".example.com/"
                });
                push_word(&mut out, rng, 1, 8);
                out
            }
            Self::IriReference => {
                let mut out = String::from("/");
                push_word(&mut out, rng, 1, 10);
                if edge {
                    out.push_str("/\u{e9}t\u{e9}?q=\u{65e5}#x");
                }
                out
            }
            Self::IdnEmail => format!(
                "{}{}@{}.example.com",
                word(rng, 1, 10),
                if edge { "\u{e9}" } else { "" },
                word(rng, 3, 10)
            ),
            Self::Hostname => format!("{}.example.com", word(rng, 1, 12)),
            Self::IdnHostname => format!(
                "{}{}.example.com",
                word(rng, 1, 10),
                if edge { "\u{fc}" } else { "" }
            ),
            Self::Ipv4 => format!(
                "{}.{}.{}.{}",
                1 + rng.below(254),
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            ),
            Self::Ipv6 => {
                if edge && rng.chance(1, 2) {
                    format!("::ffff:{:x}", rng.below(0x10000))
                } else {
                    (0..8)
                        .map(|_| format!("{:x}", rng.below(0x10000)))
                        .collect::<Vec<_>>()
                        .join(":")
                }
            }
            Self::JsonPointer => json_pointer(rng, edge),
            Self::RelativeJsonPointer => relative_json_pointer(rng, edge),
            Self::Regex => (*rng.pick(&["^[a-z]+$", "\\d{3}-\\d{4}", "(a|b)*c", ".*"])).to_string(),
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
            Self::Email | Self::IdnEmail => &["no-at-sign", "a@@b", "@example.com"],
            Self::Time => &["25:00:00Z", "12:60", "noon"],
            Self::Duration => &["P", "1D", "PT", "P1H"],
            Self::UriReference | Self::IriReference => &["\\\\WINDOWS\\share", "a b c#x y"],
            Self::UriTemplate => &["https://example.com/{unclosed", "https://example.com/}{"],
            Self::Iri => &["not an iri", "/relative/only", "http://[bad"],
            Self::Hostname | Self::IdnHostname => {
                &["-leading-hyphen.example", "a..b", "under_score!.com"]
            }
            Self::Ipv4 => &["256.1.1.1", "1.2.3", "a.b.c.d"],
            Self::Ipv6 => &["1:2:3", "12345::1", "::1::2"],
            Self::JsonPointer => &["no-leading-slash", "/bad~2escape"],
            Self::RelativeJsonPointer => &["/absolute", "-1/a", "01/a"],
            Self::Regex => &["(unclosed", "[z-a]", "*"],
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

fn date_time<R: Draw + ?Sized>(rng: &mut R, edge: bool) -> String {
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

fn uri<R: Draw + ?Sized>(rng: &mut R, edge: bool) -> String {
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

fn time<R: Draw + ?Sized>(rng: &mut R, edge: bool) -> String {
    let mut out = String::with_capacity(16);
    digits(&mut out, rng.below(24), 2);
    out.push(':');
    digits(&mut out, rng.below(60), 2);
    out.push(':');
    digits(&mut out, rng.below(60), 2);
    out.push_str(if edge && rng.chance(1, 2) {
        "+05:30"
    } else {
        "Z"
    });
    out
}

fn json_pointer<R: Draw + ?Sized>(rng: &mut R, edge: bool) -> String {
    let mut out = String::new();
    for _ in 0..rng.between(usize::from(!edge), 3) {
        out.push('/');
        push_word(&mut out, rng, 1, 8);
    }
    if edge {
        out.push_str("/a~1b~0c/0");
    }
    out
}

fn relative_json_pointer<R: Draw + ?Sized>(rng: &mut R, edge: bool) -> String {
    let mut out = rng.below(4).to_string();
    if edge && rng.chance(1, 2) {
        out.push('#');
    } else {
        out.push('/');
        push_word(&mut out, rng, 1, 8);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_draws_valid_values_and_breaks_them() {
        let mut rng = crate::generate::rng::seeded(7);
        let mut wrong = Vec::new();
        for format in Format::all() {
            let schema = serde_json::json!({"type": "string", "format": format.name()});
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&schema)
                .unwrap();
            assert_eq!(Format::from_name(format.name()), Some(format));
            for i in 0..300 {
                let text = format.generate(&mut rng, i % 2 == 0);
                if !validator.is_valid(&text.clone().into()) {
                    wrong.push(format!("{}: {text:?} is refused", format.name()));
                }
                let broken = format.broken(&mut rng);
                // The validator (without its optional features) does not check the IDN formats:
                // their broken values cannot be confirmed, and invalid mode skips them.
                if !matches!(format, Format::IdnEmail | Format::IdnHostname)
                    && validator.is_valid(&broken.clone().into())
                {
                    wrong.push(format!("{}: {broken:?} is accepted", format.name()));
                }
            }
        }
        wrong.dedup();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

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
