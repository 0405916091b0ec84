//! Invalid values: a valid value with exactly one violation, labelled with what it violates and
//! where. Every label is confirmed by the validator before the value is handed out.

use serde_json::{Map, Value};

use super::Inner;
use super::formats::Format;
use super::ir::{Additional, Id, Kind, Types};
use super::number::integer_bounds;
use super::rng::Draw;
use crate::spec::pointer;

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

enum Edit {
    Remove { at: String, name: String },
    Set { at: String, value: Value },
}

struct Site {
    edit: Edit,
    expect_at: String,
    keyword: &'static str,
    cause: &'static str,
    description: String,
}

/// The enclosing combinator, if any: a violation inside it is reported there.
type Outer = Option<(String, &'static str)>;

/// Turns `valid` into an invalid value with one violation; `None` if no site gives exactly one.
pub fn mutate<R: Draw + ?Sized>(inner: &Inner, valid: &Value, rng: &mut R) -> Option<Invalid> {
    let mut sites = Vec::new();
    collect(inner, inner.root, valid, String::new(), None, &mut sites);
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
            crate::spec::schemas::violations_of(&inner.validator, &inner.schema_pointer, &value);
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

fn collect(inner: &Inner, id: Id, value: &Value, at: String, outer: Outer, out: &mut Vec<Site>) {
    let arena = &inner.arena;
    let id = arena.resolve(id);
    let node = &arena.nodes[id];
    let push = |edit: Edit, keyword: &'static str, description: String, out: &mut Vec<Site>| {
        let cause = keyword;
        let (expect_at, keyword, description) = match &outer {
            Some((o_at, o_kw)) => (
                o_at.clone(),
                *o_kw,
                format!("{description} (inside the {o_kw} at {})", shown(o_at)),
            ),
            None => (at.clone(), keyword, description),
        };
        out.push(Site {
            edit,
            expect_at,
            keyword,
            cause,
            description,
        });
    };
    match &node.kind {
        Kind::Any | Kind::Never | Kind::Ref(_) => {}
        Kind::Choice(values, keyword) => {
            let other = ["__not_a_listed_value__", "__other__"]
                .iter()
                .map(|s| Value::String((*s).to_string()))
                .find(|v| !values.contains(v));
            if let Some(other) = other {
                push(
                    Edit::Set {
                        at: at.clone(),
                        value: other,
                    },
                    keyword,
                    format!("{} is not the allowed value(s)", shown(&at)),
                    out,
                );
            }
        }
        Kind::OneOf(branches) | Kind::AnyOf(branches) => {
            let keyword = if matches!(node.kind, Kind::OneOf(_)) {
                "oneOf"
            } else {
                "anyOf"
            };
            let branch = branches.iter().copied().find(|b| {
                let pointer = &arena.nodes[arena.resolve(*b)].pointer;
                inner
                    .schemas
                    .get(pointer)
                    .is_some_and(|v| v.is_valid(value))
            });
            if let Some(branch) = branch {
                collect(
                    inner,
                    branch,
                    value,
                    at.clone(),
                    outer.or(Some((at, keyword))),
                    out,
                );
            }
        }
        Kind::Typed {
            types,
            string,
            number,
            object,
            array,
        } => {
            if *types != Types::ALL {
                let wrong = [
                    (Types::STRING, Value::String("wrong type".into())),
                    (Types::INTEGER, Value::from(12345)),
                    (Types::BOOLEAN, Value::Bool(true)),
                    (Types::NULL, Value::Null),
                    (Types::OBJECT, Value::Object(Map::new())),
                    (Types::ARRAY, Value::Array(Vec::new())),
                ]
                .into_iter()
                .find(|(t, _)| !types.has(*t));
                if let Some((t, v)) = wrong {
                    push(
                        Edit::Set {
                            at: at.clone(),
                            value: v,
                        },
                        "type",
                        format!(
                            "{} is a {} where the schema wants another type",
                            shown(&at),
                            t.name()
                        ),
                        out,
                    );
                }
            }
            match value {
                Value::String(s) => {
                    let len = s.chars().count();
                    if let Some(max) = string.max {
                        let longer: String = s
                            .chars()
                            .chain(std::iter::repeat_n('x', max + 1 - len.min(max + 1)))
                            .collect();
                        push(
                            Edit::Set {
                                at: at.clone(),
                                value: Value::String(longer),
                            },
                            "maxLength",
                            format!(
                                "{} is {} characters, longer than maxLength {max}",
                                shown(&at),
                                max + 1
                            ),
                            out,
                        );
                    }
                    if string.min > 0 {
                        let shorter: String = s.chars().take(string.min - 1).collect();
                        push(
                            Edit::Set {
                                at: at.clone(),
                                value: Value::String(shorter),
                            },
                            "minLength",
                            format!(
                                "{} is {} characters, shorter than minLength {}",
                                shown(&at),
                                string.min - 1,
                                string.min
                            ),
                            out,
                        );
                    }
                    if let Some(pattern) = &string.pattern {
                        let candidates = [
                            "!".repeat(string.min.max(1)),
                            format!("!{}", s.chars().skip(1).collect::<String>()),
                            String::new(),
                        ];
                        if let Some(bad) = candidates.into_iter().find(|c| !pattern.matches(c)) {
                            push(
                                Edit::Set {
                                    at: at.clone(),
                                    value: Value::String(bad),
                                },
                                "pattern",
                                format!(
                                    "{} does not match the pattern {}",
                                    shown(&at),
                                    pattern.source
                                ),
                                out,
                            );
                        }
                    }
                    if let Some(format) = string.format {
                        push(
                            Edit::Set {
                                at: at.clone(),
                                value: Value::String(broken(format, s)),
                            },
                            "format",
                            format!("{} is not a valid {}", shown(&at), format.name()),
                            out,
                        );
                    }
                }
                Value::Number(n) => {
                    let integer = n.is_i64() || n.is_u64();
                    if let Some(min) = number.min {
                        let below = if integer {
                            Value::from(integer_bounds(number).0 - 1)
                        } else {
                            float(if number.exclusive_min { min } else { min - 1.0 })
                        };
                        let keyword = if number.exclusive_min {
                            "exclusiveMinimum"
                        } else {
                            "minimum"
                        };
                        push(
                            Edit::Set {
                                at: at.clone(),
                                value: below,
                            },
                            keyword,
                            format!("{} is below the {keyword} {min}", shown(&at)),
                            out,
                        );
                    }
                    if let Some(max) = number.max {
                        let above = if integer {
                            Value::from(integer_bounds(number).1 + 1)
                        } else {
                            float(if number.exclusive_max { max } else { max + 1.0 })
                        };
                        let keyword = if number.exclusive_max {
                            "exclusiveMaximum"
                        } else {
                            "maximum"
                        };
                        push(
                            Edit::Set {
                                at: at.clone(),
                                value: above,
                            },
                            keyword,
                            format!("{} is above the {keyword} {max}", shown(&at)),
                            out,
                        );
                    }
                }
                Value::Array(items) => {
                    if array.min > 0 && items.len() >= array.min {
                        let fewer = Value::Array(items[..array.min - 1].to_vec());
                        push(
                            Edit::Set {
                                at: at.clone(),
                                value: fewer,
                            },
                            "minItems",
                            format!(
                                "{} has {} items, fewer than minItems {}",
                                shown(&at),
                                array.min - 1,
                                array.min
                            ),
                            out,
                        );
                    }
                    if let (Some(max), Some(last)) = (array.max, items.last()) {
                        let mut more = items.clone();
                        while more.len() <= max {
                            more.push(last.clone());
                        }
                        push(
                            Edit::Set {
                                at: at.clone(),
                                value: Value::Array(more),
                            },
                            "maxItems",
                            format!(
                                "{} has {} items, more than maxItems {max}",
                                shown(&at),
                                max + 1
                            ),
                            out,
                        );
                    }
                    for (i, item) in items.iter().enumerate() {
                        if let Some(child) = array.prefix.get(i).copied().or(array.items) {
                            collect(inner, child, item, format!("{at}/{i}"), outer.clone(), out);
                        }
                    }
                }
                Value::Object(map) => {
                    for name in &object.required {
                        if map.contains_key(name) {
                            push(
                                Edit::Remove {
                                    at: at.clone(),
                                    name: name.clone(),
                                },
                                "required",
                                format!(
                                    "the required property `{name}` of {} is missing",
                                    shown(&at)
                                ),
                                out,
                            );
                        }
                    }
                    if object.additional == Additional::Never {
                        let name = "unexpectedProperty";
                        push(
                            Edit::Set {
                                at: pointer::join(&at, name),
                                value: Value::from(1),
                            },
                            "additionalProperties",
                            format!("{} has an unknown property `{name}`", shown(&at)),
                            out,
                        );
                    }
                    for (name, child) in map {
                        let schema = object
                            .properties
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, id)| *id)
                            .or(match object.additional {
                                Additional::Schema(id) => Some(id),
                                _ => None,
                            });
                        if let Some(schema) = schema {
                            collect(
                                inner,
                                schema,
                                child,
                                pointer::join(&at, name),
                                outer.clone(),
                                out,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn shown(at: &str) -> String {
    if at.is_empty() {
        "the value".to_string()
    } else {
        format!("`{at}`")
    }
}

fn float(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn broken(format: Format, original: &str) -> String {
    // Drawn from the original, so the same valid value always breaks the same way.
    format.broken(&mut super::rng::seeded(original.len() as u64))
}
