//! Schema validation of what the mock accepts: request bodies (after the target-URL rule) and
//! the resources it is about to store. A stage of its own ([`Validate`], default
//! [`SchemaValidation`]) so that a mock can be given another one (`MockBuilder::validate`).

use serde_json::Value;

use super::schema;
use crate::spec::ProviderSpec;

/// What is being validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validated {
    /// A request body, against the operation's request schema.
    RequestBody,
    /// A resource about to be stored, against the operation's resource schema.
    Resource,
}

/// One validation: a value and the schema it must match.
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    /// The spec the schema belongs to.
    pub spec: &'a ProviderSpec,
    /// What the value is.
    pub what: Validated,
    /// The JSON Pointer of the schema in the spec document.
    pub schema: &'a str,
    /// The value.
    pub value: &'a Value,
}

/// Checks values against their schemas. `Err` is the message of the refusal (a 400, or 422
/// where only that is documented). A plain closure
/// `Fn(&Validation<'_>) -> Result<(), String>` is one.
pub trait Validate: Send + Sync {
    /// Checks one value.
    fn validate(&self, check: &Validation<'_>) -> Result<(), String>;
}

impl<F> Validate for F
where
    F: Fn(&Validation<'_>) -> Result<(), String> + Send + Sync,
{
    fn validate(&self, check: &Validation<'_>) -> Result<(), String> {
        self(check)
    }
}

/// The default: the spec's compiled JSON Schemas. A request body's refusal names up to three
/// violations (for a discriminated `oneOf`, those of the branch the body names); a resource's
/// names the first.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemaValidation;

impl Validate for SchemaValidation {
    fn validate(&self, check: &Validation<'_>) -> Result<(), String> {
        match check.what {
            Validated::RequestBody => body(check.spec, check.schema, check.value),
            Validated::Resource => match check
                .spec
                .schemas
                .violations(check.schema, check.value)
                .and_then(|v| v.into_iter().next())
            {
                Some(violation) => Err(format!("the resource would be invalid: {violation}")),
                None => Ok(()),
            },
        }
    }
}

fn body(spec: &ProviderSpec, schema: &str, value: &Value) -> Result<(), String> {
    if spec.schemas.is_valid(schema, value) {
        return Ok(());
    }
    // A discriminated oneOf: report the chosen branch's errors, which name the field.
    let precise = schema::discriminated(&spec.document, schema, value)
        .filter(|branch| spec.schemas.get(branch).is_some());
    let violations = spec
        .schemas
        .violations(precise.as_deref().unwrap_or(schema), value)
        .unwrap_or_default();
    let message = violations
        .iter()
        .take(3)
        .map(|v| {
            if v.instance_pointer.is_empty() {
                v.message.clone()
            } else {
                format!("{}: {}", v.instance_pointer, v.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(if message.is_empty() {
        "the body does not match the schema".into()
    } else {
        message
    })
}
