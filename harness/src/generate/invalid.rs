//! Invalid values: a valid value with exactly one violation, labelled with what it violates and
//! where. The sites come from the keywords (see `violate`); one is picked from the seed, and
//! every label is confirmed by the validator before the value is handed out.

use jsonschema::Validator;
use serde_json::Value;

use super::ir::{Arena, Id};
use super::keyword;
use super::rng::Draw;
use super::violate::{Edit, Spot, Walk};
use crate::spec::{SchemaSet, pointer};

/// What an invalid value violates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    /// Pointer into the value where the validator reports the violation.
    pub pointer: String,
    /// The keyword the validator reports (`required`, `maxLength`, `type`, `format`, `oneOf`...).
    pub keyword: String,
    /// The keyword that was broken: the same as `keyword`, except inside a `oneOf`/`anyOf`,
    /// which the validator reports as a whole (a too-long `label` inside a `oneOf` branch).
    pub cause: String,
    /// Pointer into the spec to the violated keyword.
    pub schema_pointer: String,
    /// What was changed, in words.
    pub description: String,
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{} at {at}: {}", self.keyword, self.description)
    }
}

/// An invalid value and its label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Invalid {
    /// The value.
    pub value: Value,
    /// What it violates.
    pub label: Label,
}

/// The schema invalid values are made for.
pub struct Subject<'a> {
    /// The compiled schemas.
    pub arena: &'a Arena,
    /// The schema's node.
    pub root: Id,
    /// Every schema of the spec (to find the `oneOf` branch a value is valid against).
    pub schemas: &'a SchemaSet,
    /// The schema's validator, which confirms each violation.
    pub validator: &'a Validator,
    /// The schema's pointer in the spec.
    pub pointer: &'a str,
}

/// Turns `valid` into an invalid value with one violation; `None` if no site gives exactly one.
pub fn mutate<R: Draw + ?Sized>(
    subject: &Subject<'_>,
    valid: &Value,
    rng: &mut R,
) -> Option<Invalid> {
    let mut walk = Walk::new(subject.arena, subject.schemas, keyword::checks());
    walk.node(subject.root, valid, &Spot::default());
    let sites = walk.into_sites();
    if sites.is_empty() {
        return None;
    }
    let start = rng.below(sites.len());
    for k in 0..sites.len() {
        let site = &sites[(start + k) % sites.len()];
        let mut value = valid.clone();
        match &site.edit {
            Edit::Remove { at, name } => {
                if let Some(Value::Object(map)) = value.pointer_mut(at) {
                    map.remove(name);
                }
            }
            Edit::Set { at, value: new } => {
                if at.is_empty() {
                    value = new.clone();
                } else {
                    pointer::set(&mut value, at, new.clone());
                }
            }
        }
        let violations =
            crate::spec::schemas::violations_of(subject.validator, subject.pointer, &value);
        if let [only] = violations.as_slice()
            && only.instance_pointer == site.expect_at
            && only.keyword == site.keyword
        {
            return Some(Invalid {
                value,
                label: Label {
                    pointer: site.expect_at.clone(),
                    keyword: site.keyword.to_string(),
                    cause: site.cause.to_string(),
                    schema_pointer: only.schema_pointer.clone(),
                    description: site.description.clone(),
                },
            });
        }
    }
    None
}
