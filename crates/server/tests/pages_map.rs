//! A coordinator works the operation map in a real browser, on the real extract of central
//! Helsinki: the streets are drawn from the server (no tile server), the RVs and gates show
//! their status and load (from the count endpoint); a click places a new RV and a hazard, a
//! button suspends an RV; the page reads right to left in Dari, where street names in Arabic
//! script are drawn shaped and right to left in the font the binary carries. Accessibility
//! checked in English and in Dari; screenshots saved.

mod common;

use common::browser::Browser;
use common::map_pages::{click_map_at, draw_hazard, wait_for_streets};
use common::*;
use reqwest::Method;
use safeconduct_domain::Role;
use safeconduct_domain::values::Coordinate;
use safeconduct_route::walking::{PlaceName, WayKind};
use safeconduct_route::{NetworkBuilder, Router};
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};
use std::sync::Arc;

fn near(v: &Value, lat: f64, lon: f64, metres: f64) -> bool {
    let at = Coordinate::new(v["lat"].as_f64().unwrap(), v["lon"].as_f64().unwrap()).unwrap();
    at.distance_m(&Coordinate::new(lat, lon).unwrap()) < metres
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_places_an_rv_and_a_hazard_and_suspends_an_rv_from_the_map() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let p = app.places(100, 300).await;
    app.register_with_pass(3, "0700 000 301", p.window).await;
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "/app/map?lang=en").await;
    assert_eq!(browser.text("h1").await, "Operation map");
    wait_for_streets(&browser).await;
    // The load of RV Alpha, from the count endpoint: the household of three.
    let row = format!("tr[data-rv='{}']", p.rv);
    browser
        .wait_until(
            &format!("document.querySelector(\"{row} td.num\")?.textContent === '3'"),
            "RV Alpha's load",
        )
        .await;
    assert_eq!(
        browser
            .eval(
                "return [...document.querySelectorAll('.map-marks .mark')].map(m => m.getAttribute('class'))",
                json!([])
            )
            .await,
        json!(["mark rv active", "mark gate open"])
    );
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the map in English: {problems:#?}");
    browser.screenshot("map-en").await;

    // The lists follow changes made elsewhere, live, without taking what is being typed: a
    // number half typed in a window's places stays, with the focus.
    let window_places = format!("window-places-{}", p.window);
    browser.type_into(&format!("#{window_places}"), "80").await;
    app.register_with_pass(2, "0700 000 302", p.window).await;
    browser
        .wait_until(
            &format!(
                "document.querySelector(\"tr[data-window='{}'] td.num\").textContent === '5 of 100'",
                p.window
            ),
            "the window's load, live",
        )
        .await;
    let typed = format!(
        "const i = document.getElementById('{window_places}'); return [i.value, document.activeElement === i]"
    );
    assert_eq!(browser.eval(&typed, json!([])).await, json!(["80", true]));

    // The window moved an hour later from its row's fold: the two households holding passes
    // are issued new ones, and the page says how many.
    let was = app.windows().await[0]["start"].clone();
    let fold = format!("#window-move-{}", p.window);
    browser.click(&format!("{fold} summary")).await;
    browser
        .eval(
            &format!(
                "const local = (ms) => {{ const d = new Date(ms); const two = (n) => String(n).padStart(2, '0'); \
                 return `${{d.getFullYear()}}-${{two(d.getMonth() + 1)}}-${{two(d.getDate())}}T${{two(d.getHours())}}:${{two(d.getMinutes())}}`; }}; \
                 document.getElementById('window-start-{w}').value = local(Date.now() + 3600e3); \
                 document.getElementById('window-end-{w}').value = local(Date.now() + 3 * 3600e3);",
                w = p.window
            ),
            json!([]),
        )
        .await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "a window's fold open: {problems:#?}");
    browser
        .eval(
            &format!("document.querySelector('{fold}').scrollIntoView({{ block: 'center' }})"),
            json!([]),
        )
        .await;
    browser.screenshot("map-window-move-en").await;
    browser
        .click_until(
            &format!("{fold} button[type=submit]"),
            "document.getElementById('map-done').textContent.endsWith('Passes issued anew: 2.')",
            "the window moved",
        )
        .await;
    let moved = app.windows().await[0].clone();
    assert_ne!(moved["start"], was, "{moved}");

    // The keyboard zooms the map.
    let scale = "return document.getElementById('map').mapView.s";
    let before = browser.eval(scale, json!([])).await.as_f64().unwrap();
    browser.click(".map-zoom").await;
    let after = browser.eval(scale, json!([])).await.as_f64().unwrap();
    assert!(after > before * 1.9, "{before} → {after}");
    browser
        .eval("document.querySelector('.map-view').focus()", json!([]))
        .await;
    browser.keys("-").await;
    let back = browser.eval(scale, json!([])).await.as_f64().unwrap();
    assert!(back < after * 0.8, "{after} → {back}");

    // A new RV where the map is clicked.
    let (lat, lon) = (60.1702, 24.9415);
    click_map_at(&browser, lat, lon).await;
    browser
        .wait_until(
            "document.getElementById('picked').textContent.startsWith('Picked')",
            "the picked position",
        )
        .await;
    browser.type_into("#rv-name", "RV Bravo").await;
    browser.type_into("#rv-landmark", "By the fountain").await;
    browser
        .click_until(
            "#rv-create",
            "document.getElementById('map-done').textContent.includes('RV Bravo')",
            "the RV proposed",
        )
        .await;
    // The answer is scrolled to where the coordinator looks (above the map, it is off the
    // screen of a phone once the form below the map is filled in).
    let in_view = "const r = document.getElementById('map-done').getBoundingClientRect(); \
                   return r.top >= 0 && r.bottom <= window.innerHeight";
    assert_eq!(browser.eval(in_view, json!([])).await, json!(true));
    let rvs = app.get(Role::Coordinator, "/api/operations/{op}/rvs").await;
    let bravo = rvs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "RV Bravo")
        .expect("RV Bravo stored");
    assert_eq!(bravo["status"], "proposed");
    assert!(near(&bravo["location"], lat, lon, 6.0), "{bravo}");
    // Accepted for the authority as it was proposed, it waits for the escort party.
    browser
        .wait_until(
            &format!(
                "document.querySelector(\"#rvs tr[data-rv='{}']\")?.textContent.includes('Waits for the escort party')",
                bravo["id"]
            ),
            "RV Bravo waiting for the escort party",
        )
        .await;
    // One the escort party proposes, the coordinator accepts from its row: agreed by both.
    let charlie = app
        .create(
            Role::Escort,
            "/api/operations/{op}/rvs",
            json!({"name": "RV Charlie", "location": {"lat": 60.1690, "lon": 24.9400}, "landmark": "By the kiosk"}),
        )
        .await;
    open_as(&browser, &app, Role::Coordinator, "/app/map?lang=en").await;
    wait_for_streets(&browser).await;
    browser
        .click_until(
            &format!("#rvs tr[data-rv='{}'] button", charlie["id"]),
            "document.getElementById('map-done').textContent === 'RV Charlie accepted.'",
            "RV Charlie accepted",
        )
        .await;
    let rvs = app.get(Role::Coordinator, "/api/operations/{op}/rvs").await;
    let agreed = rvs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == charlie["id"]);
    assert_eq!(
        agreed.map(|r| &r["status"]),
        Some(&json!("agreed")),
        "{rvs}"
    );

    // A hazard where the map is clicked.
    browser.click("input[name='mode'][value='hazard']").await;
    let (hlat, hlon) = (60.1685, 24.9445);
    draw_hazard(&browser, hlat, hlon, 60.0).await;
    let hazards = app
        .get(Role::Coordinator, "/api/operations/{op}/hazards")
        .await;
    assert_eq!(hazards.as_array().unwrap().len(), 1);
    assert_eq!(hazards[0]["radius_m"], 60);
    assert_eq!(hazards[0]["severity"], "critical");
    assert!(near(&hazards[0]["location"], hlat, hlon, 6.0), "{hazards}");
    // Its row names who reported it (the page's own account here).
    browser
        .wait_until(
            &format!(
                "document.querySelector(\"tr[data-hazard='{}'] bdi\")?.textContent === 'coordinator'",
                hazards[0]["id"]
            ),
            "the hazard's reporter named in its row",
        )
        .await;

    // A gate where the map is clicked, receiving RV Alpha's batches; then closed from its row.
    browser.click("input[name='mode'][value='gate']").await;
    let (glat, glon) = (60.1712, 24.9460);
    click_map_at(&browser, glat, glon).await;
    browser.type_into("#gate-name", "Gate 9").await;
    browser.type_into("#gate-throughput", "250").await;
    browser
        .click(&format!("#gate-rv option[value='{}']", p.rv))
        .await;
    browser
        .click_until(
            "#gate-create",
            "document.querySelectorAll('#gates tr').length === 2",
            "the gate listed",
        )
        .await;
    let gates = app
        .get(Role::Coordinator, "/api/operations/{op}/gates")
        .await;
    let nine = gates
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Gate 9")
        .expect("Gate 9 stored");
    assert_eq!(nine["hourly_throughput"], 250);
    assert_eq!(nine["rv_ids"], json!([p.rv]));
    assert!(near(&nine["location"], glat, glon, 6.0), "{nine}");
    browser
        .click(&format!("tr[data-gate='{}'] button:last-child", nine["id"]))
        .await;
    browser
        .wait_until(
            "document.querySelector('.map-marks .mark.gate.closed')",
            "Gate 9 drawn closed",
        )
        .await;

    // A window at RV Alpha.
    browser
        .click(&format!("#window-rv option[value='{}']", p.rv))
        .await;
    browser
        .eval(
            "document.getElementById('window-start').value = '2030-08-24T08:00';
             document.getElementById('window-end').value = '2030-08-24T10:00';",
            json!([]),
        )
        .await;
    browser.type_into("#window-capacity", "77").await;
    browser
        .click_until(
            "#window-create",
            "document.getElementById('map-done').textContent === 'Window opened.'",
            "the window opened",
        )
        .await;
    let windows = app
        .get(Role::Coordinator, "/api/operations/{op}/windows")
        .await;
    assert!(
        windows
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["capacity"] == 77 && w["rv_id"] == p.rv),
        "{windows}"
    );

    // RV Alpha suspended from its row.
    browser.click(&format!("{row} button.danger")).await;
    browser
        .wait_until(
            "document.querySelector('.map-marks .mark.rv.suspended')",
            "RV Alpha drawn suspended",
        )
        .await;
    let rvs = app.get(Role::Coordinator, "/api/operations/{op}/rvs").await;
    let alpha = rvs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == p.rv)
        .unwrap();
    assert_eq!(alpha["status"], "suspended");
    // And back.
    browser.click(&format!("{row} button")).await;
    browser
        .wait_until(
            "document.querySelector('.map-marks .mark.rv.active')",
            "RV Alpha active again",
        )
        .await;

    // In Dari: mirrored, and still clean.
    open_as(&browser, &app, Role::Coordinator, "/app/map?lang=prs").await;
    wait_for_streets(&browser).await;
    assert_eq!(
        browser
            .eval("return document.documentElement.dir", json!([]))
            .await,
        "rtl"
    );
    browser
        .wait_until(
            "document.querySelectorAll('#rvs tr').length === 3 && document.querySelectorAll('#gates tr').length === 2",
            "the RVs listed",
        )
        .await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the map in Dari: {problems:#?}");
    browser.screenshot("map-prs").await;

    // A refused value is told in Dari, on the field that holds it: a window that ends before
    // it starts, then one that lasts too long, then one for nobody.
    browser
        .eval(
            "document.getElementById('window-start').value = '2030-08-24T10:00';
             document.getElementById('window-end').value = '2030-08-24T08:00';
             document.getElementById('window-capacity').value = '0';",
            json!([]),
        )
        .await;
    let after_start = "پایان: باید پس از آغاز باشد.";
    browser
        .click_until_says(
            "#window-create",
            "map-error",
            after_start,
            "the end refused in Dari",
        )
        .await;
    let focused = "return document.activeElement.id + ' ' + document.activeElement.getAttribute('aria-invalid')";
    assert_eq!(browser.eval(focused, json!([])).await, "window-end true");
    // A window of a day and two hours: longer than a window lasts.
    browser
        .eval(
            "document.getElementById('window-end').value = '2030-08-25T12:00';",
            json!([]),
        )
        .await;
    browser
        .click_until_says(
            "#window-create",
            "map-error",
            "پایان: حد اکثر ۲۴ ساعت پس از آغاز.",
            "the window's length refused in Dari",
        )
        .await;
    assert_eq!(browser.eval(focused, json!([])).await, "window-end true");
    browser
        .eval(
            "document.getElementById('window-end').value = '2030-08-24T12:00';",
            json!([]),
        )
        .await;
    let most = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             import('/assets/app.js').then((m) => done(m.num(100000)));",
            json!([]),
        )
        .await;
    let range = format!(
        "شمار افرادی که می‌پذیرد: عددی از ۱ تا {}.",
        most.as_str().unwrap()
    );
    browser
        .click_until_says(
            "#window-create",
            "map-error",
            &range,
            "the capacity refused in Dari",
        )
        .await;
    assert_eq!(
        browser.eval(focused, json!([])).await,
        "window-capacity true"
    );
    // The end, now accepted, is no longer marked.
    let marked = "return [...document.querySelectorAll('[aria-invalid]')].map((e) => e.id)";
    assert_eq!(
        browser.eval(marked, json!([])).await,
        json!(["window-capacity"])
    );

    // RV Alpha's window holds two households, five people: its places go no lower, said in Dari
    // on its own field; five is taken.
    let places = format!("window-places-{}", p.window);
    let row = format!("tr[data-window='{}']", p.window);
    let load = browser.text(&format!("{row} td.num")).await;
    assert_eq!(load, "۵ از ۱۰۰", "{load}");
    browser.type_into(&format!("#{places}"), "2").await;
    let fewest = format!(": عددی از ۵ تا {}.", most.as_str().unwrap());
    let refused = browser
        .click_until_says(
            &format!("{row} button[type=submit]"),
            "map-error",
            &fewest,
            "too few places refused in Dari",
        )
        .await;
    // Named as its label names it: the places, of which window.
    assert!(
        refused.contains("جاها · ") && refused.contains("RV Alpha"),
        "{refused}"
    );
    assert_eq!(
        browser.eval(focused, json!([])).await,
        format!("{places} true")
    );
    browser.type_into(&format!("#{places}"), "5").await;
    browser
        .click_until_says(
            &format!("{row} button[type=submit]"),
            "map-done",
            "اکنون ۵ نفر را می‌پذیرد",
            "the places saved",
        )
        .await;
    browser
        .wait_until(
            &format!("document.querySelector(\"{row} td.num\").textContent === '۵ از ۵'"),
            "the window's load read again",
        )
        .await;
    let focused_id = browser
        .eval("return document.activeElement.id", json!([]))
        .await;
    assert_eq!(
        focused_id,
        places.as_str(),
        "the focus back on the window's field"
    );
    let alpha = app
        .listed("/api/operations/{op}/windows", p.window)
        .await
        .unwrap();
    assert_eq!(
        (&alpha["capacity"], &alpha["assigned_people"]),
        (&json!(5), &json!(5))
    );

    // Someone without the coordinator's role gets nothing from the API behind the page.
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/map/streets",
            Some(json!({})),
        )
        .await;
    assert_eq!(status.as_u16(), 403);
}

/// Someone whose role the map is not for is told whose page it is, which roles they have, and
/// keeps the bar's way out (their own page, sign-out); the map's script stops there, without
/// an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hotline_operator_on_the_map_is_told_whose_page_it_is() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.keep_script_errors().await;
    open_as(&browser, &app, Role::Hotline, "/app/map?lang=en").await;
    browser
        .wait_until(
            "(document.querySelector('#main .notice') || {}).textContent === \
             'This page is for: Coordinator. Your roles in this operation: Hotline operator. Use \
             the links above, or sign out and sign in with another account.'",
            "whose page it is",
        )
        .await;
    browser.find("#who button").await;
    assert_eq!(browser.script_errors().await, Vec::<String>::new());
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the refusal: {problems:#?}");
}

/// A small town whose streets carry Dari names (the Helsinki extract has none).
fn dari_town() -> Arc<Router> {
    let mut b = NetworkBuilder::new();
    let tags = |local: &str, fa: &str| {
        PlaceName::from_tags(&[
            ("name".to_string(), local.to_string()),
            ("name:fa".to_string(), fa.to_string()),
        ])
    };
    let at = |lat: f64, lon: f64| Coordinate::new(lat, lon).unwrap();
    let mut id = 0;
    let mut row = |b: &mut NetworkBuilder, lat: f64| {
        (0..4)
            .map(|i| {
                id += 1;
                b.node(id, at(lat, 69.170 + 0.003 * i as f64))
            })
            .collect::<Vec<_>>()
    };
    let north = row(&mut b, 34.532);
    let south = row(&mut b, 34.530);
    b.way(&north, tags("Maiwand Road", "سرک میوند"), WayKind::Street);
    b.way(&south, tags("Shahr-e Naw", "شهر نو"), WayKind::Street);
    for (n, s) in north.iter().zip(&south) {
        b.way(&[*n, *s], None, WayKind::Footway);
    }
    Arc::new(Router::new(b.build().unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dari_street_names_are_drawn_shaped_right_to_left_in_the_carried_font() {
    let app = spawn_app_with_router(Backend::Sqlite, dari_town()).await;
    let browser = Browser::start().await;
    open_as(&browser, &app, Role::Coordinator, "/app/map?lang=prs").await;
    browser
        .wait_until(
            "[...document.querySelectorAll('.street-label')].some(t => t.textContent === 'سرک میوند')",
            "the Dari street name drawn",
        )
        .await;
    browser
        .wait_until(
            "document.fonts.check('12px Vazirmatn', 'سرک میوند') && [...document.fonts].some(f => f.family.includes('Vazirmatn') && f.status === 'loaded')",
            "the embedded font to load",
        )
        .await;
    let drawn = browser
        .eval(
            "const label = [...document.querySelectorAll('.street-label')].find(t => t.textContent === 'سرک میوند');
             const family = getComputedStyle(label).fontFamily;
             const n = label.getNumberOfChars();
             // Right to left: the first letter read is drawn right of the last.
             const first = label.getStartPositionOfChar(0).x;
             const last = label.getStartPositionOfChar(n - 1).x;
             // Shaped: the joined word is narrower than its letters drawn apart (isolated forms).
             const svg = label.ownerSVGElement;
             let apart = 0;
             for (const ch of label.textContent) {
               if (ch === ' ') continue;
               const t = label.cloneNode(false);
               t.textContent = ch;
               svg.append(t);
               apart += t.getComputedTextLength();
               t.remove();
             }
             const word = label.cloneNode(false);
             word.textContent = label.textContent.replace(' ', '');
             svg.append(word);
             const joined = word.getComputedTextLength();
             word.remove();
             return { family, rtl: first > last, direction: label.getAttribute('direction'), joined, apart };",
            json!([]),
        )
        .await;
    assert!(
        drawn["family"].as_str().unwrap().starts_with("Vazirmatn"),
        "{drawn}"
    );
    assert_eq!(drawn["rtl"], true, "{drawn}");
    assert_eq!(drawn["direction"], "rtl");
    assert!(
        drawn["joined"].as_f64().unwrap() < drawn["apart"].as_f64().unwrap() * 0.95,
        "not shaped: {drawn}"
    );
    // The names come from the server in the reader's language.
    let streets = app
        .post(
            Role::Hotline,
            "/api/operations/{op}/map/streets",
            Some(json!({ "language": "prs" })),
        )
        .await;
    let names = streets["names"].as_array().unwrap();
    assert!(names.contains(&json!("سرک میوند")), "{names:?}");
    browser.screenshot("map-prs-street-names").await;
}
