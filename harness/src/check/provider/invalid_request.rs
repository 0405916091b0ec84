//! `invalid-request`: requests that break the operation's schema in one place each get the
//! documented 4xx, never a 2xx and never a 5xx.

use serde_json::Value;

use super::documented_example::with_item;
use super::{As, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::generate::Mode;
use crate::spec::{pointer, provenance};

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "invalid-request",
        reason: "a request that breaks the documented schema (a 41-character label, a missing field, a wrong type) must be refused with the documented 4xx: accepting it stores what the provider never would, and a 5xx is a crash",
        source: "the operation's request schema and its documented 4xx responses",
    },
    subjects: super::generated::writers,
    run,
};

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api
        .op(name)
        .ok_or_else(|| format!("no operation `{name}`"))?;
    let generator = api.generator.request(name).map_err(|e| e.to_string())?;
    let count = (api.settings.cases as usize).max(16);
    let samples = generator
        .sample(Mode::Invalid, api.settings.seed ^ 0x1a5a1d, count)
        .map_err(|e| e.to_string())?;
    let endpoint = api.endpoint(op);
    let (documented, assumed) = api.spec.refusals(endpoint);
    let assumed_basis = assumed.first().map(|(_, basis)| basis.clone());
    let assumed: Vec<u16> = assumed.into_iter().map(|(s, _)| s).collect();
    with_item(api, op, |id, created| {
        let target = api.target_field(op);
        let mut warned = false;
        for (n, sample) in samples.into_iter().enumerate() {
            let Some(label) = sample.label else { continue };
            let mut body = sample.value;
            // A delivery URL that goes nowhere, unless that undoes the one violation.
            if let Some(at) = &target
                && pointer::get(&body, at).is_some()
            {
                let mut quiet = body.clone();
                pointer::set(&mut quiet, at, Value::String(api.nowhere(n)));
                if !generator.accepts(&quiet) {
                    body = quiet;
                }
            }
            let call = match &id {
                Some(id) => api.call_with_id(op, As::Tenant(0), id, Some(body)),
                None => api.call(op, As::Tenant(0), None, Some(&body)),
            };
            if let Some(new) = api.created_id(op, &call) {
                created.push(new);
            }
            let listed = |s: u16| documented.contains(&s) || assumed.contains(&s);
            let refused = call.status.is_some_and(|s| {
                (400..500).contains(&s)
                    && (listed(s) || (documented.is_empty() && assumed.is_empty()))
            });
            if refused {
                continue;
            }
            let all: Vec<u16> = documented.iter().chain(&assumed).copied().collect();
            let expected = if all.is_empty() {
                "a 4xx".to_string()
            } else {
                format!(
                    "a documented 4xx ({})",
                    all.iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            // Assumed: the broken rule is an assumption of the spec, or the answer is a 4xx
            // and only assumed ones are listed.
            let schema = api.spec.basis_of(endpoint, &label.schema_pointer);
            let basis = match call.status {
                _ if !schema.is_documented() => schema,
                Some(s) if (400..500).contains(&s) && documented.is_empty() => assumed_basis
                    .clone()
                    .unwrap_or_else(|| provenance::harness_assumption("refusal-status")),
                _ => schema,
            };
            if warned && !basis.is_documented() {
                continue;
            }
            let said = format!(
                "the request breaks `{}` at {} (schema {}): {}",
                label.keyword,
                if label.pointer.is_empty() {
                    "the root"
                } else {
                    &label.pointer
                },
                label.schema_pointer,
                label.description
            );
            match api.finding(&CHECK.info, &basis, &expected, &call, &said) {
                Some(report) => return Err(report),
                None => warned = true,
            }
        }
        Ok(None)
    })
}

/// The fault the `invalid-request` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::{Fault, MockBuilder, Validation};

    /// Validates nothing: accepts request bodies (a 41-character label) and resources that
    /// break their schemas.
    #[derive(Debug, Clone, Copy)]
    pub struct SkipsValidation;

    impl Fault for SkipsValidation {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.validate(|_: &Validation<'_>| Ok(()))
        }
    }
}
