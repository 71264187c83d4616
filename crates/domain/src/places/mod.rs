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
use crate::ids::{FlightId, GateId, HazardId, RvId, UserId, WindowId};
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

/// A change to a window asked at some time: new places, new times (a window moved: its
/// passes carry its times, so the store issues them again), or both. A change of nothing
/// leaves the window as it is.
#[derive(Debug, Clone, Default)]
pub struct WindowChange {
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub capacity: Option<Capacity>,
}

impl WindowChange {
    /// `window` as this change, asked at `now`, leaves it. Its places never fall below the
    /// people already assigned in it: they keep theirs. Moved, it still ends after it starts
    /// and lasts at most a day ([`WindowSpec::new`]), and it ends after now: a window is moved
    /// for people still to come (a window that passed with nobody coming is moved to a later
    /// time, never into the past).
    pub fn applied_to(&self, window: &Window, now: Timestamp) -> Result<Window, DomainError> {
        let capacity = self
            .capacity
            .unwrap_or(window.spec.capacity)
            .keeping(window.assigned_people, Capacity::WINDOW_MAX)?;
        let (start, end) = (
            self.start.unwrap_or(window.spec.start),
            self.end.unwrap_or(window.spec.end),
        );
        let spec = WindowSpec::new(start, end, capacity.get())?;
        let moved = (start, end) != (window.spec.start, window.spec.end);
        if moved && end <= now {
            return Err(DomainError::expected("end", Expected::Future));
        }
        Ok(Window {
            spec,
            ..window.clone()
        })
    }
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

/// A change to a scheduled flight asked at some time: a number put right, a new departure
/// (after that time: a delay, or a time entered wrong), a new capacity, or any of them
/// together. A change of nothing leaves the flight as it is.
#[derive(Debug, Clone, Default)]
pub struct FlightChange {
    pub number: Option<Text>,
    pub departs_at: Option<Timestamp>,
    pub capacity: Option<Capacity>,
}

impl FlightChange {
    /// A change asked at `now`: a new departure is after now, as a new flight's is.
    pub fn new(
        number: Option<Text>,
        departs_at: Option<Timestamp>,
        capacity: Option<Capacity>,
        now: Timestamp,
    ) -> Result<Self, DomainError> {
        if departs_at.is_some_and(|t| t <= now) {
            return Err(DomainError::expected("departs_at", Expected::Future));
        }
        Ok(FlightChange {
            number,
            departs_at,
            capacity,
        })
    }

    /// `flight` as this change leaves it. Its capacity never falls below the people already
    /// on its manifest: they keep their seats. Once anyone has boarded, its number stays the
    /// one their manifest was printed with.
    pub fn applied_to(&self, flight: &Flight) -> Result<NewFlight, DomainError> {
        let renamed = self
            .number
            .as_ref()
            .is_some_and(|n| n.as_str() != flight.number);
        if renamed && flight.boarded_people > 0 {
            return Err(DomainError::conflict(format!(
                "flight {} is boarding ({} people aboard): its number stays the one on their manifest",
                flight.number, flight.boarded_people
            )));
        }
        let capacity = self
            .capacity
            .unwrap_or(flight.capacity)
            .keeping(flight.manifested_people, Capacity::FLIGHT_MAX)?;
        Ok(NewFlight {
            number: match &self.number {
                Some(number) => number.clone(),
                None => Text::parse("number", &flight.number, 20)?,
            },
            departs_at: self.departs_at.unwrap_or(flight.departs_at),
            capacity,
        })
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
    /// The account that reported it; absent for hazards reported before reporters were kept.
    pub reported_by: Option<UserId>,
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
    fn a_changed_departure_is_still_to_come() {
        let now = Timestamp(1_000);
        assert_eq!(
            FlightChange::new(None, Some(now), None, now)
                .unwrap_err()
                .to_string(),
            "departs_at: must be in the future"
        );
        let later = FlightChange::new(None, Some(Timestamp(1_001)), None, now).unwrap();
        let changed = later.applied_to(&scheduled("RCH871", 500)).unwrap();
        assert_eq!(changed.departs_at, Timestamp(1_001));
        assert_eq!(changed.number.as_str(), "RCH871");
        assert_eq!(changed.capacity.get(), 300);
    }

    #[test]
    fn a_change_leaves_every_seat_already_manifested() {
        let mut flight = scheduled("RCH871", 86_400);
        flight.manifested_people = 120;
        let seats = |n| FlightChange {
            capacity: Some(Capacity::flight(n).unwrap()),
            ..FlightChange::default()
        };
        assert_eq!(seats(120).applied_to(&flight).unwrap().capacity.get(), 120);
        assert_eq!(
            seats(119).applied_to(&flight).unwrap_err().to_string(),
            "capacity: must be from 120 to 1000"
        );
        // A number put right keeps the time and the seats.
        let renamed = FlightChange {
            number: Some(Text::parse("number", "RCH872", 20).unwrap()),
            ..FlightChange::default()
        };
        let changed = renamed.applied_to(&flight).unwrap();
        assert_eq!(
            (changed.number.as_str(), changed.departs_at),
            ("RCH872", Timestamp(86_400))
        );
        // Once anyone is aboard, its number stays; its departure may still move.
        flight.boarded_people = 1;
        assert_eq!(renamed.applied_to(&flight).unwrap_err().code(), "conflict");
        let delayed = FlightChange {
            departs_at: Some(Timestamp(90_000)),
            ..FlightChange::default()
        };
        assert!(delayed.applied_to(&flight).is_ok());
    }

    fn window_of_40() -> Window {
        Window {
            id: WindowId(1),
            rv: RvId(1),
            spec: WindowSpec::new(Timestamp(0), Timestamp(3_600), 100).unwrap(),
            assigned_people: 40,
        }
    }

    #[test]
    fn a_window_keeps_a_place_for_everyone_assigned_in_it() {
        let window = window_of_40();
        let seats = |n| {
            WindowChange {
                capacity: Some(Capacity::window(n).unwrap()),
                ..WindowChange::default()
            }
            .applied_to(&window, Timestamp(7_200))
        };
        let fewer = seats(40).unwrap();
        assert_eq!(
            (fewer.spec.capacity.get(), fewer.spec.start, fewer.spec.end),
            (40, Timestamp(0), Timestamp(3_600))
        );
        assert_eq!(
            seats(39).unwrap_err().to_string(),
            "capacity: must be from 40 to 100000"
        );
    }

    #[test]
    fn a_window_is_moved_to_a_time_still_to_come() {
        let window = window_of_40();
        let moved = |start: i64, end: i64, now: i64| {
            WindowChange {
                start: Some(Timestamp(start)),
                end: Some(Timestamp(end)),
                ..WindowChange::default()
            }
            .applied_to(&window, Timestamp(now))
        };
        // Passed with nobody coming: moved to tomorrow, with its places.
        let later = moved(86_400, 90_000, 7_200).unwrap();
        assert_eq!(
            (later.spec.start, later.spec.end, later.spec.capacity.get()),
            (Timestamp(86_400), Timestamp(90_000), 100)
        );
        assert_eq!(
            moved(3_600, 7_200, 7_200).unwrap_err().to_string(),
            "end: must be in the future"
        );
        assert_eq!(
            moved(90_000, 86_400, 0).unwrap_err().to_string(),
            "end: must be after the start"
        );
        assert!(moved(0, 25 * 3_600, 0).is_err(), "longer than a day");
        // Its times as they are, asked after it passed: nothing moves, nothing is refused.
        assert!(moved(0, 3_600, 7_200).is_ok());
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
