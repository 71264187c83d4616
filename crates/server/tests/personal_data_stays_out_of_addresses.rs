//! What a hotline caller says (their phone number, where they are, the place name they give,
//! the part of the map around them) never travels in an address, which a proxy's access log
//! or a browser's history would keep: no endpoint takes it in its query string, and the
//! lookup, the hotline's case view, the route, the gazetteer and the streets take it in a
//! JSON body (POST) only, their GET forms gone. The new forms answer as the old ones did,
//! with the same roles, per-user case-read limit and audit entries; bad input gets a clear
//! error naming what is wrong and changes nothing.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_server::api::endpoints;
use safeconduct_server::limits::Limits;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// Query parameters that would carry what a caller said or where they are.
const SAID: &[&str] = &[
    "phone",
    "from",
    "landmark",
    "q",
    "bbox",
    "reference",
    "lat",
    "lon",
];

#[test]
fn no_endpoint_takes_a_phone_a_position_or_a_name_in_its_query_string() {
    for e in endpoints() {
        for q in e.query {
            assert!(
                !SAID.contains(q),
                "{} {} takes {q} in its query string",
                e.method,
                e.path
            );
        }
    }
    // The document clients are built from says the same.
    let doc = safeconduct_server::openapi::document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                assert!(
                    !(p["in"] == "query" && SAID.contains(&name)),
                    "{method} {path} documents {name} in its query"
                );
            }
        }
    }
}

/// Limits for a test that reads one case more often than a person on a call would: the
/// per-user case reads off (one test below keeps them, to show they still count).
fn many_reads() -> Limits {
    Limits {
        requests_per_ip_per_second: 0,
        lookups_per_minute: 0,
        ..Default::default()
    }
}

/// The number of audit entries written since the chain's head was `before`.
async fn audited_since(app: &TestApp, before: i64) -> usize {
    app.on_store(move |s| s.audit_entries(before, 1000).unwrap())
        .await
        .len()
}

async fn the_query_string_forms_are_gone(backend: Backend) {
    let app = spawn_app_routing(backend).await;
    let p = app.places(50, 50).await;
    let reference = app.register_with_pass(1, "0700 700 001", p.window).await;
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    for path in [
        "/api/operations/{op}/lookup?phone=0700700001".to_string(),
        format!("/api/operations/{{op}}/lookup?reference={reference}"),
        format!("/api/operations/{{op}}/hotline/cases/{reference}?from=60.1699,24.9384"),
        format!("{}/route?landmark=Kauppatori", case(&reference)),
        "/api/operations/{op}/map/places?q=Kauppa".to_string(),
        "/api/operations/{op}/map/streets?bbox=60.16,24.93,60.17,24.95".to_string(),
    ] {
        let (status, body) = app.try_get(Role::Hotline, &path).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}: {body}");
        assert!(body.get("cases").is_none() && body.get("route").is_none());
    }
    assert_eq!(audited_since(&app, before).await, 0, "nothing was read");
}

async fn the_lookup_takes_the_phone_in_its_body_and_refuses_bad_input_writing_nothing(
    backend: Backend,
) {
    let app = spawn_app_with(backend, many_reads()).await;
    let reference = app.register(2, "0700 700 101").await;
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    let found = app
        .lookup(Role::Hotline, json!({ "phone": "+93 700 700 101" }))
        .await;
    assert_eq!(found["cases"][0]["reference"], reference.as_str());
    let by_reference = app
        .lookup(
            Role::Coordinator,
            json!({ "reference": reference.to_lowercase() }),
        )
        .await;
    assert_eq!(by_reference["cases"][0]["reference"], reference.as_str());
    let records: Vec<String> = app
        .on_store(move |s| s.audit_entries(before, 10).unwrap())
        .await
        .into_iter()
        .map(|(_, e)| {
            assert_eq!(e.action, "h::lookup");
            e.record.unwrap_or_default()
        })
        .collect();
    let listed = format!("/api/operations/{}/lookup: {reference}", app.op);
    assert_eq!(
        records,
        [listed.clone(), listed],
        "each lookup, with what it found"
    );

    // Refused: a clear error naming what is wrong, no case, no audit entry.
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    for (body, status, code, named) in [
        (json!({}), 422, "invalid_body", "phone or reference"),
        (
            json!({ "phone": "0700 700 101", "reference": reference }),
            422,
            "invalid_body",
            "phone or reference",
        ),
        (json!({ "phone": "call me" }), 422, "invalid_input", "phone"),
        (json!({ "phone": 700700101 }), 422, "invalid_body", "phone"),
        (json!({ "name": "Sadat" }), 422, "invalid_body", "name"),
        (
            json!({ "reference": "Habiba!" }),
            422,
            "invalid_input",
            "reference",
        ),
    ] {
        let (got, answer) = app
            .call(Role::Hotline, Method::POST, LOOKUP, Some(body.clone()))
            .await;
        assert_eq!(got.as_u16(), status, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        let message = error_message(&answer);
        assert!(message.contains(named), "{body}: {message}");
        assert!(answer.get("cases").is_none());
    }
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            LOOKUP,
            Some(json!({ "phone": "0700700101" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the same roles as before");
    assert_eq!(
        audited_since(&app, before).await,
        0,
        "a refusal is not a read"
    );
}

async fn the_hotline_case_and_route_take_the_position_in_their_body(backend: Backend) {
    let app = spawn_app_routing_with(backend, many_reads()).await;
    let p = app.places(50, 50).await;
    let reference = app.register_with_pass(2, "0700 700 201", p.window).await;
    let hotline = format!("/api/operations/{{op}}/hotline/cases/{reference}");
    let route = format!("{}/route", case(&reference));

    let plain = app.post(Role::Hotline, &hotline, Some(json!({}))).await;
    assert_eq!(plain["reference"], reference.as_str());
    assert_eq!(plain["route"], Value::Null, "no position, no route");
    let routed = app
        .post(
            Role::Hotline,
            &hotline,
            Some(json!({ "from": "60.1699,24.9384", "language": "en" })),
        )
        .await;
    assert_eq!(routed["route"]["language"], "en");
    let direct = app
        .post(
            Role::Coordinator,
            &route,
            Some(json!({ "from": "60.1699,24.9384", "language": "en" })),
        )
        .await;
    assert_eq!(direct["steps"], routed["route"]["steps"], "the same route");
    let by_landmark = app
        .post(
            Role::Hotline,
            &route,
            Some(json!({ "landmark": "Kauppatori" })),
        )
        .await;
    assert_eq!(by_landmark["landmark"], "Kauppatori");
    assert_eq!(by_landmark["language"], "prs", "the household's language");

    // Refused: named, and the case, its calls and messages are as they were.
    let before = app.get(Role::Coordinator, &case(&reference)).await;
    for path in [&hotline, &route] {
        for (body, code, named) in [
            (json!({ "from": "north" }), "invalid_position", "from"),
            (json!({ "from": "95,24.9" }), "invalid_input", "lat"),
            (
                json!({ "from": "60.17,24.94", "landmark": "Kauppatori" }),
                "invalid_position",
                "from",
            ),
            (
                json!({ "landmark": "Nowhere Such" }),
                "invalid_position",
                "landmark",
            ),
            (json!({ "from": [60.17, 24.94] }), "invalid_body", "from"),
            (
                json!({ "landmark": "Kauppatori", "language": "xx" }),
                "invalid_body",
                "language",
            ),
            (json!({ "phone": "0700700201" }), "invalid_body", "phone"),
        ] {
            let (status, answer) = app
                .call(Role::Hotline, Method::POST, path, Some(body.clone()))
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {body}: {answer}"
            );
            assert_eq!(answer["error"]["code"], code, "{path} {body}: {answer}");
            let message = error_message(&answer);
            assert!(message.contains(named), "{path} {body}: {message}");
        }
    }
    // The route alone needs a position.
    let (status, answer) = app
        .call(Role::Hotline, Method::POST, &route, Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(app.get(Role::Coordinator, &case(&reference)).await, before);
    let calls = app
        .get(Role::Coordinator, &format!("{}/calls", case(&reference)))
        .await;
    assert_eq!(calls, json!([]));
    let kinds = app.message_kinds(&reference).await;
    assert!(!kinds.iter().any(|k| k == "route"), "{kinds:?}");
    let (status, _) = app
        .call(Role::Escort, Method::POST, &hotline, Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the same roles as before");
}

async fn case_reads_in_a_body_count_against_the_same_per_user_limit(backend: Backend) {
    let limits = Limits {
        lookups_per_minute: 3,
        ..many_reads()
    };
    let app = spawn_app_with(backend, limits).await;
    let p = app.places(10, 10).await;
    let reference = app.register_with_pass(1, "0700 700 301", p.window).await;
    let hotline = format!("/api/operations/{{op}}/hotline/cases/{reference}");
    app.lookup(Role::Hotline, json!({ "phone": "0700700301" }))
        .await;
    app.post(Role::Hotline, &hotline, Some(json!({}))).await;
    app.get(Role::Coordinator, &case(&reference)).await;
    app.lookup(Role::Hotline, json!({ "reference": reference }))
        .await;
    for (path, body) in [
        (LOOKUP.to_string(), json!({ "reference": reference })),
        (hotline.clone(), json!({})),
    ] {
        let (status, answer) = app
            .call(Role::Hotline, Method::POST, &path, Some(body))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{path}: {answer}");
    }
}

safeconduct_store::on_both_backends_async!(
    the_query_string_forms_are_gone,
    the_lookup_takes_the_phone_in_its_body_and_refuses_bad_input_writing_nothing,
    the_hotline_case_and_route_take_the_position_in_their_body,
    case_reads_in_a_body_count_against_the_same_per_user_limit,
);
