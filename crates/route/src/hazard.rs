//! Hazards as the router sees them: an area (a circle or a polygon), a severity, and the time
//! it holds; which streets each touches; and the weights of the network's edges under the
//! hazards in force at a given time.
//!
//! Built one way (`Hazard::circle`, `Hazard::polygon`, each checking its rules). Imports the
//! network and geometry; nothing of the speed-up.

use crate::error::RouteError;
use crate::geo::{Point, Projection, point_in_ring, point_segment_distance, segments_cross};
use crate::network::Network;
use safeconduct_domain::model::Severity;
use safeconduct_domain::places;
use safeconduct_domain::values::{Coordinate, Timestamp};

/// The largest circle a hazard may draw, as the domain's `HazardSpec` allows.
pub const MAX_RADIUS_M: f64 = 20_000.0;

/// An edge weight that means "closed".
pub const CLOSED: u32 = u32::MAX;

/// What a hazard does to the streets it touches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// The street is closed.
    Block,
    /// Walking it counts this many times its walking time.
    Slow(f64),
}

/// Critical hazards (fighting, a blast) close streets; lesser ones make them costly, so a
/// route goes around them unless the way round is much longer.
pub fn effect_of(severity: Severity) -> Effect {
    // Which severities close a street is the domain's rule: the same one decides which
    // hazards may suspend the places inside them.
    if severity.blocks() {
        return Effect::Block;
    }
    match severity {
        Severity::High => Effect::Slow(4.0),
        Severity::Medium => Effect::Slow(2.0),
        Severity::Low | Severity::Critical => Effect::Slow(1.5),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    Circle {
        centre: Coordinate,
        radius_m: f64,
    },
    /// An outer ring and holes, as GeoJSON writes a Polygon.
    Polygon {
        rings: Vec<Vec<Coordinate>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hazard {
    id: String,
    area: Area,
    severity: Severity,
    valid_from: Option<Timestamp>,
    valid_until: Option<Timestamp>,
}

fn refuse(id: &str, reason: impl Into<String>) -> RouteError {
    RouteError::Hazard {
        id: id.to_owned(),
        reason: reason.into(),
    }
}

impl Hazard {
    pub fn circle(
        id: impl Into<String>,
        centre: Coordinate,
        radius_m: f64,
        severity: Severity,
        valid_from: Option<Timestamp>,
        valid_until: Option<Timestamp>,
    ) -> Result<Self, RouteError> {
        let id = id.into();
        if !(1.0..=MAX_RADIUS_M).contains(&radius_m) {
            return Err(refuse(
                &id,
                format!("radius {radius_m} m is not within 1..20000 m"),
            ));
        }
        Self::checked(
            id,
            Area::Circle { centre, radius_m },
            severity,
            valid_from,
            valid_until,
        )
    }

    pub fn polygon(
        id: impl Into<String>,
        rings: Vec<Vec<Coordinate>>,
        severity: Severity,
        valid_from: Option<Timestamp>,
        valid_until: Option<Timestamp>,
    ) -> Result<Self, RouteError> {
        let id = id.into();
        match rings.first() {
            None => return Err(refuse(&id, "a polygon needs an outer ring")),
            Some(_) => {
                if let Some(short) = rings.iter().find(|r| distinct_points(r) < 3) {
                    return Err(refuse(
                        &id,
                        format!(
                            "a ring of {} distinct points encloses nothing",
                            distinct_points(short)
                        ),
                    ));
                }
            }
        }
        Self::checked(
            id,
            Area::Polygon { rings },
            severity,
            valid_from,
            valid_until,
        )
    }

    /// A hazard as the operation records it (a circle around a location).
    pub fn from_place(h: &places::Hazard) -> Result<Self, RouteError> {
        Self::circle(
            h.id.to_string(),
            h.location,
            f64::from(h.radius_m),
            h.severity,
            Some(h.valid_from),
            h.valid_until,
        )
    }

    fn checked(
        id: String,
        area: Area,
        severity: Severity,
        valid_from: Option<Timestamp>,
        valid_until: Option<Timestamp>,
    ) -> Result<Self, RouteError> {
        if id.trim().is_empty() {
            return Err(refuse(&id, "a hazard needs an id"));
        }
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until <= from
        {
            return Err(refuse(&id, "valid_until must be after valid_from"));
        }
        Ok(Hazard {
            id,
            area,
            severity,
            valid_from,
            valid_until,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn area(&self) -> &Area {
        &self.area
    }
    pub fn severity(&self) -> Severity {
        self.severity
    }
    pub fn effect(&self) -> Effect {
        effect_of(self.severity)
    }

    /// In force at `now`: from `valid_from` (inclusive) to `valid_until` (exclusive).
    pub fn active_at(&self, now: Timestamp) -> bool {
        self.valid_from.is_none_or(|f| f <= now) && self.valid_until.is_none_or(|u| now < u)
    }

    /// The area in the network's plane.
    pub fn shape(&self, projection: &Projection) -> Shape {
        match &self.area {
            Area::Circle { centre, radius_m } => Shape::Circle {
                centre: projection.project_coordinate(*centre),
                radius_m: *radius_m,
            },
            Area::Polygon { rings } => Shape::Polygon {
                rings: rings
                    .iter()
                    .map(|r| {
                        r.iter()
                            .map(|c| projection.project_coordinate(*c))
                            .collect()
                    })
                    .collect(),
            },
        }
    }
}

fn distinct_points(ring: &[Coordinate]) -> usize {
    let mut seen: Vec<&Coordinate> = Vec::new();
    for c in ring {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.len()
}

/// A hazard's area projected to metres, with its bounding box for a quick rejection.
#[derive(Debug, Clone)]
pub enum Shape {
    Circle { centre: Point, radius_m: f64 },
    Polygon { rings: Vec<Vec<Point>> },
}

impl Shape {
    fn bounds(&self) -> (Point, Point) {
        match self {
            Shape::Circle { centre, radius_m } => (
                Point {
                    x: centre.x - radius_m,
                    y: centre.y - radius_m,
                },
                Point {
                    x: centre.x + radius_m,
                    y: centre.y + radius_m,
                },
            ),
            Shape::Polygon { rings } => {
                let xs = rings[0].iter().map(|p| p.x);
                let ys = rings[0].iter().map(|p| p.y);
                (
                    Point {
                        x: xs.clone().fold(f64::INFINITY, f64::min),
                        y: ys.clone().fold(f64::INFINITY, f64::min),
                    },
                    Point {
                        x: xs.fold(f64::NEG_INFINITY, f64::max),
                        y: ys.fold(f64::NEG_INFINITY, f64::max),
                    },
                )
            }
        }
    }

    /// Whether the point lies in the area (on a polygon, inside the outer ring and no hole).
    pub fn contains(&self, p: Point) -> bool {
        match self {
            Shape::Circle { centre, radius_m } => p.distance(*centre) <= *radius_m,
            Shape::Polygon { rings } => {
                point_in_ring(p, &rings[0]) && !rings[1..].iter().any(|h| point_in_ring(p, h))
            }
        }
    }

    /// Whether the street segment `a`–`b` touches the area anywhere.
    pub fn touches(&self, a: Point, b: Point) -> bool {
        let (lo, hi) = self.bounds();
        if a.x.max(b.x) < lo.x || a.x.min(b.x) > hi.x || a.y.max(b.y) < lo.y || a.y.min(b.y) > hi.y
        {
            return false;
        }
        match self {
            Shape::Circle { centre, radius_m } => {
                point_segment_distance(*centre, a, b) <= *radius_m
            }
            Shape::Polygon { rings } => {
                self.contains(a)
                    || self.contains(b)
                    || rings.iter().any(|ring| {
                        let n = ring.len();
                        (0..n).any(|i| segments_cross(a, b, ring[i], ring[(i + 1) % n]))
                    })
            }
        }
    }
}

/// The areas of the hazards in force at `now`, in the network's plane, with their effects.
pub fn areas_in_force(
    network: &Network,
    hazards: &[Hazard],
    now: Timestamp,
) -> Vec<(Shape, Effect)> {
    hazards
        .iter()
        .filter(|h| h.active_at(now))
        .map(|h| (h.shape(network.projection()), h.effect()))
        .collect()
}

/// The weight of walking the stretch `a`–`b` of a street, which takes `time_ms` without
/// hazards, under the areas in force: `CLOSED` if a blocking one touches it, else the time
/// times the strongest slowing (rounded to the millisecond).
pub fn stretch_weight(areas: &[(Shape, Effect)], a: Point, b: Point, time_ms: f64) -> u32 {
    let mut factor = 1.0f64;
    for (shape, effect) in areas {
        if shape.touches(a, b) {
            match effect {
                Effect::Block => return CLOSED,
                Effect::Slow(f) => factor = factor.max(*f),
            }
        }
    }
    // Keep below CLOSED: a slowed street stays open however long it is.
    (time_ms * factor).round().min(f64::from(CLOSED - 1)) as u32
}

/// The weight of every edge (walking milliseconds, `CLOSED` when blocked) under the hazards
/// in force at `now`. Where hazards overlap, the strongest effect counts.
pub fn edge_weights(network: &Network, hazards: &[Hazard], now: Timestamp) -> Vec<u32> {
    edge_weights_under(network, &areas_in_force(network, hazards, now))
}

/// The weight of every edge under the given areas (those of `areas_in_force`).
pub fn edge_weights_under(network: &Network, areas: &[(Shape, Effect)]) -> Vec<u32> {
    network
        .edges()
        .iter()
        .map(|e| {
            stretch_weight(
                areas,
                network.point(e.a),
                network.point(e.b),
                f64::from(e.time_ms),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> Coordinate {
        Coordinate::new(lat, lon).unwrap()
    }

    #[test]
    fn a_circle_of_zero_radius_is_refused() {
        let err = Hazard::circle("h1", at(60.17, 24.94), 0.0, Severity::High, None, None);
        assert!(err.unwrap_err().to_string().contains("h1"));
    }

    #[test]
    fn a_circle_wider_than_twenty_kilometres_is_refused() {
        assert!(
            Hazard::circle("h", at(60.17, 24.94), 20_001.0, Severity::High, None, None).is_err()
        );
    }

    #[test]
    fn a_hazard_that_ends_before_it_starts_is_refused() {
        let err = Hazard::circle(
            "late",
            at(60.17, 24.94),
            50.0,
            Severity::Low,
            Some(Timestamp(100)),
            Some(Timestamp(100)),
        );
        assert!(err.unwrap_err().to_string().contains("valid_until"));
    }

    #[test]
    fn a_hazard_without_an_id_is_refused() {
        assert!(Hazard::circle(" ", at(60.17, 24.94), 50.0, Severity::Low, None, None).is_err());
    }

    #[test]
    fn a_polygon_of_two_points_is_refused() {
        let ring = vec![at(60.17, 24.94), at(60.18, 24.94), at(60.17, 24.94)];
        assert!(Hazard::polygon("p", vec![ring], Severity::High, None, None).is_err());
    }

    #[test]
    fn a_polygon_without_rings_is_refused() {
        assert!(Hazard::polygon("p", vec![], Severity::High, None, None).is_err());
    }

    #[test]
    fn a_hazard_holds_from_its_start_until_just_before_its_end() {
        let h = Hazard::circle(
            "h",
            at(60.17, 24.94),
            50.0,
            Severity::Low,
            Some(Timestamp(10)),
            Some(Timestamp(20)),
        )
        .unwrap();
        assert!(!h.active_at(Timestamp(9)));
        assert!(h.active_at(Timestamp(10)));
        assert!(h.active_at(Timestamp(19)));
        assert!(!h.active_at(Timestamp(20)));
    }

    #[test]
    fn a_segment_crossing_a_polygon_without_an_end_inside_touches_it() {
        let square = Shape::Polygon {
            rings: vec![vec![
                Point { x: 0.0, y: 0.0 },
                Point { x: 10.0, y: 0.0 },
                Point { x: 10.0, y: 10.0 },
                Point { x: 0.0, y: 10.0 },
            ]],
        };
        assert!(square.touches(Point { x: -5.0, y: 5.0 }, Point { x: 15.0, y: 5.0 }));
        assert!(!square.touches(Point { x: -5.0, y: 15.0 }, Point { x: 15.0, y: 15.0 }));
    }

    #[test]
    fn a_segment_passing_within_the_radius_touches_a_circle() {
        let c = Shape::Circle {
            centre: Point { x: 0.0, y: 0.0 },
            radius_m: 10.0,
        };
        assert!(c.touches(Point { x: -50.0, y: 9.0 }, Point { x: 50.0, y: 9.0 }));
        assert!(!c.touches(Point { x: -50.0, y: 11.0 }, Point { x: 50.0, y: 11.0 }));
    }
}
