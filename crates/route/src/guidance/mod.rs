//! Guidance: a route told as steps a person can follow — a manoeuvre, the street by its
//! name in the reader's language (or by its kind when unnamed), a landmark near the turn, a
//! distance — and the same squeezed into at most three SMS by merging steps; plus the route
//! as a GeoJSON LineString for a map.
//!
//! Imports the network (names, geometry, gazetteer) and the route; the words are in
//! `phrases`, the SMS arithmetic in `sms` (the messages crate's).

pub mod phrases;
/// SMS arithmetic lives with the messages (`safeconduct_i18n::sms`); kept here by name for
/// the callers of guidance.
pub use safeconduct_i18n::sms;

use crate::geo::{Point, bearing};
use crate::network::Network;
use crate::path::Route;
use crate::walking::WayKind;
use phrases::{Manoeuvre, arrival_sentence, step_sentence, unnamed};
use safeconduct_domain::values::Language;
use serde_json::json;
use sms::{Encoding, MAX_PARTS, measure, parts};

/// A landmark this close to a turn is named with it.
const LANDMARK_AT_TURN_M: f64 = 40.0;
/// At the start and the end a landmark a little further away still helps.
const LANDMARK_AT_END_M: f64 = 60.0;
/// A stretch shorter than this (a kerb cut, a crossing) is folded into the step before it.
const SHORT_STRETCH_M: f64 = 20.0;

/// A route told in one language.
#[derive(Debug, Clone)]
pub struct Guidance {
    pub language: Language,
    /// Arabic script: shown right-to-left.
    pub right_to_left: bool,
    /// One sentence per step, the arrival last: for reading out on the phone.
    pub steps: Vec<String>,
    /// The steps merged until they fit in `MAX_PARTS` SMS.
    pub sms: String,
    pub sms_encoding: Encoding,
    pub sms_parts: usize,
    /// How many steps were merged to fit.
    pub sms_merged_steps: usize,
    /// A GeoJSON Feature with the route as a LineString.
    pub geojson: serde_json::Value,
}

#[derive(Debug, Clone)]
struct Leg {
    manoeuvre: Manoeuvre,
    name: Option<u32>,
    kind: WayKind,
    metres: f64,
    landmark: Option<String>,
}

fn turn_at(before: Point, at: Point, after: Point) -> f64 {
    let incoming = bearing(before, at);
    let outgoing = bearing(at, after);
    (outgoing - incoming + 540.0) % 360.0 - 180.0
}

fn landmark(network: &Network, at: Point, radius: f64, language: Language) -> Option<String> {
    network
        .gazetteer()
        .landmark_near(at, radius)
        .map(|p| p.name.in_language(language).to_owned())
}

/// The route's line in the network's plane.
fn plane_line(network: &Network, route: &Route) -> Vec<Point> {
    route
        .line
        .iter()
        .map(|&c| network.projection().project_coordinate(c))
        .collect()
}

/// The legs of a route: one per stretch along one street (or one unnamed kind of way).
fn legs(network: &Network, route: &Route, language: Language) -> Vec<Leg> {
    let line = plane_line(network, route);
    let mut legs: Vec<Leg> = Vec::new();
    for (i, (&e, &metres)) in route.edges.iter().zip(&route.metres).enumerate() {
        let edge = &network.edges()[e as usize];
        let same_way = legs.last().is_some_and(|l: &Leg| {
            l.name == edge.name && (edge.name.is_some() || l.kind == edge.kind)
        });
        if same_way {
            legs.last_mut().expect("a leg").metres += metres;
            continue;
        }
        let short_previous =
            legs.len() > 1 && legs.last().is_some_and(|l| l.metres < SHORT_STRETCH_M);
        if short_previous {
            // Fold the short stretch into the leg before it, then judge this edge afresh.
            let short = legs.pop().expect("a leg");
            legs.last_mut().expect("a leg").metres += short.metres;
            let l = legs.last().expect("a leg");
            if l.name == edge.name && (edge.name.is_some() || l.kind == edge.kind) {
                legs.last_mut().expect("a leg").metres += metres;
                continue;
            }
        }
        let (manoeuvre, radius) = if i == 0 {
            (Manoeuvre::Start, LANDMARK_AT_END_M)
        } else {
            let turn = turn_at(line[i - 1], line[i], line[i + 1]);
            (Manoeuvre::from_turn(turn), LANDMARK_AT_TURN_M)
        };
        let mut near = landmark(network, line[i], radius, language);
        if near.is_some() && legs.iter().any(|l| l.landmark == near) {
            near = None;
        }
        legs.push(Leg {
            manoeuvre,
            name: edge.name,
            kind: edge.kind,
            metres,
            landmark: near,
        });
    }
    legs
}

fn render(
    network: &Network,
    legs: &[Leg],
    arrival: Option<&str>,
    language: Language,
) -> Vec<String> {
    legs.iter()
        .map(|l| {
            let street = l.name.map_or_else(
                || unnamed(language, l.kind),
                |n| network.name(n).in_language(language).to_owned(),
            );
            step_sentence(
                language,
                l.manoeuvre,
                &street,
                l.landmark.as_deref(),
                Some(l.metres),
            )
        })
        .chain(std::iter::once(arrival_sentence(language, arrival)))
        .collect()
}

/// Merges leg `i` into the one before it.
fn merge_into_previous(legs: &mut Vec<Leg>, i: usize) {
    let leg = legs.remove(i);
    legs[i - 1].metres += leg.metres;
}

/// Shortens the guidance until it fits in `MAX_PARTS` SMS: first going-straight steps are
/// merged into the step before, then landmarks dropped, then the shortest steps merged;
/// a single step still too long is cut.
fn squeeze(
    network: &Network,
    mut legs: Vec<Leg>,
    mut arrival: Option<String>,
    language: Language,
) -> (String, usize) {
    let mut merged = 0;
    loop {
        let text = render(network, &legs, arrival.as_deref(), language).join(" ");
        if parts(&text) <= MAX_PARTS {
            return (text, merged);
        }
        let shortest_where = |keep: &dyn Fn(&Leg) -> bool| {
            (1..legs.len())
                .filter(|&i| keep(&legs[i]))
                .min_by(|&a, &b| legs[a].metres.total_cmp(&legs[b].metres))
        };
        if let Some(i) = shortest_where(&|l| l.manoeuvre.is_minor()) {
            merge_into_previous(&mut legs, i);
            merged += 1;
        } else if let Some(i) = (0..legs.len())
            .filter(|&i| legs[i].landmark.is_some())
            .min_by(|&a, &b| legs[a].metres.total_cmp(&legs[b].metres))
        {
            legs[i].landmark = None;
        } else if arrival.is_some() {
            arrival = None;
        } else if let Some(i) = shortest_where(&|_| true) {
            merge_into_previous(&mut legs, i);
            merged += 1;
        } else {
            return (cut(&text), merged);
        }
    }
}

/// Cuts a text to what fits, ending it with "..." (GSM-7, unlike an ellipsis).
fn cut(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        let candidate: String = chars.iter().collect::<String>() + "...";
        if parts(&candidate) <= MAX_PARTS || chars.is_empty() {
            return candidate;
        }
        chars.pop();
    }
}

/// The guidance for a route in `language`.
pub fn guide(network: &Network, route: &Route, language: Language) -> Guidance {
    let legs = legs(network, route, language);
    let arrival = route
        .line
        .last()
        .and_then(|&end| {
            landmark(
                network,
                network.projection().project_coordinate(end),
                LANDMARK_AT_END_M,
                language,
            )
        })
        .filter(|l| !legs.iter().any(|leg| leg.landmark.as_ref() == Some(l)));
    let steps = render(network, &legs, arrival.as_deref(), language);
    let (sms, sms_merged_steps) = squeeze(network, legs, arrival, language);
    let (sms_encoding, _) = measure(&sms);
    Guidance {
        language,
        right_to_left: language.is_right_to_left(),
        steps,
        sms_parts: parts(&sms),
        sms,
        sms_encoding,
        sms_merged_steps,
        geojson: route_geojson(route),
    }
}

/// The route as a GeoJSON Feature: a LineString of [longitude, latitude] positions.
pub fn route_geojson(route: &Route) -> serde_json::Value {
    let coordinates: Vec<[f64; 2]> = route.line.iter().map(|c| [c.lon(), c.lat()]).collect();
    json!({
        "type": "Feature",
        "geometry": { "type": "LineString", "coordinates": coordinates },
        "properties": { "length_m": route.length_m, "walking_s": route.walking_s },
    })
}

/// For callers that state the limit (docs, API): the most units three SMS carry.
pub fn sms_limit(encoding: Encoding) -> usize {
    encoding.limit()
}
