//! The journal of a run: every trial's outcome, in the order they finished, for the reports
//! (`crate::report`: the summary line and JUnit XML).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::cause::TransportCause;

/// How a trial ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// It passed.
    Passed,
    /// It passed its documented expectations but not an assumed one (a failure under
    /// `--strict`), with the report.
    Warned(String),
    /// It failed, with the report.
    Failed(String),
    /// It was not run, for this reason.
    Ignored(String),
}

/// One trial's outcome.
#[derive(Debug, Clone)]
pub struct Record {
    /// `provider::check::subject`.
    pub name: String,
    /// `receiver` or `provider`.
    pub kind: &'static str,
    /// How long it ran.
    pub duration: Duration,
    /// Requests it made.
    pub exchanges: usize,
    /// How it ended.
    pub status: Status,
}

/// The outcomes of the trials that ran, in the order they finished.
#[derive(Default)]
pub struct Journal {
    records: Mutex<Vec<Record>>,
    hints: Mutex<Vec<Hint>>,
    /// Each transport failure's cause, with the trial whose report gave it in full.
    transport: Mutex<Vec<(String, String)>>,
}

/// Something a run may have to tell once its trials are done (`None`: nothing).
pub type Hint = Box<dyn Fn() -> Option<String> + Send + Sync>;

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// An empty journal, shared by the trials.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    pub(super) fn push(&self, record: Record) {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(record);
    }

    /// The outcomes so far, sorted by name.
    #[must_use]
    pub fn records(&self) -> Vec<Record> {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        records.sort_by(|a, b| a.name.cmp(&b.name));
        records
    }

    /// The trial that first failed for want of an answer with the same `cause` (`None`: `trial`
    /// is the first, and is remembered as such).
    pub(super) fn first_with(&self, cause: &TransportCause, trial: &str) -> Option<String> {
        let mut known = self
            .transport
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, first)) = known.iter().find(|(last, _)| *last == cause.last) {
            return Some(first.clone());
        }
        known.push((cause.last.clone(), trial.to_string()));
        None
    }

    /// The failed trials grouped by their transport cause (trials that failed for want of an
    /// answer), largest group first: each cause with how many trials it failed.
    #[must_use]
    pub fn transport_failures(&self) -> Vec<(TransportCause, usize)> {
        let mut groups: Vec<(TransportCause, usize)> = Vec::new();
        for record in self.records() {
            let Status::Failed(report) = &record.status else {
                continue;
            };
            let Some(cause) = TransportCause::of(report) else {
                continue;
            };
            match groups
                .iter_mut()
                .find(|(known, _)| known.last == cause.last)
            {
                Some((known, count)) => {
                    known.unresponsive |= cause.unresponsive;
                    *count += 1;
                }
                None => groups.push((cause, 1)),
            }
        }
        groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        groups
    }

    /// How many trials failed on their transcript alone (their check passed): those without a
    /// snapshot yet, and those whose transcript differs from it.
    #[must_use]
    pub fn snapshot_failures(&self) -> (usize, usize) {
        self.records()
            .iter()
            .fold((0, 0), |(new, changed), record| match &record.status {
                Status::Failed(report) if report.starts_with(crate::transcript::NO_SNAPSHOT) => {
                    (new + 1, changed)
                }
                Status::Failed(report) if report.starts_with(crate::transcript::DIFFERS) => {
                    (new, changed + 1)
                }
                _ => (new, changed),
            })
    }

    /// Registers a hint, asked when the run's summary is written.
    pub fn hint(&self, hint: Hint) {
        self.hints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(hint);
    }

    /// The hints that have something to say.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        self.hints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter_map(|hint| hint())
            .collect()
    }

    /// How many trials ended so far, and how many of them failed.
    #[must_use]
    pub fn counts(&self) -> (usize, usize) {
        let records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let failed = records
            .iter()
            .filter(|r| matches!(r.status, Status::Failed(_)))
            .count();
        (records.len(), failed)
    }

    /// Requests made by all trials.
    #[must_use]
    pub fn exchanges(&self) -> usize {
        self.records().iter().map(|r| r.exchanges).sum()
    }
}
