//! The OpenAPI document served at /api/openapi.json is the one committed at
//! docs/openapi.json. Regenerate with `safeconduct openapi > docs/openapi.json`.

mod common;

use safeconduct_server::api::endpoints;
use safeconduct_server::endpoints::Access;
use safeconduct_store::testing::Backend;

const COMMITTED: &str = include_str!("../../../docs/openapi.json");

async fn the_served_document_matches_the_committed_one(backend: Backend) {
    let app = common::spawn_app(backend).await;
    let served: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(
        served == committed,
        "docs/openapi.json is out of date: run `cargo run -p safeconduct -- openapi > docs/openapi.json`"
    );
}

#[test]
fn every_endpoint_states_who_may_call_it() {
    let doc = safeconduct_server::openapi::document();
    for e in endpoints() {
        let op = &doc["paths"][e.path][e.method.as_str().to_ascii_lowercase()];
        let roles = op["x-roles"].as_array().expect("x-roles");
        match e.access {
            Access::Open => assert!(roles.is_empty() && op["security"] == serde_json::json!([])),
            Access::SignedIn => assert_eq!(roles.len(), 1),
            Access::Roles(r) => assert_eq!(roles.len(), r.len(), "{}", e.path),
        }
        assert!(op["description"].as_str().unwrap().len() > 5);
    }
    let open: Vec<&str> = endpoints()
        .iter()
        .filter(|e| e.access == Access::Open)
        .map(|e| e.path)
        .collect();
    // The pass link is open on purpose: a household has no account; its token is the key.
    assert_eq!(
        open,
        [
            "/healthz",
            "/api/openapi.json",
            "/api/sessions",
            "/api/pass-link"
        ]
    );
}

/// Limits the words of a summary (and the README's table of roles) state are the domain's
/// constants: a constant changed without its words fails here.
#[test]
fn the_limits_in_words_are_the_domains() {
    use safeconduct_domain::model::{HOTLINE_HAZARD_MAX_RADIUS_M, HOTLINE_HAZARDS_IN_FORCE_MAX};
    let report = endpoints()
        .into_iter()
        .find(|e| e.path == "/api/operations/{op}/hazards" && e.method.as_str() == "POST")
        .expect("the hazard report");
    let readme = include_str!("../../../README.md");
    let hotline = readme
        .lines()
        .find(|l| l.starts_with("| hotline |"))
        .expect("the hotline's row in the README");
    for words in [
        format!("at most {HOTLINE_HAZARD_MAX_RADIUS_M} m radius"),
        format!("at most {HOTLINE_HAZARDS_IN_FORCE_MAX} in force per account"),
    ] {
        assert!(
            report.summary.contains(&words),
            "{}: {words}",
            report.summary
        );
    }
    for words in [
        format!("up to {HOTLINE_HAZARD_MAX_RADIUS_M} m radius"),
        format!("at most {HOTLINE_HAZARDS_IN_FORCE_MAX} in force per account"),
    ] {
        assert!(hotline.contains(&words), "{hotline}: {words}");
    }
}

safeconduct_store::on_both_backends_async!(the_served_document_matches_the_committed_one,);
