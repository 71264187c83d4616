//! Signed passes that a checkpoint verifies offline and that reveal almost nothing.
//!
//! A pass is a COSE_Sign1 (RFC 9052) signed with Ed25519 over a deterministic CBOR payload in
//! three tiers: a clear tier (format version, key id, pass index, validity to the day), a
//! checkpoint tier sealed with AES-256-GCM under the key of the pass's rendezvous point for
//! its escort party, and a gate tier sealed under that RV's key for the gates serving it. Both
//! tiers are padded to fixed sizes. Its text form is `SC2:` followed by base45 (RFC 9285), for
//! QR alphanumeric mode. docs/pass-format.md specifies every byte (format version 2).
//!
//! This crate is pure: no I/O, no clock, no storage. Callers pass the time and the keys. It
//! also draws a pass's QR code (SVG, PNG bytes in memory) for printing. Its words (what a
//! verification says) are the shared messages of the pure crate `safeconduct-i18n`.

mod base45;
mod cbor;
mod cose;
mod holder;
pub mod keys;
mod messages;
mod pass;
pub mod qr;
pub mod status;
mod verify;

pub use holder::{
    HOLDER_BYTES, HOLDER_ITERATIONS, HOLDER_SALT_LABEL, MIN_DOCUMENT_CHARS, holder_binding,
    normalise_document,
};
pub use keys::{IssuerKey, Kek, KeyId, PublicKey, Tier, TierKey, TierSecret};
pub use pass::{
    CHECKPOINT_PLAINTEXT, Checkpoint, Clear, Content, DAY, DIGEST_BYTES, FORMAT_VERSION,
    GATE_PLAINTEXT, Gate, MAX_REFERENCE, MAX_VALUE, OLD_TEXT_PREFIX, TEXT_PREFIX, clear_of, digest,
    from_text, issue, to_text,
};
pub use status::{PassStatus, StatusList};
pub use verify::{Check, Outcome, StalePolicy, Verification, Verifier};

/// Errors of the pass crate's own operations (verification never errs: it has outcomes).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("bad key: {0}")]
    BadKey(&'static str),
    #[error("a wrapped key did not open: wrong key encryption key, or the record was altered")]
    Unwrap,
    #[error("bad status list: {0}")]
    BadStatusList(&'static str),
    #[error("pass index {0} is outside the status list")]
    IndexOutOfRange(u64),
    #[error("a status list covers at most 2^28 passes, not {0}")]
    TooManyPasses(u64),
    #[error("a pass cannot carry this content: {0}")]
    BadContent(&'static str),
}
