//! The map's data from the real extract of central Helsinki: the street network by box and
//! level of detail (every street segment once when asked for everything; only what reaches
//! into a box; fewer points and no footways zoomed far out; names in the reader's language
//! where the map has them), the gazetteer's places for a name a caller says, clear refusals
//! of a malformed box, and a clear answer from a server started without an extract.

mod common;

use common::*;
use reqwest::StatusCode;
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::Value;

const STREETS: &str = "/api/operations/{op}/map/streets";

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
    let all = app.get(Role::Hotline, STREETS).await;
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
        .get(
            Role::Coordinator,
            &format!("{STREETS}?bbox={s},{w},{n},{east}"),
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
        .get(Role::Hotline, &format!("{STREETS}?detail=20"))
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
        ("bbox=60.17,24.95", "bbox"),
        ("bbox=60.18,24.95,60.17,24.96", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("detail=1000", "detail"),
    ] {
        let (status, body) = app
            .try_get(Role::Hotline, &format!("{STREETS}?{query}"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(wrong),
            "{query}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gazetteer_finds_what_a_caller_names() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let found = app
        .get(Role::Hotline, "/api/operations/{op}/map/places?q=kauppa")
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
        .get(Role::Hotline, "/api/operations/{op}/map/places?q=Kaupatori")
        .await;
    assert_eq!(misspelt[0]["landmark"], "Kauppatori");
    let none = app
        .get(
            Role::Hotline,
            "/api/operations/{op}/map/places?q=Kandahar%20airfield",
        )
        .await;
    assert_eq!(none.as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_an_extract_says_so() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [STREETS, "/api/operations/{op}/map/places?q=x"] {
        let (status, body) = app.try_get(Role::Coordinator, path).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert_eq!(body["error"]["code"], "routing_unavailable");
        assert!(body["error"]["message"].as_str().unwrap().contains("--osm"));
    }
}
