//! Rules a spec must keep beyond OpenAPI: declared sources, coherent signature and delivery
//! settings, invariants and errata that name real things.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::ProviderSpec;
use super::error::{SpecError, SpecErrorKind};
use super::extensions::{MockAction, OnFailure, Rule, Status};
use super::pointer;

/// Runs every rule; findings go to `errors`.
pub fn run(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    sources(spec, errors);
    signature(spec, errors);
    envelope(spec, errors);
    delivery(spec, errors);
    invariants(spec, errors);
    errata(spec, errors);
    operations(spec, errors);
}

fn err(file: &Path, at: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError::new(file, at, SpecErrorKind::Invalid(message.into()))
}

/// Every `source`/`x-source` tag is declared in `info.x-provider.sources`.
fn sources(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let declared: BTreeSet<&str> = spec.provider.sources.keys().map(String::as_str).collect();
    for (tag, source) in &spec.provider.sources {
        if source.url.is_some() == source.file.is_some() {
            errors.push(err(
                &spec.file,
                pointer::join("/info/x-provider/sources", tag),
                "a source has exactly one of `url` or `file`",
            ));
        }
    }
    let mut used = Vec::new();
    // Another tool's extension may have a `source` of its own: not a tag of ours.
    let foreign: BTreeSet<&str> = spec
        .foreign_extensions
        .iter()
        .map(|f| f.key.as_str())
        .collect();
    collect_source_tags(&spec.document, &foreign, &mut String::new(), &mut used);
    for (at, tag) in used {
        if !declared.contains(tag.as_str()) {
            errors.push(
                err(
                    &spec.file,
                    at,
                    format!("source tag `{tag}` is not declared"),
                )
                .with_hint("declare it under info.x-provider.sources"),
            );
        }
    }
}

fn collect_source_tags(
    node: &Value,
    foreign: &BTreeSet<&str>,
    at: &mut String,
    out: &mut Vec<(String, String)>,
) {
    match node {
        Value::Object(map) => {
            for (key, child) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&pointer::escape(key));
                if key == "x-source" || (key == "source" && at.contains("/x-")) {
                    match child {
                        Value::Array(tags) => {
                            for (i, tag) in tags.iter().enumerate() {
                                match tag.as_str() {
                                    Some(tag) => out.push((format!("{at}/{i}"), tag.to_string())),
                                    None => out.push((format!("{at}/{i}"), tag.to_string())),
                                }
                            }
                        }
                        other => out.push((at.clone(), other.to_string())),
                    }
                } else if !matches!(
                    key.as_str(),
                    "value" | "example" | "default" | "const" | "enum"
                ) && !foreign.contains(key.as_str())
                {
                    collect_source_tags(child, foreign, at, out);
                }
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                collect_source_tags(item, foreign, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

fn signature(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let signing = &spec.signing;
    let at = "/x-webhook-signature";
    if signing.signs_id() && spec.envelope.event_id.is_none() {
        errors.push(
            err(
                &spec.file,
                at,
                "a signed template uses `{id}`, but `x-envelope.eventId` says nowhere where the id is",
            )
            .with_hint("set `x-envelope.eventId` to a payload pointer or `header:<Name>`"),
        );
    }
    if signing
        .schemes
        .iter()
        .any(|s| s.signed_content.contains("{event}"))
        && spec.envelope.event_name.is_none()
    {
        errors.push(err(
            &spec.file,
            at,
            "a signed template uses `{event}`, but `x-envelope.eventName` is not set",
        ));
    }
}

/// `x-envelope`: every field a JSON Pointer into the payload or `header:<Name>`; a field in a
/// header needs the header to be sent (`x-delivery.headers` or the signing convention's).
fn envelope(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let e = &spec.envelope;
    let sent: Vec<&str> = spec
        .delivery
        .headers
        .iter()
        .chain(&spec.signing.headers)
        .map(|h| h.name.as_str())
        .chain(spec.signing.timestamp.header.as_deref())
        .collect();
    for (field, value) in [
        ("eventName", &e.event_name),
        ("eventId", &e.event_id),
        ("attemptId", &e.attempt_id),
        ("timestamp", &e.timestamp),
        ("subscriptionId", &e.subscription_id),
    ] {
        let Some(value) = value else { continue };
        let at = format!("/x-envelope/{field}");
        match value.strip_prefix("header:") {
            Some(name) if !sent.iter().any(|s| s.eq_ignore_ascii_case(name)) => {
                errors.push(
                    err(&spec.file, at, format!("no delivery header `{name}` is sent"))
                        .with_hint("declare it in `x-delivery.headers` (or use a signing preset that sends it)"),
                );
            }
            Some(_) => {}
            None if value.is_empty() || !pointer::is_valid(value) => errors.push(err(
                &spec.file,
                at,
                format!("`{value}` is neither a JSON Pointer nor `header:<Name>`"),
            )),
            None => {}
        }
    }
    super::signing::check_headers(
        &spec.file,
        "/x-delivery/headers",
        &spec.delivery.headers,
        errors,
    );
}

fn delivery(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let d = &spec.delivery;
    let at = "/x-delivery";
    if d.on_failure == OnFailure::Retry && d.retry.is_none() {
        errors.push(err(
            &spec.file,
            at,
            "`onFailure: retry` needs a `retry` policy",
        ));
    }
    if let Some(retry) = &d.retry
        && (retry.max_attempts == 0
            || retry.multiplier < 1.0
            || retry.max_backoff_ms < retry.initial_backoff_ms)
    {
        errors.push(err(&spec.file, format!("{at}/retry"), "a retry policy needs maxAttempts >= 1, multiplier >= 1 and maxBackoffMs >= initialBackoffMs"));
    }
    if d.success != "2xx" {
        errors.push(err(
            &spec.file,
            format!("{at}/success"),
            "only `2xx` is supported",
        ));
    }
    if d.timeout_ms == 0 {
        errors.push(err(
            &spec.file,
            format!("{at}/timeoutMs"),
            "a delivery timeout must be positive",
        ));
    }
    let mut pointers = vec![("matching/events", d.matching.events.as_str())];
    pointers.extend(d.matching.active.as_deref().map(|p| ("matching/active", p)));
    pointers.extend(d.forward_headers.as_deref().map(|p| ("forwardHeaders", p)));
    for f in &d.matching.filters {
        pointers.push(("matching/filters", f.subscription.as_str()));
    }
    for e in &d.echo {
        // An empty subscription pointer echoes the whole subscription.
        if !pointer::is_valid(&e.subscription) {
            errors.push(err(
                &spec.file,
                format!("{at}/echo"),
                format!("`{}` is not a JSON Pointer", e.subscription),
            ));
        }
        pointers.push(("echo", e.payload.as_str()));
    }
    for (field, p) in pointers {
        if p.is_empty() || !pointer::is_valid(p) {
            errors.push(err(
                &spec.file,
                format!("{at}/{field}"),
                format!("`{p}` is not a JSON Pointer"),
            ));
        }
    }
    undeliverable(spec, errors);
    for (n, rule) in d.throttle.iter().enumerate() {
        for event in rule.events.iter().filter(|e| spec.event(e).is_none()) {
            errors.push(err(
                &spec.file,
                format!("{at}/throttle/{n}/events"),
                format!("no event `{event}` in this spec"),
            ));
        }
        for part in &rule.key {
            let fine = match (part.strip_prefix("payload:"), part.strip_prefix("context:")) {
                (Some(p), _) => !p.is_empty() && pointer::is_valid(p),
                (None, Some(name)) => !name.is_empty(),
                (None, None) => false,
            };
            if !fine {
                errors.push(
                    err(
                        &spec.file,
                        format!("{at}/throttle/{n}/key"),
                        format!(
                            "`{part}` is neither `payload:<JSON Pointer>` nor `context:<name>`"
                        ),
                    )
                    .with_hint("for example `payload:/data/photoId` or `context:label`"),
                );
            }
        }
    }
}

/// `x-delivery.undeliverable`: kept only by an `onFailure: undeliverable` provider, served by
/// an operation's collection, its items' pointers valid.
fn undeliverable(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let Some(rules) = &spec.delivery.undeliverable else {
        return;
    };
    let at = "/x-delivery/undeliverable";
    if spec.delivery.on_failure != OnFailure::Undeliverable {
        errors.push(err(
            &spec.file,
            at,
            "an undeliverable list needs `onFailure: undeliverable`",
        ));
    }
    let served = spec.endpoints.iter().any(|e| {
        e.ext
            .mock
            .as_ref()
            .is_some_and(|m| m.collection.as_deref() == Some(rules.collection.as_str()))
    });
    if !served {
        errors.push(err(
            &spec.file,
            format!("{at}/collection"),
            format!("no operation has the collection `{}`", rules.collection),
        ));
    }
    for p in rules.item.keys().chain(rules.retried.iter()) {
        if p.is_empty() || !pointer::is_valid(p) {
            errors.push(err(
                &spec.file,
                format!("{at}/item"),
                format!("`{p}` is not a JSON Pointer"),
            ));
        }
    }
}

fn invariants(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let names: BTreeSet<&str> = spec.events.iter().map(|e| e.name.as_str()).collect();
    let mut ids = BTreeSet::new();
    for (i, inv) in spec.invariants.iter().enumerate() {
        let at = format!("/x-invariants/{i}");
        if !ids.insert(inv.id.as_str()) {
            errors.push(err(
                &spec.file,
                &at,
                format!("duplicate invariant id `{}`", inv.id),
            ));
        }
        for event in inv.events.iter().flatten() {
            if !names.contains(event.as_str()) {
                errors.push(err(
                    &spec.file,
                    format!("{at}/events"),
                    format!("no event is named `{event}`"),
                ));
            }
        }
        if let Rule::Equal(pointers) = &inv.rule
            && pointers.len() < 2
        {
            errors.push(err(
                &spec.file,
                format!("{at}/rule/equal"),
                "`equal` needs two pointers or more",
            ));
        }
        for p in inv.payload_pointers() {
            if p.is_empty() || !pointer::is_valid(p) {
                errors.push(err(
                    &spec.file,
                    format!("{at}/rule"),
                    format!("`{p}` is not a JSON Pointer"),
                ));
            }
        }
    }
}

fn errata(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let mut ids = BTreeSet::new();
    for (i, erratum) in spec.errata.iter().enumerate() {
        let at = format!("/x-errata/{i}");
        if !ids.insert(erratum.id.as_str()) {
            errors.push(err(
                &spec.file,
                &at,
                format!("duplicate erratum id `{}`", erratum.id),
            ));
        }
        for (j, p) in erratum.affects.iter().enumerate() {
            if pointer::get(&spec.document, p).is_none() {
                errors.push(err(
                    &spec.file,
                    format!("{at}/affects/{j}"),
                    format!("`{p}` does not resolve in this document"),
                ));
            }
        }
    }
    let mut ids = BTreeSet::new();
    for (i, a) in spec.assumptions.iter().enumerate() {
        if !ids.insert(a.id.as_str()) {
            errors.push(err(
                &spec.file,
                format!("/x-assumptions/{i}"),
                format!("duplicate assumption id `{}`", a.id),
            ));
        }
    }
}

fn operations(spec: &ProviderSpec, errors: &mut Vec<SpecError>) {
    let mut ids = BTreeSet::new();
    for endpoint in &spec.endpoints {
        if !ids.insert(endpoint.operation_id.as_str()) {
            errors.push(err(
                &spec.file,
                &endpoint.pointer,
                format!("duplicate operationId `{}`", endpoint.operation_id),
            ));
        }
        if endpoint.ext.status == Status::Inferred && endpoint.ext.note.is_none() {
            errors.push(
                err(
                    &spec.file,
                    pointer::join(&endpoint.pointer, "x-operation"),
                    "an inferred operation needs a `note`",
                )
                .with_hint("say what it was inferred from"),
            );
        }
        if let Some(mock) = &endpoint.ext.mock {
            mock_state(spec, endpoint, mock, errors);
        }
    }
    for event in &spec.events {
        if !ids.insert(event.operation_id.as_str()) {
            errors.push(err(
                &spec.file,
                &event.pointer,
                format!("duplicate operationId `{}`", event.operation_id),
            ));
        }
    }
}

/// `x-operation.mock` of one endpoint: its id and tenant sources, pointers and parameters.
fn mock_state(
    spec: &ProviderSpec,
    endpoint: &crate::spec::Endpoint,
    mock: &crate::spec::extensions::MockState,
    errors: &mut Vec<SpecError>,
) {
    for (field, value) in [("tenant", &mock.tenant), ("id", &mock.id)] {
        if let Some(v) = value
            && v != "credential"
            && !v.starts_with("path:")
            && !v.starts_with("body:")
        {
            errors.push(err(
                &spec.file,
                format!("{}/x-operation/mock/{field}", endpoint.pointer),
                format!("`{v}` is not `credential`, `path:<param>` or `body:<pointer>`"),
            ));
        }
    }
    let at = format!("{}/x-operation/mock", endpoint.pointer);
    if let Some(resource) = &mock.resource {
        let resolves = resource
            .strip_prefix('#')
            .is_some_and(|p| pointer::get(&spec.document, p).is_some());
        if !resolves {
            errors.push(err(
                &spec.file,
                format!("{at}/resource"),
                format!("`{resource}` does not resolve in this document"),
            ));
        }
    }
    for (field, value) in [
        ("idField", &mock.id_field),
        ("requestInto", &mock.request_into),
        ("target", &mock.target),
        ("request", &mock.request),
        ("response", &mock.response),
    ] {
        if let Some(p) = value
            && !pointer::is_valid(p)
        {
            errors.push(err(
                &spec.file,
                format!("{at}/{field}"),
                format!("`{p}` is not a JSON Pointer"),
            ));
        }
    }
    mock_parameters(spec, endpoint, mock, &at, errors);
    if matches!(mock.action, MockAction::Create | MockAction::Replace)
        && mock.resource.is_none()
        && mock.response.is_some()
    {
        errors.push(
            err(
                &spec.file,
                format!("{at}/resource"),
                "a create or replace that answers with the resource needs the resource's schema",
            )
            .with_hint("set `resource: '#/components/schemas/...'`"),
        );
    }
    if let Some(param) = mock.id.as_deref().and_then(|v| v.strip_prefix("path:"))
        && !endpoint
            .parameters
            .iter()
            .any(|p| p.name == param && p.location == "path")
    {
        errors.push(err(
            &spec.file,
            format!("{}/x-operation/mock/id", endpoint.pointer),
            format!("the operation has no path parameter `{param}`"),
        ));
    }
}

/// The parameters `x-operation.mock` names (paging, path fields) are the operation's.
fn mock_parameters(
    spec: &ProviderSpec,
    endpoint: &crate::spec::Endpoint,
    mock: &crate::spec::extensions::MockState,
    at: &str,
    errors: &mut Vec<SpecError>,
) {
    for (field, value) in [
        ("pageSize", &mock.page_size),
        ("page", &mock.page),
        ("cursor", &mock.cursor),
    ] {
        if let Some(param) = value
            && !endpoint
                .parameters
                .iter()
                .any(|p| &p.name == param && p.location == "query")
        {
            errors.push(err(
                &spec.file,
                format!("{at}/{field}"),
                format!("the operation has no query parameter `{param}`"),
            ));
        }
    }
    for param in mock.from_path.values() {
        if !endpoint
            .parameters
            .iter()
            .any(|p| &p.name == param && p.location == "path")
        {
            errors.push(err(
                &spec.file,
                format!("{at}/fromPath"),
                format!("the operation has no path parameter `{param}`"),
            ));
        }
    }
}
