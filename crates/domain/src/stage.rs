//! The stages a household (case) passes through and the steps between them. Every rule about
//! which stage may follow which lives in [`Stage::after`]; deciding whether a step may be taken
//! with the facts of a case is [`crate::lifecycle::decide`].
//!
//! Knows nothing of refusals, places or people: it imports nothing of this crate but the
//! `Display` macro of `string_value`, so the error type may name stages and steps without a
//! circle.

use crate::string_value::display_as_str;
use serde::{Deserialize, Serialize};

/// Where a household is. Every person is in exactly the stage of their household.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Registered,
    DocumentsVerified,
    Eligible,
    Assigned,
    PassIssued,
    AdmittedAtRv,
    InEscort,
    ArrivedAtGate,
    Processed,
    Manifested,
    Boarded,
    // Side states.
    Rejected,
    Withdrawn,
    NoShow,
    /// Given a new RV or window after an earlier assignment; any earlier pass is void and a
    /// new one must be issued.
    Reassigned,
    /// Left an RV in an escort batch and did not arrive at the gate by the batch's custody
    /// deadline (or when the gate closed the batch).
    Unaccounted,
}

/// A step of the lifecycle, as requested by a user.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    VerifyDocuments,
    DecideEligible,
    Reject,
    Assign,
    Reassign,
    IssuePass,
    AdmitAtRv,
    DepartInEscort,
    ArriveAtGate,
    Process,
    Manifest,
    Board,
    Withdraw,
    MarkNoShow,
    MarkUnaccounted,
    /// A coordinator's resolutions of an unaccounted household, one step per outcome
    /// (`field::CustodyOutcome`): it arrived late at the gate, went back to its RV, was found
    /// elsewhere (safe, outside the route: it leaves the evacuation as withdrawn), or is
    /// recorded missing (stays unaccounted, the alarm answered).
    ResolveArrivedLate,
    ResolveReturnedToRv,
    ResolveFoundElsewhere,
    ResolveRecordedMissing,
}

impl Stage {
    pub const ALL: [Stage; 16] = [
        Stage::Registered,
        Stage::DocumentsVerified,
        Stage::Eligible,
        Stage::Assigned,
        Stage::PassIssued,
        Stage::AdmittedAtRv,
        Stage::InEscort,
        Stage::ArrivedAtGate,
        Stage::Processed,
        Stage::Manifested,
        Stage::Boarded,
        Stage::Rejected,
        Stage::Withdrawn,
        Stage::NoShow,
        Stage::Reassigned,
        Stage::Unaccounted,
    ];

    /// The transition table: the stage a step leads to from this stage, or `None` when the
    /// step is not allowed here.
    pub fn after(self, step: Step) -> Option<Stage> {
        use Stage as S;
        use Step as T;
        let next = match (self, step) {
            (S::Registered, T::VerifyDocuments) => S::DocumentsVerified,
            (S::Registered | S::DocumentsVerified, T::Reject) => S::Rejected,
            (S::DocumentsVerified, T::DecideEligible) => S::Eligible,
            (S::Eligible, T::Assign) => S::Assigned,
            (S::Assigned | S::PassIssued | S::NoShow | S::Reassigned, T::Reassign) => S::Reassigned,
            // Issuing again replaces the pass (lost phone, compromised key); the old one is void.
            (S::Assigned | S::Reassigned | S::PassIssued, T::IssuePass) => S::PassIssued,
            (S::PassIssued, T::AdmitAtRv) => S::AdmittedAtRv,
            (S::AdmittedAtRv, T::DepartInEscort) => S::InEscort,
            (S::InEscort | S::Unaccounted, T::ArriveAtGate) => S::ArrivedAtGate,
            (S::InEscort, T::MarkUnaccounted) => S::Unaccounted,
            (S::Unaccounted, T::ResolveArrivedLate) => S::ArrivedAtGate,
            (S::Unaccounted, T::ResolveReturnedToRv) => S::AdmittedAtRv,
            (S::Unaccounted, T::ResolveFoundElsewhere) => S::Withdrawn,
            (S::Unaccounted, T::ResolveRecordedMissing) => S::Unaccounted,
            (S::ArrivedAtGate, T::Process) => S::Processed,
            (S::Processed, T::Manifest) => S::Manifested,
            (S::Manifested, T::Board) => S::Boarded,
            (S::Assigned | S::PassIssued | S::Reassigned, T::MarkNoShow) => S::NoShow,
            (
                S::Registered
                | S::DocumentsVerified
                | S::Eligible
                | S::Assigned
                | S::PassIssued
                | S::NoShow
                | S::Reassigned,
                T::Withdraw,
            ) => S::Withdrawn,
            _ => return None,
        };
        Some(next)
    }

    /// The steps allowed from this stage, in lifecycle order.
    pub fn allowed_steps(self) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|s| self.after(*s).is_some())
            .collect()
    }

    /// Whether a household in this stage is still to walk to its rendezvous point (assigned,
    /// with or without its pass, or given a new RV), or was lost on the way from it to the gate
    /// and may be guided back to the RV: the stages in which a route to the RV is given. A
    /// household already there (admitted: the escort has it in hand), past it or out of the
    /// evacuation gets none.
    pub fn walks_to_rv(self) -> bool {
        matches!(
            self,
            Stage::Assigned | Stage::PassIssued | Stage::Reassigned | Stage::Unaccounted
        )
    }

    /// Whether a household in this stage is still to come to its window: assigned, with or
    /// without its pass, or given a new window. A window moved in time tells these households
    /// its new times (and gives a new pass to each that holds one).
    pub fn still_to_come(self) -> bool {
        matches!(
            self,
            Stage::Assigned | Stage::PassIssued | Stage::Reassigned
        )
    }

    /// Whether a household in this stage is between its rendezvous point and the gate's
    /// check-in (admitted, on the way, unaccounted, arrived): a pass is no longer issued to
    /// it, and the gate checks it in by its reference.
    pub fn between_rv_and_check_in(self) -> bool {
        matches!(
            self,
            Stage::AdmittedAtRv | Stage::InEscort | Stage::Unaccounted | Stage::ArrivedAtGate
        )
    }

    /// Whether a household in this stage still has its pass to show: on its way to its
    /// window, or between its rendezvous point and the gate's check-in (the gate reads the
    /// pass too). A pass link opens only in these stages: once the household is checked in,
    /// or out of the evacuation, a seized phone's link shows nothing.
    pub fn shows_pass(self) -> bool {
        self.still_to_come() || self.between_rv_and_check_in()
    }

    /// Whether a case in this stage still holds its seats in the window it was assigned to.
    /// Seats are given back when a household withdraws or misses its window.
    pub fn holds_window_seat(self) -> bool {
        !matches!(self, Stage::Withdrawn | Stage::NoShow)
    }

    /// Whether no step leads out of this stage.
    pub fn is_final(self) -> bool {
        self.allowed_steps().is_empty()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Registered => "registered",
            Stage::DocumentsVerified => "documents_verified",
            Stage::Eligible => "eligible",
            Stage::Assigned => "assigned",
            Stage::PassIssued => "pass_issued",
            Stage::AdmittedAtRv => "admitted_at_rv",
            Stage::InEscort => "in_escort",
            Stage::ArrivedAtGate => "arrived_at_gate",
            Stage::Processed => "processed",
            Stage::Manifested => "manifested",
            Stage::Boarded => "boarded",
            Stage::Rejected => "rejected",
            Stage::Withdrawn => "withdrawn",
            Stage::NoShow => "no_show",
            Stage::Reassigned => "reassigned",
            Stage::Unaccounted => "unaccounted",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl Step {
    pub const ALL: [Step; 19] = [
        Step::VerifyDocuments,
        Step::DecideEligible,
        Step::Reject,
        Step::Assign,
        Step::Reassign,
        Step::IssuePass,
        Step::AdmitAtRv,
        Step::DepartInEscort,
        Step::ArriveAtGate,
        Step::Process,
        Step::Manifest,
        Step::Board,
        Step::Withdraw,
        Step::MarkNoShow,
        Step::MarkUnaccounted,
        Step::ResolveArrivedLate,
        Step::ResolveReturnedToRv,
        Step::ResolveFoundElsewhere,
        Step::ResolveRecordedMissing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::VerifyDocuments => "verify_documents",
            Step::DecideEligible => "decide_eligible",
            Step::Reject => "reject",
            Step::Assign => "assign",
            Step::Reassign => "reassign",
            Step::IssuePass => "issue_pass",
            Step::AdmitAtRv => "admit_at_rv",
            Step::DepartInEscort => "depart_in_escort",
            Step::ArriveAtGate => "arrive_at_gate",
            Step::Process => "process",
            Step::Manifest => "manifest",
            Step::Board => "board",
            Step::Withdraw => "withdraw",
            Step::MarkNoShow => "mark_no_show",
            Step::MarkUnaccounted => "mark_unaccounted",
            Step::ResolveArrivedLate => "resolve_arrived_late",
            Step::ResolveReturnedToRv => "resolve_returned_to_rv",
            Step::ResolveFoundElsewhere => "resolve_found_elsewhere",
            Step::ResolveRecordedMissing => "resolve_recorded_missing",
        }
    }
}

display_as_str!(Stage, Step);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boarded_is_final() {
        assert!(Stage::Boarded.is_final());
        assert!(Stage::Rejected.is_final());
        assert!(Stage::Withdrawn.is_final());
        assert!(!Stage::Unaccounted.is_final());
    }

    #[test]
    fn only_a_household_yet_to_reach_its_rv_or_lost_after_it_walks_there() {
        let walking: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.walks_to_rv()).collect();
        assert_eq!(
            walking,
            [
                Stage::Assigned,
                Stage::PassIssued,
                Stage::Reassigned,
                Stage::Unaccounted
            ]
        );
    }
}
