//! Verification cost: a bare Ed25519 verification against a pass verified end to end (base45,
//! CBOR, signature, decryption, status-list lookup), one at a time and in batches.
//!
//! `cargo bench -p safeconduct-pass --bench verify`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signer, SigningKey};
use safeconduct_pass::*;
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

fn setup() -> (Verifier, Vec<String>) {
    let issuer = IssuerKey::generate();
    let checkpoint = TierKey::generate(Tier::Checkpoint);
    let gate = TierKey::generate(Tier::Gate);
    let mut status = StatusList::new(NOW - 60, 100_000).unwrap();
    for i in (0..100_000).step_by(97) {
        status.revoke(i).unwrap();
    }
    let texts = (1..=BATCH as u64)
        .map(|i| {
            let kid = issuer.kid();
            let content = sample::content(kid, i * 1000 + 1, 6, &AT_RV, (i, "P1234567"));
            to_text(&issue(&issuer, &checkpoint, &gate, &content))
        })
        .collect();
    let verifier = Verifier {
        keys: vec![issuer.public()],
        checkpoint: Some(checkpoint),
        status: Some(status),
        ..Verifier::default()
    };
    (verifier, texts)
}

/// Prints the size of a typical pass (indices near a million, a window this year) by household
/// size, and the QR text length.
fn sizes() {
    let issuer = IssuerKey::generate();
    let checkpoint = TierKey::generate(Tier::Checkpoint);
    let gate = TierKey::generate(Tier::Gate);
    eprintln!("people | signed bytes | text characters");
    for people in [1u64, 2, 4, 8, 16, 24, 100, 1000] {
        let kid = issuer.kid();
        let content = sample::content(kid, 1_000_000, people, &LATER, (1_000_000, "P1234567"));
        let bytes = issue(&issuer, &checkpoint, &gate, &content);
        eprintln!(
            "{people:>6} | {:>12} | {:>15}",
            bytes.len(),
            to_text(&bytes).len()
        );
    }
}

fn bench(c: &mut Criterion) {
    sizes();
    let (verifier, texts) = setup();
    let check = Check {
        now: NOW,
        rv: Some(4_000_017),
        holder: None,
    };
    assert!(verifier.verify_text(&texts[0], &check).outcome.is_valid());

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
}

criterion_group!(benches, bench);
criterion_main!(benches);
