//! The household's own pass page, opened from the link sent to its phone, with no account.
//! The page (`/app/pass`) sends the link's token in a request body (it travels after `#` in
//! the link, so it never reaches a request line or a log); the answer is what the household
//! needs to reach its rendezvous point and nothing more: the QR code of its valid pass, its
//! language, the window, the point's name, landmark and location, and until when the pass is
//! valid, and the approach to the point when the household's location is known and the
//! server holds a street network. No reference, name or phone. A wrong, expired, revoked or
//! superseded link, one of a household checked in at the gate (none of it still on the way),
//! or one of a shredded operation, all get the same 404. Open, behind the
//! per-address rate limit and a stricter bucket of its own per address (`limits::AddressTry::pass_link`):
//! each try that opens nothing spends a token, and an address without one is refused (429)
//! until it refills, whether its next link is good or not; other addresses are not affected.
//! A link that opens is held to a bucket of its own, whatever the address
//! (`limits::pass_link_open`), kept by each server.
//! Each open is a read of the household's pass and of where it lives: it is in the audit log
//! (`pass_link_opened`, the pass by its index, by nobody signed in), so that links opened in
//! bulk by someone holding many of them (a gateway's log, seized phones) leave a trace.
//!
//! Must not depend on: other resource modules.

use crate::endpoints::{Access::Open, Endpoint, endpoint, json};
use crate::extract::ApiJson;
use crate::limits::{AddressTry, ClientAddress};
use crate::wire::{Answer, CoordinateSchema, time_text};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_pass::qr::Qr;
use safeconduct_route::Router;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/pass-link", Open, h::pass_by_link, "A household's pass, opened with the token of the link sent to its phone: the QR code, the window and the rendezvous point (no reference, name or phone)", body: PassLinkIn => json::<PassLinkOut>(200)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassLinkIn {
    /// The token after `#` in the link: 40 hex digits.
    #[schemars(length(min = 40, max = 40), regex(pattern = r"^[0-9a-f]{40}$"))]
    pub token: String,
}

#[derive(Serialize, JsonSchema)]
pub struct PassLinkRv {
    pub name: String,
    pub landmark: String,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
}

#[derive(Serialize, JsonSchema)]
pub struct PassLinkOut {
    /// The household's language: the page shows itself in it.
    pub language: Language,
    /// The pass's QR code, a PNG in standard base64.
    pub qr_png: String,
    pub window_start: String,
    pub window_end: String,
    /// The pass (and this link) stop being valid at this time.
    pub valid_until: String,
    pub rv: PassLinkRv,
    /// The way to the point, when the household's location was registered and the server
    /// holds a street network: only its approach (see [`approach`]), so that the page shows
    /// nothing of where the household lives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<PassRouteOut>,
}

/// The last stretch of the way to the rendezvous point, in the household's language: the
/// walking directions and the line to draw. No hazard, gate or household is named.
#[derive(Serialize, JsonSchema)]
pub struct PassRouteOut {
    pub right_to_left: bool,
    pub length_m: u32,
    pub walking_minutes: u32,
    /// One sentence per step.
    pub steps: Vec<String>,
    /// A GeoJSON Feature with the stretch as a LineString.
    pub geojson: serde_json::Value,
}

/// The stretch shown starts on the way within this distance of the point (metres)…
pub const APPROACH_M: f64 = 800.0;
/// …and never closer than this to where the household lives: a phone seized with the link
/// shows the point's surroundings, which the page shows anyway, not the family's street.
pub const PRIVATE_M: f64 = 400.0;

/// The approach to `rv` on the way from `home`: the route from the first junction of the
/// whole way that lies within [`APPROACH_M`] of the point and at least [`PRIVATE_M`] from
/// home (the rest of a shortest way is itself a shortest way). `None` when there is no way,
/// or when home is so near the point that no junction qualifies.
pub(crate) fn approach(
    router: &Router,
    home: Coordinate,
    rv: Coordinate,
    language: Language,
) -> Option<PassRouteOut> {
    let way = router.route(home, rv).ok()?;
    let network = router.network();
    let start = way
        .nodes
        .iter()
        .map(|&n| network.coordinate(n))
        .find(|c| c.distance_m(&rv) <= APPROACH_M && c.distance_m(&home) >= PRIVATE_M)?;
    let guided = router.guided(start, rv, language).ok()?;
    let g = guided.guidance;
    Some(PassRouteOut {
        right_to_left: g.right_to_left,
        length_m: guided.route.length_m.round() as u32,
        walking_minutes: (guided.route.walking_s / 60.0).ceil() as u32,
        steps: g.steps,
        geojson: g.geojson,
    })
}

fn no_pass() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no pass at this link: it may have been replaced, cancelled or have expired",
    )
}

/// The token's bytes; anything but 40 lowercase hex digits names no link.
fn token_bytes(token: &str) -> Option<Vec<u8>> {
    if token.len() != 40 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..40)
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16).ok())
        .collect()
}

pub async fn pass_by_link(
    State(app): State<App>,
    address: ClientAddress,
    ApiJson(body): ApiJson<PassLinkIn>,
) -> Answer<PassLinkOut> {
    let attempt = AddressTry::pass_link(&app, &address)?;
    let token = token_bytes(&body.token.to_ascii_lowercase()).ok_or_else(no_pass)?;
    let now = crate::now();
    let asked = token.clone();
    let linked = app
        .run(move |s| s.pass_by_link(&asked, now))
        .await?
        .ok_or_else(no_pass)?;
    attempt.give_back(&app);
    crate::limits::pass_link_open(&app, &token)?;
    let opener = store::Actor {
        user: None,
        role: None,
        device: Some("pass link".into()),
        at: now,
        places: None,
    };
    let opened = store::AuditEntry::by(
        &opener,
        Some(linked.operation),
        "pass_link_opened",
        Some(format!("pass/{}", linked.pass_index)),
    );
    app.run(move |s| s.audit(&opened)).await?;
    let qr =
        Qr::new(&safeconduct_pass::to_text(&linked.signed)).map_err(|_| ApiError::internal())?;
    let route = match (app.router.clone(), linked.household_location) {
        (Some(router), Some(home)) => {
            let (rv, language) = (linked.rv.location, linked.language);
            tokio::task::spawn_blocking(move || approach(&router, home, rv, language))
                .await
                .unwrap_or(None)
        }
        _ => None,
    };
    Ok(Json(PassLinkOut {
        language: linked.language,
        qr_png: base64::engine::general_purpose::STANDARD.encode(qr.png(6)),
        window_start: time_text(linked.window_start),
        window_end: time_text(linked.window_end),
        valid_until: time_text(linked.expires_at),
        rv: PassLinkRv {
            name: linked.rv.name,
            landmark: linked.rv.landmark,
            location: linked.rv.location,
        },
        route,
    }))
}
