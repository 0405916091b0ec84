//! Where an expectation comes from: the provider's documentation (the sources of the node it
//! rests on) or an assumption (an `x-assumptions` entry whose pointer holds that node, or one of
//! the harness's own, [`HARNESS_ASSUMPTIONS`]). A check fails a target only on a documented
//! expectation; an assumed one that the target does not meet is a warning (a failure under
//! `--strict`).

use serde_json::Value;

use super::extensions::Pointers;
use super::model::Endpoint;
use super::{Assumption, ProviderSpec};

/// What an expectation rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The provider's documentation: the sources, as `[TAG] title <url>`.
    Documented(Vec<String>),
    /// An assumption: its id, why it was made, and how to replace it.
    Assumed {
        /// The assumption's id (`unauthorized-401`, or one of [`HARNESS_ASSUMPTIONS`]).
        id: String,
        /// Why it was assumed.
        reason: String,
        /// The `--assume ID=VALUE` that changes it (none for the harness's own).
        change: Option<String>,
    },
}

impl Basis {
    /// Whether the expectation is documented.
    #[must_use]
    pub fn is_documented(&self) -> bool {
        matches!(self, Self::Documented(_))
    }

    /// The line a report prints under the expectation.
    #[must_use]
    pub fn line(&self) -> String {
        match self {
            Self::Documented(sources) if sources.is_empty() => {
                "expectation: documented (the spec's documented node)".to_string()
            }
            Self::Documented(sources) => format!("expectation: documented: {}", sources.join("; ")),
            Self::Assumed { id, reason, change } => {
                let change = change.as_deref().map_or_else(
                    || "it is the harness's own rule".to_string(),
                    |c| format!("change it with {c}"),
                );
                format!(
                    "expectation: assumed ({id}): {}; {change}; without --strict it is a warning, not a failure",
                    reason.trim_end_matches('.')
                )
            }
        }
    }

    /// The assumption's id, if this is one.
    #[must_use]
    pub fn assumption(&self) -> Option<&str> {
        match self {
            Self::Assumed { id, .. } => Some(id),
            Self::Documented(_) => None,
        }
    }
}

/// The harness's own assumptions: what it expects where a spec's docs are silent.
pub const HARNESS_ASSUMPTIONS: &[(&str, &str)] = &[
    (
        "inherited-security",
        "the operation states no security of its own and documents no 401/403: the document-wide default is assumed to apply to it",
    ),
    (
        "refusal-status",
        "the docs list no refusal answer for this case: a 401, 403 or 404 is assumed",
    ),
    (
        "stranger-refused",
        "the docs do not say how another tenant's id is answered: a refusal (4xx) is assumed, where an answer that leaves the item untouched would also keep tenants apart",
    ),
    (
        "json-answers",
        "the docs do not name the media type of this answer",
    ),
];

/// The harness's own assumption `id`.
///
/// # Panics
///
/// If `id` is not one of [`HARNESS_ASSUMPTIONS`] (a programming error).
#[must_use]
pub fn harness_assumption(id: &str) -> Basis {
    let reason = HARNESS_ASSUMPTIONS
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, reason)| (*reason).to_string());
    Basis::Assumed {
        id: id.to_string(),
        reason: reason.unwrap_or_else(|| panic!("unknown harness assumption `{id}`")),
        change: None,
    }
}

/// Whether `pointer` is `base` or a node inside it.
fn within(pointer: &str, base: &str) -> bool {
    let pointer = pointer.trim_start_matches('#');
    let base = base.trim_start_matches('#');
    pointer == base
        || (pointer.starts_with(base) && pointer.as_bytes().get(base.len()) == Some(&b'/'))
}

impl Assumption {
    /// The nodes it holds.
    #[must_use]
    pub fn pointers(&self) -> Vec<&str> {
        match &self.pointer {
            Pointers::One(one) => vec![one.as_str()],
            Pointers::Many(many) => many.iter().map(String::as_str).collect(),
        }
    }

    /// This assumption as the basis of an expectation.
    #[must_use]
    pub fn basis(&self) -> Basis {
        let change = match self.alternatives.first() {
            Some(Value::String(s)) => format!("--assume {}={s}", self.id),
            Some(other) => format!("--assume {}={other}", self.id),
            None => format!("--assume {}=VALUE", self.id),
        };
        Basis::Assumed {
            id: self.id.clone(),
            reason: self.reason.split_whitespace().collect::<Vec<_>>().join(" "),
            change: Some(change),
        }
    }
}

impl ProviderSpec {
    /// The assumption that holds `pointer` (the node itself or one around it).
    #[must_use]
    pub fn assumption_at(&self, pointer: &str) -> Option<&Assumption> {
        self.assumptions
            .iter()
            .find(|a| a.pointers().iter().any(|base| within(pointer, base)))
    }

    /// The documentation behind `endpoint`: its sources, as a report names them.
    #[must_use]
    pub fn documented(&self, endpoint: &Endpoint) -> Basis {
        Basis::Documented(
            endpoint
                .ext
                .source
                .iter()
                .map(|tag| match self.provider.sources.get(tag) {
                    Some(source) => match source.url.as_deref().or(source.file.as_deref()) {
                        Some(at) => format!("[{tag}] {} <{at}>", source.title),
                        None => format!("[{tag}] {}", source.title),
                    },
                    None => format!("[{tag}]"),
                })
                .collect(),
        )
    }

    /// The basis of a node of the document reached from `pointer`: assumed when it, or any
    /// node its `$ref`s lead through, is held by an assumption; else documented by `endpoint`.
    #[must_use]
    pub fn basis_of(&self, endpoint: &Endpoint, pointer: &str) -> Basis {
        let mut at = pointer.trim_start_matches('#').to_string();
        for _ in 0..16 {
            if let Some(assumption) = self.assumption_at(&at) {
                return assumption.basis();
            }
            match self
                .document
                .pointer(&at)
                .and_then(|node| node.get("$ref"))
                .and_then(Value::as_str)
            {
                Some(target) if target.starts_with('#') => {
                    at = target.trim_start_matches('#').to_string();
                }
                _ => break,
            }
        }
        self.documented(endpoint)
    }

    /// The basis of `endpoint`'s documented answer `status` (exact key).
    #[must_use]
    pub fn response_basis(&self, endpoint: &Endpoint, status: u16) -> Basis {
        self.basis_of(
            endpoint,
            &format!("{}/responses/{status}", endpoint.pointer),
        )
    }

    /// `endpoint`'s 4xx answers, split into documented and assumed ones.
    #[must_use]
    pub fn refusals(&self, endpoint: &Endpoint) -> (Vec<u16>, Vec<(u16, Basis)>) {
        let mut documented = Vec::new();
        let mut assumed = Vec::new();
        for status in endpoint
            .responses
            .iter()
            .filter_map(|r| r.status.parse::<u16>().ok())
            .filter(|s| (400..500).contains(s))
        {
            match self.response_basis(endpoint, status) {
                Basis::Documented(_) => documented.push(status),
                basis => assumed.push((status, basis)),
            }
        }
        (documented, assumed)
    }

    /// The basis of "`endpoint` needs credentials": its own `security` (documented unless an
    /// assumption holds it); where it inherits the document's default, documented only when
    /// it documents a 401 or 403 of its own.
    #[must_use]
    pub fn security_basis(&self, endpoint: &Endpoint) -> Basis {
        let own = format!("{}/security", endpoint.pointer);
        if self.document.pointer(&own).is_some() {
            return self.basis_of(endpoint, &own);
        }
        let (documented, _) = self.refusals(endpoint);
        if documented.iter().any(|s| matches!(s, 401 | 403)) {
            self.documented(endpoint)
        } else {
            harness_assumption("inherited-security")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_is_by_whole_segments() {
        assert!(within("/a/b", "/a/b"));
        assert!(within("/a/b/c", "/a/b"));
        assert!(within("#/a/b/c", "/a/b"));
        assert!(!within("/a/bc", "/a/b"));
        assert!(!within("/a", "/a/b"));
    }

    #[test]
    fn every_harness_assumption_has_a_reason() {
        for (id, _) in HARNESS_ASSUMPTIONS {
            assert_eq!(harness_assumption(id).assumption(), Some(*id));
        }
    }
}
