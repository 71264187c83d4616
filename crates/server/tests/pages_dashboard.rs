//! The coordinator dashboard in a real browser against the real server: the counts move with
//! a change made through the API, without a reload; an incident and an unaccounted alarm
//! appear at the top and are resolved from the page; the list of a stage pages; a pass is
//! issued and revoked from a case's row; a household is registered from the page; the page
//! passes the accessibility check in English and in Dari (screenshots with data showing); a
//! hotline or escort session sees no data and a clear message; an escort is given places; a
//! live change leaves the focus where it was; a lost phone is suspended from the list of
//! devices.

mod common;

use common::browser::Browser;
use common::dashboard::{open_dialog, wait_shown};
use common::{TestApp, case, resolve_path, spawn_app};
use safeconduct_domain::Role;
use safeconduct_domain::scan::{ScanAct, ScanPlace};
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// Opens the dashboard in `lang` as the test user of `role`, whose session is put into the
/// tab's storage as the sign-in page leaves it.
async fn open_as(browser: &Browser, app: &TestApp, role: Role, lang: &str) {
    common::open_as(browser, app, role, &format!("/app/dashboard?lang={lang}")).await;
}

/// Opens the dashboard in `lang` as a new user `name` holding each of `roles`.
async fn open_with_roles(browser: &Browser, app: &TestApp, name: &str, roles: &[Role], lang: &str) {
    let token = app.add_user_with_roles(name, roles).await;
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let session = json!({
        "token": token, "username": name, "op": app.op.0,
        "opName": "Test operation", "roles": roles,
    });
    browser.sign_in_as(&app.url(""), session).await;
    browser
        .goto(&app.url(&format!("/app/dashboard?lang={lang}")))
        .await;
}

/// The households the funnel shows in `stage`, once the counts are drawn.
async fn shown(browser: &Browser, stage: &str) -> String {
    browser
        .text(&format!(
            "#funnel [data-stage={stage}] .households, #side [data-stage={stage}] .households"
        ))
        .await
}

/// Waits until the element `id` is shown; its text.
async fn wait_shown_text(browser: &Browser, id: &str) -> String {
    browser
        .wait_until(
            &format!("!document.getElementById('{id}').hidden"),
            &format!("#{id} to show"),
        )
        .await;
    browser.text(&format!("#{id}")).await
}

/// An escort device syncs a record with its clock four hours behind: an open incident.
async fn a_clock_skew_incident(app: &TestApp, rv: i64) {
    let mut device = app
        .enrol(Role::Escort, ScanPlace::Rv(safeconduct_domain::RvId(rv)), 7)
        .await;
    let now = safeconduct_keys::now().0;
    let record = device.record(
        app.op.0,
        ScanAct::Refuse {
            pass_index: None,
            code: "unreadable".into(),
        },
        now,
    );
    let (status, body) = app
        .call(
            Role::Escort,
            reqwest::Method::POST,
            &device.scans_path(),
            Some(common::field::sync_body(&[record], now - 4 * 3600)),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert_eq!(app.open_incidents().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counts_move_without_a_reload() {
    let app = spawn_app(Backend::Sqlite).await;
    app.register(2, "0700 400 001").await;
    app.register(1, "0700 400 002").await;
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "en").await;
    wait_shown(&browser, "registered", "2").await;
    assert_eq!(shown(&browser, "registered").await, "2");
    browser
        .wait_until(
            "document.getElementById('live-dot').classList.contains('on')",
            "the live stream to connect",
        )
        .await;
    let live = browser.text("#live-text").await;
    assert!(live.starts_with("Live: connected"), "{live}");
    browser.eval("window.marker = 1", json!([])).await;

    // A change through the API, by another client: the page follows without reloading.
    app.register(3, "0700 400 003").await;
    wait_shown(&browser, "registered", "3").await;
    let people = browser
        .text("#funnel [data-stage=registered] .people")
        .await;
    assert_eq!(people, "6 people");
    assert_eq!(
        browser.text("#totals").await,
        "3 households, people in all: 6"
    );
    let reference = app.register(1, "0700 400 004").await;
    app.to_eligible(&reference).await;
    wait_shown(&browser, "eligible", "1").await;
    wait_shown(&browser, "registered", "3").await;
    assert_eq!(
        browser.eval("return window.marker", json!([])).await,
        1,
        "the page was not reloaded"
    );
    // No list of people was downloaded to count them: only the counts endpoint was read.
    let read = browser
        .eval(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)
               .filter(p => p.includes('/households') && !p.endsWith('/households'))",
            json!([]),
        )
        .await;
    assert_eq!(read, json!([]), "no case was read to count");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_and_an_unaccounted_alarm_are_resolved_from_the_top() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    let (batch, _, missing) = app.a_batch_arriving_short(&p, "0700 500 00").await;
    a_clock_skew_incident(&app, p.rv).await;
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "en").await;

    browser.find("#incidents [data-incident]").await;
    let incident = browser.text("#incidents [data-incident] h3").await;
    assert!(incident.contains("A device's clock is wrong"), "{incident}");
    // The server's English facts are marked as English, for any page language.
    let detail = browser
        .eval(
            "const p = document.querySelector('#incidents .incident-detail'); return [p.lang, p.dir, p.textContent.length > 0]",
            json!([]),
        )
        .await;
    assert_eq!(detail, json!(["en", "ltr", true]));
    browser
        .find(&format!(
            "#alarms [data-batch='{batch}'] [data-reference='{missing}']"
        ))
        .await;
    let alarm = browser
        .text(&format!("#alarms [data-batch='{batch}']"))
        .await;
    assert!(alarm.contains("with 5 people; 2 arrived"), "{alarm}");
    assert!(
        alarm.contains("Due at the gate by"),
        "the deadline it passed: {alarm}"
    );

    // The incident: a note is required, then it is resolved and leaves the top.
    open_dialog(&browser, "#incidents [data-incident] button.resolve").await;
    browser.click("#confirm-ok").await;
    let error = wait_shown_text(&browser, "confirm-error").await;
    assert!(error.contains("Fill in"), "{error}");
    browser
        .type_into("#confirm-field-0", "The phone's clock was reset")
        .await;
    browser
        .click_until(
            "#confirm-ok",
            "!document.querySelector('#incidents [data-incident]')",
            "the incident to go",
        )
        .await;
    assert!(
        browser
            .text("#attention-result")
            .await
            .contains("is resolved")
    );
    assert!(app.open_incidents().await.is_empty());

    // The missing household: found late at the gate.
    open_dialog(
        &browser,
        &format!("#alarms [data-reference='{missing}'] button.resolve"),
    )
    .await;
    browser
        .eval(
            "const s = document.getElementById('confirm-field-0'); s.value = 'arrived_late';",
            json!([]),
        )
        .await;
    browser
        .type_into("#confirm-field-1", "Came in by the side street")
        .await;
    browser
        .click_until(
            "#confirm-ok",
            "!document.querySelector('#alarms [data-reference]')",
            "the alarm to go",
        )
        .await;
    let result = browser.text("#attention-result").await;
    assert!(
        result.contains(&missing) && result.contains("Arrived at the gate"),
        "{result}"
    );
    assert_eq!(app.stage(&missing).await, "arrived_at_gate");
    wait_shown_text(&browser, "attention-none").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_pages_and_a_pass_is_issued_and_revoked_from_a_row() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    for i in 0..26 {
        app.register(1, &format!("0700 600 {i:03}")).await;
    }
    let assigned = app.register(2, "0700 601 000").await;
    app.to_eligible(&assigned).await;
    app.step(
        Role::Coordinator,
        &assigned,
        "assign",
        Some(json!({"window_id": p.window})),
    )
    .await;
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "en").await;
    wait_shown(&browser, "registered", "26").await;

    let rows = "document.querySelectorAll('#cases-body tr[data-reference]').length";
    browser
        .click("#funnel [data-stage=registered] button.list")
        .await;
    browser
        .wait_until(&format!("{rows} === 25"), "the first page")
        .await;
    // A household of one is one person, in the language's plural form.
    assert_eq!(browser.text("#cases-body tr td.num").await, "1 person");
    let first = browser
        .eval(
            "return document.querySelector('#cases-body tr').dataset.reference",
            json!([]),
        )
        .await;
    browser
        .click_until("#cases-next", &format!("{rows} === 1"), "the second page")
        .await;
    assert_eq!(browser.text("#cases-caption").await, "Registered, page 2");
    assert_eq!(
        browser
            .eval(
                "return document.getElementById('cases-next').disabled",
                json!([])
            )
            .await,
        true
    );
    browser
        .click_until(
            "#cases-prev",
            &format!("{rows} === 25"),
            "the first page again",
        )
        .await;
    let again = browser
        .eval(
            "return document.querySelector('#cases-body tr').dataset.reference",
            json!([]),
        )
        .await;
    assert_eq!(first, again);

    // Issue the pass of the assigned household from its row.
    browser
        .click("#funnel [data-stage=assigned] button.list")
        .await;
    browser
        .wait_until(
            "document.getElementById('cases-caption').textContent === 'Assigned a window, page 1'",
            "the list of assigned",
        )
        .await;
    let row = format!("#cases-body tr[data-reference='{assigned}']");
    open_dialog(&browser, &format!("{row} button.issue")).await;
    browser
        .click_until(
            "#confirm-ok",
            "document.getElementById('cases-result').textContent.startsWith('Pass issued')",
            "the pass to be issued",
        )
        .await;
    assert_eq!(app.stage(&assigned).await, "pass_issued");
    wait_shown(&browser, "pass_issued", "1").await;

    // Print it: the sheet opens from the page, styled.
    browser
        .click("#funnel [data-stage=pass_issued] button.list")
        .await;
    common::browser::the_printed_pass_sheet_is_styled(
        &browser,
        &format!("{row} button.print"),
        "pass-sheet-printed-en",
    )
    .await;

    // And revoke it, with a reason.
    browser
        .click("#funnel [data-stage=pass_issued] button.list")
        .await;
    browser
        .wait_until(
            "document.getElementById('cases-caption').textContent === 'Pass issued, page 1'",
            "the list of pass_issued",
        )
        .await;
    open_dialog(&browser, &format!("{row} button.revoke")).await;
    browser
        .type_into("#confirm-field-0", "The household asked for a new one")
        .await;
    browser
        .click_until(
            "#confirm-ok",
            "document.getElementById('cases-result').textContent.includes('is revoked')",
            "the pass to be revoked",
        )
        .await;
    let pass = app
        .get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{assigned}/pass"),
        )
        .await;
    assert_eq!(pass["state"], "revoked", "{pass}");
}

/// Lose nobody, from the dashboard: a member checked in after the household flew is listed
/// under "processed" with the household, and a user who also manifests is offered the
/// manifest there: the member goes on the flight chosen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_checked_in_after_the_household_flew_is_manifested_from_the_list() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    let (a, _, left) = app.members_unaccounted(&p, 3, 2, "0700 602 000").await;
    app.manifest(p.flight, &a).await;
    app.board(&a, p.flight).await;
    let late = json!({"outcome": "arrived_late", "note": "Came later", "person_ids": left});
    app.post(Role::Coordinator, &resolve_path(&a), Some(late))
        .await;
    app.process(&a, p.gate).await;

    let browser = Browser::start().await;
    let session = json!({
        "token": app.all_roles, "username": "all", "op": app.op.0,
        "opName": "Test operation", "roles": ["coordinator", "manifest"],
    });
    browser.sign_in_as(&app.url(""), session).await;
    browser.goto(&app.url("/app/dashboard?lang=en")).await;
    browser
        .click("#funnel [data-stage=processed] button.list")
        .await;
    let row = format!("#cases-body tr[data-reference='{a}']");
    browser.find(&row).await;
    open_dialog(&browser, &format!("{row} button.manifest")).await;
    browser
        .click_until(
            "#confirm-ok",
            "document.getElementById('cases-result').textContent.includes('is on the manifest')",
            "the member to be manifested",
        )
        .await;
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "boarded");
    assert_eq!(
        household["members_apart"],
        json!([{"person_id": left[0], "stage": "manifested", "flight_id": p.flight}])
    );
}

/// Registers the first member born on a day that does not exist; the refusal shown, once it
/// names the field `label`.
/// Sends the registration form until its refusal says `says`: the refusal, with the focus
/// on the field `field` (its id), marked invalid.
async fn registration_refused(browser: &Browser, says: &str, field: &str) -> String {
    let error = browser
        .click_until_says("#register-submit", "register-error", says, says)
        .await;
    let focused = "return document.activeElement.id + ' ' + document.activeElement.getAttribute('aria-invalid')";
    assert_eq!(
        browser.eval(focused, json!([])).await,
        format!("{field} true"),
        "{error}"
    );
    error
}

async fn refused_birth_date(browser: &Browser, label: &str) -> String {
    browser
        .type_into("#member-1-birth_date", "1990-13-40")
        .await;
    browser
        .click_until_says(
            "#register-submit",
            "register-error",
            label,
            "the refusal naming the field",
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_household_is_registered_from_the_dashboard() {
    let app = spawn_app(Backend::Sqlite).await;
    // An RV and a gate: the operation's area, which a location must be in.
    app.places(100, 100).await;
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "en").await;
    wait_shown(&browser, "registered", "0").await;
    browser.type_into("#reg-phone", "0700 700 001").await;
    browser.click("#register-submit").await;
    let error = wait_shown_text(&browser, "register-error").await;
    assert!(error.contains("Name in Latin letters"), "{error}");
    browser.type_into("#member-1-name", "Zahra Karimi").await;
    browser
        .type_into("#member-1-name_native", "زهرا کریمی")
        .await;
    // A date the server refuses: the refusal names the member and the field as the form
    // does, without the parser's position, and puts the cursor there.
    let error = refused_birth_date(&browser, "Date of birth").await;
    assert!(
        error.contains("Member 1 · Date of birth: expected a month from 01 to 12, not 13")
            && !error.contains("column"),
        "{error}"
    );
    let focused = "return document.activeElement.id + ' ' + document.activeElement.getAttribute('aria-invalid')";
    assert_eq!(
        browser.eval(focused, json!([])).await,
        "member-1-birth_date true"
    );
    browser.type_into("#member-1-birth_date", "1984").await;
    browser.click("#add-member").await;
    // A second member left without a name is named as the second.
    browser
        .click_until_says(
            "#register-submit",
            "register-error",
            "Fill in: Member 2 · Name in Latin letters",
            "the second member's name asked for",
        )
        .await;
    assert_eq!(browser.eval(focused, json!([])).await, "member-2-name true");
    browser.type_into("#member-2-name", "Omid Karimi").await;
    browser.click("#register-submit").await;
    let result = wait_shown_text(&browser, "register-result").await;
    assert!(result.contains("2 people"), "{result}");
    // The emptied form leaves the focus on what was done, not nowhere.
    let at = "return document.activeElement.id";
    assert_eq!(browser.eval(at, json!([])).await, "register-result");
    let reference = result
        .split("case ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let case = app
        .get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{reference}"),
        )
        .await;
    assert_eq!(case["members"][0]["name_native"], "زهرا کریمی");
    assert_eq!(case["language"], "prs");
    wait_shown(&browser, "registered", "1").await;

    // In Dari, a refused field is named and refused in Dari, with the form it takes from the
    // hint under it; what was expected follows in English (which part of the date), isolated
    // so that it keeps its order and its brackets in the right-to-left sentence.
    open_as(&browser, &app, Role::Coordinator, "prs").await;
    wait_shown(&browser, "registered", "۱").await;
    browser.type_into("#member-1-name", "Zahra Karimi").await;
    let error = refused_birth_date(&browser, "تاریخ تولد").await;
    assert!(
        error.contains(
            "تاریخ تولد: پذیرفته نشد. YYYY، YYYY-MM یا YYYY-MM-DD (\u{2068}a month from 01 to 12, not 13\u{2069})"
        ),
        "{error}"
    );
    // A name too long for the store: the length it may have, in Dari digits.
    browser.type_into("#member-1-birth_date", "1984").await;
    let long = "ز".repeat(130);
    browser
        .eval(
            "document.getElementById('member-1-name_native').value = arguments[0]",
            json!([long]),
        )
        .await;
    let error = registration_refused(&browser, "۱۲۰", "member-1-name_native").await;
    assert!(error.contains("حد اکثر ۱۲۰ حرف"), "{error}");
    browser
        .eval(
            "document.getElementById('member-1-name_native').value = 'زهرا';",
            json!([]),
        )
        .await;
    // A year of birth still to come (2035 for 2003): refused on its field, in Dari.
    browser.type_into("#member-1-birth_date", "2035").await;
    let error =
        registration_refused(&browser, "نمی‌تواند در آینده باشد", "member-1-birth_date").await;
    assert!(error.contains("تاریخ تولد"), "{error}");
    browser.type_into("#member-1-birth_date", "1984").await;
    // A location with latitude and longitude swapped: outside the operation's area, by how
    // far, in Dari.
    browser.type_into("#reg-location", "24.94, 60.17").await;
    registration_refused(
        &browser,
        "بیرون از ساحهٔ عملیات است، بیش از ۳۰ کیلومتر",
        "reg-location",
    )
    .await;
    // A phone for a user no escort of this operation is: the role named as the page names it.
    browser.type_into("#device-user", "nobody").await;
    browser.type_into("#device-places", "1").await;
    browser.type_into("#device-label", "RV phone").await;
    browser
        .click_until_says(
            "#device-submit",
            "device-form-error",
            "نام کاربری همراه یا کارمند دروازه: هیچ کاربری با این نام در این عملیات به حیث همراه \
             کار نمی‌کند.",
            "the refusal of the user name",
        )
        .await;
    assert_eq!(browser.eval(focused, json!([])).await, "device-user true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_is_accessible_in_english_and_in_dari() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    app.a_batch_arriving_short(&p, "0700 800 00").await;
    for i in 0..4 {
        app.register(1 + i % 4, &format!("0700 801 {i:03}")).await;
    }
    let r = app.register_with_pass(4, "0700 802 000", p.window).await;
    app.admit_at_rv(&r, p.rv).await;
    let r = app.register(2, "0700 803 000").await;
    app.to_eligible(&r).await;
    a_clock_skew_incident(&app, p.rv).await;

    // Tall enough that the screenshots show the funnel below the alarms.
    let browser = Browser::start_with(common::browser::Options {
        window: (1280, 1500),
        ..Default::default()
    })
    .await;
    for lang in ["en", "prs"] {
        open_as(&browser, &app, Role::Coordinator, lang).await;
        browser.find("#funnel [data-stage=registered]").await;
        browser.find("#alarms [data-reference]").await;
        browser.find("#cases-body tr").await;
        browser
            .wait_until(
                "document.getElementById('live-dot').classList.contains('on')",
                "live",
            )
            .await;
        let problems = browser.accessibility_problems().await;
        assert!(problems.is_empty(), "dashboard in {lang}: {problems:#?}");
        browser.screenshot(&format!("dashboard-{lang}")).await;
    }
    let page = browser
        .eval("return [document.documentElement.dir, document.getElementById('funnel-title').textContent]", json!([]))
        .await;
    assert_eq!(page, json!(["rtl", "افراد در هر مرحله"]));
    // Numbers in Dari digits: four households registered.
    assert_eq!(shown(&browser, "registered").await, "۴");
    // A dialog, by keyboard alone: it opens with the focus inside and Escape closes it.
    open_dialog(&browser, "#incidents [data-incident] button.resolve").await;
    assert_eq!(
        browser
            .eval("return document.activeElement.id", json!([]))
            .await,
        "confirm-field-0"
    );
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the dialog in Dari: {problems:#?}");
    browser.keys("\u{E00C}").await;
    browser
        .wait_until(
            "!document.getElementById('confirm').open",
            "Escape to close",
        )
        .await;

    // In Pashto, whose numbers and dates this browser has no data for, they are written as
    // Dari writes them (Afghan digits), not in English.
    open_as(&browser, &app, Role::Coordinator, "ps").await;
    browser.find("#funnel [data-stage=registered]").await;
    browser
        .wait_until(
            "document.getElementById('live-dot').classList.contains('on')",
            "live in Pashto",
        )
        .await;
    assert_eq!(shown(&browser, "registered").await, "۴");
    let live = browser.text("#live-text").await;
    assert!(
        live.chars().any(|c| ('۰'..='۹').contains(&c)) && !live.chars().any(|c| c.is_ascii_digit()),
        "{live}"
    );
    // A date names its solar month in Pashto (Lindai, the ninth), not in Dari (Qaws): noon
    // UTC is the 27th November, 6 Lindai, in every time zone a test machine is likely to have.
    let date = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             import('/assets/app.js').then((m) => done(m.when('2026-11-27T12:00:00Z')));",
            json!([]),
        )
        .await;
    let date = date.as_str().unwrap();
    assert!(date.contains("۶ لیندۍ") && !date.contains("قوس"), "{date}");
    // A refusal is told in the page's words where the page has them for its code, with the
    // server's sentence naming what was not found: a case that does not exist, in Pashto.
    assert_eq!(
        refusal(&browser, "GET", "/api/operations/{op}/households/K7M4-Q2XP").await,
        json!([
            "not_found",
            "د هغه څه لپاره چې تاسو ورکړل څه و نه موندل شول. وې ګورئ او بیا هڅه وکړئ. (\u{2068}case K7M4-Q2XP not found\u{2069})"
        ])
    );
    // A step the household's stage does not allow (another desk moved it on): said in Pashto,
    // without the English names of the stages.
    let pass = format!("/api/operations/{{op}}/households/{r}/pass");
    assert_eq!(
        refusal(&browser, "POST", &pass).await,
        json!([
            "illegal_transition",
            "کورنۍ نور په هغه پړاو کې نه ده چې دا کار پکې کېږي. پاڼه تازه کړئ چې وګورئ اوس چېرې ده."
        ])
    );
    // A refusal the page has no words for: the server's English, set apart for the
    // right-to-left sentence that shows it.
    assert_eq!(
        refusal(&browser, "POST", "/api/operations/{op}/flights").await,
        json!([
            "missing_body",
            "\u{2068}this request takes a JSON body, and it had none\u{2069}"
        ])
    );
}

/// What the page's `api` throws when it sends `method` to `path` without a body: the
/// refusal's code and the message the page shows (`"answered"` when it was not refused).
async fn refusal(browser: &Browser, method: &str, path: &str) -> Value {
    browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             import('/assets/app.js')
               .then((m) => m.api(arguments[0], arguments[1]))
               .then(() => done('answered'), (e) => done([e.code, e.message]));",
            json!([method, path]),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotline_and_escort_sessions_see_no_data_and_are_told_why() {
    let app = spawn_app(Backend::Sqlite).await;
    app.register(2, "0700 900 001").await;
    let browser = Browser::start().await;
    for role in [Role::Hotline, Role::Escort] {
        open_as(&browser, &app, role, "en").await;
        let message = wait_shown_text(&browser, "page-error").await;
        assert!(
            message.starts_with("This page is for coordinators"),
            "{role}: {message}"
        );
        let shown = browser
            .eval(
                "return [...document.querySelectorAll('[data-roles]')].filter(s => !s.hidden).length
                   + document.querySelectorAll('[data-stage], [data-reference]').length",
                json!([]),
            )
            .await;
        assert_eq!(shown, 0, "{role} sees nothing of the operation");
    }
    // In Dari, the roles are listed as Dari lists them, with the Arabic-script comma.
    let roles = [Role::Hotline, Role::Gate];
    open_with_roles(&browser, &app, "hotline-and-gate", &roles, "prs").await;
    let message = wait_shown_text(&browser, "page-error").await;
    assert!(
        message.contains("کارمند خط تماس،")
            && message.contains("مأمور دروازه")
            && !message.contains(", "),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_and_a_manifest_officer_see_only_what_the_api_gives_them() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    let (batch, arrived, _) = app.a_batch_arriving_short(&p, "0700 950 00").await;
    app.process(&arrived, p.gate).await;
    let browser = Browser::start().await;
    let visible = "return [...document.querySelectorAll('[data-roles]')].filter(s => !s.hidden).map(s => s.id)";

    // The hotline opens a case: a read the auditor's review counts.
    let path = format!("/api/operations/{{op}}/hotline/cases/{arrived}");
    app.ok(
        Role::Hotline,
        reqwest::Method::POST,
        &path,
        Some(json!({})),
        200,
    )
    .await;

    // The auditor: the short batch and who read personal data, read-only; no counts, no
    // cases, no flights.
    open_as(&browser, &app, Role::Auditor, "en").await;
    browser
        .find(&format!("#alarms [data-batch='{batch}']"))
        .await;
    let alarm = browser
        .text(&format!("#alarms [data-batch='{batch}']"))
        .await;
    assert!(alarm.contains("with 5 people; 2 arrived"), "{alarm}");
    assert_eq!(
        browser.eval(visible, json!([])).await,
        json!(["attention", "access-section"])
    );
    browser.find("#access-body tr[data-reader='hotline']").await;
    let reader = browser.text("#access-body tr[data-reader='hotline']").await;
    assert!(reader.contains("Hotline operator"), "{reader}");
    assert!(!reader.contains(&arrived), "no case is named: {reader}");
    let buttons = browser
        .eval(
            "return document.querySelectorAll('#attention button').length",
            json!([]),
        )
        .await;
    assert_eq!(buttons, 0, "an auditor resolves nothing");
    assert_eq!(browser.text("h1").await, "Accountability alarms and access");

    // The manifest officer: the flights, and nothing about cases.
    open_as(&browser, &app, Role::Manifest, "en").await;
    let flight = format!("#flights-body tr[data-flight='{}']", p.flight);
    browser.find(&flight).await;
    assert_eq!(
        browser.eval(visible, json!([])).await,
        json!(["flights-section"])
    );
    let exports = browser
        .eval(
            "return document.querySelectorAll('#flights-body button.manifest-export').length",
            json!([]),
        )
        .await;
    assert_eq!(exports, 0, "the manifest export is for coordinators");
    assert_eq!(browser.text("h1").await, "Flights and manifests");
    let title = browser.eval("return document.title", json!([])).await;
    assert_eq!(title, "Flights and manifests · safeconduct");

    // A person who is both manifest officer and auditor: both parts, and a title naming both.
    let both = [Role::Manifest, Role::Auditor];
    open_with_roles(&browser, &app, "manifest-auditor", &both, "en").await;
    browser.find(&flight).await;
    browser
        .find(&format!("#alarms [data-batch='{batch}']"))
        .await;
    assert_eq!(
        browser.eval(visible, json!([])).await,
        json!(["attention", "access-section", "flights-section"])
    );
    assert_eq!(
        browser.text("h1").await,
        "Flights, manifests, accountability alarms and access"
    );
    open_as(&browser, &app, Role::Manifest, "en").await;
    browser.find(&flight).await;

    // Without a list of cases, the officer puts a household on the flight by the reference
    // on its pass, typed as a person types it.
    open_dialog(&browser, &format!("{flight} button.manifest-onto")).await;
    let typed = arrived.to_lowercase().replace('-', " ");
    browser.type_into("#confirm-field-0", &typed).await;
    let result = browser
        .click_until_shown("#confirm-ok", "flights-result", "the household manifested")
        .await;
    assert!(result.contains(&arrived), "{result}");
    assert_eq!(
        app.get(Role::Coordinator, &case(&arrived)).await["stage"],
        "manifested"
    );
    browser
        .wait_until(
            &format!("document.querySelector(\"{flight} td.num\").textContent.startsWith('2 of')"),
            "the flight's load",
        )
        .await;
}

/// Another desk schedules flight `number`: the lists of flights open elsewhere hear of it.
async fn scheduled_elsewhere(app: &TestApp, number: &str) {
    let flight = json!({"number": number, "departs_at": "2030-08-25T12:00:00Z", "capacity": 90});
    app.create(Role::Coordinator, "/api/operations/{op}/flights", flight)
        .await;
}

/// A live change draws a list anew under the coordinator's hands: the focus stays on the
/// button of the same flight, and a dialog closed after the list was drawn anew gives it back
/// to that flight's button, not to the top of the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_change_leaves_the_focus_where_it_was() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "en").await;
    let change = format!(
        "#flights-body tr[data-flight='{}'] button.flight-change",
        p.flight
    );
    browser.find(&change).await;
    let rows = |n: usize| format!("document.querySelectorAll('#flights-body tr').length === {n}");
    let focused = format!("return document.activeElement === document.querySelector(\"{change}\")");

    browser
        .eval(
            &format!("document.querySelector(\"{change}\").focus()"),
            json!([]),
        )
        .await;
    scheduled_elsewhere(&app, "RCH900").await;
    browser
        .wait_until(&rows(2), "the flight from another desk")
        .await;
    assert_eq!(
        browser.eval(&focused, json!([])).await,
        true,
        "the focus after the list was drawn anew"
    );

    open_dialog(&browser, &change).await;
    scheduled_elsewhere(&app, "RCH901").await;
    browser
        .wait_until(&rows(3), "a second flight from another desk")
        .await;
    browser.click("#confirm-cancel").await;
    assert_eq!(
        browser.eval(&focused, json!([])).await,
        true,
        "the focus after the dialog"
    );
}

/// `n` in Eastern Arabic digits, as a Dari keyboard types it.
fn dari_digits(n: i64) -> String {
    n.to_string()
        .chars()
        .map(|d| char::from_u32(0x06F0 + d.to_digit(10).unwrap()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_gives_an_escort_places_from_the_dashboard_in_dari() {
    use safeconduct_domain::values::{Coordinate, Timestamp};
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    let bravo = safeconduct_store::testing::agreed_rv(
        &*app.store,
        app.op,
        "RV Bravo",
        Coordinate::new(60.17, 24.95).unwrap(),
    );
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "prs").await;
    browser.find("#places-form").await;

    // Who acts where: RV Bravo, agreed, has no escort yet, and is named with its number.
    let bravo_named = format!("RV Bravo ({})", dari_digits(bravo.0));
    browser
        .wait_until(
            &format!(
                "!document.getElementById('field-users-uncovered').hidden && \
                 document.getElementById('field-users-uncovered').textContent.includes('{bravo_named}')"
            ),
            "the RV without an escort named",
        )
        .await;
    let uncovered = browser.text("#field-users-uncovered").await;
    assert!(
        uncovered.starts_with("هیچ همراهی در این نقاط تجمع که مردم را می‌پذیرند کار نمی‌کند"),
        "{uncovered}"
    );

    // No place typed: the form names the field to fill, before anything is sent.
    browser.type_into("#places-user", "escort").await;
    browser
        .click_until_says(
            "#places-submit",
            "places-form-error",
            "شماره‌های نقاط تجمع (همراه)",
            "the places asked for",
        )
        .await;

    // An RV by its name: the form asks for numbers.
    browser.type_into("#places-rvs", "RV Alpha").await;
    browser
        .click_until_says(
            "#places-submit",
            "places-form-error",
            "تنها شماره‌ها، جدا شده با کامه",
            "numbers asked for",
        )
        .await;
    // The RVs typed in Dari digits with the Dari comma: saved, and said back in Dari.
    let typed = format!("{}، {}", dari_digits(p.rv), dari_digits(bravo.0));
    browser.type_into("#places-rvs", &typed).await;
    let saved = browser
        .click_until_shown("#places-submit", "places-saved", "the places saved")
        .await;
    assert!(
        saved.starts_with("escort از حالا در این نقاط تجمع کار می‌کند")
            && saved.contains(&dari_digits(bravo.0)),
        "{saved}"
    );
    // Who acts where, read again: the escort at both, and no RV left without one.
    browser
        .wait_until(
            &format!(
                "document.getElementById('field-users-uncovered').hidden && \
                 document.querySelector('li[data-user=escort]').textContent.includes('{bravo_named}')"
            ),
            "the escort listed at RV Bravo",
        )
        .await;
    // A point agreed meanwhile, elsewhere: named at once as one with no escort.
    let charlie = safeconduct_store::testing::agreed_rv(
        &*app.store,
        app.op,
        "RV Charlie",
        Coordinate::new(60.168, 24.945).unwrap(),
    );
    browser
        .wait_until(
            &format!(
                "!document.getElementById('field-users-uncovered').hidden && \
                 document.getElementById('field-users-uncovered').textContent.includes('RV Charlie ({})')",
                dari_digits(charlie.0)
            ),
            "the new RV without an escort named, live",
        )
        .await;
    // Given to the escort from another desk: the list follows at once.
    app.assign("escort", &[p.rv, bravo.0, charlie.0], &[]).await;
    browser
        .wait_until(
            &format!(
                "document.getElementById('field-users-uncovered').hidden && \
                 document.querySelector('li[data-user=escort]').textContent.includes('RV Charlie ({})')",
                dari_digits(charlie.0)
            ),
            "the escort listed at RV Charlie, live",
        )
        .await;
    app.assign("escort", &[p.rv, bravo.0], &[]).await;
    let escort = app.store.user_by_name("escort").unwrap().unwrap().id;
    let now = Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    let (rvs, gates) = app.store.assigned_places(escort, app.op, now).unwrap();
    assert_eq!(
        (rvs.iter().map(|r| r.0).collect::<Vec<_>>(), gates),
        (vec![p.rv, bravo.0], vec![])
    );

    // A name no user of the operation has: not found, in Dari, and nothing changes.
    browser.type_into("#places-user", "nobody").await;
    browser
        .click_until_says(
            "#places-submit",
            "places-form-error",
            "برای آنچه دادید چیزی پیدا نشد",
            "the unknown user refused",
        )
        .await;
    assert!(
        browser
            .eval(
                "return document.getElementById('places-saved').hidden",
                json!([])
            )
            .await
            == true
    );
    let problems = browser.accessibility_problems().await;
    assert!(
        problems.is_empty(),
        "the places form in Dari: {problems:#?}"
    );

    // A flight from the form beside it, which sends as this one does: first without its
    // seats, then with none, then whole.
    browser.type_into("#flight-number", "RCH 871").await;
    browser
        .eval(
            "document.getElementById('flight-departs').value = '2030-08-26T09:30';",
            json!([]),
        )
        .await;
    browser
        .click_until_says(
            "#flight-form button[type=submit]",
            "flight-form-error",
            "چوکی‌ها",
            "the seats asked for",
        )
        .await;
    // No seats: the server says how many a flight may have, in Dari, on the field.
    browser.type_into("#flight-capacity", "0").await;
    browser
        .click_until_says(
            "#flight-form button[type=submit]",
            "flight-form-error",
            "چوکی‌ها: عددی از ۱ تا",
            "the seats refused",
        )
        .await;
    // A departure already past: refused on its field, in Dari.
    let departs =
        |when: &str| format!("document.getElementById('flight-departs').value = '{when}';");
    browser.type_into("#flight-capacity", "150").await;
    browser.eval(&departs("2021-08-26T09:30"), json!([])).await;
    browser
        .click_until_says(
            "#flight-form button[type=submit]",
            "flight-form-error",
            "باید دیرتر از اکنون باشد",
            "the past departure refused",
        )
        .await;
    browser.eval(&departs("2030-08-26T09:30"), json!([])).await;
    browser
        .click_until_says(
            "#flight-form button[type=submit]",
            "flights-body",
            "RCH 871",
            "the flight listed",
        )
        .await;
    // The same flight sent again (the form filled anew): refused as scheduled already.
    browser.type_into("#flight-number", "RCH 871").await;
    browser.eval(&departs("2030-08-26T09:30"), json!([])).await;
    browser.type_into("#flight-capacity", "150").await;
    browser
        .click_until_says(
            "#flight-form button[type=submit]",
            "flight-form-error",
            "این پرواز قبلاً ثبت شده است",
            "the flight scheduled twice refused",
        )
        .await;
    let flights = app
        .get(Role::Coordinator, "/api/operations/{op}/flights")
        .await;
    let scheduled: Vec<_> = flights
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["number"] == "RCH 871")
        .collect();
    assert_eq!(scheduled.len(), 1, "{flights}");
    assert_eq!(scheduled[0]["capacity"], 150, "{flights}");

    // Delayed from the list: the dialog shows the flight as it is, and only the time changes.
    let row = format!("#flights-body tr[data-flight='{}']", scheduled[0]["id"]);
    open_dialog(&browser, &format!("{row} button.flight-change")).await;
    let shown = browser
        .eval(
            "return [0, 1, 2].map((i) => document.getElementById(`confirm-field-${i}`).value)",
            json!([]),
        )
        .await;
    assert_eq!(shown, json!(["RCH 871", "2030-08-26T09:30", "150"]));
    let problems = browser.accessibility_problems().await;
    assert!(
        problems.is_empty(),
        "the flight's change in Dari: {problems:#?}"
    );
    browser
        .eval(
            "document.getElementById('confirm-field-1').value = '2030-08-26T11:00';",
            json!([]),
        )
        .await;
    // The list's line says the flight was created: it is the change that must be said.
    let said = browser
        .click_until_says(
            "#confirm-ok",
            "flights-result",
            "پرواز RCH 871 تغییر کرد",
            "the flight delayed",
        )
        .await;
    assert!(said.contains("۱۵۰ چوکی"), "{said}");
    let (flights_path, id) = (
        "/api/operations/{op}/flights",
        scheduled[0]["id"].as_i64().unwrap(),
    );
    let delayed = app.listed(flights_path, id).await.unwrap();
    let minutes = |f: &Value| {
        let t = f["departs_at"].as_str().unwrap();
        t[11..13].parse::<i64>().unwrap() * 60 + t[14..16].parse::<i64>().unwrap()
    };
    assert_eq!(minutes(&delayed) - minutes(scheduled[0]), 90, "{delayed}");
    assert_eq!(delayed["capacity"], 150);

    // Nobody is on it: deleted, after asking.
    open_dialog(&browser, &format!("{row} button.flight-delete")).await;
    browser
        .click_until_says(
            "#confirm-ok",
            "flights-result",
            "پرواز RCH 871 حذف شد",
            "the flight deleted",
        )
        .await;
    browser
        .wait_until(
            &format!("!document.querySelector(\"{row}\")"),
            "the row gone",
        )
        .await;
    assert_eq!(app.listed(flights_path, id).await, None);
}

/// A phone is lost: the coordinator finds it in the list of enrolled devices and suspends it
/// after being asked; the device is suspended, its user signed out, and the list says so. Then
/// the pass keys are rotated as compromised from the dashboard: every pass of the old key is
/// issued anew under the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_phone_is_suspended_from_the_list_of_devices() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = app.places(100, 100).await;
    let phone = app.escort_at(p.rv, 31).await;
    let reference = app.register_with_pass(2, "0700 000 131", p.window).await;
    // Another household held a pass and was marked no-show: no pass is issued to it anew.
    let absent = app.register_with_pass(1, "0700 000 132", p.window).await;
    app.step(Role::Coordinator, &absent, "no-show", None).await;
    // On a phone: the coordinator told of the loss away from the desk.
    let browser = Browser::start_with(common::browser::Options {
        window: (360, 740),
        ..Default::default()
    })
    .await;
    open_as(&browser, &app, Role::Coordinator, "en").await;

    let row = format!("#device-list-items li[data-device='{}']", phone.id);
    browser
        .wait_until(
            &format!("document.querySelector(\"{row}\")?.dataset.state === 'active'"),
            "the phone listed as active",
        )
        .await;
    let line = browser.text(&row).await;
    assert!(
        line.starts_with(&format!("Device {} (", phone.id))
            && line.contains("), escort: Escort, rendezvous point")
            && line.contains(&format!("Escort, rendezvous point {};", p.rv))
            && line.contains("; active;"),
        "{line}"
    );
    browser
        .eval(
            "document.getElementById('device-list').scrollIntoView()",
            json!([]),
        )
        .await;
    browser.screenshot("dashboard-devices-phone-en").await;
    open_dialog(&browser, &format!("{row} button")).await;
    let asked = browser.text("#confirm-text").await;
    assert!(asked.contains("signed out everywhere"), "{asked}");
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the question: {problems:#?}");
    let said = browser
        .click_until_shown("#confirm-ok", "device-list-result", "the suspension said")
        .await;
    assert!(
        said.starts_with(&format!("Device {} (", phone.id)) && said.ends_with("is suspended."),
        "{said}"
    );
    browser
        .wait_until(
            &format!(
                "document.querySelector(\"{row}\")?.dataset.state === 'suspended' \
                 && !document.querySelector(\"{row} button\")"
            ),
            "listed as suspended, with nothing left to press",
        )
        .await;
    let devices = app
        .get(Role::Coordinator, "/api/operations/{op}/devices")
        .await;
    let listed = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == phone.id)
        .unwrap_or_else(|| panic!("{devices}"));
    assert_eq!(listed["state"], "suspended", "{listed}");
    // Its user is signed out.
    let (status, _) = app
        .call(
            Role::Escort,
            reqwest::Method::GET,
            "/api/operations/{op}/rvs",
            None,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);

    // The phone may have been opened: the coordinator rotates the pass keys as compromised,
    // after being asked. The household's pass is revoked and issued anew under the new key.
    let before = app
        .get(Role::Coordinator, &format!("{}/pass", case(&reference)))
        .await;
    let old_kid = before["kid"].as_str().unwrap().to_string();
    browser
        .wait_until(
            &format!(
                "document.getElementById('pass-keys-current').textContent.includes('{old_kid}')"
            ),
            "the signing key shown",
        )
        .await;
    open_dialog(&browser, "#pass-keys-rotate").await;
    let asked = browser.text("#confirm-text").await;
    assert!(
        asked.contains("printed passes must be printed again"),
        "{asked}"
    );
    let said = browser
        .click_until_shown("#confirm-ok", "pass-keys-result", "the rotation said")
        .await;
    let after = app
        .get(Role::Coordinator, &format!("{}/pass", case(&reference)))
        .await;
    let new_kid = after["kid"].as_str().unwrap();
    assert_ne!(new_kid, old_kid);
    assert_eq!(after["state"], "valid", "{after}");
    assert_eq!(
        said,
        format!(
            "New key {new_kid}: 2 passes revoked, 1 issued anew. One household was not issued \
             a new pass (marked no-show, or its window over): {absent}. Reassign it to an open \
             window, then issue its pass."
        )
    );
    browser
        .wait_until(
            "document.getElementById('pass-keys-current').textContent.includes('One earlier key is marked compromised')",
            "the compromised key counted",
        )
        .await;
    let keys = app
        .get(Role::Coordinator, "/api/operations/{op}/keys")
        .await;
    let mut states: Vec<(Value, Value)> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["state"].clone(), k["kid"].clone()))
        .collect();
    states.sort_by_key(|(state, _)| state.to_string());
    let expected = [
        (json!("active"), json!(new_kid)),
        (json!("compromised"), json!(old_kid)),
    ];
    assert_eq!(states, expected, "{keys}");
}
