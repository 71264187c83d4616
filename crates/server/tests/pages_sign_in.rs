//! A coordinator signs in to the pages in a real browser, with the second factor, in English
//! and in Dari; a wrong code is refused on the page; the pages pass an accessibility check;
//! the token stays in the tab's session storage and nowhere else.

mod common;

use common::browser::Browser;
use common::{spawn_app, totp_code};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_signs_in_with_the_second_factor() {
    let app = spawn_app(Backend::Sqlite).await;
    app.add_user_with_code("amina", Role::Coordinator).await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/")).await;
    browser.wait_for_path("/app/sign-in").await;
    browser.goto(&app.url("/app/sign-in?lang=en")).await;
    assert_eq!(browser.text("h1").await, "Sign in");
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "sign-in in English: {problems:#?}");
    browser.screenshot("sign-in-en").await;

    // An empty form: the account name is asked for, and nothing is sent.
    let asked = browser
        .click_until_shown("#submit", "sign-in-error", "the missing account name")
        .await;
    assert_eq!(asked, "Type your account name.");
    browser.type_into("#username", "amina").await;
    browser.click("#submit").await;
    browser
        .wait_until(
            "document.getElementById('sign-in-error').textContent === 'Type your password.'",
            "the missing password asked for",
        )
        .await;

    // A wrong code: refused on the page, nothing kept.
    browser.type_into("#username", "amina").await;
    browser.type_into("#password", PASSWORD).await;
    browser.type_into("#totp", "000000").await;
    let error = browser
        .click_until_shown("#submit", "sign-in-error", "the refusal")
        .await;
    assert!(error.contains("wrong"), "{error}");
    let kept = browser
        .eval(
            "return sessionStorage.length + localStorage.length",
            json!([]),
        )
        .await;
    assert_eq!(kept, 0, "a refused sign-in keeps nothing");

    // The right code: the dashboard, the token in this tab only.
    browser.type_into("#password", PASSWORD).await;
    let code = totp_code("amina", safeconduct_keys::now().0);
    browser.type_into("#totp", &code).await;
    browser.click("#submit").await;
    browser.wait_for_path("/app/dashboard").await;
    // The bar leads to the coordinator's other pages without signing in again.
    browser
        .wait_until(
            "document.querySelectorAll('#pages-nav a').length === 5",
            "the links to the coordinator's pages",
        )
        .await;
    let current = browser.text("#pages-nav a[aria-current=page]").await;
    assert_eq!(current, "Dashboard");
    browser.click("#pages-nav a[href^='/app/map']").await;
    browser.wait_for_path("/app/map").await;
    browser
        .wait_until(
            "document.querySelector('#pages-nav a[aria-current=page]')?.textContent === 'Map'",
            "the map, signed in",
        )
        .await;
    // Back on the sign-in page, the tab's storage:
    browser.goto(&app.url("/app/sign-in?lang=en")).await;
    browser.find("h1").await;
    let session = browser
        .eval(
            "return JSON.parse(sessionStorage.getItem('safeconduct.session'))",
            json!([]),
        )
        .await;
    assert_eq!(session["username"], "amina");
    assert_eq!(session["op"], app.op.0);
    assert_eq!(session["token"].as_str().map(str::len), Some(64));
    let local = browser.eval("return localStorage.length", json!([])).await;
    assert_eq!(local, 0, "nothing in local storage");
    let cookies = browser.eval("return document.cookie", json!([])).await;
    assert_eq!(cookies, "", "no cookie");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_reads_right_to_left_in_dari() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/app/sign-in?lang=prs")).await;
    assert_eq!(
        browser.direction_and_language().await,
        ("rtl".into(), "prs".into())
    );
    assert_eq!(browser.text("h1").await, "ورود");
    // Mirrored: the fields start at the right edge of the form.
    let mirrored = browser
        .eval(
            "const i = document.getElementById('username').getBoundingClientRect();
             const f = document.getElementById('sign-in').getBoundingClientRect();
             return [Math.round(f.right - i.right) < 40, Math.round(i.left - f.left) > 100];",
            json!([]),
        )
        .await;
    assert_eq!(
        mirrored,
        json!([true, true]),
        "fields sit on the right in Dari"
    );
    // The Arabic-script font comes from the server, not from the machine.
    browser
        .wait_until(
            "document.fonts.check('16px Vazirmatn', 'ورود') && [...document.fonts].some(f => f.family.includes('Vazirmatn') && f.status === 'loaded')",
            "the embedded font to load",
        )
        .await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "sign-in in Dari: {problems:#?}");
    browser.screenshot("sign-in-prs").await;

    // The browser's own language is the default; the reader's choice wins.
    let browser = Browser::start_with(common::browser::Options {
        accept_language: "ps".into(),
        ..Default::default()
    })
    .await;
    browser.goto(&app.url("/app/sign-in")).await;
    assert_eq!(
        browser
            .eval("return document.documentElement.lang", json!([]))
            .await,
        "ps"
    );
    browser
        .click_until(
            "nav.languages a[lang=fr]",
            "document.documentElement.lang === 'fr'",
            "French",
        )
        .await;
    assert_eq!(browser.text("h1").await, "Connexion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_alone_signs_in() {
    let app = spawn_app(Backend::Sqlite).await;
    app.add_user_with_code("omar", Role::Hotline).await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/app/sign-in?lang=en")).await;
    browser.find("#username").await;
    browser
        .eval("document.getElementById('username').focus()", json!([]))
        .await;
    browser.keys("omar\u{E004}").await;
    browser.keys(&format!("{PASSWORD}\u{E004}")).await;
    let code = totp_code("omar", safeconduct_keys::now().0);
    browser.keys(&format!("{code}\u{E007}")).await;
    browser.wait_for_path("/app/hotline").await;
}
