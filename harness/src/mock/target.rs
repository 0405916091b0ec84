//! The target-URL rule: which delivery URLs a subscription may name. Providers that deliver
//! over HTTPS only refuse `http://` targets; tests opt in to local `http://` receivers
//! (`MockBuilder::allow_http_targets`). The rule is a stage of its own ([`TargetRule`], default
//! [`HttpsRule`]) so that a mock can be given another one (`MockBuilder::target_rule`).

/// What the rule says about one target URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The URL is accepted as it is (the schema still checks it).
    Accept,
    /// The `http://` URL is accepted and checked as if it were `https://` (schemas of
    /// HTTPS-only providers would refuse it otherwise); the stored URL keeps `http://`.
    AcceptAsHttps,
    /// The URL is refused, with the mock's message about the provider's HTTPS rule.
    Refuse,
}

/// One target URL as the rule sees it.
pub struct Target<'a> {
    /// The URL the request names.
    pub url: &'a str,
    /// Whether the provider documents that it only delivers to `https://` URLs.
    pub https_only: bool,
    /// The mock's opt-in for local `http://` receivers (`MockBuilder::allow_http_targets`).
    pub allow_http_targets: bool,
    schema_accepts: &'a dyn Fn() -> bool,
}

impl<'a> Target<'a> {
    /// A target URL; `schema_accepts` says, when asked, whether the request schema accepts
    /// the body as it is.
    pub(super) fn new(
        url: &'a str,
        https_only: bool,
        allow_http_targets: bool,
        schema_accepts: &'a dyn Fn() -> bool,
    ) -> Self {
        Self {
            url,
            https_only,
            allow_http_targets,
            schema_accepts,
        }
    }

    /// Whether the request schema accepts the body as it is (always true where the input has
    /// no JSON Schema, as for GraphQL fields). Computed on demand: only some URLs need it.
    #[must_use]
    pub fn schema_accepts(&self) -> bool {
        (self.schema_accepts)()
    }
}

impl std::fmt::Debug for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("url", &self.url)
            .field("https_only", &self.https_only)
            .field("allow_http_targets", &self.allow_http_targets)
            .finish_non_exhaustive()
    }
}

/// Judges the target URLs of subscriptions. A plain closure
/// `Fn(&Target<'_>) -> Verdict` is one.
pub trait TargetRule: Send + Sync {
    /// What to do with `target`.
    fn judge(&self, target: &Target<'_>) -> Verdict;
}

impl<F> TargetRule for F
where
    F: Fn(&Target<'_>) -> Verdict + Send + Sync,
{
    fn judge(&self, target: &Target<'_>) -> Verdict {
        self(target)
    }
}

/// The provider's rule, the default: an `http://` URL is accepted (as if it were `https://`)
/// only when the mock allows local receivers and the URL names this machine; otherwise it is
/// refused where the provider wants HTTPS or the schema refuses it. Any other non-`https://`
/// URL is refused where the provider wants HTTPS.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpsRule;

impl TargetRule for HttpsRule {
    fn judge(&self, target: &Target<'_>) -> Verdict {
        if let Some(rest) = target.url.strip_prefix("http://") {
            if target.allow_http_targets && loopback(rest) {
                Verdict::AcceptAsHttps
            } else if target.https_only || !target.schema_accepts() {
                Verdict::Refuse
            } else {
                Verdict::Accept
            }
        } else if target.https_only && !target.url.starts_with("https://") {
            Verdict::Refuse
        } else {
            Verdict::Accept
        }
    }
}

/// `url` with `https://` in place of `http://`: the value a target accepted as if it were
/// HTTPS is checked with. `None` for any other URL.
#[must_use]
pub fn as_https(url: &str) -> Option<String> {
    url.strip_prefix("http://")
        .map(|rest| format!("https://{rest}"))
}

/// Whether the rest of an `http://` URL names this machine (127.0.0.1, `[::1]`, localhost).
#[must_use]
pub fn loopback(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().map_or(host, |h| &h[1..])
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}
