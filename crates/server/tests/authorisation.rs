//! Every endpoint, called by every role: the roles it does not name get 403, a caller without
//! credentials gets 401, a user of another operation gets 403, and the roles it names pass the
//! gate. Generated from the endpoint table, so a new endpoint is covered the day it is added.

mod common;

use common::spawn_app;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_server::api::endpoints;
use safeconduct_server::endpoints::Access;
use safeconduct_store::testing::Backend;
use serde_json::json;

fn concrete(path: &str, reference: &str) -> String {
    path.replace("{reference}", reference)
        .replace("{person}", "1")
        .replace("{rv}", "1")
        .replace("{gate}", "1")
        .replace("{batch}", "1")
        .replace("{flight}", "1")
        .replace("{window}", "1")
}

/// The ids in a list of places.
fn place_ids(list: &serde_json::Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|place| place["id"].as_i64().unwrap())
        .collect()
}

async fn every_endpoint_refuses_the_roles_it_does_not_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = app.register(1, "0700 555 000").await;
    let mut checked = 0;
    for e in endpoints() {
        let path = concrete(e.path, &reference);
        let method = Method::from_bytes(e.method.as_str().as_bytes()).unwrap();
        match e.access {
            Access::Open => {
                let (status, _) = app
                    .call_with(None, method.clone(), &path, Some(serde_json::json!({})))
                    .await;
                assert_ne!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} is open",
                    e.method,
                    e.path
                );
            }
            Access::SignedIn => {
                let (status, body) = app.call_with(None, method.clone(), &path, None).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {}", e.method, e.path);
                assert_eq!(body["error"]["code"], "unauthenticated");
            }
            Access::Roles(allowed) => {
                let (status, body) = app.call_with(None, method.clone(), &path, None).await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} without credentials",
                    e.method,
                    e.path
                );
                assert_eq!(body["error"]["code"], "unauthenticated");
                let (status, _) = app
                    .call_with(Some("0".repeat(64).as_str()), method.clone(), &path, None)
                    .await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} with an unknown token",
                    e.method,
                    e.path
                );
                let outsider = app.outsider.clone();
                let (status, _) = app
                    .call_with(Some(&outsider), method.clone(), &path, None)
                    .await;
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {} by a user of another operation",
                    e.method,
                    e.path
                );
                for role in Role::ALL {
                    let (status, body) = app.call(role, method.clone(), &path, None).await;
                    if allowed.contains(&role) {
                        // The role gate admits; an escort or gate user holding no place here
                        // may still be refused by the place check, never by the role gate.
                        let by_place = status == StatusCode::FORBIDDEN
                            && body["error"]["code"] == "out_of_scope"
                            && matches!(role, Role::Escort | Role::Gate);
                        assert!(
                            by_place
                                || (status != StatusCode::FORBIDDEN
                                    && status != StatusCode::UNAUTHORIZED),
                            "{} {} must admit {role}: {status} {body}",
                            e.method,
                            e.path
                        );
                    } else {
                        assert_eq!(
                            status,
                            StatusCode::FORBIDDEN,
                            "{} {} must refuse {role}: {body}",
                            e.method,
                            e.path
                        );
                        assert_eq!(body["error"]["code"], "forbidden");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 200, "checked {checked} role/endpoint pairs");
}

async fn escort_and_gate_roles_cannot_list_or_read_households(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = app.register(2, "0700 555 001").await;
    for role in [Role::Escort, Role::Gate, Role::Manifest, Role::Auditor] {
        for (method, path, body) in [
            (
                Method::GET,
                format!("/api/operations/{{op}}/households/{reference}"),
                None,
            ),
            (
                Method::POST,
                "/api/operations/{op}/lookup".to_string(),
                Some(serde_json::json!({ "phone": "0700555001" })),
            ),
            (
                Method::GET,
                "/api/operations/{op}/households?stage=registered".to_string(),
                None,
            ),
            (Method::GET, "/api/operations/{op}/alarms".to_string(), None),
        ] {
            let (status, _) = app.call(role, method, &path, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} {path}");
        }
    }
}

/// The hotline finds a case and guides its caller; it never reads the whole case (names,
/// birth dates, documents, home), never takes its pass (a pass in hand admits whoever holds
/// it), and never withdraws it. What a lookup tells it is the case's reference, stage and size.
async fn the_hotline_reads_no_whole_case_and_mints_no_pass(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(20, 20).await;
    let reference = app.register_with_pass(2, "0700 555 002", p.window).await;
    let case = format!("/api/operations/{{op}}/households/{reference}");
    for (method, path) in [
        (Method::GET, case.clone()),
        (Method::GET, format!("{case}/pass")),
        (Method::GET, format!("{case}/pass.svg")),
        (Method::GET, format!("{case}/pass.png")),
        (Method::GET, format!("{case}/pass.html")),
        (Method::POST, format!("{case}/withdraw")),
    ] {
        let body = (method == Method::POST).then(|| json!({ "reason": "caller asked" }));
        let (status, answer) = app.call(Role::Hotline, method, &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert!(!answer.to_string().contains("0700"), "{answer}");
    }
    assert_eq!(app.stage(&reference).await, "pass_issued");
    let found = app
        .lookup(Role::Hotline, json!({ "phone": "0700555002" }))
        .await;
    assert_eq!(
        found,
        json!({ "cases": [{ "reference": reference, "stage": "pass_issued", "size": 2 }] })
    );
    let hotline_case = format!("/api/operations/{{op}}/hotline/cases/{reference}");
    let view = app
        .post(Role::Hotline, &hotline_case, Some(json!({})))
        .await;
    assert_eq!(view["size"], 2, "{view}");
    // The coordinator's view is whole.
    let whole = app.get(Role::Coordinator, &case).await;
    assert_eq!(
        whole["members"].as_array().map(Vec::len),
        Some(2),
        "{whole}"
    );
}

async fn a_signed_out_token_stops_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.token(Role::Coordinator).to_string();
    let (status, _) = app
        .call_with(Some(&token), Method::GET, "/api/operations/{op}", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call_with(Some(&token), Method::DELETE, "/api/sessions", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .call_with(Some(&token), Method::GET, "/api/operations/{op}", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    for (user, password) in [
        ("coordinator", "wrong password here"),
        ("nobody", "correct horse battery"),
    ] {
        let (status, body) = app
            .call_with(
                None,
                Method::POST,
                "/api/sessions",
                Some(serde_json::json!({"username": user, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
}

/// Escort and gate users act only at the places assigned to them, while the assignment holds:
/// every endpoint that names a place (in its path, its body or through a batch or a case) is
/// called with a place of someone else's and refused (403 for a place named in the body, 404
/// for one named in the path), and with the caller's own and admitted.
async fn escort_and_gate_users_are_refused_outside_their_places(backend: Backend) {
    let app = spawn_app(backend).await;
    let own = app.places(20, 20).await; // RV A and gate A, assigned to the escort and gate users
    let rv_b = serde_json::json!({
        "name": "RV Bravo", "location": { "lat": 60.16, "lon": 24.94 }, "landmark": "the old kiosk"
    });
    let rv_b = app
        .create(Role::Coordinator, "/api/operations/{op}/rvs", rv_b)
        .await;
    let rv_b = rv_b["id"].as_i64().unwrap();
    // The escort party accepts a proposal through an escort assigned to it, who then moves on.
    app.assign("escort", &[own.rv, rv_b], &[]).await;
    app.rv_step(Role::Escort, rv_b, "accept").await;
    app.assign("escort", &[own.rv], &[]).await;
    app.rv_step(Role::Coordinator, rv_b, "activate").await;
    let gate_b = serde_json::json!({
        "name": "Gate 9", "location": { "lat": 60.168, "lon": 24.943 }, "kind": "main",
        "hourly_throughput": 300, "rv_ids": [own.rv, rv_b]
    });
    let gate_b = app
        .create(Role::Coordinator, "/api/operations/{op}/gates", gate_b)
        .await;
    let gate_b = gate_b["id"].as_i64().unwrap();
    let at_a = app.register_with_pass(1, "0700 900 001", own.window).await;
    app.admit_at_rv(&at_a, own.rv).await;
    let escort_batch = app.depart(own.rv, gate_b, &[&at_a]).await;
    let batch = escort_batch["id"].as_i64().unwrap();

    let refused: Vec<(Role, Method, String, Option<serde_json::Value>)> = vec![
        (
            Role::Escort,
            Method::GET,
            format!("/api/operations/{{op}}/rvs/{rv_b}/counts"),
            None,
        ),
        (
            Role::Escort,
            Method::POST,
            format!("/api/operations/{{op}}/rvs/{rv_b}/suspend"),
            None,
        ),
        (
            Role::Escort,
            Method::POST,
            format!("/api/operations/{{op}}/households/{at_a}/rv-arrival"),
            Some(serde_json::json!({"rv_id": rv_b})),
        ),
        (
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/batches".into(),
            Some(serde_json::json!({"rv_id": rv_b, "gate_id": own.gate, "households": [at_a]})),
        ),
        (
            Role::Gate,
            Method::GET,
            format!("/api/operations/{{op}}/gates/{gate_b}/counts"),
            None,
        ),
        (
            Role::Gate,
            Method::POST,
            format!("/api/operations/{{op}}/gates/{gate_b}/suspend"),
            None,
        ),
        (
            Role::Gate,
            Method::POST,
            format!("/api/operations/{{op}}/households/{at_a}/processed"),
            Some(serde_json::json!({"gate_id": gate_b})),
        ),
        (
            Role::Gate,
            Method::GET,
            format!("/api/operations/{{op}}/batches/{batch}"),
            None,
        ),
        (
            Role::Gate,
            Method::POST,
            format!("/api/operations/{{op}}/batches/{batch}/arrivals"),
            Some(serde_json::json!({"reference": at_a})),
        ),
        (
            Role::Gate,
            Method::POST,
            format!("/api/operations/{{op}}/batches/{batch}/close"),
            None,
        ),
    ];
    // A place the caller says they act at (in the body) is refused as out of scope; a place
    // or batch named in the path is not found for them, as one that does not exist.
    for (role, method, path, body) in refused {
        let (status, value) = app.call(role, method.clone(), &path, body).await;
        let expected = if path.contains(&format!("/{rv_b}/"))
            || path.contains(&format!("/{gate_b}/"))
            || path.contains(&format!("/batches/{batch}"))
        {
            (StatusCode::NOT_FOUND, "not_found")
        } else {
            (StatusCode::FORBIDDEN, "out_of_scope")
        };
        assert_eq!(
            (status, value["error"]["code"].as_str().unwrap()),
            expected,
            "{method} {path} as {role}: {value}"
        );
    }
    // Their own places answer.
    let own_rv = format!("/api/operations/{{op}}/rvs/{}/counts", own.rv);
    app.get(Role::Escort, &own_rv).await;
    let own_gate = format!("/api/operations/{{op}}/gates/{}/counts", own.gate);
    app.get(Role::Gate, &own_gate).await;
    let own_batch = format!("/api/operations/{{op}}/batches/{batch}");
    app.get(Role::Escort, &own_batch).await;
    // Lists show their own places only.
    let rvs = app.get(Role::Escort, "/api/operations/{op}/rvs").await;
    let ids: Vec<i64> = place_ids(&rvs);
    assert_eq!(ids, vec![own.rv]);
    let gates = app.get(Role::Gate, "/api/operations/{op}/gates").await;
    let ids: Vec<i64> = place_ids(&gates);
    assert_eq!(ids, vec![own.gate]);
    // An assignment that has ended no longer counts.
    app.ok(Role::Coordinator, Method::PUT, "/api/operations/{op}/users/escort/places", Some(serde_json::json!({
        "rv_ids": [own.rv], "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2026-01-02T00:00:00Z"
    })), 200)
    .await;
    let (status, value) = app.call(Role::Escort, Method::GET, &own_rv, None).await;
    assert_eq!(
        (status, value["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    // Only escort and gate users are given places.
    let (status, value) = app
        .call(
            Role::Coordinator,
            Method::PUT,
            "/api/operations/{op}/users/hotline/places",
            Some(serde_json::json!({"rv_ids": [own.rv]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{value}");
}

/// Who acts where: the operation's escort and gate users (no one of another role or of another
/// operation) with the places they act at, and the places that receive people where nobody
/// acts; for coordinators only.
async fn a_coordinator_sees_who_acts_where_and_where_nobody_does(backend: Backend) {
    let (app, p) = common::spawn_app_with_places(backend, 10, 10).await;
    let path = "/api/operations/{op}/field-users";
    let rv = json!([{"id": p.rv, "name": "RV Alpha"}]);
    let gate = json!([{"id": p.gate, "name": "Gate 7"}]);
    let who = app.get(Role::Coordinator, path).await;
    assert_eq!(
        who["users"],
        json!([
            {"username": "all", "roles": ["escort", "gate"], "rvs": rv, "gates": gate},
            {"username": "escort", "roles": ["escort"], "rvs": rv, "gates": []},
            {"username": "gate", "roles": ["gate"], "rvs": [], "gates": gate},
        ])
    );
    assert_eq!(who["rvs_without_escort"], json!([]));
    assert_eq!(who["gates_without_staff"], json!([]));
    // Nobody left at the active RV and the open gate: both named.
    for user in ["all", "escort", "gate"] {
        app.assign(user, &[], &[]).await;
    }
    let who = app.get(Role::Coordinator, path).await;
    assert_eq!(who["rvs_without_escort"], rv);
    assert_eq!(who["gates_without_staff"], gate);
    assert_eq!(
        who["users"][1],
        json!({"username": "escort", "roles": ["escort"], "rvs": [], "gates": []})
    );
    for role in [Role::Hotline, Role::Escort, Role::Gate] {
        let (status, _) = app.call(role, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

/// Gate staff may stop their open gate taking people, but only a coordinator opens it again,
/// closes it, or changes a closed one: a gate stopped by a coordinator or by a hazard stays so
/// until a coordinator acts. The gate staff's answer says nothing of the re-plan that follows.
async fn gate_staff_suspend_their_gate_and_only_a_coordinator_opens_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let own = app.places(20, 20).await;
    let suspend = format!("/api/operations/{{op}}/gates/{}/suspend", own.gate);
    let out = app.ok(Role::Gate, Method::POST, &suspend, None, 200).await;
    assert_eq!(out["status"], "suspended", "{out}");
    assert!(out.get("replan").is_none(), "{out}");
    let status = format!("/api/operations/{{op}}/gates/{}/status", own.gate);
    let open = || Some(serde_json::json!({"status": "open"}));
    let (code, body) = app.call(Role::Gate, Method::POST, &status, open()).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
    let gates = app.get(Role::Gate, "/api/operations/{op}/gates").await;
    assert_eq!(gates[0]["status"], "suspended", "{gates}");
    // Suspended again, it stays suspended.
    let out = app.ok(Role::Gate, Method::POST, &suspend, None, 200).await;
    assert_eq!(out["status"], "suspended", "{out}");
    let out = app
        .ok(Role::Coordinator, Method::POST, &status, open(), 200)
        .await;
    assert_eq!(out["status"], "open", "{out}");
    // A gate a coordinator closed is not theirs to turn suspended (and so open again later).
    let closed = Some(serde_json::json!({"status": "closed"}));
    app.ok(Role::Coordinator, Method::POST, &status, closed, 200)
        .await;
    let (code, body) = app.call(Role::Gate, Method::POST, &suspend, None).await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    let gates = app.get(Role::Gate, "/api/operations/{op}/gates").await;
    assert_eq!(gates[0]["status"], "closed", "{gates}");
}

safeconduct_store::on_both_backends_async!(
    gate_staff_suspend_their_gate_and_only_a_coordinator_opens_it,
    a_coordinator_sees_who_acts_where_and_where_nobody_does,
    escort_and_gate_users_are_refused_outside_their_places,
    every_endpoint_refuses_the_roles_it_does_not_name,
    escort_and_gate_roles_cannot_list_or_read_households,
    the_hotline_reads_no_whole_case_and_mints_no_pass,
    a_signed_out_token_stops_working,
    a_wrong_password_and_an_unknown_user_get_the_same_answer,
);
