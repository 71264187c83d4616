//! Reads of cases counted per user over a sliding minute, in the database every server
//! shares: the deployment-wide bound on how fast one user reads cases one at a time, beside
//! each server's own bucket (the server's `auth::take_case_read`).
//!
//! Imports nothing of the other subject modules.

use super::{Db, p};
use crate::Result;
use safeconduct_domain::UserId;
use safeconduct_domain::values::Timestamp;

/// Counts a read of a case by `user` at `at` against `per_minute` reads in any sixty seconds,
/// across every server: `Err(seconds to wait)` when it would go beyond, and then it is not
/// counted. The sixty seconds are this minute's reads and the share of the last minute's
/// still inside them, as if they were spread evenly across it; reads at the same moment on
/// several servers each see the others', so they can be refused together, never let through
/// together beyond the bound.
pub(crate) fn count_case_read(
    db: &mut dyn Db,
    user: UserId,
    at: Timestamp,
    per_minute: u32,
) -> Result<std::result::Result<(), u64>> {
    let minute = at.0.div_euclid(60);
    db.exec(
        "DELETE FROM case_reads WHERE user_id = $1 AND minute < $2",
        p![user.0, minute - 1],
    )?;
    db.exec(
        "INSERT INTO case_reads (user_id, minute, reads) VALUES ($1, $2, 1)
         ON CONFLICT (user_id, minute) DO UPDATE SET reads = case_reads.reads + 1",
        p![user.0, minute],
    )?;
    let (mut this_minute, mut last_minute) = (0i64, 0i64);
    for r in db.rows(
        "SELECT minute, reads FROM case_reads WHERE user_id = $1 AND minute >= $2",
        p![user.0, minute - 1],
    )? {
        if r.i64(0)? == minute {
            this_minute = r.i64(1)?;
        } else {
            last_minute = r.i64(1)?;
        }
    }
    let into = at.0.rem_euclid(60);
    match wait_seconds(this_minute, last_minute, into, i64::from(per_minute)) {
        None => Ok(Ok(())),
        Some(wait) => {
            db.exec(
                "UPDATE case_reads SET reads = reads - 1 WHERE user_id = $1 AND minute = $2",
                p![user.0, minute],
            )?;
            Ok(Err(wait))
        }
    }
}

/// Whether `this_minute` reads (this one among them), `into` seconds into the minute after
/// one of `last_minute` reads, go beyond `per_minute`: `None` if not, else the seconds until
/// this read would not.
fn wait_seconds(this_minute: i64, last_minute: i64, into: i64, per_minute: i64) -> Option<u64> {
    // Compared in sixtieths of a read, to stay in whole numbers.
    let within = this_minute * 60 + last_minute * (60 - into);
    if within <= per_minute * 60 {
        return None;
    }
    let wait = if this_minute > per_minute || last_minute == 0 {
        // Not until the minute turns (and the share of this one fades after it).
        60 - into
    } else {
        // The last minute's share fades by `last_minute` sixtieths a second.
        let over = within - per_minute * 60;
        (over + last_minute - 1) / last_minute
    };
    Some(wait.max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::wait_seconds;

    #[test]
    fn reads_within_the_bound_pass_and_beyond_it_wait_for_the_window_to_slide() {
        // Three a minute: the third of this minute passes, the fourth waits for the minute.
        assert_eq!(wait_seconds(3, 0, 10, 3), None);
        assert_eq!(wait_seconds(4, 0, 10, 3), Some(50));
        // Half-way through a minute after three reads: 1.5 of them still count.
        assert_eq!(wait_seconds(1, 3, 30, 3), None);
        assert_eq!(wait_seconds(2, 3, 30, 3), Some(10));
        // At the very end of a minute, the last second's read waits at least a second.
        assert_eq!(wait_seconds(4, 0, 59, 3), Some(1));
    }
}
