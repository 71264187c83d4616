//! A hotline operator takes a call in a real browser, on the real extract of central
//! Helsinki: looks the caller up by phone, sees the case without names or phones, picks the
//! caller's position on the map and then from the gazetteer, sees the route drawn on the map
//! (the API's route, point for point) going around a critical hazard, reads the guidance,
//! logs the call sending the route by message and sees the message's delivery status; a
//! call that guided the caller to a window moved meanwhile is flagged and the new times shown;
//! after the RV is suspended the household is on the worklist. In Dari the guidance reads right to
//! left. Accessibility checked in English and in Dari; screenshots saved. No address the page
//! asks for carries the phone typed, the caller's position or the name searched: they travel
//! in request bodies only (the browser's own record of its requests is read to prove it).

mod common;

use common::browser::Browser;
use common::map_pages::{
    click_map_at, distance_to_segment, drawn_route, route_drawn, wait_for_streets,
};
use common::*;
use reqwest::Method;
use safeconduct_domain::Role;
use safeconduct_domain::values::{Coordinate, Timestamp};
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

const MARKET_SQUARE: &str = "Kauppatori";
const PHONE: &str = "0700 000 401";

fn api_line(route: &Value) -> Vec<(f64, f64)> {
    route["geojson"]["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[1].as_f64().unwrap(), p[0].as_f64().unwrap()))
        .collect()
}

fn coordinate((lat, lon): (f64, f64)) -> Coordinate {
    Coordinate::new(lat, lon).unwrap()
}

/// Every address the page asked for (its own and its requests', as the browser recorded them)
/// is free of what the caller said: the phone, the position picked on the map, the place name
/// searched, the box the map showed around them. The lookup, the case with a route, the
/// gazetteer and the streets were asked for, so the record is not empty by accident.
/// Picks the market square among the places the gazetteer found.
async fn pick_the_market_square(browser: &Browser) {
    browser
        .eval(
            "[...document.querySelectorAll('#place-results button')].find(b => b.textContent.startsWith('Kauppatori')).click()",
            json!([]),
        )
        .await;
}

async fn addresses_carry_nothing_the_caller_said(browser: &Browser) {
    let urls = browser
        .eval(
            "return [location.href, ...performance.getEntriesByType('navigation').map(e => e.name),
                     ...performance.getEntriesByType('resource').map(e => e.name)]",
            json!([]),
        )
        .await;
    let urls: Vec<&str> = urls
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    for asked in ["/lookup", "/hotline/cases/", "/map/places", "/map/streets"] {
        assert!(
            urls.iter().any(|u| u.contains(asked)),
            "no request to {asked} recorded: {urls:#?}"
        );
    }
    let phone_digits: String = PHONE.chars().filter(char::is_ascii_digit).collect();
    for url in &urls {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        for said in ["phone=", "from=", "q=", "landmark=", "bbox=", "reference="] {
            assert!(!query.contains(said), "{said} in {url}");
        }
        let digits: String = url.chars().filter(char::is_ascii_digit).collect();
        assert!(!digits.contains(&phone_digits[1..]), "the phone in {url}");
        for said in ["Kauppa", "60.1699", "24.9384", "60.16"] {
            assert!(!url.contains(said), "{said} in {url}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hotline_guides_a_caller_around_a_hazard_and_sends_the_route() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(2, PHONE, p.window).await;
    let case_path = format!("/api/operations/{{op}}/hotline/cases/{reference}");
    let from_square = json!({ "landmark": MARKET_SQUARE, "language": "en" });
    // A checkpoint across the middle of the direct way from the market square.
    let direct = app
        .post(Role::Hotline, &case_path, Some(from_square.clone()))
        .await;
    let line = api_line(&direct["route"]);
    let centre = line[line.len() / 2];
    let radius = 40.0;
    app.create(
        Role::Coordinator,
        "/api/operations/{op}/hazards",
        json!({
            "kind": "checkpoint", "severity": "critical",
            "location": { "lat": centre.0, "lon": centre.1 }, "radius_m": radius as u32,
            "valid_from": "2020-01-01T00:00:00Z"
        }),
    )
    .await;

    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Hotline, "/app/hotline?lang=en").await;
    // Every request of the page is kept in its resource timeline, however many there are.
    browser
        .eval("performance.setResourceTimingBufferSize(100000)", json!([]))
        .await;
    assert_eq!(browser.text("h1").await, "Hotline");
    wait_for_streets(&browser).await;
    browser
        .wait_until(
            "document.querySelectorAll('.map-hazards circle').length === 1",
            "the hazard on the map",
        )
        .await;

    // The caller gives their phone number.
    browser.type_into("#lookup-phone", PHONE).await;
    browser
        .click_until(
            "#lookup-submit",
            &format!("document.getElementById('case-heading').textContent.includes('{reference}')"),
            "the case",
        )
        .await;
    let facts = browser.text("#case-facts").await;
    assert!(facts.contains("Pass issued"), "{facts}");
    assert!(facts.contains("RV Alpha"), "{facts}");
    let page = browser
        .eval("return document.body.innerText", json!([]))
        .await;
    assert!(!page.as_str().unwrap().contains("Sadat"), "no names shown");

    // The guidance in English, from where the caller is on the map.
    browser.click("#route-language option[value='en']").await;
    click_map_at(&browser, 60.1699, 24.9384).await;
    route_drawn(&browser).await;
    let from_text = browser.text("#from-text").await;
    assert!(from_text.starts_with("From the map"), "{from_text}");

    // Then from the gazetteer: the market square.
    browser.type_into("#place-q", "Kauppa").await;
    browser.click_until("#place-submit", "[...document.querySelectorAll('#place-results button')].some(b => b.textContent.startsWith('Kauppatori'))",
            "the market square found").await;
    pick_the_market_square(&browser).await;
    browser
        .wait_until(
            "document.getElementById('from-text').textContent === 'From: Kauppatori'",
            "the position from the gazetteer",
        )
        .await;
    let api = app.post(Role::Hotline, &case_path, Some(from_square)).await;
    let expected = api_line(&api["route"]);
    assert!(
        api["route"]["length_m"].as_u64() > direct["route"]["length_m"].as_u64(),
        "the route goes round"
    );
    browser
        .wait_until(
            &format!(
                "document.getElementById('map').mapView.drawnRoute().length === {}",
                expected.len()
            ),
            "the route around the hazard drawn",
        )
        .await;
    let drawn = drawn_route(&browser).await;
    for (d, e) in drawn.iter().zip(&expected) {
        assert!(
            coordinate(*d).distance_m(&coordinate(*e)) < 0.5,
            "drawn {d:?}, the API's {e:?}"
        );
    }
    for pair in drawn.windows(2) {
        let gap = distance_to_segment(centre, pair[0], pair[1]);
        assert!(
            gap > radius,
            "the drawn route passes {gap:.1} m from the checkpoint"
        );
    }
    // The guidance to read out: the API's steps.
    let steps: Vec<String> = browser
        .eval(
            "return [...document.querySelectorAll('#route-steps li')].map(l => l.textContent)",
            json!([]),
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(json!(steps), api["route"]["steps"]);
    let summary = browser.text("#route-summary").await;
    assert!(
        summary.contains("goes around 1 hazard in force"),
        "{summary}"
    );

    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the hotline in English: {problems:#?}");
    browser.eval("window.scrollTo(0, 0)", json!([])).await;
    browser.screenshot("hotline-en").await;

    // The call, logged with the route sent by message.
    browser
        .click("#call-outcome option[value='route_sent']")
        .await;
    browser
        .type_into(
            "#call-notes",
            "Caller at the market square with two children",
        )
        .await;
    browser.click("#call-send").await;
    browser
        .click_until(
            "#call-submit",
            "document.getElementById('call-done').textContent.includes('queued')",
            "the call logged",
        )
        .await;
    browser
        .wait_until(
            "document.querySelector('#messages tr[data-status]')",
            "the message listed",
        )
        .await;
    let rows = browser
        .eval(
            "return [...document.querySelectorAll('#messages tr')].map(r => r.textContent)",
            json!([]),
        )
        .await;
    let route_row = rows
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|r| r.starts_with("Route"))
        .unwrap_or_else(|| panic!("no route message listed: {rows}"));
    assert!(route_row.contains("Waiting to be sent"), "{route_row}");
    let calls = app
        .get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{reference}/calls"),
        )
        .await;
    assert_eq!(calls[0]["outcome"], "route_sent");
    assert_eq!(
        calls[0]["notes"],
        "Caller at the market square with two children"
    );
    let messages = app
        .get(
            Role::Hotline,
            &format!("/api/operations/{{op}}/households/{reference}/messages"),
        )
        .await;
    let sent = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == calls[0]["message_id"])
        .expect("the call's message");
    assert_eq!(sent["kind"], "route");
    assert_eq!(sent["status"], "pending");
    addresses_carry_nothing_the_caller_said(&browser).await;

    // While the operator is on the phone, the window is moved: a call that guided the caller
    // to the times on screen does not count as telling them. The page says so and shows the
    // new times; called back with those, the household is told.
    let window = app
        .listed("/api/operations/{op}/windows", p.window)
        .await
        .unwrap();
    let later = time_text(Timestamp(safeconduct_keys::now().0 + 7200));
    let moved = json!({ "start": window["start"], "end": later });
    let path = format!("/api/operations/{{op}}/windows/{}", p.window);
    app.ok(Role::Coordinator, Method::PATCH, &path, Some(moved), 200)
        .await;
    // The caller's position picked again: the case is read again and shows the new times, but
    // the call still says it told the times read out when the case was opened.
    let facts = browser.text("#case-facts").await;
    pick_the_market_square(&browser).await;
    browser
        .wait_until(
            &format!("document.getElementById('case-facts').textContent !== {facts:?}"),
            "the case shown with its new window",
        )
        .await;
    browser
        .eval(
            "document.getElementById('call-send').checked = false",
            json!([]),
        )
        .await;
    browser.click("#call-outcome option[value='guided']").await;
    let changed = "document.getElementById('call-done').classList.contains('warn')";
    browser
        .click_until(
            "#call-submit",
            changed,
            "the window changed during the call",
        )
        .await;
    let done = browser.text("#call-done").await;
    assert!(done.contains("changed during the call"), "{done}");
    let told = "document.getElementById('call-done').classList.contains('ok')";
    browser
        .click_until("#call-submit", told, "told of the new window")
        .await;
    let calls = app
        .get(Role::Coordinator, &format!("{}/calls", case(&reference)))
        .await;
    assert_eq!(calls.as_array().unwrap().len(), 3, "{calls}");

    // RV Alpha suspended: the household is on the worklist, and given no route there.
    app.rv_step(Role::Coordinator, p.rv, "suspend").await;
    open_as(&browser, &app, Role::Hotline, "/app/hotline?lang=prs").await;
    browser
        .wait_until(
            &format!("document.getElementById('worklist').textContent.includes('{reference}')"),
            "the household on the worklist",
        )
        .await;
    // How many are still to call, of how many (the call before the suspension counts as after
    // it when both fall in the same second).
    let count = browser.text("#worklist-count").await;
    assert!(
        count.starts_with("هنوز باید تماس گرفته شود: ") && count.ends_with(" از ۱."),
        "{count}"
    );
    wait_for_streets(&browser).await;

    // In Dari, from the worklist: the case and the guidance read right to left.
    browser
        .click_until_shown("#worklist button", "position", "the case opened")
        .await;
    browser.type_into("#place-q", MARKET_SQUARE).await;
    browser.click("#place-submit").await;
    // Towards the suspended point no route is read out or sent: the page says why, in Dari.
    browser
        .click_until_says(
            "#place-results button",
            "route-problem",
            "معطل: کسی را آن‌جا نفرستید",
            "no route to the suspended point",
        )
        .await;
    let no_route = "return [document.getElementById('route').hidden, document.getElementById('call-send').disabled]";
    assert_eq!(browser.eval(no_route, json!([])).await, json!([true, true]));
    // Active again: the guidance is read out, right to left.
    app.rv_step(Role::Coordinator, p.rv, "activate").await;
    browser.click("#place-results button").await;
    route_drawn(&browser).await;
    let steps = browser
        .eval(
            "const s = document.getElementById('route-steps'); return [s.dir, s.lang, s.textContent]",
            json!([]),
        )
        .await;
    assert_eq!(steps[0], "rtl");
    assert_eq!(steps[1], "prs");
    assert!(
        steps[2]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "{steps}"
    );
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the hotline in Dari: {problems:#?}");
    browser.eval("window.scrollTo(0, 0)", json!([])).await;
    browser.screenshot("hotline-prs").await;

    // A place searched for with nothing typed: the field is named, in Dari, and focused.
    browser.type_into("#place-q", "  ").await;
    browser
        .click_until_says(
            "#place-submit",
            "hotline-error",
            "این را پر کنید",
            "the empty search refused in Dari",
        )
        .await;
    let focused = "return document.activeElement.id";
    assert_eq!(browser.eval(focused, json!([])).await, "place-q");

    // A reference read out with a zero for the letter O: refused in Dari on the field, with
    // what the field takes, and which character is wrong.
    browser.type_into("#lookup-reference", "K7M4-Q2X0").await;
    let error = browser
        .click_until_says(
            "#lookup-submit",
            "hotline-error",
            "پذیرفته نشد",
            "the reference refused in Dari",
        )
        .await;
    assert!(
        error.contains("شمارهٔ پرونده: پذیرفته نشد. هشت حرف و عدد")
            && error.contains("never holds '0'"),
        "{error}"
    );
    let focused = "return document.activeElement.id + ' ' + document.activeElement.getAttribute('aria-invalid')";
    assert_eq!(
        browser.eval(focused, json!([])).await,
        "lookup-reference true"
    );
}
