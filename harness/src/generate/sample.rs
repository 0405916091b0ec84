//! Drawing one value from a compiled schema: the draw context and the dispatch over nodes.
//!
//! The dispatch knows no keyword: it hands each node to the keyword that shaped it, through
//! the [`Draws`] it receives (built once from `keyword::TABLE`). Keyword files get a [`Ctx`]
//! to draw child values; as this module imports no keyword file, they can import it without an
//! import circle.

use proptest::prelude::Rng;
use serde_json::Value;

use super::cover::{Cover, Decision};
use super::ir::{Arena, ChildFn, Id, Kind, Rules, Step, Types};
use super::rng::Draw;

/// The length of unbounded strings in long mode: several kilobytes, past the fixed buffers and
/// column sizes receivers tend to assume.
pub const LONG_STRING: usize = 4096;

/// Recursive schemas are cut here: deeper than this, only required fields and minimal arrays.
const MAX_DEPTH: usize = 12;

/// Draws a value of a `const`/`enum` node.
pub type ChoiceDraw = fn(&[Value], &mut Ctx<'_>) -> Value;

/// Draws a value of a `oneOf` or an `anyOf` node.
pub type BranchesDraw = fn(&[Id], &mut Ctx<'_>) -> Value;

/// Draws a value of a typed node.
pub type TypedDraw = fn(&Rules, &mut Ctx<'_>) -> Value;

/// One keyword's part in drawing a value of a given type: the first builds the value, later
/// ones adjust it.
pub type TypeHook = fn(&Rules, &mut Value, &mut Ctx<'_>);

/// What drawing needs from the keyword table: who draws each node shape, and, per JSON type,
/// the keywords that build and adjust its values, in table order.
#[derive(Debug)]
pub struct Draws {
    /// `const`/`enum` nodes.
    pub choice: ChoiceDraw,
    /// `oneOf` nodes.
    pub one_of: BranchesDraw,
    /// `anyOf` nodes.
    pub any_of: BranchesDraw,
    /// Typed nodes (the `type` keyword picks a type, then [`Ctx::shape`] runs its hooks).
    pub typed: TypedDraw,
    /// Per single type (by [`Types::index`]), the keywords' hooks in table order.
    pub hooks: [Vec<TypeHook>; Types::COUNT],
    /// The keywords that describe object members by name (`properties`): a member none of
    /// them names is an extra one.
    pub named: Vec<ChildFn>,
    /// Every keyword that gives a child its schema, in table order (by name, then the rest).
    pub children: Vec<ChildFn>,
}

/// What one draw needs: the arena, the randomness, the mode and the depth.
pub struct Ctx<'a> {
    /// The compiled schemas.
    pub arena: &'a Arena,
    /// The randomness. Keyword hooks are plain functions, so it is a trait object.
    pub rng: &'a mut dyn Rng,
    /// Edge mode (boundaries, unusual text, nulls, extras) rather than typical values.
    pub edge: bool,
    /// Long mode (an edge value): every free-text string without `maxLength` is
    /// [`LONG_STRING`] characters long, every optional member is present and every array that
    /// may hold an item holds one.
    pub long: bool,
    /// Coverage-guided edge values: the decisions are steered to options not yet covered.
    pub cover: Option<&'a mut Cover>,
    /// The node being drawn (the site of its decisions).
    node: Id,
    depth: usize,
    /// Instance pointers not to draw (the caller overwrites them): a `null` stands in.
    skip: &'a [String],
    /// The current instance pointer, kept only while `skip` is not empty.
    path: String,
    draws: &'a Draws,
}

impl<'a> Ctx<'a> {
    /// A context at the root.
    pub fn new(arena: &'a Arena, rng: &'a mut dyn Rng, edge: bool, draws: &'a Draws) -> Self {
        Self {
            arena,
            rng,
            edge,
            long: false,
            cover: None,
            node: 0,
            depth: 0,
            skip: &[],
            path: String::new(),
            draws,
        }
    }

    /// A context that leaves the places at `skip` (instance pointers) undrawn.
    pub fn skipping(
        arena: &'a Arena,
        rng: &'a mut dyn Rng,
        skip: &'a [String],
        draws: &'a Draws,
    ) -> Self {
        Self {
            skip,
            ..Self::new(arena, rng, false, draws)
        }
    }

    /// A value of the node `id` for the member `token` of the current value.
    pub fn member(&mut self, id: Id, token: &str) -> Value {
        if self.skip.is_empty() {
            return self.child(id);
        }
        let len = self.path.len();
        self.path.push('/');
        self.path.push_str(&crate::spec::pointer::escape(token));
        let value = if self.skip.contains(&self.path) {
            Value::Null
        } else {
            self.child(id)
        };
        self.path.truncate(len);
        value
    }

    /// Whether recursion should stop growing the value.
    #[must_use]
    pub fn too_deep(&self) -> bool {
        self.depth >= MAX_DEPTH
    }

    /// A value of the node `id`, one level down.
    pub fn child(&mut self, id: Id) -> Value {
        self.depth += 1;
        let value = self.value(id);
        self.depth -= 1;
        value
    }

    /// Which of `count` options the decision `decision` (its `slot`-th at the node being drawn)
    /// takes when a [`Cover`] steers the draw; `heavy` names the option that makes the value
    /// large. `None`: the caller decides as it would without coverage.
    pub fn choose(
        &mut self,
        decision: Decision,
        slot: usize,
        count: usize,
        heavy: Option<usize>,
    ) -> Option<usize> {
        let node = self.node;
        self.cover
            .as_deref_mut()?
            .choose((node, decision, slot), count, heavy)
    }

    /// Runs `draw` with the coverage's steering off (the items of a heavy array).
    pub fn unsteered<T>(&mut self, draw: impl FnOnce(&mut Self) -> T) -> T {
        if let Some(cover) = self.cover.as_deref_mut() {
            cover.unsteer();
        }
        let out = draw(self);
        if let Some(cover) = self.cover.as_deref_mut() {
            cover.steer();
        }
        out
    }

    /// A value of the node `id`.
    pub fn value(&mut self, id: Id) -> Value {
        let node = self.arena.resolve(id);
        let outer = std::mem::replace(&mut self.node, node);
        let value = self.value_of(node);
        self.node = outer;
        value
    }

    fn value_of(&mut self, node: Id) -> Value {
        let (arena, draws) = (self.arena, self.draws);
        match &arena.nodes[node].kind {
            Kind::Any => any(self.rng),
            // No value satisfies `false`; the caller's validation rejects the draw.
            Kind::Never | Kind::Ref(_) => Value::Null,
            Kind::Choice(values, _) => (draws.choice)(values, self),
            Kind::OneOf(branches) => (draws.one_of)(branches, self),
            Kind::AnyOf(branches) => (draws.any_of)(branches, self),
            Kind::Typed(rules) => (draws.typed)(rules, self),
        }
    }

    /// Runs the hooks of the single type `ty` on `value`: the keywords that build and adjust
    /// values of that type, in table order.
    pub fn shape(&mut self, ty: Types, rules: &Rules, value: &mut Value) {
        let draws = self.draws;
        for hook in &draws.hooks[ty.index()] {
            hook(rules, value, self);
        }
    }

    /// The schema the keywords give the member `name` of objects of `rules`, if any.
    #[must_use]
    pub fn member_schema(&self, rules: &Rules, name: &str) -> Option<Id> {
        self.draws
            .children
            .iter()
            .find_map(|child| child(rules, Step::Member(name)))
    }

    /// Whether a keyword describes the member `name` of objects of `rules` by name.
    #[must_use]
    pub fn names(&self, rules: &Rules, name: &str) -> bool {
        self.draws
            .named
            .iter()
            .any(|named| named(rules, Step::Member(name)).is_some())
    }
}

/// A small value of any type, for `{}` schemas.
fn any(rng: &mut dyn Rng) -> Value {
    match rng.below(4) {
        0 => Value::String("any".into()),
        1 => Value::from(rng.below(100)),
        2 => Value::Bool(rng.chance(1, 2)),
        _ => serde_json::json!({"key": "value"}),
    }
}
