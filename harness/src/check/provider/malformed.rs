//! Malformed request bodies for `invalid-request`, beyond one broken schema rule: an empty
//! body, JSON of the wrong shape (an array or a string where an object is required), a valid
//! body under a Content-Type the operation does not take, and bytes that are not UTF-8. Each
//! must be refused with a documented 4xx, never accepted and never a 5xx.

use serde_json::Value;

use super::{As, Call, Op, Session};
use crate::generate::SchemaGen;
use crate::spec::Body;

/// One malformed request: its bytes, the Content-Type it is sent with, and what it is.
#[derive(Debug, Clone)]
pub struct Malformed {
    /// The body.
    pub bytes: Vec<u8>,
    /// The Content-Type header sent.
    pub content_type: &'static str,
    /// What the body is, in words (the site the report names).
    pub what: &'static str,
}

/// A Content-Type no spec declares for a request body.
const WRONG_TYPE: &str = "text/plain; charset=utf-8";

/// The malformed bodies for an operation whose body is `declared` (JSON), built around the
/// `valid` body `generator` drew: only those the schema itself refuses (a schema that allows an
/// array gets no array), and the empty body only where the body is required.
#[must_use]
pub fn bodies(declared: &Body, generator: &SchemaGen, valid: &Value) -> Vec<Malformed> {
    let json = |bytes: Vec<u8>, what| Malformed {
        bytes,
        content_type: "application/json",
        what,
    };
    let text = serde_json::to_vec(valid).unwrap_or_default();
    let mut out = Vec::new();
    if declared.required {
        out.push(json(Vec::new(), "empty (0 bytes) where a body is required"));
    }
    let array = Value::Array(vec![valid.clone()]);
    if !generator.accepts(&array) {
        out.push(json(
            serde_json::to_vec(&array).unwrap_or_default(),
            "a JSON array (the valid body inside one) where the schema wants another type",
        ));
    }
    let string = Value::String(String::from_utf8_lossy(&text).into_owned());
    if !generator.accepts(&string) {
        out.push(json(
            serde_json::to_vec(&string).unwrap_or_default(),
            "a JSON string (the valid body as text) where the schema wants another type",
        ));
    }
    if !declared
        .content
        .iter()
        .any(|m| m.content_type.starts_with("text/plain"))
    {
        out.push(Malformed {
            bytes: text,
            content_type: WRONG_TYPE,
            what: "a valid body sent as `Content-Type: text/plain`, a media type the operation does not take",
        });
    }
    out.push(json(
        b"{\"\xff\xfe\": \"\xc3\x28\"}".to_vec(),
        "not UTF-8 (a member name of bytes FF FE, a value of bytes C3 28)",
    ));
    out
}

impl Malformed {
    /// Sends it to `op` (on the item `id`, if the operation takes one) as the first tenant.
    pub fn send(&self, api: &Session<'_>, op: &Op, id: Option<&str>) -> Call {
        let (method, url, mut headers) = api.request(op, As::Tenant(0), id);
        headers.push(("content-type".into(), self.content_type.into()));
        api.send_as(Some(op), &method, &url, headers, self.bytes.clone())
    }

    /// Whether `call`'s answer is the refusal HTTP itself defines for this body: 415
    /// Unsupported Media Type for a media type the operation does not take (RFC 9110, 15.5.16),
    /// whether or not the spec lists it.
    #[must_use]
    pub fn refused_as_http_says(&self, call: &Call) -> bool {
        self.content_type == WRONG_TYPE && call.status == Some(415)
    }

    /// What the report says the request broke.
    #[must_use]
    pub fn said(&self, schema: &str) -> String {
        format!(
            "the request body is {}: the operation takes JSON (schema {schema})",
            self.what
        )
    }
}

/// The faults the malformed bodies prove they catch (test support).
#[cfg(feature = "test-support")]
pub mod fault {
    use crate::mock::{Exchange, Fault, MockBuilder, Reply};

    /// Answers 500 to an empty body where one is required (a handler that reads a body it
    /// assumes is there), and otherwise as the spec says.
    #[derive(Debug, Clone, Copy)]
    pub struct CrashesOnEmptyBody;

    impl Fault for CrashesOnEmptyBody {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.on_reply(|_: &Exchange<'_>, reply: &mut Reply| {
                if (400..500).contains(&reply.status)
                    && reply
                        .body
                        .to_string()
                        .contains("a request body is required")
                {
                    reply.status = 500;
                }
            })
        }
    }

    /// Takes a body whatever its Content-Type says: where the spec's mock would answer 415, it
    /// answers 200 (a handler that never looks at the media type).
    #[derive(Debug, Clone, Copy)]
    pub struct IgnoresContentType;

    impl Fault for IgnoresContentType {
        fn apply(&self, mock: MockBuilder) -> MockBuilder {
            mock.on_reply(|_: &Exchange<'_>, reply: &mut Reply| {
                if reply.status == 415 {
                    reply.status = 200;
                }
            })
        }
    }
}
