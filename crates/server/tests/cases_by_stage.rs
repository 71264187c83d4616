//! The coordinators' list of the cases in one stage, on both backends: it pages by reference
//! with no case twice and none left out, answers no name, phone or document, marks an
//! unaccounted household whose alarm was resolved, is refused to every other role, and
//! refuses a bad parameter naming it. Every page read is in the audit log with who read it,
//! the stage, how many and the references returned; a refused read leaves no entry.

mod common;

use common::{NOT_COORDINATOR, TestApp, case, error_message, spawn_app};
use reqwest::StatusCode;
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

const LIST: &str = "/api/operations/{op}/households";

/// Every case of `stage`, read `limit` at a time; the pages as read.
async fn all_pages(app: &TestApp, stage: &str, limit: usize) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = format!("{LIST}?stage={stage}&limit={limit}");
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let page = app.get(Role::Coordinator, &path).await;
        let cases = page["cases"].as_array().unwrap().clone();
        assert!(cases.len() <= limit, "{page}");
        pages.push(cases);
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return pages,
        }
        assert!(pages.len() < 20, "paging does not end");
    }
}

async fn a_coordinator_pages_through_the_cases_of_a_stage(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 100).await;
    let mut registered = Vec::new();
    for i in 0..5 {
        registered.push(app.register(1 + i % 3, &format!("0700 100 0{i:02}")).await);
    }
    let mut issued = Vec::new();
    for i in 0..3 {
        issued.push(
            app.register_with_pass(2, &format!("0700 100 1{i:02}"), p.window)
                .await,
        );
    }

    let pages = all_pages(&app, "registered", 2).await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        [2, 2, 1],
        "five cases two at a time"
    );
    let listed: Vec<String> = pages
        .iter()
        .flatten()
        .map(|c| c["reference"].as_str().unwrap().to_string())
        .collect();
    let mut expected = registered.clone();
    expected.sort();
    assert_eq!(listed, expected, "each case once, in reference order");

    let first = &pages[0][0];
    assert_eq!(first["stage"], "registered");
    assert_eq!(first["priorities"], json!(["medical"]));
    for field in ["members", "contact_phone", "notes", "name", "phone"] {
        assert!(first.get(field).is_none(), "{field} in {first}");
    }
    let sizes: u64 = pages
        .iter()
        .flatten()
        .map(|c| c["size"].as_u64().unwrap())
        .sum();
    assert_eq!(sizes, 1 + 2 + 3 + 1 + 2);

    // A page of exactly the rest still says there may be more; the next one is empty.
    let pages = all_pages(&app, "pass_issued", 3).await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 0]);
    for c in &pages[0] {
        assert!(issued.contains(&c["reference"].as_str().unwrap().to_string()));
        assert_eq!(
            (c["window_id"].as_i64(), c["rv_id"].as_i64()),
            (Some(p.window), Some(p.rv))
        );
    }
    // The default page, and a stage nobody is in.
    let page = app
        .get(Role::Coordinator, &format!("{LIST}?stage=registered"))
        .await;
    assert_eq!(page["cases"].as_array().unwrap().len(), 5);
    assert!(page["next"].is_null(), "{page}");
    let page = app
        .get(Role::Coordinator, &format!("{LIST}?stage=boarded"))
        .await;
    assert_eq!(page, json!({ "cases": [], "next": null }));
    // After the second reference: the three after it.
    let after = app
        .get(
            Role::Coordinator,
            &format!("{LIST}?stage=registered&after={}", expected[1]),
        )
        .await;
    assert_eq!(after["cases"].as_array().unwrap().len(), 3);
}

async fn an_unaccounted_household_is_listed_until_its_alarm_is_resolved(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 100).await;
    let (batch, _, b) = app.a_batch_arriving_short(&p, "0700 200 00").await;

    let page = app
        .get(Role::Coordinator, &format!("{LIST}?stage=unaccounted"))
        .await;
    let cases = page["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "{page}");
    assert_eq!(cases[0]["reference"], b.as_str());
    assert_eq!(cases[0]["batch_id"], batch);
    assert_eq!(cases[0]["resolved"], false);

    let body = json!({ "outcome": "recorded_missing", "note": "Not seen since the bridge" });
    app.post(
        Role::Coordinator,
        &format!("{}/resolve-unaccounted", case(&b)),
        Some(body),
    )
    .await;
    let page = app
        .get(Role::Coordinator, &format!("{LIST}?stage=unaccounted"))
        .await;
    assert_eq!(page["cases"][0]["resolved"], true, "{page}");
}

async fn only_coordinators_may_list_and_bad_parameters_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register(1, "0700 300 001").await;
    for role in NOT_COORDINATOR {
        let (status, body) = app.try_get(role, &format!("{LIST}?stage=registered")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
        assert!(body.get("cases").is_none(), "{role}: {body}");
    }
    let (status, _) = app
        .call_with(
            None,
            reqwest::Method::GET,
            &format!("{LIST}?stage=registered"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for (query, named) in [
        ("", "stage"),
        ("stage=flying", "stage"),
        ("stage=registered&limit=0", "limit"),
        ("stage=registered&limit=201", "limit"),
        ("stage=registered&limit=ten", "limit"),
        ("stage=registered&after=nope", "after"),
    ] {
        let (status, body) = app
            .try_get(Role::Coordinator, &format!("{LIST}?{query}"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        let message = error_message(&body);
        assert!(message.starts_with(named), "{query}: {message}");
    }
    let (status, _) = app
        .try_get(
            Role::Coordinator,
            &format!("{LIST}?stage=registered&sort=name"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown parameter");
    let page = app
        .get(
            Role::Coordinator,
            &format!("{LIST}?stage=registered&limit=200"),
        )
        .await;
    assert_eq!(page["cases"].as_array().unwrap().len(), 1);
}

/// The list entries of the audit log written since `before`: (role, record).
async fn list_entries(app: &TestApp, before: i64) -> Vec<(Option<Role>, String)> {
    app.on_store(move |s| s.audit_entries(before, 100).unwrap())
        .await
        .into_iter()
        .filter(|(_, e)| e.action == "h::cases_in_stage")
        .map(|(_, e)| (e.role, e.record.unwrap_or_default()))
        .collect()
}

async fn each_page_read_is_audited_with_the_references_it_returned(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut registered = Vec::new();
    for i in 0..3 {
        registered.push(app.register(1, &format!("0700 400 00{i}")).await);
    }
    registered.sort();
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    let pages = all_pages(&app, "registered", 2).await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
    app.get(Role::Coordinator, &format!("{LIST}?stage=boarded"))
        .await;
    let op = app.op;
    let path = format!("/api/operations/{op}/households");
    assert_eq!(
        list_entries(&app, before).await,
        [
            (
                Some(Role::Coordinator),
                format!(
                    "{path}: stage registered, 2 returned: {} {}",
                    registered[0], registered[1]
                )
            ),
            (
                Some(Role::Coordinator),
                format!("{path}: stage registered, 1 returned: {}", registered[2])
            ),
            (
                Some(Role::Coordinator),
                format!("{path}: stage boarded, 0 returned: no case")
            ),
        ]
    );
    let user = app
        .on_store(|s| s.user_by_name("coordinator").unwrap().unwrap().id)
        .await;
    let entries = app
        .on_store(move |s| s.audit_entries(before, 100).unwrap())
        .await;
    assert!(
        entries
            .iter()
            .filter(|(_, e)| e.action == "h::cases_in_stage")
            .all(|(_, e)| e.user == Some(user)),
        "{entries:?}"
    );

    // A refused read returns nothing and writes nothing.
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    let (status, _) = app
        .try_get(Role::Coordinator, &format!("{LIST}?stage=flying"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .try_get(Role::Hotline, &format!("{LIST}?stage=registered"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(list_entries(&app, before).await, []);
}

safeconduct_store::on_both_backends_async!(
    each_page_read_is_audited_with_the_references_it_returned,
    a_coordinator_pages_through_the_cases_of_a_stage,
    an_unaccounted_household_is_listed_until_its_alarm_is_resolved,
    only_coordinators_may_list_and_bad_parameters_are_named,
);
