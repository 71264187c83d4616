//! The map's data from the real extract of central Helsinki: the street network by box and
//! level of detail (every street segment once when asked for everything; only what reaches
//! into a box; fewer points and no footways zoomed far out; names in the reader's language
//! where the map has them), the gazetteer's places for a name a caller says, clear refusals
//! of a malformed box, and a clear answer from a server started without an extract. What is
//! asked travels in request bodies: on the hotline the box and the name follow the caller.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

const STREETS: &str = "/api/operations/{op}/map/streets";
const PLACES: &str = "/api/operations/{op}/map/places";

fn segments(streets: &Value) -> usize {
    streets["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["c"].as_array().unwrap().len() / 2 - 1)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streets_come_by_box_and_level_of_detail() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let all = app.post(Role::Hotline, STREETS, Some(json!({}))).await;
    let e = &all["extent"];
    assert!(e["south"].as_f64().unwrap() < 60.165 && e["north"].as_f64().unwrap() > 60.178);
    assert!(e["west"].as_f64().unwrap() < 24.936 && e["east"].as_f64().unwrap() > 24.952);
    assert_eq!(all["truncated"], false);
    // Every segment of the walking network once.
    let network_edges = helsinki_router().network().edges().len();
    assert_eq!(segments(&all), network_edges);
    let names = all["names"].as_array().unwrap();
    assert!(names.iter().any(|n| n == "Mannerheimintie"), "{names:?}");
    for line in all["lines"].as_array().unwrap() {
        if let Some(n) = line["n"].as_u64() {
            assert!((n as usize) < names.len());
        }
    }

    // A box around the market square: only lines reaching into it.
    let (s, w, n, east) = (60.1665, 24.9500, 60.1685, 24.9540);
    let boxed = app
        .post(
            Role::Coordinator,
            STREETS,
            Some(json!({ "bbox": format!("{s},{w},{n},{east}") })),
        )
        .await;
    let lines = boxed["lines"].as_array().unwrap();
    assert!(!lines.is_empty() && lines.len() < all["lines"].as_array().unwrap().len() / 4);
    for line in lines {
        let c: Vec<f64> = line["c"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let lats = c.iter().step_by(2);
        let lons = c.iter().skip(1).step_by(2);
        let (lo_lat, hi_lat) = lats.fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let (lo_lon, hi_lon) = lons.fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        assert!(
            lo_lat <= n && hi_lat >= s && lo_lon <= east && hi_lon >= w,
            "{line}"
        );
    }

    // Zoomed far out: streets only, simplified.
    let far = app
        .post(Role::Hotline, STREETS, Some(json!({ "detail": 20 })))
        .await;
    let kinds: Vec<&str> = far["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["k"].as_str().unwrap())
        .collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| *k == "street"));
    assert!(segments(&far) < segments(&all) / 3);

    // Refusals that name what is wrong.
    for (query, wrong) in [
        (json!({ "bbox": "60.17,24.95" }), "bbox"),
        (json!({ "bbox": "60.18,24.95,60.17,24.96" }), "bbox"),
        (json!({ "bbox": "a,b,c,d" }), "bbox"),
        (json!({ "detail": 1000 }), "detail"),
    ] {
        let (status, body) = app
            .call(Role::Hotline, Method::POST, STREETS, Some(query.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(error_message(&body).starts_with(wrong), "{query}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gazetteer_finds_what_a_caller_names() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let found = app
        .post(Role::Hotline, PLACES, Some(json!({ "q": "kauppa" })))
        .await;
    let found = found.as_array().unwrap();
    assert!(!found.is_empty() && found.len() <= 8);
    assert!(
        found.iter().all(|p| p["name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .starts_with("kauppa")),
        "{found:?}"
    );
    let square = found
        .iter()
        .find(|p| p["name"] == "Kauppatori")
        .expect("the market square");
    assert_eq!(square["kind"], "landmark");
    // What a caller misspells is still found.
    let misspelt = app
        .post(Role::Hotline, PLACES, Some(json!({ "q": "Kaupatori" })))
        .await;
    assert_eq!(misspelt[0]["landmark"], "Kauppatori");
    let none = app
        .post(
            Role::Hotline,
            PLACES,
            Some(json!({ "q": "Kandahar airfield" })),
        )
        .await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    // What is wrong is named; nothing is asked of the gazetteer.
    for (body, code, wrong) in [
        (json!({ "q": "   " }), "invalid_input", "q"),
        (json!({ "q": "x".repeat(201) }), "invalid_input", "q"),
        (json!({ "q": 5 }), "invalid_body", "q"),
        (json!({}), "invalid_body", "q"),
        (
            json!({ "q": "kauppa", "language": "xx" }),
            "invalid_body",
            "language",
        ),
    ] {
        let (status, answer) = app
            .call(Role::Hotline, Method::POST, PLACES, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        let message = error_message(&answer);
        assert!(message.contains(wrong), "{body}: {message}");
    }
    // The name is never taken from the address: the query-string form is gone.
    let (status, _) = app
        .try_get(Role::Hotline, &format!("{PLACES}?q=kauppa"))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_an_extract_says_so() {
    let app = spawn_app(Backend::Sqlite).await;
    for (path, body) in [(STREETS, json!({})), (PLACES, json!({ "q": "x" }))] {
        let (status, body) = app
            .call(Role::Coordinator, Method::POST, path, Some(body))
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert_eq!(body["error"]["code"], "routing_unavailable");
        assert!(error_message(&body).contains("--osm"), "{body}");
    }
}
