//! Field devices' records: the bounds a scan synced from a device must respect to be stored.
//! Device identifiers are `device.rs`.
//!
//! Knows nothing of storage or HTTP, and never reads the clock: the operation's start, the
//! size of its status list and the present moment arrive as arguments.

use crate::error::DomainError;
use crate::values::Timestamp;

/// The largest sequence number a device may give a scan: 2^53 - 1, the largest integer every
/// JSON reader keeps exact. A device counts its scans from 0, so no honest device gets near it.
pub const MAX_SCAN_SEQ: u64 = (1 << 53) - 1;

/// How far a device's clock may be off: a scan may be dated at most this long before the
/// operation began, and at most this long after the moment it is synced.
pub const CLOCK_SKEW_SECONDS: i64 = 24 * 3600;

/// The smallest number of pass indices a status list covers.
pub const STATUS_LIST_MIN_SIZE: u64 = 1024;

/// The number of pass indices the status list of an operation that issued `passes` covers:
/// rounded up to a power of two, at least [`STATUS_LIST_MIN_SIZE`], so that the list (which
/// every field device holds) does not tell how many passes were issued. The pass format's
/// rule (docs/pass-format.md, status list), here so that every answer keeps to it.
pub fn status_list_size(passes: u64) -> u64 {
    passes.max(STATUS_LIST_MIN_SIZE).next_power_of_two()
}

/// What a synced scan is checked against: when its operation began, the size of its status
/// list (never the exact number of passes issued: a refusal would tell it), and when the sync
/// arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanBounds {
    pub earliest: Timestamp,
    pub latest: Timestamp,
    pub status_list_size: i64,
}

impl ScanBounds {
    pub fn new(operation_created: Timestamp, passes_issued: i64, now: Timestamp) -> Self {
        ScanBounds {
            earliest: Timestamp(operation_created.0.saturating_sub(CLOCK_SKEW_SECONDS)),
            latest: Timestamp(now.0.saturating_add(CLOCK_SKEW_SECONDS)),
            status_list_size: status_list_size(passes_issued.max(0) as u64) as i64,
        }
    }

    /// Refuses a scan whose sequence number, pass index or time is out of bounds, naming the
    /// field.
    pub fn check(
        &self,
        seq: u64,
        pass_index: i64,
        scanned_at: Timestamp,
    ) -> Result<(), DomainError> {
        if seq > MAX_SCAN_SEQ {
            return Err(DomainError::invalid(
                "seq",
                format!(
                    "must be at most {MAX_SCAN_SEQ} (2^53 - 1); a device counts its scans from 0"
                ),
            ));
        }
        if pass_index < 0 || pass_index >= self.status_list_size {
            return Err(DomainError::invalid(
                "pass_index",
                format!(
                    "must be from 0 to below {}, the size of the operation's status list",
                    self.status_list_size
                ),
            ));
        }
        if scanned_at.0 < self.earliest.0 || scanned_at.0 > self.latest.0 {
            return Err(DomainError::invalid(
                "scanned_at",
                "must lie between a day before the operation began and a day from now; \
                 check the device's clock",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATED: Timestamp = Timestamp(1_700_000_000);
    const NOW: Timestamp = Timestamp(1_787_551_200);

    fn bounds() -> ScanBounds {
        ScanBounds::new(CREATED, 10, NOW)
    }

    fn field(r: Result<(), DomainError>) -> &'static str {
        match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_scan_within_bounds_is_accepted() {
        assert_eq!(bounds().check(0, 0, NOW), Ok(()));
        assert_eq!(bounds().check(MAX_SCAN_SEQ, 1023, CREATED), Ok(()));
    }

    #[test]
    fn a_sequence_number_from_2_to_the_53_is_refused() {
        assert_eq!(field(bounds().check(1 << 53, 0, NOW)), "seq");
        assert_eq!(field(bounds().check(i64::MAX as u64, 0, NOW)), "seq");
    }

    #[test]
    fn a_negative_pass_index_is_refused() {
        assert_eq!(field(bounds().check(0, -5, NOW)), "pass_index");
    }

    #[test]
    fn a_pass_index_beyond_the_status_list_is_refused() {
        assert_eq!(field(bounds().check(0, 1024, NOW)), "pass_index");
        let large = ScanBounds::new(CREATED, 5000, NOW);
        assert_eq!(large.check(0, 8191, NOW), Ok(()));
        assert_eq!(field(large.check(0, 8192, NOW)), "pass_index");
    }

    #[test]
    fn a_refusal_tells_neither_the_passes_issued_nor_the_operations_start() {
        let message = |b: ScanBounds, index: i64, at: Timestamp| match b.check(0, index, at) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("expected a refusal"),
        };
        let (few, more) = (
            ScanBounds::new(CREATED, 3, NOW),
            ScanBounds::new(Timestamp(CREATED.0 + 86_400 * 30), 900, NOW),
        );
        assert_eq!(message(few, 5000, NOW), message(more, 5000, NOW));
        let year_1 = Timestamp(-62_135_596_800);
        assert_eq!(message(few, 0, year_1), message(more, 0, year_1));
    }

    #[test]
    fn a_scan_dated_long_before_the_operation_is_refused() {
        let year_1 = Timestamp(-62_135_596_800);
        assert_eq!(field(bounds().check(0, 0, year_1)), "scanned_at");
        let day_before = Timestamp(CREATED.0 - CLOCK_SKEW_SECONDS - 1);
        assert_eq!(field(bounds().check(0, 0, day_before)), "scanned_at");
    }

    #[test]
    fn a_scan_dated_more_than_a_day_ahead_is_refused() {
        let year_9999 = Timestamp(253_402_300_799);
        assert_eq!(field(bounds().check(0, 0, year_9999)), "scanned_at");
        let tomorrow = Timestamp(NOW.0 + CLOCK_SKEW_SECONDS + 1);
        assert_eq!(field(bounds().check(0, 0, tomorrow)), "scanned_at");
    }
}
