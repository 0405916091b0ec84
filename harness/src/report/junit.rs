//! JUnit XML of a run: one test suite per provider, one test case per trial that ran, with
//! the full failure report in `<failure>` and the reason of an ignored trial in `<skipped>`.

use std::path::Path;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::runner::{Journal, Status};

/// The outcomes of `journal` as JUnit XML, under the report name `suite`.
pub fn junit(journal: &Journal, suite: &str) -> Result<String, String> {
    let mut report = Report::new(suite);
    let mut suites: Vec<TestSuite> = Vec::new();
    for record in journal.records() {
        let provider = record
            .name
            .split("::")
            .next()
            .unwrap_or_default()
            .to_string();
        let status = match &record.status {
            Status::Passed | Status::Warned(_) => TestCaseStatus::success(),
            Status::Failed(message) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(message.lines().next().unwrap_or_default());
                status.set_description(message.as_str());
                status
            }
            Status::Ignored(reason) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(reason.as_str());
                status
            }
        };
        let mut case = TestCase::new(record.name.as_str(), status);
        case.set_classname(format!("{provider}.{}", record.kind));
        case.set_time(record.duration);
        if let Status::Warned(report) = &record.status {
            // Passed on what the docs say; an assumption of the spec was not met.
            case.add_property(("warning", "assumed expectation not met"));
            for id in assumption_ids(report) {
                case.add_property(("assumption", id));
            }
            case.set_system_out(report.as_str());
        }
        let at = match suites.iter().position(|s| s.name.as_str() == provider) {
            Some(at) => at,
            None => {
                suites.push(TestSuite::new(provider.as_str()));
                suites.len() - 1
            }
        };
        suites[at].add_test_case(case);
    }
    report.add_test_suites(suites);
    report.to_string().map_err(|e| e.to_string())
}

/// The assumption ids a warning report names (`expectation: assumed (ID)`).
fn assumption_ids(report: &str) -> Vec<&str> {
    let mut ids: Vec<&str> = report
        .match_indices("expectation: assumed (")
        .filter_map(|(at, marker)| {
            let rest = &report[at + marker.len()..];
            rest.find(')').map(|end| &rest[..end])
        })
        .collect();
    ids.dedup();
    ids
}

/// Writes the JUnit XML of `journal` to `path`.
pub fn write_junit(journal: &Journal, suite: &str, path: &Path) -> Result<(), String> {
    let xml = junit(journal, suite)?;
    std::fs::write(path, xml).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
