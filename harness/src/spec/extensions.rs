//! The `x-` extensions of our spec files, as `specs/EXTENSIONS.md` defines them.
//!
//! Every struct refuses unknown fields, so a typo in a spec is an error with a pointer rather than
//! a setting silently ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a node's facts come from: tags declared in `info.x-provider.sources`.
pub type Sources = Vec<String>;

/// `info.x-provider`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderInfo {
    /// Short name: file name, trial prefix, `--spec NAME`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Every source tag used in the document.
    pub sources: BTreeMap<String, SourceRef>,
}

/// One documentation source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// What the source is.
    pub title: String,
    /// A public page.
    #[serde(default)]
    pub url: Option<String>,
    /// A file under `../shared/`.
    #[serde(default)]
    pub file: Option<String>,
}

/// Whether something is in the provider's documentation or inferred from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Stated in the provider's user documentation.
    Documented,
    /// Taken from client or server code, not the user documentation.
    Inferred,
}

/// `x-operation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationExt {
    /// Documented or inferred.
    pub status: Status,
    /// Where it comes from.
    pub source: Sources,
    /// A remark; required for inferred operations.
    #[serde(default)]
    pub note: Option<String>,
    /// How the mock keeps state for this operation.
    #[serde(default)]
    pub mock: Option<MockState>,
}

/// What a mock operation does with its state collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MockAction {
    /// Adds a resource.
    Create,
    /// Reads one resource.
    Read,
    /// Changes some fields of a resource.
    Update,
    /// Replaces a resource.
    Replace,
    /// Removes one resource.
    Delete,
    /// Removes every resource of the tenant.
    DeleteAll,
    /// Lists the tenant's resources.
    List,
    /// Retries one (undelivered) item.
    Retry,
    /// Retries every (undelivered) item.
    RetryAll,
    /// Answers with the documented example.
    Static,
    /// Issues a bearer token.
    Token,
    /// Served by the GraphQL engine of `x-graphql`.
    Graphql,
}

/// `x-operation.mock` and `x-graphql.operations[].mock`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MockState {
    /// The state collection.
    #[serde(default)]
    pub collection: Option<String>,
    /// What the operation does.
    pub action: MockAction,
    /// What separates tenants: `credential` or `path:<param>`.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Where the resource id comes from: `path:<param>` or `body:<pointer>`.
    #[serde(default)]
    pub id: Option<String>,
    /// Template of generated ids: `{alnum:N}`, `{hex:N}`, `{uuid}` placeholders.
    #[serde(default)]
    pub id_format: Option<String>,
    /// Pointer in the request body where the resource fields are.
    #[serde(default)]
    pub request: Option<String>,
    /// Pointer in the response body where the resource goes (absent: the documented example).
    #[serde(default)]
    pub response: Option<String>,
    /// The schema of the stored resource (`#/components/schemas/...`): server-side fields
    /// (ids, secrets, defaults) are generated from it.
    #[serde(default)]
    pub resource: Option<String>,
    /// Pointer in the stored resource where its id sits (default `/id`).
    #[serde(default)]
    pub id_field: Option<String>,
    /// Pointer in the stored resource where the request fields go (default: the root).
    #[serde(default)]
    pub request_into: Option<String>,
    /// Stored fields taken from path parameters: resource pointer → parameter name.
    #[serde(default)]
    pub from_path: std::collections::BTreeMap<String, String>,
    /// Pointer, in the request fields, to the URL deliveries go to.
    #[serde(default)]
    pub target: Option<String>,
    /// Whether the provider refuses target URLs that are not `https://`.
    #[serde(default)]
    pub https_only: bool,
    /// `list`: the query parameter giving the items per page (absent: the whole list).
    #[serde(default)]
    pub page_size: Option<String>,
    /// `list`: the query parameter giving the page number, from 1.
    #[serde(default)]
    pub page: Option<String>,
    /// Values a created resource gets when the request does not set them: resource pointer →
    /// value (for resources without a schema, such as GraphQL ones).
    #[serde(default)]
    pub defaults: std::collections::BTreeMap<String, Value>,
}

impl MockState {
    /// Where the delivery URL sits in the stored resource: `requestInto` then `target`.
    #[must_use]
    pub fn stored_target(&self) -> Option<String> {
        let target = self.target.as_deref()?;
        Some(format!(
            "{}{target}",
            self.request_into.as_deref().unwrap_or("")
        ))
    }
}

/// `x-graphql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlExt {
    /// The documented part of the GraphQL schema, as SDL.
    pub schema: String,
    /// The documented operations.
    pub operations: Vec<GraphqlOperation>,
}

/// One GraphQL operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlOperation {
    /// Field name on the root type.
    pub name: String,
    /// `query` or `mutation`.
    pub kind: GraphqlKind,
    /// Documented or inferred.
    pub status: Status,
    /// Where it comes from.
    pub source: Sources,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
    /// How the mock keeps state for it.
    #[serde(default)]
    pub mock: Option<MockState>,
}

/// GraphQL operation kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GraphqlKind {
    /// A query field.
    Query,
    /// A mutation field.
    Mutation,
}

/// `x-event` on a webhook operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventExt {
    /// The event name, equal to the `webhooks` key.
    pub name: String,
    /// Documented or inferred.
    pub status: Status,
    /// Where it comes from.
    pub source: Sources,
    /// What makes the provider send it.
    #[serde(default)]
    pub trigger: Option<String>,
    /// The kind of object the event is about.
    #[serde(default)]
    pub resource: Option<String>,
    /// Pointers in the payload that hold the id of the object the event is about (all hold
    /// the same value). Events of one `resource` with these pointers form its lifecycle, in the
    /// order the spec lists them.
    #[serde(default, rename = "resourceId")]
    pub resource_id: Vec<String>,
}

/// `x-webhook-signature`: how deliveries are signed. Either one scheme written flat, several
/// in `schemes`, a named `preset` (with any field overriding it), or `scheme: none`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignatureExt {
    /// A named signing convention (`standard-webhooks`, `github`...) giving every field a
    /// default; the fields written here override it.
    #[serde(default)]
    pub preset: Option<String>,
    /// `hmac`, `ed25519` or `none` (one scheme written flat).
    #[serde(default)]
    pub scheme: Option<SignatureKind>,
    /// Why there is no signature (scheme `none`).
    #[serde(default)]
    pub reason: Option<String>,
    /// Header name as the provider writes it (one scheme written flat).
    #[serde(default)]
    pub header: Option<String>,
    /// HMAC digest (one scheme written flat).
    #[serde(default)]
    pub algorithm: Option<Digest>,
    /// Signature encoding (one scheme written flat).
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Template of the signed text over `{id}`, `{timestamp}`, `{event}` and `{body}`.
    #[serde(default)]
    pub signed_content: Option<String>,
    /// Template of the header value over `{timestamp}` and `{signature}` (or `{signatures}`).
    #[serde(default)]
    pub header_value: Option<String>,
    /// Template of one signature where the header value holds several (`{signatures}`).
    #[serde(default)]
    pub item: Option<String>,
    /// What separates several signatures in one header.
    #[serde(default)]
    pub separator: Option<String>,
    /// Several schemes, each signing its own header (GitHub's sha256 and legacy sha1).
    #[serde(default)]
    pub schemes: Vec<SchemeExt>,
    /// The timestamp: its unit, the header it travels in, the replay tolerance.
    #[serde(default)]
    pub timestamp: Option<TimestampExt>,
    /// Where the key comes from and how its text decodes into key material.
    #[serde(default)]
    pub key: Option<KeyExt>,
    /// Headers the signing convention sends with every delivery (templates, as
    /// `x-delivery.headers`).
    #[serde(default)]
    pub headers: Vec<HeaderExt>,
    /// What the provider tells receivers to verify over: the bytes as received, or the parsed
    /// body re-serialised with the provider's serialiser.
    #[serde(default)]
    pub verified_over: Option<VerifiedOver>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}

/// One signature scheme of `x-webhook-signature.schemes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SchemeExt {
    /// `hmac` (default) or `ed25519`.
    #[serde(default)]
    pub scheme: Option<SignatureKind>,
    /// Header name as the provider writes it.
    #[serde(default)]
    pub header: Option<String>,
    /// HMAC digest.
    #[serde(default)]
    pub algorithm: Option<Digest>,
    /// Signature encoding.
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Template of the signed text.
    #[serde(default)]
    pub signed_content: Option<String>,
    /// Template of the header value.
    #[serde(default)]
    pub header_value: Option<String>,
    /// Template of one signature where the header holds several.
    #[serde(default)]
    pub item: Option<String>,
    /// What separates several signatures in one header.
    #[serde(default)]
    pub separator: Option<String>,
}

/// Signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureKind {
    /// An HMAC over the signed content.
    Hmac,
    /// An Ed25519 signature over the signed content (Standard Webhooks `v1a`).
    Ed25519,
    /// Deliveries carry no signature.
    None,
}

/// What receivers verify a signature over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifiedOver {
    /// The body bytes as received (the signed text, for a JSON-string body).
    #[default]
    Bytes,
    /// The parsed body, serialised again with the provider's serialiser (Betterez's
    /// instructions: `JSON.stringify(req.body)`).
    Reserialised,
}

/// HMAC digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Digest {
    /// HMAC-SHA1 (legacy schemes, GitHub's `X-Hub-Signature`).
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// Signature encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Lowercase hex.
    Hex,
    /// Standard, padded Base64.
    Base64,
    /// URL-safe Base64 without padding.
    Base64url,
}

/// `x-webhook-signature.timestamp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampExt {
    /// Unit of the timestamp.
    #[serde(default)]
    pub unit: Option<TimeUnit>,
    /// The header the timestamp is sent in, where it is not in the signature header.
    #[serde(default)]
    pub header: Option<String>,
    /// How far from the receiver's clock, in seconds and in both directions, a timestamp may
    /// be before the delivery counts as a replay.
    #[serde(default)]
    pub tolerance: Option<u64>,
}

/// Units of a signature timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeUnit {
    /// Unix seconds.
    #[default]
    Seconds,
    /// Unix milliseconds.
    Milliseconds,
}

/// `x-webhook-signature.key`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyExt {
    /// `credential` or `subscription`.
    #[serde(default)]
    pub from: Option<KeySource>,
    /// The credential's name (`from: credential`).
    #[serde(default)]
    pub name: Option<String>,
    /// Where the secret sits in the stored subscription (`from: subscription`).
    #[serde(default)]
    pub pointer: Option<String>,
    /// What the key is, in the provider's words.
    #[serde(default)]
    pub description: Option<String>,
    /// How the secret's text becomes key material: `utf8` (default), `base64` or `hex`.
    #[serde(default)]
    pub encoding: Option<KeyEncoding>,
    /// A prefix of the secret's text that is not key material (`whsec_`).
    #[serde(default)]
    pub prefix: Option<String>,
}

/// How a secret's text becomes key material.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyEncoding {
    /// The text's UTF-8 bytes, as written.
    #[default]
    Utf8,
    /// Standard Base64 (strict: padding and alphabet checked).
    Base64,
    /// Hex digits.
    Hex,
}

/// Where a signing key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeySource {
    /// A credential of the account or application.
    Credential,
    /// A field of the subscription.
    Subscription,
}

/// A header a provider sends with every delivery: its name and a template of its value over
/// `{event}`, `{eventId}`, `{attemptId}`, `{timestamp}`, `{subscriptionId}` and `{uuid}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderExt {
    /// The header's name, as the provider writes it.
    pub name: String,
    /// The template of its value.
    pub value: String,
}

/// `x-delivery`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeliveryExt {
    /// HTTP method (POST).
    pub method: String,
    /// Content-Type header sent, or null for none.
    pub content_type: Option<String>,
    /// How the payload text is produced.
    pub serialization: Serialization,
    /// How the payload text becomes the wire body.
    pub body_encoding: BodyEncoding,
    /// Which answers acknowledge a delivery.
    pub success: String,
    /// Per-attempt timeout.
    pub timeout_ms: u64,
    /// Ordering guarantee.
    pub ordering: Ordering,
    /// What shares one queue.
    pub queue: QueueKey,
    /// What happens when an attempt fails.
    pub on_failure: OnFailure,
    /// The retry policy (`onFailure: retry`).
    #[serde(default)]
    pub retry: Option<RetryExt>,
    /// Which subscriptions get an event.
    pub matching: MatchingExt,
    /// Pointer in the subscription to headers sent verbatim.
    #[serde(default)]
    pub forward_headers: Option<String>,
    /// Headers the provider itself sends with every delivery (templates).
    #[serde(default)]
    pub headers: Vec<HeaderExt>,
    /// Subscription values copied into each payload.
    #[serde(default)]
    pub echo: Vec<EchoExt>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}

/// How payload text is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Serialization {
    /// JavaScript's `JSON.stringify`.
    JsonStringify,
    /// Compact JSON in insertion order.
    Compact,
}

/// How the payload text becomes the wire body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyEncoding {
    /// The body is the payload text.
    Plain,
    /// The body is the payload text encoded again as a JSON string literal.
    JsonString,
}

/// Ordering guarantees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ordering {
    /// No guarantee.
    None,
    /// First in, first out per queue.
    Fifo,
}

/// What shares one delivery queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueKey {
    /// No queue.
    None,
    /// One queue per subscription.
    Subscription,
    /// One queue per integration (all its subscriptions).
    Integration,
}

/// What happens when a delivery attempt fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnFailure {
    /// The queue blocks until unblocked; the failed message goes first.
    Block,
    /// The delivery lands in an undeliverable list.
    Undeliverable,
    /// Bounded retries with backoff.
    Retry,
    /// The failure is ignored.
    Drop,
}

/// `x-delivery.retry`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RetryExt {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt.
    pub initial_backoff_ms: u64,
    /// Longest wait.
    pub max_backoff_ms: u64,
    /// Growth of the wait.
    pub multiplier: f64,
}

/// `x-delivery.matching`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingExt {
    /// Pointer into the subscription: an event name or a list of them.
    pub events: String,
    /// The value meaning "every event".
    #[serde(default)]
    pub all: Option<String>,
    /// Pointer into the subscription: a boolean.
    #[serde(default)]
    pub active: Option<String>,
    /// Equality filters between subscription and event context.
    #[serde(default)]
    pub filters: Vec<FilterExt>,
}

/// One matching filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterExt {
    /// Pointer into the subscription.
    pub subscription: String,
    /// Name of the context value the emitter supplies.
    pub context: String,
    /// What the filter means.
    #[serde(default)]
    pub description: Option<String>,
}

/// One echoed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EchoExt {
    /// Pointer into the subscription.
    pub subscription: String,
    /// Pointer into the payload.
    pub payload: String,
}

/// `x-envelope`: where a delivery carries its envelope fields, each a JSON Pointer into the
/// payload or `header:<Name>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvelopeExt {
    /// The event name.
    #[serde(default)]
    pub event_name: Option<String>,
    /// The event id.
    #[serde(default)]
    pub event_id: Option<String>,
    /// An id unique to each POST.
    #[serde(default)]
    pub attempt_id: Option<String>,
    /// When the event was created.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The subscription that matched.
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// The id template of event ids the provider makes up where the id travels in a header
    /// (`msg_{alnum:27}`; default `{uuid}`).
    #[serde(default)]
    pub event_id_format: Option<String>,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
}

/// One `x-invariants` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvariantExt {
    /// Stable id.
    pub id: String,
    /// What it says, in words.
    pub description: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: Sources,
    /// Events it applies to (all when absent).
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// The rule.
    pub rule: Rule,
}

/// An invariant rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum Rule {
    /// All pointers resolve and their values are equal.
    Equal(Vec<String>),
    /// The value equals the event's name.
    EventName(String),
    /// The value is an element of the array.
    MemberOf {
        /// Pointer to the value.
        value: String,
        /// Pointer to the array.
        array: String,
    },
    /// The payload value equals a value of the subscription it was delivered for.
    Subscription {
        /// Pointer into the payload.
        payload: String,
        /// Pointer into the subscription.
        subscription: String,
    },
}

/// One `x-assumptions` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionExt {
    /// Stable id, used by `--assume ID=VALUE`.
    pub id: String,
    /// Pointer(s) into the spec document to the node(s) holding the choice.
    pub pointer: Pointers,
    /// The chosen value; equals the node's value.
    pub value: Value,
    /// Other accepted values.
    #[serde(default)]
    pub alternatives: Vec<Value>,
    /// Why this choice.
    pub reason: String,
    /// Where the silence was observed.
    #[serde(default)]
    pub source: Sources,
}

/// One JSON Pointer, or several (an assumption that several nodes share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Pointers {
    /// A single node.
    One(String),
    /// Several nodes holding the same value.
    Many(Vec<String>),
}

impl Pointers {
    /// The pointers, one or many.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

/// One `x-errata` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErratumExt {
    /// Stable id.
    pub id: String,
    /// What the documentation gets wrong.
    pub summary: String,
    /// Where.
    #[serde(default)]
    pub source: Sources,
    /// `invalid` (the listed examples fail their schema) or `note`.
    pub expect: ErratumExpect,
    /// Pointers into the spec document.
    #[serde(default)]
    pub affects: Vec<String>,
}

/// What an erratum expects of the nodes it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErratumExpect {
    /// Every listed example fails its schema.
    Invalid,
    /// Documentary only.
    Note,
}
