//! The check catalogue: each check is a named rule with its reason and the provider
//! documentation it comes from, one file per check. The runner turns each into trials named
//! `provider::check::subject`.

pub mod provider;
pub mod receiver;

/// What a check is and why it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// The check's name in trial names (`bad-signature`).
    pub id: &'static str,
    /// Why a receiver must pass it.
    pub reason: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
}

/// The start of `text`, at most `limit` bytes (cut at a character boundary), saying how much
/// was left out.
pub(crate) fn excerpt(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}
