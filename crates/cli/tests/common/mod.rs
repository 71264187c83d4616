//! Running the binary as a user does, against a data directory of its own.
// Each test file uses some of these.
#![allow(dead_code)]

pub mod store;

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The `safeconduct` binary, with nothing set.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_safeconduct"))
}

/// Runs `safeconduct ARGS` with `data` as its data directory (and its key file there).
pub fn run(args: &[&str], data: &Path) -> Output {
    bin()
        .args(args)
        .env("SAFECONDUCT_DATA", data)
        .env_remove("SAFECONDUCT_DATABASE")
        .env_remove("SAFECONDUCT_KEY_FILE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs `safeconduct user add USERNAME --operation 1 FLAGS` (the roles and places) in `data`.
pub fn add_user(data: &Path, username: &str, flags: &[&str]) -> Output {
    let mut args = vec!["user", "add", username, "--operation", "1"];
    args.extend_from_slice(flags);
    run(&args, data)
}

/// Seeds the demo with this many households into `data`, without serving it.
pub fn seed_demo(data: &Path, households: &str) -> Output {
    bin()
        .args(["demo", "--seed-only", "--households", households, "--data"])
        .arg(data)
        .output()
        .unwrap()
}

/// The help of `safeconduct ARGS` (ARGS ending in --help): it succeeds and shows the usage.
/// Returns what it printed.
pub fn explains_itself(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}");
    let text = stdout(&out);
    assert!(text.contains("Usage:"), "{args:?}: {text}");
    text
}

/// Standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
