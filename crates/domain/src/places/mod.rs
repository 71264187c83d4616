//! The places of an operation — rendezvous points, gates, windows, flights and hazards — as
//! they are proposed and as they are kept, with the numbers that size them (`capacity`).
//! A planner or a router works from these records without the store.
//!
//! Knows nothing of storage, HTTP or who asked: records arrive built from validated values,
//! and the rules about changing a place (agreement, status) are in `model`.

pub mod capacity;
pub mod walking;

pub use capacity::{Capacity, Throughput};
pub use walking::WalkingTime;

use crate::ids::{FlightId, GateId, HazardId, RvId, WindowId};
use crate::model::{GateKind, GateStatus, HazardKind, RvStatus, Severity, WindowSpec};
use crate::values::{Coordinate, Text, Timestamp};

#[derive(Debug, Clone)]
pub struct NewRv {
    pub name: Text,
    pub location: Coordinate,
    pub landmark: Text,
}

#[derive(Debug, Clone)]
pub struct RendezvousPoint {
    pub id: RvId,
    pub name: String,
    pub location: Coordinate,
    pub landmark: String,
    pub status: RvStatus,
    pub accepted_by_authority: bool,
    pub accepted_by_escort: bool,
    /// Vehicles can reach it: a household that must be driven may be sent there.
    pub vehicle_access: bool,
}

#[derive(Debug, Clone)]
pub struct NewGate {
    pub name: Text,
    pub location: Coordinate,
    pub kind: GateKind,
    pub hourly_throughput: Throughput,
    pub rvs: Vec<RvId>,
    /// The walking time from each of `rvs` to this gate.
    pub walking_time: WalkingTime,
}

#[derive(Debug, Clone)]
pub struct Gate {
    pub id: GateId,
    pub name: String,
    pub location: Coordinate,
    pub kind: GateKind,
    pub hourly_throughput: Throughput,
    pub status: GateStatus,
    pub rvs: Vec<RvId>,
    /// The walking time from each RV of `rvs` to this gate, in the same order.
    pub walking: Vec<WalkingTime>,
}

#[derive(Debug, Clone)]
pub struct Window {
    pub id: WindowId,
    pub rv: RvId,
    pub spec: WindowSpec,
    pub assigned_people: u32,
}

#[derive(Debug, Clone)]
pub struct NewFlight {
    pub number: Text,
    pub departs_at: Timestamp,
    pub capacity: Capacity,
}

impl NewFlight {
    /// Another flight of the same number departing within this many hours, before or after,
    /// is the same flight scheduled twice.
    pub const SAME_NUMBER_WITHIN_HOURS: i64 = 24;

    /// Whether `other` is this flight already scheduled: the same number (letter case aside)
    /// departing within [`NewFlight::SAME_NUMBER_WITHIN_HOURS`] of this one.
    pub fn repeats(&self, other: &Flight) -> bool {
        self.number.as_str().eq_ignore_ascii_case(&other.number)
            && (self.departs_at.0 - other.departs_at.0).abs()
                < Self::SAME_NUMBER_WITHIN_HOURS * 3600
    }
}

#[derive(Debug, Clone)]
pub struct Flight {
    pub id: FlightId,
    pub number: String,
    pub departs_at: Timestamp,
    pub capacity: Capacity,
    pub manifested_people: u32,
    pub boarded_people: u32,
}

#[derive(Debug, Clone)]
pub struct NewHazard {
    pub kind: HazardKind,
    pub severity: Severity,
    pub location: Coordinate,
    pub radius_m: u32,
    pub description: Option<Text>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct Hazard {
    pub id: HazardId,
    pub kind: HazardKind,
    pub severity: Severity,
    pub location: Coordinate,
    pub radius_m: u32,
    pub description: Option<String>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
}

impl Hazard {
    /// In force at `now`: from `valid_from` (inclusive) until `valid_until` (exclusive).
    pub fn active_at(&self, now: Timestamp) -> bool {
        self.valid_from <= now && self.valid_until.is_none_or(|u| now < u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheduled(number: &str, departs_at: i64) -> Flight {
        Flight {
            id: FlightId(1),
            number: number.to_string(),
            departs_at: Timestamp(departs_at),
            capacity: Capacity::flight(300).unwrap(),
            manifested_people: 0,
            boarded_people: 0,
        }
    }

    fn asked(number: &str, departs_at: i64) -> NewFlight {
        NewFlight {
            number: Text::parse("number", number, 20).unwrap(),
            departs_at: Timestamp(departs_at),
            capacity: Capacity::flight(300).unwrap(),
        }
    }

    #[test]
    fn a_flight_of_the_same_number_within_a_day_repeats_it() {
        let day = NewFlight::SAME_NUMBER_WITHIN_HOURS * 3600;
        let rch871 = scheduled("RCH871", 10 * day);
        assert!(asked("RCH871", 10 * day).repeats(&rch871));
        assert!(asked("rch871", 10 * day + day - 1).repeats(&rch871));
        assert!(asked("RCH871", 10 * day - day + 1).repeats(&rch871));
        assert!(!asked("RCH871", 11 * day).repeats(&rch871));
        assert!(!asked("RCH871", 9 * day).repeats(&rch871));
        assert!(!asked("RCH872", 10 * day).repeats(&rch871));
    }
}
