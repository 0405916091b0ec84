//! GraphQL endpoints (HappyColis' subscription mutations), served by a real GraphQL engine:
//! the spec's SDL (`x-graphql.schema`) becomes an `async-graphql` dynamic schema, whose root
//! fields hand their documented operation and arguments to a [`Resolve`] (the mock's actions,
//! `action/graphql.rs`). Queries are parsed, validated and executed as GraphQL, never matched
//! as strings.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_graphql::ErrorExtensions;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, Scalar,
    Schema, TypeRef,
};
use async_graphql::parser::types::{BaseType, ObjectType, Type, TypeKind, TypeSystemDefinition};
use serde_json::Value;

use crate::spec::extensions::{GraphqlExt, MockState};

/// Runs the root fields of one GraphQL request.
pub trait Resolve: Send + Sync {
    /// The data of root field `field`, whose documented operation is `mock`, called with
    /// `args` (a JSON object); `Err` is a GraphQL error with its `extensions.code`.
    fn resolve(&self, field: &str, mock: &MockState, args: Value) -> Result<Value, Coded>;
}

/// A GraphQL error with its `extensions.code` (`NOT_FOUND`, `BAD_USER_INPUT`...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coded {
    /// The error message.
    pub message: String,
    /// The `extensions.code`.
    pub code: &'static str,
}

/// Root fields whose resolver failed, in order: the dynamic engine leaves their errors
/// without a path, which HappyColis' errors always have.
struct Failed(Arc<Mutex<Vec<String>>>);

/// A compiled GraphQL endpoint.
pub struct Compiled {
    schema: Schema,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Compiled")
    }
}

/// Builds the executable schema of an `x-graphql` extension.
pub fn build(ext: &GraphqlExt) -> Result<Compiled, String> {
    let document = async_graphql::parser::parse_schema(&ext.schema)
        .map_err(|e| format!("the x-graphql schema does not parse: {e}"))?;
    let mut objects = BTreeSet::new();
    for definition in &document.definitions {
        if let TypeSystemDefinition::Type(t) = definition
            && matches!(t.node.kind, TypeKind::Object(_))
        {
            objects.insert(t.node.name.node.to_string());
        }
    }
    let has_query = objects.contains("Query");
    let has_mutation = objects.contains("Mutation");
    let mut builder = Schema::build("Query", has_mutation.then_some("Mutation"), None);
    if !has_query {
        // GraphQL needs a query root; the provider documents none.
        builder = builder.register(Object::new("Query").field(Field::new(
            "_mock",
            TypeRef::named(TypeRef::BOOLEAN),
            |_| FieldFuture::from_value(Some(async_graphql::Value::Boolean(true))),
        )));
    }
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let name = t.node.name.node.to_string();
        match &t.node.kind {
            TypeKind::Scalar => builder = builder.register(Scalar::new(name)),
            TypeKind::Enum(e) => {
                let mut out = Enum::new(name);
                for value in &e.values {
                    out = out.item(value.node.value.node.to_string());
                }
                builder = builder.register(out);
            }
            TypeKind::InputObject(input) => {
                let mut out = InputObject::new(name);
                for field in &input.fields {
                    out = out.field(InputValue::new(
                        field.node.name.node.to_string(),
                        type_ref(&field.node.ty.node),
                    ));
                }
                builder = builder.register(out);
            }
            TypeKind::Object(object) => {
                builder = builder.register(object_type(ext, &name, object, &objects));
            }
            TypeKind::Interface(_) | TypeKind::Union(_) => {
                return Err(format!(
                    "the x-graphql type `{name}`: interfaces and unions are not supported by the mock"
                ));
            }
        }
    }
    let schema = builder
        .limit_depth(super::graphql_limits::MAX_DEPTH)
        .limit_complexity(super::graphql_limits::MAX_COMPLEXITY)
        .finish()
        .map_err(|e| format!("the x-graphql schema is not a valid GraphQL schema: {e}"))?;
    Ok(Compiled { schema })
}

/// An object type of the SDL: root fields run the documented operations, the others read
/// their parent's JSON.
fn object_type(
    ext: &GraphqlExt,
    name: &str,
    object: &ObjectType,
    objects: &BTreeSet<String>,
) -> Object {
    let root = name == "Query" || name == "Mutation";
    let mut out = Object::new(name);
    for field in &object.fields {
        let field_name = field.node.name.node.to_string();
        let ty = type_ref(&field.node.ty.node);
        let holds_objects = is_object(&field.node.ty.node, objects);
        let mut built = if root {
            let operation = ext
                .operations
                .iter()
                .find(|o| o.name == field_name)
                .and_then(|o| o.mock.clone());
            root_field(field_name, ty, operation, holds_objects)
        } else {
            data_field(field_name, ty, holds_objects)
        };
        for argument in &field.node.arguments {
            built = built.argument(InputValue::new(
                argument.node.name.node.to_string(),
                type_ref(&argument.node.ty.node),
            ));
        }
        out = out.field(built);
    }
    out
}

fn type_ref(ty: &Type) -> TypeRef {
    let base = match &ty.base {
        BaseType::Named(name) => TypeRef::Named(name.to_string().into()),
        BaseType::List(inner) => TypeRef::List(Box::new(type_ref(inner))),
    };
    if ty.nullable {
        base
    } else {
        TypeRef::NonNull(Box::new(base))
    }
}

fn is_object(ty: &Type, objects: &BTreeSet<String>) -> bool {
    match &ty.base {
        BaseType::Named(name) => objects.contains(name.as_str()),
        BaseType::List(inner) => is_object(inner, objects),
    }
}

/// A field of a data object: read from the parent's JSON.
fn data_field(name: String, ty: TypeRef, object: bool) -> Field {
    let key = name.clone();
    Field::new(name, ty, move |ctx| {
        let value = ctx
            .parent_value
            .downcast_ref::<Value>()
            .and_then(|parent| parent.get(&key))
            .cloned();
        FieldFuture::Value(
            value
                .filter(|v| !v.is_null())
                .map(|v| to_field_value(v, object)),
        )
    })
}

fn to_field_value(value: Value, object: bool) -> FieldValue<'static> {
    match value {
        Value::Array(items) => {
            FieldValue::list(items.into_iter().map(|v| to_field_value(v, object)))
        }
        value if object => FieldValue::owned_any(value),
        value => FieldValue::value(
            async_graphql::Value::from_json(value).unwrap_or(async_graphql::Value::Null),
        ),
    }
}

/// A root field: hands the documented operation and the arguments to the request's resolver.
fn root_field(name: String, ty: TypeRef, operation: Option<MockState>, object: bool) -> Field {
    Field::new(name.clone(), ty, move |ctx| {
        let result = resolve(&ctx, &name, operation.as_ref());
        if result.is_err()
            && let Ok(failed) = ctx.data::<Failed>()
        {
            failed
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(name.clone());
        }
        FieldFuture::Value(match result {
            Ok(value) => Some(to_field_value(value, object)),
            Err(error) => {
                return FieldFuture::new(async move { Err::<Option<FieldValue<'_>>, _>(error) });
            }
        })
    })
}

fn coded(message: impl Into<String>, code: &'static str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

fn resolve(
    ctx: &ResolverContext<'_>,
    name: &str,
    operation: Option<&MockState>,
) -> Result<Value, async_graphql::Error> {
    let resolver = ctx.data::<Arc<dyn Resolve>>()?;
    let Some(mock) = operation else {
        return Err(coded(
            format!(
                "`{name}` is in the schema but the mock does not serve it (no x-graphql operation)"
            ),
            "NOT_IMPLEMENTED",
        ));
    };
    let args: serde_json::Map<String, Value> = ctx
        .args
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                v.as_value().clone().into_json().unwrap_or(Value::Null),
            )
        })
        .collect();
    resolver
        .resolve(name, mock, Value::Object(args))
        .map_err(|error| coded(error.message, error.code))
}

impl Compiled {
    /// Executes `query` (which parses) of the request `body` (`variables`, `operationName`),
    /// with `resolver` running the root fields: the JSON response, errors in HappyColis' shape
    /// (every error has `extensions.code` and `path`).
    pub fn execute(&self, body: &Value, query: &str, resolver: Arc<dyn Resolve>) -> Value {
        let mut request = async_graphql::Request::new(query);
        if let Some(variables) = body.get("variables").filter(|v| v.is_object()) {
            request = request.variables(async_graphql::Variables::from_json(variables.clone()));
        }
        if let Some(name) = body.get("operationName").and_then(Value::as_str) {
            request = request.operation_name(name);
        }
        let failed = Arc::new(Mutex::new(Vec::new()));
        let request = request.data(Failed(Arc::clone(&failed))).data(resolver);
        let response = futures_executor::block_on(self.schema.execute(request));
        let mut json =
            serde_json::to_value(&response).unwrap_or_else(|_| serde_json::json!({"data": null}));
        let failed = failed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        fix_errors(&mut json, failed);
        json
    }
}

/// HappyColis errors always carry `extensions.code` and `path`: a failed root field's error
/// gets its field as path, any other error the validation code and an empty path.
fn fix_errors(json: &mut Value, failed: Vec<String>) {
    let mut failed = failed.into_iter();
    if let Some(Value::Array(errors)) = json.get_mut("errors") {
        for error in errors.iter_mut().filter_map(Value::as_object_mut) {
            let pathless = error
                .get("path")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            if pathless
                && error
                    .get("extensions")
                    .and_then(|e| e.get("code"))
                    .is_some()
                && let Some(field) = failed.next()
            {
                error.insert("path".into(), serde_json::json!([field]));
            }
            let extensions = error
                .entry("extensions")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(map) = extensions.as_object_mut() {
                map.entry("code")
                    .or_insert_with(|| Value::String("GRAPHQL_VALIDATION_FAILED".into()));
            }
            error
                .entry("path")
                .or_insert_with(|| Value::Array(Vec::new()));
        }
    }
}
