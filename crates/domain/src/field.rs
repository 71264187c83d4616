//! Field devices' records: the bounds a scan synced from a device must respect to be stored;
//! and custody on the way to the gate: the deadline by which an escort batch must have arrived,
//! past which every person of it not arrived is unaccounted, and how the members of one
//! household part when only some of them take a step ([`household_moves`]). Device
//! identifiers are `device.rs`.
//!
//! Knows nothing of storage or HTTP, and never reads the clock: the operation's start, the
//! size of its status list and the present moment arrive as arguments.

use crate::error::DomainError;
use crate::places::WalkingTime;
use crate::stage::{Stage, Step};
use crate::values::Timestamp;
use serde::{Deserialize, Serialize};

/// The time an escort batch may take beyond the walking time of its RV–gate link before the
/// households not arrived are unaccounted: ten minutes, for a checkpoint held up or a slow
/// walker, short enough that a search starts while the trail is fresh.
pub const CUSTODY_TOLERANCE_SECONDS: i64 = 10 * 60;

/// The custody deadline of a batch that departed at `departed_at` on a link of `walking`
/// minutes: departure + walking time + [`CUSTODY_TOLERANCE_SECONDS`]. A household of the batch
/// not arrived at this moment or later is unaccounted ([`is_overdue`]).
pub fn custody_deadline(departed_at: Timestamp, walking: WalkingTime) -> Timestamp {
    Timestamp(
        departed_at
            .0
            .saturating_add(walking.seconds())
            .saturating_add(CUSTODY_TOLERANCE_SECONDS),
    )
}

/// How a coordinator resolves an unaccounted household, and the stage it leads to: arrived late
/// → arrived at the gate (counted in its batch); returned to the RV → admitted at the RV again,
/// out of its batch, ready to leave in another; found elsewhere → withdrawn (safe, outside the
/// route; its pass is revoked); recorded missing → stays unaccounted, the alarm answered, and
/// may still be resolved otherwise when the household is found.
///
/// Each outcome is one lifecycle step (`step`), so the stage rule stays `Stage::after`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustodyOutcome {
    ArrivedLate,
    ReturnedToRv,
    FoundElsewhere,
    RecordedMissing,
}

impl CustodyOutcome {
    pub fn step(self) -> Step {
        match self {
            CustodyOutcome::ArrivedLate => Step::ResolveArrivedLate,
            CustodyOutcome::ReturnedToRv => Step::ResolveReturnedToRv,
            CustodyOutcome::FoundElsewhere => Step::ResolveFoundElsewhere,
            CustodyOutcome::RecordedMissing => Step::ResolveRecordedMissing,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CustodyOutcome::ArrivedLate => "arrived_late",
            CustodyOutcome::ReturnedToRv => "returned_to_rv",
            CustodyOutcome::FoundElsewhere => "found_elsewhere",
            CustodyOutcome::RecordedMissing => "recorded_missing",
        }
    }
}

/// Whether a household's own stage moves when `moving` of the `with_household` members in its
/// stage take a step leading to `to`. Always when all of them move. When only some do, it moves
/// with them if the step leads on towards the flight (arrival at the gate, check-in): the
/// members who arrived go on, and those left behind are held apart in the stage they were in
/// (in escort, unaccounted). Otherwise (marked unaccounted, a resolution for some of them) the
/// movers are held apart in the stage the step leads to, and the household stays.
///
/// Every person is in exactly one stage: their household's, or their own while held apart.
pub fn household_moves(to: Stage, moving: u32, with_household: u32) -> bool {
    moving >= with_household || matches!(to, Stage::ArrivedAtGate | Stage::Processed)
}

/// Whether a batch with this deadline is overdue at `now`: from the deadline itself on.
pub fn is_overdue(deadline: Timestamp, now: Timestamp) -> bool {
    now.0 >= deadline.0
}

/// The largest sequence number a device may give a scan: 2^53 - 1, the largest integer every
/// JSON reader keeps exact. A device counts its scans from 0, so no honest device gets near it.
pub const MAX_SCAN_SEQ: u64 = (1 << 53) - 1;

/// How long after its window closed a household admitted at its RV may wait for its
/// departure to be reported before the custody sweep raises a `not_departed` incident for it:
/// its escort's phone may be lost with the departure on it, and nothing else would say so.
pub const NOT_DEPARTED_AFTER_SECONDS: i64 = 3600;

/// How far a device's clock may be off: a scan may be dated at most this long before the
/// operation began, and at most this long after the moment it is synced.
pub const CLOCK_SKEW_SECONDS: i64 = 24 * 3600;

/// The smallest number of pass indices a status list covers.
pub const STATUS_LIST_MIN_SIZE: u64 = 1024;

/// The size a status list covering the indices `0..passes` may have: `passes` rounded up to a
/// power of two, at least [`STATUS_LIST_MIN_SIZE`]. The pass format's rule (docs/pass-format.md,
/// status list), which readers hold every list to; the server signs every list at
/// [`STATUS_LIST_SIZE`], one such size.
pub fn status_list_size(passes: u64) -> u64 {
    passes.max(STATUS_LIST_MIN_SIZE).next_power_of_two()
}

/// Pass indices from here up are scattered: the `n`-th pass an operation issues (re-issues
/// included) gets this plus a keyed permutation of `n` below it (the store's data key), so a
/// pass's clear index, which anyone who scans it reads, tells nothing of how many passes were
/// issued before it or since. Indices below were counted in order by operations that issued
/// passes before indices were scattered; they go on with their count, in the scattered half.
pub const SCATTERED_PASS_INDICES_FROM: u64 = 1 << 21;

/// How many passes an operation may issue, re-issues included: one scattered index each.
pub const MAX_PASSES_ISSUED: u64 = SCATTERED_PASS_INDICES_FROM;

/// The size of every status list the server signs: every pass index is below it, so the
/// list's size tells no role how many passes the operation has issued (nor do its marks:
/// `Store::pass_statuses` marks only passes a reader could still take for good).
pub const STATUS_LIST_SIZE: u64 = 2 * SCATTERED_PASS_INDICES_FROM;

/// What a synced scan is checked against: when its operation began and when the sync arrives.
/// A pass index is checked against [`STATUS_LIST_SIZE`], the same for every operation, so a
/// refusal tells nothing of the passes issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanBounds {
    pub earliest: Timestamp,
    pub latest: Timestamp,
}

impl ScanBounds {
    pub fn new(operation_created: Timestamp, now: Timestamp) -> Self {
        ScanBounds {
            earliest: Timestamp(operation_created.0.saturating_sub(CLOCK_SKEW_SECONDS)),
            latest: Timestamp(now.0.saturating_add(CLOCK_SKEW_SECONDS)),
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
        if !u64::try_from(pass_index).is_ok_and(|i| i < STATUS_LIST_SIZE) {
            return Err(DomainError::invalid(
                "pass_index",
                format!(
                    "must be from 0 to below {STATUS_LIST_SIZE}, the size of every status list"
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
        ScanBounds::new(CREATED, NOW)
    }

    fn field(r: Result<(), DomainError>) -> String {
        match r {
            Err(DomainError::Invalid { field, .. }) => field.into_owned(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_deadline_is_departure_plus_walking_time_plus_tolerance() {
        let walk = WalkingTime::new(25).unwrap();
        let deadline = custody_deadline(NOW, walk);
        assert_eq!(deadline.0, NOW.0 + 25 * 60 + CUSTODY_TOLERANCE_SECONDS);
        assert!(!is_overdue(deadline, Timestamp(deadline.0 - 1)));
        assert!(is_overdue(deadline, deadline));
        assert!(is_overdue(deadline, Timestamp(deadline.0 + 3600)));
    }

    #[test]
    fn each_outcome_leads_an_unaccounted_household_to_its_stage() {
        use crate::Stage;
        let to = |o: CustodyOutcome| Stage::Unaccounted.after(o.step());
        assert_eq!(to(CustodyOutcome::ArrivedLate), Some(Stage::ArrivedAtGate));
        assert_eq!(to(CustodyOutcome::ReturnedToRv), Some(Stage::AdmittedAtRv));
        assert_eq!(to(CustodyOutcome::FoundElsewhere), Some(Stage::Withdrawn));
        assert_eq!(
            to(CustodyOutcome::RecordedMissing),
            Some(Stage::Unaccounted)
        );
    }

    #[test]
    fn only_an_unaccounted_household_is_resolved() {
        use crate::Stage;
        for stage in Stage::ALL {
            if stage == Stage::Unaccounted {
                continue;
            }
            for o in [
                CustodyOutcome::ArrivedLate,
                CustodyOutcome::ReturnedToRv,
                CustodyOutcome::FoundElsewhere,
                CustodyOutcome::RecordedMissing,
            ] {
                assert_eq!(stage.after(o.step()), None, "{stage} {o:?}");
            }
        }
    }

    #[test]
    fn members_who_arrive_take_the_household_on_and_the_others_are_held_in_escort() {
        assert!(household_moves(Stage::ArrivedAtGate, 3, 4));
        assert!(household_moves(Stage::Processed, 1, 4));
        assert!(household_moves(Stage::ArrivedAtGate, 4, 4));
    }

    #[test]
    fn members_marked_or_resolved_alone_are_held_apart_and_the_household_stays() {
        assert!(!household_moves(Stage::Unaccounted, 1, 4));
        assert!(!household_moves(Stage::AdmittedAtRv, 2, 3));
        assert!(!household_moves(Stage::Withdrawn, 1, 2));
        assert!(household_moves(Stage::Withdrawn, 2, 2));
        assert!(household_moves(Stage::Unaccounted, 4, 4));
    }

    #[test]
    fn a_deadline_at_the_end_of_time_does_not_overflow() {
        let deadline = custody_deadline(Timestamp(i64::MAX - 5), WalkingTime::default());
        assert_eq!(deadline.0, i64::MAX);
    }

    #[test]
    fn a_scan_within_bounds_is_accepted() {
        assert_eq!(bounds().check(0, 0, NOW), Ok(()));
        let last = STATUS_LIST_SIZE as i64 - 1;
        assert_eq!(bounds().check(MAX_SCAN_SEQ, last, CREATED), Ok(()));
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
        let size = STATUS_LIST_SIZE as i64;
        assert_eq!(field(bounds().check(0, size, NOW)), "pass_index");
        assert_eq!(field(bounds().check(0, i64::MAX, NOW)), "pass_index");
    }

    #[test]
    fn every_scattered_index_lies_in_the_one_status_list_size() {
        assert_eq!(status_list_size(STATUS_LIST_SIZE), STATUS_LIST_SIZE);
        let highest = SCATTERED_PASS_INDICES_FROM + MAX_PASSES_ISSUED - 1;
        assert_eq!(bounds().check(0, highest as i64, NOW), Ok(()));
    }

    #[test]
    fn a_refusal_tells_neither_the_passes_issued_nor_the_operations_start() {
        let message = |b: ScanBounds, index: i64, at: Timestamp| match b.check(0, index, at) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("expected a refusal"),
        };
        let (few, more) = (
            ScanBounds::new(CREATED, NOW),
            ScanBounds::new(Timestamp(CREATED.0 + 86_400 * 30), NOW),
        );
        let beyond = STATUS_LIST_SIZE as i64 + 5000;
        assert_eq!(message(few, beyond, NOW), message(more, beyond, NOW));
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
