//! Places changed after they were made: a flight delayed, its time or number put right, its
//! seats added or taken away; a window's places, or its times. Whoever holds a seat on the
//! flight or a place in the window keeps it; a flight with people on it is delayed, never
//! deleted; a window moved in time gives its passes anew and tells its households; a flight
//! or a window of another operation is not found, as one that never was.

mod common;

use common::{TestApp, assert_refused, read_stream_until, spawn_app, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::scan::ScanPlace;
use safeconduct_domain::values::{Text, Timestamp};
use safeconduct_domain::{CaseReference, Role, RvId, Stage};
use safeconduct_pass::Check;
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use safeconduct_store::{Actor, Capacity, NewFlight};
use serde_json::{Value, json};

fn flight_path(id: &Value) -> String {
    format!("/api/operations/{{op}}/flights/{id}")
}

/// The answer for a `what` not found by `id`: the same whether it never was or is another
/// operation's.
fn not_found(what: &str, id: i64) -> Value {
    json!({ "error": { "code": "not_found", "message": format!("{what} {id} not found") } })
}

/// Asserts that `answer` refuses a capacity below the `min` people holding a place, naming
/// the range from them to `max`.
#[track_caller]
fn fewer_refused((status, refused): (StatusCode, Value), min: u32, max: u32) {
    assert_refused(
        status,
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "capacity",
    );
    let range = json!({ "kind": "range", "min": min, "max": max });
    assert_eq!(refused["error"]["expected"], range, "{refused}");
}

/// A window's answer to a change as the list shows the window: without the count of passes
/// the change issued.
fn as_listed(mut changed: Value) -> Value {
    changed.as_object_mut().unwrap().remove("passes_issued");
    changed
}

async fn flights(app: &TestApp) -> Value {
    app.get(Role::Coordinator, "/api/operations/{op}/flights")
        .await
}

async fn a_flight_is_delayed_and_its_manifest_keeps_its_seats(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let reference = app.register(3, "0700 123 456").await;
    app.to_processed(&p, &reference).await;
    // A flight deleted meanwhile takes nobody: it is not found, as one that never was.
    let body = json!({ "number": "RCH870", "departs_at": "2030-08-24T10:00:00Z", "capacity": 9 });
    let deleted = app
        .create(Role::Manifest, "/api/operations/{op}/flights", body)
        .await;
    let deleted_path = flight_path(&deleted["id"]);
    let (status, _) = app
        .call(Role::Manifest, Method::DELETE, &deleted_path, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let onto_deleted = format!("{deleted_path}/manifest");
    let body = json!({ "reference": reference });
    let refused = app
        .call(Role::Manifest, Method::POST, &onto_deleted, Some(body))
        .await;
    let id = deleted["id"].as_i64().unwrap();
    assert_eq!(refused, (StatusCode::NOT_FOUND, not_found("flight", id)));
    app.manifest(p.flight, &reference).await;
    let before = flights(&app).await;
    let path = flight_path(&json!(p.flight));
    let change = |body: Value| app.call(Role::Manifest, Method::PATCH, &path, Some(body));

    // Fewer seats than the three on its manifest: refused, naming the least it may have.
    fewer_refused(change(json!({ "capacity": 2 })).await, 3, 1_000);
    // A departure gone by, and a change of nothing: refused, naming the field.
    let (status, refused) = change(json!({ "departs_at": "2020-01-01T00:00:00Z" })).await;
    assert_refused(
        status,
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "departs_at",
    );
    assert_eq!(refused["error"]["expected"]["kind"], "future", "{refused}");
    let (status, refused) = change(json!({})).await;
    assert_refused(
        status,
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "at least one",
    );
    assert_eq!(refused["error"]["code"], "invalid_body");
    assert_eq!(
        flights(&app).await,
        before,
        "a refused change changes nothing"
    );
    // The capacity it already has: nothing changes, and nothing is written.
    let head = app.audit_head().await;
    let (status, same) = change(json!({ "capacity": 300 })).await;
    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(flights(&app).await, before);
    assert!(app.audit_records(head, "flight_changed").await.is_empty());

    // Delayed by two hours, its seats brought down to the three on it.
    let head = app.audit_head().await;
    let (status, changed) = change(json!({
        "departs_at": "2030-08-24T14:00:00Z",
        "capacity": 3
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["number"], "RCH871");
    assert_eq!(changed["departs_at"], "2030-08-24T14:00:00Z");
    assert_eq!(changed["capacity"], 3);
    assert_eq!(changed["manifested_people"], 3);
    assert_eq!(flights(&app).await[0], changed);
    assert_eq!(app.audit_records(head, "flight_changed").await.len(), 1);

    // Its three passengers are still on it, and board it as before; from then on its number
    // stays the one on their manifest, while its departure may still move.
    let boarded = app.board(&reference, p.flight).await;
    assert_eq!(boarded["to"], "boarded");
    let (status, refused) = change(json!({ "number": "RCH999" })).await;
    assert_refused(status, &refused, StatusCode::CONFLICT, "boarding");
    let (status, delayed) = change(json!({ "departs_at": "2030-08-24T15:00:00Z" })).await;
    assert_eq!(status, StatusCode::OK, "{delayed}");
    assert_eq!(delayed["number"], "RCH871");

    // People are on it: it is not deleted, and stays as it was.
    let (status, refused) = app
        .call(Role::Coordinator, Method::DELETE, &path, None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "flight_has_manifest", "{refused}");
    assert_eq!(flights(&app).await.as_array().unwrap().len(), 1);
}

async fn a_flight_nobody_is_on_is_corrected_or_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let schedule = |number: &str, departs_at: &str| {
        let body = json!({ "number": number, "departs_at": departs_at, "capacity": 120 });
        app.create(Role::Coordinator, "/api/operations/{op}/flights", body)
    };
    let first = schedule("RCH900", "2030-08-26T12:00:00Z").await;
    let second = schedule("RCH900", "2030-08-27T12:00:00Z").await;
    let second_path = flight_path(&second["id"]);

    // Put right onto the first one's number and time: that flight is already scheduled.
    let (status, refused) = app
        .call(
            Role::Coordinator,
            Method::PATCH,
            &second_path,
            Some(json!({ "number": "rch900", "departs_at": "2030-08-26T12:00:00Z" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "flight_already_scheduled");
    // Its own number again, with more seats: not a repeat of itself.
    let (status, changed) = app
        .call(
            Role::Coordinator,
            Method::PATCH,
            &second_path,
            Some(json!({ "number": "RCH900", "capacity": 180 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["capacity"], 180);
    // A number typed wrong is put right.
    let (status, changed) = app
        .call(
            Role::Manifest,
            Method::PATCH,
            &second_path,
            Some(json!({ "number": "RCH901" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["number"], "RCH901");
    assert_eq!(changed["departs_at"], "2030-08-27T12:00:00Z");

    // Nobody is on the first: it is deleted, answered as it was, and gone from the list.
    let head = app.audit_head().await;
    let first_path = flight_path(&first["id"]);
    let (status, deleted) = app
        .call(Role::Coordinator, Method::DELETE, &first_path, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted, first);
    assert_eq!(app.audit_records(head, "flight_cancelled").await.len(), 1);
    let listed = flights(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["number"], "RCH901");
    // Deleted twice: the second finds nothing.
    let (status, gone) = app
        .call(Role::Coordinator, Method::DELETE, &first_path, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{gone}");
    // The newest deleted, and another scheduled: it never takes the deleted one's id (a page
    // still showing the deleted flight must not act on it).
    let (status, _) = app
        .call(Role::Coordinator, Method::DELETE, &second_path, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let third = schedule("RCH902", "2030-08-28T12:00:00Z").await;
    assert_ne!(third["id"], second["id"]);
    assert_ne!(third["id"], first["id"]);
}

/// A flight of another operation is answered as a flight that does not exist, whatever is
/// asked of it, and is left as it was.
async fn another_operations_flight_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (elsewhere, theirs) = app
        .on_store(|s| {
            let op = s.create_operation("Elsewhere", Timestamp(0)).unwrap().id;
            let flight = NewFlight::new(
                Text::parse("number", "XYZ1", 20).unwrap(),
                Timestamp(1_900_000_000),
                Capacity::flight(50).unwrap(),
                Timestamp(0),
            )
            .unwrap();
            let actor = Actor::system(Timestamp(0));
            (op, s.create_flight(op, &flight, &actor).unwrap())
        })
        .await;
    let absent = theirs.id.0 + 1_000;
    for (method, body) in [
        (Method::PATCH, Some(json!({ "capacity": 10 }))),
        (Method::DELETE, None),
    ] {
        // Each answer names the id asked for, and nothing else.
        for id in [theirs.id.0, absent] {
            let path = flight_path(&json!(id));
            let answer = app
                .call(Role::Coordinator, method.clone(), &path, body.clone())
                .await;
            let expected = (StatusCode::NOT_FOUND, not_found("flight", id));
            assert_eq!(answer, expected, "{method} {id}");
        }
    }
    let kept = app.on_store(move |s| s.flights(elsewhere).unwrap()).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].capacity.get(), 50);
}

async fn a_windows_places_change_but_never_below_those_assigned(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 10, 300).await;
    app.register_with_pass(3, "0700 123 456", p.window).await;
    let path = format!("/api/operations/{{op}}/windows/{}", p.window);
    let places = |capacity: i64| {
        app.call(
            Role::Coordinator,
            Method::PATCH,
            &path,
            Some(json!({ "capacity": capacity })),
        )
    };
    // Fewer places than the three assigned: refused, naming the least it may take.
    fewer_refused(places(2).await, 3, 100_000);
    let before = app.windows().await[0].clone();
    assert_eq!(before["capacity"], 10);
    // The places it already has: nothing written.
    let head = app.audit_head().await;
    let (status, same) = places(10).await;
    assert_eq!((status, as_listed(same)), (StatusCode::OK, before.clone()));
    assert!(app.audit_records(head, "window_changed").await.is_empty());

    // Three: full. The next household does not fit; with fifty places it does.
    let head = app.audit_head().await;
    let (status, changed) = places(3).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (
            changed["capacity"].clone(),
            changed["assigned_people"].clone()
        ),
        (json!(3), json!(3))
    );
    assert_eq!(
        (&changed["start"], &changed["end"]),
        (&before["start"], &before["end"]),
        "its times stay"
    );
    assert_eq!(
        app.audit_records(head, "window_changed").await,
        [format!("rv/{}", p.rv)]
    );
    let next = app.register(1, "0700 123 457").await;
    app.to_eligible(&next).await;
    let body = json!({ "window_id": p.window });
    let (status, full) = app
        .try_step(Role::Coordinator, &next, "assign", Some(body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{full}");
    assert_eq!(full["error"]["code"], "window_full");
    let (status, changed) = places(50).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    app.assign_window(&next, p.window).await;
    assert_eq!(app.windows().await[0]["assigned_people"], 4);

    // Another operation's window: not found, as one that never was, and left as it was.
    let (elsewhere, theirs) = app
        .on_store(|s| {
            let op = s.create_operation("Elsewhere", Timestamp(0)).unwrap().id;
            let rv = safeconduct_store::testing::agreed_rv(
                s,
                op,
                "RV Far",
                safeconduct_domain::values::Coordinate::new(60.2, 24.9).unwrap(),
            );
            let spec =
                safeconduct_domain::model::WindowSpec::new(Timestamp(0), Timestamp(3_600), 40)
                    .unwrap();
            let window = s
                .create_window(op, rv, spec, &Actor::system(Timestamp(0)))
                .unwrap();
            (op, window.id.0)
        })
        .await;
    let later = time_text(Timestamp(safeconduct_keys::now().0 + 7_200));
    for id in [theirs, theirs + 1_000] {
        let path = format!("/api/operations/{{op}}/windows/{id}");
        for body in [json!({ "capacity": 5 }), json!({ "end": later })] {
            let answer = app
                .call(Role::Coordinator, Method::PATCH, &path, Some(body))
                .await;
            let expected = (StatusCode::NOT_FOUND, not_found("window", id));
            assert_eq!(answer, expected, "{id}");
        }
    }
    let kept = app.on_store(move |s| s.windows(elsewhere).unwrap()).await;
    assert_eq!(kept[0].spec.capacity.get(), 40);
}

/// The household `reference` as stored: read past the API, whose reads of cases are
/// limited per user, as this test reads many.
async fn stored(app: &TestApp, reference: &str) -> safeconduct_store::Household {
    let (op, reference) = (app.op, CaseReference::parse(reference).unwrap());
    app.on_store(move |s| s.household(op, &reference).unwrap())
        .await
}

/// The index of the pass `reference` holds now.
async fn pass_index(app: &TestApp, reference: &str) -> i64 {
    stored(app, reference).await.pass_index.unwrap()
}

/// The escort admits `reference` at `rv` on the pass `index`; the code of the refusal.
async fn refusal_at_rv(app: &TestApp, reference: &str, rv: i64, index: i64) -> Value {
    let body = json!({ "rv_id": rv, "pass_index": index });
    let (status, refused) = app
        .try_step(Role::Escort, reference, "rv-arrival", Some(body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    refused["error"]["code"].clone()
}

/// A window moved an hour later: each household still to come is told its new times, the one
/// holding a pass is given a new pass for them (the old one, shown at the RV, is refused as
/// superseded; the new one as not open yet), and a household already admitted is left as it
/// is. No change at all, an end before the start and a move into the past are refused and
/// change nothing.
async fn a_window_moved_in_time_gives_its_passes_anew(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 10, 300).await;
    let holder = app.register_with_pass(3, "0700 123 460", p.window).await;
    let waiting = app.register(1, "0700 123 461").await;
    app.to_eligible(&waiting).await;
    app.assign_window(&waiting, p.window).await;
    let admitted = app.register_with_pass(2, "0700 123 462", p.window).await;
    app.admit_at_rv(&admitted, p.rv).await;
    // A pass taken at a checkpoint stays revoked: its household is told, not given another.
    let revoked = app.register_with_pass(1, "0700 123 463", p.window).await;
    let revoked_index = pass_index(&app, &revoked).await;
    let reason = json!({ "reason": "phone taken at a checkpoint" });
    app.step(Role::Coordinator, &revoked, "pass/revoke", Some(reason))
        .await;
    let old = pass_index(&app, &holder).await;
    let path = format!("/api/operations/{{op}}/windows/{}", p.window);
    let change = |body: Value| app.call(Role::Coordinator, Method::PATCH, &path, Some(body));
    let now = safeconduct_keys::now().0;
    let at = |minutes: i64| time_text(Timestamp(now + minutes * 60));
    let before = app.windows().await[0].clone();

    let head = app.audit_head().await;
    let (status, empty) = change(json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{empty}");
    assert_eq!(empty["error"]["code"], "invalid_body", "{empty}");
    let backwards = change(json!({ "start": at(120), "end": at(60) })).await;
    assert_refused(
        backwards.0,
        &backwards.1,
        StatusCode::UNPROCESSABLE_ENTITY,
        "end",
    );
    assert_eq!(
        backwards.1["error"]["expected"]["kind"], "after_start",
        "{}",
        backwards.1
    );
    let past = change(json!({ "start": at(-180), "end": at(-120) })).await;
    assert_refused(past.0, &past.1, StatusCode::UNPROCESSABLE_ENTITY, "end");
    assert_eq!(past.1["error"]["expected"]["kind"], "future", "{}", past.1);
    assert_eq!(app.windows().await[0], before);
    assert_eq!(pass_index(&app, &holder).await, old);
    assert!(app.audit_records(head, "window_changed").await.is_empty());

    let (status, moved) = change(json!({ "start": at(60), "end": at(180) })).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (&moved["start"], &moved["end"], &moved["passes_issued"]),
        (&json!(at(60)), &json!(at(180)), &json!(1)),
    );
    assert_eq!(
        (&moved["capacity"], &moved["assigned_people"]),
        (&json!(10), &json!(7))
    );
    assert_eq!(
        app.audit_records(head, "window_changed").await,
        [format!("rv/{}", p.rv)]
    );
    let new = pass_index(&app, &holder).await;
    assert_ne!(new, old);
    assert_eq!(refusal_at_rv(&app, &holder, p.rv, old).await, "superseded");
    // The new pass carries the new times, as an escort's kit reads them offline.
    let device = app.enrol(Role::Escort, ScanPlace::Rv(RvId(p.rv)), 70).await;
    let kit = app.device_kit(&device).await;
    let pass = app
        .get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{holder}/pass"),
        )
        .await;
    let check = Check {
        now: now as u64,
        ..Check::default()
    };
    let read = kit
        .verifier()
        .unwrap()
        .verify_text(pass["text"].as_str().unwrap(), &check);
    let carried = read
        .checkpoint
        .expect("an escort's kit reads the checkpoint tier");
    assert_eq!(
        (carried.window_start, carried.window_end),
        ((now + 3_600) as u64, (now + 10_800) as u64)
    );
    assert_eq!(
        refusal_at_rv(&app, &holder, p.rv, new).await,
        "outside_window"
    );
    let told = |kinds: Vec<String>| kinds.iter().filter(|k| *k == "new_window").count();
    assert_eq!(told(app.message_kinds(&holder).await), 1);
    assert_eq!(told(app.message_kinds(&waiting).await), 1);
    assert_eq!(told(app.message_kinds(&admitted).await), 0);
    assert_eq!(told(app.message_kinds(&revoked).await), 1);
    assert_eq!(pass_index(&app, &revoked).await, revoked_index);
    assert_eq!(
        refusal_at_rv(&app, &revoked, p.rv, revoked_index).await,
        "revoked"
    );
    for (reference, stage) in [
        (&holder, Stage::PassIssued),
        (&waiting, Stage::Assigned),
        (&admitted, Stage::AdmittedAtRv),
    ] {
        assert_eq!(stored(&app, reference).await.stage, stage, "{reference}");
    }

    // Moved back to now: the new pass admits its household.
    let (status, back) = change(json!({ "start": at(-30), "end": at(90) })).await;
    assert_eq!(
        (status, &back["passes_issued"]),
        (StatusCode::OK, &json!(1)),
        "{back}"
    );
    let body = json!({ "rv_id": p.rv, "pass_index": pass_index(&app, &holder).await });
    let (status, admitted_now) = app
        .try_step(Role::Escort, &holder, "rv-arrival", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{admitted_now}");

    // An escort moves no window.
    let (status, _) = app
        .call(
            Role::Escort,
            Method::PATCH,
            &path,
            Some(json!({ "end": at(240) })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A manifest officer's page hears of flights and their loads, changed at another desk, and
/// of nothing else: not the steps before, nor where a passenger came from.
async fn a_manifest_officer_hears_of_flights_only(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let mut stream = app
        .client
        .get(app.url("/api/operations/{op}/live"))
        .bearer_auth(app.token(Role::Manifest))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let reference = app.register(2, "0700 000 041").await;
    app.to_processed(&p, &reference).await;
    app.manifest(p.flight, &reference).await;
    let mut seen = read_stream_until(&mut stream, "manifested", "the manifest step").await;
    let path = flight_path(&json!(p.flight));
    let body = json!({ "capacity": 250 });
    let (status, _) = app
        .call(Role::Coordinator, Method::PATCH, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::OK);
    seen += &read_stream_until(&mut stream, "flight_changed", "the flight's change").await;
    for unheard in ["registered", "admit_at_rv", "depart_in_escort", "processed"] {
        assert!(!seen.contains(unheard), "{unheard}: {seen}");
    }
    for place in [
        format!("\"rv_id\":{}", p.rv),
        format!("\"gate_id\":{}", p.gate),
    ] {
        assert!(!seen.contains(&place), "{place}: {seen}");
    }
    assert!(!seen.contains(&reference), "{seen}");
}

safeconduct_store::on_both_backends_async!(
    a_flight_is_delayed_and_its_manifest_keeps_its_seats,
    a_flight_nobody_is_on_is_corrected_or_deleted,
    another_operations_flight_is_not_found,
    a_windows_places_change_but_never_below_those_assigned,
    a_window_moved_in_time_gives_its_passes_anew,
    a_manifest_officer_hears_of_flights_only,
);
