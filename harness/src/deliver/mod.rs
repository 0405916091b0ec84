//! Delivery: turning an event payload into the exact bytes and headers a provider sends.
//!
//! So far: the serialisers and wire encodings ([`serialize`]). Signatures are in
//! [`crate::sign`].

pub mod serialize;
