//! GraphQL inputs: the variables of one GraphQL operation, drawn from the SDL's input types.
//!
//! Start from [`GraphqlGen::new`] on an SDL (`x-graphql.schema`), then ask for one root field's
//! operation ([`GraphqlGen::operation`]): the documented document when there is one (its
//! variable definitions type the variables), else one built from the SDL (every argument a
//! variable, every leaf field of the answer selected). The [`GraphqlOp`] you get draws valid
//! variables ([`GraphqlOp::valid`]: every input field per its type, enums among their values,
//! non-null fields always present, nullable ones present, `null` or left out) and invalid ones
//! ([`GraphqlOp::violations`]: one input coercion error each, labelled).
//!
//! GraphQL's input coercion (the GraphQL specification, "Input Coercion" of each type and
//! "Coercing Variable Values") refuses each invalid value made here: a value outside its enum,
//! a non-null field left out or `null`, a built-in scalar given a value of another kind (a
//! String given an integer, an Int given a string), and a field an input object does not
//! define. Custom scalars (`scalar JSON`) accept any value by definition: they are drawn from
//! the documented examples' values at the same place (left out when nullable and none is
//! documented), and are never broken.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, OperationType, Type, TypeKind, TypeSystemDefinition,
};
use serde_json::{Map, Value};

use super::error::GenError;
use super::rng::{self, Draw};
use crate::spec::pointer;

/// An input type of the SDL, as the generator needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    /// A named type (a scalar, an enum or an input object), nullable or not.
    Named(String, bool),
    /// A list of the inner type, nullable or not.
    List(Box<Ty>, bool),
}

impl Ty {
    fn of(ty: &Type) -> Self {
        match &ty.base {
            BaseType::Named(name) => Self::Named(name.to_string(), ty.nullable),
            BaseType::List(inner) => Self::List(Box::new(Self::of(inner)), ty.nullable),
        }
    }

    fn nullable(&self) -> bool {
        match self {
            Self::Named(_, n) | Self::List(_, n) => *n,
        }
    }
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (text, nullable) = match self {
            Self::Named(name, n) => (name.clone(), *n),
            Self::List(inner, n) => (format!("[{inner}]"), *n),
        };
        write!(f, "{text}{}", if nullable { "" } else { "!" })
    }
}

/// What a named type of the SDL is.
#[derive(Debug, Clone)]
enum Def {
    /// A custom scalar: any value.
    Custom,
    /// An enum and its values.
    Enum(Vec<String>),
    /// An input object and its fields.
    Input(Vec<(String, Ty)>),
    /// An object type (an answer) and its fields: name, type name, whether it holds objects.
    Object(Vec<(String, String)>),
}

/// A root field: the kind of operation it belongs to, its arguments, its answer's type name.
type Root = (OperationType, Vec<(String, Ty)>, String);

/// The SDL's types and root fields.
#[derive(Debug)]
struct Types {
    defs: BTreeMap<String, Def>,
    /// Root fields by name.
    roots: BTreeMap<String, Root>,
}

/// Variables for the operations of one GraphQL schema (SDL).
#[derive(Debug, Clone)]
pub struct GraphqlGen {
    types: Arc<Types>,
}

impl GraphqlGen {
    /// Reads the SDL's input types, enums and root fields.
    pub fn new(sdl: &str) -> Result<Self, GenError> {
        let document = async_graphql::parser::parse_schema(sdl)
            .map_err(|e| GenError::NotFound(format!("the GraphQL schema does not parse: {e}")))?;
        let mut defs = BTreeMap::new();
        let mut roots = BTreeMap::new();
        for definition in &document.definitions {
            let TypeSystemDefinition::Type(t) = definition else {
                continue;
            };
            let name = t.node.name.node.to_string();
            let def = match &t.node.kind {
                TypeKind::Scalar => Def::Custom,
                TypeKind::Enum(e) => Def::Enum(
                    e.values
                        .iter()
                        .map(|v| v.node.value.node.to_string())
                        .collect(),
                ),
                TypeKind::InputObject(input) => Def::Input(
                    input
                        .fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), Ty::of(&f.node.ty.node)))
                        .collect(),
                ),
                TypeKind::Object(object) => {
                    let kind = match name.as_str() {
                        "Mutation" => Some(OperationType::Mutation),
                        "Query" => Some(OperationType::Query),
                        _ => None,
                    };
                    for field in &object.fields {
                        if let Some(kind) = kind {
                            roots.insert(
                                field.node.name.node.to_string(),
                                (
                                    kind,
                                    field
                                        .node
                                        .arguments
                                        .iter()
                                        .map(|a| {
                                            (a.node.name.node.to_string(), Ty::of(&a.node.ty.node))
                                        })
                                        .collect(),
                                    named(&field.node.ty.node),
                                ),
                            );
                        }
                    }
                    Def::Object(
                        object
                            .fields
                            .iter()
                            .map(|f| (f.node.name.node.to_string(), named(&f.node.ty.node)))
                            .collect(),
                    )
                }
                TypeKind::Interface(_) | TypeKind::Union(_) => continue,
            };
            defs.insert(name, def);
        }
        Ok(Self {
            types: Arc::new(Types { defs, roots }),
        })
    }

    /// The operation a request's document (`query`, with its `operationName`) runs, typed by
    /// its variable definitions; `None` if it does not parse or names no operation.
    #[must_use]
    pub fn document(&self, query: &str, name: Option<&str>) -> Option<GraphqlOp> {
        let variables = variables_of(query, name, None)?;
        Some(GraphqlOp {
            types: Arc::clone(&self.types),
            query: query.to_string(),
            operation_name: name.map(str::to_string),
            variables,
            examples: Vec::new(),
        })
    }

    /// The operation of root field `field`: `documented` (a documented document, with its
    /// operation name) when it selects that field, else a document built from the SDL.
    pub fn operation(
        &self,
        field: &str,
        documented: Option<(&str, Option<&str>)>,
    ) -> Result<GraphqlOp, GenError> {
        let (kind, arguments, answer) = self.types.roots.get(field).ok_or_else(|| {
            GenError::NotFound(format!("the GraphQL schema has no root field `{field}`"))
        })?;
        if let Some((query, name)) = documented
            && let Some(variables) = variables_of(query, name, Some(field))
        {
            return Ok(GraphqlOp {
                types: Arc::clone(&self.types),
                query: query.to_string(),
                operation_name: name.map(str::to_string),
                variables,
                examples: Vec::new(),
            });
        }
        let keyword = match kind {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        let definitions = arguments
            .iter()
            .map(|(name, ty)| format!("${name}: {ty}"))
            .collect::<Vec<_>>()
            .join(", ");
        let passed = arguments
            .iter()
            .map(|(name, _)| format!("{name}: ${name}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut name: Vec<char> = field.chars().collect();
        if let Some(first) = name.first_mut() {
            *first = first.to_ascii_uppercase();
        }
        let name: String = name.into_iter().collect();
        let query = format!(
            "{keyword} {name}{} {{ {field}{}{} }}",
            if definitions.is_empty() {
                String::new()
            } else {
                format!("({definitions})")
            },
            if passed.is_empty() {
                String::new()
            } else {
                format!("({passed})")
            },
            self.selection(answer, 0)
        );
        Ok(GraphqlOp {
            types: Arc::clone(&self.types),
            query,
            operation_name: Some(name),
            variables: arguments.clone(),
            examples: Vec::new(),
        })
    }

    /// The selection of an answer of type `name`: its leaf fields, and its object fields'
    /// selections (two levels deep).
    fn selection(&self, name: &str, depth: usize) -> String {
        let Some(Def::Object(fields)) = self.types.defs.get(name) else {
            return String::new();
        };
        let parts: Vec<String> = fields
            .iter()
            .filter_map(|(field, ty)| match self.types.defs.get(ty) {
                Some(Def::Object(_)) if depth < 2 => {
                    let inner = self.selection(ty, depth + 1);
                    (!inner.is_empty()).then(|| format!("{field}{inner}"))
                }
                Some(Def::Object(_)) => None,
                _ => Some(field.clone()),
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" {{ {} }}", parts.join(" "))
        }
    }
}

/// The name of the named type under lists and non-nulls.
fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

/// The variable definitions of the operation `name` (or the only one) of `query`, if it parses
/// (and selects root field `field`, if given).
fn variables_of(query: &str, name: Option<&str>, field: Option<&str>) -> Option<Vec<(String, Ty)>> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    let operation = match &document.operations {
        DocumentOperations::Single(op) => op,
        DocumentOperations::Multiple(ops) => ops
            .iter()
            .find(|(n, _)| Some(n.as_str()) == name)
            .map(|(_, op)| op)?,
    };
    let selects = field.is_none_or(|field| {
        operation.node.selection_set.node.items.iter().any(|item| {
            matches!(&item.node, async_graphql::parser::types::Selection::Field(f)
            if f.node.name.node.as_str() == field)
        })
    });
    selects.then(|| {
        operation
            .node
            .variable_definitions
            .iter()
            .map(|v| (v.node.name.node.to_string(), Ty::of(&v.node.var_type.node)))
            .collect()
    })
}

/// What an invalid set of variables breaks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GraphqlLabel {
    /// Pointer into the variables to the value at fault (`/input/type`).
    pub pointer: String,
    /// The rule broken: `enum`, `non-null`, `scalar` or `input-field`.
    pub rule: &'static str,
    /// The GraphQL type at that place (`IntegrationWebhookInput!`).
    pub type_name: String,
    /// What was changed, in words.
    pub description: String,
}

impl std::fmt::Display for GraphqlLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at {} ({}): {}",
            self.rule, self.pointer, self.type_name, self.description
        )
    }
}

/// Variables with one input coercion error, and its label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GraphqlInvalid {
    /// The variables.
    pub variables: Value,
    /// What they break.
    pub label: GraphqlLabel,
}

/// One operation of a GraphQL schema: its document and the types of its variables.
#[derive(Debug, Clone)]
pub struct GraphqlOp {
    types: Arc<Types>,
    /// The document sent.
    pub query: String,
    /// Its operation name.
    pub operation_name: Option<String>,
    variables: Vec<(String, Ty)>,
    examples: Vec<Value>,
}

impl GraphqlOp {
    /// With the documented example variables: custom scalars are drawn from their values.
    #[must_use]
    pub fn with_examples(mut self, examples: Vec<Value>) -> Self {
        self.examples = examples;
        self
    }

    /// The enum-typed values of `variables` (pointers) with the values their enum allows.
    #[must_use]
    pub fn enum_places(&self, variables: &Value) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        self.walk(variables, &mut |at, def, _| {
            if let Def::Enum(values) = def {
                out.push((at.to_string(), values.clone()));
            }
        });
        out
    }

    /// The members of `variables` (pointers) that their input object does not define.
    #[must_use]
    pub fn unknown_fields(&self, variables: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(variables, &mut |at, def, value| {
            if let (Def::Input(fields), Value::Object(map)) = (def, value) {
                out.extend(
                    map.keys()
                        .filter(|k| !fields.iter().any(|(f, _)| f == *k))
                        .map(|k| pointer::join(at, k)),
                );
            }
        });
        out
    }

    /// Calls `visit` with every non-null value of `variables` whose type the SDL defines
    /// (an enum, an input object, a custom scalar), with its pointer.
    fn walk(&self, variables: &Value, visit: &mut dyn FnMut(&str, &Def, &Value)) {
        for (name, ty) in &self.variables {
            let at = format!("/{}", pointer::escape(name));
            if let Some(value) = variables.get(name) {
                self.walk_at(ty, &at, value, visit);
            }
        }
    }

    fn walk_at(&self, ty: &Ty, at: &str, value: &Value, visit: &mut dyn FnMut(&str, &Def, &Value)) {
        if value.is_null() {
            return;
        }
        match ty {
            Ty::List(inner, _) => {
                if let Value::Array(items) = value {
                    for (i, item) in items.iter().enumerate() {
                        self.walk_at(inner, &format!("{at}/{i}"), item, visit);
                    }
                }
            }
            Ty::Named(name, _) => {
                let Some(def) = self.types.defs.get(name) else {
                    return;
                };
                visit(at, def, value);
                if let (Def::Input(fields), Value::Object(map)) = (def, value) {
                    for (field, field_ty) in fields {
                        if let Some(member) = map.get(field) {
                            self.walk_at(field_ty, &pointer::join(at, field), member, visit);
                        }
                    }
                }
            }
        }
    }

    /// Whether it takes variables.
    #[must_use]
    pub fn has_variables(&self) -> bool {
        !self.variables.is_empty()
    }

    /// The request body carrying `variables`.
    #[must_use]
    pub fn body(&self, variables: &Value) -> Value {
        let mut body = Map::new();
        body.insert("query".into(), Value::String(self.query.clone()));
        if let Some(name) = &self.operation_name {
            body.insert("operationName".into(), Value::String(name.clone()));
        }
        body.insert("variables".into(), variables.clone());
        Value::Object(body)
    }

    /// The document cut short before its last closing brace: a GraphQL syntax error.
    #[must_use]
    pub fn malformed(&self) -> String {
        let end = self.query.rfind('}').unwrap_or(self.query.len());
        self.query[..end].to_string()
    }

    /// `count` sets of valid variables from `seed`: the same seed gives the same values.
    pub fn sample(&self, seed: u64, count: usize) -> Result<Vec<Value>, GenError> {
        let mut rng = rng::seeded(seed);
        (0..count).map(|_| self.valid(&mut rng)).collect()
    }

    /// Valid variables.
    pub fn valid<R: Draw + ?Sized>(&self, rng: &mut R) -> Result<Value, GenError> {
        let mut out = Map::new();
        for (name, ty) in &self.variables {
            if let Some(value) = self.draw(ty, &format!("/{}", pointer::escape(name)), rng)? {
                out.insert(name.clone(), value);
            }
        }
        Ok(Value::Object(out))
    }

    /// A value of `ty` at `at` (in the variables), or `None` to leave it out.
    fn draw<R: Draw + ?Sized>(
        &self,
        ty: &Ty,
        at: &str,
        rng: &mut R,
    ) -> Result<Option<Value>, GenError> {
        let documented: Vec<&Value> = self
            .examples
            .iter()
            .filter_map(|e| pointer::get(e, at))
            .collect();
        if ty.nullable() {
            // Left out, `null`, or a value: all three are valid for a nullable input.
            match rng.below(6) {
                0 => return Ok(None),
                1 => return Ok(Some(Value::Null)),
                _ => {}
            }
        }
        let name = match ty {
            Ty::List(inner, _) => {
                let mut items = Vec::new();
                for i in 0..rng.below(3) {
                    match self.draw(inner, &format!("{at}/{i}"), rng)? {
                        Some(item) => items.push(item),
                        None if inner.nullable() => items.push(Value::Null),
                        None => {}
                    }
                }
                return Ok(Some(Value::Array(items)));
            }
            Ty::Named(name, _) => name,
        };
        Ok(Some(match name.as_str() {
            "String" => Value::String(word(rng, 1, 12)),
            "ID" => Value::String(format!("id-{}", word(rng, 4, 12))),
            "Int" => Value::from(rng.between_i64(-1000, 1000)),
            "Float" => Value::from(rng.between_i64(-4000, 4000) as f64 / 4.0),
            "Boolean" => Value::Bool(rng.chance(1, 2)),
            _ => match self.types.defs.get(name) {
                Some(Def::Enum(values)) if !values.is_empty() => {
                    Value::String(rng.pick(values).clone())
                }
                Some(Def::Input(fields)) => {
                    let mut object = Map::new();
                    for (field, ty) in fields {
                        let here = pointer::join(at, field);
                        if let Some(value) = self.draw(ty, &here, rng)? {
                            object.insert(field.clone(), value);
                        }
                    }
                    Value::Object(object)
                }
                Some(Def::Custom) => match documented.as_slice() {
                    [] if ty.nullable() => return Ok(None),
                    [] => {
                        return Err(GenError::NotFound(format!(
                            "the custom scalar `{name}` at {at} has no documented value to send"
                        )));
                    }
                    values => (*rng.pick(values)).clone(),
                },
                _ => {
                    return Err(GenError::NotFound(format!(
                        "`{name}` at {at} is no input type of the GraphQL schema"
                    )));
                }
            },
        }))
    }

    /// Invalid variables covering every place of several valid sets: each input coercion rule
    /// at each place once (a wrong enum value, a non-null value left out or `null`, a built-in
    /// scalar of the wrong kind, an unknown input field). Drawn from `seed`.
    pub fn violations(&self, seed: u64) -> Result<Vec<GraphqlInvalid>, GenError> {
        let mut rng = rng::seeded(seed);
        let mut out: Vec<GraphqlInvalid> = Vec::new();
        for _ in 0..8 {
            let valid = self.valid(&mut rng)?;
            let mut sites = Vec::new();
            for (name, ty) in &self.variables {
                let at = format!("/{}", pointer::escape(name));
                self.sites(ty, &at, pointer::get(&valid, &at), &mut sites);
            }
            for (at, label, new) in sites {
                let key = |l: &GraphqlLabel| (l.pointer.clone(), l.rule, l.description.clone());
                if out.iter().any(|o| key(&o.label) == key(&label)) {
                    continue;
                }
                let mut variables = valid.clone();
                let edited = match new {
                    Some(value) => pointer::set(&mut variables, &at, value),
                    None => {
                        // Only an object member can be left out (not a list item).
                        let (parent, last) = at.rsplit_once('/').unwrap_or(("", &at));
                        match variables.pointer_mut(parent) {
                            Some(Value::Object(map)) => {
                                map.remove(&pointer::unescape(last)).is_some()
                            }
                            _ => false,
                        }
                    }
                };
                if edited {
                    out.push(GraphqlInvalid { variables, label });
                }
            }
        }
        Ok(out)
    }

    /// The one-edit violations at `at` (of type `ty`, holding `value` if present): where,
    /// the label, and the new value (`None`: left out).
    fn sites(
        &self,
        ty: &Ty,
        at: &str,
        value: Option<&Value>,
        out: &mut Vec<(String, GraphqlLabel, Option<Value>)>,
    ) {
        let label = |rule: &'static str, description: String| GraphqlLabel {
            pointer: at.to_string(),
            rule,
            type_name: ty.to_string(),
            description,
        };
        if !ty.nullable() {
            out.push((
                at.to_string(),
                label("non-null", format!("`{at}` ({ty}) left out")),
                None,
            ));
            out.push((
                at.to_string(),
                label("non-null", format!("`{at}` ({ty}) is null")),
                Some(Value::Null),
            ));
        }
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return;
        };
        let name = match ty {
            Ty::List(inner, _) => {
                if let Some(first) = value.as_array().and_then(|a| a.first()) {
                    self.sites(inner, &format!("{at}/0"), Some(first), out);
                }
                return;
            }
            Ty::Named(name, _) => name.as_str(),
        };
        let wrong = match name {
            "String" => Some(Value::from(42)),
            "ID" => Some(Value::Bool(true)),
            "Int" => Some(Value::String("42".into())),
            "Float" => Some(Value::String("4.2".into())),
            "Boolean" => Some(Value::String("true".into())),
            _ => None,
        };
        if let Some(wrong) = wrong {
            out.push((
                at.to_string(),
                label(
                    "scalar",
                    format!("`{at}` ({ty}) given {wrong}, a value of another kind"),
                ),
                Some(wrong),
            ));
            return;
        }
        match self.types.defs.get(name) {
            Some(Def::Enum(values)) => {
                let mut wrong = format!("NOT_A_{}", name.to_ascii_uppercase());
                while values.contains(&wrong) {
                    wrong.push('_');
                }
                out.push((
                    at.to_string(),
                    label(
                        "enum",
                        format!("`{at}` ({ty}) given `{wrong}`, which is none of its values"),
                    ),
                    Some(Value::String(wrong)),
                ));
            }
            Some(Def::Input(fields)) => {
                let mut unknown = "unknownField".to_string();
                while fields.iter().any(|(f, _)| *f == unknown) {
                    unknown.push('_');
                }
                let here = pointer::join(at, &unknown);
                out.push((
                    here.clone(),
                    GraphqlLabel {
                        pointer: here,
                        rule: "input-field",
                        type_name: ty.to_string(),
                        description: format!(
                            "`{name}` given the field `{unknown}` it does not define"
                        ),
                    },
                    Some(Value::String("x".into())),
                ));
                for (field, field_ty) in fields {
                    let here = pointer::join(at, field);
                    self.sites(field_ty, &here, value.get(field), out);
                }
            }
            _ => {}
        }
    }
}

/// An alphanumeric word of `lo..=hi` characters.
fn word<R: Draw + ?Sized>(rng: &mut R, lo: usize, hi: usize) -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..rng.between(lo, hi))
        .map(|_| char::from(*rng.pick(ALNUM)))
        .collect()
}
