//! The libFuzzer target `fuzz/fuzz_targets/pbf.rs` (any bytes as a PBF extract and as a hazard
//! file) run for a bounded time as part of the test suite. It needs cargo-fuzz
//! (`cargo install cargo-fuzz`; scripts/test.sh installs it) and fails without it.
//! SAFECONDUCT_FUZZ_SECONDS sets the time (default 20 here); run longer by hand with
//! `cargo fuzz run -s none pbf`.

use std::path::Path;
use std::process::Command;

#[test]
fn the_pbf_and_hazard_readers_survive_a_bounded_fuzz_run() {
    let seconds: u32 = std::env::var("SAFECONDUCT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("cargo")
        .current_dir(&root)
        .args(["fuzz", "run", "--sanitizer", "none", "pbf", "--"])
        .arg(format!("-max_total_time={seconds}"))
        // A hostile blob may ask for 32 MiB; more than that would be a leak.
        .arg("-rss_limit_mb=1024")
        .output()
        .expect("running cargo");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        !log.contains("no such command"),
        "cargo-fuzz is not installed: `cargo install cargo-fuzz` (scripts/test.sh does)"
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
