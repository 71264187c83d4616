//! A field user probes for what lies outside their places: whether a case exists, at which
//! stage and at which RV (through rv-arrival, no-show and batch departures), whether batches
//! and RVs exist (by id), and a coordinator whether a user name exists in another operation.
//! Each answer about something outside the caller's places is compared, whole (status,
//! headers, body), with the answer about something that does not exist: they must be the same
//! but for the identifier asked about. And every answer, 404 and 405 included, carries the
//! security headers.

mod common;

use common::{Places, TestApp, case, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// A reference in the right form that names no case.
const NO_CASE: &str = "2222-2222";

/// An answer as a caller sees it: status, every header but the date, and the body with the
/// identifier asked about replaced by a placeholder.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: String,
}

async fn answer(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    asked: &str,
) -> Answer {
    let (status, headers, text) = app.raw(token, method, path, body).await;
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| *name != "date")
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    Answer {
        status,
        headers,
        body: text.replace(asked, "<asked>"),
    }
}

/// An id of as many digits as `id` that names nothing (the test creates few records).
fn absent_like(id: i64) -> i64 {
    let absent = 10i64.pow(id.to_string().len() as u32) - 1;
    assert_ne!(absent, id);
    absent
}

/// RV A, gate A and a window at A, where the test escort and gate users work (from
/// [`TestApp::places`]); RV B with gate B and a window open now, where a second escort
/// works; RV C, proposed by the coordinators and assigned to no one.
struct Scene {
    app: TestApp,
    a: Places,
    rv_b: i64,
    gate_b: i64,
    window_b: i64,
    rv_c: i64,
    escort_b: String,
}

async fn scene(backend: Backend) -> Scene {
    let (app, a) = spawn_app_with_places(backend, 20, 20).await;
    let rv_b = app.propose_rv("RV Bravo").await;
    let escort_b = app.add_user("escort-b", Role::Escort).await;
    app.assign("escort-b", &[rv_b], &[]).await;
    let accept = format!("/api/operations/{{op}}/rvs/{rv_b}/accept");
    let (status, body) = app
        .call_with(Some(&escort_b), Method::POST, &accept, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.rv_step(Role::Coordinator, rv_b, "activate").await;
    let gate_b = json!({
        "name": "Gate 9", "location": { "lat": 60.168, "lon": 24.943 }, "kind": "main",
        "hourly_throughput": 300, "rv_ids": [rv_b]
    });
    let gate_b = app
        .create(Role::Coordinator, "/api/operations/{op}/gates", gate_b)
        .await["id"]
        .as_i64()
        .unwrap();
    let now = safeconduct_keys::now().0;
    let (start, end) = (
        time_text(Timestamp(now - 600)),
        time_text(Timestamp(now + 3600)),
    );
    let window_b = app.add_window(rv_b, &start, &end, 20).await;
    let rv_c = app.propose_rv("RV Charlie").await;
    Scene {
        app,
        a,
        rv_b,
        gate_b,
        window_b,
        rv_c,
        escort_b,
    }
}

/// One probe: who asks, how, and about what; `{id}` in the path or the body stands for the
/// identifier asked about, which answers name as `{named}{id}` ("case " is not written:
/// answers name a case by its bare reference).
struct Probe<'a> {
    token: &'a str,
    method: Method,
    path: &'a str,
    body: Option<Value>,
    named: &'a str,
}

impl Scene {
    /// Asserts that the probe gets the same answer about `outside` as about `absent`: 404,
    /// and nothing else differs but the identifier.
    async fn same_answer(&self, probe: Probe<'_>, outside: &str, absent: &str) {
        let Probe {
            token,
            method,
            path,
            body,
            named,
        } = probe;
        let fill = |id: &str| {
            let path = path.replace("{id}", id);
            let body = body
                .as_ref()
                .map(|b| serde_json::from_str(&b.to_string().replace("{id}", id)).unwrap());
            (path, body)
        };
        let (path_o, body_o) = fill(outside);
        let (path_a, body_a) = fill(absent);
        let asked = |id: &str| format!("{named}{id}");
        let seen = answer(
            &self.app,
            token,
            method.clone(),
            &path_o,
            body_o,
            &asked(outside),
        )
        .await;
        let none = answer(
            &self.app,
            token,
            method.clone(),
            &path_a,
            body_a,
            &asked(absent),
        )
        .await;
        assert_eq!(
            seen, none,
            "{method} {path}: {outside} (outside) and {absent} (absent)"
        );
        assert_eq!(
            seen.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {seen:?}"
        );
    }

    fn token(&self, role: Role) -> String {
        self.app.token(role).to_string()
    }
}

async fn an_escort_learns_nothing_of_cases_outside_their_places(backend: Backend) {
    let s = scene(backend).await;
    // A case at RV B with its pass, and a case that has no RV yet.
    let at_b = s
        .app
        .register_with_pass(2, "0700 411 001", s.window_b)
        .await;
    let unplaced = s.app.register(1, "0700 411 002").await;
    let escort = s.token(Role::Escort);
    let here = json!({ "rv_id": s.a.rv });
    for outside in [&at_b, &unplaced] {
        let rv_arrival = format!("{}/rv-arrival", case("{id}"));
        let no_show = format!("{}/no-show", case("{id}"));
        let depart = json!({ "rv_id": s.a.rv, "gate_id": s.a.gate, "households": ["{id}"] });
        for (path, body) in [
            (rv_arrival.as_str(), Some(here.clone())),
            (no_show.as_str(), None),
            ("/api/operations/{op}/batches", Some(depart)),
        ] {
            let probe = Probe {
                token: &escort,
                method: Method::POST,
                path,
                body,
                named: "",
            };
            s.same_answer(probe, outside, NO_CASE).await;
        }
    }
    // Nothing happened to them.
    let at_b_now = s.app.get(Role::Coordinator, &case(&at_b)).await;
    assert_eq!(at_b_now["stage"], "pass_issued", "{at_b_now}");
    // The escort at RV B still admits their own case.
    let admit = json!({ "rv_id": s.rv_b });
    let path = format!("{}/rv-arrival", case(&at_b));
    let (status, body) = s
        .app
        .call_with(Some(&s.escort_b), Method::POST, &path, Some(admit))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn batches_outside_the_callers_places_do_not_exist_for_them(backend: Backend) {
    let s = scene(backend).await;
    let at_b = s
        .app
        .register_with_pass(1, "0700 411 003", s.window_b)
        .await;
    let path = format!("{}/rv-arrival", case(&at_b));
    let admit = Some(json!({ "rv_id": s.rv_b }));
    let (status, body) = s
        .app
        .call_with(Some(&s.escort_b), Method::POST, &path, admit)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let depart = json!({ "rv_id": s.rv_b, "gate_id": s.gate_b, "households": [at_b] });
    let (status, batch) = s
        .app
        .call_with(
            Some(&s.escort_b),
            Method::POST,
            "/api/operations/{op}/batches",
            Some(depart),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{batch}");
    let batch = batch["id"].as_i64().unwrap();
    let (outside, absent) = (batch.to_string(), absent_like(batch).to_string());
    let by_id = "/api/operations/{op}/batches/{id}";
    let (arrivals, close) = (format!("{by_id}/arrivals"), format!("{by_id}/close"));
    let gate = s.token(Role::Gate);
    let escort = s.token(Role::Escort);
    let arrival = Some(json!({ "reference": at_b }));
    for (token, method, path, body) in [
        (&gate, Method::GET, by_id, None),
        (&escort, Method::GET, by_id, None),
        (&gate, Method::POST, arrivals.as_str(), arrival),
        (&gate, Method::POST, close.as_str(), None),
    ] {
        let probe = Probe {
            token,
            method,
            path,
            body,
            named: "batch ",
        };
        s.same_answer(probe, &outside, &absent).await;
    }
}

async fn rendezvous_points_outside_an_escorts_places_do_not_exist_for_them(backend: Backend) {
    let s = scene(backend).await;
    let escort = s.token(Role::Escort);
    for (outside, method, step) in [
        (s.rv_b, Method::GET, "counts"),
        (s.rv_b, Method::POST, "suspend"),
        // A proposal the escort is not assigned to: they may not accept it.
        (s.rv_c, Method::POST, "accept"),
    ] {
        let path = format!("/api/operations/{{op}}/rvs/{{id}}/{step}");
        let probe = Probe {
            token: &escort,
            method,
            path: &path,
            body: None,
            named: "rendezvous point ",
        };
        let absent = absent_like(outside).to_string();
        s.same_answer(probe, &outside.to_string(), &absent).await;
    }
    // The proposal is still awaiting the escort party, and no escort sees it in a list.
    let rvs = s
        .app
        .get(Role::Coordinator, "/api/operations/{op}/rvs")
        .await;
    let c = rvs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == s.rv_c)
        .unwrap();
    assert_eq!(c["accepted_by_escort"], false, "{c}");
    let listed = s.app.get(Role::Escort, "/api/operations/{op}/rvs").await;
    let ids: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![s.a.rv]);
}

async fn a_user_name_of_another_operation_is_not_revealed(backend: Backend) {
    let s = scene(backend).await;
    // "outsider" holds a role in another operation only; "nobody00" does not exist.
    let coordinator = s.token(Role::Coordinator);
    let probe = Probe {
        token: &coordinator,
        method: Method::PUT,
        path: "/api/operations/{op}/users/{id}/places",
        body: Some(json!({ "rv_ids": [s.a.rv] })),
        named: "",
    };
    s.same_answer(probe, "outsider", "nobody00").await;
    // A user of this operation who holds no field role is still told why.
    let (status, value) = s
        .app
        .call(
            Role::Coordinator,
            Method::PUT,
            "/api/operations/{op}/users/hotline/places",
            Some(json!({ "rv_ids": [s.a.rv] })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{value}");
}

/// The headers every answer carries.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

async fn every_answer_carries_the_security_headers_405_and_404_included(backend: Backend) {
    let s = scene(backend).await;
    let coordinator = s.token(Role::Coordinator);
    for (method, path, status) in [
        (Method::GET, "/api/operations/{op}/rvs", StatusCode::OK),
        (
            Method::PATCH,
            "/api/operations/{op}/rvs",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (Method::DELETE, "/healthz", StatusCode::METHOD_NOT_ALLOWED),
        (
            Method::GET,
            "/api/operations/{op}/no-such-thing",
            StatusCode::NOT_FOUND,
        ),
        (Method::GET, "/no/such/path", StatusCode::NOT_FOUND),
    ] {
        let (got, headers, body) = s.app.raw(&coordinator, method.clone(), path, None).await;
        assert_eq!(got, status, "{method} {path}: {body}");
        for (name, value) in SECURITY_HEADERS {
            assert_eq!(
                headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{method} {path}: {name} missing from {headers:?}"
            );
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            let error: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(error["error"]["code"], "method_not_allowed", "{body}");
            assert!(headers.get("allow").is_some(), "{headers:?}");
        }
    }
}

/// An escort departs towards gate after gate to map the discreet gates: a gate that receives
/// no batches from their RV answers as a gate that does not exist, with or without a case of
/// theirs in the batch.
async fn an_escort_cannot_map_the_gates_of_other_rendezvous_points(backend: Backend) {
    let s = scene(backend).await;
    let escort = s.token(Role::Escort);
    let mine = s
        .app
        .register_with_pass(1, "0700 411 031", s.a.window)
        .await;
    s.app.admit_at_rv(&mine, s.a.rv).await;
    let absent = absent_like(s.gate_b);
    for households in [json!([NO_CASE]), json!([mine])] {
        let depart =
            |gate: i64| Some(json!({ "rv_id": s.a.rv, "gate_id": gate, "households": households }));
        let batches = "/api/operations/{op}/batches";
        let seen = answer(
            &s.app,
            &escort,
            Method::POST,
            batches,
            depart(s.gate_b),
            &format!("gate {}", s.gate_b),
        )
        .await;
        let none = answer(
            &s.app,
            &escort,
            Method::POST,
            batches,
            depart(absent),
            &format!("gate {absent}"),
        )
        .await;
        assert_eq!(seen, none, "gate {} of RV B and an absent gate", s.gate_b);
        assert_eq!(seen.status, StatusCode::NOT_FOUND, "{seen:?}");
    }
}

safeconduct_store::on_both_backends_async!(
    an_escort_cannot_map_the_gates_of_other_rendezvous_points,
    an_escort_learns_nothing_of_cases_outside_their_places,
    batches_outside_the_callers_places_do_not_exist_for_them,
    rendezvous_points_outside_an_escorts_places_do_not_exist_for_them,
    a_user_name_of_another_operation_is_not_revealed,
    every_answer_carries_the_security_headers_405_and_404_included,
);
