//! What the key file unlocks, and the other secrets the application keeps: the pass keyring
//! (issuer keys and tier secrets wrapped under the key encryption key), signed checkpoints of
//! the audit chain, one-time code secrets, password hashes, and the key file
//! itself. Also the operating system's clock and random source, the only ones the
//! application reads ([`now`], [`random_reference`]).
//!
//! Used alike by the server, the command line and the load generator.
//!
//! Architecture invariant: this crate knows nothing of HTTP or JSON wire formats (a field
//! kit is a file a device reads, described here once), and it never logs key material,
//! secrets or passwords. It may depend on `safeconduct-domain`, `safeconduct-pass` and
//! `safeconduct-store` (through the `Store` trait only), nothing else of safeconduct.

pub mod checkpoint;
pub mod devices;
pub mod keyfile;
pub mod passes;
pub mod password;
mod system;
pub mod totp;

pub use system::{enrolment_code, now, random_reference};
