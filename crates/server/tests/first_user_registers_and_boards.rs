//! What a first-time coordinator tried and the API refused or got wrong: a household whose
//! child travels on a parent's passport, Dari written `fa` as phones write it, and a boarding
//! recorded without naming the flight again.

mod common;

use common::{TestApp, case, error_message, spawn_app, spawn_app_with_places};
use reqwest::StatusCode;
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// Registers a household with these members (`(name, birth date, passport number or none)`).
/// A member to register: name, birth date, passport number.
type Member<'a> = (&'a str, &'a str, Option<&'a str>);

async fn register(app: &TestApp, language: &str, members: &[Member<'_>]) -> Value {
    let members: Vec<Value> = members
        .iter()
        .map(|(name, born, passport)| {
            let documents: Vec<Value> = passport
                .iter()
                .map(|n| json!({"type": "passport", "number": n, "issuing_country": "AF"}))
                .collect();
            json!({"name": name, "birth_date": born, "documents": documents})
        })
        .collect();
    let body = json!({"language": language, "members": members});
    app.try_register(body).await.1
}

async fn a_child_on_a_parents_passport_is_covered_by_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let parent_and_child = register(
        &app,
        "prs",
        &[
            ("Mariam Sadat", "1988-03-02", Some("P44556677")),
            ("Omid Sadat", "2019", None),
        ],
    )
    .await;
    let reference = parent_and_child["reference"].as_str().unwrap();
    let verified = app
        .step(Role::Coordinator, reference, "verify-documents", None)
        .await;
    assert_eq!(verified["to"], "documents_verified");

    // Refused: an adult without a document (another adult's does not cover them); children
    // alone, none documented (nobody covers them); a child whose documented sibling is a minor
    // too (only adults' documents cover).
    let uncovered: [(&str, &[Member]); 3] = [
        (
            "an adult without a document",
            &[
                ("Karim Sadat", "1980", Some("P11223344")),
                ("Laila Sadat", "1984", None),
            ],
        ),
        (
            "children alone",
            &[("Sara Sadat", "2015", None), ("Ali Sadat", "2017-06", None)],
        ),
        (
            "a child beside a minor sibling",
            &[
                ("Hamid Sadat", "2012-01-01", Some("P99887766")),
                ("Zahra Sadat", "2016", None),
            ],
        ),
    ];
    for (who, members) in uncovered {
        let household = register(&app, "prs", members).await;
        let reference = household["reference"].as_str().unwrap();
        let (status, body) = app
            .try_step(Role::Coordinator, reference, "verify-documents", None)
            .await;
        assert!(
            status == StatusCode::CONFLICT
                && error_message(&body).contains("every adult member needs an identity document"),
            "{who}: {status} {body}"
        );
    }
}

async fn dari_written_fa_or_fa_af_is_read_as_dari(backend: Backend) {
    let app = spawn_app(backend).await;
    for code in ["fa", "fa-AF", "prs"] {
        let registered = register(&app, code, &[("Nadia Sadat", "1990", Some("P12121212"))]).await;
        let reference = registered["reference"]
            .as_str()
            .unwrap_or_else(|| panic!("{code} refused: {registered}"));
        let household = app.get(Role::Coordinator, &case(reference)).await;
        assert_eq!(household["language"], "prs", "{code}: {household}");
    }
    let unknown = register(&app, "xx", &[("Nadia Sadat", "1990", None)]).await;
    assert_eq!(unknown["error"]["code"], "invalid_body", "{unknown}");
}

async fn boarding_needs_no_flight_named_again(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let reference = app.register(2, "0700 555 001").await;
    app.to_processed(&p, &reference).await;
    app.manifest(p.flight, &reference).await;

    // Another flight named: refused, nothing changes.
    let (status, body) = app
        .try_step(
            Role::Manifest,
            &reference,
            "boarded",
            Some(json!({"flight_id": p.flight + 1000})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // No body at all, no content type: the household boards the flight of its manifest.
    let res = app
        .client
        .post(app.url(&format!("{}/boarded", case(&reference))))
        .bearer_auth(app.token(Role::Manifest))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["to"], "boarded");
    let flights = app
        .get(Role::Manifest, "/api/operations/{op}/flights")
        .await;
    let flight = flights
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == p.flight)
        .unwrap();
    assert_eq!(flight["boarded_people"], 2, "{flight}");
}

safeconduct_store::on_both_backends_async!(
    a_child_on_a_parents_passport_is_covered_by_it,
    dari_written_fa_or_fa_af_is_read_as_dari,
    boarding_needs_no_flight_named_again,
);
