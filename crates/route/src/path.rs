//! A route along the network: the segments walked, the metres on each and the line walked.
//! Made by the router, read by guidance; it knows neither.

use crate::network::{NodeIndex, Snapped};
use safeconduct_domain::values::Coordinate;

/// A route along the network, from the point the start was placed on to the one the end was.
#[derive(Debug, Clone)]
pub struct Route {
    /// The street segments walked, from start to end; the first and the last may be walked
    /// only in part (from the start's point to a junction, from a junction to the end's).
    pub edges: Vec<u32>,
    /// Metres walked along each of `edges`.
    pub metres: Vec<f64>,
    /// The line walked: the start's point, each junction passed, the end's point; stretch
    /// `i` of `edges` runs from `line[i]` to `line[i + 1]`.
    pub line: Vec<Coordinate>,
    /// The junctions passed, from start to end (a start or end exactly at a junction
    /// included).
    pub nodes: Vec<NodeIndex>,
    pub length_m: f64,
    /// Walking time without hazard penalties, in seconds.
    pub walking_s: f64,
    /// The weight the route was chosen by (milliseconds, slowed where hazards slow it).
    pub weight: u32,
    pub start: Snapped,
    pub end: Snapped,
}

impl Route {
    /// Walks `metres` (taking `ms` without hazards) along edge `e` to `to`; a stretch of no
    /// length (a point exactly at a junction) is no stretch.
    pub(crate) fn walk(&mut self, e: u32, metres: f64, ms: f64, to: Coordinate) {
        if metres <= 0.0 && ms <= 0.0 {
            return;
        }
        self.edges.push(e);
        self.metres.push(metres);
        self.line.push(to);
        self.length_m += metres;
        self.walking_s += ms / 1000.0;
    }
}
