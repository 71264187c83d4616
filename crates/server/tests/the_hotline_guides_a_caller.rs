//! A caller rings the hotline: the operator sees their case's stage, assignment, the RV's
//! status and the hazards near it, and a route from where the caller stands (coordinates or a
//! landmark of the real extract of central Helsinki) that goes around every critical hazard;
//! a hazard changed or expired reshapes the next route at once. A critical hazard reported
//! with `suspend_places` suspends the RV inside it and puts its households on the worklist.
//! An escort checks the way to the gate before departing and is warned of a hazard on it.
//! Calls are logged with sealed notes; the history is the hotline's and the coordinator's.
//! A household that could not be told of its new window by message is on the worklist until
//! a call guides it.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::model::{HOTLINE_HAZARD_MAX_RADIUS_M, HOTLINE_HAZARDS_IN_FORCE_MAX};
use safeconduct_domain::values::{Coordinate, Timestamp};
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// Kauppatori, the market square, a landmark of the extract.
const MARKET_SQUARE: &str = "Kauppatori";

fn hazard(lat: f64, lon: f64, radius_m: u32, severity: &str, suspend: bool) -> Value {
    json!({
        "kind": "checkpoint", "severity": severity,
        "location": { "lat": lat, "lon": lon }, "radius_m": radius_m,
        "valid_from": "2020-01-01T00:00:00Z", "suspend_places": suspend
    })
}

/// The positions of a route's GeoJSON line.
fn line(route: &Value) -> Vec<Coordinate> {
    route["geojson"]["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Coordinate::new(p[1].as_f64().unwrap(), p[0].as_f64().unwrap()).unwrap())
        .collect()
}

/// Asks the route of case `reference` from `at`, and logs a call sending it: both refused with
/// 409 `code`, saying `says`, and the refused call stores nothing (no call, no message). The
/// call's refusal.
async fn no_route_given(
    app: &TestApp,
    reference: &str,
    at: Value,
    code: &str,
    says: &str,
) -> Value {
    let route = format!("{}/route", case(reference));
    let calls = format!("{}/calls", case(reference));
    let calls_before = app.get(Role::Hotline, &calls).await;
    let messages_before = app.message_kinds(reference).await;
    let (status, body) = app
        .call(Role::Hotline, Method::POST, &route, Some(at.clone()))
        .await;
    assert_refused(status, &body, StatusCode::CONFLICT, says);
    assert_eq!(body["error"]["code"], code);
    let send = json!({ "outcome": "route_sent", "send_route": at });
    let (status, body) = app
        .call(Role::Hotline, Method::POST, &calls, Some(send))
        .await;
    assert_refused(status, &body, StatusCode::CONFLICT, says);
    assert_eq!(body["error"]["code"], code);
    assert_eq!(app.get(Role::Hotline, &calls).await, calls_before);
    assert_eq!(app.message_kinds(reference).await, messages_before);
    body
}

/// The hotline's view of a case, the caller's position (if any) in the body.
async fn hotline_case(app: &TestApp, reference: &str, position: Value) -> Value {
    app.post(
        Role::Hotline,
        &format!("/api/operations/{{op}}/hotline/cases/{reference}"),
        Some(position),
    )
    .await
}

async fn a_route_goes_around_a_critical_hazard_until_it_is_expired(backend: Backend) {
    let app = spawn_app_routing(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(2, "0700 000 201", p.window).await;

    let before = hotline_case(&app, &reference, json!({ "landmark": MARKET_SQUARE })).await;
    assert_eq!(before["stage"], "pass_issued");
    assert_eq!(before["assignment"]["rv_id"], p.rv);
    assert_eq!(before["assignment"]["rv_status"], "active");
    assert_eq!(before["assignment"]["rv_receives_people"], true);
    let route = &before["route"];
    assert_eq!(route["language"], "prs", "the household's language");
    assert_eq!(route["right_to_left"], true);
    assert!(route["sms_parts"].as_u64().unwrap() <= 3);
    let direct = route["length_m"].as_u64().unwrap();

    // A checkpoint across the middle of that route.
    let points = line(route);
    let middle = points[points.len() / 2];
    let radius = 40.0;
    let reported = app
        .create(
            Role::Hotline,
            "/api/operations/{op}/hazards",
            hazard(middle.lat(), middle.lon(), radius as u32, "critical", false),
        )
        .await;
    assert_eq!(reported["suspended_rvs"], json!([]));
    let id = reported["id"].as_i64().unwrap();

    let around = hotline_case(&app, &reference, json!({ "landmark": MARKET_SQUARE })).await;
    let route = &around["route"];
    assert_eq!(route["hazards_in_force"], json!([id]));
    assert!(route["length_m"].as_u64().unwrap() > direct);
    for point in line(route) {
        assert!(
            point.distance_m(&middle) > radius,
            "the route passes {point:?}, inside the checkpoint"
        );
    }

    let expired = app
        .ok(
            Role::Coordinator,
            Method::PATCH,
            &format!("/api/operations/{{op}}/hazards/{id}"),
            Some(json!({ "expire": true })),
            200,
        )
        .await;
    assert!(expired["valid_until"].is_string());
    let after = hotline_case(&app, &reference, json!({ "landmark": MARKET_SQUARE })).await;
    assert_eq!(after["route"]["length_m"].as_u64().unwrap(), direct);
    assert_eq!(after["route"]["hazards_in_force"], json!([]));
}

async fn the_hotline_case_names_hazards_near_the_rv_and_routes_from_coordinates(backend: Backend) {
    let app = spawn_app_routing(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(1, "0700 000 202", p.window).await;
    // A crowd 150 m from RV Alpha (60.165196, 24.939259): near; one 2 km off: not.
    app.create(
        Role::Coordinator,
        "/api/operations/{op}/hazards",
        hazard(60.166546, 24.939259, 50, "medium", false),
    )
    .await;
    app.create(
        Role::Coordinator,
        "/api/operations/{op}/hazards",
        hazard(60.183, 24.939259, 50, "medium", false),
    )
    .await;
    let case = hotline_case(
        &app,
        &reference,
        json!({ "from": "60.1699,24.9384", "language": "en" }),
    )
    .await;
    let near = case["assignment"]["hazards_near_rv"].as_array().unwrap();
    assert_eq!(near.len(), 1, "{near:?}");
    assert!((90..=110).contains(&near[0]["distance_m"].as_u64().unwrap()));
    assert_eq!(case["route"]["language"], "en");
    assert!(case["route"]["steps"].as_array().unwrap().len() >= 2);
    // The hotline sees no more than the lookup: no names, phones or documents.
    let text = case.to_string();
    assert!(!text.contains("Sadat") && !text.contains("0700"), "{text}");

    let (status, body) = app
        .call(
            Role::Hotline,
            Method::POST,
            &format!("/api/operations/{{op}}/hotline/cases/{reference}"),
            Some(json!({ "landmark": "Nowhere Such" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_position");
}

async fn a_critical_hazard_with_suspension_suspends_the_rv_and_fills_the_worklist(
    backend: Backend,
) {
    let app = spawn_app_routing(backend).await;
    app.link_passes().await;
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(2, "0700 000 203", p.window).await;
    let worklist = app
        .get(Role::Hotline, "/api/operations/{op}/hotline/worklist")
        .await;
    assert_eq!(worklist, json!([]));

    // Only a hazard that closes streets may suspend places.
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            "/api/operations/{op}/hazards",
            Some(hazard(60.165196, 24.939259, 100, "high", true)),
        )
        .await;
    assert_refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "critical");

    // The hotline reports hazards; suspending places is the coordinator's, and so is a
    // hazard wider than a caller can see (it would close every route through a district).
    let before = app
        .get(Role::Coordinator, "/api/operations/{op}/hazards")
        .await;
    for (radius, suspend) in [(100, true), (HOTLINE_HAZARD_MAX_RADIUS_M + 1, false)] {
        let (status, body) = app
            .call(
                Role::Hotline,
                Method::POST,
                "/api/operations/{op}/hazards",
                Some(hazard(60.165196, 24.939259, radius, "critical", suspend)),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (_, body) = app
        .call(
            Role::Hotline,
            Method::POST,
            "/api/operations/{op}/hazards",
            Some(hazard(60.165196, 24.939259, 20_000, "critical", false)),
        )
        .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("at most 500 m"), "{message}");
    let after = app
        .get(Role::Coordinator, "/api/operations/{op}/hazards")
        .await;
    assert_eq!(after, before, "nothing reported");

    // Called just before the suspension, mostly in the same second: a call that came before
    // it does not count as a call about it.
    app.create(
        Role::Hotline,
        &format!("{}/calls", case(&reference)),
        json!({ "outcome": "guided" }),
    )
    .await;
    let reported = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/hazards",
            hazard(60.165196, 24.939259, 100, "critical", true),
        )
        .await;
    assert_eq!(reported["suspended_rvs"], json!([p.rv]));
    assert_eq!(
        reported["suspended_gates"],
        json!([]),
        "Gate 7 is 300 m off"
    );
    let rvs = app.get(Role::Coordinator, "/api/operations/{op}/rvs").await;
    assert_eq!(rvs[0]["status"], "suspended");
    // Nobody is guided, read a route or sent one towards the suspended point.
    let at_market = json!({ "landmark": MARKET_SQUARE });
    let case_now = hotline_case(&app, &reference, at_market.clone()).await;
    assert!(case_now["route"].is_null(), "{case_now}");
    assert_eq!(case_now["assignment"]["rv_receives_people"], false);
    let problem = case_now["route_problem"].as_str().unwrap();
    assert!(problem.contains("is suspended"), "{problem}");
    no_route_given(
        &app,
        &reference,
        at_market,
        "rv_not_receiving",
        "is suspended",
    )
    .await;
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    let worklist = app
        .get(Role::Hotline, "/api/operations/{op}/hotline/worklist")
        .await;
    assert_eq!(worklist.as_array().unwrap().len(), 1);
    assert_eq!(worklist[0]["reference"], reference.as_str());
    assert_eq!(worklist[0]["called_at"], Value::Null);
    // Who looked at which cases is kept, as for every list of cases.
    let read: Vec<_> = app
        .on_store(move |s| s.audit_entries(before, 100).unwrap())
        .await
        .into_iter()
        .filter(|(_, e)| e.action == "h::hotline_worklist")
        .map(|(_, e)| (e.role, e.record.unwrap_or_default()))
        .collect();
    let op = app.op;
    assert_eq!(
        read,
        [(
            Some(Role::Hotline),
            format!("/api/operations/{op}/hotline/worklist: 1 returned: {reference}")
        )]
    );
    app.create(
        Role::Hotline,
        &format!("{}/calls", case(&reference)),
        json!({ "outcome": "guided" }),
    )
    .await;
    let worklist = app
        .get(Role::Hotline, "/api/operations/{op}/hotline/worklist")
        .await;
    assert!(worklist[0]["called_at"].is_string(), "called since");
}

async fn an_escort_is_warned_of_a_hazard_on_the_way_before_departing(backend: Backend) {
    let app = spawn_app_routing(backend).await;
    let p = app.places(100, 300).await;
    let way = format!("/api/operations/{{op}}/rvs/{}/gates/{}/way", p.rv, p.gate);
    let clear = app.get(Role::Escort, &way).await;
    assert_eq!(clear["clear_to_depart"], true, "{clear}");
    assert_eq!(clear["warning"], Value::Null);
    assert!(
        clear.get("geojson").is_none(),
        "the gate's place is not drawn"
    );
    // Nor how far it is: distances from points the escort knows would place it.
    assert_eq!(clear["length_m"], Value::Null, "{clear}");
    assert_eq!(clear["walking_minutes"], Value::Null, "{clear}");
    let coordinators = app.get(Role::Coordinator, &way).await;
    assert!(
        coordinators["length_m"].as_u64().unwrap() > 0,
        "{coordinators}"
    );

    // A crowd over the whole of the short way from RV Alpha to Gate 7.
    let crowd = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/hazards",
            hazard(60.16613, 24.94088, 250, "high", false),
        )
        .await;
    let warned = app.get(Role::Escort, &way).await;
    assert_eq!(warned["clear_to_depart"], false);
    assert_eq!(warned["hazards"][0]["id"], crowd["id"]);
    assert!(
        warned["warning"]
            .as_str()
            .unwrap()
            .contains("a hazard on the way"),
        "{warned}"
    );

    // Closed all round: do not depart.
    app.create(
        Role::Coordinator,
        "/api/operations/{op}/hazards",
        hazard(60.16613, 24.94088, 400, "critical", false),
    )
    .await;
    let blocked = app.get(Role::Escort, &way).await;
    assert_eq!(blocked["blocked"], true, "{blocked}");
    assert!(
        blocked["warning"]
            .as_str()
            .unwrap()
            .starts_with("Do not depart")
    );

    // Another escort's RV is nothing to this one.
    let other = app.propose_rv("RV Bravo").await;
    let (status, _) = app
        .try_get(
            Role::Escort,
            &format!("/api/operations/{{op}}/rvs/{other}/gates/{}/way", p.gate),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_logged_call_keeps_its_notes_sealed_and_the_history_is_casework_only(backend: Backend) {
    let app = spawn_app_routing(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(2, "0700 000 204", p.window).await;
    let notes = "Caller hiding near the blue mosque with two children";
    let logged = app
        .create(
            Role::Hotline,
            &format!("{}/calls", case(&reference)),
            json!({ "outcome": "call_back", "notes": notes }),
        )
        .await;
    assert_eq!(logged["notes"], notes);
    for role in [Role::Hotline, Role::Coordinator] {
        let calls = app.get(role, &format!("{}/calls", case(&reference))).await;
        assert_eq!(calls.as_array().unwrap().len(), 1);
        assert_eq!(calls[0]["notes"], notes);
        assert_eq!(calls[0]["outcome"], "call_back");
    }
    let (status, _) = app
        .try_get(Role::Escort, &format!("{}/calls", case(&reference)))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            Role::Hotline,
            Method::POST,
            &format!("{}/calls", case(&reference)),
            Some(json!({ "outcome": "guided", "notes": "bell\u{0007}" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    if backend == Backend::Sqlite {
        let path = app.db_url().strip_prefix("sqlite:").unwrap().to_string();
        for file in [path.clone(), format!("{path}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(12).any(|w| w == &notes.as_bytes()[..12]),
                "the notes are in clear in {file}"
            );
        }
    }
}

async fn a_call_that_sends_the_route_queues_a_message_and_a_reassignment_a_notice(
    backend: Backend,
) {
    let app = spawn_app_routing(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(2, "0700 000 205", p.window).await;
    let logged = app
        .create(
            Role::Hotline,
            &format!("{}/calls", case(&reference)),
            json!({ "outcome": "route_sent", "send_route": { "landmark": MARKET_SQUARE } }),
        )
        .await;
    let message = logged["message_id"].as_i64().unwrap();
    let messages = app
        .get(Role::Hotline, &format!("{}/messages", case(&reference)))
        .await;
    assert_eq!(messages[0]["id"], message);
    assert_eq!(messages[0]["kind"], "route");
    assert_eq!(messages[0]["status"], "pending");
    assert!(
        messages[0].get("text").is_none(),
        "the listing carries no text"
    );

    let later = app
        .add_window(p.rv, "2030-08-24T06:00:00Z", "2030-08-24T08:00:00Z", 50)
        .await;
    app.reassign(&reference, later).await;
    assert_eq!(app.message_kinds(&reference).await, ["route", "new_window"]);
}

/// A household already with its escort no longer walks to its rendezvous point: the hotline
/// is told so instead of being given a route to read out, and no route is sent or given.
async fn a_household_past_its_rv_is_given_no_route(backend: Backend) {
    let app = spawn_app_routing(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(2, "0700 000 206", p.window).await;
    let at_market = json!({ "landmark": MARKET_SQUARE });
    let walking = hotline_case(&app, &reference, at_market.clone()).await;
    assert_eq!(walking["walks_to_rv"], true);
    assert!(walking["route"].is_object(), "{walking}");

    app.admit_at_rv(&reference, p.rv).await;
    app.depart(p.rv, p.gate, &[&reference]).await;
    let escorted = hotline_case(&app, &reference, at_market.clone()).await;
    assert_eq!(escorted["stage"], "in_escort");
    assert_eq!(escorted["walks_to_rv"], false);
    assert!(escorted["route"].is_null(), "{escorted}");
    let problem = escorted["route_problem"].as_str().unwrap();
    assert!(problem.contains("no longer walks"), "{problem}");
    assert_eq!(
        escorted["assignment"]["rv_id"], p.rv,
        "where it went is still shown"
    );

    let body = no_route_given(
        &app,
        &reference,
        at_market,
        "not_walking_to_rv",
        "no longer walks",
    )
    .await;
    // Logging a call tells no stage: only a read of the case, counted, does.
    assert!(body["error"].get("stage").is_none(), "{body}");
    assert!(!error_message(&body).contains("escort"), "{body}");
}

/// Registers a household of one with no phone at all; its reference.
async fn register_without_phone(app: &TestApp, n: u32) -> String {
    let member = json!({
        "name": format!("Nasrin{n} Habibi"), "birth_date": "1980", "nationality": "AF",
        "documents": [{ "type": "passport", "number": format!("P0077{n:04}"), "issuing_country": "AF" }]
    });
    let body = json!({ "language": "prs", "members": [member] });
    app.create(Role::Coordinator, "/api/operations/{op}/households", body)
        .await["reference"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The window a hotline operator reads out from case `reference`, in the form a call names it.
async fn window_read_out(app: &TestApp, reference: &str) -> Value {
    let case = hotline_case(app, reference, json!({})).await;
    let a = &case["assignment"];
    json!({ "window_id": a["window_id"], "window_start": a["window_start"], "window_end": a["window_end"] })
}

/// The hotline logs a call on case `reference` with `outcome`, naming `told` as the window it
/// told the household of; answers whether the household is still untold after it.
async fn log_call(app: &TestApp, reference: &str, outcome: &str, told: Option<Value>) -> bool {
    let path = format!("{}/calls", case(reference));
    let mut body = json!({ "outcome": outcome });
    if let Some(told) = told {
        body["told_window"] = told;
    }
    let logged = app.create(Role::Hotline, &path, body).await;
    logged["untold"].as_bool().unwrap()
}

/// A household with no phone cannot be told by message of its first window, that it was given
/// another or that its window moved: it goes on the hotline's worklist (its case names the new window), stays there
/// through a call that did not reach it or that told it times since changed, and leaves with
/// one that guided it to the window it holds. A household with
/// a phone is not listed while its notice is being sent (the_outbox_delivers_through_a_gateway
/// follows it further).
async fn a_household_not_told_of_its_new_window_is_on_the_worklist_until_guided(backend: Backend) {
    let app = spawn_app(backend).await;
    app.link_passes().await;
    let p = app.places(100, 300).await;
    let worklist = || app.get(Role::Hotline, "/api/operations/{op}/hotline/worklist");
    let now = safeconduct_keys::now().0;
    let at = |minutes: i64| time_text(Timestamp(now + minutes * 60));
    let second = app.add_window(p.rv, &at(-30), &at(90), 50).await;
    let reassigned = register_without_phone(&app, 1).await;
    app.to_pass_issued(&reassigned, p.window).await;
    let moved = register_without_phone(&app, 2).await;
    app.to_pass_issued(&moved, second).await;
    let with_phone = app.register_with_pass(1, "0700 000 207", second).await;
    // No message told the two without a phone of their first window either: they are listed
    // from their assignment. The one with a phone is not while its pass's link, which tells
    // it, is on its way.
    let listed = worklist().await;
    let mut references: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["reference"].as_str().unwrap())
        .collect();
    references.sort();
    let mut without_phone = [reassigned.as_str(), moved.as_str()];
    without_phone.sort();
    assert_eq!(references, without_phone, "{listed}");

    // One given another window, the other's window moved in time.
    let third = app.add_window(p.rv, &at(-20), &at(100), 50).await;
    app.reassign(&reassigned, third).await;
    let path = format!("/api/operations/{{op}}/windows/{second}");
    let (status, window) = app
        .call(
            Role::Coordinator,
            Method::PATCH,
            &path,
            Some(json!({ "start": at(60), "end": at(180) })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{window}");
    assert_eq!(
        app.message_kinds(&with_phone).await,
        ["pass_link", "pass_link", "new_window"],
        "its pass, and its pass again with the times moved, then the notice"
    );
    let listed = worklist().await;
    let references: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        references,
        [reassigned.as_str(), moved.as_str()],
        "{listed}"
    );
    for (w, window) in listed.as_array().unwrap().iter().zip([third, second]) {
        assert_eq!(w["reason"], "new_window_untold", "{listed}");
        assert_eq!(w["called_at"], Value::Null, "{listed}");
        // The new window is the case's, opened: the list names no place or time.
        assert!(w.get("window_id").is_none(), "{listed}");
        let opened = window_read_out(&app, w["reference"].as_str().unwrap()).await;
        assert_eq!(opened["window_id"], window, "{opened}");
    }

    // A call nobody answered: still to tell, now shown as called, after the one not called.
    let told = window_read_out(&app, &moved).await;
    assert!(log_call(&app, &moved, "no_answer", Some(told.clone())).await);
    let listed = worklist().await;
    assert_eq!(listed[0]["reference"], reassigned.as_str(), "{listed}");
    assert_eq!(listed[1]["reference"], moved.as_str(), "{listed}");
    assert!(listed[1]["called_at"].is_string(), "{listed}");
    // Guided, but naming no window: nobody can say it heard the latest one, so it stays.
    assert!(log_call(&app, &moved, "guided", None).await);
    // Guided of the window it holds: off the list.
    assert!(!log_call(&app, &moved, "guided", Some(told)).await);
    let listed = worklist().await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["reference"], reassigned.as_str(), "{listed}");

    // The operator reads the case out; while on the phone, a coordinator moves the window
    // again. The call guided it to the times it no longer has: it stays on the list.
    let told = window_read_out(&app, &reassigned).await;
    let path = format!("/api/operations/{{op}}/windows/{third}");
    let moved_again = json!({ "start": at(0), "end": at(120) });
    let (status, window) = app
        .call(Role::Coordinator, Method::PATCH, &path, Some(moved_again))
        .await;
    assert_eq!(status, StatusCode::OK, "{window}");
    assert!(log_call(&app, &reassigned, "guided", Some(told)).await);
    let listed = worklist().await;
    assert_eq!(listed[0]["reference"], reassigned.as_str(), "{listed}");
    // Called back with the times it has now: told.
    let told = window_read_out(&app, &reassigned).await;
    assert!(!log_call(&app, &reassigned, "guided", Some(told)).await);
    assert_eq!(worklist().await, json!([]));
}

/// One hotline account holds a bounded number of hazards in force, so that its reports alone
/// cannot close a district street by street; a refused report stores nothing. A coordinator's
/// reports are not counted, and a hazard a coordinator ends frees its place.
async fn a_hotline_account_holds_a_bounded_number_of_hazards_in_force(backend: Backend) {
    let app = spawn_app(backend).await;
    let report = |role, n: u32| {
        let body = hazard(60.16 + f64::from(n) * 0.001, 24.93, 50, "low", false);
        let app = &app;
        async move {
            app.call(
                role,
                Method::POST,
                "/api/operations/{op}/hazards",
                Some(body),
            )
            .await
        }
    };
    let mut first = None;
    for n in 0..HOTLINE_HAZARDS_IN_FORCE_MAX {
        let (status, body) = report(Role::Hotline, n).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        first.get_or_insert(body["id"].as_i64().unwrap());
    }
    let held = app
        .get(Role::Coordinator, "/api/operations/{op}/hazards")
        .await;
    let (status, body) = report(Role::Hotline, 99).await;
    assert_refused(status, &body, StatusCode::CONFLICT, "ask a coordinator");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("({HOTLINE_HAZARDS_IN_FORCE_MAX})")),
        "{message}"
    );
    assert_eq!(
        app.get(Role::Coordinator, "/api/operations/{op}/hazards")
            .await,
        held,
        "nothing stored"
    );
    // The coordinator's reports are theirs to make.
    let (status, body) = report(Role::Coordinator, 99).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["reported_by"], "coordinator", "{body}");
    // Who reported what: a coordinator sees every reporter; a hotline operator their own
    // reports, so they know which hazards count towards their share, and nobody else's.
    let reporters = |hazards: &Value| -> Vec<Value> {
        let list = hazards.as_array().unwrap();
        list.iter().map(|h| h["reported_by"].clone()).collect()
    };
    let seen = app
        .get(Role::Coordinator, "/api/operations/{op}/hazards")
        .await;
    let mut expected = vec![json!("hotline"); HOTLINE_HAZARDS_IN_FORCE_MAX as usize];
    expected.push(json!("coordinator"));
    assert_eq!(reporters(&seen), expected);
    let seen = app.get(Role::Hotline, "/api/operations/{op}/hazards").await;
    expected.pop();
    expected.push(Value::Null);
    assert_eq!(reporters(&seen), expected);
    let colleague = app.add_user("hotline-2", Role::Hotline).await;
    let (status, seen) = app
        .call_with(
            Some(&colleague),
            Method::GET,
            "/api/operations/{op}/hazards",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let none = vec![Value::Null; HOTLINE_HAZARDS_IN_FORCE_MAX as usize + 1];
    assert_eq!(
        reporters(&seen),
        none,
        "another operator's reports are not named"
    );
    // Ended by a coordinator, a hotline hazard leaves room for the next report.
    let path = format!("/api/operations/{{op}}/hazards/{}", first.unwrap());
    let expire = Some(json!({ "expire": true }));
    app.ok(Role::Coordinator, Method::PATCH, &path, expire, 200)
        .await;
    let (status, body) = report(Role::Hotline, 100).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = report(Role::Hotline, 101).await;
    assert_refused(status, &body, StatusCode::CONFLICT, "ask a coordinator");
}

safeconduct_store::on_both_backends_async!(
    a_hotline_account_holds_a_bounded_number_of_hazards_in_force,
    a_route_goes_around_a_critical_hazard_until_it_is_expired,
    the_hotline_case_names_hazards_near_the_rv_and_routes_from_coordinates,
    a_critical_hazard_with_suspension_suspends_the_rv_and_fills_the_worklist,
    an_escort_is_warned_of_a_hazard_on_the_way_before_departing,
    a_logged_call_keeps_its_notes_sealed_and_the_history_is_casework_only,
    a_call_that_sends_the_route_queues_a_message_and_a_reassignment_a_notice,
    a_household_past_its_rv_is_given_no_route,
    a_household_not_told_of_its_new_window_is_on_the_worklist_until_guided,
);
