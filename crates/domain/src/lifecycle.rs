//! The lifecycle of a household (case): the one function that decides whether a step is
//! allowed with the facts of the case. Which stage may follow which is [`Stage::after`]
//! (stage.rs); nothing else in the system changes a stage.

use crate::admission::PresentedPass;
use crate::error::DomainError;
use crate::field::CustodyOutcome;
use crate::ids::{BatchId, FlightId, GateId, RvId, WindowId};
use crate::model::{FlightLoad, GateStatus, WindowLoad};
use crate::values::Timestamp;
use std::fmt;

pub use crate::stage::{Stage, Step};

/// What the decision needs to know about a case: its stage and where it is placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub stage: Stage,
    /// Number of people in the household; never zero.
    pub size: u32,
    /// Members held apart from the household's stage (left in escort when the others arrived,
    /// or resolved on their own): each has a stage of their own; the household's stage is that
    /// of the other `size - held` members ([`CaseState::people`]).
    pub held: u32,
    pub window: Option<WindowId>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub batch: Option<BatchId>,
    pub flight: Option<FlightId>,
    /// Whether every member has at least one identity document attached, a minor's being
    /// possibly a documented adult's of the same household (a child listed on a parent's
    /// passport).
    pub all_members_documented: bool,
}

impl CaseState {
    pub fn registered(size: u32, all_members_documented: bool) -> Self {
        CaseState {
            stage: Stage::Registered,
            size,
            held: 0,
            window: None,
            rv: None,
            gate: None,
            batch: None,
            flight: None,
            all_members_documented,
        }
    }

    /// The members in the household's stage: all but those held apart.
    pub fn people(&self) -> u32 {
        self.size.saturating_sub(self.held)
    }
}

/// A requested step with the facts about the other records it touches, loaded by the store
/// in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    VerifyDocuments,
    DecideEligible,
    Reject,
    Assign(WindowLoad),
    Reassign(WindowLoad),
    IssuePass,
    /// Admission at `rv` at the moment `at`, of a household presenting `pass` (none when the
    /// household holds no pass): the rule is [`crate::admission::admit`].
    AdmitAtRv {
        rv: RvId,
        pass: Option<PresentedPass>,
        at: Timestamp,
    },
    DepartInEscort {
        batch: BatchId,
        rv: RvId,
        gate: GateId,
        gate_status: GateStatus,
        /// Whether the gate is linked to the RV the batch leaves from.
        gate_serves_rv: bool,
    },
    ArriveAtGate {
        batch: BatchId,
        gate: GateId,
    },
    Process {
        gate: GateId,
    },
    Manifest(FlightLoad),
    /// Boarding the flight the household is manifested on; a flight named here must be that
    /// one (`None`: the manifest decides).
    Board {
        flight: Option<FlightId>,
    },
    Withdraw,
    /// A household that did not come to its window. `window_end` is when the window it holds
    /// closes (`None`: it holds none), `at` is now, and `by_escort` whether the word comes from
    /// the field: an escort marks a household no-show only once its window has closed, so that
    /// nobody on the way is dropped early; a coordinator may mark one sooner (a household known
    /// to have left another way).
    MarkNoShow {
        window_end: Option<Timestamp>,
        at: Timestamp,
        by_escort: bool,
    },
    MarkUnaccounted {
        batch: BatchId,
    },
    /// A coordinator's resolution of an unaccounted household.
    ResolveUnaccounted(CustodyOutcome),
}

impl Command {
    pub fn step(&self) -> Step {
        match self {
            Command::VerifyDocuments => Step::VerifyDocuments,
            Command::DecideEligible => Step::DecideEligible,
            Command::Reject => Step::Reject,
            Command::Assign(_) => Step::Assign,
            Command::Reassign(_) => Step::Reassign,
            Command::IssuePass => Step::IssuePass,
            Command::AdmitAtRv { .. } => Step::AdmitAtRv,
            Command::DepartInEscort { .. } => Step::DepartInEscort,
            Command::ArriveAtGate { .. } => Step::ArriveAtGate,
            Command::Process { .. } => Step::Process,
            Command::Manifest(_) => Step::Manifest,
            Command::Board { .. } => Step::Board,
            Command::Withdraw => Step::Withdraw,
            Command::MarkNoShow { .. } => Step::MarkNoShow,
            Command::MarkUnaccounted { .. } => Step::MarkUnaccounted,
            Command::ResolveUnaccounted(outcome) => outcome.step(),
        }
    }
}

/// Decides a step: returns the case as it will be, or a refusal that names what is wrong.
/// The stage rule comes first, so that a refusal for a wrong stage always names the current
/// stage and the allowed steps.
pub fn decide(case: &CaseState, command: &Command) -> Result<CaseState, DomainError> {
    let step = command.step();
    let Some(next_stage) = case.stage.after(step) else {
        return Err(DomainError::IllegalTransition {
            stage: case.stage,
            step,
            allowed: case.stage.allowed_steps(),
        });
    };
    let mut next = case.clone();
    next.stage = next_stage;
    match command {
        Command::VerifyDocuments => {
            if !case.all_members_documented {
                return Err(DomainError::conflict(
                    "every adult member needs an identity document, and every minor one of their own or a documented adult in the household, before documents can be verified",
                ));
            }
        }
        Command::Assign(w) | Command::Reassign(w) => {
            if !w.rv_status.accepts_assignments() {
                return Err(DomainError::conflict(format!(
                    "rendezvous point {} is {}; households can be assigned only to an agreed or active one",
                    w.rv,
                    w.rv_status.as_str()
                )));
            }
            // A household reassigned to the window it already holds keeps its seats.
            let already_here = case.window == Some(w.window) && case.stage.holds_window_seat();
            let assigned = if already_here {
                w.assigned_people.saturating_sub(case.size)
            } else {
                w.assigned_people
            };
            if assigned + case.size > w.capacity {
                return Err(DomainError::WindowFull {
                    capacity: w.capacity,
                    assigned,
                    requested: case.size,
                });
            }
            next.window = Some(w.window);
            next.rv = Some(w.rv);
        }
        Command::AdmitAtRv { rv, pass, at } => {
            let Some(pass) = pass else {
                return Err(DomainError::conflict(
                    "this household holds no pass; a coordinator issues one first",
                ));
            };
            crate::admission::admit(pass, *rv, *at)?;
        }
        Command::DepartInEscort {
            batch,
            rv,
            gate,
            gate_status,
            gate_serves_rv,
        } => {
            if !gate_serves_rv {
                return Err(DomainError::conflict(format!(
                    "gate {gate} does not receive batches from rendezvous point {rv}"
                )));
            }
            held_is(case.rv, *rv, "was admitted at rendezvous point")?;
            if *gate_status != GateStatus::Open {
                return Err(DomainError::conflict(format!(
                    "gate {gate} is {}; batches can leave only for an open gate",
                    gate_status.as_str()
                )));
            }
            next.batch = Some(*batch);
            next.gate = Some(*gate);
        }
        Command::ArriveAtGate { batch, gate } => {
            if case.batch != Some(*batch) || case.gate != Some(*gate) {
                return Err(DomainError::conflict(format!(
                    "this household is in batch {} to gate {}, not batch {batch} at gate {gate}",
                    opt(case.batch),
                    opt(case.gate)
                )));
            }
        }
        Command::Process { gate } => {
            held_is(case.gate, *gate, "arrived at gate")?;
        }
        Command::Manifest(f) => {
            f.seats_for(case.people())?;
            next.flight = Some(f.flight);
        }
        Command::Board { flight } => {
            if let Some(flight) = flight {
                held_is(case.flight, *flight, "is manifested on flight")?;
            }
        }
        Command::MarkUnaccounted { batch } => {
            held_is(case.batch, *batch, "is in batch")?;
        }
        Command::ResolveUnaccounted(CustodyOutcome::ReturnedToRv) => {
            // Back at its RV: out of the batch, free to leave in another.
            next.batch = None;
            next.gate = None;
        }
        Command::ResolveUnaccounted(_) => {}
        Command::MarkNoShow {
            window_end: Some(end),
            at,
            by_escort: true,
        } if at.0 <= end.0 => {
            let minutes = ((end.0 - at.0 + 59) / 60).max(1);
            return Err(DomainError::conflict(format!(
                "this household's window {} closes in {minutes} minute{}; an escort marks a household no-show only once its window has closed",
                opt(case.window),
                if minutes == 1 { "" } else { "s" }
            )));
        }
        Command::DecideEligible
        | Command::Reject
        | Command::IssuePass
        | Command::Withdraw
        | Command::MarkNoShow { .. } => {}
    }
    Ok(next)
}

fn opt<T: fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "none".into())
}

/// Refuses a command naming another place (rendezvous point, gate, batch, flight) than the one
/// the household's record holds: "this household {where_} {held}, not {named}".
fn held_is<T: Copy + PartialEq + fmt::Display>(
    held: Option<T>,
    named: T,
    where_: &str,
) -> Result<(), DomainError> {
    if held != Some(named) {
        return Err(DomainError::conflict(format!(
            "this household {where_} {}, not {named}",
            opt(held)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn illegal_step_names_current_stage_and_allowed_steps() {
        let case = CaseState::registered(3, true);
        let err = decide(&case, &Command::IssuePass).unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.code(), "illegal_transition");
        assert!(msg.contains("registered"), "{msg}");
        assert!(msg.contains("verify_documents, reject"), "{msg}");
    }

    #[test]
    fn an_escort_marks_a_no_show_only_once_the_window_has_closed() {
        let mut case = CaseState::registered(2, true);
        case.stage = Stage::PassIssued;
        case.window = Some(WindowId(4));
        case.rv = Some(RvId(1));
        let no_show = |at: i64, by_escort: bool| Command::MarkNoShow {
            window_end: Some(Timestamp(10_000)),
            at: Timestamp(at),
            by_escort,
        };
        let early = decide(&case, &no_show(10_000 - 3_000, true)).unwrap_err();
        assert_eq!(early.code(), "conflict");
        assert!(
            early.to_string().contains("window 4 closes in 50 minutes"),
            "{early}"
        );
        let last_second = decide(&case, &no_show(10_000, true)).unwrap_err();
        assert!(
            last_second.to_string().contains("in 1 minute;"),
            "{last_second}"
        );
        assert_eq!(
            decide(&case, &no_show(10_001, true)).unwrap().stage,
            Stage::NoShow
        );
        assert_eq!(
            decide(&case, &no_show(0, false)).unwrap().stage,
            Stage::NoShow,
            "a coordinator may mark it sooner"
        );
    }

    #[test]
    fn a_household_returned_to_its_rv_leaves_its_batch() {
        let mut case = CaseState::registered(2, true);
        case.stage = Stage::Unaccounted;
        case.rv = Some(RvId(1));
        case.gate = Some(GateId(2));
        case.batch = Some(BatchId(3));
        let back = decide(
            &case,
            &Command::ResolveUnaccounted(CustodyOutcome::ReturnedToRv),
        )
        .unwrap();
        assert_eq!(back.stage, Stage::AdmittedAtRv);
        assert_eq!(
            (back.rv, back.gate, back.batch),
            (Some(RvId(1)), None, None)
        );
        let late = decide(
            &case,
            &Command::ResolveUnaccounted(CustodyOutcome::ArrivedLate),
        )
        .unwrap();
        assert_eq!(
            (late.stage, late.batch),
            (Stage::ArrivedAtGate, Some(BatchId(3)))
        );
        case.stage = Stage::InEscort;
        let err = decide(
            &case,
            &Command::ResolveUnaccounted(CustodyOutcome::RecordedMissing),
        )
        .unwrap_err();
        assert_eq!(err.code(), "illegal_transition");
    }

    #[test]
    fn verify_requires_documents() {
        let case = CaseState::registered(2, false);
        assert_eq!(
            decide(&case, &Command::VerifyDocuments).unwrap_err().code(),
            "conflict"
        );
    }
}
