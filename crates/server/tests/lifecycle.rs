//! A household driven through the whole lifecycle over HTTP, and the accountability rules
//! around it.

mod common;

use common::spawn_app;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

async fn a_household_travels_from_registration_to_boarding_and_every_count_adds_up(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register(3, "0700 123 456").await;
    let case = format!("/api/operations/{{op}}/households/{reference}");

    // The hotline finds the case by the phone in another typed form, and by reference.
    let found = app
        .ok(
            Role::Hotline,
            Method::GET,
            "/api/operations/{op}/lookup?phone=%2B93700123456",
            None,
            200,
        )
        .await;
    assert_eq!(found["cases"][0]["reference"], reference.as_str());
    assert_eq!(found["cases"][0]["members"][0]["name_native"], "سادات");
    let by_ref = app
        .ok(
            Role::Hotline,
            Method::GET,
            &format!(
                "/api/operations/{{op}}/lookup?reference={}",
                reference.to_lowercase().replace('-', "")
            ),
            None,
            200,
        )
        .await;
    assert_eq!(by_ref["cases"][0]["stage"], "registered");

    app.to_pass_issued(&reference, p.window).await;
    let windows = app
        .ok(
            Role::Coordinator,
            Method::GET,
            "/api/operations/{op}/windows",
            None,
            200,
        )
        .await;
    assert_eq!(windows[0]["assigned_people"], 3);

    let admitted = app
        .ok(
            Role::Escort,
            Method::POST,
            &format!("{case}/rv-arrival"),
            Some(json!({"rv_id": p.rv})),
            200,
        )
        .await;
    assert_eq!(admitted["to"], "admitted_at_rv");
    let rv_counts = app
        .ok(
            Role::Escort,
            Method::GET,
            &format!("/api/operations/{{op}}/rvs/{}/counts", p.rv),
            None,
            200,
        )
        .await;
    assert_eq!(rv_counts["people"]["admitted_at_rv"], 3);

    let batch = app
        .ok(
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/batches",
            Some(json!({
                "rv_id": p.rv, "gate_id": p.gate, "households": [reference]
            })),
            201,
        )
        .await;
    assert_eq!(batch["departed_people"], 3);
    let batch_id = batch["id"].as_i64().unwrap();
    let gate_counts = app
        .ok(
            Role::Gate,
            Method::GET,
            &format!("/api/operations/{{op}}/gates/{}/counts", p.gate),
            None,
            200,
        )
        .await;
    assert_eq!(
        gate_counts["people"]["in_escort"], 3,
        "the gate expects the batch"
    );

    app.ok(
        Role::Gate,
        Method::POST,
        &format!("/api/operations/{{op}}/batches/{batch_id}/arrivals"),
        Some(json!({"reference": reference})),
        200,
    )
    .await;
    let closed = app
        .ok(
            Role::Gate,
            Method::POST,
            &format!("/api/operations/{{op}}/batches/{batch_id}/close"),
            None,
            200,
        )
        .await;
    assert_eq!(closed["alarm"], false);
    assert_eq!(closed["arrived_people"], 3);
    app.ok(
        Role::Gate,
        Method::POST,
        &format!("{case}/processed"),
        Some(json!({"gate_id": p.gate})),
        200,
    )
    .await;
    app.ok(
        Role::Manifest,
        Method::POST,
        &format!("/api/operations/{{op}}/flights/{}/manifest", p.flight),
        Some(json!({"reference": reference})),
        200,
    )
    .await;
    let boarded = app
        .ok(
            Role::Manifest,
            Method::POST,
            &format!("{case}/boarded"),
            Some(json!({"flight_id": p.flight})),
            200,
        )
        .await;
    assert_eq!(boarded["to"], "boarded");

    let csv = app
        .client
        .get(app.url(&format!(
            "/api/operations/{{op}}/flights/{}/manifest.csv",
            p.flight
        )))
        .bearer_auth(app.token(Role::Coordinator))
        .header("x-reason", "boarding check at the aircraft")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert_eq!(
        csv.lines().count(),
        4,
        "header and three passengers:\n{csv}"
    );
    assert!(csv.contains("Member0 Sadat"));
    let html = app
        .client
        .get(app.url(&format!(
            "/api/operations/{{op}}/flights/{}/manifest.html",
            p.flight
        )))
        .bearer_auth(app.token(Role::Coordinator))
        .header("x-reason", "printed for the loadmaster")
        .send()
        .await
        .unwrap();
    assert!(
        html.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(html.text().await.unwrap().contains("Flight RCH871"));

    let events = app
        .ok(
            Role::Auditor,
            Method::GET,
            &format!("{case}/events"),
            None,
            200,
        )
        .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "registered",
            "verify_documents",
            "decide_eligible",
            "assign",
            "issue_pass",
            "admit_at_rv",
            "depart_in_escort",
            "arrive_at_gate",
            "process",
            "manifest",
            "board"
        ]
    );
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .all(|e| e["user_id"].is_i64() && e["role"].is_string())
    );

    let report = app
        .ok(
            Role::Auditor,
            Method::GET,
            "/api/operations/{op}/accountability",
            None,
            200,
        )
        .await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["counts"]["people"]["boarded"], 3);
    let counts = app
        .ok(
            Role::Coordinator,
            Method::GET,
            "/api/operations/{op}/counts",
            None,
            200,
        )
        .await;
    assert_eq!(counts["operation"]["total_people"], 3);
    assert_eq!(counts["operation"]["people"]["boarded"], 3);
}

async fn an_illegal_step_is_refused_naming_the_stage_and_the_allowed_steps(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = app.register(1, "0700 000 001").await;
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{reference}/pass"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "illegal_transition");
    assert_eq!(body["error"]["stage"], "registered");
    assert_eq!(
        body["error"]["allowed_steps"],
        json!(["verify_documents", "reject", "withdraw"])
    );
}

async fn windows_and_flights_are_never_filled_over_capacity(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(4, 3).await;
    let a = app.register(3, "0700 000 002").await;
    let b = app.register(2, "0700 000 003").await;
    app.to_pass_issued(&a, p.window).await;
    for step in ["verify-documents"] {
        app.ok(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{b}/{step}"),
            None,
            200,
        )
        .await;
    }
    app.ok(
        Role::Coordinator,
        Method::POST,
        &format!("/api/operations/{{op}}/households/{b}/eligibility"),
        Some(json!({"decision": "eligible", "category": "citizen"})),
        200,
    )
    .await;
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{b}/assign"),
            Some(json!({"window_id": p.window})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "window_full");
    let case = app
        .ok(
            Role::Coordinator,
            Method::GET,
            &format!("/api/operations/{{op}}/households/{b}"),
            None,
            200,
        )
        .await;
    assert_eq!(case["stage"], "eligible", "a refused step changes nothing");

    // Flight of 3 seats: a household of 3 fits, nothing more.
    let c = app.register(1, "0700 000 004").await;
    for r in [&a] {
        let case = format!("/api/operations/{{op}}/households/{r}");
        app.ok(
            Role::Escort,
            Method::POST,
            &format!("{case}/rv-arrival"),
            Some(json!({"rv_id": p.rv})),
            200,
        )
        .await;
    }
    let batch = app
        .ok(
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/batches",
            Some(json!({"rv_id": p.rv, "gate_id": p.gate, "households": [a]})),
            201,
        )
        .await;
    let batch = batch["id"].as_i64().unwrap();
    app.ok(
        Role::Gate,
        Method::POST,
        &format!("/api/operations/{{op}}/batches/{batch}/arrivals"),
        Some(json!({"reference": a})),
        200,
    )
    .await;
    app.ok(
        Role::Gate,
        Method::POST,
        &format!("/api/operations/{{op}}/households/{a}/processed"),
        Some(json!({"gate_id": p.gate})),
        200,
    )
    .await;
    app.ok(
        Role::Manifest,
        Method::POST,
        &format!("/api/operations/{{op}}/flights/{}/manifest", p.flight),
        Some(json!({"reference": a})),
        200,
    )
    .await;
    let _ = c;
    let flights = app
        .ok(
            Role::Manifest,
            Method::GET,
            "/api/operations/{op}/flights",
            None,
            200,
        )
        .await;
    assert_eq!(flights[0]["manifested_people"], 3);
}

async fn a_batch_closed_short_raises_an_alarm_and_marks_the_missing_unaccounted(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let a = app.register(2, "0700 000 010").await;
    let b = app.register(3, "0700 000 011").await;
    for r in [&a, &b] {
        app.to_pass_issued(r, p.window).await;
        app.ok(
            Role::Escort,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{r}/rv-arrival"),
            Some(json!({"rv_id": p.rv})),
            200,
        )
        .await;
    }
    let batch = app
        .ok(
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/batches",
            Some(json!({"rv_id": p.rv, "gate_id": p.gate, "households": [a, b]})),
            201,
        )
        .await;
    assert_eq!(batch["departed_people"], 5);
    let id = batch["id"].as_i64().unwrap();
    app.ok(
        Role::Gate,
        Method::POST,
        &format!("/api/operations/{{op}}/batches/{id}/arrivals"),
        Some(json!({"reference": a})),
        200,
    )
    .await;
    let closed = app
        .ok(
            Role::Gate,
            Method::POST,
            &format!("/api/operations/{{op}}/batches/{id}/close"),
            None,
            200,
        )
        .await;
    assert_eq!(closed["alarm"], true);
    assert_eq!(closed["unaccounted"], json!([b]));
    let report = app
        .ok(
            Role::Auditor,
            Method::GET,
            "/api/operations/{op}/accountability",
            None,
            200,
        )
        .await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["alarms"][0]["departed_people"], 5);
    assert_eq!(report["alarms"][0]["arrived_people"], 2);
    assert_eq!(report["counts"]["people"]["unaccounted"], 3);

    // Found late: the household arrives, and the batch balances again.
    app.ok(
        Role::Gate,
        Method::POST,
        &format!("/api/operations/{{op}}/batches/{id}/arrivals"),
        Some(json!({"reference": b})),
        200,
    )
    .await;
    let report = app
        .ok(
            Role::Auditor,
            Method::GET,
            "/api/operations/{op}/accountability",
            None,
            200,
        )
        .await;
    assert_eq!(report["ok"], true, "{report}");
}

async fn the_same_step_sent_twice_at_once_takes_effect_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let r = app.register(2, "0700 000 020").await;
    app.to_pass_issued(&r, p.window).await;
    let path = format!("/api/operations/{{op}}/households/{r}/rv-arrival");
    let body = json!({"rv_id": p.rv});
    // Two servers over one database, the same step sent to each at the same moment.
    let peer = app.spawn_peer().await;
    let (one, two) = tokio::join!(
        app.call(Role::Escort, Method::POST, &path, Some(body.clone())),
        app.call_on(&peer, Role::Escort, Method::POST, &path, Some(body.clone())),
    );
    let mut statuses = [one.0.as_u16(), two.0.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{one:?} {two:?}");
    let refused = if one.0.as_u16() == 409 {
        &one.1
    } else {
        &two.1
    };
    let code = refused["error"]["code"].as_str().unwrap();
    assert!(
        code == "illegal_transition" || code == "conflict",
        "{refused}"
    );
    let counts = app
        .ok(
            Role::Coordinator,
            Method::GET,
            "/api/operations/{op}/counts",
            None,
            200,
        )
        .await;
    assert_eq!(counts["operation"]["people"]["admitted_at_rv"], 2);
    assert_eq!(counts["operation"]["total_people"], 2);
}

/// A registration sent again with its Idempotency-Key, to another server (the first answer was
/// lost on the way back), gets the first answer and registers nobody twice; the key with
/// another body is refused; a malformed key is a clear 400.
async fn a_registration_sent_again_with_its_key_registers_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let peer = app.spawn_peer().await;
    let body =
        json!({"language": "prs", "members": [{"name": "Once Sadat"}, {"name": "Twice Sadat"}]});
    let send = |base: String, key: &'static str, body: serde_json::Value| {
        let req = app
            .client
            .post(format!("{base}/api/operations/{}/households", app.op))
            .bearer_auth(app.token(Role::Coordinator))
            .header("Idempotency-Key", key)
            .json(&body);
        async move {
            let res = req.send().await.unwrap();
            let replayed = res.headers().get("idempotent-replayed").cloned();
            (
                res.status(),
                replayed,
                res.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, replayed, first) = send(app.base.clone(), "b1946ac9-2d8e", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(replayed.is_none());
    let (status, replayed, again) = send(peer.clone(), "b1946ac9-2d8e", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(replayed.unwrap(), "true");
    assert_eq!(again, first);

    let other = json!({"language": "prs", "members": [{"name": "Other Sadat"}]});
    let (status, _, refused) = send(peer.clone(), "b1946ac9-2d8e", other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key"),
        "{refused}"
    );
    let (status, _, refused) = send(app.base.clone(), "not a key", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_idempotency_key");

    let counts = app
        .ok(
            Role::Coordinator,
            Method::GET,
            "/api/operations/{op}/counts",
            None,
            200,
        )
        .await;
    assert_eq!(counts["operation"]["total_people"], 2, "{counts}");
}

async fn a_rendezvous_point_is_agreed_only_when_both_sides_accept(backend: Backend) {
    let app = spawn_app(backend).await;
    let rv = app
        .ok(Role::Escort, Method::POST, "/api/operations/{op}/rvs", Some(json!({
            "name": "RV Bravo", "location": {"lat": 60.170061, "lon": 24.93795}, "landmark": "old post office clock"
        })), 201)
        .await;
    assert_eq!(rv["status"], "proposed");
    assert_eq!(rv["accepted_by_escort"], true);
    let id = rv["id"].as_i64().unwrap();
    let (status, body) = app
        .call(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/rvs/{id}/activate"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let rv = app
        .ok(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/rvs/{id}/accept"),
            None,
            200,
        )
        .await;
    assert_eq!(rv["status"], "agreed");
    // Suspending is done by the escort assigned to the point.
    let (status, body) = app
        .call(
            Role::Escort,
            Method::POST,
            &format!("/api/operations/{{op}}/rvs/{id}/suspend"),
            None,
        )
        .await;
    assert_eq!(body["error"]["code"], "out_of_scope", "{status} {body}");
    app.assign("escort", &[id], &[]).await;
    let rv = app
        .ok(
            Role::Escort,
            Method::POST,
            &format!("/api/operations/{{op}}/rvs/{id}/suspend"),
            None,
            200,
        )
        .await;
    assert_eq!(rv["status"], "suspended");
}

async fn withdraw_no_show_reassign_and_reject_are_side_states(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let second_window = app
        .ok(Role::Coordinator, Method::POST, "/api/operations/{op}/windows", Some(json!({
            "rv_id": p.rv, "start": "2030-08-24T08:00:00Z", "end": "2030-08-24T10:00:00Z", "capacity": 50
        })), 201)
        .await["id"]
        .as_i64()
        .unwrap();
    let a = app.register(2, "0700 000 030").await;
    app.to_pass_issued(&a, p.window).await;
    let ns = app
        .ok(
            Role::Escort,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{a}/no-show"),
            None,
            200,
        )
        .await;
    assert_eq!(ns["to"], "no_show");
    let re = app
        .ok(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{a}/reassign"),
            Some(json!({"window_id": second_window})),
            200,
        )
        .await;
    assert_eq!(re["to"], "reassigned");
    let windows = app
        .ok(
            Role::Coordinator,
            Method::GET,
            "/api/operations/{op}/windows",
            None,
            200,
        )
        .await;
    assert_eq!(
        windows[0]["assigned_people"], 0,
        "a no-show gives its seats back"
    );
    assert_eq!(windows[1]["assigned_people"], 2);
    let wd = app
        .ok(
            Role::Hotline,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{a}/withdraw"),
            Some(json!({"reason": "caller decided to stay"})),
            200,
        )
        .await;
    assert_eq!(wd["to"], "withdrawn");
    let windows = app
        .ok(
            Role::Coordinator,
            Method::GET,
            "/api/operations/{op}/windows",
            None,
            200,
        )
        .await;
    assert_eq!(windows[1]["assigned_people"], 0);

    let b = app.register(1, "0700 000 031").await;
    let rj = app
        .ok(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/households/{b}/eligibility"),
            Some(json!({"decision": "rejected", "reason": "no eligible category"})),
            200,
        )
        .await;
    assert_eq!(rj["to"], "rejected");
    let report = app
        .ok(
            Role::Auditor,
            Method::GET,
            "/api/operations/{op}/accountability",
            None,
            200,
        )
        .await;
    assert_eq!(report["ok"], true, "{report}");
}

async fn two_servers_never_overfill_a_window_between_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(3, 300).await;
    let peer = app.spawn_peer().await;
    let mut refs = Vec::new();
    for phone in ["0700 000 050", "0700 000 051"] {
        let r = app.register(2, phone).await;
        app.to_eligible(&r).await;
        refs.push(r);
    }
    let body = json!({"window_id": p.window});
    let first = format!("/api/operations/{{op}}/households/{}/assign", refs[0]);
    let second = format!("/api/operations/{{op}}/households/{}/assign", refs[1]);
    let (here, there) = tokio::join!(
        app.call(Role::Coordinator, Method::POST, &first, Some(body.clone())),
        app.call_on(
            &peer,
            Role::Coordinator,
            Method::POST,
            &second,
            Some(body.clone())
        ),
    );
    let mut statuses = [here.0.as_u16(), there.0.as_u16()];
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 409],
        "a window of 3 takes one household of 2"
    );
    let windows = app
        .ok(
            Role::Coordinator,
            Method::GET,
            "/api/operations/{op}/windows",
            None,
            200,
        )
        .await;
    assert_eq!(windows[0]["assigned_people"], 2);
    let report = app
        .ok(
            Role::Auditor,
            Method::GET,
            "/api/operations/{op}/accountability",
            None,
            200,
        )
        .await;
    assert_eq!(report["ok"], true, "{report}");
}

async fn live_changes_reach_clients_of_every_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register(2, "0700 000 040").await;
    app.to_pass_issued(&reference, p.window).await;
    let peer = app.spawn_peer().await;
    // A gate officer watches on the peer server; the escort works on the first one.
    let mut stream = app
        .client
        .get(format!("{peer}/api/operations/{}/live", app.op))
        .bearer_auth(app.token(Role::Gate))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    app.ok(
        Role::Escort,
        Method::POST,
        &format!("/api/operations/{{op}}/households/{reference}/rv-arrival"),
        Some(json!({"rv_id": p.rv})),
        200,
    )
    .await;
    app.ok(
        Role::Escort,
        Method::POST,
        "/api/operations/{op}/batches",
        Some(json!({"rv_id": p.rv, "gate_id": p.gate, "households": [reference]})),
        201,
    )
    .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains("depart_in_escort") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the change reached the other server in time")
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: change"), "{seen}");
    assert!(seen.contains(&format!("\"gate_id\":{}", p.gate)), "{seen}");
    assert!(
        !seen.contains("admit_at_rv"),
        "gate staff see changes at gates only: {seen}"
    );
    assert!(
        !seen.contains(&reference),
        "the stream carries no case reference: {seen}"
    );
    assert!(
        !seen.contains("Sadat"),
        "the stream carries no names: {seen}"
    );
}

async fn healthz_answers_when_the_store_is_reachable(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
}

safeconduct_store::on_both_backends_async!(
    a_registration_sent_again_with_its_key_registers_once,
    a_household_travels_from_registration_to_boarding_and_every_count_adds_up,
    an_illegal_step_is_refused_naming_the_stage_and_the_allowed_steps,
    windows_and_flights_are_never_filled_over_capacity,
    a_batch_closed_short_raises_an_alarm_and_marks_the_missing_unaccounted,
    the_same_step_sent_twice_at_once_takes_effect_once,
    a_rendezvous_point_is_agreed_only_when_both_sides_accept,
    withdraw_no_show_reassign_and_reject_are_side_states,
    healthz_answers_when_the_store_is_reachable,
    live_changes_reach_clients_of_every_server,
    two_servers_never_overfill_a_window_between_them,
);
