//! The libFuzzer target `fuzz/fuzz_targets/pbf.rs` (any bytes as a PBF extract and as a hazard
//! file) run for a bounded time as part of the test suite (20 s unless
//! SAFECONDUCT_FUZZ_SECONDS says otherwise); run longer by hand with
//! `cargo fuzz run -s none pbf`.

#[path = "../../../fuzz/run_bounded.rs"]
mod run_bounded;

#[test]
fn the_pbf_and_hazard_readers_survive_a_bounded_fuzz_run() {
    // A hostile blob may ask for 32 MiB; much more than that would be a leak.
    run_bounded::run_bounded("pbf", 20, &["-rss_limit_mb=1024"]);
}
