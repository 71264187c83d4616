//! Convergence of field records: the records of 50 simulated devices (escorts opening
//! batches, admitting and departing at four RVs; gate staff recording arrivals per person,
//! partial ones, check-ins; double admissions, revoked passes, admissions at the wrong RV)
//! are generated once, then shuffled, duplicated, split into random chunks per device and
//! interleaved across devices (property test). Every such ingest must end in the same stages,
//! the same incidents (kind and records involved) and the same alarms as the in-order ingest.
//! Runs on SQLite and PostgreSQL.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use safeconduct_domain::model::*;
use safeconduct_domain::scan::{IncidentKind, PassDigest, ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::testing::{
    Backend, TestStore, agreed_rv, assign_eligible, numbered_household, numbered_references,
    stand_in_pass_keys,
};
use safeconduct_store::*;
use std::collections::BTreeMap;

/// When every sync reaches the server (records lie before it); the sweep runs long after
/// every deadline.
const SYNC_AT: i64 = 100_000;
const SWEEP_AT: i64 = 200_000;
const RVS: usize = 4;
const GATES: usize = 2;
const WINDOWS_PER_RV: usize = 2;
const HOUSEHOLDS_PER_WINDOW: usize = 6;
const ESCORTS_PER_RV: usize = 8;
const GATE_DEVICES_PER_GATE: usize = 9;

/// splitmix64: the scenario and each shuffle come from a seed, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

fn system() -> Actor {
    Actor::system(Timestamp(0))
}

fn text(s: &str) -> Text {
    Text::parse("name", s, 40).unwrap()
}

/// A household of the scenario: where its pass sends it and what happens to it.
#[derive(Clone)]
struct Case {
    reference: CaseReference,
    pass: i64,
    size: u32,
    rv: usize,
    window: usize,
    revoked: bool,
}

/// A field device of the scenario, enrolled in the store.
struct Unit {
    id: FieldDeviceId,
    actor: Actor,
}

/// An operation set up with places, households holding passes, and 50 enrolled devices.
struct Field {
    op: OperationId,
    cases: Vec<Case>,
    rvs: Vec<RvId>,
    gates: Vec<GateId>,
    escorts: Vec<Unit>,
    gate_units: Vec<Unit>,
}

fn window_start(w: usize) -> i64 {
    10_000 + w as i64 * 10_000
}

fn fake_signer(f: &PassFacts) -> Result<Vec<u8>> {
    Ok(format!("{}:{}", f.reference, f.pass_index).into_bytes())
}

fn device_unit(
    store: &dyn Store,
    op: OperationId,
    user: UserId,
    role: Role,
    places: Places,
    n: usize,
) -> Unit {
    let actor = Actor {
        user: Some(user),
        role: Some(role),
        device: None,
        at: Timestamp(0),
        places: Some(places.clone()),
    };
    let code = format!("code-{n}").into_bytes();
    let d = store
        .create_device(
            op,
            &NewDevice {
                user,
                role,
                places,
                label: format!("unit {n}"),
                code_hash: code.clone(),
                code_expires_at: Timestamp(SWEEP_AT),
            },
            &system(),
        )
        .unwrap();
    store
        .register_device_key(op, d.id, &code, &[n as u8; 32], &actor)
        .unwrap();
    Unit { id: d.id, actor }
}

fn field(store: &dyn Store) -> Field {
    let op = store
        .create_operation("Convergence", Timestamp(0))
        .unwrap()
        .id;
    let rvs: Vec<RvId> = (0..RVS)
        .map(|i| {
            let at = Coordinate::new(60.0, 24.9 + i as f64 / 100.0).unwrap();
            agreed_rv(store, op, &format!("RV {i}"), at)
        })
        .collect();
    // Gate g receives the batches of RVs g and g + GATES.
    let gates: Vec<GateId> = (0..GATES)
        .map(|g| {
            store
                .create_gate(
                    op,
                    &NewGate {
                        name: text(&format!("Gate {g}")),
                        location: Coordinate::new(60.1, 24.9).unwrap(),
                        kind: GateKind::Discreet,
                        hourly_throughput: Throughput::new(500).unwrap(),
                        rvs: (0..RVS)
                            .filter(|r| r % GATES == g)
                            .map(|r| rvs[r])
                            .collect(),
                        walking_time: WalkingTime::new(30).unwrap(),
                    },
                    &system(),
                )
                .unwrap()
                .id
        })
        .collect();
    stand_in_pass_keys(store, op);
    let mut rng = Rng(7);
    let mut cases = Vec::new();
    let mut person = 0;
    let mut next_reference = numbered_references();
    for (r, rv) in rvs.iter().enumerate() {
        for w in 0..WINDOWS_PER_RV {
            let spec = WindowSpec::new(
                Timestamp(window_start(w)),
                Timestamp(window_start(w) + 7200),
                200,
            )
            .unwrap();
            let window = store.create_window(op, *rv, spec, &system()).unwrap().id;
            let new: Vec<NewHousehold> = (0..HOUSEHOLDS_PER_WINDOW)
                .map(|_| {
                    let size = 1 + rng.below(4);
                    person += size;
                    numbered_household(person - size..person)
                })
                .collect();
            let registered = store
                .register_households(op, &new, &mut next_reference, &system())
                .unwrap();
            for (reg, h) in registered.iter().zip(&new) {
                let reference = &reg.reference;
                assign_eligible(store, op, reference, window, &system());
                let (_, pass) = store
                    .issue_pass(op, reference, &mut fake_signer, &system())
                    .unwrap();
                cases.push(Case {
                    reference: reference.clone(),
                    pass: pass.pass_index,
                    size: h.members().len() as u32,
                    rv: r,
                    window: w,
                    revoked: false,
                });
            }
        }
    }
    // A few passes are revoked before the day: their admissions are incidents.
    for c in cases.iter_mut().step_by(23) {
        store
            .revoke_pass(op, &c.reference, &text("lost"), &system())
            .unwrap();
        c.revoked = true;
    }
    let mut next_device = 0;
    let mut unit = |user, role, places| {
        next_device += 1;
        device_unit(store, op, user, role, places, next_device)
    };
    let mut escorts = Vec::new();
    for (r, rv) in rvs.iter().enumerate() {
        let user = user_with(
            store,
            op,
            &format!("escort{r}"),
            Role::Escort,
            vec![*rv],
            vec![],
        );
        for _ in 0..ESCORTS_PER_RV {
            escorts.push(unit(user, Role::Escort, places(vec![*rv], vec![])));
        }
    }
    let mut gate_units = Vec::new();
    for (g, gate) in gates.iter().enumerate() {
        let user = user_with(
            store,
            op,
            &format!("gate{g}"),
            Role::Gate,
            vec![],
            vec![*gate],
        );
        for _ in 0..GATE_DEVICES_PER_GATE {
            gate_units.push(unit(user, Role::Gate, places(vec![], vec![*gate])));
        }
    }
    Field {
        op,
        cases,
        rvs,
        gates,
        escorts,
        gate_units,
    }
}

fn places(rvs: Vec<RvId>, gates: Vec<GateId>) -> Places {
    Places { rvs, gates }
}

fn user_with(
    store: &dyn Store,
    op: OperationId,
    name: &str,
    role: Role,
    rvs: Vec<RvId>,
    gates: Vec<GateId>,
) -> UserId {
    let user = store
        .create_user(
            &NewUser {
                username: name.into(),
                password_hash: "$argon2id$unused".into(),
                organisation: None,
            },
            Timestamp(0),
        )
        .unwrap();
    store.grant_role(user, op, role, &system()).unwrap();
    store
        .assign_places(
            user,
            op,
            &PlaceAssignment {
                rvs,
                gates,
                valid_from: None,
                valid_until: None,
            },
            &system(),
        )
        .unwrap();
    user
}

/// The records of one device, in its own order.
type Log = Vec<(FieldDeviceId, Vec<ScanRecord>)>;

/// What the 50 devices record: every escort device takes a share of its RV's households in
/// each window into one batch; gate devices record arrivals (whole, in two parts, one member
/// short, or none) and check-ins.
fn records(f: &Field) -> Log {
    let mut rng = Rng(11);
    let mut escort: Vec<Vec<(i64, ScanAct)>> = vec![Vec::new(); f.escorts.len()];
    let mut gate: Vec<Vec<(i64, ScanAct)>> = vec![Vec::new(); f.gate_units.len()];
    for r in 0..RVS {
        let gate_no = r % GATES;
        for w in 0..WINDOWS_PER_RV {
            let here: Vec<&Case> = f
                .cases
                .iter()
                .filter(|c| c.rv == r && c.window == w)
                .collect();
            let start = window_start(w);
            for k in 0..ESCORTS_PER_RV {
                let d = r * ESCORTS_PER_RV + k;
                let batch = w as u32 + 1;
                let mine: Vec<&&Case> = here.iter().skip(k).step_by(ESCORTS_PER_RV).collect();
                if mine.is_empty() {
                    continue;
                }
                let t = start + 60 * k as i64;
                escort[d].push((
                    t,
                    ScanAct::OpenBatch {
                        batch,
                        gate: f.gates[gate_no],
                    },
                ));
                let mut head_count = 0;
                for (i, c) in mine.iter().enumerate() {
                    let at = t + 10 + i as i64;
                    escort[d].push((
                        at,
                        ScanAct::Admit {
                            pass_index: c.pass,
                            batch: Some(batch),
                        },
                    ));
                    if !c.revoked {
                        head_count += c.size;
                    }
                    // Another escort at the door scans the same pass, outside any batch.
                    if rng.chance(12) {
                        let other = r * ESCORTS_PER_RV + (k + 1) % ESCORTS_PER_RV;
                        escort[other].push((
                            at + 1,
                            ScanAct::Admit {
                                pass_index: c.pass,
                                batch: None,
                            },
                        ));
                    }
                    if rng.chance(10) {
                        escort[d].push((
                            at + 2,
                            ScanAct::Refuse {
                                pass_index: Some(c.pass),
                                code: "unreadable".into(),
                            },
                        ));
                    }
                }
                // A pass of the next RV presented here.
                if rng.chance(15) {
                    let stray = f.cases.iter().find(|c| c.rv == (r + 1) % RVS).unwrap();
                    escort[d].push((
                        t + 50,
                        ScanAct::Admit {
                            pass_index: stray.pass,
                            batch: Some(batch),
                        },
                    ));
                }
                // One batch in ten is miscounted at the door.
                if rng.chance(10) {
                    head_count += 1;
                }
                let departed = t + 600;
                if head_count > 0 {
                    escort[d].push((departed, ScanAct::Depart { batch, head_count }));
                }
                for c in mine.iter().filter(|c| !c.revoked) {
                    let g = gate_no * GATE_DEVICES_PER_GATE + rng.below(GATE_DEVICES_PER_GATE);
                    let at = departed + 1200 + rng.below(600) as i64;
                    let log = &mut gate[g];
                    let arrive = |people| ScanAct::Arrive {
                        pass_index: c.pass,
                        people,
                    };
                    match rng.below(10) {
                        0 => {}
                        1 if c.size > 1 => log.push((at, arrive(c.size - 1))),
                        2 | 3 if c.size > 1 => {
                            log.push((at, arrive(1)));
                            log.push((at + 300, arrive(c.size - 1)));
                            log.push((at + 301, ScanAct::CheckIn { pass_index: c.pass }));
                        }
                        _ => {
                            log.push((at, arrive(c.size)));
                            if rng.chance(60) {
                                log.push((at + 5, ScanAct::CheckIn { pass_index: c.pass }));
                            }
                        }
                    }
                }
            }
        }
    }
    let place_of = |i: usize, at_rv: bool| {
        if at_rv {
            ScanPlace::Rv(f.rvs[i / ESCORTS_PER_RV])
        } else {
            ScanPlace::Gate(f.gates[i / GATE_DEVICES_PER_GATE])
        }
    };
    let units = f.escorts.iter().zip(escort).map(|(u, l)| (u, l, true));
    let gates = f.gate_units.iter().zip(gate).map(|(u, l)| (u, l, false));
    units
        .chain(gates)
        .enumerate()
        .map(|(i, (unit, mut log, at_rv))| {
            log.sort_by_key(|(at, _)| *at);
            let index = if at_rv { i } else { i - f.escorts.len() };
            let records = log
                .into_iter()
                .enumerate()
                .map(|(seq, (at, act))| ScanRecord {
                    operation: f.op,
                    device: unit.id,
                    seq: seq as u64,
                    at: Timestamp(at),
                    place: place_of(index, at_rv),
                    pass_digest: digest(f, &act),
                    act,
                })
                .collect();
            (unit.id, records)
        })
        .collect()
}

/// The digest a device names the pass it read by: of the bytes `fake_signer` signed for it.
fn digest(f: &Field, act: &ScanAct) -> Option<PassDigest> {
    let index = act.pass_index().filter(|_| act.moves_a_pass_holder())?;
    let case = f.cases.iter().find(|c| c.pass == index)?;
    let signed = format!("{}:{}", case.reference, case.pass);
    Some(safeconduct_pass::digest(signed.as_bytes()))
}

fn synced(record: &ScanRecord) -> SyncedRecord {
    SyncedRecord {
        record: record.clone(),
        // The store keeps what was signed and never reads it back: any text stands for it.
        text: format!("{record:?}"),
        signature: vec![0; 64],
    }
}

/// One upload: a device and some of its records.
type Upload = (usize, Vec<ScanRecord>);

/// Every device's records in its order, one sync per device.
fn in_order(log: &Log) -> Vec<Upload> {
    log.iter()
        .enumerate()
        .flat_map(|(d, (_, records))| records.chunks(200).map(move |c| (d, c.to_vec())))
        .collect()
}

/// Every device's records shuffled, a fifth sent twice, cut into chunks of 1 to 40; the
/// devices' chunks interleaved at random.
fn scrambled(log: &Log, seed: u64) -> Vec<Upload> {
    let mut rng = Rng(seed);
    let mut queues: Vec<Vec<Upload>> = log
        .iter()
        .enumerate()
        .map(|(d, (_, records))| {
            let mut all = records.clone();
            all.extend(records.iter().filter(|_| rng.chance(20)).cloned());
            rng.shuffle(&mut all);
            let mut chunks = Vec::new();
            while !all.is_empty() {
                let n = (1 + rng.below(40)).min(all.len());
                chunks.push((d, all.drain(..n).collect()));
            }
            chunks.reverse();
            chunks
        })
        .collect();
    let mut out = Vec::new();
    loop {
        queues.retain(|q| !q.is_empty());
        if queues.is_empty() {
            return out;
        }
        let i = rng.below(queues.len());
        out.push(queues[i].pop().unwrap());
    }
}

/// What the field ended in: every household's stage and the stages of its members held apart
/// from it (left in escort, unaccounted), the incidents as (kind, records), the people the
/// sweep found unaccounted, and the accountability report's people per stage.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    stages: BTreeMap<String, Stage>,
    apart: BTreeMap<String, Vec<Stage>>,
    incidents: Vec<(IncidentKind, Vec<(i64, u64)>)>,
    unaccounted: u32,
    people: BTreeMap<Stage, u64>,
}

fn ingest(store: &dyn Store, f: &Field, log: &Log, uploads: &[Upload]) -> Outcome {
    for (d, records) in uploads {
        let unit = if *d < f.escorts.len() {
            &f.escorts[*d]
        } else {
            &f.gate_units[*d - f.escorts.len()]
        };
        let sync = DeviceSync {
            device: log[*d].0,
            device_time: Timestamp(SYNC_AT),
            records: records.iter().map(synced).collect(),
        };
        let actor = Actor {
            at: Timestamp(SYNC_AT),
            ..unit.actor.clone()
        };
        store.ingest_sync(f.op, &sync, &actor).unwrap();
    }
    for (id, records) in log {
        let d = store.device(f.op, *id).unwrap();
        assert_eq!(d.applied_seq, records.len() as i64 - 1, "device {id}");
    }
    let unaccounted = store
        .sweep_custody(Some(f.op), &Actor::custody_sweep(Timestamp(SWEEP_AT)))
        .unwrap();
    let mut stages = BTreeMap::new();
    let mut apart = BTreeMap::new();
    for c in &f.cases {
        let h = store.household(f.op, &c.reference).unwrap();
        stages.insert(c.reference.to_string(), h.stage);
        if !h.apart.is_empty() {
            let mut members: Vec<Stage> = h.apart.iter().map(|m| m.stage).collect();
            members.sort();
            apart.insert(c.reference.to_string(), members);
        }
    }
    // Every person is in exactly one stage, and the counts kept agree with the cases.
    let report = store.accountability(f.op, Timestamp(SWEEP_AT)).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    let mut incidents: Vec<_> = store
        .incidents(
            f.op,
            &IncidentFilter::all(),
            &Actor::system(Timestamp(SWEEP_AT)),
        )
        .unwrap()
        .into_iter()
        .map(|i| {
            let mut records: Vec<_> = i.records.iter().map(|(d, s)| (d.0, *s)).collect();
            records.sort();
            (i.kind, records)
        })
        .collect();
    incidents.sort_by_key(|(k, r)| (k.to_string(), r.clone()));
    Outcome {
        stages,
        apart,
        incidents,
        unaccounted,
        people: report.recomputed.people,
    }
}

fn records_in_any_order_end_alike(backend: Backend) {
    let reference_store = TestStore::fresh(backend);
    let f = field(reference_store.store.as_ref());
    let log = records(&f);
    let total: usize = log.iter().map(|(_, r)| r.len()).sum();
    assert_eq!(log.len(), 50);
    assert!(total > 200, "{total} records");
    let expected = ingest(reference_store.store.as_ref(), &f, &log, &in_order(&log));
    // The scenario reaches every outcome it means to test.
    let count = |s: Stage| expected.stages.values().filter(|x| **x == s).count();
    assert!(count(Stage::Unaccounted) > 0 && count(Stage::Processed) > 0);
    assert!(count(Stage::ArrivedAtGate) > 0 && count(Stage::PassIssued) > 0);
    // Households that arrived one member short went on; the member left behind is
    // unaccounted on their own.
    let short = expected
        .apart
        .iter()
        .filter(|(r, m)| {
            expected.stages[*r] != Stage::Unaccounted && m.contains(&Stage::Unaccounted)
        })
        .count();
    assert!(
        short > 0,
        "no household arrived short: {:?}",
        expected.apart
    );
    for kind in [
        IncidentKind::DoubleAdmission,
        IncidentKind::RevokedPass,
        IncidentKind::WrongRv,
        IncidentKind::PartialArrival,
        IncidentKind::HeadCount,
    ] {
        assert!(
            expected.incidents.iter().any(|(k, _)| *k == kind),
            "no {kind} incident in the scenario"
        );
    }
    // Each case sets up a whole operation (a few hundred commits): few cases, fewer on
    // PostgreSQL whose commits cost more here.
    let mut runner = TestRunner::new(Config {
        cases: if backend == Backend::Sqlite { 8 } else { 3 },
        failure_persistence: None,
        // A seed is a whole scenario: shrinking it tells nothing more than the seed.
        max_shrink_iters: 0,
        ..Config::default()
    });
    runner
        .run(&any::<u64>(), |seed| {
            let t = TestStore::fresh(backend);
            let g = field(t.store.as_ref());
            // The same records, naming this store's pass indices (scattered under its key).
            let log = records(&g);
            let outcome = ingest(t.store.as_ref(), &g, &log, &scrambled(&log, seed));
            prop_assert_eq!(&outcome, &expected);
            Ok(())
        })
        .unwrap();
}

/// Another server steps every household while the syncs are written: a sync that read a
/// case before that step and writes after it is refused by the case's version guard, read
/// and decided again by the store, and ends as if nothing had happened meanwhile (nothing
/// refused, nothing lost). On PostgreSQL, where writers on other connections interleave.
#[test]
fn a_sync_whose_households_changed_meanwhile_is_decided_again() {
    let reference = TestStore::fresh(Backend::Postgres);
    let f = field(reference.store.as_ref());
    let log = records(&f);
    let expected = ingest(reference.store.as_ref(), &f, &log, &in_order(&log));

    let t = TestStore::fresh(Backend::Postgres);
    let g = field(t.store.as_ref());
    let log = records(&g);
    // Another connection moves every household's version and holds the rows, uncommitted:
    // the first sync with admissions reads the old versions, then waits for the rows.
    let mut other = ::postgres::Client::connect(&t.url, ::postgres::NoTls).unwrap();
    let mut step = other.transaction().unwrap();
    step.execute("UPDATE households SET version = version + 1", &[])
        .unwrap();
    let store = t.store.clone();
    let syncs = std::thread::spawn(move || ingest(store.as_ref(), &g, &log, &in_order(&log)));
    std::thread::sleep(std::time::Duration::from_millis(800));
    step.commit().unwrap();
    let outcome = syncs.join().expect("every sync answered");
    assert_eq!(outcome, expected);
}

safeconduct_store::on_both_backends!(records_in_any_order_end_alike);
