//! Planning from the page, in a real browser: a coordinator runs a plan over the eligible
//! households, reads its figures (people per priority class, unplaced and why, the gap,
//! travel), accepts it, and the households hold passes afterwards. Clean for an
//! accessibility check in English and in Dari.

mod common;

use common::browser::Browser;
use common::dashboard::{accept_plan, preview_plan};
use common::*;
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_runs_inspects_and_accepts_a_plan() {
    let limits = safeconduct_server::limits::Limits {
        lookups_per_minute: 60_000,
        requests_per_ip_per_second: 0,
        ..Default::default()
    };
    let app = spawn_app_with(Backend::Sqlite, limits).await;
    let p = app.places(6, 50).await;
    let mut households = Vec::new();
    for i in 0..3 {
        let reference = app.register(2, &format!("0700 400 00{i}")).await;
        app.to_eligible(&reference).await;
        households.push(reference);
    }
    // One more than the window holds: 6 seats, 6 placed, this household of 3 left out (no
    // other packing places more people).
    let late = app.register(3, "0700 400 009").await;
    app.to_eligible(&late).await;

    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "/app/plan?lang=en").await;
    browser.find("#run").await;
    assert_eq!(browser.text("h1").await, "Plan");

    // A batch size out of range is named, and nothing is asked of the server.
    browser
        .eval(
            "document.getElementById('batch-size').value = '3'",
            json!([]),
        )
        .await;
    browser.click("#run").await;
    let error = browser.text("#settings-error").await;
    assert!(error.contains("from 12 to 1000"), "{error}");
    browser
        .eval(
            "document.getElementById('batch-size').value = '40'",
            json!([]),
        )
        .await;

    preview_plan(&browser).await;
    assert_eq!(browser.text("#fig-people dd").await, "6");
    assert_eq!(browser.text("#fig-households dd").await, "3");
    assert_eq!(browser.text("#fig-unplaced dd").await, "1");
    assert_eq!(browser.text("#fig-moves dd").await, "3");
    let medical = browser.text("#class-medical").await;
    assert!(medical.contains('6') && medical.contains('3'), "{medical}");
    let reasons = browser.text("#reasons").await;
    assert!(
        reasons.contains("every window that suits them is full: 1 household"),
        "{reasons}"
    );
    let gap = browser.text("#fig-gap dd").await;
    assert!(gap.ends_with('%'), "{gap}");
    let page = browser.text("main").await;
    assert!(!page.contains("Sadat"), "no names on the page");
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "plan in English: {problems:#?}");
    browser.screenshot("plan-en").await;

    // Nothing changed yet: a preview.
    let case0 = app.get(Role::Coordinator, &case(&households[0])).await;
    assert_eq!(case0["stage"], "eligible");

    let accepted = accept_plan(&browser).await;
    assert!(accepted.starts_with("Accepted: 3 households"), "{accepted}");
    for r in &households {
        let pass = app
            .get(Role::Coordinator, &format!("{}/pass", case(r)))
            .await;
        assert_eq!(pass["state"], "valid", "{r}: {pass}");
        let h = app.get(Role::Coordinator, &case(r)).await;
        assert_eq!(h["stage"], "pass_issued", "{h}");
        assert_eq!(h["window_id"], p.window, "{h}");
    }
    let left = app.get(Role::Coordinator, &case(&late)).await;
    assert_eq!(left["stage"], "eligible");

    // In Dari: right to left, the figures in Persian digits.
    browser.goto(&app.url("/app/plan?lang=prs")).await;
    browser.find("#run").await;
    browser
        .click_until_shown("#run", "preview", "the preview in Dari")
        .await;
    assert_eq!(
        browser
            .eval("return document.documentElement.dir", json!([]))
            .await,
        "rtl"
    );
    assert_eq!(browser.text("#fig-unplaced dd").await, "۱");
    // Everyone who could be placed already was: the accept button cannot be pressed, and
    // says why.
    assert_eq!(
        browser
            .eval(
                "return [document.getElementById('accept').disabled, document.getElementById('accept-why').hidden]",
                json!([])
            )
            .await,
        json!([true, false])
    );
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "plan in Dari: {problems:#?}");
    browser.screenshot("plan-prs").await;
}
