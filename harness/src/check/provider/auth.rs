//! `auth`: a request without credentials, with forged ones, or with another tenant's, is
//! refused with the documented status; another tenant's items stay invisible and untouched.

use super::documented_example::with_item;
use super::{Applies, As, Call, ProviderCheck, Session};
use crate::check::CheckInfo;
use crate::spec::extensions::MockAction;
use crate::spec::provenance::{self, Basis};

/// The check.
pub const CHECK: ProviderCheck = ProviderCheck {
    info: CheckInfo {
        id: "auth",
        reason: "every documented operation needs credentials: a request without them or with forged ones must get the documented 401/403, and one tenant's credentials must never reach another tenant's items (404, 401 or 403, never a 2xx)",
        source: "the operation's security requirements and the spec's tenancy (x-operation.mock.tenant)",
    },
    subjects: |api| {
        api.ops
            .iter()
            .filter(|o| o.graphql.is_none())
            .map(|o| {
                let applies = if api.endpoint(o).security.is_empty() {
                    Applies::Ignored(format!("`{}` takes no credentials", o.name))
                } else {
                    super::documented_example::applies(api, o)
                };
                (o.name.clone(), applies)
            })
            .collect()
    },
    run,
};

fn run(api: &Session<'_>, name: &str) -> Result<Option<String>, String> {
    let op = api
        .op(name)
        .ok_or_else(|| format!("no operation `{name}`"))?;
    with_item(api, op, |id, created| {
        let send = |who: As, created: &mut Vec<String>| -> Call {
            let call = match &id {
                Some(id) => api.call_with_id(op, who, id, None),
                None => {
                    let body = api
                        .endpoint(op)
                        .request
                        .is_some()
                        .then(|| api.example_body(op, Some(&api.nowhere(0))));
                    api.call(op, who, None, body.as_ref())
                }
            };
            if op.action() == Some(MockAction::Create)
                && call.succeeded()
                && let Some(new) = api.created_id(op, &call)
            {
                created.push(new);
            }
            call
        };
        let mut failures = Vec::new();
        for (who, what) in [
            (As::Nobody, "no credentials"),
            (As::Forged, "forged credentials"),
        ] {
            let call = send(who, created);
            if let Some(report) = judge_refusal(api, op, &call, what) {
                failures.push(report);
            }
        }
        if let Some(report) = stranger(api, op, id, created)? {
            failures.push(report);
        }
        if failures.is_empty() {
            Ok(None)
        } else {
            Err(failures.join("\n"))
        }
    })
}

/// The answers that refuse a request, and what each rests on.
struct Refusals {
    /// Documented refusals of the operation (only its 401/403 where it documents those for a
    /// request without valid credentials: the docs pin the case).
    documented: Vec<u16>,
    /// Whether the docs pin the case (`documented` holds only its 401/403).
    pinned: bool,
    /// The statuses the spec assumes for the case (a 401/403 for credentials; a 404, 401 or
    /// 403 for another tenant's item), with the assumption they rest on; where the spec
    /// assumes none, the harness's own (401, 403 or 404). An assumed answer to invalid input
    /// (a 400, a 422) is not an assumption about refusals.
    assumed: Vec<u16>,
    /// The basis of the assumed statuses.
    assumed_basis: Basis,
}

impl Refusals {
    fn of(api: &Session<'_>, op: &super::Op, credentials: bool) -> Self {
        let endpoint = api.endpoint(op);
        let (documented, assumed) = api.spec.refusals(endpoint);
        let keys: Vec<u16> = documented
            .iter()
            .copied()
            .filter(|s| matches!(s, 401 | 403))
            .collect();
        let pinned = credentials && !keys.is_empty();
        let documented = if pinned { keys } else { documented };
        let relevant = |s: u16| matches!(s, 401 | 403) || (!credentials && s == 404);
        let statuses: Vec<u16> = assumed
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| relevant(*s))
            .collect();
        // Another tenant's item is, for these credentials, one that does not exist: the
        // assumption about unknown ids (a 404) speaks for that case before the one about keys.
        let basis = assumed
            .iter()
            .find(|(s, _)| !credentials && *s == 404)
            .or_else(|| assumed.iter().find(|(s, _)| statuses.contains(s)))
            .map(|(_, b)| b.clone());
        match basis {
            Some(assumed_basis) => Self {
                documented,
                pinned,
                assumed: statuses,
                assumed_basis,
            },
            None => Self {
                documented,
                pinned,
                assumed: if credentials {
                    vec![401, 403, 404]
                } else {
                    vec![404, 401, 403]
                },
                assumed_basis: provenance::harness_assumption("refusal-status"),
            },
        }
    }

    fn list(statuses: &[u16]) -> String {
        statuses
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// A refusal `answered` (documented, or a 401/403/404) that is not the one the spec assumes
    /// for the case: it passes, with a warning on the assumption (a failure under `--strict`).
    fn warn_unassumed(
        &self,
        api: &Session<'_>,
        call: &Call,
        answered: u16,
        what: &str,
    ) -> Option<String> {
        if self.assumed.contains(&answered)
            || self.assumed_basis.is_documented()
            || (self.pinned && self.documented.contains(&answered))
        {
            return None;
        }
        api.finding(
            &CHECK.info,
            &self.assumed_basis,
            &format!(
                "{} for {what} ({answered} refuses too, so it passes unless `--strict`)",
                Self::list(&self.assumed)
            ),
            call,
            "",
        )
    }
}

/// A request sent with `what` (no or forged credentials): a refusal passes; a 2xx fails where
/// the operation's need for credentials is documented; another answer fails where the docs
/// document the refusals, else it is a warning on the assumed ones.
fn judge_refusal(api: &Session<'_>, op: &super::Op, call: &Call, what: &str) -> Option<String> {
    let refusals = Refusals::of(api, op, true);
    let Some(answered) = call.status else {
        return Some(api.failure(
            &CHECK.info,
            &format!("an answer to a request with {what}"),
            call,
            "",
        ));
    };
    if refusals.assumed.contains(&answered) {
        return None;
    }
    if refusals.documented.contains(&answered) {
        return refusals.warn_unassumed(api, call, answered, &format!("a request with {what}"));
    }
    let expected = if refusals.documented.is_empty() {
        format!(
            "{} for a request with {what}",
            Refusals::list(&refusals.assumed)
        )
    } else {
        format!(
            "{} for a request with {what}",
            Refusals::list(&refusals.documented)
        )
    };
    let basis = if call.succeeded() {
        api.spec.security_basis(api.endpoint(op))
    } else if refusals.documented.is_empty() {
        refusals.assumed_basis.clone()
    } else {
        api.spec.documented(api.endpoint(op))
    };
    api.finding(
        &CHECK.info,
        &basis,
        &expected,
        call,
        &format!("sent with {what}"),
    )
}

/// The second tenant, in the first tenant's place: refused (4xx), and the first tenant's item
/// is still there afterwards; a list shows none of the first tenant's items.
fn stranger(
    api: &Session<'_>,
    op: &super::Op,
    id: Option<&str>,
    created: &mut Vec<String>,
) -> Result<Option<String>, String> {
    if api.tenants() < 2 {
        return Ok(None);
    }
    let path_tenancy = op
        .mock
        .as_ref()
        .and_then(|m| m.tenant.as_deref())
        .is_some_and(|t| t.starts_with("path:"));
    let collection = op.collection().unwrap_or_default();
    if let Some(id) = id {
        return stranger_on_item(api, op, id, path_tenancy);
    }
    match op.action() {
        Some(MockAction::List) => {
            let creator = api.op_for(collection, &[MockAction::Create]);
            let Some(creator) = creator else {
                return Ok(None);
            };
            let body = api.example_body(creator, Some(&api.nowhere(1)));
            let (own, _, _) = api
                .create(collection, As::Tenant(0), &body)
                .map_err(|call| format!("could not create an item to hide:\n{}", call.render()))?;
            created.push(own.clone());
            let call = api.call(op, As::Stranger, None, None);
            let leaked = api
                .listed(op, &call)
                .iter()
                .any(|r| api.id_of(collection, r).as_deref() == Some(own.as_str()));
            if leaked || (path_tenancy && call.succeeded()) {
                return Ok(Some(api.failure(
                    &CHECK.info,
                    "a list without the first tenant's items (or, where the tenant is in the path, a refusal)",
                    &call,
                    &format!("the first tenant's item `{own}` must not be listed"),
                )));
            }
        }
        Some(MockAction::Create) if path_tenancy => {
            let body = api.example_body(op, Some(&api.nowhere(2)));
            let call = api.call(op, As::Stranger, None, Some(&body));
            if call.succeeded() {
                if let Some(new) = call
                    .json
                    .as_ref()
                    .and_then(|j| api.resource(op, j))
                    .and_then(|r| api.id_of(collection, r))
                {
                    created.push(new);
                }
                return Ok(Some(api.failure(
                    &CHECK.info,
                    "a refusal: the second tenant's credentials do not open the first tenant's space",
                    &call,
                    "",
                )));
            }
        }
        _ => {}
    }
    Ok(None)
}

/// The second tenant naming the first tenant's item: refused, and the item untouched.
fn stranger_on_item(
    api: &Session<'_>,
    op: &super::Op,
    id: &str,
    path_tenancy: bool,
) -> Result<Option<String>, String> {
    let collection = op.collection().unwrap_or_default();
    // In the first tenant's place; and, where the tenant is in the path, in its own.
    let places: &[(As, &str)] = if path_tenancy {
        &[
            (As::Stranger, "in the first tenant's path"),
            (As::Tenant(1), "in its own path"),
        ]
    } else {
        &[(As::Stranger, "")]
    };
    let refusals = Refusals::of(api, op, false);
    for (who, place) in places {
        let call = api.call_with_id(op, *who, id, None);
        let refused = call.status.filter(|s| {
            (matches!(s, 401 | 403 | 404)
                || refusals.documented.contains(s)
                || refusals.assumed.contains(s))
                && !(200..300).contains(s)
        });
        if let Some(answered) = refused {
            if let Some(report) =
                refusals.warn_unassumed(api, &call, answered, "another tenant's item")
            {
                return Ok(Some(report));
            }
            continue;
        }
        let said = format!(
            "the second tenant's credentials{}, naming the first tenant's item `{id}`",
            if place.is_empty() {
                String::new()
            } else {
                format!(" {place}")
            }
        );
        // A 2xx that shows the first tenant's item has crossed the tenants: that rests on the
        // operation's credentials (documented where its security is). Another answer that is
        // not a refusal is judged on the docs where they list the refusals; a 2xx that shows
        // nothing and leaves the item untouched (the read-back below) keeps the tenants apart,
        // so only the status is an assumption.
        let shows_item = call.succeeded() && call.response.contains(id);
        let basis = if shows_item {
            api.spec.security_basis(api.endpoint(op))
        } else if call.status.is_none() || (!call.succeeded() && !refusals.documented.is_empty()) {
            api.spec.documented(api.endpoint(op))
        } else {
            provenance::harness_assumption("stranger-refused")
        };
        let said = if shows_item {
            format!("{said}; the answer shows the item")
        } else {
            said
        };
        if let Some(report) = api.finding(
            &CHECK.info,
            &basis,
            "404 (or 401/403, or a documented refusal): another tenant's item does not exist for these credentials",
            &call,
            &said,
        ) {
            return Ok(Some(report));
        }
    }
    if let Ok((found, read)) = api.read(collection, As::Tenant(0), id)
        && found.is_none()
    {
        return Ok(Some(api.failure(
            &CHECK.info,
            "the first tenant's item untouched by the second tenant's request",
            &read,
            &format!(
                "read back by its owner after `{}` by the second tenant",
                op.name
            ),
        )));
    }
    Ok(None)
}

/// The faults the `auth` check proves it catches (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use serde_json::Value;

    use crate::mock::action::{Call, List, Outcome, Refusal, Update};
    use crate::mock::{AuthRequest, Authenticate, Fault, MockBuilder, Tenant};
    use crate::spec::extensions::MockAction;

    /// Answers without credentials, or with wrong ones, as the first tenant, and ignores path
    /// tenancy.
    #[derive(Debug, Clone, Copy)]
    pub struct IgnoresCredentials;

    impl Fault for IgnoresCredentials {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.authenticate(FirstTenant)
        }
    }

    /// Authentication that falls back to the first tenant.
    struct FirstTenant;

    impl Authenticate for FirstTenant {
        fn authenticate<'c>(
            &self,
            request: &AuthRequest<'_, 'c>,
        ) -> Result<Option<&'c Tenant>, String> {
            Ok(request
                .check_credentials()
                .unwrap_or_else(|_| request.credentials().tenants.first()))
        }
    }

    /// Reads, changes and lists the resources of every tenant.
    #[derive(Debug, Clone, Copy)]
    pub struct LeaksTenants;

    impl Fault for LeaksTenants {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.action(MockAction::Read, read)
                .action(MockAction::Update, update)
                .action(MockAction::Replace, update)
                .action(MockAction::List, list)
        }
    }

    /// The resource `id` of the caller's tenant, or else of any tenant.
    fn any_tenant(call: &Call<'_>, id: &str) -> Option<Value> {
        call.find(id).or_else(|| {
            call.credentials()
                .tenants
                .iter()
                .find_map(|t| call.store().get(call.collection(), &t.id, id))
        })
    }

    fn read(call: &Call<'_>) -> Result<Outcome, Refusal> {
        let id = call.requested_id()?;
        any_tenant(call, &id)
            .map(Outcome::Resource)
            .ok_or_else(|| call.missing(&id))
    }

    /// Changes any tenant's resource in the answer; the store keeps it under its own tenant,
    /// so only the answer shows the change.
    fn update(call: &Call<'_>) -> Result<Outcome, Refusal> {
        let fields = call.fields()?;
        let id = call.requested_id()?;
        let stored = any_tenant(call, &id).ok_or_else(|| call.missing(&id))?;
        let (id, resource) = Update::apply(call, fields, stored)?;
        call.store()
            .replace(call.collection(), call.tenant_id(), &id, &resource);
        Ok(Outcome::Resource(resource))
    }

    fn list(call: &Call<'_>) -> Result<Outcome, Refusal> {
        let items = call
            .store()
            .all(call.collection())
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        Ok(Outcome::Items(List::page(call, items)))
    }
}
