//! Verification cost: a bare Ed25519 verification against a pass verified end to end (base45,
//! CBOR, signature, decryption, status-list lookup), one at a time and in batches; and the
//! holder binding, which is both the check at the RV (end to end with a document shown) and
//! the price of one guess for whoever holds a checkpoint key; and a status list signed and read
//! at the one size the server signs, against one sized to its passes.
//!
//! `cargo bench -p safeconduct-pass --bench verify`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signer, SigningKey};
use safeconduct_pass::*;
use sha2::{Digest, Sha256};
use std::hint::black_box;

#[path = "../tests/sample/mod.rs"]
mod sample;
use sample::{AT_RV, Journey, NOW};

const BATCH: usize = 64;

/// A typical pass: an RV with a small id, a window later today.
const LATER: Journey = Journey {
    rv: 17,
    not_before: NOW,
    window_start: NOW + 3600,
    window_end: NOW + 10_800,
};

/// The passes of one RV: the first bound to a passport, the others not (binding is the
/// issuer's slow step and plays no part in the signature checks measured on them).
fn setup() -> (Verifier, Vec<String>) {
    let issuer = IssuerKey::generate();
    let checkpoint = TierSecret::generate(Tier::Checkpoint);
    let gate = TierSecret::generate(Tier::Gate);
    let mut status = StatusList::new(NOW - 60, 100_000).unwrap();
    for i in (0..100_000).step_by(97) {
        status.revoke(i).unwrap();
    }
    let texts = (1..=BATCH as u64)
        .map(|i| {
            let kid = issuer.kid();
            let holder = (i == 1).then_some((i * 1000 + 1, "P1234567"));
            let content = sample::content(kid, i * 1000 + 1, 6, &AT_RV, holder);
            to_text(&issue(&issuer, &checkpoint, &gate, &content).unwrap())
        })
        .collect();
    let verifier = Verifier {
        keys: vec![issuer.public()],
        // An escort device working at three RVs: it tries each key.
        checkpoint: vec![
            checkpoint.key_for(3, issuer.kid()),
            checkpoint.key_for(5, issuer.kid()),
            checkpoint.key_for(AT_RV.rv, issuer.kid()),
        ],
        status: Some(status),
        ..Verifier::default()
    };
    (verifier, texts)
}

/// Prints the size of a typical pass (indices near a million, a window this year) by household
/// size, bound and not, and the QR text length: every pass of the format has the same size
/// for the same index.
fn sizes() {
    let issuer = IssuerKey::generate();
    let checkpoint = TierSecret::generate(Tier::Checkpoint);
    let gate = TierSecret::generate(Tier::Gate);
    eprintln!("people | bound | signed bytes | text characters");
    for people in [1u64, 2, 4, 8, 16, 24, 100, 1000] {
        for bound in [false, true] {
            let kid = issuer.kid();
            let holder = bound.then_some((1_000_000, "P1234567"));
            let content = sample::content(kid, 1_000_000, people, &LATER, holder);
            let bytes = issue(&issuer, &checkpoint, &gate, &content).unwrap();
            eprintln!(
                "{people:>6} | {bound:>5} | {:>12} | {:>15}",
                bytes.len(),
                to_text(&bytes).len()
            );
        }
    }
}

/// The version 1 holder binding (one SHA-256), for comparison only.
fn v1_binding(kid: KeyId, index: u64, document: &str, year: u16) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(b"safeconduct pass v1 holder");
    h.update(kid.0);
    h.update(index.to_be_bytes());
    h.update(normalise_document(document).as_bytes());
    h.update([0]);
    h.update(year.to_be_bytes());
    h.finalize()[..8].try_into().unwrap()
}

/// Nanoseconds this thread has run on a CPU (Linux: /proc/thread-self/schedstat), so that a
/// guess's cost is stated in CPU time whatever else the machine is running.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Prints the CPU time of one holder binding (one guess) and the guessing cost of the
/// smallest document space bound: 10^8 numbers times 81 birth years.
fn guessing_cost() {
    const RUNS: u32 = 20;
    let (Some(start), wall) = (thread_cpu_ns(), std::time::Instant::now()) else {
        eprintln!("no thread CPU clock here: guessing cost not measured");
        return;
    };
    for i in 0..RUNS {
        black_box(holder_binding(
            KeyId([1, 2, 3, 4]),
            i as u64,
            "P1234567",
            Some(1984),
        ));
    }
    let cpu = (thread_cpu_ns().unwrap() - start) as f64 / 1e9 / RUNS as f64;
    let wall = wall.elapsed().as_secs_f64() / RUNS as f64;
    let year = 365.25 * 86_400.0;
    let guesses = 1e8 * 81.0;
    eprintln!(
        "holder binding ({HOLDER_ITERATIONS} PBKDF2 iterations): {:.1} ms CPU, {:.1} ms wall, {:.0} ns CPU an iteration",
        cpu * 1e3,
        wall * 1e3,
        cpu * 1e9 / HOLDER_ITERATIONS as f64
    );
    eprintln!(
        "guessing 10^8 numbers x 81 birth years: {:.1} CPU-core-years; 4x the wall time (phone): {:.0} ms",
        guesses * cpu / year,
        4.0 * wall * 1e3
    );
}

fn bench(c: &mut Criterion) {
    sizes();
    guessing_cost();
    let (verifier, texts) = setup();
    let check = Check {
        now: NOW,
        rv: Some(4_000_017),
        holder: None,
    };
    let at_rv = Check {
        holder: Some(("P1234567", 1984)),
        ..check
    };
    assert!(verifier.verify_text(&texts[0], &check).outcome.is_valid());
    assert!(verifier.verify_text(&texts[0], &at_rv).outcome.is_valid());

    // The bare primitive on a message of the size a pass signs (its Sig_structure).
    let key = SigningKey::from_bytes(&[3; 32]);
    let message = vec![0x5a; 150];
    let signature = key.sign(&message);
    let public = key.verifying_key();

    let mut g = c.benchmark_group("single");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ed25519_verify_bare", |b| {
        b.iter(|| {
            public
                .verify_strict(black_box(&message), black_box(&signature))
                .unwrap()
        })
    });
    g.bench_function("pass_verify_end_to_end", |b| {
        b.iter(|| verifier.verify_text(black_box(&texts[0]), &check))
    });
    g.bench_function("holder_binding_v1_sha256", |b| {
        b.iter(|| v1_binding(KeyId([1, 2, 3, 4]), black_box(7), "P1234567", 1984))
    });
    g.finish();

    // Key stretching: tens of milliseconds a call, so fewer samples.
    let mut g = c.benchmark_group("holder");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    g.bench_function("holder_binding_v2_pbkdf2", |b| {
        b.iter(|| holder_binding(KeyId([1, 2, 3, 4]), black_box(7), "P1234567", Some(1984)))
    });
    g.bench_function("pass_verify_at_rv_with_document", |b| {
        b.iter(|| verifier.verify_text(black_box(&texts[0]), &at_rv))
    });
    g.finish();

    let bytes: Vec<Vec<u8>> = texts.iter().map(|t| from_text(t).unwrap()).collect();
    let refs: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
    let mut g = c.benchmark_group("gate_laptop");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_with_input(BenchmarkId::new("one_by_one", BATCH), &refs, |b, refs| {
        b.iter(|| {
            refs.iter()
                .map(|p| verifier.verify(p, &check))
                .collect::<Vec<_>>()
        })
    });
    g.bench_with_input(BenchmarkId::new("batch", BATCH), &refs, |b, refs| {
        b.iter(|| verifier.verify_batch(refs, &check))
    });
    g.finish();

    status_lists(c);
}

/// A status list as the server signs it for every kit (2^22 indices, 1,000 scattered ones
/// revoked, one in ten of them superseded) and as a device reads it back; against a list of
/// the same passes counted from 1 (the 131,072 bucket of 100,000), the size lists had when
/// they grew with the passes issued.
fn status_lists(c: &mut Criterion) {
    let issuer = IssuerKey::generate();
    let scattered = |n: u64| (1 << 21) + (n * 2_654_435_761) % (1 << 21);
    let list = |size: u64, index: &dyn Fn(u64) -> u64| {
        let mut list = StatusList::new(NOW - 60, size).unwrap();
        for n in 0..1000 {
            if n % 10 == 0 {
                list.supersede(index(n * 100)).unwrap();
            } else {
                list.revoke(index(n * 100)).unwrap();
            }
        }
        list
    };
    let full = list(1 << 22, &scattered);
    let counted = list(100_000, &|n| n + 1);
    for (name, l) in [("2^22 scattered", &full), ("131,072 counted", &counted)] {
        println!("status list {name}: {} signed bytes", l.sign(&issuer).len());
    }
    let mut g = c.benchmark_group("status_list");
    g.sample_size(20);
    for (name, l) in [
        ("sign_2^22_scattered", &full),
        ("sign_131072_counted", &counted),
    ] {
        g.bench_function(name, |b| b.iter(|| black_box(l).sign(&issuer)));
    }
    let keys = [issuer.public()];
    for (name, l) in [
        ("read_2^22_scattered", &full),
        ("read_131072_counted", &counted),
    ] {
        let signed = l.sign(&issuer);
        g.bench_function(name, |b| {
            b.iter(|| StatusList::verify(black_box(&signed), &keys).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
