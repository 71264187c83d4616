//! A flight changed after it was scheduled: delayed, its time or number put right, seats added
//! or taken away. The people on its manifest keep their seats; a flight with people on it is
//! delayed, never deleted; a flight of another operation is not found, as one that never was.

mod common;

use common::{TestApp, assert_refused, spawn_app, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::values::{Text, Timestamp};
use safeconduct_store::testing::Backend;
use safeconduct_store::{Actor, Capacity, NewFlight};
use serde_json::{Value, json};

fn flight_path(id: &Value) -> String {
    format!("/api/operations/{{op}}/flights/{id}")
}

async fn flights(app: &TestApp) -> Value {
    app.get(Role::Coordinator, "/api/operations/{op}/flights")
        .await
}

async fn a_flight_is_delayed_and_its_manifest_keeps_its_seats(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let reference = app.register(3, "0700 123 456").await;
    app.to_processed(&p, &reference).await;
    app.manifest(p.flight, &reference).await;
    let before = flights(&app).await;
    let path = flight_path(&json!(p.flight));
    let change = |body: Value| app.call(Role::Manifest, Method::PATCH, &path, Some(body));

    // Fewer seats than the three on its manifest: refused, naming the least it may have.
    let (status, refused) = change(json!({ "capacity": 2 })).await;
    assert_refused(
        status,
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "capacity",
    );
    assert_eq!(
        refused["error"]["expected"],
        json!({ "kind": "range", "min": 3, "max": 1000 }),
        "{refused}"
    );
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
        "departs_at",
    );
    assert_eq!(
        flights(&app).await,
        before,
        "a refused change changes nothing"
    );

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

    // Its three passengers are still on it, and board it as before.
    let boarded = app.board(&reference, p.flight).await;
    assert_eq!(boarded["to"], "boarded");

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
        // Each answer with the id asked for written as {id}: nothing else may differ.
        let mut answers = Vec::new();
        for id in [theirs.id.0, absent] {
            let (status, answer) = app
                .call(
                    Role::Coordinator,
                    method.clone(),
                    &flight_path(&json!(id)),
                    body.clone(),
                )
                .await;
            answers.push((status, answer.to_string().replace(&id.to_string(), "{id}")));
        }
        assert_eq!(answers[0].0, StatusCode::NOT_FOUND, "{}", answers[0].1);
        assert_eq!(answers[0], answers[1], "{method}");
    }
    let kept = app.on_store(move |s| s.flights(elsewhere).unwrap()).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].capacity.get(), 50);
}

safeconduct_store::on_both_backends_async!(
    a_flight_is_delayed_and_its_manifest_keeps_its_seats,
    a_flight_nobody_is_on_is_corrected_or_deleted,
    another_operations_flight_is_not_found,
);
