//! The target-URL rule: which delivery URLs a subscription may name. Every URL is parsed once,
//! with the parser deliveries are sent with (the `url` crate, WHATWG rules: `\` is `/`, hosts
//! are IDNA- and percent-decoded), and judged on what it parsed to, never on its spelling.
//!
//! Two refusals hold whatever the rule: a URL deliveries cannot be sent to (not a URL, not
//! `http://` or `https://`), and the mock's own address ([`targets_self`]). Providers that
//! deliver over HTTPS only refuse `http://` targets; tests opt in to local `http://` receivers
//! (`MockBuilder::allow_http_targets`), decided on the parsed host. The rule is a stage of its
//! own ([`TargetRule`], default [`HttpsRule`]) so that a mock can be given another one
//! (`MockBuilder::target_rule`).

use std::net::{IpAddr, SocketAddr};

use url::{Host, Url};

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

    /// The URL as deliveries would read it (`None`: they cannot).
    #[must_use]
    pub fn parsed(&self) -> Option<Url> {
        parse(self.url).ok()
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
/// only when the mock allows local receivers and the parsed URL names this machine without
/// credentials; otherwise it is refused where the provider wants HTTPS or the schema refuses
/// it. Any URL that is neither `http://` nor `https://` once parsed is refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpsRule;

impl TargetRule for HttpsRule {
    fn judge(&self, target: &Target<'_>) -> Verdict {
        let Some(url) = target.parsed() else {
            return Verdict::Refuse;
        };
        match url.scheme() {
            "https" => Verdict::Accept,
            "http" if target.allow_http_targets && is_local(&url) => Verdict::AcceptAsHttps,
            "http" if target.https_only || !target.schema_accepts() => Verdict::Refuse,
            "http" => Verdict::Accept,
            _ => Verdict::Refuse,
        }
    }
}

/// Parses a target URL as deliveries do. Only `http` and `https` URLs with a host can be sent.
pub fn parse(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(parsed),
        "http" | "https" => Err("a URL without a host".into()),
        other => Err(format!(
            "a `{other}:` URL, and deliveries are sent over http:// or https:// only"
        )),
    }
}

/// Whether the parsed URL names this machine for the local-receiver opt-in: an IP literal in
/// 127.0.0.0/8 or `::1`, or `localhost`, with no user name or password in it.
#[must_use]
pub fn is_local(url: &Url) -> bool {
    url.username().is_empty()
        && url.password().is_none()
        && match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            None => false,
        }
}

/// Whether a delivery to `url` would reach the mock listening on `address`: its port, on a
/// host that is this machine (loopback, `localhost`, or the unspecified address, which Linux
/// connects to locally).
#[must_use]
pub fn targets_self(url: &Url, address: SocketAddr) -> bool {
    if url.port_or_known_default() != Some(address.port()) {
        return false;
    }
    let ip: Option<IpAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => Some(ip.into()),
        Some(Host::Ipv6(ip)) => Some(ip.into()),
        Some(Host::Domain(domain)) => {
            return domain.eq_ignore_ascii_case("localhost")
                || domain.to_ascii_lowercase().ends_with(".localhost");
        }
        None => None,
    };
    ip.is_some_and(|ip| ip.is_loopback() || ip.is_unspecified() || ip == address.ip())
}

/// Why `url` at `at` was refused, for the refusal's message.
#[must_use]
pub fn refusal(at: &str, url: &str, https_only: bool, allow_http_targets: bool) -> String {
    let parsed = match parse(url) {
        Ok(parsed) => parsed,
        Err(why) => {
            return format!("{at}: `{url}` is {why}; deliveries cannot be sent to it");
        }
    };
    if parsed.scheme() != "http" {
        return format!("{at}: `{url}` is refused as a delivery URL");
    }
    let host = parsed.host_str().unwrap_or_default();
    if allow_http_targets {
        let why = if is_local(&parsed) {
            "it carries a user name or password".to_string()
        } else {
            format!("its host `{host}` is not this machine (127.0.0.0/8, ::1 or localhost)")
        };
        format!(
            "{at}: `{url}` is not an HTTPS URL, and the provider only delivers to HTTPS URLs; http:// receivers are allowed on this machine only, and {why}"
        )
    } else if https_only {
        format!(
            "{at}: `{url}` is not an HTTPS URL, and the provider only delivers to HTTPS URLs; to subscribe a local http:// receiver (127.0.0.1 or localhost) in tests, start the mock with --allow-http-targets (MockBuilder::allow_http_targets(true))"
        )
    } else {
        format!("{at}: `{url}` is not an HTTPS URL, and the schema refuses it")
    }
}

/// The refusal of a target that is the mock's own address.
#[must_use]
pub fn self_refusal(at: &str, url: &str) -> String {
    format!(
        "{at}: `{url}` is this mock's own address; a subscription cannot deliver to the mock itself"
    )
}

/// `url` with `https://` in place of `http://`: the value a target accepted as if it were
/// HTTPS is checked with. `None` for any other URL.
#[must_use]
pub fn as_https(url: &str) -> Option<String> {
    url.strip_prefix("http://")
        .map(|rest| format!("https://{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(url: &str, https_only: bool, allow: bool) -> Verdict {
        HttpsRule.judge(&Target::new(url, https_only, allow, &|| true))
    }

    #[test]
    fn the_local_opt_in_is_decided_on_the_parsed_host() {
        for local in [
            "http://127.0.0.1:9/h",
            "http://127.9.8.7/h",
            "http://[::1]:80/h",
            "http://LOCALHOST:8080/h",
            "http://%31%32%37.0.0.1/h",
            "http://0x7f.1/h",
        ] {
            assert_eq!(judge(local, true, true), Verdict::AcceptAsHttps, "{local}");
        }
        for remote in [
            "http://127.0.0.1.attacker.example/h",
            "http://192.0.2.2:18191\\@127.0.0.1/h",
            "http://127.0.0.1@192.0.2.2/h",
            "http://user:pw@127.0.0.1/h",
            "http://localhost.attacker.example/h",
            "http://[::ffff:192.0.2.2]/h",
            "http://192.0.2.2#@127.0.0.1/",
            "http://192.0.2.2/?@127.0.0.1/",
            "HTTP://192.0.2.2/",
            "http:192.0.2.2/",
        ] {
            assert_eq!(judge(remote, true, true), Verdict::Refuse, "{remote}");
        }
    }

    #[test]
    fn urls_that_cannot_be_sent_are_refused() {
        for url in [
            "ftp://example.com/h",
            "not a url",
            "http://",
            "mailto:a@b.c",
            "file:///etc/passwd",
        ] {
            assert_eq!(judge(url, false, true), Verdict::Refuse, "{url}");
            assert!(!refusal("/u", url, false, true).is_empty());
        }
    }

    #[test]
    fn the_mock_itself_is_recognised_however_spelled() {
        let me: SocketAddr = "127.0.0.1:18191".parse().unwrap();
        for url in [
            "http://127.0.0.1:18191/__mock/events/x",
            "http://localhost:18191/anything",
            "http://[::1]:18191/",
            "http://0.0.0.0:18191/",
            "http://%31%32%37.0.0.1:18191/",
            "http://127.1:18191/",
            "HTTP://LocalHost:18191",
        ] {
            assert!(targets_self(&parse(url).unwrap(), me), "{url}");
        }
        for url in [
            "http://127.0.0.1:18192/",
            "http://192.0.2.2:18191/",
            "https://127.0.0.1/",
        ] {
            assert!(!targets_self(&parse(url).unwrap(), me), "{url}");
        }
    }
}
