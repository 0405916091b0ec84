//! Delivery: turning an event payload into the exact bytes and headers a provider sends.
//!
//! [`dispatch`] sends an event to the subscriptions that [`matching`] selects, each with its own
//! payload ([`envelope`]), as the provider's bytes ([`serialize`]) signed by [`crate::sign`],
//! under the provider's delivery rules.

pub mod dispatch;
pub mod envelope;
pub mod matching;
pub mod serialize;
