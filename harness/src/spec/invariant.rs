//! Cross-field invariants (`x-invariants`): checking them on a payload.

use serde_json::Value;

use super::extensions::{InvariantExt, Rule};
use super::pointer;

/// Why a payload breaks an invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The invariant's id.
    pub invariant: String,
    /// What is wrong, naming the pointers.
    pub message: String,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invariant `{}`: {}", self.invariant, self.message)
    }
}

impl InvariantExt {
    /// Whether this invariant applies to `event`.
    #[must_use]
    pub fn applies_to(&self, event: &str) -> bool {
        self.events
            .as_ref()
            .is_none_or(|events| events.iter().any(|e| e == event))
    }

    /// Whether the rule needs a subscription to be checked (it cannot be checked on examples).
    #[must_use]
    pub fn needs_subscription(&self) -> bool {
        matches!(self.rule, Rule::Subscription { .. })
    }

    /// Checks the invariant on the payload of `event`. `subscription` is the stored subscription
    /// the payload was delivered for, when known; a subscription rule without it is not checked.
    pub fn check(
        &self,
        event: &str,
        payload: &Value,
        subscription: Option<&Value>,
    ) -> Result<(), Breach> {
        let breach = |message: String| Breach {
            invariant: self.id.clone(),
            message,
        };
        match &self.rule {
            Rule::Equal(pointers) => {
                let mut first: Option<(&str, &Value)> = None;
                for ptr in pointers {
                    let Some(value) = pointer::get(payload, ptr) else {
                        return Err(breach(format!("{ptr} is missing")));
                    };
                    match first {
                        None => first = Some((ptr, value)),
                        Some((first_ptr, first_value)) if first_value != value => {
                            return Err(breach(format!(
                                "{first_ptr} is {first_value} but {ptr} is {value}"
                            )));
                        }
                        Some(_) => {}
                    }
                }
                Ok(())
            }
            Rule::EventName(ptr) => match pointer::get(payload, ptr) {
                Some(Value::String(name)) if name == event => Ok(()),
                Some(other) => Err(breach(format!(
                    "{ptr} is {other}, not the event name \"{event}\""
                ))),
                None => Err(breach(format!("{ptr} is missing"))),
            },
            Rule::MemberOf { value, array } => {
                let Some(item) = pointer::get(payload, value) else {
                    return Err(breach(format!("{value} is missing")));
                };
                match pointer::get(payload, array) {
                    Some(Value::Array(items)) if items.contains(item) => Ok(()),
                    Some(Value::Array(_)) => {
                        Err(breach(format!("{value} ({item}) is not in {array}")))
                    }
                    Some(_) => Err(breach(format!("{array} is not an array"))),
                    None => Err(breach(format!("{array} is missing"))),
                }
            }
            Rule::Subscription {
                payload: in_payload,
                subscription: in_subscription,
            } => {
                let Some(subscription) = subscription else {
                    return Ok(());
                };
                let got = pointer::get(payload, in_payload);
                let want = pointer::get(subscription, in_subscription);
                if got.is_some() && got == want {
                    Ok(())
                } else {
                    Err(breach(format!(
                        "{in_payload} is {} but the subscription's {in_subscription} is {}",
                        got.map_or("missing".into(), Value::to_string),
                        want.map_or("missing".into(), Value::to_string)
                    )))
                }
            }
        }
    }

    /// The pointers the rule reads in the payload.
    #[must_use]
    pub fn payload_pointers(&self) -> Vec<&str> {
        match &self.rule {
            Rule::Equal(pointers) => pointers.iter().map(String::as_str).collect(),
            Rule::EventName(ptr) => vec![ptr],
            Rule::MemberOf { value, array } => vec![value, array],
            Rule::Subscription { payload, .. } => vec![payload],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invariant(rule: Rule) -> InvariantExt {
        InvariantExt {
            id: "t".into(),
            description: String::new(),
            source: vec![],
            events: None,
            rule,
        }
    }

    #[test]
    fn equal_rule() {
        let rule = invariant(Rule::Equal(vec!["/a".into(), "/b/c".into()]));
        assert!(
            rule.check("e", &json!({"a": 1, "b": {"c": 1}}), None)
                .is_ok()
        );
        let breach = rule
            .check("e", &json!({"a": 1, "b": {"c": 2}}), None)
            .unwrap_err();
        assert!(breach.message.contains("/b/c is 2"), "{breach}");
        assert!(rule.check("e", &json!({"a": 1}), None).is_err());
    }

    #[test]
    fn event_name_and_member_of() {
        let name = invariant(Rule::EventName("/event".into()));
        assert!(name.check("x.y", &json!({"event": "x.y"}), None).is_ok());
        assert!(name.check("x.y", &json!({"event": "x.z"}), None).is_err());
        let member = invariant(Rule::MemberOf {
            value: "/e".into(),
            array: "/list".into(),
        });
        assert!(
            member
                .check("_", &json!({"e": "a", "list": ["b", "a"]}), None)
                .is_ok()
        );
        assert!(
            member
                .check("_", &json!({"e": "c", "list": ["b", "a"]}), None)
                .is_err()
        );
    }

    #[test]
    fn subscription_rule_needs_a_subscription() {
        let rule = invariant(Rule::Subscription {
            payload: "/h/id".into(),
            subscription: "/id".into(),
        });
        let payload = json!({"h": {"id": "w1"}});
        assert!(rule.check("_", &payload, None).is_ok());
        assert!(
            rule.check("_", &payload, Some(&json!({"id": "w1"})))
                .is_ok()
        );
        assert!(
            rule.check("_", &payload, Some(&json!({"id": "w2"})))
                .is_err()
        );
    }
}
