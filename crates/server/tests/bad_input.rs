//! Bad input of every kind, at every endpoint that takes input: always a 4xx with a JSON
//! error carrying a stable code, never a 500, and never a partial write.

mod common;

use common::{Places, TestApp, error_message, spawn_app, spawn_app_with, spawn_app_with_places};
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

/// What a snapshot keeps of each place in a list.
fn each<T, K>(list: &[T], keep: impl Fn(&T) -> K) -> Vec<K> {
    list.iter().map(keep).collect()
}

fn snapshot_here(app: &TestApp) -> String {
    let s = app.store.as_ref();
    let op = app.op;
    format!(
        "{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        s.stage_counts(op, CountScope::Operation).unwrap(),
        s.accountability(op, safeconduct_keys::now())
            .unwrap()
            .registered_people,
        each(&s.rvs(op).unwrap(), |r| (r.id, r.status)),
        each(&s.gates(op).unwrap(), |g| (g.id, g.status)),
        each(&s.windows(op).unwrap(), |w| (w.id, w.assigned_people)),
        each(&s.flights(op).unwrap(), |f| (f.id, f.manifested_people)),
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

/// Every endpoint with every bad body, from one token: no rate limit stands in the way (the
/// hotline's case reads, which take a body, included).
fn unlimited() -> safeconduct_server::limits::Limits {
    safeconduct_server::limits::Limits {
        requests_per_second: 0,
        requests_per_ip_per_second: 0,
        lookups_per_minute: 0,
        ..Default::default()
    }
}

/// `path` with its parameters filled: the test's case and places, and 1 for the rest.
fn fill_path(path: &str, reference: &str, p: &Places) -> String {
    path.replace("{reference}", reference)
        .replace("{rv}", &p.rv.to_string())
        .replace("{gate}", &p.gate.to_string())
        .replace("{flight}", &p.flight.to_string())
        .replace("{window}", &p.window.to_string())
        .replace("{batch}", "1")
        .replace("{person}", "1")
        .replace("{device}", "1")
        .replace("{incident}", "1")
        .replace("{release}", "1")
        .replace("{hazard}", "1")
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
    let app = spawn_app_with(backend, unlimited()).await;
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
        let path = fill_path(e.path, &reference, &p);
        let method = Method::from_bytes(e.method.as_str().as_bytes()).unwrap();
        for (what, ct, body, code) in &cases {
            // A device's sync takes up to 1 MiB: its oversized body is just beyond that.
            let body = if *what == "oversized" && e.path.ends_with("/scans") {
                format!("{{\"name\": \"{}\"}}", "x".repeat((1 << 20) + 10)).into_bytes()
            } else {
                body.clone()
            };
            let (status, value) = raw(&app, method.clone(), &path, *ct, body).await;
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

/// The endpoint table says which bodies may be left out (`optional body:`); here the handlers
/// are held to it. An empty JSON body at an endpoint whose body is required is refused, saying
/// the body is missing; at one whose body is optional it is not refused for its body.
async fn a_body_is_required_exactly_where_the_table_says(backend: Backend) {
    let app = spawn_app_with(backend, unlimited()).await;
    let p = app.places(100, 300).await;
    let reference = app.register(2, "0700 777 001").await;
    let body_refusals = ["malformed_json", "invalid_body", "unsupported_media_type"];
    let (mut required, mut optional) = (0, 0);
    for e in endpoints() {
        if e.request.is_none() || e.access == Access::Open && e.path != "/api/sessions" {
            continue;
        }
        let path = fill_path(e.path, &reference, &p);
        let method = Method::from_bytes(e.method.as_str().as_bytes()).unwrap();
        let (status, value) = raw(&app, method, &path, Some("application/json"), vec![]).await;
        let label = format!("{} {} with an empty body", e.method, e.path);
        let code = value["error"]["code"].as_str().unwrap_or_default();
        if e.body_optional {
            assert!(!body_refusals.contains(&code), "{label}: {status} {value}");
            optional += 1;
        } else {
            assert_client_error(status, &value, &label);
            assert_eq!(code, "missing_body", "{label}: {value}");
            assert!(
                error_message(&value).contains("JSON body"),
                "{label}: {value}"
            );
            required += 1;
        }
    }
    assert!(required >= 15 && optional >= 3, "{required} {optional}");
}

/// The requests of `wrong_types_bad_values_and_unknown_enums_name_the_field`, one a line of
/// `bad_input/named_fields.jsonl`, each with the field its refusal must name. In a body the
/// strings "{rv}" and "{gate}" stand for the ids of the test's RV and gate.
fn named_field_cases(rv: i64, gate: i64) -> Vec<(String, String, Value, String)> {
    fn fill(value: &mut Value, rv: i64, gate: i64) {
        match value {
            Value::String(s) if s == "{rv}" => *value = json!(rv),
            Value::String(s) if s == "{gate}" => *value = json!(gate),
            Value::Array(items) => items.iter_mut().for_each(|v| fill(v, rv, gate)),
            Value::Object(fields) => fields.values_mut().for_each(|v| fill(v, rv, gate)),
            _ => {}
        }
    }
    include_str!("bad_input/named_fields.jsonl")
        .lines()
        .map(|line| {
            let mut case: Value = serde_json::from_str(line).unwrap();
            let text = |key: &str| case[key].as_str().unwrap().to_string();
            let (method, path, field) = (text("method"), text("path"), text("field"));
            let mut body = case["body"].take();
            fill(&mut body, rv, gate);
            (method, path, body, field)
        })
        .collect()
}

async fn wrong_types_bad_values_and_unknown_enums_name_the_field(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let reference = app.register(1, "0700 777 001").await;
    let before = snapshot(&app);
    let cases = named_field_cases(p.rv, p.gate);
    let mut unnamed = Vec::new();
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
        let message = error_message(&value);
        if !message.contains(field.as_str()) {
            unnamed.push(format!(
                "{label}: message {message:?} does not name {field:?}"
            ));
        }
    }
    assert!(unnamed.is_empty(), "{unnamed:#?}");
    assert_eq!(
        snapshot(&app),
        before,
        "a refused request changed stored data"
    );
}

/// A refused value's answer names its field by its path in the body and, where the reason is
/// one a page can word in its own language, what the value was expected to be; the English
/// sentence stays in `message`. A reason of another kind names the field alone.
async fn a_refused_value_names_its_field_and_what_it_expected(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let before = snapshot(&app);
    let person = |extra: Value| {
        let mut m = json!({"name": "Omid Sultani", "birth_date": "1972"});
        m.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        m
    };
    let household = |members: Vec<Value>| json!({"language": "prs", "members": members});
    let window =
        json!({"rv_id": p.rv, "start": "2026-08-24T06:00:00Z", "end": "2026-08-24T08:00:00Z"});
    let mut backwards = window.clone();
    backwards["end"] = json!("2026-08-24T05:00:00Z");
    backwards["capacity"] = json!(5);
    let mut empty = window.clone();
    empty["capacity"] = json!(0);
    let mut long = window.clone();
    long["end"] = json!("2026-08-25T06:00:01Z");
    long["capacity"] = json!(5);
    let households = "/api/operations/{op}/households";
    let cases = [
        (
            households,
            household(vec![person(json!({"birth_date": "1990-13"}))]),
            "members[0].birth_date",
            json!({"kind": "form"}),
        ),
        (
            households,
            household(vec![
                person(json!({})),
                person(json!({"name_native": "ز".repeat(121)})),
            ]),
            "members[1].name_native",
            json!({"kind": "shorter", "max": 120}),
        ),
        (
            households,
            household(vec![person(json!({"name": "Omid\u{202E}Sultani"}))]),
            "members[0].name",
            json!({"kind": "character", "code": 0x202E}),
        ),
        (
            households,
            household(vec![person(json!({"name": "   "}))]),
            "members[0].name",
            json!({"kind": "something"}),
        ),
        (
            "/api/operations/{op}/windows",
            empty,
            "capacity",
            json!({"kind": "range", "min": 1, "max": 100_000}),
        ),
        (
            "/api/operations/{op}/windows",
            backwards,
            "end",
            json!({"kind": "after_start"}),
        ),
        (
            "/api/operations/{op}/windows",
            long,
            "end",
            json!({"kind": "within", "hours": 24}),
        ),
        (
            households,
            json!({"language": "prs", "members": [person(json!({}))], "location": {"lat": 24.94, "lon": 60.16}}),
            "location",
            json!({"kind": "near", "km": 30}),
        ),
        (
            "/api/operations/{op}/devices",
            json!({"username": "hotline", "role": "escort", "label": "RV phone", "rv_ids": [p.rv]}),
            "username",
            json!({"kind": "user", "role": "escort"}),
        ),
        (
            "/api/operations/{op}/map/places",
            json!({"q": "   "}),
            "q",
            json!({"kind": "something"}),
        ),
        (
            households,
            household(vec![
                person(json!({})),
                person(json!({"birth_date": "2090-01"})),
            ]),
            "members[1].birth_date",
            json!({"kind": "not_future"}),
        ),
        (
            "/api/operations/{op}/flights",
            json!({"number": "RCH900", "departs_at": "2021-08-26T12:00:00Z", "capacity": 100}),
            "departs_at",
            json!({"kind": "future"}),
        ),
        // Numbers the parser refuses as out of their type (negative): the range the document
        // gives.
        (
            "/api/operations/{op}/hazards",
            json!({"kind": "checkpoint", "severity": "high", "location": {"lat": 60.16, "lon": 24.94},
                   "radius_m": -10, "valid_from": "2026-08-24T06:00:00Z"}),
            "radius_m",
            json!({"kind": "range", "min": 1, "max": 20_000}),
        ),
        (
            "/api/operations/{op}/flights",
            json!({"number": "RCH901", "departs_at": "2030-08-26T12:00:00Z", "capacity": -5}),
            "capacity",
            json!({"kind": "range", "min": 1, "max": 1000}),
        ),
        // A household of no members: a reason of no kind a page words.
        (households, household(vec![]), "members", Value::Null),
    ];
    for (path, body, field, expected) in cases {
        let (status, value) = app
            .call_with(
                Some(&app.all_roles.clone()),
                Method::POST,
                path,
                Some(body.clone()),
            )
            .await;
        assert_client_error(status, &value, &body.to_string());
        let error = &value["error"];
        assert_eq!(error["field"], field, "{body}: {value}");
        assert_eq!(error["expected"], expected, "{body}: {value}");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}: ")), "{message}");
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
        ("/api/operations/{op}/households", "invalid_input"),
        (
            "/api/operations/{op}/households?stage=nowhere",
            "invalid_input",
        ),
        (
            "/api/operations/{op}/households?stage=processed&limit=-1",
            "invalid_input",
        ),
        (
            "/api/operations/{op}/households?stage=processed&order=name",
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
    // The lookup takes what it looks for in its body only.
    for (body, code) in [
        (json!({}), "invalid_body"),
        (json!({ "phone": "abc" }), "invalid_input"),
        (
            json!({ "phone": "0700", "reference": "ABCD-EFGH" }),
            "invalid_body",
        ),
        (json!({ "reference": "not a reference!" }), "invalid_input"),
    ] {
        let (status, value) = app
            .call_with(
                Some(&app.all_roles.clone()),
                Method::POST,
                common::LOOKUP,
                Some(body.clone()),
            )
            .await;
        assert_client_error(status, &value, &body.to_string());
        assert_eq!(value["error"]["code"], code, "{body}: {value}");
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

/// A flight scheduled again (a form sent twice, or twice at once): the same number departing
/// at the same time is refused; at another time it is another flight (its time put right, the
/// next day's rotation).
async fn a_flight_scheduled_twice_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let flights = "/api/operations/{op}/flights";
    let flight = |number: &str, departs_at: &str| json!({"number": number, "departs_at": departs_at, "capacity": 120});
    let send = |body: Value| app.call(Role::Coordinator, Method::POST, flights, Some(body));
    // Sent twice at once: one is scheduled, the other refused.
    let twice = flight("RCH900", "2030-08-26T12:00:00Z");
    let (first, second) = tokio::join!(send(twice.clone()), send(twice));
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{first:?} {second:?}"
    );
    let refused = if first.0 == StatusCode::CONFLICT {
        first.1
    } else {
        second.1
    };
    assert_eq!(
        refused["error"]["code"], "flight_already_scheduled",
        "{refused}"
    );
    // The same number in other letter case: the same flight.
    let (status, value) = send(flight("rch900", "2030-08-26T12:00:00Z")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{value}");
    assert_eq!(
        value["error"]["code"], "flight_already_scheduled",
        "{value}"
    );
    // Twelve hours later (a time put right), and another number the same hour: other flights.
    for body in [
        flight("RCH900", "2030-08-27T00:00:00Z"),
        flight("RCH901", "2030-08-26T12:00:00Z"),
    ] {
        let (status, value) = send(body).await;
        assert_eq!(status, StatusCode::CREATED, "{value}");
    }
    let listed = app.get(Role::Coordinator, flights).await;
    let numbers: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["RCH900", "RCH901", "RCH900"], "{listed}");
}

safeconduct_store::on_both_backends_async!(
    a_flight_scheduled_twice_is_refused,
    malformed_bodies_are_refused_at_every_endpoint_without_writing_anything,
    a_body_is_required_exactly_where_the_table_says,
    wrong_types_bad_values_and_unknown_enums_name_the_field,
    a_refused_value_names_its_field_and_what_it_expected,
    bad_path_segments_and_queries_are_client_errors,
);
