//! The gate screen in a real browser: a gate officer sees the batch an escort walked to their
//! gate (head counts and deadline, no names), records arrivals household by household with
//! the number of people counted (an arrival with none is refused) and checks people in, closes the batch short and sees the unaccounted alarm; an officer of
//! another gate sees nothing of it. Clean for an accessibility check in English and in Dari.

mod common;

use common::browser::Browser;
use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gate_officer_receives_a_batch_and_sees_it_arrive_short() {
    let (app, p) = spawn_app_with_places(Backend::Sqlite, 100, 300).await;
    let a = app.register_with_pass(2, "0700 000 201", p.window).await;
    let b = app.register_with_pass(3, "0700 000 202", p.window).await;
    for r in [&a, &b] {
        app.admit_at_rv(r, p.rv).await;
    }
    let batch = app.depart(p.rv, p.gate, &[&a, &b]).await["id"]
        .as_i64()
        .unwrap();

    let browser = Browser::start().await;
    let origin = app.url("");
    browser
        .sign_in_as(&origin, app.page_session(Role::Gate))
        .await;
    browser.goto(&app.url("/app/gate?lang=en")).await;
    let card = format!("#batch-{batch}");
    browser
        .wait_until(
            &format!("document.querySelector('{card}')"),
            "the batch on its way",
        )
        .await;
    assert_eq!(browser.text("h1").await, "Gate");
    let heads = browser.text(&format!("{card} .heads")).await;
    assert_eq!(heads, "0 of 5 people arrived");
    assert!(browser.text(&card).await.contains("Must arrive by"));
    assert_eq!(browser.text("#count-in-escort dd").await, "5");
    let page = browser.text("main").await;
    for r in [&a, &b] {
        assert!(!page.contains(r.as_str()), "no reference listed: {page}");
    }
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "gate in English: {problems:#?}");

    // An arrival with no head count is refused on the page: nothing is sent, nobody moves.
    browser.type_into("#reference", &a).await;
    browser
        .click_until(
            "#arrived",
            "document.getElementById('record-result').textContent.includes('Count the people')",
            "the missing count named",
        )
        .await;
    let focused = "return document.activeElement.id";
    assert_eq!(browser.eval(focused, json!([])).await, "arrived-people");
    assert_eq!(
        browser.text(&format!("{card} .heads")).await,
        "0 of 5 people arrived"
    );

    // The first household arrives, both counted, then is checked in.
    browser.type_into("#arrived-people", "2").await;
    browser
        .click_until(
            "#arrived",
            "document.getElementById('record-result').textContent.includes('arrived, 2 people')",
            "the arrival recorded",
        )
        .await;
    browser
        .wait_until(
            &format!(
                "document.querySelector('{card} .heads').textContent === '2 of 5 people arrived'"
            ),
            "the head count to move",
        )
        .await;
    browser.type_into("#reference", &a).await;
    browser
        .click_until(
            "#checked-in",
            "document.getElementById('record-result').textContent.includes('checked in, 2 people')",
            "the check-in recorded",
        )
        .await;
    browser
        .wait_until(
            "document.querySelector('#count-processed dd').textContent === '2'",
            "the processed count",
        )
        .await;
    let stage = app.get(Role::Coordinator, &case(&a)).await["stage"].clone();
    assert_eq!(stage, "processed");
    browser.screenshot("gate-en").await;

    // Checked in twice, or counted in again: told so in the officer's words.
    for (button, says) in [
        ("#checked-in", "is already checked in"),
        ("#arrived", "is already counted in as arrived"),
    ] {
        browser.type_into("#reference", &a).await;
        browser.type_into("#arrived-people", "2").await;
        browser
            .click_until(
                button,
                &format!("document.getElementById('record-result').textContent.includes('{says}')"),
                says,
            )
            .await;
    }

    // A wrong reference is named as such, and nothing moves.
    browser.type_into("#reference", "ZZZZ-ZZZZ").await;
    browser.type_into("#arrived-people", "1").await;
    browser
        .click_until(
            "#arrived",
            "document.getElementById('record-result').className === 'error'",
            "the refusal",
        )
        .await;

    // Closed short: three people did not arrive, and the alarm says so.
    browser.click(&format!("{card} button")).await;
    browser
        .wait_until(
            "!document.getElementById('alarms').hidden",
            "the unaccounted alarm",
        )
        .await;
    let alarms = browser.text("#alarm-list").await;
    assert!(
        alarms.contains(&format!("Batch {batch} closed with 3 people missing")),
        "{alarms}"
    );
    assert!(alarms.contains("3 people"), "{alarms}");
    assert_eq!(browser.text("#count-unaccounted dd").await, "3");
    let stage = app.get(Role::Coordinator, &case(&b)).await["stage"].clone();
    assert_eq!(stage, "unaccounted");
    browser.eval("window.scrollTo(0, 0)", json!([])).await;
    browser.screenshot("gate-alarm-en").await;

    // In Dari, right to left, the alarm still there after a reload (from the gate's counts).
    browser.goto(&app.url("/app/gate?lang=prs")).await;
    browser
        .wait_until(
            "!document.getElementById('alarms').hidden",
            "the alarm in Dari",
        )
        .await;
    let dir = browser
        .eval("return document.documentElement.dir", json!([]))
        .await;
    assert_eq!(dir, "rtl");
    assert_eq!(browser.text("#count-unaccounted dd").await, "۳");
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "gate in Dari: {problems:#?}");
    browser.eval("window.scrollTo(0, 0)", json!([])).await;
    browser.screenshot("gate-prs").await;

    // An officer of another gate sees nothing of this one.
    let other_gate = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/gates",
            json!({ "name": "Gate 9", "location": { "lat": 60.17, "lon": 24.95 },
                    "kind": "discreet", "hourly_throughput": 100, "rv_ids": [p.rv] }),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let other = app.add_user("yusuf", Role::Gate).await;
    app.assign("yusuf", &[], &[other_gate]).await;
    let (status, _) = app
        .call_with(
            Some(&other),
            Method::GET,
            &format!("/api/operations/{{op}}/gates/{}/batches", p.gate),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    browser
        .sign_in_as(&origin, app.page_session_of(&other, "yusuf", Role::Gate))
        .await;
    browser.goto(&app.url("/app/gate?lang=en")).await;
    browser
        .wait_until(
            "!document.getElementById('no-batches').hidden",
            "the other gate's empty list",
        )
        .await;
    let options = browser
        .eval(
            "return [...document.querySelectorAll('#gate-select option')].map(o => o.textContent)",
            json!([]),
        )
        .await;
    assert_eq!(options, json!(["Gate 9"]));
    assert_eq!(browser.text("#count-unaccounted dd").await, "0");
    assert!(
        browser
            .eval("return document.getElementById('alarms').hidden", json!([]))
            .await
            == true
    );
    let page = browser.text("main").await;
    assert!(!page.contains("Gate 7"), "{page}");
}
