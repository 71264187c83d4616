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

use crate::error::DomainError;
use crate::expected::Expected;
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
    /// A flight scheduled at `now`: it departs after now.
    pub fn new(
        number: Text,
        departs_at: Timestamp,
        capacity: Capacity,
        now: Timestamp,
    ) -> Result<Self, DomainError> {
        if departs_at <= now {
            return Err(DomainError::expected("departs_at", Expected::Future));
        }
        Ok(NewFlight {
            number,
            departs_at,
            capacity,
        })
    }

    /// Whether `other` is this flight already scheduled: the same number (letter case aside)
    /// departing at the same time, as when a form is sent twice. The same number at another
    /// time is another flight (a daily rotation), or this one entered again with its time put
    /// right.
    pub fn repeats(&self, other: &Flight) -> bool {
        self.number.as_str().eq_ignore_ascii_case(&other.number)
            && self.departs_at == other.departs_at
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
    fn a_flight_of_the_same_number_at_the_same_time_repeats_it() {
        let rch871 = scheduled("RCH871", 86_400);
        assert!(asked("RCH871", 86_400).repeats(&rch871));
        assert!(asked("rch871", 86_400).repeats(&rch871));
        // Its time put right, or the next day's rotation: another flight.
        assert!(!asked("RCH871", 86_400 + 60).repeats(&rch871));
        assert!(!asked("RCH871", 2 * 86_400).repeats(&rch871));
        assert!(!asked("RCH872", 86_400).repeats(&rch871));
    }

    #[test]
    fn a_flight_departs_after_it_is_scheduled() {
        let new = |departs_at: i64| {
            NewFlight::new(
                Text::parse("number", "RCH871", 20).unwrap(),
                Timestamp(departs_at),
                Capacity::flight(300).unwrap(),
                Timestamp(1_000),
            )
        };
        assert!(new(1_001).is_ok());
        assert_eq!(
            new(1_000).unwrap_err().to_string(),
            "departs_at: must be in the future"
        );
    }
}
