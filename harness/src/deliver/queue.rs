//! Delivery queues of providers that promise order (HappyColis): one FIFO queue per tenant,
//! one message in flight, blocked on a failure until unblocked.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use super::message::Message;

#[derive(Debug, Default)]
struct Queue {
    pending: VecDeque<Arc<Message>>,
    blocked: bool,
    sending: bool,
    /// Woken whenever this queue's message in flight ends (delivered or blocked).
    changed: Arc<tokio::sync::Notify>,
}

impl Queue {
    /// Whether message `seq` (enqueued here) still waits: numbers grow from front to back.
    fn holds(&self, seq: u64) -> bool {
        self.pending.front().is_some_and(|front| front.seq <= seq)
    }
}

/// Every tenant's queue.
#[derive(Debug, Default)]
pub(super) struct Queues {
    queues: Mutex<HashMap<String, Queue>>,
    /// The next message number.
    next: std::sync::atomic::AtomicU64,
}

impl Queues {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Queue>> {
        self.queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends messages, each to its tenant's queue, in order, numbering them under the lock
    /// (so that within a queue the numbers grow from front to back); the tenants touched, in
    /// order, each with the number of its last message, and each message's number.
    pub(super) fn enqueue(&self, messages: Vec<Message>) -> (Vec<(String, u64)>, Vec<u64>) {
        let mut tenants: Vec<(String, u64)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut numbers = Vec::with_capacity(messages.len());
        let mut queues = self.lock();
        for mut message in messages {
            message.seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            numbers.push(message.seq);
            match index.get(&message.tenant) {
                Some(&i) => tenants[i].1 = message.seq,
                None => {
                    index.insert(message.tenant.clone(), tenants.len());
                    tenants.push((message.tenant.clone(), message.seq));
                }
            }
            queues
                .entry(message.tenant.clone())
                .or_default()
                .pending
                .push_back(Arc::new(message));
        }
        (tenants, numbers)
    }

    /// The tenant's next message to send, marked in flight; `None` when the queue is empty,
    /// blocked, or already sending.
    pub(super) fn next(&self, tenant: &str) -> Option<Arc<Message>> {
        let mut queues = self.lock();
        let queue = queues.get_mut(tenant)?;
        if queue.blocked || queue.sending {
            return None;
        }
        let message = Arc::clone(queue.pending.front()?);
        queue.sending = true;
        Some(message)
    }

    /// Ends the message in flight: delivered, it leaves the queue; failed, it stays first and
    /// the queue blocks. Whether the queue may go on.
    pub(super) fn done(&self, tenant: &str, delivered: bool) -> bool {
        self.settle(tenant, |queue| {
            if delivered {
                queue.pending.pop_front();
            } else {
                queue.blocked = true;
            }
        });
        delivered
    }

    /// Ends the tenant's send (`change` says what became of its message) and wakes the
    /// queue's waiters, outside the lock.
    fn settle(&self, tenant: &str, change: impl FnOnce(&mut Queue)) {
        let changed = {
            let mut queues = self.lock();
            let Some(queue) = queues.get_mut(tenant) else {
                return;
            };
            queue.sending = false;
            change(queue);
            Arc::clone(&queue.changed)
        };
        changed.notify_waiters();
    }

    /// The tenant's message in flight, as a guard: dropped before [`InFlight::ended`] (the
    /// send was dropped half-way), it puts the queue back to not sending, the message still
    /// first, and wakes the queue's waiters.
    pub(super) fn in_flight<'q>(&'q self, tenant: &'q str) -> InFlight<'q> {
        InFlight {
            queues: self,
            tenant,
            ended: false,
        }
    }

    /// What wakes at the next [`Self::done`] of the tenant's queue: create its `notified()`
    /// and enable it before checking what it waits for, so that no wake-up falls between the
    /// check and the wait.
    pub(super) fn watch(&self, tenant: &str) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.lock().entry(tenant.to_string()).or_default().changed)
    }

    /// Whether message `seq` still waits in the tenant's queue (see [`Self::is_pending`]), and
    /// whether the queue is blocked, under one lock.
    pub(super) fn waiting(&self, tenant: &str, seq: u64) -> (bool, bool) {
        self.lock()
            .get(tenant)
            .map_or((false, false), |q| (q.holds(seq), q.blocked))
    }

    /// Whether message `seq` (enqueued in the tenant's queue) still waits there: sequence
    /// numbers grow in enqueue order and a queue sends from its front, so it waits exactly
    /// when it is not older than the front.
    pub(super) fn is_pending(&self, tenant: &str, seq: u64) -> bool {
        self.lock().get(tenant).is_some_and(|q| q.holds(seq))
    }

    /// Lifts the tenant's block (its messages go again when pumped).
    pub(super) fn unblock(&self, tenant: &str) {
        if let Some(queue) = self.lock().get_mut(tenant) {
            queue.blocked = false;
        }
    }

    /// Drops the head of the tenant's queue when the queue is blocked, and lifts the block;
    /// the dropped message, or `None` (the queue is not blocked, or is sending).
    pub(super) fn skip(&self, tenant: &str) -> Option<Arc<Message>> {
        let mut queues = self.lock();
        let queue = queues.get_mut(tenant).filter(|q| q.blocked && !q.sending)?;
        let dropped = queue.pending.pop_front()?;
        queue.blocked = false;
        Some(dropped)
    }

    /// Blocked tenants, with how many messages wait in each, by tenant.
    pub(super) fn blocked(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .lock()
            .iter()
            .filter(|(_, q)| q.blocked)
            .map(|(t, q)| (t.clone(), q.pending.len()))
            .collect();
        out.sort();
        out
    }
}

/// See [`Queues::in_flight`].
pub(super) struct InFlight<'q> {
    queues: &'q Queues,
    tenant: &'q str,
    ended: bool,
}

impl InFlight<'_> {
    /// The send ended (delivered or not): [`Queues::done`] takes it from here.
    pub(super) fn ended(mut self) {
        self.ended = true;
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.ended {
            // The message stays first, to go again.
            self.queues.settle(self.tenant, |_| {});
        }
    }
}
