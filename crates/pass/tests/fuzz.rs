//! The libFuzzer target `fuzz/fuzz_targets/decode.rs` (any bytes as a pass, a text form, a
//! status list, a COSE_Key) run for a bounded time as part of the test suite. It needs
//! cargo-fuzz (`cargo install cargo-fuzz`; `.ci/run` installs it) and fails without it.
//! SAFECONDUCT_FUZZ_SECONDS sets the time (default 30); run longer by hand with
//! `cargo fuzz run -s none decode`.

#[path = "../../../fuzz/run_bounded.rs"]
mod run_bounded;

#[test]
fn the_pass_decoder_survives_a_bounded_fuzz_run() {
    run_bounded::run_bounded("decode", 30, &[]);
}
