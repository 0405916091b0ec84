//! `documented-example`: every documented example request gets the documented status, and the
//! answer validates against the schema documented for it.

use serde_json::Value;

use super::{Api, Applies, As, Op, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::MockAction;
use crate::spec::pointer;

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "documented-example",
        reason: "the requests the provider's documentation prints are the first ones integrators send: each must get the documented success status and an answer of the documented shape",
        source: "the operation's documented request examples and response schemas in the spec",
    },
    subjects: |api| {
        api.ops
            .iter()
            .filter(|o| o.action() != Some(MockAction::Graphql))
            .map(|o| (o.name.clone(), applies(api, o)))
            .collect()
    },
    run,
};

/// Whether an operation can be exercised: one that names an existing item needs a way to
/// create one.
pub fn applies(api: &Api, op: &Op) -> Applies {
    if op.needs_id()
        && op
            .collection()
            .is_none_or(|c| api.op_for(c, &[MockAction::Create]).is_none())
    {
        return Applies::Ignored(format!(
            "`{}` names an existing {} item, and the API has no operation that creates one (they come from the provider's own activity)",
            op.name,
            op.collection().unwrap_or("(unnamed)")
        ));
    }
    Applies::Yes
}

/// Creates the item `op` needs, as the first tenant, from the creator's documented example.
pub fn prerequisite(api: &Session<'_>, op: &Op, n: usize) -> Result<Option<String>, String> {
    if !op.needs_id() {
        return Ok(None);
    }
    let collection = op.collection().unwrap_or_default();
    let creator = api
        .creator_for(op)
        .ok_or_else(|| format!("no way to create a {collection} item `{}` sees", op.name))?;
    let body = api.example_body(creator, Some(&api.nowhere(n)));
    match api.create_with(creator, As::Tenant(0), &body) {
        Ok((id, _, _)) => Ok(Some(id)),
        Err(call) => Err(format!(
            "could not create the {collection} item `{}` needs (with `{}`'s documented example):\n{}",
            op.name,
            creator.name,
            call.render()
        )),
    }
}

/// Runs `body` with the item `op` names (created first, as the first tenant) and a list of
/// what it creates; everything is deleted afterwards. Holds the shared side of
/// [`Api::subscriptions`], as every trial that creates items does.
pub fn with_item(
    api: &Session<'_>,
    op: &Op,
    body: impl FnOnce(Option<&str>, &mut Vec<String>) -> Result<Option<String>, String>,
) -> Result<Option<String>, String> {
    let _shared = api
        .subscriptions
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut created = Vec::new();
    let outcome = prerequisite(api, op, 0).and_then(|id| {
        created.extend(id.clone());
        body(id.as_deref(), &mut created)
    });
    cleanup(api, op.collection(), &created);
    outcome
}

/// Removes what a trial created (best effort: the checks that test deletion say if it fails).
pub fn cleanup(api: &Session<'_>, collection: Option<&str>, ids: &[String]) {
    if let Some(collection) = collection {
        for id in ids {
            let _ = api.delete(collection, As::Tenant(0), id);
        }
    }
}

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api
        .op(name)
        .ok_or_else(|| format!("no operation `{name}`"))?;
    if op.action() == Some(MockAction::Token)
        && api
            .settings
            .credentials
            .tenants
            .first()
            .is_none_or(|t| !t.secrets.contains_key("clientSecret"))
    {
        return Ok(Some(
            "no client credentials given (--credential clientId=ID --credential clientSecret=SECRET)"
                .into(),
        ));
    }
    with_item(api, op, |id, created| {
        let has_body = api.endpoint(op).request.is_some();
        let mut examples: Vec<(String, Option<Value>)> = api
            .examples(op)
            .into_iter()
            .map(|(at, v)| (at, Some(v)))
            .collect();
        if examples.is_empty() {
            if has_body {
                return Ok(Some(format!("`{name}` documents no example request")));
            }
            examples.push((String::new(), None));
        }
        let mut failures = Vec::new();
        for (at, mut body) in examples {
            if let Some(body) = body.as_mut() {
                fill_client_credentials(api, op, body);
                if let (Some(id), Some(field)) = (&id, op.body_id()) {
                    pointer::set(body, &field, Value::String(id.to_string()));
                }
            }
            let call = api.call(op, As::Tenant(0), id, body.as_ref());
            let expected = api.success_status(op);
            let from = if at.is_empty() {
                "no body (the operation takes none)".to_string()
            } else {
                format!("example: {at}")
            };
            if call.status != Some(expected) || !call.succeeded() {
                failures.push(api.failure(
                    &CHECK.info,
                    &format!("the documented {expected}"),
                    &call,
                    &from,
                ));
            } else if let Some(report) = api.judge_answer(&CHECK.info, op, &call, &from) {
                failures.push(report);
            }
            if op.action() == Some(MockAction::Create)
                && let Some(new) = api.created_id(op, &call)
            {
                api.remember_id(&new);
                created.push(new);
            }
        }
        if failures.is_empty() {
            Ok(None)
        } else {
            Err(failures.join("\n"))
        }
    })
}

/// A token request carries the client credentials given for the first tenant.
fn fill_client_credentials(api: &Session<'_>, op: &Op, body: &mut Value) {
    if op.action() != Some(MockAction::Token) {
        return;
    }
    let Some(tenant) = api.settings.credentials.tenants.first() else {
        return;
    };
    for (field, name) in [("client_id", "clientId"), ("client_secret", "clientSecret")] {
        if let Some(value) = tenant.secrets.get(name)
            && let Value::Object(map) = body
        {
            map.insert(field.into(), Value::String(value.clone()));
        }
    }
}

/// The fault the `documented-example` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use serde_json::Value;

    use crate::mock::{Exchange, Fault, MockBuilder, Reply};
    use crate::spec::pointer;

    /// Leaves the resource's id out of the answers that carry a resource.
    #[derive(Debug, Clone, Copy)]
    pub struct DropsIdFromResponses;

    impl Fault for DropsIdFromResponses {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.on_reply(drop_id)
        }
    }

    fn drop_id(exchange: &Exchange<'_>, reply: &mut Reply) {
        let (Some(at), Some(mock)) = (exchange.resource_at, exchange.mock()) else {
            return;
        };
        let id = format!("{at}{}", mock.id_field.as_deref().unwrap_or("/id"));
        if let Some((parent, last)) = id.rsplit_once('/')
            && let Some(Value::Object(map)) = reply.body.pointer_mut(parent)
        {
            map.shift_remove(&pointer::unescape(last));
        }
    }
}
