//! Reply hooks: code that sees, and may change, every reply before it is sent
//! (`MockBuilder::on_reply`), as wiremock lets a test plug in its own responder.

use super::reply::Reply;
use crate::spec::Endpoint;
use crate::spec::extensions::MockState;

/// The request a reply answers, as a hook sees it.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// `GET`, `POST`...
    pub method: &'a str,
    /// The raw request path.
    pub path: &'a str,
    /// The endpoint the request matched, if any.
    pub endpoint: Option<&'a Endpoint>,
    /// Where, in the reply body, the action put the resource it served (a JSON Pointer; `""`
    /// for the whole body), when it served one.
    pub resource_at: Option<&'a str>,
}

impl<'a> Exchange<'a> {
    /// The matched endpoint's `x-operation.mock`, if any.
    #[must_use]
    pub fn mock(&self) -> Option<&'a MockState> {
        self.endpoint.and_then(|e| e.ext.mock.as_ref())
    }
}

/// Sees every reply before it is sent, and may change it. Hooks run in the order they were
/// added; the journal records the reply they leave. A plain closure
/// `Fn(&Exchange<'_>, &mut Reply)` is one.
pub trait ReplyHook: Send + Sync {
    /// Called once per reply.
    fn on_reply(&self, exchange: &Exchange<'_>, reply: &mut Reply);
}

impl<F> ReplyHook for F
where
    F: Fn(&Exchange<'_>, &mut Reply) + Send + Sync,
{
    fn on_reply(&self, exchange: &Exchange<'_>, reply: &mut Reply) {
        self(exchange, reply);
    }
}
