//! GraphQL endpoints (HappyColis' subscription mutations), served by a real GraphQL engine:
//! the spec's SDL (`x-graphql.schema`) becomes an `async-graphql` dynamic schema, and each
//! documented operation's resolver runs its `mock` action on the store. Queries are parsed,
//! validated and executed as GraphQL, never matched as strings.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_graphql::ErrorExtensions;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, Scalar,
    Schema, TypeRef,
};
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use proptest::test_runner::TestRng;
use serde_json::Value;

use super::auth::Tenant;
use super::engine::Engine;
use super::reply::{self, Reply};
use super::store::Store;
use crate::spec::Endpoint;
use crate::spec::extensions::{GraphqlExt, MockAction, MockState};
use crate::spec::pointer;

/// What one GraphQL request's resolvers need, passed as request data.
struct Call {
    /// Root fields whose resolver failed, in order: the dynamic engine leaves their errors
    /// without a path, which HappyColis' errors always have.
    failed: Arc<Mutex<Vec<String>>>,
    store: Arc<Store>,
    rng: Arc<Mutex<TestRng>>,
    tenant: String,
    allow_http_targets: bool,
}

/// A compiled GraphQL endpoint.
pub struct Graphql {
    schema: Schema,
}

impl std::fmt::Debug for Graphql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Graphql")
    }
}

/// Builds the executable schema of an `x-graphql` extension.
pub fn build(ext: &GraphqlExt) -> Result<Graphql, String> {
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
                let root = name == "Query" || name == "Mutation";
                let mut out = Object::new(name.clone());
                for field in &object.fields {
                    let field_name = field.node.name.node.to_string();
                    let ty = type_ref(&field.node.ty.node);
                    let mut built = if root {
                        let operation = ext
                            .operations
                            .iter()
                            .find(|o| o.name == field_name)
                            .and_then(|o| o.mock.clone());
                        root_field(
                            field_name.clone(),
                            ty,
                            operation,
                            is_object(&field.node.ty.node, &objects),
                        )
                    } else {
                        data_field(
                            field_name.clone(),
                            ty,
                            is_object(&field.node.ty.node, &objects),
                        )
                    };
                    for argument in &field.node.arguments {
                        built = built.argument(InputValue::new(
                            argument.node.name.node.to_string(),
                            type_ref(&argument.node.ty.node),
                        ));
                    }
                    out = out.field(built);
                }
                builder = builder.register(out);
            }
            TypeKind::Interface(_) | TypeKind::Union(_) => {
                return Err(format!(
                    "the x-graphql type `{name}`: interfaces and unions are not supported by the mock"
                ));
            }
        }
    }
    let schema = builder
        .finish()
        .map_err(|e| format!("the x-graphql schema is not a valid GraphQL schema: {e}"))?;
    Ok(Graphql { schema })
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

/// A root field: runs the documented operation's mock action.
fn root_field(name: String, ty: TypeRef, operation: Option<MockState>, object: bool) -> Field {
    Field::new(name.clone(), ty, move |ctx| {
        let result = resolve(&ctx, &name, operation.as_ref());
        if result.is_err()
            && let Ok(call) = ctx.data::<Call>()
        {
            call.failed
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
    let call = ctx.data::<Call>()?;
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
    let args = Value::Object(args);
    let collection = mock.collection.as_deref().unwrap_or("resources");
    match mock.action {
        MockAction::Create => {
            let fields = match pointer::get(&args, mock.request.as_deref().unwrap_or("")) {
                Some(Value::Object(fields)) => fields.clone(),
                _ => return Err(coded("the input is not an object", "BAD_USER_INPUT")),
            };
            if let Some(target) = &mock.target
                && let Some(Value::String(url)) =
                    pointer::get(&Value::Object(fields.clone()), target)
            {
                let http_allowed = call.allow_http_targets
                    && url
                        .strip_prefix("http://")
                        .is_some_and(super::engine::loopback);
                if mock.https_only && !url.starts_with("https://") && !http_allowed {
                    return Err(coded(
                        format!(
                            "{target}: `{url}` is not an HTTPS URL, and the provider only delivers to HTTPS URLs; to subscribe a local http:// receiver in tests, start the mock with --allow-http-targets (MockBuilder::allow_http_targets(true))"
                        ),
                        "BAD_USER_INPUT",
                    ));
                }
            }
            let mut resource = Value::Object(serde_json::Map::new());
            for (at, value) in &mock.defaults {
                pointer::set(&mut resource, at, value.clone());
            }
            if let Value::Object(map) = &mut resource {
                for (k, v) in fields {
                    map.insert(k, v);
                }
            }
            let template = mock.id_format.as_deref().unwrap_or("{uuid}");
            for _ in 0..8 {
                let id = {
                    let mut rng = call
                        .rng
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    crate::ids::fill(template, &mut *rng)
                };
                pointer::set(
                    &mut resource,
                    mock.id_field.as_deref().unwrap_or("/id"),
                    Value::String(id.clone()),
                );
                if call.store.insert(collection, &call.tenant, &id, &resource) {
                    return Ok(resource);
                }
            }
            Err(coded("could not find a free id", "INTERNAL_SERVER_ERROR"))
        }
        MockAction::Delete | MockAction::Read => {
            let id = mock
                .id
                .as_deref()
                .and_then(|source| source.strip_prefix("body:"))
                .and_then(|at| pointer::get(&args, at))
                .and_then(Value::as_str)
                .ok_or_else(|| coded("the operation names no id", "BAD_USER_INPUT"))?;
            let found = if mock.action == MockAction::Delete {
                call.store.remove(collection, &call.tenant, id)
            } else {
                call.store.get(collection, &call.tenant, id)
            };
            found.ok_or_else(|| {
                coded(
                    format!("Webhook not found: no subscription `{id}` for these credentials"),
                    "NOT_FOUND",
                )
            })
        }
        MockAction::List => Ok(Value::Array(call.store.list(collection, &call.tenant))),
        _ => Err(coded(
            format!("the mock action of `{name}` is not available over GraphQL"),
            "NOT_IMPLEMENTED",
        )),
    }
}

/// Serves one GraphQL request (the body was validated against the request schema).
pub fn serve(
    engine: &Engine,
    endpoint: &Endpoint,
    tenant: Option<&Tenant>,
    body: Option<&Value>,
) -> Reply {
    let Some(graphql) = engine.graphql.as_ref() else {
        return reply::error(
            &engine.spec,
            Some(endpoint),
            400,
            "this endpoint has no x-graphql schema",
        );
    };
    let Some(query) = body.and_then(|b| b.get("query")).and_then(Value::as_str) else {
        return reply::error(
            &engine.spec,
            Some(endpoint),
            400,
            "the body needs a `query` string",
        );
    };
    // A document that does not parse is a transport-level 400 at HappyColis.
    if let Err(error) = async_graphql::parser::parse_query(query) {
        return reply::error(
            &engine.spec,
            Some(endpoint),
            400,
            &format!("GraphQL syntax error: {error}"),
        );
    }
    let mut request = async_graphql::Request::new(query);
    if let Some(variables) = body
        .and_then(|b| b.get("variables"))
        .filter(|v| v.is_object())
    {
        request = request.variables(async_graphql::Variables::from_json(variables.clone()));
    }
    if let Some(name) = body
        .and_then(|b| b.get("operationName"))
        .and_then(Value::as_str)
    {
        request = request.operation_name(name);
    }
    let failed = Arc::new(Mutex::new(Vec::new()));
    let request = request.data(Call {
        failed: Arc::clone(&failed),
        store: Arc::clone(&engine.store),
        rng: Arc::clone(&engine.rng),
        tenant: tenant.map(|t| t.id.clone()).unwrap_or_default(),
        allow_http_targets: engine.settings.allow_http_targets,
    });
    let response = futures_executor::block_on(graphql.schema.execute(request));
    let mut json =
        serde_json::to_value(&response).unwrap_or_else(|_| serde_json::json!({"data": null}));
    // HappyColis errors always carry `extensions.code` and `path`.
    let mut failed = failed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .into_iter();
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
    Reply::new(200, json)
}
