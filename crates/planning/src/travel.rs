//! The planner's travel cost on the streets: when the server holds a router, the seconds from
//! a household to a rendezvous point are the walking time through the street network under the
//! hazards in force (one travel-time field per RV, computed once per plan), plus the walk from
//! each position to the street it is nearest. Positions off the extract fall back to the
//! straight line; a household no open street connects to an RV cannot be sent there.
//!
//! Must not depend on: the resource modules. Implements the planner's `TravelCost`; the
//! routing is the route crate's.

use safeconduct_domain::values::Coordinate;
use safeconduct_plan::{StraightLine, TravelCost};
use safeconduct_route::network::Snapped;
use safeconduct_route::{RouteError, Router, TravelTimeField};
use std::collections::HashMap;
use std::sync::Mutex;

/// Seconds answered when no open street joins the two places: far beyond any trip the
/// planner allows, so the RV is not allowed for the household, and far below overflow.
pub const UNREACHABLE_SECONDS: u32 = 1 << 24;

fn key(c: &Coordinate) -> (u64, u64) {
    (c.lat().to_bits(), c.lon().to_bits())
}

/// Road travel times to a fixed set of rendezvous points.
pub struct RoadTravel<'a> {
    router: &'a Router,
    /// Per RV location: walking times from it to every junction. The walking network is
    /// undirected, so the time from a junction to the RV is the time from the RV to it.
    fields: HashMap<(u64, u64), TravelTimeField>,
    straight: StraightLine,
    metres_per_second: f64,
    snapped: Mutex<HashMap<(u64, u64), Option<Snapped>>>,
}

impl<'a> RoadTravel<'a> {
    /// Computes the fields of `rvs` on `threads` threads. An RV off the extract keeps the
    /// straight line.
    pub fn new(
        router: &'a Router,
        rvs: &[Coordinate],
        metres_per_second: f64,
        threads: usize,
    ) -> Result<Self, RouteError> {
        let on_map: Vec<Coordinate> = rvs
            .iter()
            .copied()
            .filter(|c| router.network().snap(*c, "rendezvous point").is_ok())
            .collect();
        let fields = router.travel_time_fields(&on_map, threads)?;
        Ok(RoadTravel {
            router,
            fields: on_map.iter().map(key).zip(fields).collect(),
            straight: StraightLine::new(metres_per_second),
            metres_per_second,
            snapped: Mutex::new(HashMap::new()),
        })
    }

    fn snap(&self, at: &Coordinate) -> Option<Snapped> {
        let mut cache = self.snapped.lock().unwrap_or_else(|e| e.into_inner());
        *cache
            .entry(key(at))
            .or_insert_with(|| self.router.network().snap(*at, "household").ok())
    }
}

impl TravelCost for RoadTravel<'_> {
    fn seconds(&self, from: &Coordinate, to: &Coordinate) -> u32 {
        let (Some(field), Some(start)) = (self.fields.get(&key(to)), self.snap(from)) else {
            return self.straight.seconds(from, to);
        };
        // Onto the network at either end of the household's segment (its share of the
        // segment walked without hazard penalties), then the field's time from there.
        let network = self.router.network();
        let segment_s = f64::from(network.edges()[start.edge as usize].time_ms) / 1000.0;
        let streets = start
            .ways(network)
            .into_iter()
            .filter_map(|(junction, share)| {
                field.seconds_to(junction).map(|t| t + share * segment_s)
            })
            .min_by(f64::total_cmp);
        match streets {
            Some(streets) => {
                let off_street =
                    (start.distance_m + field.source.distance_m) / self.metres_per_second;
                ((streets + off_street).ceil() as u32).min(UNREACHABLE_SECONDS)
            }
            None => UNREACHABLE_SECONDS,
        }
    }

    /// Streets closed by hazards and one-way paths make road times no metric the planner may
    /// prune with.
    fn is_metric(&self) -> bool {
        false
    }
}
