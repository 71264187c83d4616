//! On a phone 360 pixels wide no page is wider than the screen, and every button and link on
//! it is within the screen: a table whose last column holds actions shows each row as a card
//! with its actions below, any other table scrolls sideways inside itself; a tick box is big
//! enough to hit with a thumb. In a left-to-right and a right-to-left language.

mod common;

use common::browser::{Browser, Options};
use common::map_pages::wait_for_streets;
use common::{TestApp, open_as, spawn_app_routing};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

const WIDTH: u32 = 360;

/// Fails naming the page, the language and what reaches past the screen's edge: the page's
/// own width, and each visible button or link that is not wholly on the screen.
async fn assert_fits(browser: &Browser, page: &str, lang: &str) {
    let overflow = browser
        .eval(
            "const w = window.innerWidth;
             // The skip link waits off the screen until it is focused.
             const out = [...document.querySelectorAll('button, a:not(.skip), input, select')]
               .filter((b) => { const r = b.getBoundingClientRect();
                                return r.width > 0 && (r.right > w + 1 || r.left < -1); })
               .map((b) => (b.textContent || b.id || b.name).trim());
             // A tick box is a target a thumb can hit: 24 pixels at least.
             const small = [...document.querySelectorAll('input[type=checkbox]')]
               .filter((b) => { const r = b.getBoundingClientRect();
                                return r.width > 0 && (r.width < 24 || r.height < 24); })
               .map((b) => b.id);
             return { page: document.documentElement.scrollWidth, screen: w, out, small };",
            json!([]),
        )
        .await;
    assert_eq!(
        overflow["screen"], WIDTH,
        "{page} in {lang}: the screen is a phone's"
    );
    assert!(
        overflow["page"].as_u64() <= overflow["screen"].as_u64()
            && overflow["out"].as_array().is_some_and(|o| o.is_empty()),
        "{page} in {lang} is wider than a phone: {overflow}"
    );
    assert_eq!(
        overflow["small"],
        json!([]),
        "{page} in {lang}: tick boxes too small to hit"
    );
}

async fn open(browser: &Browser, app: &TestApp, role: Role, page: &str, lang: &str) {
    open_as(browser, app, role, &format!("/app/{page}?lang={lang}")).await;
    browser.find("main h1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_in_english_and_dari() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let p = app.places(100, 300).await;
    // A case with its pass: the cases of "pass issued" have three actions each.
    app.register_with_pass(2, "0700 000 901", p.window).await;
    let browser = Browser::start_with(Options {
        window: (WIDTH, 740),
        ..Options::default()
    })
    .await;
    browser
        .cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": WIDTH, "height": 740, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
    for lang in ["en", "prs"] {
        open(&browser, &app, Role::Coordinator, "dashboard", lang).await;
        browser
            .click("#funnel [data-stage=pass_issued] button.list")
            .await;
        browser.find("#cases-body tr[data-reference] button").await;
        browser.find("#flights-body tr[data-flight]").await;
        assert_fits(&browser, "the dashboard", lang).await;
        browser
            .eval(
                "document.getElementById('cases').scrollIntoView()",
                json!([]),
            )
            .await;
        browser.screenshot(&format!("dashboard-phone-{lang}")).await;

        open(&browser, &app, Role::Coordinator, "map", lang).await;
        wait_for_streets(&browser).await;
        browser.find("#rvs tr button").await;
        assert_fits(&browser, "the map", lang).await;

        open(&browser, &app, Role::Coordinator, "plan", lang).await;
        assert_fits(&browser, "the plan", lang).await;

        open(&browser, &app, Role::Hotline, "hotline", lang).await;
        assert_fits(&browser, "the hotline", lang).await;

        open(&browser, &app, Role::Gate, "gate", lang).await;
        assert_fits(&browser, "the gate", lang).await;
    }
}
