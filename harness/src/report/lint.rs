//! Rendering for people: lint reports and coverage tables as terminal text.

use std::fmt::Write as _;

use crate::spec::ProviderSpec;
use crate::spec::extensions::{ErratumExpect, GraphqlKind, Status};
use crate::spec::lint::{Report, Severity};

/// A loaded spec's summary and lint report, rendered for a terminal.
#[must_use]
pub fn lint_report(spec: &ProviderSpec, report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}): {}",
        spec.provider.name,
        spec.provider.id,
        spec.file.display()
    );
    let _ = writeln!(out, "  events ({}):", spec.events.len());
    for event in &spec.events {
        let status = match event.ext.status {
            Status::Documented => "",
            Status::Inferred => " [inferred]",
        };
        let _ = writeln!(out, "    {}{status}", event.name);
    }
    let _ = writeln!(out, "  endpoints ({}):", spec.endpoints.len());
    for endpoint in &spec.endpoints {
        let status = match endpoint.ext.status {
            Status::Documented => "",
            Status::Inferred => " [inferred]",
        };
        let _ = writeln!(
            out,
            "    {:<7}{} ({}){status}",
            endpoint.method, endpoint.path, endpoint.operation_id
        );
        if let Some(graphql) = &endpoint.graphql {
            for op in &graphql.operations {
                let status = match op.status {
                    Status::Documented => "",
                    Status::Inferred => " [inferred]",
                };
                let kind = match op.kind {
                    GraphqlKind::Query => "query",
                    GraphqlKind::Mutation => "mutation",
                };
                let _ = writeln!(out, "             {kind} {}{status}", op.name);
            }
        }
    }
    let _ = writeln!(out, "  assumptions ({}):", spec.assumptions.len());
    for a in &spec.assumptions {
        let overridden = if spec.overridden.contains(&a.id) {
            " (overridden)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {} = {}{overridden}",
            a.id,
            abbreviate(&a.value.to_string(), 60)
        );
    }
    let _ = writeln!(out, "  errata ({}):", spec.errata.len());
    for e in &spec.errata {
        let kind = match e.expect {
            ErratumExpect::Invalid => "invalid example",
            ErratumExpect::Note => "note",
        };
        let _ = writeln!(out, "    {} [{kind}]: {}", e.id, e.summary);
    }
    for finding in &report.findings {
        let _ = writeln!(out, "  {finding}");
    }
    out
}

fn abbreviate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{cut}…")
}

/// The coverage table of several reports, one row per provider.
#[must_use]
pub fn coverage_table(reports: &[Report]) -> String {
    let mut out = String::new();
    let width = reports
        .iter()
        .map(|r| r.provider.len())
        .chain([12])
        .max()
        .unwrap_or(12);
    let _ = writeln!(
        out,
        "{:<width$} {:>6} {:>10} {:>9} {:>9} {:>9} {:>10} {:>12} {:>7} {:>7}",
        "provider",
        "events",
        "endpoints",
        "inferred",
        "examples",
        "fixtures",
        "invariants",
        "assumptions",
        "errata",
        "errors"
    );
    for r in reports {
        let c = &r.coverage;
        let errors = r
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let _ = writeln!(
            out,
            "{:<width$} {:>6} {:>10} {:>9} {:>9} {:>9} {:>10} {:>12} {:>7} {:>7}",
            r.provider,
            c.events,
            c.endpoints_documented + c.endpoints_inferred,
            c.endpoints_inferred,
            c.examples,
            c.fixtures,
            c.invariants,
            c.assumptions,
            c.errata,
            errors
        );
    }
    out
}
