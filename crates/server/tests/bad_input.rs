//! Bad input of every kind, at every endpoint that takes input: always a 4xx with a JSON
//! error carrying a stable code, never a 500, and never a partial write.

mod common;

use common::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_server::api::endpoints;
use safeconduct_server::endpoints::Access;
use safeconduct_store::CountScope;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// Everything a bad request could have touched. The store is synchronous: read off the
/// async worker.
fn snapshot(app: &TestApp) -> String {
    tokio::task::block_in_place(|| snapshot_here(app))
}

fn snapshot_here(app: &TestApp) -> String {
    let s = app.store.as_ref();
    let op = app.op;
    format!(
        "{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        s.stage_counts(op, CountScope::Operation).unwrap(),
        s.accountability(op).unwrap().registered_people,
        s.rvs(op)
            .unwrap()
            .iter()
            .map(|r| (r.id, r.status))
            .collect::<Vec<_>>(),
        s.gates(op)
            .unwrap()
            .iter()
            .map(|g| (g.id, g.status))
            .collect::<Vec<_>>(),
        s.windows(op)
            .unwrap()
            .iter()
            .map(|w| (w.id, w.assigned_people))
            .collect::<Vec<_>>(),
        s.flights(op)
            .unwrap()
            .iter()
            .map(|f| (f.id, f.manifested_people))
            .collect::<Vec<_>>(),
        s.hazards(op).unwrap().len(),
        s.batch_balances(op).unwrap(),
    )
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&app.all_roles)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let value = res.json::<Value>().await.unwrap_or(Value::Null);
    (status, value)
}

fn assert_client_error(status: StatusCode, body: &Value, what: &str) {
    assert!(status.is_client_error(), "{what}: {status} {body}");
    assert!(
        body["error"]["code"].is_string(),
        "{what}: no error code in {body}"
    );
    assert!(
        body["error"]["message"].is_string(),
        "{what}: no message in {body}"
    );
}

async fn malformed_bodies_are_refused_at_every_endpoint_without_writing_anything(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register(2, "0700 777 000").await;
    let before = snapshot(&app);
    let huge = format!(
        "{{\"name\": \"{}\"}}",
        "x".repeat(safeconduct_server::MAX_BODY_BYTES + 10)
    );
    let cases: Vec<(&str, Option<&str>, Vec<u8>, &str)> = vec![
        (
            "truncated JSON",
            Some("application/json"),
            b"{".to_vec(),
            "malformed_json",
        ),
        (
            "not JSON",
            Some("application/json"),
            b"hello".to_vec(),
            "malformed_json",
        ),
        (
            "an array",
            Some("application/json"),
            b"[]".to_vec(),
            "invalid_body",
        ),
        (
            "a number",
            Some("application/json"),
            b"42".to_vec(),
            "invalid_body",
        ),
        (
            "unknown fields",
            Some("application/json"),
            br#"{"surprise": true}"#.to_vec(),
            "invalid_body",
        ),
        (
            "no content type",
            None,
            b"{}".to_vec(),
            "unsupported_media_type",
        ),
        (
            "invalid UTF-8",
            Some("application/json"),
            vec![b'"', 0xff, 0xfe, b'"'],
            "malformed_json",
        ),
        (
            "oversized",
            Some("application/json"),
            huge.into_bytes(),
            "body_too_large",
        ),
    ];
    let mut checked = 0;
    for e in endpoints() {
        if e.request.is_none() || e.access == Access::Open && e.path != "/api/sessions" {
            continue;
        }
        let path = e
            .path
            .replace("{reference}", &reference)
            .replace("{rv}", &p.rv.to_string())
            .replace("{gate}", &p.gate.to_string())
            .replace("{flight}", &p.flight.to_string())
            .replace("{batch}", "1")
            .replace("{person}", "1");
        let method = Method::from_bytes(e.method.as_str().as_bytes()).unwrap();
        for (what, ct, body, code) in &cases {
            let (status, value) = raw(&app, method.clone(), &path, *ct, body.clone()).await;
            let label = format!("{} {} with {what}", e.method, e.path);
            assert_client_error(status, &value, &label);
            if *what != "unknown fields" && *what != "a number" {
                assert_eq!(value["error"]["code"], *code, "{label}: {value}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 8 * 15, "checked {checked}");
    assert_eq!(
        snapshot(&app),
        before,
        "a refused request changed stored data"
    );
}

async fn wrong_types_bad_values_and_unknown_enums_name_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let reference = app.register(1, "0700 777 001").await;
    let before = snapshot(&app);
    let member = |extra: Value| {
        let mut m = json!({"name": "Omid Sultani", "birth_date": "1972"});
        m.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"language": "prs", "members": [m]})
    };
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "POST",
            "/api/operations/{op}/households",
            json!({"language": "klingon", "members": [{"name": "A"}]}),
            "language",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            json!({"language": "prs", "members": []}),
            "members",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            json!({"language": "prs", "members": "everyone"}),
            "members",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"phone": "call me"})),
            "phone",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"phone": "+1"})),
            "phone",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"birth_date": "1899"})),
            "birth_date",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"birth_date": "1990-02-30"})),
            "birth_date",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"nationality": "Afghanistan"})),
            "country",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"name": "   "})),
            "name",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"documents": [{"type": "passport", "number": "!!"}]})),
            "document_number",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            member(json!({"documents": [{"type": "amulet", "number": "P123456"}]})),
            "type",
        ),
        (
            "POST",
            "/api/operations/{op}/households",
            json!({"language": "prs", "priorities": ["vip"], "members": [{"name": "A"}]}),
            "priorities",
        ),
        (
            "POST",
            "/api/operations/{op}/rvs",
            json!({"name": "X", "location": {"lat": 91.0, "lon": 24.9}, "landmark": "y"}),
            "lat",
        ),
        (
            "POST",
            "/api/operations/{op}/rvs",
            json!({"name": "X", "location": {"lat": 60.0, "lon": -181}, "landmark": "y"}),
            "lon",
        ),
        (
            "POST",
            "/api/operations/{op}/rvs",
            json!({"name": "X", "location": {"lat": "north", "lon": 24.9}, "landmark": "y"}),
            "lat",
        ),
        (
            "POST",
            "/api/operations/{op}/rvs",
            json!({"name": "", "location": {"lat": 60.0, "lon": 24.9}, "landmark": "y"}),
            "name",
        ),
        (
            "POST",
            "/api/operations/{op}/gates",
            json!({"name": "G", "location": {"lat": 60.0, "lon": 24.9}, "kind": "secret", "hourly_throughput": 10}),
            "kind",
        ),
        (
            "POST",
            "/api/operations/{op}/gates",
            json!({"name": "G", "location": {"lat": 60.0, "lon": 24.9}, "kind": "main", "hourly_throughput": 0}),
            "hourly_throughput",
        ),
        (
            "POST",
            "/api/operations/{op}/gates",
            json!({"name": "G", "location": {"lat": 60.0, "lon": 24.9}, "kind": "main", "hourly_throughput": -5}),
            "hourly_throughput",
        ),
        (
            "POST",
            "/api/operations/{op}/windows",
            json!({"rv_id": p.rv, "start": "tomorrow", "end": "2026-08-24T08:00:00Z", "capacity": 5}),
            "start",
        ),
        (
            "POST",
            "/api/operations/{op}/windows",
            json!({"rv_id": p.rv, "start": "2026-08-24T08:00:00Z", "end": "2026-08-24T06:00:00Z", "capacity": 5}),
            "end",
        ),
        (
            "POST",
            "/api/operations/{op}/windows",
            json!({"rv_id": p.rv, "start": "2026-08-24T06:00:00Z", "end": "2026-08-24T08:00:00Z", "capacity": 0}),
            "capacity",
        ),
        (
            "POST",
            "/api/operations/{op}/windows",
            json!({"rv_id": 9999, "start": "2026-08-24T06:00:00Z", "end": "2026-08-24T08:00:00Z", "capacity": 5}),
            "rendezvous point",
        ),
        (
            "POST",
            "/api/operations/{op}/flights",
            json!({"number": "RCH1", "departs_at": "2026-08-24T06:00:00Z", "capacity": 5000}),
            "capacity",
        ),
        (
            "POST",
            "/api/operations/{op}/hazards",
            json!({"kind": "crowd", "severity": "apocalyptic", "location": {"lat": 60.0, "lon": 24.9}, "radius_m": 100, "valid_from": "2026-08-24T06:00:00Z"}),
            "severity",
        ),
        (
            "POST",
            "/api/operations/{op}/hazards",
            json!({"kind": "crowd", "severity": "high", "location": {"lat": 60.0, "lon": 24.9}, "radius_m": 0, "valid_from": "2026-08-24T06:00:00Z"}),
            "radius_m",
        ),
        (
            "POST",
            "/api/operations/{op}/hazards",
            json!({"kind": "crowd", "severity": "high", "location": {"lat": 60.0, "lon": 24.9}, "radius_m": 10, "valid_from": "2026-08-24T06:00:00Z", "valid_until": "2026-08-24T05:00:00Z"}),
            "valid_until",
        ),
        (
            "POST",
            "/api/operations/{op}/households/{reference}/eligibility",
            json!({"decision": "maybe"}),
            "decision",
        ),
        (
            "POST",
            "/api/operations/{op}/households/{reference}/eligibility",
            json!({"decision": "eligible"}),
            "category",
        ),
        (
            "POST",
            "/api/operations/{op}/households/{reference}/eligibility",
            json!({"decision": "rejected"}),
            "reason",
        ),
        (
            "POST",
            "/api/operations/{op}/households/{reference}/assign",
            json!({"window_id": "first"}),
            "window_id",
        ),
        (
            "POST",
            "/api/operations/{op}/households/{reference}/withdraw",
            json!({"reason": ""}),
            "reason",
        ),
        (
            "POST",
            "/api/operations/{op}/batches",
            json!({"rv_id": p.rv, "gate_id": p.gate, "households": []}),
            "households",
        ),
        (
            "POST",
            "/api/operations/{op}/batches",
            json!({"rv_id": p.rv, "gate_id": p.gate, "households": ["not a reference"]}),
            "reference",
        ),
        (
            "POST",
            "/api/operations/{op}/gates/{gate}/status",
            json!({"status": "ajar"}),
            "status",
        ),
        (
            "POST",
            "/api/operations/{op}/households/{reference}/members/1/documents",
            json!({"type": "passport", "number": "P1234567", "expiry": "soon"}),
            "expiry",
        ),
        (
            "POST",
            "/api/sessions",
            json!({"username": 5, "password": "x"}),
            "username",
        ),
    ];
    for (method, path, body, field) in cases {
        let path = path
            .replace("{reference}", &reference)
            .replace("{gate}", &p.gate.to_string());
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let (status, value) = raw(
            &app,
            method,
            &path,
            Some("application/json"),
            serde_json::to_vec(&body).unwrap(),
        )
        .await;
        let label = format!("{path} with {body}");
        assert_client_error(status, &value, &label);
        let message = value["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(field),
            "{label}: message {message:?} does not name {field:?}"
        );
    }
    assert_eq!(
        snapshot(&app),
        before,
        "a refused request changed stored data"
    );
}

async fn bad_path_segments_and_queries_are_client_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    for (path, code) in [
        ("/api/operations/abc", "invalid_path"),
        (
            "/api/operations/{op}/households/not-a-ref!",
            "invalid_input",
        ),
        ("/api/operations/{op}/households/ZZZZ-ZZZZ", "not_found"),
        ("/api/operations/{op}/rvs/xyz/counts", "invalid_path"),
        (
            "/api/operations/{op}/rvs/99999999999999999999/counts",
            "invalid_path",
        ),
        ("/api/operations/{op}/lookup", "invalid_query"),
        ("/api/operations/{op}/lookup?phone=abc", "invalid_input"),
        (
            "/api/operations/{op}/lookup?phone=0700&reference=ABCD-EFGH",
            "invalid_query",
        ),
        ("/api/operations/{op}/batches/7", "not_found"),
        (
            "/api/operations/{op}/flights/7/manifest.csv",
            "reason_required",
        ),
        ("/api/nowhere", "not_found"),
    ] {
        let (status, value) = app
            .call_with(Some(&app.all_roles.clone()), Method::GET, path, None)
            .await;
        assert_client_error(status, &value, path);
        assert_eq!(value["error"]["code"], code, "{path}: {value}");
    }
    let (status, value) = app
        .call(
            Role::Coordinator,
            Method::PUT,
            "/api/operations/{op}/rvs",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(value["error"]["code"], "method_not_allowed");
}

safeconduct_store::on_both_backends_async!(
    malformed_bodies_are_refused_at_every_endpoint_without_writing_anything,
    wrong_types_bad_values_and_unknown_enums_name_the_field,
    bad_path_segments_and_queries_are_client_errors,
);
