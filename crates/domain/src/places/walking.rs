//! How long an escort batch walks from a rendezvous point to a gate: set per RV–gate link when
//! the gate is opened, changed by a coordinator; with the tolerance of `field` it fixes each
//! batch's custody deadline.
//!
//! Knows nothing of the records that carry it, nor of who set it.

use crate::error::DomainError;
use crate::expected::Expected;

/// Minutes of walking from a rendezvous point to a gate: [`WalkingTime::MIN_MINUTES`] to
/// [`WalkingTime::MAX_MINUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WalkingTime(u32);

impl WalkingTime {
    /// No gate is reached in less than a minute.
    pub const MIN_MINUTES: u32 = 1;
    /// A walk of more than six hours through a contested city is not an escort, it is a plan
    /// to be split into several RVs.
    pub const MAX_MINUTES: u32 = 360;
    /// The walking time of a link opened without one.
    pub const DEFAULT_MINUTES: u32 = 30;

    pub fn new(minutes: u32) -> Result<Self, DomainError> {
        if !(Self::MIN_MINUTES..=Self::MAX_MINUTES).contains(&minutes) {
            return Err(DomainError::expected(
                "walking_minutes",
                Expected::Range {
                    min: Self::MIN_MINUTES.into(),
                    max: Self::MAX_MINUTES.into(),
                },
            ));
        }
        Ok(WalkingTime(minutes))
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    pub fn seconds(self) -> i64 {
        i64::from(self.0) * 60
    }
}

impl Default for WalkingTime {
    fn default() -> Self {
        WalkingTime(Self::DEFAULT_MINUTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_zero_minutes() {
        let err = WalkingTime::new(0).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("walking_minutes"), "{err}");
    }

    #[test]
    fn refuses_more_than_six_hours() {
        let err = WalkingTime::new(WalkingTime::MAX_MINUTES + 1).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("from 1 to 360"), "{err}");
    }

    #[test]
    fn takes_the_bounds_and_has_a_default_within_them() {
        assert_eq!(WalkingTime::new(1).unwrap().seconds(), 60);
        assert_eq!(WalkingTime::new(360).unwrap().minutes(), 360);
        assert_eq!(WalkingTime::default().minutes(), 30);
    }
}
