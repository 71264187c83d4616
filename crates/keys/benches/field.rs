//! Field records at upload: (a) durable ingest through `Store::ingest_sync` of syncs of 1000
//! signed records, on SQLite (`synchronous=FULL`) and PostgreSQL, for refusals (logged only)
//! and for admissions that each move a household a lifecycle step; (b) the signature checks
//! of a sync (`devices::open_records`, batch verification) against 1000 bare Ed25519
//! verifications of the same records, in the same run.
//!
//! `cargo bench -p safeconduct-keys --bench field`. PostgreSQL at `SAFECONDUCT_TEST_POSTGRES`.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use safeconduct_domain::model::*;
use safeconduct_domain::scan::{ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_keys::devices::client::{DeviceKey, record_text};
use safeconduct_keys::devices::{DevicePublicKey, Signed, open_records};
use safeconduct_store::testing::{
    Backend, TestStore, assign_eligible, numbered_household, numbered_references,
    stand_in_pass_keys,
};
use safeconduct_store::*;
use std::time::{Duration, Instant};

const SYNC: usize = 1000;
const REFUSAL_SYNCS: usize = 5;
/// Syncs of admissions: each admits households no sync admitted before.
const ADMISSION_SYNCS: usize = 3;
const NOW: i64 = 1_800_000_000;

fn system() -> Actor {
    Actor::system(Timestamp(NOW))
}

fn text(s: &str) -> Text {
    Text::parse("name", s, 40).unwrap()
}

struct Scene {
    op: OperationId,
    rv: RvId,
    device: FieldDeviceId,
    actor: Actor,
    key: DeviceKey,
    passes: Vec<i64>,
}

/// An operation with one RV and its window (open now), `households` households of two holding
/// passes, and one escort device with a registered key.
fn scene(store: &dyn Store, households: usize) -> Scene {
    let op = store
        .create_operation("Bench", Timestamp(NOW - 3600))
        .unwrap()
        .id;
    let rv = store
        .propose_rv(
            op,
            &NewRv {
                name: text("RV"),
                location: Coordinate::new(60.0, 24.9).unwrap(),
                landmark: text("corner"),
            },
            Side::CoordinatingAuthority,
            &system(),
        )
        .unwrap()
        .id;
    store
        .change_rv(op, rv, RvChange::Accept(Side::EscortParty), &system())
        .unwrap();
    let spec = WindowSpec::new(Timestamp(NOW - 3600), Timestamp(NOW + 7200), 10_000).unwrap();
    let window = store.create_window(op, rv, spec, &system()).unwrap().id;
    stand_in_pass_keys(store, op);
    let mut next_reference = numbered_references();
    let mut passes = Vec::new();
    for chunk in 0..households.div_ceil(100) {
        let new: Vec<NewHousehold> = (0..100.min(households - chunk * 100))
            .map(|i| {
                let first = (chunk * 100 + i) * 2;
                numbered_household(first..first + 2)
            })
            .collect();
        let registered = store
            .register_households(op, &new, &mut next_reference, &system())
            .unwrap();
        for reg in registered {
            assign_eligible(store, op, &reg.reference, window, &system());
            let mut signer = |f: &PassFacts| Ok(format!("{}", f.pass_index).into_bytes());
            let (_, pass) = store
                .issue_pass(op, &reg.reference, &mut signer, &system())
                .unwrap();
            passes.push(pass.pass_index);
        }
    }
    let user = store
        .create_user(
            &NewUser {
                username: "escort".into(),
                password_hash: "$argon2id$unused".into(),
                organisation: None,
            },
            Timestamp(NOW),
        )
        .unwrap();
    store.grant_role(user, op, Role::Escort, &system()).unwrap();
    store
        .assign_places(
            user,
            op,
            &PlaceAssignment {
                rvs: vec![rv],
                gates: vec![],
                valid_from: None,
                valid_until: None,
            },
            &system(),
        )
        .unwrap();
    let places = Places {
        rvs: vec![rv],
        gates: vec![],
    };
    let actor = Actor {
        user: Some(user),
        role: Some(Role::Escort),
        device: None,
        at: Timestamp(NOW),
        places: Some(places.clone()),
    };
    let device = store
        .create_device(
            op,
            &NewDevice {
                user,
                role: Role::Escort,
                places,
                label: "bench".into(),
                code_hash: b"code".to_vec(),
                code_expires_at: Timestamp(NOW + 3600),
            },
            &system(),
        )
        .unwrap()
        .id;
    let key = DeviceKey::from_seed([7; 32]);
    let public = DevicePublicKey::parse(&key.public_text())
        .unwrap()
        .to_bytes();
    store
        .register_device_key(op, device, b"code", &public, &actor)
        .unwrap();
    Scene {
        op,
        rv,
        device,
        actor,
        key,
        passes,
    }
}

/// Signed records of the scene's device from `seq`, one per act, as a client sends them.
fn signed(s: &Scene, seq: u64, acts: Vec<ScanAct>) -> Vec<(ScanRecord, String, String)> {
    acts.into_iter()
        .enumerate()
        .map(|(i, act)| {
            // The scene's passes are signed as their index's digits (`scene`).
            let pass_digest = act
                .pass_index()
                .filter(|_| act.moves_a_pass_holder())
                .map(|p| safeconduct_pass::digest(p.to_string().as_bytes()));
            let record = ScanRecord {
                operation: s.op,
                device: s.device,
                seq: seq + i as u64,
                at: Timestamp(NOW),
                place: ScanPlace::Rv(s.rv),
                act,
                pass_digest,
            };
            let text = record_text(&record);
            let signature = s.key.sign(&text);
            (record, text, signature)
        })
        .collect()
}

/// What the server does with a sync: the signatures checked, the records read, the sync
/// ingested; the time it took.
fn upload(store: &dyn Store, s: &Scene, records: &[(ScanRecord, String, String)]) -> Duration {
    let started = Instant::now();
    let key = DevicePublicKey::parse(&s.key.public_text()).unwrap();
    let signed: Vec<Signed> = records
        .iter()
        .map(|(_, t, sig)| Signed {
            text: t,
            signature: sig,
        })
        .collect();
    let read = open_records(&key, s.op, s.device, &signed).unwrap();
    let sync = DeviceSync {
        device: s.device,
        device_time: Timestamp(NOW),
        records: read
            .into_iter()
            .zip(records)
            .map(|(record, (_, t, sig))| SyncedRecord {
                record,
                text: t.clone(),
                signature: sig.as_bytes().to_vec(),
            })
            .collect(),
    };
    let receipt = store.ingest_sync(s.op, &sync, &s.actor).unwrap();
    assert_eq!(receipt.received as usize, records.len());
    started.elapsed()
}

fn rate(records: usize, took: Duration) -> String {
    format!(
        "{:>8.0} records/s ({:.1} ms a sync of {SYNC})",
        records as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / (records / SYNC) as f64
    )
}

fn ingest(backend: Backend) {
    let t = TestStore::fresh(backend);
    let store = t.store.as_ref();
    let setup = Instant::now();
    let s = scene(store, SYNC * ADMISSION_SYNCS);
    // As after any bulk load (`safeconduct import` does the same): the planner knows the
    // tables' sizes, as autovacuum would tell it within a minute on a running operation.
    store.refresh_statistics().unwrap();
    eprintln!(
        "{backend:?}: set up {} households in {:.1?}",
        SYNC * ADMISSION_SYNCS,
        setup.elapsed()
    );
    let refusals: Vec<ScanAct> = (0..SYNC * REFUSAL_SYNCS)
        .map(|i| ScanAct::Refuse {
            pass_index: Some(s.passes[i % s.passes.len()]),
            code: "unreadable".into(),
        })
        .collect();
    let records = signed(&s, 0, refusals);
    let mut took = Duration::ZERO;
    for chunk in records.chunks(SYNC) {
        took += upload(store, &s, chunk);
    }
    println!("{backend:?} refusals:  {}", rate(records.len(), took));
    let admissions = s
        .passes
        .iter()
        .map(|p| ScanAct::Admit {
            pass_index: *p,
            batch: None,
        })
        .collect();
    let records = signed(&s, (SYNC * REFUSAL_SYNCS) as u64, admissions);
    let each: Vec<Duration> = records
        .chunks(SYNC)
        .map(|chunk| upload(store, &s, chunk))
        .collect();
    let took: Duration = each.iter().sum();
    let each: Vec<String> = each
        .iter()
        .map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0))
        .collect();
    println!(
        "{backend:?} admissions: {} (syncs: {} ms)",
        rate(records.len(), took),
        each.join(", ")
    );
    // Every admission moved its household: none became an incident.
    assert!(
        store
            .incidents(s.op, &IncidentFilter::all(), &system())
            .unwrap()
            .is_empty()
    );
}

fn signatures() {
    let key = DeviceKey::from_seed([9; 32]);
    let scene_key = DevicePublicKey::parse(&key.public_text()).unwrap();
    let records: Vec<(String, String)> = (0..SYNC as u64)
        .map(|seq| {
            let record = ScanRecord {
                operation: OperationId(1),
                device: FieldDeviceId(1),
                seq,
                at: Timestamp(NOW),
                place: ScanPlace::Rv(RvId(1)),
                act: ScanAct::Admit {
                    pass_index: seq as i64,
                    batch: Some(1),
                },
                pass_digest: Some([seq as u8; 16]),
            };
            let text = record_text(&record);
            let signature = key.sign(&text);
            (text, signature)
        })
        .collect();
    let signed: Vec<Signed> = records
        .iter()
        .map(|(t, s)| Signed {
            text: t,
            signature: s,
        })
        .collect();
    let bare_key = VerifyingKey::from_bytes(&scene_key.to_bytes()).unwrap();
    use base64::Engine;
    let decoded: Vec<(Vec<u8>, Signature)> = records
        .iter()
        .map(|(t, s)| {
            let b = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap();
            (t.clone().into_bytes(), Signature::from_slice(&b).unwrap())
        })
        .collect();
    let (mut opened, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        let started = Instant::now();
        let read = open_records(&scene_key, OperationId(1), FieldDeviceId(1), &signed).unwrap();
        opened.push(started.elapsed());
        assert_eq!(read.len(), SYNC);
        let started = Instant::now();
        for (m, sig) in &decoded {
            bare_key.verify(m, sig).unwrap();
        }
        bare.push(started.elapsed());
    }
    opened.sort();
    bare.sort();
    let (o, b) = (opened[opened.len() / 2], bare[bare.len() / 2]);
    println!(
        "signatures: open_records of {SYNC} records {:.2} ms, {SYNC} bare Ed25519 verifications \
         {:.2} ms: ratio {:.2} (medians of 15)",
        o.as_secs_f64() * 1000.0,
        b.as_secs_f64() * 1000.0,
        o.as_secs_f64() / b.as_secs_f64()
    );
}

fn main() {
    signatures();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        ingest(backend);
    }
}
