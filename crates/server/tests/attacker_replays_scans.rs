//! Uploads the field protocol must refuse whole, leaving the store as it was: a sync larger
//! than the body limit, records from a device suspended after its loss, and a device's exact
//! signed records replayed to another device's endpoint.

mod common;

use common::TestApp;
use common::field::{Device, sync_body};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::scan::ScanAct;
use safeconduct_store::testing::Backend;

/// The limit on a sync's body (`api::scans::MAX_SYNC_BODY_BYTES`, 1 MiB).
const MAX_SYNC_BODY_BYTES: usize = 1024 * 1024;

fn now() -> i64 {
    safeconduct_keys::now().0
}

async fn nothing_stored_for(app: &TestApp, device: &Device) {
    let d = app.listed_device(device.id).await;
    assert_eq!(d["applied_seq"], -1, "{d}");
    assert!(d["last_sync_at"].is_null(), "{d}");
}

async fn a_sync_over_the_body_limit_is_refused_413_and_stores_nothing(backend: Backend) {
    let (app, p) = common::spawn_app_with_places(backend, 20, 20).await;
    let (reference, pass) = app.pass_holder(1, "0700 320 001", p.window).await;
    let mut device = app.escort_at(p.rv, 31).await;
    let admit = ScanAct::Admit {
        pass_index: pass,
        batch: None,
    };
    let mut records = vec![device.record(app.op.0, admit, now())];
    // Well-formed refusals, signed, padded with a long code until the body passes the limit.
    let code = "x".repeat(4096);
    while serde_json::to_vec(&sync_body(&records, now()))
        .unwrap()
        .len()
        <= MAX_SYNC_BODY_BYTES
    {
        let refuse = ScanAct::Refuse {
            pass_index: None,
            code: code.clone(),
        };
        records.push(device.record(app.op.0, refuse, now()));
    }
    let (status, body) = app.sync(&device, &records).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    nothing_stored_for(&app, &device).await;
    assert_eq!(app.stage(&reference).await, "pass_issued");
}

async fn a_suspended_device_s_records_are_refused_and_change_nothing(backend: Backend) {
    let (app, p) = common::spawn_app_with_places(backend, 20, 20).await;
    let first = app.register_with_pass(1, "0700 320 002", p.window).await;
    let second = app.register_with_pass(2, "0700 320 003", p.window).await;
    let mut device = app.escort_at(p.rv, 32).await;
    let admit = |pass_index| ScanAct::Admit {
        pass_index,
        batch: None,
    };
    let pass = app.pass_index(&first).await;
    let before = device.record(app.op.0, admit(pass), now());
    assert_eq!(app.sync_ok(&device, &[before]).await["applied_seq"], 0);
    app.ok(
        Role::Coordinator,
        Method::POST,
        &format!("/api/operations/{{op}}/devices/{}/suspend", device.id),
        None,
        200,
    )
    .await;
    // Records the device made before or after the loss, correctly signed, are refused: the
    // suspension ended its user's session, and signed in again they are refused as the
    // suspended device's.
    let pass = app.pass_index(&second).await;
    let after = device.record(app.op.0, admit(pass), now());
    let (status, _) = app.sync(&device, std::slice::from_ref(&after)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let again = common::sign_in(&app.client, &app.base, "escort").await;
    let body = sync_body(&[after], now());
    let (status, body) = app
        .call_with(Some(&again), Method::POST, &device.scans_path(), Some(body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("suspended"), "{body}");
    assert_eq!(app.stage(&second).await, "pass_issued");
    let d = app.listed_device(device.id).await;
    assert_eq!(d["applied_seq"], 0, "{d}");
    assert_eq!(d["state"], "suspended", "{d}");
}

async fn a_device_s_records_replayed_to_another_device_are_refused(backend: Backend) {
    let (app, p) = common::spawn_app_with_places(backend, 20, 20).await;
    let (reference, pass) = app.pass_holder(1, "0700 320 004", p.window).await;
    let mut a = app.escort_at(p.rv, 33).await;
    let b = app.escort_at(p.rv, 34).await;
    let admit = ScanAct::Admit {
        pass_index: pass,
        batch: None,
    };
    let record = a.record(app.op.0, admit, now());
    // The copy reaches B's endpoint first, from B's own user: refused, nothing stored.
    let (status, body) = app.sync(&b, std::slice::from_ref(&record)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    nothing_stored_for(&app, &b).await;
    nothing_stored_for(&app, &a).await;
    assert_eq!(app.stage(&reference).await, "pass_issued");
    // The record still counts, once, when A sends it.
    let answer = app.sync_ok(&a, std::slice::from_ref(&record)).await;
    assert_eq!(answer["received"], 1);
    assert_eq!(app.stage(&reference).await, "admitted_at_rv");
    // Replayed to B after A's sync: still refused, and A's record is not taken twice.
    let (status, _) = app.sync(&b, &[record]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    nothing_stored_for(&app, &b).await;
    assert!(app.open_incidents().await.is_empty());
}

safeconduct_store::on_both_backends_async!(
    a_sync_over_the_body_limit_is_refused_413_and_stores_nothing,
    a_suspended_device_s_records_are_refused_and_change_nothing,
    a_device_s_records_replayed_to_another_device_are_refused,
);
