//! Drawing one value from a compiled schema: the dispatch over node kinds.

use serde_json::Value;

use super::ir::{Arena, Id, Kind, Types};
use super::rng::Draw;
use super::{array, number, object, string};

/// Recursive schemas are cut here: deeper than this, only required fields and minimal arrays.
const MAX_DEPTH: usize = 12;

/// What one draw needs: the arena, the randomness, the mode and the depth.
pub struct Ctx<'a, R: Draw + ?Sized> {
    /// The compiled schemas.
    pub arena: &'a Arena,
    /// The randomness.
    pub rng: &'a mut R,
    /// Edge mode (boundaries, unusual text, nulls, extras) rather than typical values.
    pub edge: bool,
    depth: usize,
    /// Instance pointers not to draw (the caller overwrites them): a `null` stands in.
    skip: &'a [String],
    /// The current instance pointer, kept only while `skip` is not empty.
    path: String,
}

impl<'a, R: Draw + ?Sized> Ctx<'a, R> {
    /// A context at the root.
    pub fn new(arena: &'a Arena, rng: &'a mut R, edge: bool) -> Self {
        Self {
            arena,
            rng,
            edge,
            depth: 0,
            skip: &[],
            path: String::new(),
        }
    }

    /// A context that leaves the places at `skip` (instance pointers) undrawn.
    pub fn skipping(arena: &'a Arena, rng: &'a mut R, skip: &'a [String]) -> Self {
        Self {
            arena,
            rng,
            edge: false,
            depth: 0,
            skip,
            path: String::new(),
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

    /// A value of the node `id`.
    pub fn value(&mut self, id: Id) -> Value {
        let arena = self.arena;
        match &arena.nodes[arena.resolve(id)].kind {
            Kind::Any => any(self.rng),
            // No value satisfies `false`; the caller's validation rejects the draw.
            Kind::Never | Kind::Ref(_) => Value::Null,
            Kind::Choice(values, _) => self.rng.pick(values).clone(),
            Kind::OneOf(branches) | Kind::AnyOf(branches) => {
                let branch = *self.rng.pick(branches);
                self.value(branch)
            }
            Kind::Typed {
                types,
                string,
                number,
                object,
                array,
            } => {
                let ty = self.pick_type(*types);
                match ty {
                    Types::NULL => Value::Null,
                    Types::BOOLEAN => Value::Bool(self.rng.chance(1, 2)),
                    Types::INTEGER => number::integer(number, self.rng, self.edge),
                    Types::NUMBER => number::float(number, self.rng, self.edge),
                    Types::STRING => Value::String(string::generate(string, self.rng, self.edge)),
                    Types::ARRAY => array::generate(array, self),
                    _ => object::generate(object, self),
                }
            }
        }
    }

    fn pick_type(&mut self, types: Types) -> Types {
        // The common case, one type (or one type and null), without collecting.
        let single = [
            Types::STRING,
            Types::OBJECT,
            Types::INTEGER,
            Types::BOOLEAN,
            Types::ARRAY,
        ]
        .into_iter()
        .find(|t| types == *t || types == Types::NULL.or(*t));
        if let Some(single) = single {
            let null = types.has(Types::NULL) && self.rng.chance(1, if self.edge { 2 } else { 10 });
            return if null { Types::NULL } else { single };
        }
        let mut others: Vec<Types> = types.each().filter(|t| *t != Types::NULL).collect();
        if types.has(Types::NULL)
            && (others.is_empty() || self.rng.chance(1, if self.edge { 2 } else { 10 }))
        {
            return Types::NULL;
        }
        // `type: number` admits integers; draw fractions most of the time.
        if others.len() == 2 && others.contains(&Types::INTEGER) && others.contains(&Types::NUMBER)
        {
            return if self.rng.chance(1, 3) {
                Types::INTEGER
            } else {
                Types::NUMBER
            };
        }
        // An untyped schema: prefer strings and objects, the common payload shapes.
        if others.len() > 2 {
            others.retain(|t| *t == Types::STRING || *t == Types::OBJECT || *t == Types::INTEGER);
        }
        *self.rng.pick(&others)
    }
}

/// A small value of any type, for `{}` schemas.
fn any<R: Draw + ?Sized>(rng: &mut R) -> Value {
    match rng.below(4) {
        0 => Value::String("any".into()),
        1 => Value::from(rng.below(100)),
        2 => Value::Bool(rng.chance(1, 2)),
        _ => serde_json::json!({"key": "value"}),
    }
}
