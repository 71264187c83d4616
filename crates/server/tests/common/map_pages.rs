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
