//! How many people a place takes: the seats of a window or a flight, and a gate's throughput
//! per hour. Each is checked once, when it is made, and holds a valid number from then on.
//!
//! Knows nothing of the records that carry these numbers, nor of who made them.

use crate::error::DomainError;
use crate::expected::Expected;
use std::cmp::Ordering;
use std::fmt;

/// Seats: how many people a window or a flight takes, at least one.
///
/// Made by [`Capacity::window`] or [`Capacity::flight`], each with its own upper bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Capacity(u32);

impl Capacity {
    /// The most people one window of a rendezvous point may take.
    pub const WINDOW_MAX: u32 = 100_000;
    /// The most seats one flight may have.
    pub const FLIGHT_MAX: u32 = 1_000;

    /// The capacity of a window: 1 to [`Capacity::WINDOW_MAX`] people.
    pub fn window(people: u32) -> Result<Self, DomainError> {
        Self::within(people, Self::WINDOW_MAX)
    }

    /// The seats of a flight: 1 to [`Capacity::FLIGHT_MAX`].
    pub fn flight(seats: u32) -> Result<Self, DomainError> {
        Self::within(seats, Self::FLIGHT_MAX)
    }

    fn within(n: u32, max: u32) -> Result<Self, DomainError> {
        if n == 0 || n > max {
            return Err(DomainError::expected("capacity", range(max)));
        }
        Ok(Capacity(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// This capacity for a window or flight that `taken` people already hold places in: never
    /// fewer, so that none of them loses their place (refused naming the range from `taken`
    /// to `max`, the bound of its kind).
    pub fn keeping(self, taken: u32, max: u32) -> Result<Self, DomainError> {
        if self.0 < taken {
            return Err(DomainError::expected(
                "capacity",
                Expected::Range {
                    min: taken.into(),
                    max: max.into(),
                },
            ));
        }
        Ok(self)
    }
}

/// One to `max`: what a number of people is expected to be.
fn range(max: u32) -> Expected {
    Expected::Range {
        min: 1,
        max: max.into(),
    }
}

/// People a gate processes per hour: 1 to [`Throughput::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Throughput(u32);

impl Throughput {
    pub const MAX: u32 = 20_000;

    pub fn new(people_per_hour: u32) -> Result<Self, DomainError> {
        if people_per_hour == 0 || people_per_hour > Self::MAX {
            return Err(DomainError::expected("hourly_throughput", range(Self::MAX)));
        }
        Ok(Throughput(people_per_hour))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Throughput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A count of people compared with a capacity: `assigned_people <= capacity`.
impl PartialEq<Capacity> for u32 {
    fn eq(&self, other: &Capacity) -> bool {
        *self == other.0
    }
}

impl PartialOrd<Capacity> for u32 {
    fn partial_cmp(&self, other: &Capacity) -> Option<Ordering> {
        self.partial_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(r: Result<impl fmt::Debug, DomainError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn window_of_no_people_is_refused() {
        assert_eq!(
            refusal(Capacity::window(0)),
            "capacity: must be from 1 to 100000"
        );
    }

    #[test]
    fn window_over_its_maximum_is_refused() {
        assert_eq!(
            refusal(Capacity::window(100_001)),
            "capacity: must be from 1 to 100000"
        );
        assert_eq!(Capacity::window(100_000).unwrap().get(), 100_000);
    }

    #[test]
    fn flight_without_seats_is_refused() {
        assert_eq!(
            refusal(Capacity::flight(0)),
            "capacity: must be from 1 to 1000"
        );
    }

    #[test]
    fn flight_over_its_maximum_is_refused() {
        assert_eq!(
            refusal(Capacity::flight(1_001)),
            "capacity: must be from 1 to 1000"
        );
        assert_eq!(Capacity::flight(1_000).unwrap().get(), 1_000);
    }

    #[test]
    fn gate_processing_nobody_is_refused() {
        assert_eq!(
            refusal(Throughput::new(0)),
            "hourly_throughput: must be from 1 to 20000"
        );
    }

    #[test]
    fn gate_over_its_maximum_is_refused() {
        assert_eq!(
            refusal(Throughput::new(20_001)),
            "hourly_throughput: must be from 1 to 20000"
        );
        assert_eq!(Throughput::new(20_000).unwrap().get(), 20_000);
    }

    #[test]
    fn people_compare_with_a_capacity() {
        let c = Capacity::flight(8).unwrap();
        assert!(8u32 <= c);
        assert!(9u32 > c);
        assert!(8u32 == c);
    }
}
