//! Admission at a rendezvous point: whether the pass a household holds admits it here, now.
//! One rule for both ways of checking: online (the server admitting a case, from the store's
//! records of the pass and its window) and offline (the pass verifier, from the pass and the
//! status list). The verifier's window check is [`window_position`], and its outcome codes
//! are the codes of [`Refusal`].
//!
//! Knows nothing of pass bytes, keys, status lists or storage: the facts arrive as arguments.

use crate::ids::RvId;
pub use crate::refusal::Refusal;
use crate::values::Timestamp;

/// How many seconds before its window opens, and after it closes, a pass still admits at its
/// rendezvous point. The offline verifier admits exactly the window (start and end included),
/// so this is zero: a household that comes early waits, one that comes late is re-planned.
pub const WINDOW_TOLERANCE_SECONDS: u64 = 0;

/// Where a moment lies with respect to a window, tolerance applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowPosition {
    Within,
    /// Before the window opens, by this many seconds.
    Early {
        by: u64,
    },
    /// After the window closed, by this many seconds.
    Late {
        by: u64,
    },
}

/// Where `now` lies with respect to the window from `start` to `end` (seconds since the Unix
/// epoch, both included), with [`WINDOW_TOLERANCE_SECONDS`] either side.
pub fn window_position(now: i64, start: i64, end: i64) -> WindowPosition {
    let tolerance = WINDOW_TOLERANCE_SECONDS as i64;
    if now < start.saturating_sub(tolerance) {
        WindowPosition::Early {
            by: start.abs_diff(now),
        }
    } else if now > end.saturating_add(tolerance) {
        WindowPosition::Late {
            by: now.abs_diff(end),
        }
    } else {
        WindowPosition::Within
    }
}

/// The standing of a pass in the operation's status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassStanding {
    Valid,
    /// Withdrawn, or signed by a compromised key.
    Revoked,
    /// Replaced by a newer pass (re-issue, new window, new RV).
    Superseded,
}

/// The pass a household presents, with the rendezvous point and window it was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentedPass {
    pub standing: PassStanding,
    pub rv: RvId,
    pub window_start: Timestamp,
    pub window_end: Timestamp,
}

/// Whether `pass` admits its household at rendezvous point `here` at `now`. Checked in the
/// verifier's order: revoked, superseded, wrong rendezvous point, outside the window.
pub fn admit(pass: &PresentedPass, here: RvId, now: Timestamp) -> Result<(), Refusal> {
    match pass.standing {
        PassStanding::Revoked => return Err(Refusal::Revoked),
        PassStanding::Superseded => return Err(Refusal::Superseded),
        PassStanding::Valid => {}
    }
    if pass.rv != here {
        return Err(Refusal::WrongRv {
            pass_rv: pass.rv,
            here,
        });
    }
    match window_position(now.0, pass.window_start.0, pass.window_end.0) {
        WindowPosition::Within => Ok(()),
        WindowPosition::Early { by } => Err(Refusal::Early { by }),
        WindowPosition::Late { by } => Err(Refusal::Late { by }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_787_551_200;
    const END: i64 = START + 7200;

    fn pass(standing: PassStanding) -> PresentedPass {
        PresentedPass {
            standing,
            rv: RvId(1),
            window_start: Timestamp(START),
            window_end: Timestamp(END),
        }
    }

    #[test]
    fn a_valid_pass_admits_within_its_window_ends_included() {
        for now in [START, START + 60, END] {
            assert_eq!(
                admit(&pass(PassStanding::Valid), RvId(1), Timestamp(now)),
                Ok(())
            );
        }
    }

    #[test]
    fn a_revoked_pass_is_refused() {
        let r = admit(&pass(PassStanding::Revoked), RvId(1), Timestamp(START));
        assert_eq!(r.unwrap_err().code(), "revoked");
    }

    #[test]
    fn a_superseded_pass_is_refused() {
        let r = admit(&pass(PassStanding::Superseded), RvId(1), Timestamp(START));
        assert_eq!(r.unwrap_err().code(), "superseded");
    }

    #[test]
    fn a_pass_for_another_rendezvous_point_is_refused() {
        let r = admit(&pass(PassStanding::Valid), RvId(2), Timestamp(START));
        assert_eq!(
            r,
            Err(Refusal::WrongRv {
                pass_rv: RvId(1),
                here: RvId(2)
            })
        );
        assert_eq!(r.unwrap_err().code(), "wrong_rv");
    }

    #[test]
    fn one_hour_forty_before_the_window_is_refused() {
        let r = admit(&pass(PassStanding::Valid), RvId(1), Timestamp(START - 6000));
        assert_eq!(r, Err(Refusal::Early { by: 6000 }));
        assert_eq!(r.unwrap_err().code(), "outside_window");
        assert!(r.unwrap_err().to_string().contains("100 min"));
    }

    #[test]
    fn a_second_after_the_window_is_refused() {
        let r = admit(&pass(PassStanding::Valid), RvId(1), Timestamp(END + 1));
        assert_eq!(r, Err(Refusal::Late { by: 1 }));
    }

    #[test]
    fn revocation_is_checked_before_place_and_time() {
        let r = admit(&pass(PassStanding::Revoked), RvId(2), Timestamp(0));
        assert_eq!(r, Err(Refusal::Revoked));
    }
}
