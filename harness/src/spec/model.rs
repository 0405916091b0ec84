//! The typed model a loaded spec becomes: endpoints, events, bodies and examples.
//!
//! Every item keeps the JSON Pointer of the node it was read from, so that every later message
//! (a lint finding, a failed check) can say where in the spec file the rule lives.

use serde_json::Value;

use super::extensions::{EventExt, GraphqlExt, OperationExt};

/// A documented management endpoint (one operation under `paths`).
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `operationId`.
    pub operation_id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template as written in the spec (`/webhooks/{webhook_id}.json`).
    pub path: String,
    /// Pointer to the operation object.
    pub pointer: String,
    /// `x-operation`.
    pub ext: OperationExt,
    /// `x-graphql`, for a GraphQL endpoint.
    pub graphql: Option<GraphqlExt>,
    /// Security requirements: alternatives, each a list of scheme names that must all be present.
    /// Empty means no auth.
    pub security: Vec<Vec<String>>,
    /// Path, query and header parameters.
    pub parameters: Vec<Parameter>,
    /// The request body, if any.
    pub request: Option<Body>,
    /// Responses by status (`200`, `4XX`, `default`).
    pub responses: Vec<Response>,
}

/// A parameter of an endpoint.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether it must be present.
    pub required: bool,
    /// Pointer to its schema, if it has one.
    pub schema: Option<String>,
}

/// A request body or a response: content by media type.
#[derive(Debug, Clone)]
pub struct Body {
    /// Pointer to the Request Body or Response object (after following `$ref`).
    pub pointer: String,
    /// Whether a request body is required (always false for responses).
    pub required: bool,
    /// One entry per media type.
    pub content: Vec<Media>,
}

impl Body {
    /// The first JSON media type, if any.
    #[must_use]
    pub fn json(&self) -> Option<&Media> {
        self.content
            .iter()
            .find(|m| m.content_type.contains("json"))
            .or_else(|| self.content.first())
    }
}

/// One media type of a body.
#[derive(Debug, Clone)]
pub struct Media {
    /// `application/json`, ...
    pub content_type: String,
    /// Pointer to the Media Type object.
    pub pointer: String,
    /// Pointer to its schema node (compiled in the spec's schema set).
    pub schema: Option<String>,
    /// Its examples.
    pub examples: Vec<Example>,
}

/// One example of a body.
#[derive(Debug, Clone)]
pub struct Example {
    /// The example's key (`documented`), or `example` for a single `example` field.
    pub name: String,
    /// Pointer to the Example object (or to the `example` field).
    pub pointer: String,
    /// Its summary.
    pub summary: Option<String>,
    /// The example value.
    pub value: Value,
    /// The fixture holding the same example byte for byte, relative to the spec file.
    pub fixture: Option<String>,
}

/// A response of an endpoint.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status key as written: `200`, `4XX`, `default`.
    pub status: String,
    /// Its description.
    pub description: String,
    /// Its body.
    pub body: Body,
}

impl Response {
    /// Whether this response covers `code` (exact, `NXX` range, or `default`).
    #[must_use]
    pub fn covers(&self, code: u16) -> bool {
        let key = self.status.as_str();
        if key == "default" {
            return true;
        }
        if let Ok(exact) = key.parse::<u16>() {
            return exact == code;
        }
        key.len() == 3
            && key.ends_with("XX")
            && key.as_bytes()[0].is_ascii_digit()
            && u16::from(key.as_bytes()[0] - b'0') == code / 100
    }
}

/// A documented event (one operation under `webhooks`).
#[derive(Debug, Clone)]
pub struct Event {
    /// The event name as the provider spells it.
    pub name: String,
    /// `operationId`.
    pub operation_id: String,
    /// Pointer to the operation object.
    pub pointer: String,
    /// `x-event`.
    pub ext: EventExt,
    /// The payload as the receiver gets it.
    pub payload: Body,
    /// What the receiver may answer.
    pub responses: Vec<Response>,
}

impl Event {
    /// Pointer to the payload schema.
    #[must_use]
    pub fn schema(&self) -> Option<&str> {
        self.payload.json().and_then(|m| m.schema.as_deref())
    }

    /// The payload examples.
    #[must_use]
    pub fn examples(&self) -> &[Example] {
        self.payload.json().map_or(&[], |m| m.examples.as_slice())
    }
}

/// A security scheme (`components/securitySchemes`).
#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// Its key.
    pub name: String,
    /// `apiKey`, `http`, `oauth2`, ...
    pub kind: String,
    /// For `http`: `bearer`, `basic`.
    pub scheme: Option<String>,
    /// For `apiKey`: the header, query or cookie name.
    pub parameter: Option<String>,
    /// For `apiKey`: `header`, `query` or `cookie`.
    pub location: Option<String>,
}
