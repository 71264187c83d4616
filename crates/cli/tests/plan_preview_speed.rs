//! The server's plan preview through the store with 100,000 people: the planning state read
//! (every movable household's sealed location and needs opened), the instance built, the plan
//! computed and the preview kept, as `POST …/plans` does (`server::planning::compute`). The
//! pure planner on the same instance is measured in the same run as the reference. Figures go
//! to docs/benchmarks.md. Ignored by default (filling the store takes minutes):
//!
//!     cargo test -p safeconduct --release --test plan_preview_speed -- --ignored --nocapture
//!     SAFECONDUCT_BENCH_PEOPLE=20000 cargo test -p safeconduct --release --test plan_preview_speed -- --ignored --nocapture
//!
//! It fails when the median preview takes longer than 2 seconds.

use safeconduct_cli::generator::{self, Dice};
use safeconduct_domain::model::{EligibilityCategory, GateKind, RvChange, Side, WindowSpec};
use safeconduct_domain::places::{NewGate, NewRv, Throughput, WalkingTime};
use safeconduct_domain::values::{Coordinate, Text, Timestamp};
use safeconduct_domain::whereabouts::{ApproximateLocation, TravelNeeds};
use safeconduct_planning::{Mode, compute, default_settings, prepare};
use safeconduct_store::testing::{Backend, TestStore};
use safeconduct_store::{Actor, CaseRequest, Store};
use std::time::Instant;

/// Central Helsinki, where the places and households of the benchmark stand.
const CENTRE: (f64, f64) = (60.17, 24.94);

fn around(dice: &mut Dice, metres: f64) -> Coordinate {
    let dy = (dice.below(20_001) as f64 / 10_000.0 - 1.0) * metres / 111_000.0;
    let dx = (dice.below(20_001) as f64 / 10_000.0 - 1.0) * metres / 55_500.0;
    Coordinate::new(CENTRE.0 + dy, CENTRE.1 + dx).unwrap()
}

/// 32 RVs (six with vehicle access) around the centre, three gates, 16 two-hour windows per
/// RV with room for about 85% of `people`.
fn places(store: &dyn Store, op: safeconduct_domain::OperationId, people: usize, at: Timestamp) {
    let actor = Actor::system(at);
    let mut dice = Dice(7);
    let mut rvs = Vec::new();
    for i in 0..32 {
        let rv = store
            .propose_rv(
                op,
                &NewRv {
                    name: Text::parse("name", &format!("RV {i}"), 120).unwrap(),
                    location: around(&mut dice, 3_000.0),
                    landmark: Text::parse("landmark", "the corner", 500).unwrap(),
                },
                Side::CoordinatingAuthority,
                &actor,
            )
            .unwrap();
        store
            .change_rv(op, rv.id, RvChange::Accept(Side::EscortParty), &actor)
            .unwrap();
        store
            .change_rv(op, rv.id, RvChange::Activate, &actor)
            .unwrap();
        if i % 5 == 0 {
            store
                .set_rv_vehicle_access(op, rv.id, true, &actor)
                .unwrap();
        }
        rvs.push(rv.id);
    }
    for (g, served) in rvs.chunks(11).enumerate() {
        store
            .create_gate(
                op,
                &NewGate {
                    name: Text::parse("name", &format!("Gate {g}"), 120).unwrap(),
                    location: around(&mut dice, 1_000.0),
                    kind: GateKind::Discreet,
                    hourly_throughput: Throughput::new(1_500).unwrap(),
                    rvs: served.to_vec(),
                    walking_time: WalkingTime::new(20).unwrap(),
                },
                &actor,
            )
            .unwrap();
    }
    let capacity = (people as f64 * 0.85 / (32.0 * 16.0)).ceil() as u32;
    let hour = at.0 - at.0.rem_euclid(3600) + 3600;
    for slot in 0..16 {
        for rv in &rvs {
            let start = Timestamp(hour + slot * 7200);
            let spec = WindowSpec::new(start, Timestamp(start.0 + 7200), capacity).unwrap();
            store.create_window(op, *rv, spec, &actor).unwrap();
        }
    }
}

/// Households of `people` people in all, each somewhere within 4 km of the centre (5% needing
/// vehicle access, 8% unable to walk far), registered and made eligible.
fn households(
    store: &dyn Store,
    op: safeconduct_domain::OperationId,
    people: usize,
    at: Timestamp,
) {
    let actor = Actor::system(at);
    let mut refs = generator::references();
    let mut dice = Dice(11);
    let started = Instant::now();
    let mut eligible = 0;
    for chunk in generator::population(11, people, 2500) {
        let chunk: Vec<_> = chunk
            .unwrap()
            .into_iter()
            .map(|h| {
                let location = ApproximateLocation::new(around(&mut dice, 4_000.0));
                let needs = TravelNeeds {
                    needs_vehicle_access: dice.chance(5),
                    cannot_walk_far: dice.chance(8),
                };
                h.located(Some(location), needs)
            })
            .collect();
        for r in store
            .register_households(op, &chunk, &mut refs, &actor)
            .unwrap()
        {
            // A household with a member still undocumented stays registered.
            if store
                .apply(op, &r.reference, &CaseRequest::VerifyDocuments, &actor)
                .is_ok()
            {
                let decision = CaseRequest::DecideEligible {
                    category: EligibilityCategory::SpecialImmigrantVisa,
                };
                store.apply(op, &r.reference, &decision, &actor).unwrap();
                eligible += 1;
            }
        }
    }
    println!(
        "registered {people} people, {eligible} households eligible, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "fills a store with 100,000 people (minutes); run it for docs/benchmarks.md"]
fn a_plan_preview_of_a_hundred_thousand_people_is_computed_through_the_store_in_seconds() {
    let people: usize = std::env::var("SAFECONDUCT_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let backend = match std::env::var("SAFECONDUCT_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let db = TestStore::fresh(backend);
    let store = db.store.as_ref();
    let at = safeconduct_keys::now();
    let op = store.create_operation("Preview speed", at).unwrap().id;
    places(store, op, people, at);
    households(store, op, people, at);

    let actor = Actor::system(at);
    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let state = store.planning_state(op).unwrap();
        let read = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let prepared = prepare(&state, default_settings(), Mode::Fresh, at).unwrap();
        let built = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let reference = safeconduct_plan::plan(&prepared.instance);
        let planned = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (stored, figures) =
            compute(store, None, op, default_settings(), Mode::Fresh, &actor).unwrap();
        let preview = t.elapsed().as_secs_f64();
        println!(
            "{backend:?}: preview {preview:.3} s (plan {}: {} households placed, {} unplaced, gap {:.3}%); \
             its parts measured apart: state read {read:.3} s ({} households), instance {built:.3} s, \
             pure planner {planned:.3} s (gap {:.3}%)",
            stored.id,
            figures.households_placed,
            figures.households_unplaced,
            figures.gap * 100.0,
            state.households.len(),
            reference.objective.gap * 100.0,
        );
        assert_eq!(figures.value, reference.objective.value, "the same plan");
        runs.push(preview);
    }
    runs.sort_by(f64::total_cmp);
    println!("median preview: {:.3} s", runs[1]);
    assert!(runs[1] < 2.0, "the preview took {:.3} s", runs[1]);
}
