//! What the spec documents about an operation (statuses, examples, the delivery URL field),
//! and reading and judging the answers: the resource an answer holds, its id, a list's items,
//! schema violations, the failure report.

use serde_json::Value;

use super::{Api, Call, Op, Session};
use crate::check::CheckInfo;
use crate::spec::pointer;
use crate::spec::provenance::Basis;

impl Api {
    /// What a refusal by `op` rests on: its documented 4xx answers where it has any, else
    /// the assumption behind its assumed ones, else the harness's own (`refusal-status`).
    #[must_use]
    pub fn refusal_basis(&self, op: &Op) -> Basis {
        let endpoint = self.endpoint(op);
        let (documented, assumed) = self.spec.refusals(endpoint);
        if !documented.is_empty() {
            return self.spec.documented(endpoint);
        }
        assumed.into_iter().next().map_or_else(
            || crate::spec::provenance::harness_assumption("refusal-status"),
            |(_, basis)| basis,
        )
    }
    /// The first documented 2xx status of `op` (200 for GraphQL and when none is).
    #[must_use]
    pub fn success_status(&self, op: &Op) -> u16 {
        self.endpoint(op)
            .responses
            .iter()
            .filter_map(|r| r.status.parse::<u16>().ok())
            .find(|s| (200..300).contains(s))
            .unwrap_or(200)
    }
    /// Whether `op`'s endpoint documents `status`.
    #[must_use]
    pub fn documents(&self, op: &Op, status: u16) -> bool {
        self.endpoint(op)
            .responses
            .iter()
            .any(|r| r.status.parse::<u16>().ok() == Some(status))
    }
    /// The documented 4xx statuses of `op`.
    #[must_use]
    pub fn client_errors(&self, op: &Op) -> Vec<u16> {
        self.endpoint(op)
            .responses
            .iter()
            .filter_map(|r| r.status.parse::<u16>().ok())
            .filter(|s| (400..500).contains(s))
            .collect()
    }
    /// The documented example request bodies of `op` (for a GraphQL operation, the examples
    /// named after it), with their pointers.
    #[must_use]
    pub fn examples(&self, op: &Op) -> Vec<(String, Value)> {
        let Some(media) = self.endpoint(op).request.as_ref().and_then(|b| {
            b.content
                .iter()
                .find(|m| m.content_type.contains("json") || m.content_type.contains("form"))
        }) else {
            return Vec::new();
        };
        media
            .examples
            .iter()
            .filter(|e| match &op.graphql {
                Some(name) => &e.name == name,
                None => true,
            })
            .map(|e| (e.pointer.clone(), e.value.clone()))
            .collect()
    }
    /// A body for `op`: its first documented example (or an empty object), with the target
    /// URL set to `target` when it has one.
    #[must_use]
    pub fn example_body(&self, op: &Op, target: Option<&str>) -> Value {
        let mut body = self
            .examples(op)
            .into_iter()
            .next()
            .map_or_else(|| Value::Object(serde_json::Map::new()), |(_, v)| v);
        if let (Some(url), Some(at)) = (target, self.target_field(op)) {
            pointer::set(&mut body, &at, Value::String(url.to_string()));
        }
        body
    }
    /// Where `op`'s request carries the delivery URL.
    #[must_use]
    pub fn target_field(&self, op: &Op) -> Option<String> {
        let target = op.mock.as_ref()?.target.as_deref()?;
        Some(format!("{}{target}", op.fields_at()))
    }
    /// A delivery URL that goes nowhere (connections to port 9 of this machine are refused at
    /// once), for subscriptions the checks create and delete.
    #[must_use]
    pub fn nowhere(&self, n: usize) -> String {
        format!("https://127.0.0.1:9/conformance/{n}")
    }
    /// The resource in the answer to `op` (at `response`, or the GraphQL field).
    #[must_use]
    pub fn resource<'v>(&self, op: &Op, answer: &'v Value) -> Option<&'v Value> {
        match &op.graphql {
            Some(name) => pointer::get(answer, &format!("/data/{name}")),
            None => {
                let mock = op.mock.as_ref()?;
                let at = mock
                    .response
                    .as_deref()
                    .or(mock.resource.as_ref().map(|_| ""))?;
                pointer::get(answer, at)
            }
        }
    }
    /// The id of a resource of `collection`.
    #[must_use]
    pub fn id_of(&self, collection: &str, resource: &Value) -> Option<String> {
        // The undeliverable list's items carry their id where `x-delivery.undeliverable` says.
        let undeliverable = self
            .spec
            .delivery
            .undeliverable
            .as_ref()
            .filter(|u| u.collection == collection)
            .and_then(|u| u.pointer_of(crate::spec::extensions::ItemField::Id))
            .map(str::to_string);
        let at = undeliverable
            .or_else(|| {
                self.ops
                    .iter()
                    .filter(|o| o.collection() == Some(collection))
                    .find_map(|o| o.mock.as_ref().and_then(|m| m.id_field.clone()))
            })
            .unwrap_or_else(|| "/id".to_string());
        match pointer::get(resource, &at)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
    /// The resources a list answer holds.
    #[must_use]
    pub fn listed(&self, op: &Op, call: &Call) -> Vec<Value> {
        call.json
            .as_ref()
            .and_then(|j| {
                let at = op
                    .mock
                    .as_ref()
                    .and_then(|m| m.response.as_deref())
                    .unwrap_or("");
                pointer::get(j, at)
            })
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }
    /// Checks an answer against the schema of its status: the violations, if any.
    #[must_use]
    pub fn schema_violations(&self, op: &Op, call: &Call) -> Vec<String> {
        let (Some(status), Some(json)) = (call.status, call.json.as_ref()) else {
            return Vec::new();
        };
        let Some(schema) = self
            .endpoint(op)
            .responses
            .iter()
            .find(|r| r.status.parse::<u16>().ok() == Some(status))
            .or_else(|| {
                self.endpoint(op)
                    .responses
                    .iter()
                    .find(|r| r.covers(status))
            })
            .and_then(|r| r.body.json())
            .and_then(|m| m.schema.clone())
        else {
            return Vec::new();
        };
        self.spec
            .schemas
            .violations(&schema, json)
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                if v.instance_pointer.is_empty() {
                    v.message
                } else {
                    format!("{}: {}", v.instance_pointer, v.message)
                }
            })
            .collect()
    }
    /// The failure report of a call that broke a check.
    #[must_use]
    pub fn failure(&self, info: &CheckInfo, expected: &str, call: &Call, extra: &str) -> String {
        self.report(info, None, expected, call, extra)
    }
    /// The report of a call that broke an expectation resting on `basis`.
    #[must_use]
    pub fn report(
        &self,
        info: &CheckInfo,
        basis: Option<&Basis>,
        expected: &str,
        call: &Call,
        extra: &str,
    ) -> String {
        let mut out = format!(
            "{}: {}\n  (source: {})\nexpected: {expected}\n",
            info.id, info.reason, info.source
        );
        if let Some(basis) = basis {
            out.push_str(&basis.line());
            out.push('\n');
        }
        if !extra.is_empty() {
            out.push_str(extra);
            out.push('\n');
        }
        out.push_str(&self.redactor_for_reports().text(&call.render()));
        out
    }
}

impl Session<'_> {
    /// Judges an answer against the documented response of its status: its media type, that a
    /// documented JSON body is JSON, and its schema. The failure report when a documented rule
    /// is broken; `None` when none is (a broken assumed rule is kept as a warning).
    #[must_use]
    pub fn judge_answer(
        &self,
        info: &CheckInfo,
        op: &Op,
        call: &Call,
        extra: &str,
    ) -> Option<String> {
        let status = call.status?;
        let broken = self.broken_in_answer(op, call, status)?;
        let (documented, assumed): (Vec<_>, Vec<_>) =
            broken.into_iter().partition(|(_, b)| b.is_documented());
        let list = |items: &[(String, Basis)]| {
            items
                .iter()
                .map(|(what, _)| what.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let expected = format!("an answer valid against the documented {status} response");
        if let Some((_, basis)) = assumed.first() {
            let _ = self.finding(
                info,
                basis,
                &expected,
                call,
                &format!("{extra}\nbroken assumptions: {}", list(&assumed)),
            );
        }
        let (_, basis) = documented.first()?;
        Some(self.report(
            info,
            Some(basis),
            &expected,
            call,
            &format!("{extra}\nschema violations: {}", list(&documented)),
        ))
    }

    /// What `call`'s answer (`status`) breaks of the documented response, each with what it
    /// rests on: its media type, not JSON where JSON is documented, schema violations. `None`
    /// where the docs give no body for the status.
    fn broken_in_answer(&self, op: &Op, call: &Call, status: u16) -> Option<Vec<(String, Basis)>> {
        let endpoint = self.endpoint(op);
        let response = endpoint
            .responses
            .iter()
            .find(|r| r.status.parse::<u16>().ok() == Some(status))
            .or_else(|| endpoint.responses.iter().find(|r| r.covers(status)))?;
        if response.body.content.is_empty() {
            return None;
        }
        let base = |media: &str| {
            media
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        };
        let answered = call.content_type.as_deref().map(base);
        let documented: Vec<String> = response
            .body
            .content
            .iter()
            .map(|m| base(&m.content_type))
            .collect();
        let media = answered
            .as_ref()
            .and_then(|a| {
                response
                    .body
                    .content
                    .iter()
                    .find(|m| base(&m.content_type) == *a)
            })
            .or_else(|| response.body.json());
        let basis = media.map_or_else(
            || self.spec.response_basis(endpoint, status),
            |m| self.spec.basis_of(endpoint, &m.pointer),
        );
        let shape = match &answered {
            None if call.response.is_empty() => {
                Some("an empty answer without a Content-Type".to_string())
            }
            None => Some("an answer without a Content-Type".to_string()),
            Some(a) if !documented.contains(a) => Some(format!("Content-Type `{a}`")),
            _ => None,
        };
        let wants_json = media.is_some_and(|m| m.content_type.contains("json"));
        let mut broken = Vec::new();
        if let Some(shape) = shape {
            broken.push((
                format!("{shape}, where the docs give {}", documented.join(" or ")),
                basis.clone(),
            ));
        }
        if wants_json && call.json.is_none() {
            broken.push(("the answer is not JSON".to_string(), basis));
        } else if let Some(schema) = media.and_then(|m| m.schema.as_ref())
            && let Some(json) = &call.json
        {
            for v in self
                .spec
                .schemas
                .violations(schema, json)
                .unwrap_or_default()
            {
                let at = if v.instance_pointer.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", v.instance_pointer)
                };
                broken.push((
                    format!("{at}{} (schema {})", v.message, v.schema_pointer),
                    self.spec.basis_of(endpoint, &v.schema_pointer),
                ));
            }
        }
        Some(broken)
    }

    /// A call that broke an expectation resting on `basis`: the failure report when the
    /// expectation is documented; when it is assumed, `None`, the report being kept as a
    /// warning of the trial (a failure under `--strict`).
    #[must_use]
    pub fn finding(
        &self,
        info: &CheckInfo,
        basis: &Basis,
        expected: &str,
        call: &Call,
        extra: &str,
    ) -> Option<String> {
        let report = self.report(info, Some(basis), expected, call, extra);
        if basis.is_documented() {
            Some(report)
        } else {
            self.recorder().warn(report);
            None
        }
    }
}
