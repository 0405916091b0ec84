//! A JSON value with edits laid over it, written without building the edited value.
//!
//! Stage 1 of delivery makes one payload per subscription from the event's payload: a few
//! members set from the subscription (its id, its echoed resource) or removed. Cloning the
//! whole payload for each subscription, to change a few members, cost more than writing it; an
//! [`Edit`] list over the shared payload is written as the edited value would be, byte for
//! byte, by both serialisers. [`exact`] says when that holds (every edit replaces, adds or
//! removes an object member, or replaces an array element, inside containers the payload
//! already has, and no edit lies inside another); otherwise [`apply`] builds the edited value.

use std::borrow::Cow;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::spec::pointer;

/// One edit: the value at a JSON Pointer set (missing object members created on the way, as
/// [`pointer::set`] does), or the object member there removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Where, as a JSON Pointer (shared by the edits of every subscription at that place).
    pub pointer: Arc<str>,
    /// Its reference tokens, unescaped.
    pub tokens: Arc<[String]>,
    /// The new value; `None` removes the member.
    pub value: Option<Value>,
}

impl Edit {
    /// Sets `pointer` to `value` (`None`: removes it). `None` when `pointer` is not a JSON Pointer.
    #[must_use]
    pub fn new(pointer: &str, value: Option<Value>) -> Option<Self> {
        if !pointer::is_valid(pointer) {
            return None;
        }
        Some(Self {
            pointer: Arc::from(pointer),
            tokens: Arc::from(pointer::tokens(pointer)?),
            value,
        })
    }

    /// The same place, with `value`.
    #[must_use]
    pub fn with(&self, value: Option<Value>) -> Self {
        Self {
            pointer: Arc::clone(&self.pointer),
            tokens: Arc::clone(&self.tokens),
            value,
        }
    }
}

/// `base` with `edits` applied in order: the edited value itself.
#[must_use]
pub fn apply(base: &Value, edits: &[Edit]) -> Value {
    let mut out = base.clone();
    for edit in edits {
        match &edit.value {
            Some(value) => {
                pointer::set(&mut out, &edit.pointer, value.clone());
            }
            None => remove(&mut out, &edit.pointer),
        }
    }
    out
}

/// The same edits, fewer where they overlap, for [`exact`] to accept: an edit inside an
/// earlier set value is made in that value, and a set at the same place as an earlier set
/// takes its place (both only when no edit in between touches that place). [`apply`] gives the
/// same value for both lists.
#[must_use]
pub fn normalize(edits: Vec<Edit>) -> Vec<Edit> {
    let overlaps = |a: &Edit, b: &Edit| {
        a.tokens.starts_with(&b.tokens[..]) || b.tokens.starts_with(&a.tokens[..])
    };
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        // Only the last edit that touches this place may take it in.
        let last = out.iter().rposition(|o| overlaps(o, &edit));
        // (A removal at the very place of a set is kept apart: whether it removes anything
        // depends on the container, an array element staying.)
        if let Some(i) = last
            && edit.tokens.starts_with(&out[i].tokens[..])
            && out[i].value.is_some()
            && (edit.value.is_some() || edit.tokens.len() > out[i].tokens.len())
        {
            let rest: String = edit.tokens[out[i].tokens.len()..]
                .iter()
                .fold(String::new(), |p, t| pointer::join(&p, t));
            if rest.is_empty() {
                out[i].value.clone_from(&edit.value);
            } else if let Some(value) = out[i].value.as_mut() {
                match &edit.value {
                    Some(new) => {
                        pointer::set(value, &rest, new.clone());
                    }
                    None => remove(value, &rest),
                }
            }
            continue;
        }
        out.push(edit);
    }
    out
}

/// Removes the object member at `at` (nothing when its parent is not an object).
fn remove(value: &mut Value, at: &str) {
    let Some((parent, last)) = at.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
        map.shift_remove(&pointer::unescape(last));
    }
}

/// Whether writing `base` with `edits` laid over it gives exactly what [`apply`] gives.
#[must_use]
pub fn exact(base: &Value, edits: &[Edit]) -> bool {
    edits.iter().enumerate().all(|(i, edit)| {
        let Some((last, parents)) = edit.tokens.split_last() else {
            return false; // The whole value replaced.
        };
        // No edit inside another (nor two at one place): each is written on its own.
        let apart = edits.iter().enumerate().all(|(j, other)| {
            i == j
                || !(edit.tokens.starts_with(&other.tokens[..])
                    || other.tokens.starts_with(&edit.tokens[..]))
        });
        // Every container on the way exists (nothing created), and the last one takes the edit
        // in place: any member of an object, an existing element of an array (not removed).
        let mut node = base;
        for token in parents {
            node = match node {
                Value::Object(map) => match map.get(token) {
                    Some(child) => child,
                    None => return false,
                },
                Value::Array(items) => match pointer::index(token).and_then(|i| items.get(i)) {
                    Some(child) => child,
                    None => return false,
                },
                _ => return false,
            };
        }
        apart
            && match node {
                Value::Object(_) => true,
                Value::Array(items) => {
                    edit.value.is_some() && pointer::index(last).is_some_and(|i| i < items.len())
                }
                _ => false,
            }
    })
}

/// What [`get`] reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Read<'v> {
    /// The value there (`None`: nothing is there).
    At(Option<&'v Value>),
    /// A container some edit reaches into: build the edited value with [`apply`] to read it.
    Edited,
}

/// The value at `at` in `base` with `edits` laid over it (read without allocating).
#[must_use]
pub fn get<'v>(base: &'v Value, edits: &'v [Edit], at: &str) -> Read<'v> {
    if !pointer::is_valid(at) {
        return Read::At(None);
    }
    for edit in edits.iter().rev() {
        // How many of the edit's tokens `at` starts with, and where the rest of `at` begins.
        let mut rest = at;
        let mut matched = 0;
        for token in edit.tokens.iter() {
            let Some(after) = rest.strip_prefix('/') else {
                break;
            };
            let end = after.find('/').unwrap_or(after.len());
            let raw = &after[..end];
            let same = if raw.contains('~') {
                pointer::unescape(raw) == *token
            } else {
                raw == token
            };
            if !same {
                break;
            }
            matched += 1;
            rest = &after[end..];
        }
        if matched == edit.tokens.len() {
            return Read::At(edit.value.as_ref().and_then(|v| pointer::get(v, rest)));
        }
        if rest.is_empty() {
            // `at` is a container this edit reaches into.
            return Read::Edited;
        }
    }
    Read::At(pointer::get(base, at))
}

/// The value at `at` of the edited value: read through the overlay where it can be (borrowed),
/// else from the edited value built with [`apply`] (a container the edits reach into).
#[must_use]
pub fn read<'v>(base: &'v Value, edits: &'v [Edit], at: &str) -> Option<Cow<'v, Value>> {
    match get(base, edits, at) {
        Read::At(value) => value.map(Cow::Borrowed),
        Read::Edited => pointer::get(&apply(base, edits), at)
            .cloned()
            .map(Cow::Owned),
    }
}

/// A node of the edited value.
pub(super) enum Node<'a> {
    /// A value no edit reaches into.
    Plain(&'a Value),
    /// A container some edits reach into, with those edits and how deep the node is.
    Edited(&'a Value, Vec<&'a Edit>, usize),
}

impl<'a> Node<'a> {
    /// The root of `base` with `edits` (which must be [`exact`]) laid over it.
    pub(super) fn root(base: &'a Value, edits: &'a [Edit]) -> Self {
        if edits.is_empty() {
            Node::Plain(base)
        } else {
            Node::Edited(base, edits.iter().collect(), 0)
        }
    }

    /// The child reached through `token`, given the edits of its parent at `depth`: its
    /// replacement, `None` when it is removed, or the value with the edits that reach into it.
    fn child(value: &'a Value, token: &str, edits: &[&'a Edit], depth: usize) -> Option<Self> {
        let inside: Vec<&'a Edit> = edits
            .iter()
            .copied()
            .filter(|e| e.tokens[depth] == token)
            .collect();
        match inside.as_slice() {
            [] => Some(Node::Plain(value)),
            [edit] if edit.tokens.len() == depth + 1 => edit.value.as_ref().map(Node::Plain),
            _ => Some(Node::Edited(value, inside, depth + 1)),
        }
    }

    /// An edited object's members in order: its own (replaced, or left out when removed),
    /// then the members the edits add.
    pub(super) fn members(
        map: &'a serde_json::Map<String, Value>,
        edits: &[&'a Edit],
        depth: usize,
    ) -> Vec<(&'a str, Node<'a>)> {
        let mut out: Vec<(&'a str, Node<'a>)> = map
            .iter()
            .filter_map(|(key, value)| Some((key.as_str(), Self::child(value, key, edits, depth)?)))
            .collect();
        for edit in edits {
            if edit.tokens.len() == depth + 1
                && !map.contains_key(&edit.tokens[depth])
                && let Some(value) = &edit.value
            {
                out.push((edit.tokens[depth].as_str(), Node::Plain(value)));
            }
        }
        out
    }

    /// An edited array's elements in order.
    pub(super) fn elements(items: &'a [Value], edits: &[&'a Edit], depth: usize) -> Vec<Node<'a>> {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Self::child(item, &i.to_string(), edits, depth))
            .collect()
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Plain(value) => value.serialize(serializer),
            Node::Edited(Value::Object(map), edits, depth) => {
                let members = Node::members(map, edits, *depth);
                let mut out = serializer.serialize_map(Some(members.len()))?;
                for (key, node) in &members {
                    out.serialize_entry(key, node)?;
                }
                out.end()
            }
            Node::Edited(Value::Array(items), edits, depth) => {
                let elements = Node::elements(items, edits, *depth);
                let mut out = serializer.serialize_seq(Some(elements.len()))?;
                for node in &elements {
                    out.serialize_element(node)?;
                }
                out.end()
            }
            Node::Edited(value, _, _) => value.serialize(serializer),
        }
    }
}
