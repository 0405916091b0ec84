//! The undeliverable list of a [`Dispatcher`]: failed messages kept whole (key and forwarded
//! headers included), listed, resent, retargeted and erased.

use std::sync::Arc;

use super::{Dispatcher, Failed, Kept, Message, Undeliverable};

impl Dispatcher {
    /// Puts a failed message in the undeliverable list; its id there (in the format of
    /// `x-delivery.undeliverable.idFormat`, default `{hex:24}`).
    pub(super) fn keep_undeliverable(&self, message: Message, failed: Failed) -> String {
        let format = self
            .spec()
            .delivery
            .undeliverable
            .as_ref()
            .and_then(|u| u.id_format.clone())
            .unwrap_or_else(|| "{hex:24}".to_string());
        let mut list = self.lock_undeliverable();
        let id = loop {
            let id = {
                let mut rng = self
                    .rng
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                crate::ids::fill(&format, &mut *rng)
            };
            if !list.iter().any(|k| k.shown.id == id) {
                break id;
            }
        };
        let shown = Undeliverable {
            id: id.clone(),
            event: message.event.clone(),
            subscription: message.subscription.clone(),
            tenant: message.tenant.clone(),
            target: message.target.clone(),
            payload: message.payload.to_value(),
            reason: failed.reason,
            answer: failed.answer,
            failed_at_ms: failed.at_ms,
        };
        list.push(Kept { shown, message });
        id
    }

    pub(super) fn lock_undeliverable(&self) -> std::sync::MutexGuard<'_, Vec<Kept>> {
        self.undeliverable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The undeliverable list, oldest first (every tenant's).
    #[must_use]
    pub fn undeliverable(&self) -> Vec<Undeliverable> {
        self.undeliverable_where(|_| true)
    }

    /// The undeliverable messages `select` picks, oldest first (one tenant's, one of them...).
    #[must_use]
    pub fn undeliverable_where(
        &self,
        select: impl Fn(&Undeliverable) -> bool,
    ) -> Vec<Undeliverable> {
        self.lock_undeliverable()
            .iter()
            .filter(|k| select(&k.shown))
            .map(|k| k.shown.clone())
            .collect()
    }

    /// Resends the undeliverable message `id` (all of them with `None`); those that fail again
    /// stay in the list. Returns how many were resent.
    pub async fn resend(&self, id: Option<&str>) -> usize {
        self.resend_where(|u| id.is_none_or(|id| u.id == id)).await
    }

    /// Resends the undeliverable messages `select` picks, one after the other, and returns how
    /// many. Each stays in the list while it is resent: a delivered one leaves it, one that
    /// fails again stays where it was, with the new failure. One being resent already is sent
    /// again (a resend is on request: the latest request is honoured).
    pub async fn resend_where(&self, select: impl Fn(&Undeliverable) -> bool) -> usize {
        let taken = self.take_for_resend(select);
        let count = taken.len();
        self.resend_taken(taken).await;
        count
    }

    /// [`Self::resend_where`] in the background, on the current tokio runtime: picks the
    /// messages now, returns how many, and resends them after returning. Without a runtime
    /// nothing is picked (0).
    pub fn start_resend(self: &Arc<Self>, select: impl Fn(&Undeliverable) -> bool) -> usize {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return 0;
        };
        let taken = self.take_for_resend(select);
        let count = taken.len();
        let dispatcher = Arc::clone(self);
        runtime.spawn(async move { dispatcher.resend_taken(taken).await });
        count
    }

    /// The ids and messages of those `select` picks, for resending.
    pub(super) fn take_for_resend(
        &self,
        select: impl Fn(&Undeliverable) -> bool,
    ) -> Vec<(String, Message)> {
        self.lock_undeliverable()
            .iter()
            .filter(|k| select(&k.shown))
            .map(|k| (k.shown.id.clone(), k.message.clone()))
            .collect()
    }

    /// Resends messages taken from the list, one after the other.
    pub(super) async fn resend_taken(&self, taken: Vec<(String, Message)>) {
        for (id, message) in taken {
            let outcome = self.attempt(&message, 1).await;
            let mut list = self.lock_undeliverable();
            match outcome {
                Ok(()) => list.retain(|k| k.shown.id != id),
                Err(failed) => {
                    if let Some(kept) = list.iter_mut().find(|k| k.shown.id == id) {
                        kept.shown.reason = failed.reason;
                        kept.shown.answer = failed.answer;
                        kept.shown.failed_at_ms = failed.at_ms;
                    }
                }
            }
        }
    }

    /// Points the undeliverable message `id` of `tenant` at another URL (its resends go
    /// there); the message as it is now, or `None` if the tenant has no such message.
    pub fn retarget(&self, tenant: &str, id: &str, url: &str) -> Option<Undeliverable> {
        let mut list = self.lock_undeliverable();
        let kept = list
            .iter_mut()
            .find(|k| k.shown.tenant == tenant && k.shown.id == id)?;
        kept.shown.target = url.to_string();
        kept.message.target = url.to_string();
        Some(kept.shown.clone())
    }

    /// Erases the undeliverable message `id` (all of them with `None`); returns how many.
    pub fn erase(&self, id: Option<&str>) -> usize {
        self.erase_where(|u| id.is_none_or(|id| u.id == id)).len()
    }

    /// Erases the undeliverable messages `select` picks; returns them.
    pub fn erase_where(&self, select: impl Fn(&Undeliverable) -> bool) -> Vec<Undeliverable> {
        let mut list = self.lock_undeliverable();
        let (erased, kept): (Vec<Kept>, Vec<Kept>) = list.drain(..).partition(|k| select(&k.shown));
        *list = kept;
        erased.into_iter().map(|k| k.shown).collect()
    }
}
