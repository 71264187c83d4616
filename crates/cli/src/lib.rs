//! `safeconduct_cli`: the command-line crate's own library, for what its binary and its
//! benchmarks share: the deterministic household generator of the demo and the scale
//! benchmark.
//!
//! Architecture invariant: nothing here parses a command line, opens a store or serves; the
//! binary's modules (`main.rs` and the command groups) are not part of it.

pub mod generator;
