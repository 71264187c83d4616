//! The store on both backends: durable across reopening, append-only events, atomic
//! registration, and the accountability invariant under any sequence of lifecycle requests
//! (property test). Every test runs once on SQLite and once on PostgreSQL.

use proptest::prelude::*;
use safeconduct_domain::model::*;
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::testing::{self, Backend, TestStore};
use safeconduct_store::*;
use std::collections::HashMap;

fn at() -> Actor {
    Actor::system(Timestamp(1_800_000_000))
}

fn person(i: usize) -> NewPerson {
    person_with_phone(i, PhoneNumber::parse(&format!("+9370{:07}", i)).ok())
}

fn person_with_phone(i: usize, phone: Option<PhoneNumber>) -> NewPerson {
    NewPerson::new(
        PersonName::new(&format!("Person {i} Karimi"), Some("کریمی")).unwrap(),
        Some(BirthDate::from_year(1970 + i as u16 % 40).unwrap()),
        CountryCode::parse("AF").ok(),
        phone,
        Some(Language::Dari),
        vec![NewDocument::new(
            DocumentType::Passport,
            DocumentNumber::parse(&format!("P{:08}", i)).unwrap(),
            None,
            None,
        )],
    )
}

fn household_of(
    contact_phone: Option<PhoneNumber>,
    members: Vec<NewPerson>,
) -> std::result::Result<NewHousehold, DomainError> {
    NewHousehold::new(
        contact_phone,
        Language::Pashto,
        None,
        vec![PriorityFlag::Medical],
        None,
        members,
        Timestamp(1_800_000_000),
    )
}

fn household(first: usize, size: usize) -> NewHousehold {
    household_of(None, (first..first + size).map(person).collect()).unwrap()
}

fn counter() -> impl FnMut() -> CaseReference {
    let mut n = 0u64;
    move || {
        n += 1;
        CaseReference::from_random(n.to_be_bytes())
    }
}

struct Setup {
    op: OperationId,
    rv: RvId,
    gate: GateId,
    windows: Vec<WindowId>,
    flight: FlightId,
}

/// A new operation, created at time 0.
fn new_operation(store: &dyn Store, name: &str) -> OperationId {
    store.create_operation(name, Timestamp(0)).unwrap().id
}

fn setup(store: &dyn Store) -> Setup {
    let op = new_operation(store, "Property");
    let rv = testing::agreed_rv(store, op, "RV", Coordinate::new(60.0, 24.9).unwrap());
    let gate = store
        .create_gate(
            op,
            &NewGate {
                name: Text::parse("name", "Gate", 10).unwrap(),
                location: Coordinate::new(60.0, 24.9).unwrap(),
                kind: GateKind::Discreet,
                hourly_throughput: Throughput::new(100).unwrap(),
                rvs: vec![rv],
                walking_time: Default::default(),
            },
            &at(),
        )
        .unwrap();
    let windows = (0..2)
        .map(|i| {
            store
                .create_window(
                    op,
                    rv,
                    WindowSpec::new(Timestamp(i * 7200), Timestamp(i * 7200 + 7200), 9).unwrap(),
                    &at(),
                )
                .unwrap()
                .id
        })
        .collect();
    let flight = store
        .create_flight(
            op,
            &NewFlight {
                number: Text::parse("number", "F1", 10).unwrap(),
                departs_at: Timestamp(86_400),
                capacity: Capacity::flight(8).unwrap(),
            },
            &at(),
        )
        .unwrap()
        .id;
    store
        .init_pass_keys(op, &fake_key(1, KeyState::Active), &[])
        .unwrap();
    Setup {
        op,
        rv,
        gate: gate.id,
        windows,
        flight,
    }
}

/// A registration repeated with its request key (its first answer was lost) returns the
/// household registered the first time; the key with another request is refused and stores
/// nothing; another user's same key is theirs alone.
fn a_registration_repeated_with_its_key_takes_effect_once(backend: Backend) {
    let t = TestStore::fresh(backend);
    let op = new_operation(t.store.as_ref(), "Once");
    let by = |user: i64| Actor {
        user: Some(UserId(user)),
        ..at()
    };
    let key = RequestKey {
        key: "3f1c6a0e-retry".into(),
        fingerprint: [7; 32],
    };
    let mut references = counter();
    let (first, replayed) = t
        .store
        .register_household_once(op, &household(0, 3), &key, &mut references, &by(1))
        .unwrap();
    assert!(!replayed);
    let (again, replayed) = t
        .store
        .register_household_once(op, &household(0, 3), &key, &mut references, &by(1))
        .unwrap();
    assert!(replayed);
    assert_eq!(again, first);
    let people = |t: &TestStore| {
        t.store
            .stage_counts(op, CountScope::Operation)
            .unwrap()
            .total_people()
    };
    assert_eq!(people(&t), 3);

    let other_request = RequestKey {
        fingerprint: [8; 32],
        ..key.clone()
    };
    let refused = t
        .store
        .register_household_once(
            op,
            &household(10, 2),
            &other_request,
            &mut references,
            &by(1),
        )
        .unwrap_err();
    assert!(
        matches!(refused, StoreError::Conflict(ref m) if m.contains("Idempotency-Key")),
        "{refused}"
    );
    assert_eq!(people(&t), 3, "the refused request stored nothing");

    let (theirs, replayed) = t
        .store
        .register_household_once(op, &household(20, 1), &key, &mut references, &by(2))
        .unwrap();
    assert!(!replayed);
    assert_ne!(theirs.reference, first.reference);
    assert_eq!(people(&t), 4);
}

/// Runs of sign-in failures older than the memory of failures are forgotten as new names are
/// counted: sign-ins under names made up by the thousand leave no table that only grows.
fn old_sign_in_failures_are_forgotten(backend: Backend) {
    let t = TestStore::fresh(backend);
    let s = &*t.store;
    let no_lock = |_: u32| 0;
    let rows = || {
        testing::raw_text(
            &t.url,
            "SELECT CAST(COUNT(*) AS TEXT) FROM sign_in_failures",
        )
    };
    for name in [b"old-1".as_slice(), b"old-2"] {
        let counted = s.reserve_sign_in_attempt(name, Timestamp(1_000), Timestamp(0), &no_lock);
        assert_eq!(counted.unwrap(), Ok(1));
    }
    assert_eq!(rows(), ["2"]);
    // Within the hour, a new name forgets nothing.
    let counted = s.reserve_sign_in_attempt(b"new-1", Timestamp(2_000), Timestamp(0), &no_lock);
    assert_eq!(counted.unwrap(), Ok(1));
    assert_eq!(rows(), ["3"]);
    // Two hours later the old runs count for nothing, and the next new name clears them.
    let later = Timestamp(1_000 + 7_200);
    let forget_before = Timestamp(later.0 - 3_600);
    let counted = s.reserve_sign_in_attempt(b"new-2", later, forget_before, &no_lock);
    assert_eq!(counted.unwrap(), Ok(1));
    assert_eq!(rows(), ["1"]);
}

/// Registers `households` and takes each to assigned in the set-up's first window; their
/// references.
fn assigned(store: &dyn Store, s: &Setup, households: &[NewHousehold]) -> Vec<CaseReference> {
    let refs: Vec<CaseReference> = store
        .register_households(s.op, households, &mut counter(), &at())
        .unwrap()
        .into_iter()
        .map(|r| r.reference)
        .collect();
    let steps = [
        CaseRequest::VerifyDocuments,
        CaseRequest::DecideEligible {
            category: EligibilityCategory::Citizen,
        },
        CaseRequest::Assign {
            window: s.windows[0],
        },
    ];
    for r in &refs {
        for step in &steps {
            store.apply(s.op, r, step, &at()).unwrap();
        }
    }
    refs
}

/// A household is untold of its latest window (its first too, without a phone) until its newest
/// notice is delivered or a call guides it to that window as it stands: on the hotline's
/// worklist at once without a phone, after the grace while its
/// notice is still tried, at once when that fails; an older notice delivered does not tell it,
/// and a household marked no-show meanwhile stays listed.
fn a_household_untold_of_its_window_is_listed_until_told(backend: Backend) {
    use safeconduct_domain::hotline::{CallOutcome, NOTICE_GRACE_SECONDS};
    let t = TestStore::fresh(backend);
    let store = t.store.as_ref();
    let s = setup(store);
    let no_phone = household_of(None, vec![person_with_phone(7, None)]).unwrap();
    let refs = assigned(store, &s, &[household(0, 1), no_phone]);
    let (texted, unreachable) = (&refs[0], &refs[1]);
    let now = at().at.0;
    let listed = |when: i64| -> Vec<(String, WorklistReason)> {
        store
            .hotline_worklist(s.op, Timestamp(when))
            .unwrap()
            .into_iter()
            .map(|w| (w.reference.to_string(), w.reason))
            .collect()
    };
    let untold = |r: &CaseReference| (r.to_string(), WorklistReason::NewWindowUntold);
    let reassign = |r: &CaseReference, w: usize| {
        let to = CaseRequest::Reassign {
            window: s.windows[w],
        };
        store.apply(s.op, r, &to, &at()).unwrap();
    };
    // No message tells the one without a phone of its first window: listed from then on. The
    // texted one hears of it with its pass's link.
    assert_eq!(listed(now), [untold(unreachable)], "a first window");

    // Both given another window, then the texted one back again: two notices to it.
    reassign(texted, 1);
    reassign(unreachable, 1);
    reassign(texted, 0);
    let grace = now + NOTICE_GRACE_SECONDS + 1;
    assert_eq!(listed(now), [untold(unreachable)], "no phone: at once");
    assert_eq!(listed(grace), [untold(texted), untold(unreachable)]);
    let due = store.claim_due_messages(Timestamp(now), 10).unwrap();
    assert_eq!(due.len(), 2, "{due:?}");
    // The older notice, of a window it no longer holds, delivered: still untold.
    store
        .record_delivery(due[0].id, &Delivery::Sent, Timestamp(now))
        .unwrap();
    let refused = Delivery::Refused {
        error: "number unknown".into(),
    };
    store
        .record_delivery(due[1].id, &refused, Timestamp(now))
        .unwrap();
    assert_eq!(
        listed(now),
        [untold(texted), untold(unreachable)],
        "failed: at once"
    );
    // A third notice, delivered: told.
    reassign(texted, 1);
    let due = store.claim_due_messages(Timestamp(now), 10).unwrap();
    store
        .record_delivery(due[0].id, &Delivery::Sent, Timestamp(now))
        .unwrap();
    assert_eq!(listed(grace), [untold(unreachable)]);

    // Its window closed untold, the unreachable one is marked no-show: still to tell.
    let closed = Actor {
        role: Some(Role::Escort),
        ..at()
    };
    store
        .apply(s.op, unreachable, &CaseRequest::MarkNoShow, &closed)
        .unwrap();
    let entries = store.hotline_worklist(s.op, Timestamp(now)).unwrap();
    assert_eq!(entries[0].stage, Stage::NoShow);
    // A call nobody answered keeps it listed, as called; one that guided it to a window it
    // does not hold (the times read out changed during the call) too; one that guided it to
    // the window it holds takes it off.
    let windows = store.windows(s.op).unwrap();
    let told = |w: usize| {
        let window = windows.iter().find(|x| x.id == s.windows[w]).unwrap();
        Some(ToldWindow {
            id: window.id,
            start: window.spec.start,
            end: window.spec.end,
        })
    };
    let call = |outcome: CallOutcome, told_window: Option<ToldWindow>| NewCall {
        outcome,
        notes: None,
        route_message: None,
        told_window,
    };
    let log = |call: NewCall| store.log_call(s.op, unreachable, &call, &at()).unwrap();
    assert!(log(call(CallOutcome::NoAnswer, told(1))).untold);
    let entries = store.hotline_worklist(s.op, Timestamp(now)).unwrap();
    assert_eq!(entries[0].called_at, Some(Timestamp(now)));
    assert!(log(call(CallOutcome::Guided, told(0))).untold);
    assert!(log(call(CallOutcome::Guided, None)).untold);
    let moved = ToldWindow {
        end: Timestamp(told(1).unwrap().end.0 + 60),
        ..told(1).unwrap()
    };
    assert!(log(call(CallOutcome::Guided, Some(moved))).untold);
    assert_eq!(listed(grace), [untold(unreachable)]);
    assert!(!log(call(CallOutcome::Guided, told(1))).untold);
    assert_eq!(listed(grace), []);
}

/// An escort's no-show is taken only once the household's window has closed (seconds before,
/// it is refused and nothing changes); a coordinator's at any time.
fn an_escort_marks_a_no_show_only_after_the_window(backend: Backend) {
    let t = TestStore::fresh(backend);
    let store = t.store.as_ref();
    let s = setup(store);
    let refs = assigned(store, &s, &[household(0, 2), household(2, 1)]);
    let end = store.windows(s.op).unwrap()[0].spec.end;
    let by = |role: Role, when: i64| Actor {
        role: Some(role),
        at: Timestamp(when),
        ..at()
    };
    let early = store.apply(
        s.op,
        &refs[0],
        &CaseRequest::MarkNoShow,
        &by(Role::Escort, end.0 - 30),
    );
    let Err(StoreError::Domain(e)) = early else {
        panic!("an escort's no-show inside the window was taken: {early:?}");
    };
    assert!(e.to_string().contains("closes in 1 minute"), "{e}");
    assert_eq!(
        store.household(s.op, &refs[0]).unwrap().stage,
        Stage::Assigned
    );
    let late = store
        .apply(
            s.op,
            &refs[0],
            &CaseRequest::MarkNoShow,
            &by(Role::Escort, end.0 + 1),
        )
        .unwrap();
    assert_eq!(late.to, Stage::NoShow);
    let sooner = store
        .apply(
            s.op,
            &refs[1],
            &CaseRequest::MarkNoShow,
            &by(Role::Coordinator, 0),
        )
        .unwrap();
    assert_eq!(sooner.to, Stage::NoShow);
    assert_eq!(store.windows(s.op).unwrap()[0].assigned_people, 0);
}

safeconduct_store::on_both_backends!(
    a_household_untold_of_its_window_is_listed_until_told,
    an_escort_marks_a_no_show_only_after_the_window,
    old_sign_in_failures_are_forgotten,
    a_registration_repeated_with_its_key_takes_effect_once,
    data_survives_reopening_and_migrations_run_once,
    events_cannot_be_updated_or_deleted,
    a_failed_registration_stores_nothing_of_the_batch,
    a_colliding_reference_is_drawn_again,
    lookup_by_phone_finds_every_household_sharing_it,
    a_write_through_another_store_is_heard,
);

/// What `feed` has heard so far, without waiting.
fn heard(feed: &mut tokio::sync::broadcast::Receiver<Feed>) -> Vec<Feed> {
    std::iter::from_fn(|| feed.try_recv().ok()).collect()
}

/// What `feed` hears within ten seconds, up to and including the first that `wanted` picks.
fn heard_until(
    feed: &mut tokio::sync::broadcast::Receiver<Feed>,
    wanted: impl Fn(&Feed) -> bool,
    what: &str,
) -> Vec<Feed> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut out = Vec::new();
    while std::time::Instant::now() < deadline {
        out.extend(heard(feed));
        if out.iter().any(&wanted) {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{what} not heard within ten seconds: {out:?}");
}

/// A store over the same database as another (a second server, or the command line beside a
/// running server) hears what the other writes: as the change itself on PostgreSQL, as
/// changes missed, to be read again, on SQLite. Its own writes it hears as changes, never as
/// changes missed.
fn a_write_through_another_store_is_heard(backend: Backend) {
    let t = TestStore::fresh(backend);
    let op = new_operation(t.store.as_ref(), "Two writers");
    let other = testing::open_with_test_key(&t.url).unwrap();
    let mut feed = t.store.subscribe();
    let registered = |f: &Feed| matches!(f, Feed::Change(c) if c.kind == "registered");
    other
        .register_households(op, &[household(0, 2)], &mut counter(), &at())
        .unwrap();
    let expected: &dyn Fn(&Feed) -> bool = match backend {
        Backend::Sqlite => &|f: &Feed| *f == Feed::Missed,
        Backend::Postgres => &registered,
    };
    heard_until(&mut feed, expected, "the other store's registration");
    // The other store's second commit (its audit record) may be seen a look later.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    heard(&mut feed);
    t.store
        .register_households(op, &[household(10, 1)], &mut counter(), &at())
        .unwrap();
    heard_until(&mut feed, registered, "this store's registration");
    // Longer than the file is watched for (every second): nothing missed is announced.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let after = heard(&mut feed);
    assert!(!after.contains(&Feed::Missed), "{after:?}");
}

fn data_survives_reopening_and_migrations_run_once(backend: Backend) {
    let t = TestStore::fresh(backend);
    let op = new_operation(t.store.as_ref(), "Durable");
    let reference = t
        .store
        .register_households(op, &[household(0, 3)], &mut counter(), &at())
        .unwrap()[0]
        .reference
        .clone();
    // A second store over the same database: migrations find nothing to do, data is there.
    let store = safeconduct_store::open(&t.url, safeconduct_store::testing::test_kek()).unwrap();
    let h = store.household(op, &reference).unwrap();
    assert_eq!(h.members.len(), 3);
    assert_eq!(h.members[0].name.native(), Some("کریمی"));
    assert_eq!(
        store
            .stage_counts(op, CountScope::Operation)
            .unwrap()
            .total_people(),
        3
    );
}

/// PostgreSQL only: a server opens no more connections than its URL allows
/// (`connections=N`), and with a single one, changes from many threads, each chained into the
/// audit log after it commits, all go through.
#[test]
fn a_postgres_server_keeps_to_the_connections_its_url_allows() {
    let (url, _guard) = TestStore::empty_url(Backend::Postgres);
    let t = TestStore::over(format!("{url}?connections=1"));
    let op = new_operation(t.store.as_ref(), "Small pool");
    std::thread::scope(|s| {
        for thread in 0..6u64 {
            let store = &t.store;
            s.spawn(move || {
                let mut n = 0u64;
                let mut references = move || {
                    n += 1;
                    CaseReference::from_random((thread << 32 | n).to_be_bytes())
                };
                for i in 0..5 {
                    let first = (thread * 100 + i * 10) as usize;
                    store
                        .register_households(op, &[household(first, 2)], &mut references, &at())
                        .unwrap();
                }
            });
        }
    });
    let counts = t.store.stage_counts(op, CountScope::Operation).unwrap();
    assert_eq!(counts.total_people(), 6 * 5 * 2);
    assert_eq!(t.store.verify_audit().unwrap().first_break, None);
    // The pool's one connection and the listener's.
    let open = safeconduct_store::testing::raw_text(
        &url,
        "SELECT count(*)::text FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'safeconduct'",
    );
    assert_eq!(open, ["2"]);
}

fn events_cannot_be_updated_or_deleted(backend: Backend) {
    let t = TestStore::fresh(backend);
    let op = new_operation(t.store.as_ref(), "Append only");
    t.store
        .register_households(op, &[household(0, 1)], &mut counter(), &at())
        .unwrap();
    let update = t.raw_exec("UPDATE events SET kind = 'forged'").unwrap_err();
    assert!(update.contains("append-only"), "{update}");
    let delete = t.raw_exec("DELETE FROM events").unwrap_err();
    assert!(delete.contains("append-only"), "{delete}");
}

fn a_failed_registration_stores_nothing_of_the_batch(backend: Backend) {
    let t = TestStore::fresh(backend);
    let store = &t.store;
    let op = new_operation(store.as_ref(), "Atomic");
    // A household without members cannot be made, so it never reaches the store.
    let empty = household_of(None, vec![]).unwrap_err();
    assert!(empty.to_string().contains("members"), "{empty}");
    // The second household of a batch fails inside the store, after the first was written:
    // every reference drawn for it is the first one's.
    let taken = CaseReference::from_random([7; 8]);
    let mut source = move || taken.clone();
    let err = store
        .register_households(op, &[household(0, 2), household(2, 3)], &mut source, &at())
        .unwrap_err();
    assert!(err.to_string().contains("already in use"), "{err}");
    assert_eq!(
        store
            .accountability(op, Timestamp(0))
            .unwrap()
            .registered_people,
        0
    );
    assert_eq!(
        store
            .stage_counts(op, CountScope::Operation)
            .unwrap()
            .total_people(),
        0
    );
}

fn a_colliding_reference_is_drawn_again(backend: Backend) {
    let t = TestStore::fresh(backend);
    let store = &t.store;
    let op = new_operation(store.as_ref(), "Collide");
    let fixed = CaseReference::from_random([1; 8]);
    let mut draws = vec![
        CaseReference::from_random([2; 8]),
        fixed.clone(),
        fixed.clone(),
    ];
    let mut source = move || draws.pop().unwrap();
    let got = store
        .register_households(op, &[household(0, 1), household(1, 1)], &mut source, &at())
        .unwrap();
    assert_eq!(got[0].reference, fixed);
    assert_ne!(got[1].reference, fixed);
}

fn lookup_by_phone_finds_every_household_sharing_it(backend: Backend) {
    let t = TestStore::fresh(backend);
    let store = &t.store;
    let op = new_operation(store.as_ref(), "Phones");
    let shared = PhoneNumber::parse("0799 000 111").unwrap();
    let a = household_of(
        None,
        vec![person(0), person_with_phone(1, Some(shared.clone()))],
    )
    .unwrap();
    let b = household_of(Some(shared.clone()), vec![person(10)]).unwrap();
    store
        .register_households(op, &[a, b, household(20, 1)], &mut counter(), &at())
        .unwrap();
    assert_eq!(store.households_by_phone(op, &shared).unwrap().len(), 2);
}

#[derive(Debug, Clone)]
enum Op {
    Step(usize, u8),
    Depart(Vec<usize>),
    Close,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            8 => (0usize..8, 0u8..14).prop_map(|(c, s)| Op::Step(c, s)),
            1 => prop::collection::vec(0usize..8, 1..4).prop_map(Op::Depart),
            1 => Just(Op::Close),
        ],
        1..60,
    )
}

safeconduct_store::on_both_backends!(
    counts_always_add_up_in_the_store,
    passes_are_issued_superseded_and_revoked,
    a_key_rotated_as_compromised_reissues_its_passes_in_the_same_step
);

/// A rotation with re-issue: every household whose stage and window allow a pass gets one
/// under the new key in the rotation's transaction; one marked no-show is named, not re-issued,
/// and nothing stops half-way. A rotation naming a key no longer active changes nothing, and
/// once every window is over, nobody is re-issued.
fn a_key_rotated_as_compromised_reissues_its_passes_in_the_same_step(backend: Backend) {
    let t = TestStore::fresh(backend);
    let store = t.store.as_ref();
    let s = setup(store);
    let refs = assigned(
        store,
        &s,
        &[household(0, 2), household(2, 1), household(3, 1)],
    );
    for r in &refs {
        store.issue_pass(s.op, r, &mut fake_signer, &at()).unwrap();
    }
    // Stopped after its pass: a no-show is issued nothing.
    store
        .apply(s.op, &refs[1], &CaseRequest::MarkNoShow, &at())
        .unwrap();
    let rotate = |next: u8, replacing: Option<u8>, actor: &Actor| {
        store.rotate_pass_key(
            s.op,
            KeyRotation {
                next: &fake_key(next, KeyState::Active),
                compromised: true,
                replacing: replacing.map(|n| [n; 4]),
                reissue: Some(&mut fake_signer),
            },
            actor,
        )
    };
    // The first window is open.
    let open = Actor {
        at: Timestamp(3_600),
        ..at()
    };
    let statuses_before = store.pass_statuses(s.op, at().at).unwrap();
    let refused = rotate(2, Some(7), &open);
    assert!(
        matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("no longer the active key")),
        "{refused:?}"
    );
    assert_eq!(store.pass_statuses(s.op, at().at).unwrap(), statuses_before);
    assert_eq!(store.pass_keys(s.op).unwrap().active().unwrap().kid, [1; 4]);

    let rotation = rotate(2, Some(1), &open).unwrap();
    assert_eq!(rotation.affected, refs);
    let reissued: Vec<&CaseReference> = rotation.reissued.iter().map(|p| &p.reference).collect();
    assert_eq!(reissued, [&refs[0], &refs[2]]);
    assert_eq!(rotation.not_reissued, [(refs[1].clone(), Stage::NoShow)]);
    for (r, state) in refs
        .iter()
        .zip([PassState::Valid, PassState::Revoked, PassState::Valid])
    {
        let latest = store.latest_pass(s.op, r).unwrap().unwrap();
        assert_eq!(latest.state, state, "{r}");
        assert_eq!(latest.kid == [2; 4], state == PassState::Valid, "{r}");
    }

    // Every window over: the valid passes are named, none issued.
    let rotation = rotate(3, Some(2), &at()).unwrap();
    assert!(rotation.reissued.is_empty());
    let stages: Vec<Stage> = rotation.not_reissued.iter().map(|(_, st)| *st).collect();
    assert_eq!(stages, [Stage::PassIssued, Stage::PassIssued]);
}

/// A key as the store sees it: opaque bytes.
fn fake_key(n: u8, state: KeyState) -> StoredIssuerKey {
    StoredIssuerKey {
        kid: [n, n, n, n],
        public_key: [n; 32],
        wrapped_secret: vec![n; 60],
        state,
        created_at: Timestamp(n as i64),
    }
}

/// The store signs nothing: a signer that writes the facts it was given is enough here.
fn fake_signer(f: &PassFacts) -> Result<Vec<u8>> {
    Ok(format!("{}:{}:{:?}", f.reference, f.pass_index, f.holder_document).into_bytes())
}

fn passes_are_issued_superseded_and_revoked(backend: Backend) {
    let t = TestStore::fresh(backend);
    let store = t.store.as_ref();
    let s = setup(store);
    let refs = assigned(store, &s, &[household(0, 2), household(2, 3)]);
    // Keys are made once: a second init keeps the first.
    let keys = store
        .init_pass_keys(s.op, &fake_key(9, KeyState::Active), &[])
        .unwrap();
    assert_eq!(keys.active().unwrap().kid, [1; 4]);

    let (outcome, first) = store
        .issue_pass(s.op, &refs[0], &mut fake_signer, &at())
        .unwrap();
    assert_eq!(outcome.to, Stage::PassIssued);
    // Indices are scattered in the upper half of the status list: not a count of passes.
    let scattered = safeconduct_domain::field::SCATTERED_PASS_INDICES_FROM as i64
        ..safeconduct_domain::field::STATUS_LIST_SIZE as i64;
    assert!(
        scattered.contains(&first.pass_index),
        "{}",
        first.pass_index
    );
    assert_eq!(
        first.signed,
        format!(
            "{}:{}:Some((\"P00000000\", Some(1970)))",
            refs[0], first.pass_index
        )
        .into_bytes()
    );
    // Re-issue: a new index, the old pass superseded.
    let (_, second) = store
        .issue_pass(s.op, &refs[0], &mut fake_signer, &at())
        .unwrap();
    assert!(scattered.contains(&second.pass_index));
    assert_ne!(second.pass_index, first.pass_index);
    assert_eq!(store.latest_pass(s.op, &refs[0]).unwrap().unwrap(), second);
    let (_, other) = store
        .issue_pass(s.op, &refs[1], &mut fake_signer, &at())
        .unwrap();
    // A failing signer leaves nothing behind: no index drawn, no stage moved.
    let mut failing =
        |_: &PassFacts| -> Result<Vec<u8>> { Err(StoreError::Unavailable("no key".into())) };
    assert!(
        store
            .issue_pass(s.op, &refs[1], &mut failing, &at())
            .is_err()
    );
    assert_eq!(store.latest_pass(s.op, &refs[1]).unwrap().unwrap(), other);

    let reason = Text::parse("reason", "phone lost", 100).unwrap();
    assert_eq!(
        store.revoke_pass(s.op, &refs[1], &reason, &at()).unwrap(),
        other.pass_index
    );
    assert!(matches!(
        store.revoke_pass(s.op, &refs[1], &reason, &at()),
        Err(StoreError::NotFound(_))
    ));
    let statuses = store.pass_statuses(s.op, at().at).unwrap();
    assert_eq!(
        (statuses.superseded, statuses.revoked),
        (vec![first.pass_index], vec![other.pass_index])
    );

    // Reassigning supersedes the pass; the case needs a new one.
    store
        .apply(
            s.op,
            &refs[0],
            &CaseRequest::Reassign {
                window: s.windows[1],
            },
            &at(),
        )
        .unwrap();
    assert_eq!(
        store.latest_pass(s.op, &refs[0]).unwrap().unwrap().state,
        PassState::Superseded
    );

    // A compromised key revokes what it signed and names the households to re-issue.
    let (_, again) = store
        .issue_pass(s.op, &refs[0], &mut fake_signer, &at())
        .unwrap();
    let rotation = store
        .rotate_pass_key(
            s.op,
            KeyRotation {
                next: &fake_key(2, KeyState::Active),
                compromised: true,
                replacing: None,
                reissue: None,
            },
            &at(),
        )
        .unwrap();
    assert_eq!(rotation.previous, Some([1; 4]));
    assert_eq!(rotation.affected, vec![refs[0].clone()]);
    assert_eq!(
        store.latest_pass(s.op, &refs[0]).unwrap().unwrap().state,
        PassState::Revoked
    );
    // The list names the compromised key; its passes, refused by their key id, take no bit
    // (so that the bits never add up to every pass the key signed).
    let statuses = store.pass_statuses(s.op, at().at).unwrap();
    assert_eq!(statuses.compromised, vec![[1; 4]]);
    assert_eq!(
        (statuses.revoked, statuses.superseded),
        (vec![], vec![]),
        "{} was revoked with its key",
        again.pass_index
    );
    let (_, reissued) = store
        .issue_pass(s.op, &refs[0], &mut fake_signer, &at())
        .unwrap();
    assert_eq!(reissued.kid, [2; 4]);
    // A pass superseded is marked until two days after it expired: readers (with a clock at
    // most a day off) refuse it by its expiry by then.
    store
        .issue_pass(s.op, &refs[0], &mut fake_signer, &at())
        .unwrap();
    let marked = || store.pass_statuses(s.op, at().at).unwrap().superseded;
    assert_eq!(marked(), vec![reissued.pass_index]);
    let expire = |at: i64| {
        t.raw_exec(&format!(
            "UPDATE passes SET expires_at = {at} WHERE pass_index = {}",
            reissued.pass_index
        ))
        .unwrap()
    };
    let two_days_ago = at().at.0 - 2 * 86_400;
    expire(two_days_ago + 1);
    assert_eq!(marked(), vec![reissued.pass_index]);
    expire(two_days_ago);
    assert_eq!(marked(), Vec::<i64>::new());
    let keys = store.pass_keys(s.op).unwrap();
    let states: Vec<KeyState> = keys.issuers.iter().map(|k| k.state).collect();
    assert_eq!(states, vec![KeyState::Compromised, KeyState::Active]);
}

/// Whatever the requests, the stored counts equal the counts recomputed from the cases, every
/// registered person is in exactly one stage, windows and flights are never over capacity,
/// and window seats equal the people holding them.
fn counts_always_add_up_in_the_store(backend: Backend) {
    let config = ProptestConfig {
        cases: 12,
        ..ProptestConfig::default()
    };
    proptest!(config, |(sizes in prop::collection::vec(1usize..5, 8), script in ops())| {
        let t = TestStore::fresh(backend);
        let store = t.store.as_ref();
        let s = setup(store);
        let mut next = 0;
        let households: Vec<NewHousehold> = sizes.iter().map(|n| { let h = household(next, *n); next += n; h }).collect();
        let refs: Vec<CaseReference> = store.register_households(s.op, &households, &mut counter(), &at()).unwrap()
            .into_iter().map(|r| r.reference).collect();
        let mut batches: Vec<BatchId> = Vec::new();
        for op in script {
            match op {
                Op::Step(c, k) => {
                    let r = &refs[c];
                    let req = match k {
                        0 => CaseRequest::VerifyDocuments,
                        1 => CaseRequest::DecideEligible { category: EligibilityCategory::Citizen },
                        2 => CaseRequest::Assign { window: s.windows[c % 2] },
                        4 => CaseRequest::AdmitAtRv { rv: s.rv, pass: None },
                        5 => CaseRequest::ArriveAtGate { batch: batches.last().copied().unwrap_or(BatchId(1)), people: None },
                        6 => CaseRequest::Process { gate: s.gate },
                        7 => CaseRequest::Manifest { flight: s.flight },
                        8 => CaseRequest::Board { flight: Some(s.flight) },
                        9 => CaseRequest::Withdraw { reason: Text::parse("reason", "stays", 10).unwrap() },
                        10 => CaseRequest::MarkNoShow,
                        11 => CaseRequest::Reassign { window: s.windows[(c + 1) % 2] },
                        12 => CaseRequest::Reject { reason: Text::parse("reason", "no", 10).unwrap() },
                        _ => CaseRequest::DecideEligible { category: EligibilityCategory::AtRisk },
                    };
                    if k == 3 {
                        let _ = store.issue_pass(s.op, r, &mut fake_signer, &at());
                    } else {
                        let _ = store.apply(s.op, r, &req, &at());
                    }
                }
                Op::Depart(cs) => {
                    let households = cs.iter().map(|c| refs[*c].clone()).collect();
                    if let Ok(b) = store.depart_batch(s.op, &BatchDeparture { rv: s.rv, gate: s.gate, households }, &at()) {
                        prop_assert!(b.departed_people > 0);
                        batches.push(b.id);
                    }
                }
                Op::Close => {
                    if let Some(b) = batches.last() {
                        let _ = store.close_batch(s.op, *b, &at());
                    }
                }
            }
        }
        let report = store.accountability(s.op, Timestamp(0)).unwrap();
        prop_assert_eq!(&report.maintained, &report.recomputed);
        prop_assert_eq!(report.recomputed.total_people(), sizes.iter().sum::<usize>() as u64);
        prop_assert_eq!(report.registered_people, sizes.iter().sum::<usize>() as u64);
        let mut seats: HashMap<WindowId, u32> = HashMap::new();
        for r in &refs {
            let h = store.household(s.op, r).unwrap();
            if let Some(w) = h.window
                && h.stage.holds_window_seat() {
                    *seats.entry(w).or_default() += h.members.len() as u32;
                }
        }
        for w in store.windows(s.op).unwrap() {
            prop_assert!(w.assigned_people <= w.spec.capacity);
            prop_assert_eq!(w.assigned_people, seats.get(&w.id).copied().unwrap_or(0));
        }
        for f in store.flights(s.op).unwrap() {
            prop_assert!(f.manifested_people <= f.capacity);
            prop_assert!(f.boarded_people <= f.manifested_people);
        }
        for b in store.batch_balances(s.op).unwrap() {
            prop_assert!(b.arrived_people <= b.departed_people);
        }
    });
}
