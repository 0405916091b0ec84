//! Credentials: tenants, the secrets they present for each security scheme, and checking a
//! request against an endpoint's security requirements.

use std::collections::BTreeMap;

use hyper::HeaderMap;

use crate::spec::SecurityScheme;

/// One tenant (an account, a project, an integration) and its secret per security scheme.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tenant {
    /// The tenant id: what `path:<param>` tenancy compares with (uc.alxgsv's project id).
    pub id: String,
    /// Secret per security scheme name (`ApiKeyAuth` → the key).
    pub secrets: BTreeMap<String, String>,
}

/// The tenants a mock accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Credentials {
    /// Every tenant, the first is the default one.
    pub tenants: Vec<Tenant>,
}

impl Credentials {
    /// The tenant `id`.
    #[must_use]
    pub fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// The secret of `tenant` for `scheme`.
    #[must_use]
    pub fn secret(&self, tenant: &str, scheme: &str) -> Option<&str> {
        self.tenant(tenant)?.secrets.get(scheme).map(String::as_str)
    }

    /// Adds or changes a secret (the `--credential SCHEME=VALUE[@TENANT]` flag).
    pub fn set(&mut self, scheme: &str, value: &str, tenant: &str) {
        match self.tenants.iter_mut().find(|t| t.id == tenant) {
            Some(t) => {
                t.secrets.insert(scheme.to_string(), value.to_string());
            }
            None => self.tenants.push(Tenant {
                id: tenant.to_string(),
                secrets: BTreeMap::from([(scheme.to_string(), value.to_string())]),
            }),
        }
    }
}

/// What a request presents for `scheme`, if anything.
#[must_use]
pub fn presented<'h>(
    scheme: &SecurityScheme,
    headers: &'h HeaderMap,
    query: &'h [(String, String)],
) -> Option<std::borrow::Cow<'h, str>> {
    match scheme.kind.as_str() {
        "apiKey" => {
            let name = scheme.parameter.as_deref()?;
            match scheme.location.as_deref() {
                Some("query") => query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str().into()),
                _ => headers.get(name)?.to_str().ok().map(Into::into),
            }
        }
        "http" | "oauth2" | "openIdConnect" => {
            let value = headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
            let (kind, token) = value.split_once(' ')?;
            kind.eq_ignore_ascii_case("bearer")
                .then(|| token.trim().into())
        }
        _ => None,
    }
}

/// The tenant whose secrets satisfy one of `requirements` (alternatives of scheme names that
/// must all match). `Err` says what was wrong, for the refusal message.
pub fn authenticate<'c>(
    credentials: &'c Credentials,
    schemes: &[SecurityScheme],
    requirements: &[Vec<String>],
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Result<Option<&'c Tenant>, String> {
    if requirements.is_empty() || requirements.iter().any(Vec::is_empty) {
        return Ok(None);
    }
    let mut missing = Vec::new();
    for requirement in requirements {
        let presented: Option<Vec<(&String, std::borrow::Cow<'_, str>)>> = requirement
            .iter()
            .map(|name| {
                let scheme = schemes.iter().find(|s| &s.name == name)?;
                presented(scheme, headers, query).map(|value| (name, value))
            })
            .collect();
        let Some(presented) = presented else {
            missing.push(
                requirement
                    .iter()
                    .map(|n| describe(schemes, n))
                    .collect::<Vec<_>>()
                    .join(" and "),
            );
            continue;
        };
        if let Some(tenant) = credentials.tenants.iter().find(|t| {
            presented.iter().all(|(name, value)| {
                t.secrets
                    .get(*name)
                    .is_some_and(|s| s.as_bytes() == value.as_bytes())
            })
        }) {
            return Ok(Some(tenant));
        }
        return Err(format!(
            "the credentials presented ({}) are not valid",
            requirement
                .iter()
                .map(|n| describe(schemes, n))
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    Err(format!(
        "missing credentials: send {}",
        missing.join(", or ")
    ))
}

fn describe(schemes: &[SecurityScheme], name: &str) -> String {
    match schemes.iter().find(|s| s.name == name) {
        Some(s) if s.kind == "apiKey" => format!(
            "the `{}` {}",
            s.parameter.as_deref().unwrap_or(name),
            s.location.as_deref().unwrap_or("header")
        ),
        Some(_) => "`Authorization: Bearer <token>`".to_string(),
        None => format!("`{name}`"),
    }
}
