//! Delivery: turning an event payload into the exact bytes and headers a provider sends.
//!
//! So far: which subscriptions get an event ([`matching`]), the payload each one receives
//! ([`envelope`]), and the bytes sent ([`serialize`]). Signatures are in [`crate::sign`].

pub mod envelope;
pub mod matching;
pub mod serialize;
