//! proptest integration: strategies over a compiled schema, and value trees that shrink a
//! failing payload while keeping it valid (schema and invariants).

use std::sync::Arc;

use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::Value;

use super::inner::Inner;
use super::invalid::Invalid;
use super::ir::{Id, Kind};
use super::keyword::{
    format, items, maximum, min_items, min_length, minimum, pattern, prefix_items, properties,
    required,
};
use super::mode::Mode;
use crate::spec::pointer;

/// A strategy of valid (or edge) values of one schema. Build it with
/// [`SchemaGen::valid`](super::SchemaGen::valid) or [`SchemaGen::edge`](super::SchemaGen::edge).
#[derive(Clone)]
pub struct ValueStrategy {
    pub(super) inner: Arc<Inner>,
    pub(super) mode: Mode,
}

impl std::fmt::Debug for ValueStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ValueStrategy({}, {:?})",
            self.inner.schema_pointer, self.mode
        )
    }
}

impl Strategy for ValueStrategy {
    type Tree = JsonTree;
    type Value = Value;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let value = self
            .inner
            .draw(runner.rng(), self.mode == Mode::Edge)
            .map_err(|e| e.to_string())?;
        Ok(JsonTree::new(Arc::clone(&self.inner), value))
    }
}

/// A strategy of invalid values (each with its label). Build it with
/// [`SchemaGen::invalid`](super::SchemaGen::invalid). The strategy's values do not shrink;
/// [`SchemaGen::shrink_invalid`](super::SchemaGen::shrink_invalid) shrinks one while it keeps
/// exactly its violation.
#[derive(Clone)]
pub struct InvalidStrategy {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for InvalidStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InvalidStrategy({})", self.inner.schema_pointer)
    }
}

impl Strategy for InvalidStrategy {
    type Tree = proptest::strategy::Just<Invalid>;
    type Value = Invalid;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        self.inner
            .draw_invalid(runner.rng())
            .map(proptest::strategy::Just)
            .map_err(|e| e.to_string().into())
    }
}

/// A generated value that shrinks by removing optional fields, shortening arrays and free text,
/// and moving numbers to their lower bound: every step stays valid.
pub struct JsonTree {
    inner: Arc<Inner>,
    base: Value,
    trial: Option<Value>,
    edits: Vec<Value>,
    next: usize,
}

impl std::fmt::Debug for JsonTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JsonTree({})", self.current())
    }
}

impl JsonTree {
    fn new(inner: Arc<Inner>, value: Value) -> Self {
        Self {
            inner,
            base: value,
            trial: None,
            edits: Vec::new(),
            next: 0,
        }
    }

    fn candidates(&self) -> Vec<Value> {
        let mut out = Vec::new();
        simpler(
            &self.inner,
            self.inner.root,
            &self.base,
            "",
            &self.base,
            &mut out,
        );
        out
    }
}

impl ValueTree for JsonTree {
    type Value = Value;

    fn current(&self) -> Value {
        self.trial.clone().unwrap_or_else(|| self.base.clone())
    }

    fn simplify(&mut self) -> bool {
        // The last trial still failed the test: it becomes the new base.
        if let Some(trial) = self.trial.take() {
            self.base = trial;
            self.edits.clear();
            self.next = 0;
        }
        if self.edits.is_empty() && self.next == 0 {
            self.edits = self.candidates();
        }
        while self.next < self.edits.len() {
            let candidate = self.edits[self.next].clone();
            self.next += 1;
            if self.inner.accepts(&candidate) {
                self.trial = Some(candidate);
                return true;
            }
        }
        false
    }

    fn complicate(&mut self) -> bool {
        // The trial passed the test: drop it and try the next simplification of the base.
        self.trial.take().is_some()
    }
}

/// Simpler variants of `value`, one edit each (an optional member removed, an array or a
/// free-text string shortened, an integer moved towards zero), whatever their validity.
pub(super) fn simpler_variants(inner: &Inner, value: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    simpler(inner, inner.root, value, "", value, &mut out);
    out
}

/// Simpler variants of `root_value`, one edit each, found by walking `value` (at `at`) with
/// the schema node `id`.
fn simpler(
    inner: &Inner,
    id: Id,
    value: &Value,
    at: &str,
    root_value: &Value,
    out: &mut Vec<Value>,
) {
    let arena = &inner.arena;
    let Kind::Typed(rules) = &arena.nodes[arena.resolve(id)].kind else {
        return;
    };
    let with = |new: Value| {
        let mut copy = root_value.clone();
        if at.is_empty() {
            copy = new;
        } else {
            pointer::set(&mut copy, at, new);
        }
        copy
    };
    match value {
        Value::Object(map) => {
            for name in map.keys() {
                if !required::of(rules).contains(name) {
                    let mut smaller = map.clone();
                    smaller.remove(name);
                    out.push(with(Value::Object(smaller)));
                }
            }
            for (name, child) in map {
                if let Some(child_id) = properties::schema(rules, name) {
                    simpler(
                        inner,
                        child_id,
                        child,
                        &pointer::join(at, name),
                        root_value,
                        out,
                    );
                }
            }
        }
        Value::Array(items) => {
            let prefix = prefix_items::of(rules);
            if items.len() > min_items::of(rules).max(prefix.len().min(items.len()))
                && !items.is_empty()
            {
                out.push(with(Value::Array(items[..items.len() - 1].to_vec())));
            }
            for (i, item) in items.iter().enumerate() {
                if let Some(child) = prefix.get(i).copied().or(items::of(rules)) {
                    simpler(inner, child, item, &format!("{at}/{i}"), root_value, out);
                }
            }
        }
        Value::String(s) if pattern::of(rules).is_none() && format::of(rules).is_none() => {
            let (len, min) = (s.chars().count(), min_length::of(rules));
            if len > min {
                out.push(with(Value::String("a".repeat(min))));
                out.push(with(Value::String(
                    s.chars().take(min.max(len / 2)).collect(),
                )));
            }
        }
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            let (lo, hi) = (
                minimum::lowest_integer(rules),
                maximum::highest_integer(rules),
            );
            let target = 0i64.clamp(lo, hi);
            if n.as_i64() != Some(target) {
                out.push(with(Value::from(target)));
            }
        }
        _ => {}
    }
}
