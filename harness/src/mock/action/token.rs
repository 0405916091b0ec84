//! `token`: the OAuth client-credentials grant.

use serde_json::Value;

use super::call::{Action, Call, Outcome, Refusal};
use crate::mock::reply::{Reply, success_status};
use crate::spec::pointer;

/// Issues a tenant's bearer token for its client credentials (`client_id`, `client_secret`
/// of the form body): the documented body with `access_token` set to the tenant's secret of
/// the spec's bearer scheme.
#[derive(Debug, Clone, Copy, Default)]
pub struct Token;

impl Action for Token {
    fn run(&self, call: &Call<'_>) -> Result<Outcome, Refusal> {
        let field = |name: &str| {
            call.body()
                .and_then(|b| b.get(name))
                .and_then(Value::as_str)
        };
        let secret = field("client_secret");
        let tenant = call.credentials().tenants.iter().find(|t| {
            secret.is_some_and(|s| t.secrets.get("clientSecret").is_some_and(|own| own == s))
                && field("client_id")
                    .is_none_or(|id| t.secrets.get("clientId").is_none_or(|own| own == id))
        });
        let Some(tenant) = tenant else {
            return Err(Refusal::Status(
                401,
                "unknown client_id or client_secret".into(),
            ));
        };
        let bearer = call
            .spec()
            .security_schemes
            .iter()
            .find(|s| s.kind == "http" || s.kind == "oauth2")
            .and_then(|s| tenant.secrets.get(&s.name));
        let endpoint = call.endpoint();
        let status = success_status(endpoint);
        let mut body = call.core().template(endpoint, status);
        pointer::set(
            &mut body,
            "/access_token",
            Value::String(bearer.cloned().unwrap_or_default()),
        );
        Ok(Outcome::Reply(Reply::new(status, body)))
    }
}
