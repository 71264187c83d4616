//! What the tests of the pages with a map share: waiting for the streets, clicking the map at
//! a position as a pointer would, and reading the route the map drew. (A page is opened as a
//! signed-in role with `common::open_as`.)

use super::browser::Browser;
use serde_json::json;

/// Waits until the map has drawn streets.
pub async fn wait_for_streets(browser: &Browser) {
    browser
        .wait_until(
            "(document.querySelector('.map-streets .street')?.getAttribute('d') || '').length > 1000",
            "the streets drawn",
        )
        .await;
}

/// Metres from `c` to the segment a–b ([lat, lon] in degrees), in a local plane (a few
/// hundred metres across).
pub fn distance_to_segment(c: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let k = c.0.to_radians().cos();
    let m = 111_195.0;
    let p = |q: (f64, f64)| ((q.1 - c.1) * k * m, (q.0 - c.0) * m);
    let (a, b) = (p(a), p(b));
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    (x * x + y * y).sqrt()
}

/// Waits until the hotline console has drawn a route on its map.
pub async fn route_drawn(browser: &Browser) {
    browser
        .wait_until(
            "!document.getElementById('route').hidden && (document.getElementById('map-route').getAttribute('d') || '').length > 20",
            "the route drawn",
        )
        .await;
}

/// Clicks the map at a position with a real pointer (WebDriver actions), after bringing the
/// map into view.
pub async fn click_map_at(browser: &Browser, lat: f64, lon: f64) {
    let at = browser
        .eval(
            "const host = document.getElementById('map');
             host.scrollIntoView({ block: 'center' });
             const view = host.querySelector('.map-view').getBoundingClientRect();
             const [x, y] = host.mapView.toScreen(arguments[0], arguments[1]);
             return [Math.round(view.left + x), Math.round(view.top + y)];",
            json!([lat, lon]),
        )
        .await;
    let (x, y) = (at[0].as_i64().unwrap(), at[1].as_i64().unwrap());
    let actions = json!({ "actions": [{
        "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
        "actions": [
            { "type": "pointerMove", "duration": 0, "origin": "viewport", "x": x, "y": y },
            { "type": "pointerDown", "button": 0 },
            { "type": "pointerUp", "button": 0 }
        ]
    }]});
    browser
        .command(reqwest::Method::POST, "/actions", actions)
        .await;
}

/// Reports a hazard on the map page: clicks its centre, gives its radius, creates it and waits
/// until the map draws it (the first hazard of the operation).
pub async fn draw_hazard(browser: &Browser, lat: f64, lon: f64, radius_m: f64) {
    click_map_at(browser, lat, lon).await;
    browser
        .type_into("#hazard-radius", &format!("{radius_m}"))
        .await;
    browser
        .click_until(
            "#hazard-create",
            "document.querySelectorAll('.map-hazards circle').length === 1",
            "the hazard drawn",
        )
        .await;
}

/// The route as the map drew it: its path's points, in degrees ([lat, lon] pairs).
pub async fn drawn_route(browser: &Browser) -> Vec<(f64, f64)> {
    browser
        .eval(
            "return document.getElementById('map').mapView.drawnRoute()",
            json!([]),
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}
