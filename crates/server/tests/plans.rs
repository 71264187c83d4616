//! Plans through the API on both backends: a preview computed from the operation's state,
//! read back, accepted (assignment steps and passes in one transaction), a stale preview
//! refused, a re-plan after an RV is suspended moving only that RV's households, a pin
//! released, and bad input.

mod common;

use common::{TestApp, case};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

const PLANS: &str = "/api/operations/{op}/plans";

/// A window at `rv` open now (as the test places' window) for `capacity` people.
async fn window_now(app: &TestApp, rv: i64, capacity: u32) -> i64 {
    let now = safeconduct_keys::now().0;
    let (start, end) = (
        time_text(Timestamp(now - 1800)),
        time_text(Timestamp(now + 5400)),
    );
    app.add_window(rv, &start, &end, capacity).await
}

/// A second active RV with its own open gate; its id.
async fn second_rv(app: &TestApp, first: i64) -> i64 {
    let rv = app.propose_rv("RV Bravo").await;
    app.assign("escort", &[first, rv], &[]).await;
    app.rv_step(Role::Escort, rv, "accept").await;
    app.rv_step(Role::Coordinator, rv, "activate").await;
    let gate = json!({
        "name": "Gate 9", "location": { "lat": 60.168, "lon": 24.95 },
        "kind": "discreet", "hourly_throughput": 400, "rv_ids": [rv]
    });
    app.create(Role::Coordinator, "/api/operations/{op}/gates", gate)
        .await;
    rv
}

async fn household(app: &TestApp, reference: &str) -> Value {
    app.get(Role::Coordinator, &case(reference)).await
}

async fn eligible(app: &TestApp, size: usize, phone: &str) -> String {
    let reference = app.register(size, phone).await;
    app.to_eligible(&reference).await;
    reference
}

async fn preview(app: &TestApp, path: &str) -> Value {
    app.ok(Role::Coordinator, Method::POST, path, None, 201)
        .await
}

async fn accept(app: &TestApp, plan: &Value) -> (StatusCode, Value) {
    let path = format!("{PLANS}/{}/accept", plan["id"]);
    app.call(Role::Coordinator, Method::POST, &path, None).await
}

async fn a_plan_is_previewed_accepted_and_repaired_after_an_rv_is_suspended(backend: Backend) {
    // The test reads each case several times, more than the default lookup limit allows.
    let limits = safeconduct_server::limits::Limits {
        lookups_per_minute: 60_000,
        ..Default::default()
    };
    let app = common::spawn_app_with(backend, limits).await;
    let p = app.places(8, 50).await;
    let bravo = second_rv(&app, p.rv).await;
    let bravo_window = window_now(&app, bravo, 6).await;
    // A household assigned by hand holds 2 of the first window's 8 seats: plans keep it.
    let manual = eligible(&app, 2, "0700 200 000").await;
    app.step(
        Role::Coordinator,
        &manual,
        "assign",
        Some(json!({"window_id": p.window})),
    )
    .await;
    let mut planned = Vec::new();
    for i in 0..4 {
        planned.push(eligible(&app, 3, &format!("0700 200 00{}", i + 1)).await);
    }

    // A preview, then a change of state: accepting the preview is refused as stale.
    let stale = preview(&app, PLANS).await;
    assert_eq!(stale["moves"].as_array().unwrap().len(), 4, "{stale}");
    let late = eligible(&app, 1, "0700 200 009").await;
    let (status, body) = accept(&app, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("stale"),
        "{body}"
    );
    assert_eq!(household(&app, &planned[0]).await["stage"], "eligible");

    // A fresh preview: 12 people fit the 6 + 6 seats left, the late household does not.
    let plan = preview(&app, PLANS).await;
    assert_eq!(plan["kind"], "plan");
    assert_eq!(plan["people_placed"]["medical"], 14, "{plan}");
    assert_eq!(plan["people_unplaced"]["medical"], 1, "{plan}");
    let unplaced = &plan["unplaced"][0];
    assert_eq!(unplaced["reference"], late.as_str());
    assert_eq!(unplaced["reason"], "allowed_windows_full");
    assert!(plan["bound"].as_f64().unwrap() >= plan["value"].as_f64().unwrap());
    let read = app
        .get(Role::Coordinator, &format!("{PLANS}/{}", plan["id"]))
        .await;
    assert_eq!(read["moves"], plan["moves"]);
    assert_eq!(read["accepted_at"], Value::Null);

    let (status, accepted) = accept(&app, &plan).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["moved"].as_array().unwrap().len(), 4);
    assert_eq!(accepted["needs_notice"].as_array().unwrap().len(), 4);
    let mut at_bravo = Vec::new();
    for r in &planned {
        let h = household(&app, r).await;
        assert_eq!(h["stage"], "pass_issued", "{h}");
        if h["window_id"] == bravo_window {
            at_bravo.push(r.clone());
        }
    }
    assert_eq!(
        at_bravo.len(),
        2,
        "the second RV's 6 seats take two households of 3"
    );
    assert_eq!(household(&app, &manual).await["window_id"], p.window);
    let (status, _) = accept(&app, &plan).await;
    assert_eq!(status, StatusCode::CONFLICT, "a plan is accepted once");

    // RV Bravo is suspended and a new window opens at the first RV: only Bravo's households
    // move, their passes superseded and issued anew.
    let passes_before: Vec<Value> = {
        let mut v = Vec::new();
        for r in &planned {
            v.push(
                app.get(Role::Coordinator, &format!("{}/pass", case(r)))
                    .await["pass_index"]
                    .clone(),
            );
        }
        v
    };
    let spare = window_now(&app, p.rv, 10).await;
    app.rv_step(Role::Coordinator, bravo, "suspend").await;
    let replan = preview(&app, &format!("{PLANS}/replan")).await;
    assert_eq!(replan["kind"], "replan");
    assert_eq!(replan["moved"], 2, "{replan}");
    let moved: Vec<&str> = replan["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reference"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = at_bravo.iter().map(String::as_str).collect();
    let mut got = moved.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    let (status, accepted) = accept(&app, &replan).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    for m in accepted["moved"].as_array().unwrap() {
        assert_eq!(m["step"]["from"], "pass_issued");
        assert_eq!(m["window_id"], spare);
    }
    for (r, before) in planned.iter().zip(&passes_before) {
        let pass = app
            .get(Role::Coordinator, &format!("{}/pass", case(r)))
            .await;
        assert_eq!(pass["state"], "valid");
        assert_eq!(
            at_bravo.contains(r),
            pass["pass_index"] != *before,
            "{r}: {pass}"
        );
        if at_bravo.contains(r) {
            assert_eq!(household(&app, r).await["window_id"], spare);
        }
    }
    // The household assigned by hand never moved.
    assert_eq!(household(&app, &manual).await["window_id"], p.window);
}

async fn a_released_pin_lets_plans_move_the_household_and_is_released_once(backend: Backend) {
    let (app, p) = common::spawn_app_with_places(backend, 10, 50).await;
    let manual = eligible(&app, 2, "0700 300 000").await;
    app.step(
        Role::Coordinator,
        &manual,
        "assign",
        Some(json!({"window_id": p.window})),
    )
    .await;
    let path = format!("{}/release-pin", case(&manual));
    let released = app.post(Role::Coordinator, &path, None).await;
    assert_eq!(released["pinned"], false);
    let (status, body) = app.call(Role::Coordinator, Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The RV closes: a released household is the re-plan's to move; with no room elsewhere
    // it is displaced, named for a coordinator.
    app.rv_step(Role::Coordinator, p.rv, "suspend").await;
    let replan = preview(&app, &format!("{PLANS}/replan")).await;
    assert_eq!(replan["displaced"], json!([manual]), "{replan}");
    assert_eq!(replan["moved"], 1);
}

async fn bad_plan_input_is_refused_naming_the_item(backend: Backend) {
    let (app, _) = common::spawn_app_with_places(backend, 10, 50).await;
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            PLANS,
            Some(json!({"batch_size": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("batch_size"),
        "{body}"
    );
    let (status, _) = app
        .call(
            Role::Coordinator,
            Method::POST,
            PLANS,
            Some(json!({"batch": 40})),
        )
        .await;
    assert!(
        status.is_client_error(),
        "an unknown field is refused: {status}"
    );
    let (status, body) = app
        .try_get(Role::Coordinator, &format!("{PLANS}/999999"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("plan 999999"),
        "{body}"
    );
    let (status, _) = app.call(Role::Escort, Method::POST, PLANS, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only a coordinator plans");
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            &format!("{PLANS}/999999/accept"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

safeconduct_store::on_both_backends_async!(
    a_plan_is_previewed_accepted_and_repaired_after_an_rv_is_suspended,
    a_released_pin_lets_plans_move_the_household_and_is_released_once,
    bad_plan_input_is_refused_naming_the_item,
);
