//! The cost of reaching a rendezvous point: one trait, so that road travel times from the
//! router can replace the straight line without touching the planner.
//!
//! Imports only domain coordinates; knows nothing of households or windows.

use safeconduct_domain::values::Coordinate;

/// Seconds of travel between two places.
pub trait TravelCost {
    /// Seconds from `from` to `to`, rounded up to a whole second.
    fn seconds(&self, from: &Coordinate, to: &Coordinate) -> u32;

    /// Whether `seconds` obeys the triangle inequality up to the rounding of each leg (one
    /// second). The planner then skips rendezvous points it can prove are worse than one it
    /// has already measured; a cost that is not a metric (one-way streets) is measured
    /// against every point.
    fn is_metric(&self) -> bool {
        false
    }
}

/// Great-circle (haversine) distance walked at a constant speed.
#[derive(Debug, Clone, Copy)]
pub struct StraightLine {
    metres_per_second: f64,
}

impl StraightLine {
    /// `metres_per_second` comes from checked settings (`Settings::walking_speed`).
    pub fn new(metres_per_second: f64) -> Self {
        StraightLine { metres_per_second }
    }
}

impl TravelCost for StraightLine {
    fn seconds(&self, from: &Coordinate, to: &Coordinate) -> u32 {
        (from.distance_m(to) / self.metres_per_second).ceil() as u32
    }

    fn is_metric(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kilometre_at_one_metre_per_second_takes_about_a_thousand_seconds() {
        let a = Coordinate::new(34.5, 69.2).unwrap();
        // 0.009 degrees of latitude is about 1,000.8 metres.
        let b = Coordinate::new(34.509, 69.2).unwrap();
        let s = StraightLine::new(1.0).seconds(&a, &b);
        assert!((1000..=1002).contains(&s), "{s}");
        assert_eq!(StraightLine::new(1.0).seconds(&a, &a), 0);
    }
}
