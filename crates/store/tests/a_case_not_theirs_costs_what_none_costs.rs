//! For an escort, a case at another rendezvous point does not exist: a step on it is answered
//! exactly as a step on a reference that names no case. This measures that the two answers
//! also take the same time in the store, so that timing many requests does not tell an escort
//! which references are real. Figures go to docs/benchmarks.md. Ignored by default:
//!
//!     cargo test -p safeconduct-store --test a_case_not_theirs_costs_what_none_costs -- --ignored --nocapture
//!
//! It runs on SQLite, and on PostgreSQL too when `SAFECONDUCT_TEST_POSTGRES` or the local
//! server is reachable as the other store tests reach it. It fails when either answer is not
//! "not found", or when the median of one is more than a tenth above the other's.

use safeconduct_domain::model::*;
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::testing::{Backend, TestStore, agreed_rv, numbered_person};
use safeconduct_store::*;
use std::time::{Duration, Instant};

const ROUNDS: usize = 3000;

fn system() -> Actor {
    Actor::system(Timestamp(0))
}

/// The median, and the 10th and 90th percentiles, in microseconds.
fn spread(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.1), at(0.9))
}

fn measure(backend: Backend) {
    let db = TestStore::fresh(backend);
    let store = &*db.store;
    let op = store.create_operation("Timing", Timestamp(0)).unwrap().id;
    let at = Coordinate::new(60.0, 24.9).unwrap();
    let theirs = agreed_rv(store, op, "Alpha", at);
    let escorts = agreed_rv(store, op, "Bravo", at);
    let spec = WindowSpec::new(Timestamp(10_000), Timestamp(17_200), 200).unwrap();
    let window = store.create_window(op, theirs, spec, &system()).unwrap().id;
    // A household of six, each with a document, assigned a window at RV Alpha.
    let household = NewHousehold::new(
        None,
        Language::Dari,
        None,
        vec![],
        None,
        (0..6).map(numbered_person).collect(),
    )
    .unwrap();
    let mut n = 0u64;
    let mut next_reference = move || {
        n += 1;
        CaseReference::from_random(n.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes())
    };
    let registered = store
        .register_households(op, &[household], &mut next_reference, &system())
        .unwrap();
    let real = registered[0].reference.clone();
    for step in [
        CaseRequest::VerifyDocuments,
        CaseRequest::DecideEligible {
            category: EligibilityCategory::Citizen,
        },
        CaseRequest::Assign { window },
    ] {
        store.apply(op, &real, &step, &system()).unwrap();
    }
    let none = next_reference();
    let escort = Actor {
        user: None,
        role: Some(Role::Escort),
        device: None,
        at: Timestamp(10_100),
        places: Some(Places {
            rvs: vec![escorts],
            gates: vec![],
        }),
    };
    let admit = CaseRequest::AdmitAtRv {
        rv: escorts,
        pass: None,
    };
    let answer = |reference: &CaseReference| {
        let started = Instant::now();
        let refused = store.apply(op, reference, &admit, &escort).unwrap_err();
        (started.elapsed(), refused)
    };
    // Both are "not found", worded alike but for the reference they name.
    let (_, refused_real) = answer(&real);
    let (_, refused_none) = answer(&none);
    assert!(
        matches!(refused_real, StoreError::NotFound(_)),
        "{refused_real}"
    );
    assert_eq!(
        refused_real.to_string().replace(real.as_str(), "R"),
        refused_none.to_string().replace(none.as_str(), "R")
    );
    for _ in 0..200 {
        answer(&real);
        answer(&none);
    }
    let (mut not_theirs, mut missing) = (Vec::new(), Vec::new());
    for i in 0..ROUNDS {
        // Alternated, so that neither takes the other's warm caches every time.
        if i % 2 == 0 {
            not_theirs.push(answer(&real).0);
            missing.push(answer(&none).0);
        } else {
            missing.push(answer(&none).0);
            not_theirs.push(answer(&real).0);
        }
    }
    let (a, a10, a90) = spread(not_theirs);
    let (b, b10, b90) = spread(missing);
    println!(
        "{backend:?}: a step on a case at another RV: median {a:.1} µs (p10 {a10:.1}, p90 {a90:.1}); \
         on a reference naming no case: median {b:.1} µs (p10 {b10:.1}, p90 {b90:.1}); \
         {ROUNDS} each"
    );
    assert!(
        a <= b * 1.1 && b <= a * 1.1,
        "{backend:?}: the medians differ by more than a tenth: {a:.1} µs and {b:.1} µs"
    );
}

#[test]
#[ignore = "a timing measurement for docs/benchmarks.md; run it with --ignored --nocapture"]
fn a_step_on_a_case_not_theirs_takes_the_time_of_one_on_no_case() {
    measure(Backend::Sqlite);
    measure(Backend::Postgres);
}
