//! Running the binary as a user does, against a data directory of its own.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `safeconduct ARGS` with `data` as its data directory (and its key file there).
pub fn run(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safeconduct"))
        .args(args)
        .env("SAFECONDUCT_DATA", data)
        .env_remove("SAFECONDUCT_DATABASE")
        .env_remove("SAFECONDUCT_KEY_FILE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Standard output then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
