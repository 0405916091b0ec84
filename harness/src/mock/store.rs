//! The mock's state: resources by collection and tenant, in creation order.

use std::collections::HashMap;
use std::sync::Mutex;

use indexmap::IndexMap;
use serde_json::Value;

/// A tenant's resources by id, in creation order.
type Items = IndexMap<String, Value>;

/// Collections by name, then tenants by id.
type Collections = HashMap<String, HashMap<String, Items>>;

/// Resources by collection, then tenant, then id.
#[derive(Debug, Default)]
pub struct Store {
    inner: Mutex<Collections>,
}

impl Store {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut HashMap<String, HashMap<String, IndexMap<String, Value>>>) -> T,
    ) -> T {
        // A panic while the lock was held cannot leave a half-written resource (every write is
        // one insert or remove), so a poisoned lock is still safe to use.
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Stores `resource` under `id`; false if the id is taken.
    pub fn insert(&self, collection: &str, tenant: &str, id: &str, resource: Value) -> bool {
        self.with(|all| {
            let items = all
                .entry(collection.to_string())
                .or_default()
                .entry(tenant.to_string())
                .or_default();
            if items.contains_key(id) {
                return false;
            }
            items.insert(id.to_string(), resource);
            true
        })
    }

    /// Replaces an existing resource; false if there is none.
    pub fn replace(&self, collection: &str, tenant: &str, id: &str, resource: Value) -> bool {
        self.with(|all| {
            match all
                .get_mut(collection)
                .and_then(|t| t.get_mut(tenant))
                .and_then(|items| items.get_mut(id))
            {
                Some(slot) => {
                    *slot = resource;
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
    }

    /// Removes and returns the resource `id` of `tenant`.
    pub fn remove(&self, collection: &str, tenant: &str, id: &str) -> Option<Value> {
        self.with(|all| all.get_mut(collection)?.get_mut(tenant)?.shift_remove(id))
    }

    /// Removes every resource of `tenant`; returns how many there were.
    pub fn clear(&self, collection: &str, tenant: &str) -> usize {
        self.with(|all| {
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
                .map(|items| items.values().cloned().collect())
                .unwrap_or_default()
        })
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
                            items.values().map(move |v| (tenant.clone(), v.clone()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        })
    }
}
