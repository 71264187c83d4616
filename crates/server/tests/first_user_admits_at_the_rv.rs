//! An escort's first day: admitting households online at the rendezvous point. The server
//! applies the offline verifier's rule (revoked, superseded, wrong RV, outside the window),
//! refuses with the same outcome codes, and changes nothing when it refuses; a household whose
//! pass is good is admitted and leaves in a batch.

mod common;

use common::{Places, TestApp, case, error_message, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// The escort admits `reference` at `rv`, naming the pass shown when there is one; the status
/// and the body.
async fn admit(
    app: &TestApp,
    reference: &str,
    rv: i64,
    pass_index: Option<i64>,
) -> (StatusCode, Value) {
    let mut body = json!({ "rv_id": rv });
    if let Some(index) = pass_index {
        body["pass_index"] = json!(index);
    }
    app.try_step(Role::Escort, reference, "rv-arrival", Some(body))
        .await
}

/// Asserts a refusal with `code`, and that the case is still waiting with its pass.
async fn refused(app: &TestApp, reference: &str, answer: (StatusCode, Value), code: &str) {
    let (status, body) = answer;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let now = app.get(Role::Coordinator, &case(reference)).await;
    assert_eq!(now["stage"], "pass_issued", "{now}");
}

/// The escort tries to lead `reference` away in a batch to the gate.
async fn try_depart(app: &TestApp, p: &Places, reference: &str) -> (StatusCode, Value) {
    let batch = json!({ "rv_id": p.rv, "gate_id": p.gate, "households": [reference] });
    let path = "/api/operations/{op}/batches";
    app.call(Role::Escort, Method::POST, path, Some(batch))
        .await
}

async fn a_household_with_a_good_pass_is_admitted_and_leaves(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let reference = app.register_with_pass(3, "0700 512 001", p.window).await;
    let pass = app
        .get(Role::Coordinator, &format!("{}/pass", case(&reference)))
        .await;
    let index = pass["pass_index"].as_i64().unwrap();
    let (status, body) = admit(&app, &reference, p.rv, Some(index)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["to"], "admitted_at_rv");
    let (status, body) = try_depart(&app, &p, &reference).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Without the pass index, the household's latest pass is the one checked.
    let other = app.register_with_pass(1, "0700 512 002", p.window).await;
    let (status, body) = admit(&app, &other, p.rv, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_household_whose_pass_was_revoked_is_refused(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let reference = app.register_with_pass(2, "0700 512 003", p.window).await;
    let revoke = json!({ "reason": "the phone holding the pass was taken at a checkpoint" });
    app.post(
        Role::Coordinator,
        &format!("{}/pass/revoke", case(&reference)),
        Some(revoke),
    )
    .await;
    let answer = admit(&app, &reference, p.rv, None).await;
    refused(&app, &reference, answer, "revoked").await;
    let (status, body) = try_depart(&app, &p, &reference).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

async fn a_superseded_pass_is_refused_and_the_current_one_admits(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let reference = app.register_with_pass(2, "0700 512 004", p.window).await;
    let pass_path = format!("{}/pass", case(&reference));
    let old = app.get(Role::Coordinator, &pass_path).await["pass_index"]
        .as_i64()
        .unwrap();
    // Re-issued (a lost phone): the first pass is superseded.
    let reissued = app.post(Role::Coordinator, &pass_path, None).await;
    let current = reissued["pass"]["pass_index"].as_i64().unwrap();
    assert_ne!(old, current);
    let answer = admit(&app, &reference, p.rv, Some(old)).await;
    refused(&app, &reference, answer, "superseded").await;
    // A pass index that is not this household's is refused as such.
    let stranger = app.register_with_pass(1, "0700 512 005", p.window).await;
    let strangers = app
        .get(Role::Coordinator, &format!("{}/pass", case(&stranger)))
        .await["pass_index"]
        .as_i64()
        .unwrap();
    let (status, body) = admit(&app, &reference, p.rv, Some(strangers)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error_message(&body).starts_with("pass_index:"), "{body}");
    let (status, body) = admit(&app, &reference, p.rv, Some(current)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_household_an_hour_and_forty_minutes_early_is_refused(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let now = safeconduct_keys::now().0;
    let (start, end) = (
        time_text(Timestamp(now + 100 * 60)),
        time_text(Timestamp(now + 4 * 3600)),
    );
    let later = app.add_window(p.rv, &start, &end, 20).await;
    let reference = app.register_with_pass(4, "0700 512 006", later).await;
    let answer = admit(&app, &reference, p.rv, None).await;
    let message = error_message(&answer.1).to_string();
    assert!(message.contains("opens in 100 min"), "{message}");
    refused(&app, &reference, answer, "outside_window").await;
    let (status, body) = try_depart(&app, &p, &reference).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

async fn a_household_at_the_wrong_rendezvous_point_is_refused(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    // The escort works at two points; the household's pass is for the first.
    let rv_b = app.propose_rv("RV Bravo").await;
    app.assign("escort", &[p.rv, rv_b], &[]).await;
    app.rv_step(Role::Escort, rv_b, "accept").await;
    app.rv_step(Role::Coordinator, rv_b, "activate").await;
    let reference = app.register_with_pass(2, "0700 512 007", p.window).await;
    let answer = admit(&app, &reference, rv_b, None).await;
    refused(&app, &reference, answer, "wrong_rv").await;
    let (status, body) = admit(&app, &reference, p.rv, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

safeconduct_store::on_both_backends_async!(
    a_household_with_a_good_pass_is_admitted_and_leaves,
    a_household_whose_pass_was_revoked_is_refused,
    a_superseded_pass_is_refused_and_the_current_one_admits,
    a_household_an_hour_and_forty_minutes_early_is_refused,
    a_household_at_the_wrong_rendezvous_point_is_refused,
);
