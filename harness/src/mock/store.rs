//! The mock's state: resources by collection and tenant, in creation order.
//!
//! Resources are kept as compact JSON text, one allocation each: a create then costs one
//! serialisation instead of a deep copy, and a long run holds far fewer heap objects.

use std::collections::HashMap;
use std::sync::Mutex;

use indexmap::IndexMap;
use serde_json::Value;

/// A tenant's resources by id, in creation order, as JSON text.
type Items = IndexMap<String, Box<str>>;

/// Collections by name, then tenants by id.
type Collections = HashMap<String, HashMap<String, Items>>;

/// Resources by collection, then tenant, then id.
#[derive(Debug, Default)]
pub struct Store {
    inner: Mutex<Collections>,
    /// Bumped by every write: a reader that keeps a parsed copy knows when it is stale.
    writes: std::sync::atomic::AtomicU64,
}

impl Store {
    /// How many writes the store has seen (a copy read at an equal count is current).
    #[must_use]
    pub fn writes(&self) -> u64 {
        self.writes.load(std::sync::atomic::Ordering::Acquire)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Collections) -> T) -> T {
        // A panic while the lock was held cannot leave a half-written resource (every write is
        // one insert or remove), so a poisoned lock is still safe to use.
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// [`Self::with`] for a change: the write count moves while the lock is held.
    fn write<T>(&self, f: impl FnOnce(&mut Collections) -> T) -> T {
        self.with(|all| {
            self.writes
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            f(all)
        })
    }

    /// Stores `resource` under `id`; false if the id is taken.
    pub fn insert(&self, collection: &str, tenant: &str, id: &str, resource: &Value) -> bool {
        let text = text_of(resource);
        self.write(|all| {
            let items = all
                .entry(collection.to_string())
                .or_default()
                .entry(tenant.to_string())
                .or_default();
            if items.contains_key(id) {
                return false;
            }
            items.insert(id.to_string(), text);
            true
        })
    }

    /// Replaces an existing resource; false if there is none.
    pub fn replace(&self, collection: &str, tenant: &str, id: &str, resource: &Value) -> bool {
        let text = text_of(resource);
        self.write(|all| {
            match all
                .get_mut(collection)
                .and_then(|t| t.get_mut(tenant))
                .and_then(|items| items.get_mut(id))
            {
                Some(slot) => {
                    *slot = text;
                    true
                }
                None => false,
            }
        })
    }

    /// The resource `id` of `tenant`.
    #[must_use]
    pub fn get(&self, collection: &str, tenant: &str, id: &str) -> Option<Value> {
        self.with(|all| all.get(collection)?.get(tenant)?.get(id).cloned())
            .map(|text| value_of(&text))
    }

    /// Removes and returns the resource `id` of `tenant`.
    pub fn remove(&self, collection: &str, tenant: &str, id: &str) -> Option<Value> {
        self.write(|all| all.get_mut(collection)?.get_mut(tenant)?.shift_remove(id))
            .map(|text| value_of(&text))
    }

    /// Removes every resource of `tenant`; returns how many there were.
    pub fn clear(&self, collection: &str, tenant: &str) -> usize {
        self.write(|all| {
            all.get_mut(collection)
                .and_then(|t| t.remove(tenant))
                .map_or(0, |items| items.len())
        })
    }

    /// The resources of `tenant`, oldest first.
    #[must_use]
    pub fn list(&self, collection: &str, tenant: &str) -> Vec<Value> {
        self.with(|all| {
            all.get(collection)
                .and_then(|t| t.get(tenant))
                .map(|items| items.values().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .iter()
        .map(|text| value_of(text))
        .collect()
    }

    /// Every resource of a collection, with its tenant, oldest first per tenant.
    #[must_use]
    pub fn all(&self, collection: &str) -> Vec<(String, Value)> {
        self.with(|all| {
            let mut out: Vec<(String, Value)> = all
                .get(collection)
                .map(|tenants| {
                    tenants
                        .iter()
                        .flat_map(|(tenant, items)| {
                            items.values().map(move |v| (tenant.clone(), value_of(v)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        })
    }
}

fn text_of(resource: &Value) -> Box<str> {
    serde_json::to_string(resource)
        .unwrap_or_default()
        .into_boxed_str()
}

fn value_of(text: &str) -> Value {
    // The text was written by `text_of` from a `Value`, so it always parses.
    serde_json::from_str(text).unwrap_or(Value::Null)
}
