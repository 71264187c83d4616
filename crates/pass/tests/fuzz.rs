//! The libFuzzer target `fuzz/fuzz_targets/decode.rs` (any bytes as a pass, a text form, a
//! status list, a COSE_Key) run for a bounded time as part of the test suite. It needs
//! cargo-fuzz (`cargo install cargo-fuzz`; `.ci/run` installs it) and fails without it.
//! SAFECONDUCT_FUZZ_SECONDS sets the time (default 30); run longer by hand with
//! `cargo fuzz run -s none decode`.

use std::path::Path;
use std::process::Command;

#[test]
fn the_pass_decoder_survives_a_bounded_fuzz_run() {
    let seconds: u32 = std::env::var("SAFECONDUCT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new("cargo")
        .current_dir(&root)
        .args(["fuzz", "run", "--sanitizer", "none", "decode", "--"])
        .arg(format!("-max_total_time={seconds}"))
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
