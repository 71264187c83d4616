//! A bag of phones goes missing: a coordinator suspends all of them in one call, those that
//! already registered their key and one that never connected, and each suspension is in the
//! audit trail. A wiped scanner reports itself: its own user suspends it, nobody else's.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

fn kit_request(app: &TestApp, device: &common::field::Device) -> Value {
    let text = json!({
        "at": safeconduct_keys::now().0, "device": device.id,
        "format": "safeconduct-kit-request/1", "op": app.op.0
    })
    .to_string();
    json!({"signature": device.key.sign(&text), "request": text})
}

async fn a_coordinator_suspends_lost_devices_at_once_even_before_they_connect(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let first = app.escort_at(places.rv, 1).await;
    let second = app.escort_at(places.rv, 2).await;
    // A third is enrolled but its phone never registered a key.
    let waiting = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/devices",
            json!({"username": "escort", "role": "escort", "rv_ids": [places.rv], "label": "spare"}),
        )
        .await;
    let waiting_id = waiting["device"]["id"].as_i64().unwrap();
    let kit_path = |id: i64| format!("/api/operations/{{op}}/devices/{id}/kit");
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            &kit_path(first.id),
            Some(kit_request(&app, &first)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Only coordinators, and the whole list or nothing.
    let bulk = "/api/operations/{op}/devices/suspend";
    let ids = json!({"device_ids": [first.id, second.id, waiting_id]});
    let (status, _) = app
        .call(Role::Escort, Method::POST, bulk, Some(ids.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            bulk,
            Some(json!({"device_ids": [first.id, 999_999]})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let listed = app
        .get(Role::Coordinator, "/api/operations/{op}/devices")
        .await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] != "suspended"),
        "a refused bulk call suspends none: {listed}"
    );
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            bulk,
            Some(json!({"device_ids": []})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The phones' user is signed in (this server has just checked the session).
    let rvs = "/api/operations/{op}/rvs";
    assert_eq!(
        app.call(Role::Escort, Method::GET, rvs, None).await.0,
        StatusCode::OK
    );
    let before = app.audit_head().await;
    let suspended = app
        .ok(Role::Coordinator, Method::POST, bulk, Some(ids), 200)
        .await;
    // The suspension ended the user's sessions: the very next request is refused.
    let (status, _) = app.call(Role::Escort, Method::GET, rvs, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a stolen phone's session ends at once"
    );
    let states: Vec<&str> = suspended
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["suspended"; 3]);
    let records = app.audit_records(before, "device_suspended").await;
    for id in [first.id, second.id, waiting_id] {
        assert!(
            records.contains(&format!("device/{id}")),
            "device {id} suspended in the audit trail: {records:?}"
        );
    }

    // Their user signs in again: kit requests are refused; the unused code no longer works.
    let escort = sign_in(&app.client, &app.base, "escort").await;
    let (status, answer) = app
        .call_with(
            Some(&escort),
            Method::POST,
            &kit_path(second.id),
            Some(kit_request(&app, &second)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(answer["error"]["code"], "device_suspended", "{answer}");
    let (status, _) = app
        .call_with(
            Some(&escort),
            Method::POST,
            &format!("/api/operations/{{op}}/devices/{waiting_id}/key"),
            Some(json!({"code": waiting["enrolment_code"], "public_key": "ZzSluYoS0kh6Tr7BeKHReMr40HOm4PQVDyj_JJfl4dw"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_wiped_scanner_suspends_its_own_device_and_no_other(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let device = app.escort_at(places.rv, 3).await;
    let retire = format!("/api/operations/{{op}}/devices/{}/retire", device.id);
    // Another field user cannot retire it: not found, as for a device that does not exist.
    let other = app.add_user("escort-b", Role::Escort).await;
    let (status, body) = app
        .call_with(Some(&other), Method::POST, &retire, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (missing, _) = app
        .call_with(
            Some(&other),
            Method::POST,
            "/api/operations/{op}/devices/999999/retire",
            None,
        )
        .await;
    assert_eq!(missing, status);

    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    let retired = app.ok(Role::Escort, Method::POST, &retire, None, 200).await;
    assert_eq!(retired["state"], "suspended");
    let rvs = "/api/operations/{op}/rvs";
    let (status, _) = app.call(Role::Escort, Method::GET, rvs, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the wiped phone's session ended at once"
    );
    let entries = app
        .on_store(move |s| s.audit_entries(before, 100).unwrap())
        .await;
    assert!(
        entries.iter().any(|(_, e)| e.action == "device_wiped"
            && e.record.as_deref() == Some(format!("device/{}", device.id).as_str())),
        "{entries:?}"
    );
    // Signed in again, its user gets no kit for it.
    let escort = sign_in(&app.client, &app.base, "escort").await;
    let (status, _) = app
        .call_with(
            Some(&escort),
            Method::POST,
            &format!("/api/operations/{{op}}/devices/{}/kit", device.id),
            Some(kit_request(&app, &device)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

safeconduct_store::on_both_backends_async!(
    a_coordinator_suspends_lost_devices_at_once_even_before_they_connect,
    a_wiped_scanner_suspends_its_own_device_and_no_other,
);
