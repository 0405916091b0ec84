//! `target-url`: a provider that only delivers to `https://` URLs refuses a subscription to an
//! `http://` one.

use serde_json::Value;

use super::documented_example::with_item;
use super::{Applies, As, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "target-url",
        reason: "the provider documents that it only delivers to https:// URLs; an implementation that accepts an http:// target would send events, and their signatures, in clear text",
        source: "the operation's https rule (x-operation.mock.httpsOnly, from the provider's docs)",
    },
    subjects: |api| {
        api.ops
            .iter()
            .filter(|o| {
                matches!(
                    o.action(),
                    Some(MockAction::Create | MockAction::Update | MockAction::Replace)
                ) && o.mock.as_ref().is_some_and(|m| m.target.is_some())
            })
            .map(|o| {
                let applies = if o.mock.as_ref().is_some_and(|m| m.https_only) {
                    super::documented_example::applies(api, o)
                } else {
                    Applies::Ignored(format!(
                        "{} documents no https rule for `{}`",
                        api.spec.provider.name, o.name
                    ))
                };
                (o.name.clone(), applies)
            })
            .collect()
    },
    run,
};

/// Not this machine: a mock's opt-in for local http receivers does not cover it.
const HTTP_TARGET: &str = "http://receiver.example.com/conformance-hook";

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api
        .op(name)
        .ok_or_else(|| format!("no operation `{name}`"))?;
    with_item(api, op, |id, created| {
        let mut body = api.example_body(op, Some(HTTP_TARGET));
        if let (Some(id), Some(at)) = (&id, op.body_id()) {
            pointer::set(&mut body, &at, Value::String(id.to_string()));
        }
        let call = api.call(op, As::Tenant(0), id, Some(&body));
        if let Some(new) = api.created_id(op, &call) {
            created.push(new);
        }
        match call.status {
            Some(s) if (400..500).contains(&s) && !call.succeeded() => Ok(None),
            // GraphQL refuses with an error in a 200.
            Some(200) if op.graphql.is_some() && !call.succeeded() => Ok(None),
            _ => Err(api.failure(
                &CHECK.info,
                "a refusal (4xx, or a GraphQL error) of the http:// target",
                &call,
                &format!("target sent: {HTTP_TARGET}"),
            )),
        }
    })
}

/// The fault the `target-url` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::{Fault, MockBuilder, Target, Verdict};

    /// Accepts `http://` target URLs, of any host, where the provider wants `https://`.
    #[derive(Debug, Clone, Copy)]
    pub struct AcceptsHttpTargets;

    impl Fault for AcceptsHttpTargets {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.target_rule(|target: &Target<'_>| {
                if target.url.starts_with("http://") {
                    Verdict::AcceptAsHttps
                } else {
                    Verdict::Accept
                }
            })
        }
    }
}
