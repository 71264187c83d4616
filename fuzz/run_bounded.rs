//! Runs one libFuzzer target of this directory for a bounded time, for the test suites of the
//! crates it fuzzes (included with `#[path]`). It needs cargo-fuzz (`cargo install
//! cargo-fuzz`; scripts/test.sh and `.ci/run` install it) and fails without it.
//! SAFECONDUCT_FUZZ_SECONDS sets the time instead of `default_seconds`.

use std::path::Path;
use std::process::Command;

/// Runs `target` and checks that it finished cleanly after more than a thousand inputs.
pub fn run_bounded(target: &str, default_seconds: u32, extra: &[&str]) {
    let seconds: u32 = std::env::var("SAFECONDUCT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seconds);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("cargo")
        .current_dir(&root)
        .args(["fuzz", "run", "--sanitizer", "none", target, "--"])
        .arg(format!("-max_total_time={seconds}"))
        .args(extra)
        .output()
        .expect("running cargo");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        !log.contains("no such command"),
        "cargo-fuzz is not installed: `cargo install cargo-fuzz` (.ci/run does)"
    );
    assert!(out.status.success(), "the fuzz run failed:\n{log}");
    let runs = log
        .lines()
        .rev()
        .find_map(|l| {
            l.strip_prefix("Done ")?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    assert!(runs > 1000, "the fuzzer barely ran ({runs} inputs):\n{log}");
}
