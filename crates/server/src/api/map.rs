//! The map's own data: the street network of the loaded extract as compact polylines with
//! their names, by bounding box and level of detail (the pages draw it with no tile server),
//! and the gazetteer's named places and streets matching what a caller says.
//!
//! Who may call: coordinators and hotline operators (CASEWORK). Nothing here is about people:
//! streets and places of the extract only. Without an extract (`serve` with no `--osm`), 503
//! `routing_unavailable`, as every routing endpoint answers.
//!
//! Must not depend on: other resource modules' handlers. The streets and the gazetteer are
//! the route crate's, reached through the server's router (`routing.rs`).

use crate::ApiError;
use crate::endpoints::{Access::Roles, CASEWORK, Endpoint, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::Answer;
use axum::Json;
use axum::http::StatusCode;
use safeconduct_domain::Expected;
use safeconduct_domain::values::Language;
use safeconduct_route::gazetteer::PlaceKind;
use safeconduct_route::walking::WayKind;
use safeconduct_route::{Bounds, Router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/map/streets", Roles(CASEWORK), h::streets, "The street network of the loaded extract within a box (in the body: on the hotline the box follows the caller), simplified to a level of detail, as polylines with names; changes nothing", body: StreetsIn => json::<StreetsOut>(200)),
        endpoint!(POST "/api/operations/{op}/map/places", Roles(CASEWORK), h::places, "Named places and streets of the extract matching a name as a caller says it (in the body, never in the address); changes nothing", body: PlacesIn => json::<Vec<PlaceOut>>(200)),
    ]
}

/// At most this many lines in one answer: a page asks for less by zooming in.
const MAX_LINES: usize = 6_000;
/// At most this many places for one name.
const MAX_PLACES: usize = 8;

/// The part of the map asked for. In a body, because on the hotline the map shows where a
/// caller is, and a request line ends up in proxies' logs.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreetsIn {
    /// `SOUTH,WEST,NORTH,EAST` in decimal degrees; the whole extract when absent.
    pub bbox: Option<String>,
    /// Metres one screen pixel covers (0 to 500): lines shorter than a few pixels are left
    /// out, the rest simplified to it. 0 (the default) draws every junction.
    pub detail: Option<f64>,
    /// The language of the names, where the map has them in it; the map's own otherwise.
    pub language: Option<Language>,
}

#[derive(Serialize, JsonSchema)]
pub struct BoundsOut {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl From<Bounds> for BoundsOut {
    fn from(b: Bounds) -> Self {
        BoundsOut {
            south: b.south,
            west: b.west,
            north: b.north,
            east: b.east,
        }
    }
}

#[derive(Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Street,
    Footway,
    Steps,
}

#[derive(Serialize, JsonSchema)]
pub struct LineOut {
    /// Index into `names`; absent for an unnamed way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    pub k: LineKind,
    /// Latitude, longitude, latitude, longitude… (six decimals).
    pub c: Vec<f64>,
}

#[derive(Serialize, JsonSchema)]
pub struct StreetsOut {
    /// The box of the whole extract.
    pub extent: BoundsOut,
    /// The names the lines refer to, in the language asked for where the map has it.
    pub names: Vec<String>,
    pub lines: Vec<LineOut>,
    /// More lines were in the box than one answer holds: zoom in for the rest.
    pub truncated: bool,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
}

fn parse_bbox(text: &str) -> Result<Bounds, ApiError> {
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| invalid(format!("bbox: {text:?} is not SOUTH,WEST,NORTH,EAST")))?;
    let [south, west, north, east] = parts[..] else {
        return Err(invalid(format!(
            "bbox: {text:?} is not SOUTH,WEST,NORTH,EAST"
        )));
    };
    let lat_ok = |v: f64| (-90.0..=90.0).contains(&v);
    let lon_ok = |v: f64| (-180.0..=180.0).contains(&v);
    if !(lat_ok(south) && lat_ok(north) && lon_ok(west) && lon_ok(east))
        || south > north
        || west > east
    {
        return Err(invalid(format!(
            "bbox: {text:?} is not a box (south ≤ north within ±90, west ≤ east within ±180)"
        )));
    }
    Ok(Bounds {
        south,
        west,
        north,
        east,
    })
}

fn six_decimals(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The streets within a box at a level of detail.
pub(crate) fn streets_in(
    router: &Router,
    bounds: Option<Bounds>,
    detail: f64,
    language: Language,
) -> StreetsOut {
    let network = router.network();
    let streets = router.streets();
    let bounds = bounds.unwrap_or(streets.extent());
    let mut names = Vec::new();
    let mut name_at: HashMap<u32, u32> = HashMap::new();
    let mut lines = Vec::new();
    let mut truncated = false;
    for (line, nodes) in streets.within(network, bounds, detail) {
        if lines.len() == MAX_LINES {
            truncated = true;
            break;
        }
        let n = line.name.map(|i| {
            *name_at.entry(i).or_insert_with(|| {
                names.push(network.name(i).in_language(language).to_owned());
                (names.len() - 1) as u32
            })
        });
        let c = nodes
            .iter()
            .flat_map(|&v| {
                let at = network.coordinate(v);
                [six_decimals(at.lat()), six_decimals(at.lon())]
            })
            .collect();
        let k = match line.kind {
            WayKind::Street => LineKind::Street,
            WayKind::Footway => LineKind::Footway,
            WayKind::Steps => LineKind::Steps,
        };
        lines.push(LineOut { n, k, c });
    }
    StreetsOut {
        extent: streets.extent().into(),
        names,
        lines,
        truncated,
    }
}

pub async fn streets(call: Call, ApiJson(q): ApiJson<StreetsIn>) -> Answer<StreetsOut> {
    let router = call.app.router()?;
    let bounds = q.bbox.as_deref().map(parse_bbox).transpose()?;
    let detail = q.detail.unwrap_or(0.0);
    if !(0.0..=500.0).contains(&detail) {
        return Err(invalid(format!(
            "detail: {detail} is not between 0 and 500 metres"
        )));
    }
    let language = q.language.unwrap_or(Language::English);
    // Simplifying a whole city takes a few milliseconds of CPU: off the request loop.
    let out = tokio::task::spawn_blocking(move || streets_in(&router, bounds, detail, language))
        .await
        .map_err(|_| ApiError::internal())?;
    Ok(Json(out))
}

/// What a caller said, to be found on the map. In a body: it may say where the caller is.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacesIn {
    /// A name, or its first letters, as the caller says it.
    #[schemars(length(min = 1, max = 200))]
    pub q: String,
    /// The language to name the places in, where the map has it.
    pub language: Option<Language>,
}

#[derive(Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKindOut {
    Landmark,
    Street,
}

#[derive(Serialize, JsonSchema)]
pub struct PlaceOut {
    /// The name in the language asked for where the map has it.
    pub name: String,
    /// The name to send back as `landmark` (the map's own name in English or local form).
    pub landmark: String,
    pub kind: PlaceKindOut,
    pub lat: f64,
    pub lon: f64,
}

pub async fn places(call: Call, ApiJson(q): ApiJson<PlacesIn>) -> Answer<Vec<PlaceOut>> {
    if q.q.chars().count() > 200 {
        return Err(ApiError::expected("q", Expected::Shorter { max: 200 }));
    }
    if q.q.trim().is_empty() {
        return Err(ApiError::expected("q", Expected::Something));
    }
    let router = call.app.router()?;
    let language = q.language.unwrap_or(Language::English);
    let found = router
        .network()
        .gazetteer()
        .search(&q.q, MAX_PLACES)
        .into_iter()
        .map(|p| PlaceOut {
            name: p.name.in_language(language).to_owned(),
            landmark: p.name.in_language(Language::English).to_owned(),
            kind: match p.kind {
                PlaceKind::Landmark => PlaceKindOut::Landmark,
                PlaceKind::Street => PlaceKindOut::Street,
            },
            lat: six_decimals(p.at.lat()),
            lon: six_decimals(p.at.lon()),
        })
        .collect();
    Ok(Json(found))
}
