//! A household driven through the whole lifecycle over HTTP, and the accountability rules
//! around it.

mod common;

use common::{assert_refused, case, read_stream_until, spawn_app, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

async fn a_household_travels_from_registration_to_boarding_and_every_count_adds_up(
    backend: Backend,
) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let reference = app.register(3, "0700 123 456").await;
    let case = case(&reference);

    // The hotline finds the case by the phone in another typed form, and by reference.
    let found = app
        .lookup(Role::Hotline, json!({ "phone": "+93700123456" }))
        .await;
    assert_eq!(found["cases"][0]["reference"], reference.as_str());
    assert_eq!(found["cases"][0]["size"], 3);
    let whole = app.get(Role::Coordinator, &case).await;
    assert_eq!(whole["members"][0]["name_native"], "سادات");
    let typed = reference.to_lowercase().replace('-', "");
    let by_ref = app
        .lookup(Role::Hotline, json!({ "reference": typed }))
        .await;
    assert_eq!(by_ref["cases"][0]["stage"], "registered");

    app.to_pass_issued(&reference, p.window).await;
    let windows = app.windows().await;
    assert_eq!(windows[0]["assigned_people"], 3);

    let admitted = app.admit_at_rv(&reference, p.rv).await;
    assert_eq!(admitted["to"], "admitted_at_rv");
    let rv_counts = format!("/api/operations/{{op}}/rvs/{}/counts", p.rv);
    let rv_counts = app.get(Role::Escort, &rv_counts).await;
    assert_eq!(rv_counts["people"]["admitted_at_rv"], 3);

    let batch = app.depart(p.rv, p.gate, &[&reference]).await;
    assert_eq!(batch["departed_people"], 3);
    let batch_id = batch["id"].as_i64().unwrap();
    let gate_counts = format!("/api/operations/{{op}}/gates/{}/counts", p.gate);
    let gate_counts = app.get(Role::Gate, &gate_counts).await;
    assert_eq!(
        gate_counts["people"]["in_escort"], 3,
        "the gate expects the batch"
    );

    app.arrive_at_gate(batch_id, &reference).await;
    let closed = app.close_batch(batch_id).await;
    assert_eq!(closed["alarm"], false);
    assert_eq!(closed["arrived_people"], 3);
    app.process(&reference, p.gate).await;
    app.manifest(p.flight, &reference).await;
    let boarded = app.board(&reference, p.flight).await;
    assert_eq!(boarded["to"], "boarded");

    let manifest = format!("/api/operations/{{op}}/flights/{}/manifest", p.flight);
    let reason = Some("boarding check at the aircraft");
    let csv = app
        .read_for(Role::Coordinator, &format!("{manifest}.csv"), reason)
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert_eq!(
        csv.lines().count(),
        4,
        "header and three passengers:\n{csv}"
    );
    assert!(csv.contains("Member0 Sadat"));
    let reason = Some("printed for the loadmaster");
    let html = app
        .read_for(Role::Coordinator, &format!("{manifest}.html"), reason)
        .await;
    assert!(
        html.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(html.text().await.unwrap().contains("Flight RCH871"));

    let events = app.get(Role::Auditor, &format!("{case}/events")).await;
    let kinds = common::kinds(&events);
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

    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["counts"]["people"]["boarded"], 3);
    let counts = app.counts().await;
    assert_eq!(counts["operation"]["total_people"], 3);
    assert_eq!(counts["operation"]["people"]["boarded"], 3);
}

async fn an_illegal_step_is_refused_naming_the_stage_and_the_allowed_steps(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = app.register(1, "0700 000 001").await;
    let (status, body) = app
        .try_step(Role::Coordinator, &reference, "pass", None)
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
    let (app, p) = spawn_app_with_places(backend, 4, 3).await;
    let a = app.register(3, "0700 000 002").await;
    let b = app.register(2, "0700 000 003").await;
    app.to_pass_issued(&a, p.window).await;
    for step in ["verify-documents"] {
        app.step(Role::Coordinator, &b, step, None).await;
    }
    let decision = json!({"decision": "eligible", "category": "citizen"});
    app.step(Role::Coordinator, &b, "eligibility", Some(decision))
        .await;
    let assignment = json!({"window_id": p.window});
    let (status, body) = app
        .try_step(Role::Coordinator, &b, "assign", Some(assignment))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "window_full");
    let case = app.get(Role::Coordinator, &case(&b)).await;
    assert_eq!(case["stage"], "eligible", "a refused step changes nothing");

    // Flight of 3 seats: a household of 3 fits, nothing more.
    let c = app.register(1, "0700 000 004").await;
    for r in [&a] {
        app.admit_at_rv(r, p.rv).await;
    }
    let batch = app.depart(p.rv, p.gate, &[&a]).await;
    let batch = batch["id"].as_i64().unwrap();
    app.arrive_at_gate(batch, &a).await;
    app.process(&a, p.gate).await;
    app.manifest(p.flight, &a).await;
    let _ = c;
    let flights = app
        .get(Role::Manifest, "/api/operations/{op}/flights")
        .await;
    assert_eq!(flights[0]["manifested_people"], 3);
}

async fn a_batch_closed_short_raises_an_alarm_and_marks_the_missing_unaccounted(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let a = app.register(2, "0700 000 010").await;
    let b = app.register(3, "0700 000 011").await;
    for r in [&a, &b] {
        app.to_pass_issued(r, p.window).await;
        app.admit_at_rv(r, p.rv).await;
    }
    let batch = app.depart(p.rv, p.gate, &[&a, &b]).await;
    assert_eq!(batch["departed_people"], 5);
    let id = batch["id"].as_i64().unwrap();
    app.arrive_at_gate(id, &a).await;
    let closed = app.close_batch(id).await;
    assert_eq!(closed["alarm"], true);
    assert_eq!(closed["unaccounted"], json!([b]));
    let report = app.accountability().await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["alarms"][0]["departed_people"], 5);
    assert_eq!(report["alarms"][0]["arrived_people"], 2);
    assert_eq!(report["counts"]["people"]["unaccounted"], 3);

    // Found late: the household arrives, and the batch balances again.
    app.arrive_at_gate(id, &b).await;
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");
}

async fn the_same_step_sent_twice_at_once_takes_effect_once(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let r = app.register_with_pass(2, "0700 000 020", p.window).await;
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
    let counts = app.counts().await;
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
    assert_refused(status, &refused, StatusCode::CONFLICT, "Idempotency-Key");
    let (status, _, refused) = send(app.base.clone(), "not a key", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_idempotency_key");

    let counts = app.counts().await;
    assert_eq!(counts["operation"]["total_people"], 2, "{counts}");
}

async fn a_rendezvous_point_is_agreed_only_when_both_sides_accept(backend: Backend) {
    let app = spawn_app(backend).await;
    let rv = json!({
        "name": "RV Bravo", "location": {"lat": 60.170061, "lon": 24.93795}, "landmark": "old post office clock"
    });
    let rv = app
        .create(Role::Escort, "/api/operations/{op}/rvs", rv)
        .await;
    assert_eq!(rv["status"], "proposed");
    assert_eq!(rv["accepted_by_escort"], true);
    let id = rv["id"].as_i64().unwrap();
    let (status, body) = app.try_rv_step(Role::Coordinator, id, "activate").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let rv = app.rv_step(Role::Coordinator, id, "accept").await;
    assert_eq!(rv["status"], "agreed");
    // Suspending is done by the escort assigned to the point; to any other escort the point
    // is not found.
    let (status, body) = app.try_rv_step(Role::Escort, id, "suspend").await;
    assert_eq!(body["error"]["code"], "not_found", "{status} {body}");
    app.assign("escort", &[id], &[]).await;
    let rv = app.rv_step(Role::Escort, id, "suspend").await;
    assert_eq!(rv["status"], "suspended");
}

async fn withdraw_no_show_reassign_and_reject_are_side_states(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let (start, end) = ("2030-08-24T08:00:00Z", "2030-08-24T10:00:00Z");
    let second_window = app.add_window(p.rv, start, end, 50).await;
    let a = app.register_with_pass(2, "0700 000 030", p.window).await;
    // The window is open: the escort's no-show would drop a household still on its way.
    let (status, early) = app.try_step(Role::Escort, &a, "no-show", None).await;
    assert_refused(
        status,
        &early,
        StatusCode::CONFLICT,
        "only once its window has closed",
    );
    let unchanged = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(
        unchanged["stage"], "pass_issued",
        "a refused step changes nothing"
    );
    // A coordinator may mark it sooner (a household known to have left another way).
    let ns = app.step(Role::Coordinator, &a, "no-show", None).await;
    assert_eq!(ns["to"], "no_show");
    let re = app.reassign(&a, second_window).await;
    assert_eq!(re["to"], "reassigned");
    let windows = app.windows().await;
    assert_eq!(
        windows[0]["assigned_people"], 0,
        "a no-show gives its seats back"
    );
    assert_eq!(windows[1]["assigned_people"], 2);
    let reason = json!({"reason": "caller decided to stay"});
    let wd = app
        .step(Role::Coordinator, &a, "withdraw", Some(reason))
        .await;
    assert_eq!(wd["to"], "withdrawn");
    let windows = app.windows().await;
    assert_eq!(windows[1]["assigned_people"], 0);

    let b = app.register(1, "0700 000 031").await;
    let decision = json!({"decision": "rejected", "reason": "no eligible category"});
    let rj = app
        .step(Role::Coordinator, &b, "eligibility", Some(decision))
        .await;
    assert_eq!(rj["to"], "rejected");
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");
}

async fn two_servers_never_overfill_a_window_between_them(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 3, 300).await;
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
    let windows = app.windows().await;
    assert_eq!(windows[0]["assigned_people"], 2);
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");
}

async fn live_changes_reach_clients_of_every_server(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let reference = app.register_with_pass(2, "0700 000 040", p.window).await;
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
    app.admit_at_rv(&reference, p.rv).await;
    app.depart(p.rv, p.gate, &[&reference]).await;
    let seen = read_stream_until(
        &mut stream,
        "depart_in_escort",
        "change on the other server",
    )
    .await;
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

/// Escorts and gate staff hear a household only within their part of the journey: a case
/// processed, manifested and boarded is not followed onto its flight on their streams (the
/// escort's ends at the gate, the gate staff's at processing).
async fn field_streams_end_where_their_part_of_the_journey_ends(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let mut streams = Vec::new();
    for role in [Role::Escort, Role::Gate] {
        let stream = app
            .client
            .get(app.url("/api/operations/{op}/live"))
            .bearer_auth(app.token(role))
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        streams.push((role, stream));
    }
    let a = app.register(2, "0700 000 041").await;
    app.to_processed(&p, &a).await;
    app.manifest(p.flight, &a).await;
    app.board(&a, p.flight).await;
    // A second household leaves the RV after: the last change both streams hear.
    let b = app.register_with_pass(1, "0700 000 042", p.window).await;
    app.admit_at_rv(&b, p.rv).await;
    let last = app.depart(p.rv, p.gate, &[&b]).await;
    let last = format!("\"batch_id\":{}", last["id"]);
    for (role, mut stream) in streams {
        let seen = read_stream_until(&mut stream, &last, "the second departure").await;
        assert!(
            seen.contains("\"kind\":\"arrive_at_gate\""),
            "{role}: {seen}"
        );
        for kind in ["manifest", "board"] {
            let heard = format!("\"kind\":\"{kind}\"");
            assert!(!seen.contains(&heard), "{role} heard {kind}: {seen}");
        }
        let processed = seen.contains("\"kind\":\"process\"");
        assert_eq!(processed, role == Role::Gate, "{role}: {seen}");
    }
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
    field_streams_end_where_their_part_of_the_journey_ends,
    two_servers_never_overfill_a_window_between_them,
);
