//! Delivery: turning an event payload into the exact bytes and headers a provider sends, and
//! sending them under the provider's rules.
//!
//! [`delivery`] is the one pipeline every delivery goes through (envelope → serialise → wire
//! encoding → headers → signature); [`dispatch`] sends an event to the subscriptions that
//! [`matching`] selects, under the provider's delivery rules, with its attempts in a log and
//! its FIFO queues in `queue.rs`.

mod cause;
pub mod delivery;
pub mod dispatch;
pub mod envelope;
mod http;
mod log;
pub mod matching;
mod message;
mod outcome;
mod queue;
pub use crate::serialize;

pub use delivery::{Delivery, Envelope, Pipeline, Subscriber};
