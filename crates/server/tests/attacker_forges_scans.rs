//! An escort tries to forge scans: under another escort's device id (so that the real
//! device's records would be dropped as already had), without naming a place (to skip the
//! scope check), with absurd sequence numbers, pass indexes and times; and reads the answers
//! for devices and places that are not theirs. Every attack is refused or comes to nothing.

mod common;

use common::{TestApp, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

const SCANS: &str = "/api/operations/{op}/scans";

/// RV A, where the test escort works and passes 1 to 3 were issued; RV B, where another
/// escort (the intruder) works.
struct Field {
    app: TestApp,
    rv_a: i64,
    rv_b: i64,
    intruder: String,
}

async fn two_rendezvous_points(backend: Backend) -> Field {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    for i in 0..3 {
        app.register_with_pass(1, &format!("0700 310 {i:03}"), p.window)
            .await;
    }
    let rv_b = app.propose_rv("RV Bravo").await;
    let intruder = app.add_user("escort2", Role::Escort).await;
    app.assign("escort2", &[rv_b], &[]).await;
    Field {
        app,
        rv_a: p.rv,
        rv_b,
        intruder,
    }
}

fn scan(seq: u64, pass_index: i64, rv: i64) -> Value {
    json!({
        "seq": seq, "pass_index": pass_index, "rv_id": rv, "outcome": "admitted",
        "scanned_at": "2026-08-24T06:30:00Z"
    })
}

fn sync_of(device: &str, scans: Vec<Value>) -> Value {
    json!({ "device": device, "scans": scans })
}

impl Field {
    /// The test escort syncs, answered 200.
    async fn escort_syncs(&self, body: Value) -> Value {
        self.app.post(Role::Escort, SCANS, Some(body)).await
    }

    /// The intruder syncs; the status and the body.
    async fn intruder_syncs(&self, body: Value) -> (StatusCode, Value) {
        let token = self.intruder.clone();
        self.app
            .call_with(Some(&token), Method::POST, SCANS, Some(body))
            .await
    }
}

async fn another_escorts_device_id_never_shadows_the_real_devices_scans(backend: Backend) {
    let f = two_rendezvous_points(backend).await;
    // The intruder uploads first, under the real scanner's id and sequence numbers.
    let forged = (0..3).map(|i| scan(i, i as i64 + 1, f.rv_b)).collect();
    let (status, answer) = f.intruder_syncs(sync_of("scanner-a", forged)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["received"], 3);

    // The real scanner's records are all stored, none taken for already had.
    let real = (0..3)
        .map(|i| scan(i, i as i64 + 1, f.rv_a))
        .collect::<Vec<_>>();
    let answer = f.escort_syncs(sync_of("scanner-a", real.clone())).await;
    assert_eq!(answer["received"], 3, "{answer}");
    assert_eq!(answer["already_had"], 0, "{answer}");
    // The intruder's admissions at RV B are not named to the escort at RV A.
    assert_eq!(answer["double_admissions"], json!([]), "{answer}");

    // Re-sending stays harmless for each of them, in their own numbering.
    let again = f.escort_syncs(sync_of("scanner-a", real)).await;
    assert_eq!(
        (again["received"].clone(), again["already_had"].clone()),
        (json!(0), json!(3))
    );
    let forged = (0..3).map(|i| scan(i, i as i64 + 1, f.rv_b)).collect();
    let (_, again) = f.intruder_syncs(sync_of("scanner-a", forged)).await;
    assert_eq!(
        (again["received"].clone(), again["already_had"].clone()),
        (json!(0), json!(3))
    );
}

async fn a_sync_answer_names_no_device_outside_the_callers_places(backend: Backend) {
    let f = two_rendezvous_points(backend).await;
    let (status, answer) = f
        .intruder_syncs(sync_of("kiosk-b", vec![scan(0, 1, f.rv_b)]))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // The escort at RV A admits the same pass: nothing about RV B's device comes back.
    let answer = f
        .escort_syncs(sync_of("scanner-a", vec![scan(0, 1, f.rv_a)]))
        .await;
    assert_eq!(answer["double_admissions"], json!([]), "{answer}");
    assert!(!answer.to_string().contains("kiosk-b"), "{answer}");
    // A second scanner at RV A admitting it too is a double admission, named with RV A's
    // devices only.
    let answer = f
        .escort_syncs(sync_of("scanner-c", vec![scan(0, 1, f.rv_a)]))
        .await;
    assert_eq!(
        answer["double_admissions"],
        json!([{"pass_index": 1, "devices": ["scanner-a", "scanner-c"]}])
    );
    // And the intruder, syncing again at RV B, hears nothing of RV A's scanners.
    let (_, answer) = f
        .intruder_syncs(sync_of("kiosk-b", vec![scan(1, 1, f.rv_b)]))
        .await;
    assert_eq!(answer["double_admissions"], json!([]), "{answer}");
}

async fn a_scan_that_names_no_place_is_refused(backend: Backend) {
    let f = two_rendezvous_points(backend).await;
    let mut placeless = scan(0, 1, f.rv_a);
    placeless.as_object_mut().unwrap().remove("rv_id");
    let (status, answer) = f
        .app
        .call(
            Role::Escort,
            Method::POST,
            SCANS,
            Some(sync_of("scanner-a", vec![placeless])),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("rv_id:"),
        "{answer}"
    );
    // Nothing was stored: the same sequence number with its place is new.
    let answer = f
        .escort_syncs(sync_of("scanner-a", vec![scan(0, 1, f.rv_a)]))
        .await;
    assert_eq!(answer["received"], 1, "{answer}");
}

async fn scans_out_of_range_are_refused_and_change_nothing(backend: Backend) {
    let f = two_rendezvous_points(backend).await;
    let with = |key: &str, value: Value| {
        let mut s = scan(0, 1, f.rv_a);
        s[key] = value;
        s
    };
    for (bad, field) in [
        (with("seq", json!(i64::MAX)), "seq"),
        (with("seq", json!(1u64 << 53)), "seq"),
        (with("pass_index", json!(-5)), "pass_index"),
        (with("pass_index", json!(1024)), "pass_index"),
        (
            with("scanned_at", json!("0001-01-01T00:00:00Z")),
            "scanned_at",
        ),
        (
            with("scanned_at", json!("9999-12-31T23:59:59Z")),
            "scanned_at",
        ),
    ] {
        // A good scan first: the sync is refused whole.
        let body = sync_of("scanner-a", vec![scan(1, 1, f.rv_a), bad.clone()]);
        let (status, answer) = f
            .app
            .call(Role::Escort, Method::POST, SCANS, Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_input", "{bad}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}:")), "{bad}: {answer}");
        // The refusal tells neither how many passes were issued nor when the operation began.
        assert!(
            !message.contains(" 4,") && !message.contains(" 4 ") && !message.contains("20"),
            "{bad}: {answer}"
        );
    }
    // Nothing of the refused syncs was stored; the largest sequence number is accepted.
    let edge = vec![scan(1, 1, f.rv_a), scan((1 << 53) - 1, 3, f.rv_a)];
    let answer = f.escort_syncs(sync_of("scanner-a", edge)).await;
    assert_eq!(answer["received"], 2, "{answer}");
}

safeconduct_store::on_both_backends_async!(
    another_escorts_device_id_never_shadows_the_real_devices_scans,
    a_sync_answer_names_no_device_outside_the_callers_places,
    a_scan_that_names_no_place_is_refused,
    scans_out_of_range_are_refused_and_change_nothing,
);
