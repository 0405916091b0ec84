//! Credentials: tenants, the secrets they present for each security scheme, and the
//! authentication stage of the request pipeline: checking a request against an endpoint's
//! security requirements and its tenancy ([`Authenticate`], default [`SpecSecurity`]).

use std::collections::BTreeMap;

use hyper::HeaderMap;

use crate::spec::extensions::MockAction;
use crate::spec::{Endpoint, ProviderSpec, SecurityScheme};

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

    /// Reads one `NAME=VALUE[@TENANT]` flag (tenant default `tenant-a`) of `spec`: NAME must
    /// be one of its credentials ([`credential_names`]). The name, the value and the tenant.
    pub fn parse_flag<'a>(
        spec: &ProviderSpec,
        flag: &'a str,
    ) -> Result<(&'a str, &'a str, &'a str), String> {
        let (name, rest) = flag
            .split_once('=')
            .ok_or_else(|| format!("`--credential {flag}`: expected NAME=VALUE[@TENANT]"))?;
        let (value, tenant) = rest.rsplit_once('@').unwrap_or((rest, "tenant-a"));
        let known = credential_names(spec);
        if !known.iter().any(|k| k == name) {
            return Err(format!(
                "`--credential {flag}`: `{name}` is not a credential of this spec; its credentials: {}",
                known.join(", ")
            ));
        }
        // A signing key that does not decode would sign every delivery with a wrong key.
        if let Some(key) = spec
            .signing
            .key
            .as_ref()
            .filter(|k| k.name.as_deref() == Some(name))
            && let Err(why) = key.decode(value)
        {
            return Err(format!(
                "`--credential {name}=...`: the signing key {why}; expected {}",
                key.shape()
            ));
        }
        Ok((name, value, tenant))
    }

    /// The credentials of `--credential NAME=VALUE[@TENANT]` flags; with none, the standalone
    /// mock's defaults ([`default_credentials`]).
    pub fn from_flags(spec: &ProviderSpec, flags: &[String]) -> Result<Self, String> {
        if flags.is_empty() {
            return Ok(default_credentials(spec));
        }
        let mut credentials = Self::default();
        for flag in flags {
            let (name, value, tenant) = Self::parse_flag(spec, flag)?;
            credentials.set(name, value, tenant);
        }
        Ok(credentials)
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

/// The names of every credential a spec's mock knows: its security schemes, the credential its
/// signature key comes from, and the client credentials of a token endpoint.
#[must_use]
pub fn credential_names(spec: &ProviderSpec) -> Vec<String> {
    let mut names: Vec<String> = spec
        .security_schemes
        .iter()
        .map(|s| s.name.clone())
        .collect();
    if let Some(name) = spec.signing.key.as_ref().and_then(|k| k.name.clone()) {
        names.push(name);
    }
    if spec.endpoints.iter().any(|e| {
        e.ext
            .mock
            .as_ref()
            .is_some_and(|m| m.action == MockAction::Token)
    }) {
        names.extend(["clientId".to_string(), "clientSecret".to_string()]);
    }
    names.sort();
    names.dedup();
    names
}

/// The credentials a mock of `spec` accepts by default: two tenants, `tenant-a` and
/// `tenant-b`, each with the secret `{provider}-{credential name in lower case}-{tenant}` for
/// every credential of the spec.
#[must_use]
pub fn default_credentials(spec: &ProviderSpec) -> Credentials {
    let mut credentials = Credentials::default();
    let signing_key =
        spec.signing.key.as_ref().filter(|k| {
            k.name.is_some() && k.from == crate::spec::extensions::KeySource::Credential
        });
    for tenant in ["tenant-a", "tenant-b"] {
        for name in credential_names(spec) {
            let text = format!(
                "{}-{}-{tenant}",
                spec.provider.id,
                name.to_ascii_lowercase()
            );
            // A signing key is written as the spec's key is (a `whsec_` prefix and Base64, say).
            let value = match signing_key {
                Some(key) if key.name.as_deref() == Some(name.as_str()) => key.encode_secret(&text),
                _ => text,
            };
            credentials.set(&name, &value, tenant);
        }
    }
    credentials
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

/// A request as the authentication stage sees it.
#[derive(Debug, Clone, Copy)]
pub struct AuthRequest<'r, 'c> {
    credentials: &'c Credentials,
    schemes: &'r [SecurityScheme],
    endpoint: &'r Endpoint,
    headers: &'r HeaderMap,
    query: &'r [(String, String)],
    params: &'r [(String, String)],
}

impl<'r, 'c> AuthRequest<'r, 'c> {
    /// A request to `endpoint` with these headers, query pairs and path parameters, checked
    /// against `credentials` and the spec's security `schemes`.
    pub(super) fn new(
        credentials: &'c Credentials,
        schemes: &'r [SecurityScheme],
        endpoint: &'r Endpoint,
        headers: &'r HeaderMap,
        query: &'r [(String, String)],
        params: &'r [(String, String)],
    ) -> Self {
        Self {
            credentials,
            schemes,
            endpoint,
            headers,
            query,
            params,
        }
    }

    /// The tenants the mock accepts.
    #[must_use]
    pub fn credentials(&self) -> &'c Credentials {
        self.credentials
    }

    /// The endpoint the request matched.
    #[must_use]
    pub fn endpoint(&self) -> &'r Endpoint {
        self.endpoint
    }

    /// The request headers.
    #[must_use]
    pub fn headers(&self) -> &'r HeaderMap {
        self.headers
    }

    /// The decoded query pairs.
    #[must_use]
    pub fn query(&self) -> &'r [(String, String)] {
        self.query
    }

    /// The path parameters.
    #[must_use]
    pub fn params(&self) -> &'r [(String, String)] {
        self.params
    }

    /// The endpoint's security requirements: the tenant whose secrets the request presents
    /// (`None` for an endpoint that needs no credentials). `Err` says what was wrong.
    pub fn check_credentials(&self) -> Result<Option<&'c Tenant>, String> {
        authenticate(
            self.credentials,
            self.schemes,
            &self.endpoint.security,
            self.headers,
            self.query,
        )
    }

    /// The endpoint's tenancy: where `x-operation.mock.tenant` is `path:<param>`, that path
    /// parameter must be the id of the authenticated `tenant`. `Err` says what was wrong.
    pub fn check_tenant(&self, tenant: Option<&Tenant>) -> Result<(), String> {
        let param = self
            .endpoint
            .ext
            .mock
            .as_ref()
            .and_then(|m| m.tenant.as_deref())
            .and_then(|t| t.strip_prefix("path:"));
        if let (Some(param), Some(tenant)) = (param, tenant) {
            let value = self
                .params
                .iter()
                .find(|(n, _)| n == param)
                .map_or("", |(_, v)| v.as_str());
            if value != tenant.id {
                return Err(format!(
                    "the credentials do not belong to {param} `{value}`"
                ));
            }
        }
        Ok(())
    }
}

/// The authentication stage: which tenant a request acts for. `Err` is the message of the
/// refusal (401, or 403 where only that is documented).
pub trait Authenticate: Send + Sync {
    /// The tenant `request` acts for (`None` where the endpoint needs no credentials).
    fn authenticate<'c>(&self, request: &AuthRequest<'_, 'c>)
    -> Result<Option<&'c Tenant>, String>;
}

/// The default: the endpoint's security requirements
/// ([`AuthRequest::check_credentials`]), then its tenancy ([`AuthRequest::check_tenant`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SpecSecurity;

impl Authenticate for SpecSecurity {
    fn authenticate<'c>(
        &self,
        request: &AuthRequest<'_, 'c>,
    ) -> Result<Option<&'c Tenant>, String> {
        let tenant = request.check_credentials()?;
        request.check_tenant(tenant)?;
        Ok(tenant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signing_credential_that_does_not_decode_is_refused() {
        let mut spec = ProviderSpec::load("happycolis").unwrap();
        assert!(Credentials::parse_flag(&spec, "clientSecret=anything@t").is_ok());
        // The same spec with Standard Webhooks keys: the credential must be Base64.
        if let Some(key) = spec.signing.key.as_mut() {
            key.encoding = crate::spec::extensions::KeyEncoding::Base64;
            key.prefix = Some("whsec_".into());
        }
        let error = Credentials::parse_flag(&spec, "clientSecret=whsec_!!").unwrap_err();
        assert!(
            error.contains("not Base64") && error.contains("whsec_"),
            "{error}"
        );
        assert!(Credentials::parse_flag(&spec, "clientSecret=whsec_AAEC").is_ok());
        assert!(Credentials::parse_flag(&spec, "nope=1").is_err());
    }
}
