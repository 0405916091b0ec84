//! The deliberate receiver defects that prove each receiver check can fail, one per variant;
//! each is defined beside the check it exercises and registered here in one line. Compiled
//! with the `test-support` feature only.

use crate::reference::{Documented, Quirk};

/// A defect a faulty reference receiver has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None: the receiver follows the docs.
    None,
    /// Refuses every delivery with a 400 (`documented-example`).
    RejectsEverything,
    /// Answers 500 to a string with an underscore (`generated`).
    ChokesOnUnderscores,
    /// Never checks the signature (`bad-signature`).
    SkipsSignatureCheck,
    /// Answers 500 (not a 4xx) to a bad signature (`bad-signature`).
    ServerErrorOnBadSignature,
    /// Compares only the first 16 characters of the signature (`bad-signature`).
    ComparesSignaturePrefix,
    /// Checks the signature but not its timestamp's age (`replay`).
    AcceptsStaleTimestamps,
    /// Answers 500 to a signature header it cannot split (`bad-signature`).
    CrashesOnMalformedSignature,
    /// Checks only the first of several signatures in a header (`bad-signature`).
    FirstSignatureOnly,
    /// Answers 409 to an event it has seen (`redelivery`).
    ConflictOnRedelivery,
    /// Answers 500 to an event type the spec does not list (`unknown-event`).
    ServerErrorOnUnknownEvent,
    /// Answers 415 unless the Content-Type is exactly the provider's (`content-type-charset`).
    ExactContentType,
    /// Answers after this many milliseconds (`timing`).
    Slow(u64),
    /// Answers 500 to non-ASCII text (`edge`).
    CrashesOnNonAscii,
    /// Verifies over its own re-serialisation of the body (`edge`).
    VerifiesReserialised,
    /// Answers 500 to a `null` anywhere (`edge`).
    CrashesOnNull,
    /// Answers 500 to a property name no schema declares (`edge`).
    CrashesOnUnknownField,
    /// Answers 413 to a string over 1,000 characters inside an array (`edge`).
    RejectsLongStringsInArrays,
    /// Answers 413 to an array of 1,000 items or more (`edge`).
    RejectsLongArrays,
    /// Answers 422 to an event older than one seen about the same object (`out-of-order`).
    RejectsOutOfOrder,
    /// Looks headers up with an exact-case comparison (`header-case`).
    CaseSensitiveHeaders,
}

impl From<Fault> for Box<dyn Quirk> {
    fn from(fault: Fault) -> Self {
        use super::{
            content_type, documented_example, edge, generated, header_case, out_of_order,
            redelivery, replay, signature, timing, unknown_event,
        };
        match fault {
            Fault::None => Box::new(Documented),
            Fault::RejectsEverything => Box::new(documented_example::fault::RejectsEverything),
            Fault::ChokesOnUnderscores => Box::new(generated::fault::ChokesOnUnderscores),
            Fault::SkipsSignatureCheck => Box::new(signature::fault::SkipsSignatureCheck),
            Fault::ServerErrorOnBadSignature => {
                Box::new(signature::fault::ServerErrorOnBadSignature)
            }
            Fault::ComparesSignaturePrefix => Box::new(signature::fault::ComparesSignaturePrefix),
            Fault::AcceptsStaleTimestamps => Box::new(replay::fault::AcceptsStaleTimestamps),
            Fault::CrashesOnMalformedSignature => {
                Box::new(signature::fault::CrashesOnMalformedSignature)
            }
            Fault::FirstSignatureOnly => Box::new(signature::fault::FirstSignatureOnly),
            Fault::ConflictOnRedelivery => {
                Box::new(redelivery::fault::ConflictOnRedelivery::default())
            }
            Fault::ServerErrorOnUnknownEvent => {
                Box::new(unknown_event::fault::ServerErrorOnUnknownEvent)
            }
            Fault::ExactContentType => Box::new(content_type::fault::ExactContentType),
            Fault::Slow(ms) => Box::new(timing::fault::Slow(ms)),
            Fault::CrashesOnNonAscii => Box::new(edge::fault::CrashesOnNonAscii),
            Fault::VerifiesReserialised => Box::new(edge::fault::VerifiesReserialised),
            Fault::CrashesOnNull => Box::new(edge::fault::CrashesOnNull),
            Fault::CrashesOnUnknownField => Box::new(edge::fault::CrashesOnUnknownField),
            Fault::RejectsLongStringsInArrays => Box::new(edge::fault::RejectsLongStringsInArrays),
            Fault::RejectsLongArrays => Box::new(edge::fault::RejectsLongArrays),
            Fault::RejectsOutOfOrder => Box::new(out_of_order::fault::RejectsOutOfOrder::default()),
            Fault::CaseSensitiveHeaders => Box::new(header_case::fault::CaseSensitiveHeaders),
        }
    }
}
