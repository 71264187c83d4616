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
