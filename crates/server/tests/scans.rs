//! Field scan sync: durable, harmless to re-send, double admissions reported.

mod common;

use common::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

fn batch(device: &str, from: u64, passes: &[i64], outcome: &str) -> Value {
    let scans: Vec<Value> = passes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "seq": from + i as u64, "pass_index": p, "rv_id": 1, "outcome": outcome,
                "scanned_at": "2026-08-24T06:30:00Z"
            })
        })
        .collect();
    json!({ "device": device, "scans": scans })
}

/// RV 1, where the escort is assigned, with `passes` households holding passes 1 to `passes`.
async fn rv_with_passes(app: &TestApp, passes: usize) {
    let places = app.places(20, 20).await;
    assert_eq!(places.rv, 1);
    for i in 0..passes {
        app.register_with_pass(1, &format!("0700 700 {i:03}"), places.window)
            .await;
    }
}

/// An escort's scanner sends `scans`, answered 200.
async fn sync(app: &TestApp, scans: Value) -> Value {
    app.post(Role::Escort, "/api/operations/{op}/scans", Some(scans))
        .await
}

async fn re_sending_a_sync_is_harmless_and_double_admissions_are_reported(backend: Backend) {
    let app = spawn_app(backend).await;
    rv_with_passes(&app, 4).await;
    let first = sync(&app, batch("scanner-a", 0, &[1, 2, 3], "admitted")).await;
    assert_eq!(first["received"], 3);
    assert_eq!(first["already_had"], 0);
    assert_eq!(first["double_admissions"], json!([]));

    // The same sync again, as a phone on a bad network would send it.
    let again = sync(&app, batch("scanner-a", 0, &[1, 2, 3], "admitted")).await;
    assert_eq!(again["received"], 0);
    assert_eq!(again["already_had"], 3);

    // Another escort's scanner at the same point, offline at the same time, admitted pass 2
    // too.
    let other = sync(&app, batch("scanner-b", 0, &[2, 4], "admitted")).await;
    assert_eq!(other["received"], 2);
    assert_eq!(
        other["double_admissions"],
        json!([{"pass_index": 2, "devices": ["scanner-a", "scanner-b"]}])
    );

    // Refusals are logged but are no admission.
    let refused = sync(&app, batch("scanner-c", 0, &[1], "refused")).await;
    assert_eq!(refused["double_admissions"], json!([]));
}

async fn bad_scan_syncs_are_refused_whole(backend: Backend) {
    let app = spawn_app(backend).await;
    rv_with_passes(&app, 1).await;
    for (body, field) in [
        (
            json!({"device": "", "scans": [{"seq": 0, "pass_index": 1, "rv_id": 1, "outcome": "admitted", "scanned_at": "2026-08-24T06:30:00Z"}]}),
            "device",
        ),
        (json!({"device": "a", "scans": []}), "scans"),
        (
            json!({"device": "a", "scans": [{"seq": -1, "pass_index": 1, "rv_id": 1, "outcome": "admitted", "scanned_at": "2026-08-24T06:30:00Z"}]}),
            "seq",
        ),
        (
            json!({"device": "a", "scans": [{"seq": 0, "pass_index": 1, "rv_id": 1, "outcome": "waved through", "scanned_at": "2026-08-24T06:30:00Z"}]}),
            "outcome",
        ),
        (
            json!({"device": "a", "scans": [
            {"seq": 0, "pass_index": 1, "rv_id": 1, "outcome": "admitted", "scanned_at": "2026-08-24T06:30:00Z"},
            {"seq": 1, "pass_index": 1, "rv_id": 1, "outcome": "admitted", "scanned_at": "yesterday"}]}),
            "scanned_at",
        ),
    ] {
        let (status, value) = app
            .call(
                Role::Escort,
                Method::POST,
                "/api/operations/{op}/scans",
                Some(body.clone()),
            )
            .await;
        assert!(status.is_client_error(), "{body}: {status} {value}");
        assert!(
            value["error"]["message"].as_str().unwrap().contains(field),
            "{body}: {value}"
        );
    }
    // Nothing of the refused syncs was stored: the first scan of the last one is still new.
    let ok = sync(&app, batch("a", 0, &[1], "admitted")).await;
    assert_eq!(ok["received"], 1);
    let (status, _) = app
        .call(
            Role::Hotline,
            Method::POST,
            "/api/operations/{op}/scans",
            Some(batch("a", 5, &[1], "admitted")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

safeconduct_store::on_both_backends_async!(
    re_sending_a_sync_is_harmless_and_double_admissions_are_reported,
    bad_scan_syncs_are_refused_whole,
);
