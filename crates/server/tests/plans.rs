//! Plans through the API on both backends: a preview computed from the operation's state,
//! read back, accepted (assignment steps and passes in one transaction), a stale preview
//! refused, a re-plan after an RV is suspended moving only that RV's households, a pin
//! released, and bad input.

mod common;

use common::{TestApp, assert_refused, case, error_message};
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
    app.link_passes().await;
    let p = app.places(8, 50).await;
    let bravo = second_rv(&app, p.rv).await;
    let bravo_window = window_now(&app, bravo, 6).await;
    // A household assigned by hand holds 2 of the first window's 8 seats: plans keep it.
    let manual = eligible(&app, 2, "0700 200 000").await;
    app.assign_window(&manual, p.window).await;
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
    assert!(error_message(&body).contains("stale"), "{body}");
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
    let suspended = app.rv_step(Role::Coordinator, bravo, "suspend").await;
    assert_eq!(suspended["status"], "suspended");
    // The suspension re-planned Bravo's households at once and accepted the re-plan.
    let replan = &suspended["replan"];
    assert_eq!(replan["moved"], 2, "{suspended}");
    assert_eq!(replan["displaced"], 0, "{suspended}");
    let stored = app
        .get(
            Role::Coordinator,
            &format!("{PLANS}/{}", replan["plan_id"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(stored["kind"], "replan");
    assert!(stored["accepted_at"].is_string(), "{stored}");
    let mut got: Vec<&str> = stored["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reference"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = at_bravo.iter().map(String::as_str).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "only Bravo's households moved");
    for m in stored["moves"].as_array().unwrap() {
        assert_eq!(m["window_id"], spare);
    }
    // Nothing is left to repair.
    let again = preview(&app, &format!("{PLANS}/replan")).await;
    assert_eq!(again["moved"], 0, "{again}");
    assert_eq!(again["moves"], json!([]), "{again}");
    // Each moved household has its new window's notice queued.
    for r in &at_bravo {
        let kinds = app.message_kinds(r).await;
        assert!(kinds.iter().any(|k| k == "new_window"), "{r}: {kinds:?}");
    }
    // The hotline's worklist lists them, while Bravo stays suspended: by reference alone (where
    // and when many households will be is no list to hand out); each case, opened, tells the
    // caller the new window.
    let worklist = app
        .get(Role::Coordinator, "/api/operations/{op}/hotline/worklist")
        .await;
    let listed: Vec<&Value> = worklist.as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 2, "{worklist}");
    for w in &listed {
        assert_eq!(w["reason"], "rv_suspended", "{worklist}");
        for place in ["rv_id", "window_id", "moved_from_rv_id"] {
            assert!(w.get(place).is_none(), "{worklist}");
        }
        let opened = format!(
            "/api/operations/{{op}}/hotline/cases/{}",
            w["reference"].as_str().unwrap()
        );
        let c = app.post(Role::Hotline, &opened, Some(json!({}))).await;
        assert_eq!(c["assignment"]["rv_id"], p.rv, "{c}");
        assert_eq!(c["assignment"]["window_id"], spare, "{c}");
    }
    // The first one called: the one still to call comes first.
    let (first, second) = (
        listed[0]["reference"].as_str().unwrap().to_string(),
        listed[1]["reference"].as_str().unwrap().to_string(),
    );
    app.create(
        Role::Hotline,
        &format!("{}/calls", case(&first)),
        json!({ "outcome": "guided" }),
    )
    .await;
    let worklist = app
        .get(Role::Coordinator, "/api/operations/{op}/hotline/worklist")
        .await;
    assert_eq!(worklist[0]["reference"], second.as_str(), "{worklist}");
    assert_eq!(worklist[0]["called_at"], Value::Null, "{worklist}");
    assert_eq!(worklist[1]["reference"], first.as_str(), "{worklist}");
    assert!(worklist[1]["called_at"].is_string(), "{worklist}");
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
    app.assign_window(&manual, p.window).await;
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
    assert_refused(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "batch_size",
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
    assert_refused(status, &body, StatusCode::NOT_FOUND, "plan 999999");
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

/// Registers a household of `size` members at `location` ([lat, lon]) with `needs` (fields of
/// the registration body); its reference, or the refusal.
async fn register_at(app: &TestApp, size: usize, phone: &str, extra: Value) -> (StatusCode, Value) {
    let members: Vec<Value> = (0..size)
        .map(|i| {
            json!({
                "name": format!("Member{i} Karimi"), "birth_date": format!("{}", 1970 + i),
                "documents": [{ "type": "passport", "number": format!("K{:08}", 5000 + i) }]
            })
        })
        .collect();
    let mut body = json!({
        "contact_phone": phone, "language": "ps", "priorities": ["elderly"], "members": members
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.try_register(body).await
}

async fn registered(app: &TestApp) -> usize {
    let path = "/api/operations/{op}/households?stage=registered&limit=200";
    app.get(Role::Coordinator, path).await["cases"]
        .as_array()
        .unwrap()
        .len()
}

async fn pass_index(app: &TestApp, reference: &str) -> Value {
    app.get(Role::Coordinator, &format!("{}/pass", case(reference)))
        .await["pass_index"]
        .clone()
}

async fn eligible_at(app: &TestApp, size: usize, phone: &str, extra: Value) -> String {
    let (status, body) = register_at(app, size, phone, extra).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let reference = body["reference"].as_str().unwrap().to_string();
    app.to_eligible(&reference).await;
    reference
}

async fn registration_keeps_where_a_household_is_and_refuses_a_place_outside_the_operation(
    backend: Backend,
) {
    let (app, _) = common::spawn_app_with_places(backend, 10, 50).await;
    let (status, body) = register_at(
        &app,
        2,
        "0700 400 001",
        json!({"location": {"lat": 60.1648719, "lon": 24.9412345}, "cannot_walk_far": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let h = household(&app, body["reference"].as_str().unwrap()).await;
    assert_eq!(
        h["location"],
        json!({"lat": 60.165, "lon": 24.941}),
        "kept to about 100 m"
    );
    assert_eq!(h["cannot_walk_far"], true);
    assert_eq!(h["needs_vehicle_access"], false);

    let before = registered(&app).await;
    for (location, says) in [
        // Latitude and longitude swapped: the Indian Ocean, far from every place.
        (
            json!({"lat": 24.94, "lon": 60.16}),
            "outside the operation's area",
        ),
        (
            json!({"lat": 91.0, "lon": 24.9}),
            "a latitude from -90 to 90",
        ),
        (json!({"lat": 60.16, "lon": 24.9, "alt": 3}), "alt"),
        (json!("60.16,24.94"), "location"),
    ] {
        let (status, body) =
            register_at(&app, 1, "0700 400 002", json!({ "location": location })).await;
        assert!(status.is_client_error(), "{location}: {status} {body}");
        let message = error_message(&body);
        assert!(message.contains(says), "{location}: {message}");
        if says.contains("area") {
            assert!(
                !message.contains("24.94"),
                "the refusal repeats no location: {message}"
            );
        }
    }
    assert_eq!(registered(&app).await, before, "a refusal registers nobody");
}

async fn the_plan_sends_households_to_the_rv_near_them_that_their_needs_allow(backend: Backend) {
    let (app, p) = common::spawn_app_with_places(backend, 20, 50).await;
    let bravo = second_rv(&app, p.rv).await;
    window_now(&app, bravo, 20).await;
    // Only a coordinator says which points vehicles reach.
    let path = format!("/api/operations/{{op}}/rvs/{bravo}/vehicle-access");
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            &path,
            Some(json!({"vehicle_access": true})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let rv = app
        .ok(
            Role::Coordinator,
            Method::POST,
            &path,
            Some(json!({"vehicle_access": true})),
            200,
        )
        .await;
    assert_eq!(rv["vehicle_access"], true);

    // RV Alpha is at 60.1652, 24.9393; RV Bravo at 60.16, 24.94, about 580 m south.
    let near_bravo = eligible_at(
        &app,
        2,
        "0700 500 001",
        json!({"location": {"lat": 60.16, "lon": 24.94}}),
    )
    .await;
    let near_alpha = eligible_at(
        &app,
        2,
        "0700 500 002",
        json!({"location": {"lat": 60.1652, "lon": 24.9393}}),
    )
    .await;
    let driven = eligible_at(
        &app,
        3,
        "0700 500 003",
        json!({"location": {"lat": 60.1652, "lon": 24.9393}, "needs_vehicle_access": true}),
    )
    .await;
    // About 4 km north of both: too far for someone who cannot walk far.
    let far = eligible_at(
        &app,
        1,
        "0700 500 004",
        json!({"location": {"lat": 60.2, "lon": 24.94}, "cannot_walk_far": true}),
    )
    .await;
    let plan = preview(&app, PLANS).await;
    let rv_of = |reference: &str| {
        plan["moves"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["reference"] == reference)
            .map(|m| m["rv_id"].clone())
    };
    assert_eq!(rv_of(&near_bravo), Some(json!(bravo)), "{plan}");
    assert_eq!(rv_of(&near_alpha), Some(json!(p.rv)), "{plan}");
    assert_eq!(
        rv_of(&driven),
        Some(json!(bravo)),
        "vehicles reach Bravo only: {plan}"
    );
    assert_eq!(rv_of(&far), None, "{plan}");
    let unplaced = &plan["unplaced"][0];
    assert_eq!(unplaced["reference"], far.as_str(), "{plan}");
    assert_eq!(unplaced["reason"], "no_allowed_rv");
    // Travel is measured from where each household is: the one beside Bravo walks nothing.
    let travel = |reference: &str| {
        plan["moves"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["reference"] == reference)
            .unwrap()["travel_seconds"]
            .as_u64()
            .unwrap()
    };
    assert!(travel(&near_bravo) < 60, "{plan}");
    assert!(travel(&driven) > 400, "{plan}");
}

async fn a_hazard_that_suspends_an_rv_replans_its_households_at_once(backend: Backend) {
    let app = common::spawn_app_routing(backend).await;
    app.link_passes().await;
    let p = app.places(10, 50).await;
    let bravo = second_rv(&app, p.rv).await;
    let bravo_window = window_now(&app, bravo, 10).await;
    // A household with no phone, first in the register, given a window at Bravo: on the
    // worklist (nobody can text it), behind those at the suspended point once it is.
    let member = json!({
        "name": "Nasrin Habibi", "birth_date": "1980", "nationality": "AF",
        "documents": [{ "type": "passport", "number": "P00770001", "issuing_country": "AF" }]
    });
    let unreachable = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/households",
            json!({ "language": "prs", "members": [member] }),
        )
        .await["reference"]
        .as_str()
        .unwrap()
        .to_string();
    app.to_eligible(&unreachable).await;
    app.assign_window(&unreachable, bravo_window).await;
    // Two households hold passes for RV Alpha (assigned by hand), one for Bravo.
    let between = json!({"location": {"lat": 60.1626, "lon": 24.9396}});
    let mut at_alpha = Vec::new();
    for i in 0..2 {
        let r = eligible_at(&app, 2, &format!("0700 600 00{i}"), between.clone()).await;
        app.assign_window(&r, p.window).await;
        app.step(Role::Coordinator, &r, "pass", None).await;
        at_alpha.push(r);
    }
    let stays = app
        .register_with_pass(1, "0700 600 009", bravo_window)
        .await;
    let stays_pass = pass_index(&app, &stays).await;
    let alpha_passes = [
        pass_index(&app, &at_alpha[0]).await,
        pass_index(&app, &at_alpha[1]).await,
    ];

    let reported = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/hazards",
            json!({
                "kind": "fighting", "severity": "critical",
                "location": { "lat": 60.165196, "lon": 24.939259 }, "radius_m": 100,
                "valid_from": "2020-01-01T00:00:00Z", "suspend_places": true
            }),
        )
        .await;
    assert_eq!(reported["suspended_rvs"], json!([p.rv]), "{reported}");
    assert_eq!(reported["replan"]["moved"], 2, "{reported}");
    assert!(reported["replan"]["plan_id"].is_i64(), "{reported}");
    for (r, before) in at_alpha.iter().zip(alpha_passes) {
        let h = household(&app, r).await;
        assert_eq!(h["window_id"], bravo_window, "{h}");
        assert_eq!(h["stage"], "pass_issued", "{h}");
        assert_ne!(pass_index(&app, r).await, before, "the pass was superseded");
    }
    assert_eq!(household(&app, &stays).await["window_id"], bravo_window);
    assert_eq!(
        pass_index(&app, &stays).await,
        stays_pass,
        "a feasible household stays"
    );
    let worklist = app
        .get(Role::Hotline, "/api/operations/{op}/hotline/worklist")
        .await;
    let rows = worklist.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{worklist}");
    let mut listed: Vec<&str> = rows[..2]
        .iter()
        .map(|w| {
            assert_eq!(w["reason"], "rv_suspended", "{worklist}");
            w["reference"].as_str().unwrap()
        })
        .collect();
    listed.sort();
    let mut expected: Vec<&str> = at_alpha.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(rows[2]["reference"], unreachable.as_str(), "{worklist}");
    assert_eq!(rows[2]["reason"], "new_window_untold", "{worklist}");
}

/// An escort suspends their own RV: its households are re-planned all the same, and the
/// escort's answer says nothing of the re-plan (it counts and moves households of the whole
/// operation), nor names any household.
async fn an_escort_suspending_their_rv_replans_it_and_learns_nothing_of_it(backend: Backend) {
    let (app, p) = common::spawn_app_with_places(backend, 10, 50).await;
    let bravo = second_rv(&app, p.rv).await;
    window_now(&app, bravo, 10).await;
    let at_alpha = app.register_with_pass(2, "0700 700 001", p.window).await;
    let (status, body) = app
        .call(
            Role::Escort,
            Method::POST,
            &format!("/api/operations/{{op}}/rvs/{}/suspend", p.rv),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "suspended", "{body}");
    assert!(body.get("replan").is_none(), "{body}");
    assert!(!body.to_string().contains(&at_alpha), "{body}");
    let h = household(&app, &at_alpha).await;
    assert_ne!(h["window_id"], p.window, "{h}");
}

safeconduct_store::on_both_backends_async!(
    a_plan_is_previewed_accepted_and_repaired_after_an_rv_is_suspended,
    an_escort_suspending_their_rv_replans_it_and_learns_nothing_of_it,
    registration_keeps_where_a_household_is_and_refuses_a_place_outside_the_operation,
    the_plan_sends_households_to_the_rv_near_them_that_their_needs_allow,
    a_hazard_that_suspends_an_rv_replans_its_households_at_once,
    a_released_pin_lets_plans_move_the_household_and_is_released_once,
    bad_plan_input_is_refused_naming_the_item,
);
