//! `forbidden`: where an operation is refused for something the caller does not administer
//! (`x-operation.mock.permission`: swsh's albums), a request naming a value the spec says no
//! tenant administers gets the refusal's status, and creates nothing.

use serde_json::Value;

use super::{Applies, As, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::pointer;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "forbidden",
        reason: "a request naming something the caller does not administer (an album it is not an admin of) is refused with the documented status, and creates nothing",
        source: "the operation's x-operation.mock.permission and its documented refusal",
    },
    subjects: |api| {
        api.ops
            .iter()
            .filter(|o| o.graphql.is_none())
            .filter_map(|o| {
                let permission = o.mock.as_ref()?.permission.as_ref()?;
                let applies = if permission.except.is_empty() {
                    Applies::Ignored(
                        "the spec names no value that the caller does not administer".into(),
                    )
                } else {
                    Applies::Yes
                };
                Some((o.name.clone(), applies))
            })
            .collect()
    },
    run,
};

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api.op(name).ok_or("no such operation")?;
    let permission = op
        .mock
        .as_ref()
        .and_then(|m| m.permission.as_ref())
        .ok_or("the operation names no permission")?;
    let value = permission
        .except
        .first()
        .ok_or("the spec names no value that the caller does not administer")?;
    let field = format!("{}{}", op.fields_at(), permission.field);
    // A documented example that names the field (swsh's newPhoto config names an album).
    let mut body = api
        .examples(op)
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| pointer::get(v, &field).is_some())
        .unwrap_or_else(|| api.example_body(op, None));
    if let Some(at) = api.target_field(op) {
        pointer::set(&mut body, &at, Value::String(api.nowhere(0)));
    }
    pointer::set(&mut body, &field, Value::String(value.clone()));
    let call = api.call(op, As::Tenant(0), None, Some(&body));
    let endpoint = api.endpoint(op);
    let basis = api.spec.basis_of(
        endpoint,
        &format!("{}/x-operation/mock/permission", endpoint.pointer),
    );
    let expected = format!(
        "{} for a request naming {} `{value}`, which no tenant administers",
        permission.status, permission.field
    );
    if call.status == Some(permission.status) {
        return match api.judge_answer(&CHECK.info, op, &call, "") {
            Some(report) => Err(report),
            None => Ok(None),
        };
    }
    // Whatever was made is removed again.
    if let (Some(id), Some(collection)) = (api.created_id(op, &call), op.collection()) {
        let _ = api.delete(collection, As::Tenant(0), &id);
    }
    match api.finding(&CHECK.info, &basis, &expected, &call, "") {
        Some(report) => Err(report),
        None => Ok(None),
    }
}

/// The fault the `forbidden` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::{Exchange, Fault, MockBuilder, Reply};

    /// Answers a 403 refusal with a 200 (the refusal's body kept).
    #[derive(Debug, Clone, Copy)]
    pub struct ForbiddenAnsweredOk;

    impl Fault for ForbiddenAnsweredOk {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.on_reply(|_: &Exchange<'_>, reply: &mut Reply| {
                if reply.status == 403 {
                    reply.status = 200;
                }
            })
        }
    }
}
