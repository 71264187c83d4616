//! For an escort, a case or a batch at another rendezvous point does not exist: a step on such
//! a case, or a read of such a batch, is answered exactly as one on a reference or an id that
//! names nothing. For a coordinator, a user of another operation is a name nobody has. This
//! measures that the two answers also take the same time in the store, so that timing many
//! requests does not tell which references, batch ids and user names are real.
//! Figures go to docs/benchmarks.md. Ignored by default:
//!
//!     cargo test -p safeconduct-store --test what_is_not_theirs_costs_what_none_costs -- --ignored --nocapture
//!
//! It runs on SQLite, and on PostgreSQL too when `SAFECONDUCT_TEST_POSTGRES` or the local
//! server is reachable as the other store tests reach it. It fails when either answer is not
//! "not found", or when the median of one is more than a tenth above the other's.

use safeconduct_domain::model::*;
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::testing::{
    Backend, TestStore, agreed_rv, assign_eligible, numbered_household, numbered_references,
    stand_in_pass_keys,
};
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

/// One operation with two RVs, Alpha and Bravo: ten households of six assigned at Alpha and
/// gone in one batch from Alpha to its gate, and one more assigned there and waiting; the escort
/// works at Bravo only.
struct Scene {
    db: TestStore,
    op: OperationId,
    escort: Actor,
    bravo: RvId,
    /// The household waiting at Alpha, and a reference that names no case.
    waiting: CaseReference,
    no_case: CaseReference,
    /// The batch gone from Alpha, and an id that names no batch.
    batch: BatchId,
    no_batch: BatchId,
}

fn scene(backend: Backend) -> Scene {
    let db = TestStore::fresh(backend);
    let store = &*db.store;
    let op = store.create_operation("Timing", Timestamp(0)).unwrap().id;
    let at = Coordinate::new(60.0, 24.9).unwrap();
    let alpha = agreed_rv(store, op, "Alpha", at);
    let bravo = agreed_rv(store, op, "Bravo", at);
    let gate = store
        .create_gate(
            op,
            &NewGate {
                name: Text::parse("name", "Gate", 10).unwrap(),
                location: at,
                kind: GateKind::Discreet,
                hourly_throughput: Throughput::new(300).unwrap(),
                rvs: vec![alpha],
                walking_time: Default::default(),
            },
            &system(),
        )
        .unwrap()
        .id;
    let spec = WindowSpec::new(Timestamp(10_000), Timestamp(17_200), 200).unwrap();
    let window = store.create_window(op, alpha, spec, &system()).unwrap().id;
    stand_in_pass_keys(store, op);
    let households: Vec<_> = (0..11)
        .map(|h| numbered_household(6 * h..6 * h + 6))
        .collect();
    let mut next_reference = numbered_references();
    let mut references: Vec<CaseReference> = store
        .register_households(op, &households, &mut next_reference, &system())
        .unwrap()
        .into_iter()
        .map(|r| r.reference)
        .collect();
    let at_alpha = Actor::system(Timestamp(10_050));
    // The store signs nothing: a signer that writes the facts it was given is enough here.
    let mut signer = |f: &PassFacts| -> Result<Vec<u8>> {
        Ok(format!("{}:{}", f.reference, f.pass_index).into_bytes())
    };
    for reference in &references {
        assign_eligible(store, op, reference, window, &system());
    }
    let waiting = references.pop().unwrap();
    for reference in &references {
        store
            .issue_pass(op, reference, &mut signer, &system())
            .unwrap();
        let admit = CaseRequest::AdmitAtRv {
            rv: alpha,
            pass: None,
        };
        store.apply(op, reference, &admit, &at_alpha).unwrap();
    }
    let departure = BatchDeparture {
        rv: alpha,
        gate,
        households: references,
    };
    let batch = store.depart_batch(op, &departure, &at_alpha).unwrap().id;
    let escort = Actor {
        user: None,
        role: Some(Role::Escort),
        device: None,
        at: Timestamp(10_100),
        places: Some(Places {
            rvs: vec![bravo],
            gates: vec![],
        }),
    };
    Scene {
        db,
        op,
        escort,
        bravo,
        waiting,
        no_case: next_reference(),
        batch,
        no_batch: BatchId(batch.0 + 1000),
    }
}

/// Times `answer` on what is not the caller's (`true`, `what` `whose`) and on what does not
/// exist (`false`), alternated, after a warm-up; both must be refused alike, as not found, but
/// for `name`s of what they were asked of. Prints the figures and fails when the medians differ by more than
/// a tenth.
fn compare(
    what: &str,
    whose: &str,
    backend: Backend,
    answer: impl Fn(bool) -> StoreError,
    name: impl Fn(bool) -> String,
) {
    let timed = |real: bool| {
        let started = Instant::now();
        let refused = answer(real);
        (started.elapsed(), refused)
    };
    let (_, refused_real) = timed(true);
    let (_, refused_none) = timed(false);
    assert!(
        matches!(refused_real, StoreError::NotFound(_)),
        "{what}: {refused_real}"
    );
    assert_eq!(
        refused_real.to_string().replace(&name(true), "X"),
        refused_none.to_string().replace(&name(false), "X"),
        "{what}"
    );
    for _ in 0..200 {
        timed(true);
        timed(false);
    }
    let (mut not_theirs, mut missing) = (Vec::new(), Vec::new());
    for i in 0..ROUNDS {
        // Alternated, so that neither takes the other's warm caches every time.
        if i % 2 == 0 {
            not_theirs.push(timed(true).0);
            missing.push(timed(false).0);
        } else {
            missing.push(timed(false).0);
            not_theirs.push(timed(true).0);
        }
    }
    let (a, a10, a90) = spread(not_theirs);
    let (b, b10, b90) = spread(missing);
    println!(
        "{backend:?}: {what} {whose}: median {a:.1} µs (p10 {a10:.1}, p90 {a90:.1}); \
         naming nothing: median {b:.1} µs (p10 {b10:.1}, p90 {b90:.1}); {ROUNDS} each"
    );
    assert!(
        a <= b * 1.1 && b <= a * 1.1,
        "{backend:?}: {what}: the medians differ by more than a tenth: {a:.1} µs and {b:.1} µs"
    );
}

fn measure_cases(backend: Backend) {
    let s = scene(backend);
    let store = &*s.db.store;
    let admit = CaseRequest::AdmitAtRv {
        rv: s.bravo,
        pass: None,
    };
    let reference = |real: bool| if real { &s.waiting } else { &s.no_case };
    compare(
        "a step on a case",
        "at another RV",
        backend,
        |real| {
            store
                .apply(s.op, reference(real), &admit, &s.escort)
                .unwrap_err()
        },
        |real| reference(real).as_str().to_string(),
    );
}

fn measure_batches(backend: Backend) {
    let s = scene(backend);
    let store = &*s.db.store;
    let id = |real: bool| if real { s.batch } else { s.no_batch };
    compare(
        "a read of a batch of 10 households",
        "at another RV",
        backend,
        |real| store.batch(s.op, id(real), &s.escort).unwrap_err(),
        |real| id(real).0.to_string(),
    );
    // For scale: the batch read in full, as it was for every caller before the place check
    // moved into the store (the refusal came after this).
    let full = |_: usize| {
        let started = Instant::now();
        store.batch(s.op, s.batch, &system()).unwrap();
        started.elapsed()
    };
    let (c, c10, c90) = spread((0..ROUNDS).map(full).collect());
    println!(
        "{backend:?}: the same batch read in full: median {c:.1} µs (p10 {c10:.1}, p90 {c90:.1})"
    );
}

/// For a coordinator, a user of another operation is a name nobody has, when enrolling a
/// device for them or assigning them places (`Store::operation_user`).
fn measure_users(backend: Backend) {
    let s = scene(backend);
    let store = &*s.db.store;
    let elsewhere = store
        .create_operation("Elsewhere", Timestamp(0))
        .unwrap()
        .id;
    let user = store
        .create_user(
            &NewUser {
                username: "escort-elsewhere".to_string(),
                password_hash: "$argon2id$stand-in".to_string(),
                organisation: None,
            },
            Timestamp(0),
        )
        .unwrap();
    store
        .grant_role(user, elsewhere, Role::Escort, &system())
        .unwrap();
    // Of the same length, so that only whether the name exists differs.
    let name = |real: bool| {
        if real {
            "escort-elsewhere"
        } else {
            "nobody-elsewhere"
        }
    };
    compare(
        "a user name",
        "of another operation",
        backend,
        |real| {
            let found = store.operation_user(s.op, name(real)).unwrap();
            assert!(found.is_none(), "a user of another operation found here");
            // As the server answers it.
            StoreError::not_found(format!("user {:?}", name(real)))
        },
        |real| name(real).to_string(),
    );
    // For scale: the lookup as it was before `operation_user`, the user by name and then,
    // for one who exists, their roles in the operation.
    let before = |real: bool| {
        let started = Instant::now();
        if let Some(user) = store.user_by_name(name(real)).unwrap() {
            assert!(store.roles(user.id, s.op).unwrap().is_empty());
        }
        started.elapsed()
    };
    let (mut elsewhere, mut nobody) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        elsewhere.push(before(true));
        nobody.push(before(false));
    }
    let ((a, ..), (b, ..)) = (spread(elsewhere), spread(nobody));
    println!(
        "{backend:?}: the lookup before, by name then roles: median {a:.1} µs for a user of \
         another operation, {b:.1} µs for a name nobody has"
    );
}

#[test]
#[ignore = "a timing measurement for docs/benchmarks.md; run it with --ignored --nocapture"]
fn a_user_of_another_operation_takes_the_time_of_no_user() {
    measure_users(Backend::Sqlite);
    measure_users(Backend::Postgres);
}

#[test]
#[ignore = "a timing measurement for docs/benchmarks.md; run it with --ignored --nocapture"]
fn a_step_on_a_case_not_theirs_takes_the_time_of_one_on_no_case() {
    measure_cases(Backend::Sqlite);
    measure_cases(Backend::Postgres);
}

#[test]
#[ignore = "a timing measurement for docs/benchmarks.md; run it with --ignored --nocapture"]
fn a_read_of_a_batch_not_theirs_takes_the_time_of_one_of_no_batch() {
    measure_batches(Backend::Sqlite);
    measure_batches(Backend::Postgres);
}
