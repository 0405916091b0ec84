//! The journal: the most recent requests the mock answered, for `MockProvider::received`.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::spec::Endpoint;

/// One request the mock answered, as kept in its journal.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The `operationId`, when the request matched an endpoint.
    pub operation: Option<String>,
    /// The status answered.
    pub status: u16,
}

/// A journal entry as kept: the endpoint by index, named only when read.
#[derive(Debug, Clone)]
struct Entry {
    method: String,
    path: String,
    endpoint: Option<usize>,
    status: u16,
}

/// The answered requests, oldest first, at most `limit` of them.
#[derive(Debug)]
pub struct Journal {
    limit: usize,
    entries: Mutex<VecDeque<Entry>>,
}

impl Journal {
    /// A journal that keeps the `limit` most recent requests (0 keeps none).
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// Keeps one answered request; `endpoint` is the index of the endpoint it matched.
    pub fn record(&self, method: &str, path: &str, endpoint: Option<usize>, status: u16) {
        if self.limit == 0 {
            return;
        }
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= self.limit {
            entries.pop_front();
        }
        entries.push_back(Entry {
            method: method.to_string(),
            path: path.to_string(),
            endpoint,
            status,
        });
    }

    /// The journal, oldest first, each endpoint named by its `operationId` in `endpoints`.
    pub fn read(&self, endpoints: &[Endpoint]) -> Vec<Recorded> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .iter()
            .map(|e| Recorded {
                method: e.method.clone(),
                path: e.path.clone(),
                operation: e.endpoint.map(|i| endpoints[i].operation_id.clone()),
                status: e.status,
            })
            .collect()
    }
}
