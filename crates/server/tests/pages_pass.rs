//! The household's pass page, as the household opens it from the message on its phone: the
//! link (a token kept only as a digest) opens the pass with its QR code (read back by a
//! standard QR reader), in the household's language (Dari: right to left); it fits a 320 px
//! screen; a wrong, superseded or revoked link gets one and the same not-found answer.

mod common;

use common::browser::Browser;
use common::*;
use reqwest::StatusCode;
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

/// The QR code on the page, read by zbarimg.
async fn read_code(browser: &Browser) -> String {
    use base64::Engine as _;
    let src = browser
        .eval("return document.getElementById('qr').src", json!([]))
        .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(
            src.as_str()
                .unwrap()
                .strip_prefix("data:image/png;base64,")
                .unwrap(),
        )
        .unwrap();
    zbar_read(&png)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_household_opens_its_pass_from_the_link_and_only_while_it_is_valid() {
    let (app, p) = spawn_app_with_places(Backend::Sqlite, 20, 20).await;
    app.link_passes().await;
    let reference = app.register_with_pass(2, "0700 300 001", p.window).await;
    let text = app
        .get(Role::Coordinator, &format!("{}/pass", case(&reference)))
        .await["text"]
        .as_str()
        .unwrap()
        .to_string();
    let sent = app.sent_pass_links().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let link = &sent[0];
    assert!(link.contains("/app/pass?lang=prs#"), "{link}");
    let token = link.rsplit('#').next().unwrap();
    assert_eq!(token.len(), 40, "160 bits in hex");
    assert!(
        !link.contains(reference.as_str()),
        "no reference in the link"
    );

    // The database keeps a digest of the token, never the token.
    let file = app.db_url().trim_start_matches("sqlite:").to_string();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
    assert!(
        !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token in clear in the database"
    );

    // The household opens the link: its language (Dari, right to left), the code, the place.
    let browser = Browser::start().await;
    browser.goto(link).await;
    assert_eq!(link, &format!("{}/app/pass?lang=prs#{token}", app.url("")));
    browser
        .wait_until("!document.getElementById('pass').hidden", "the pass")
        .await;
    assert_eq!(
        browser.direction_and_language().await,
        ("rtl".into(), "prs".into())
    );
    assert_eq!(browser.text("#rv-name").await, "RV Alpha");
    assert_eq!(read_code(&browser).await, text, "the QR code is the pass");
    let page = browser.text("main").await;
    assert!(
        !page.contains(reference.as_str()),
        "no reference on the page"
    );
    assert!(!page.contains("Sadat") && !page.contains("0700"), "{page}");
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "pass in Dari: {problems:#?}");
    browser.screenshot("pass-prs").await;
    let stored = browser
        .eval(
            "return sessionStorage.length + localStorage.length",
            json!([]),
        )
        .await;
    assert_eq!(stored, 0, "the page keeps nothing");

    // In English, on a 320 px phone: nothing wider than the screen.
    browser
        .cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 320, "height": 900, "deviceScaleFactor": 1, "mobile": true }),
        )
        .await;
    browser
        .goto(&app.url(&format!("/app/pass?lang=en#{token}")))
        .await;
    browser
        .wait_until(
            "!document.getElementById('pass').hidden",
            "the pass in English",
        )
        .await;
    assert_eq!(browser.text("h1").await, "Your pass");
    let width = browser
        .eval("return document.documentElement.scrollWidth", json!([]))
        .await;
    assert!(width.as_i64().unwrap() <= 320, "{width} px wide");
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "pass in English: {problems:#?}");
    browser.screenshot("pass-en").await;

    // A wrong token: not found, on the page and from the API.
    browser.goto("about:blank").await;
    let wrong = format!("{}/app/pass?lang=en#{}", app.url(""), "0".repeat(40));
    browser.goto(&wrong).await;
    browser
        .wait_until("!document.getElementById('not-found').hidden", "not found")
        .await;
    let not_found_page = browser.text("main").await;
    let wrong_answer = app.open_pass_link(&wrong).await;
    assert_eq!(wrong_answer.0, StatusCode::NOT_FOUND);

    // Re-issued: the earlier link closes, the new one opens.
    app.step(Role::Coordinator, &reference, "pass", None).await;
    let newer = app.sent_pass_links().await;
    assert_eq!(newer.len(), 1);
    assert_eq!(app.open_pass_link(link).await, wrong_answer, "superseded");
    assert_eq!(app.open_pass_link(&newer[0]).await.0, StatusCode::OK);

    // Revoked: the new link closes too, answered exactly as a wrong one.
    app.revoke_pass(&reference, "phone seen by strangers").await;
    assert_eq!(app.open_pass_link(&newer[0]).await, wrong_answer, "revoked");
    browser.goto("about:blank").await;
    browser.goto(&newer[0]).await;
    browser
        .wait_until("!document.getElementById('not-found').hidden", "not found")
        .await;
    browser.goto("about:blank").await;
    browser
        .goto(&app.url(&format!(
            "/app/pass?lang=en#{}",
            newer[0].rsplit('#').next().unwrap()
        )))
        .await;
    browser
        .wait_until("!document.getElementById('not-found').hidden", "not found")
        .await;
    assert_eq!(browser.text("main").await, not_found_page);
}

/// With a street network and the household's location registered, the pass page shows the
/// approach to its point: directions in its language, starting within 800 m of the point and
/// no nearer than 400 m to where the household lives, so the page reveals nothing of the
/// family's street; the answer names no hazard, gate or household. Without a location, no
/// route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pass_page_shows_the_approach_to_the_point_and_nothing_of_home() {
    let app = spawn_app_routing(Backend::Sqlite).await;
    let p = app.places(20, 20).await;
    app.link_passes().await;
    // About 1.1 km north of RV Alpha (60.165196, 24.939259), in Kamppi.
    let home = safeconduct_domain::values::Coordinate::new(60.175, 24.94).unwrap();
    let rv = safeconduct_domain::values::Coordinate::new(60.165196, 24.939259).unwrap();
    let member = json!({
        "name": "Member Rahimi", "birth_date": "1980",
        "documents": [{ "type": "passport", "number": "R00001234" }]
    });
    let registered = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/households",
            json!({
                "contact_phone": "0700 300 101", "language": "prs", "members": [member],
                "location": { "lat": home.lat(), "lon": home.lon() }
            }),
        )
        .await;
    let reference = registered["reference"].as_str().unwrap().to_string();
    app.to_pass_issued(&reference, p.window).await;
    let elsewhere = app.register_with_pass(1, "0700 300 102", p.window).await;
    let sent = app.sent_pass_links().await;
    assert_eq!(sent.len(), 2, "{sent:?}");

    let mut with_route = None;
    for link in &sent {
        let (status, body) = app.open_pass_link(link).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body.get("route").is_some() {
            assert!(
                with_route.is_none(),
                "only the located household has a route"
            );
            with_route = Some((link.clone(), body));
        }
    }
    let (link, body) = with_route.expect("a route for the household with a location");
    let route = &body["route"];
    let keys: Vec<&str> = route
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "geojson",
            "length_m",
            "right_to_left",
            "steps",
            "walking_minutes"
        ],
        "nothing else: no hazard, gate or household"
    );
    assert_eq!(route["right_to_left"], true, "in Dari");
    assert!(!route["steps"].as_array().unwrap().is_empty());
    let line: Vec<safeconduct_domain::values::Coordinate> =
        route["geojson"]["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                safeconduct_domain::values::Coordinate::new(
                    c[1].as_f64().unwrap(),
                    c[0].as_f64().unwrap(),
                )
                .unwrap()
            })
            .collect();
    let first = line[0];
    assert!(
        first.distance_m(&rv) <= 850.0,
        "starts near the point: {first:?}"
    );
    for point in &line {
        assert!(
            point.distance_m(&home) >= 400.0,
            "{point:?} is within 400 m of home"
        );
    }
    assert!(
        line.last().unwrap().distance_m(&rv) < 100.0,
        "ends at the point"
    );
    let text = body.to_string();
    assert!(
        !text.contains("60.175") && !text.contains(&reference),
        "{text}"
    );
    let _ = elsewhere;

    // The page shows the directions as text.
    let browser = common::browser::Browser::start().await;
    browser.goto(&link).await;
    browser
        .wait_until("!document.getElementById('route').hidden", "the approach")
        .await;
    let steps = browser
        .eval(
            "return document.querySelectorAll('#route-steps li').length",
            json!([]),
        )
        .await;
    assert_eq!(steps, json!(route["steps"].as_array().unwrap().len()));
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "pass with its approach: {problems:#?}");

    // Once admitted at its point, the household is given no way there any more.
    app.admit_at_rv(&reference, p.rv).await;
    let (status, body) = app.open_pass_link(&link).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("route").is_none(), "{body}");
}
