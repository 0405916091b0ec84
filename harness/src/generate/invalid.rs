//! Invalid values: a valid value with exactly one violation, labelled with what it violates and
//! where. The sites come from the keywords (see `violate`); one is picked from the seed, and
//! every label is confirmed by the validator before the value is handed out.

use jsonschema::Validator;
use serde_json::Value;

use super::ir::{Arena, Id};
use super::keyword;
use super::rng::Draw;
use super::violate::{Edit, Site, Spot, Walk};
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
/// Where no site gives exactly one (a violation inside a combinator, an `if`, a `not`, which
/// the validator reports in its own words), the first site that breaks the value at all is
/// taken, labelled with the validator's first error.
pub fn mutate<R: Draw + ?Sized>(
    subject: &Subject<'_>,
    valid: &Value,
    rng: &mut R,
) -> Option<Invalid> {
    let sites = sites(subject, valid);
    if sites.is_empty() {
        return None;
    }
    let start = rng.below(sites.len());
    let order = || (0..sites.len()).map(|k| &sites[(start + k) % sites.len()]);
    order()
        .find_map(|site| confirm(subject, valid, site, true))
        .or_else(|| order().find_map(|site| confirm(subject, valid, site, false)))
}

/// Every one-edit violation of `valid`, each confirmed by the validator: exactly one error
/// where the site can give that, else the validator's first. One per keyword and place.
/// `seen` holds the (keyword, place) pairs covered already, across calls.
pub fn every(
    subject: &Subject<'_>,
    valid: &Value,
    seen: &mut Vec<(&'static str, String)>,
) -> Vec<Invalid> {
    let mut out = Vec::new();
    for site in sites(subject, valid) {
        let key = (site.cause, edited_at(&site.edit));
        if seen.contains(&key) {
            continue;
        }
        let confirmed =
            confirm(subject, valid, &site, true).or_else(|| confirm(subject, valid, &site, false));
        if let Some(invalid) = confirmed {
            seen.push(key);
            out.push(invalid);
        }
    }
    out
}

/// The sites of `valid`, in walk order.
fn sites(subject: &Subject<'_>, valid: &Value) -> Vec<Site> {
    let mut walk = Walk::new(subject.arena, subject.schemas, keyword::checks());
    walk.node(subject.root, valid, &Spot::default());
    walk.into_sites()
}

/// Where an edit applies, with array indices as `*`: items of one array share their schema, so
/// one of them stands for all.
fn edited_at(edit: &Edit) -> String {
    let at = match edit {
        Edit::Remove { at, name } => pointer::join(at, name),
        Edit::Set { at, .. } => at.clone(),
    };
    at.split('/')
        .map(|token| {
            if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                token
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `valid` with the site's edit, if the validator confirms it invalid: with `exact`, only as
/// the site's one expected error.
fn confirm(subject: &Subject<'_>, valid: &Value, site: &Site, exact: bool) -> Option<Invalid> {
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
    let label = match violations.as_slice() {
        [only] if only.instance_pointer == site.expect_at && only.keyword == site.keyword => {
            Label {
                pointer: site.expect_at.clone(),
                keyword: site.keyword.to_string(),
                cause: site.cause.to_string(),
                schema_pointer: only.schema_pointer.clone(),
                description: site.description.clone(),
            }
        }
        [first, ..] if !exact => Label {
            pointer: first.instance_pointer.clone(),
            keyword: first.keyword.clone(),
            cause: site.cause.to_string(),
            schema_pointer: first.schema_pointer.clone(),
            description: site.description.clone(),
        },
        _ => return None,
    };
    Some(Invalid { value, label })
}
