//! The journal of a run: every trial's outcome, in the order they finished, for the reports
//! (`crate::report`: the summary line and JUnit XML).

use std::sync::{Arc, Mutex};
use std::time::Duration;

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

    /// Requests made by all trials.
    #[must_use]
    pub fn exchanges(&self) -> usize {
        self.records().iter().map(|r| r.exchanges).sum()
    }
}
