//! GraphQL endpoints (HappyColis' subscription mutations).

use serde_json::Value;

use super::auth::Tenant;
use super::engine::Engine;
use super::reply::{self, Reply};
use crate::spec::Endpoint;

/// Serves one GraphQL request.
pub fn serve(
    engine: &Engine,
    endpoint: &Endpoint,
    _tenant: Option<&Tenant>,
    _body: Option<&Value>,
) -> Reply {
    reply::error(
        &engine.spec,
        Some(endpoint),
        501,
        "GraphQL operations are not served by this version of the mock",
    )
}
