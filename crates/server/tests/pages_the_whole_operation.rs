//! The whole operation in one browser, chained as the people who run it go through it, on the
//! real extract of central Helsinki: a coordinator signs in with the second factor, registers
//! a household from the dashboard, runs and accepts a plan, issues the pass again and prints
//! it; a hotline operator looks the caller up and sees the route drawn round a hazard the
//! coordinator placed on the map; the escort (a field device's calls, outside the browser, as
//! the issue allows) admits the households and leads them to the gate, whose screen lists the
//! batch, records one household's arrival and closes the batch short; the unaccounted alarm
//! appears on the dashboard, loaded once before the batch left and never reloaded, and is
//! resolved there; the dashboard's counts moved meanwhile. Screenshots of each step.

mod common;

use common::browser::{Browser, the_printed_pass_sheet_is_styled};
use common::dashboard::{accept_plan, open_dialog, preview_plan, wait_shown};
use common::map_pages::{
    click_map_at, distance_to_segment, draw_hazard, drawn_route, route_drawn, wait_for_streets,
};
use common::*;
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;
use std::time::Instant;

const PASSWORD: &str = "correct horse battery";
const PHONE: &str = "0700 123 456";
/// Where the caller says they are: a street corner north-west of RV Alpha.
const CALLER: (f64, f64) = (60.1699, 24.9384);
const HAZARD_RADIUS_M: f64 = 40.0;

/// On the hotline console: the caller found by phone, their position picked on the map, the
/// route drawn; the route as drawn.
async fn hotline_route(browser: &Browser, app: &TestApp, reference: &str) -> Vec<(f64, f64)> {
    open_as(browser, app, Role::Hotline, "/app/hotline?lang=en").await;
    wait_for_streets(browser).await;
    browser.type_into("#lookup-phone", PHONE).await;
    browser
        .click_until(
            "#lookup-submit",
            &format!("document.getElementById('case-heading').textContent.includes('{reference}')"),
            "the caller's case",
        )
        .await;
    browser.click("#route-language option[value='en']").await;
    click_map_at(browser, CALLER.0, CALLER.1).await;
    route_drawn(browser).await;
    drawn_route(browser).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_operation_runs_in_one_browser() {
    let started = Instant::now();
    let app = spawn_app_routing(Backend::Sqlite).await;
    let p = app.places(100, 300).await;
    app.add_user_with_code("amina", Role::Coordinator).await;
    // A household registered at an intake desk, to walk in the same batch.
    let other = app.register(2, "0700 123 457").await;
    app.to_eligible(&other).await;
    let browser = Browser::start().await;

    // Sign in with the second factor.
    browser.goto(&app.url("/app/sign-in?lang=en")).await;
    browser.type_into("#username", "amina").await;
    browser.type_into("#password", PASSWORD).await;
    let code = totp_code("amina", safeconduct_keys::now().0);
    browser.type_into("#totp", &code).await;
    browser.click("#submit").await;
    browser.wait_for_path("/app/dashboard").await;
    let dashboard = browser.window().await;

    // Register a household from the dashboard.
    browser.type_into("#reg-phone", PHONE).await;
    browser.type_into("#member-1-name", "Zahra Karimi").await;
    browser.type_into("#member-1-birth_date", "1984").await;
    browser.click("#add-member").await;
    browser.type_into("#member-2-name", "Omid Karimi").await;
    browser.type_into("#member-2-birth_date", "1982").await;
    let result = browser
        .click_until_shown("#register-submit", "register-result", "the registration")
        .await;
    let reference = result
        .split("case ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or_else(|| panic!("no reference in {result:?}"))
        .to_string();
    // Their passports seen at the desk, they are found eligible.
    let members = app.get(Role::Coordinator, &case(&reference)).await["members"].clone();
    for (i, m) in members.as_array().unwrap().iter().enumerate() {
        app.create(
            Role::Coordinator,
            &format!("{}/members/{}/documents", case(&reference), m["id"]),
            json!({ "type": "passport", "number": format!("P7700{i:04}"), "issuing_country": "AF" }),
        )
        .await;
    }
    app.to_eligible(&reference).await;
    wait_shown(&browser, "eligible", "2").await;

    // Run and accept a plan.
    browser.click("#pages-nav a[href^='/app/plan']").await;
    browser.wait_for_path("/app/plan").await;
    preview_plan(&browser).await;
    assert_eq!(browser.text("#fig-households dd").await, "2");
    assert_eq!(browser.text("#fig-unplaced dd").await, "0");
    let accepted = accept_plan(&browser).await;
    assert!(accepted.starts_with("Accepted: 2 households"), "{accepted}");

    // Back on the dashboard, which stays loaded from now on: the marker would go with a reload.
    browser.click("#pages-nav a[href^='/app/dashboard']").await;
    browser.wait_for_path("/app/dashboard").await;
    wait_shown(&browser, "pass_issued", "2").await;
    browser
        .wait_until(
            "document.getElementById('live-dot').classList.contains('on')",
            "the live stream",
        )
        .await;
    browser
        .eval("window.loadedOnce = 'the whole operation'", json!([]))
        .await;

    // Issue the household's pass again from its row, and print it.
    browser
        .click("#funnel [data-stage=pass_issued] button.list")
        .await;
    let row = format!("#cases-body tr[data-reference='{reference}']");
    open_dialog(&browser, &format!("{row} button.issue")).await;
    browser
        .click_until(
            "#confirm-ok",
            "document.getElementById('cases-result').textContent.startsWith('Pass issued')",
            "the pass issued again",
        )
        .await;
    let pass = app
        .get(Role::Coordinator, &format!("{}/pass", case(&reference)))
        .await;
    assert_eq!(pass["state"], "valid", "{pass}");
    the_printed_pass_sheet_is_styled(
        &browser,
        &format!("{row} button.print"),
        "operation-pass-sheet-en",
    )
    .await;

    // The household calls the hotline (another tab, another person's session): the route
    // from where they are, drawn on the map.
    browser.new_tab().await;
    let direct = hotline_route(&browser, &app, &reference).await;
    assert!(direct.len() > 2, "{direct:?}");
    let centre = direct[direct.len() / 2];

    // The coordinator places a checkpoint across that way on the operation map.
    open_as(&browser, &app, Role::Coordinator, "/app/map?lang=en").await;
    wait_for_streets(&browser).await;
    browser.click("input[name='mode'][value='hazard']").await;
    draw_hazard(&browser, centre.0, centre.1, HAZARD_RADIUS_M).await;

    // The hotline's route from the same place now goes round it.
    let around = hotline_route(&browser, &app, &reference).await;
    browser
        .wait_until(
            "document.querySelectorAll('.map-hazards circle').length === 1",
            "the hazard on the hotline's map",
        )
        .await;
    assert_ne!(around, direct, "the route changed");
    for pair in around.windows(2) {
        let gap = distance_to_segment(centre, pair[0], pair[1]);
        assert!(
            gap > HAZARD_RADIUS_M,
            "the drawn route passes {gap:.1} m from the checkpoint"
        );
    }
    browser.eval("window.scrollTo(0, 0)", json!([])).await;
    browser.screenshot("operation-hotline-en").await;

    // The escort admits both households at the RV and leads them to the gate.
    for r in [&reference, &other] {
        app.admit_at_rv(r, p.rv).await;
    }
    let batch = app.depart(p.rv, p.gate, &[&reference, &other]).await["id"]
        .as_i64()
        .unwrap();

    // The gate screen lists the batch; one household arrives; the batch is closed short.
    browser
        .sign_in_as(&app.url(""), app.page_session(Role::Gate))
        .await;
    browser.goto(&app.url("/app/gate?lang=en")).await;
    let card = format!("#batch-{batch}");
    browser.find(&card).await;
    assert_eq!(
        browser.text(&format!("{card} .heads")).await,
        "0 of 4 people arrived"
    );
    browser.type_into("#reference", &other).await;
    browser.type_into("#arrived-people", "2").await;
    browser
        .click_until(
            "#arrived",
            &format!(
                "document.querySelector('{card} .heads').textContent === '2 of 4 people arrived'"
            ),
            "the arrival counted",
        )
        .await;
    browser.eval("window.scrollTo(0, 0)", json!([])).await;
    browser.screenshot("operation-gate-en").await;
    browser.click(&format!("{card} button")).await;
    browser
        .wait_until(
            "!document.getElementById('alarms').hidden",
            "the gate's alarm",
        )
        .await;
    assert_eq!(app.stage(&reference).await, "unaccounted");

    // On the dashboard, never reloaded: the alarm, and the counts moved.
    browser.switch_to(&dashboard).await;
    let alarm = format!("#alarms [data-reference='{reference}']");
    browser.find(&alarm).await;
    wait_shown(&browser, "pass_issued", "0").await;
    wait_shown(&browser, "arrived_at_gate", "1").await;
    wait_shown(&browser, "unaccounted", "1").await;
    assert_eq!(
        browser.eval("return window.loadedOnce", json!([])).await,
        "the whole operation",
        "the dashboard was not reloaded"
    );
    browser.eval("window.scrollTo(0, 0)", json!([])).await;
    browser.screenshot("operation-dashboard-alarm-en").await;

    // Resolved there: the household came in late by another street.
    open_dialog(&browser, &format!("{alarm} button.resolve")).await;
    browser
        .eval(
            "document.getElementById('confirm-field-0').value = 'arrived_late';",
            json!([]),
        )
        .await;
    browser
        .type_into("#confirm-field-1", "Came in late by the side street")
        .await;
    browser
        .click_until(
            "#confirm-ok",
            &format!("!document.querySelector(\"{alarm}\")"),
            "the alarm to go",
        )
        .await;
    assert_eq!(app.stage(&reference).await, "arrived_at_gate");
    wait_shown(&browser, "arrived_at_gate", "2").await;
    wait_shown(&browser, "unaccounted", "0").await;
    assert_eq!(
        browser.eval("return window.loadedOnce", json!([])).await,
        "the whole operation"
    );
    let took = started.elapsed();
    assert!(
        took.as_secs() < 120,
        "the whole operation took {took:?}: too slow for a page test"
    );
}
