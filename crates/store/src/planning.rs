//! What the planner reads from the store and what the store keeps of a plan: the planning
//! state of an operation (movable households, rendezvous points with their gate links, gates,
//! windows with the room left), a computed plan's moves, and a stored plan.
//!
//! Plain records; imports the domain only. The planner's own formats (crates/plan) are not
//! known here: the server converts between the two.

use safeconduct_domain::model::{GateStatus, PriorityFlag, RvStatus};
use safeconduct_domain::values::{Coordinate, Language, Timestamp};
use safeconduct_domain::*;
use serde::Serialize;

/// Where a household's window came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "origin", content = "plan")]
pub enum AssignmentOrigin {
    /// It holds no window.
    None,
    /// A coordinator assigned it by hand: every plan keeps it there.
    Manual,
    /// A coordinator released a manual assignment: later plans may move it.
    Released,
    /// An accepted plan gave it its window.
    Plan(PlanId),
}

/// A household the planner may place or move: eligible, or holding a window it has not yet
/// reached (assigned, pass issued, reassigned). Only what planning needs; its location and
/// needs are personal data, opened from the sealed fields for the planner and never stored
/// or answered in clear.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanningHousehold {
    pub id: HouseholdId,
    pub reference: CaseReference,
    pub stage: Stage,
    pub size: u32,
    pub priorities: Vec<PriorityFlag>,
    pub language: Language,
    pub registered_at: Timestamp,
    pub window: Option<WindowId>,
    pub origin: AssignmentOrigin,
    /// Where it is, rounded, if registration stated it (opened from its sealed fields).
    pub location: Option<Coordinate>,
    pub needs_vehicle_access: bool,
    pub cannot_walk_far: bool,
}

/// A link from a rendezvous point to a gate its batches walk to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateLink {
    pub gate: GateId,
    pub walking_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanningRv {
    pub id: RvId,
    pub status: RvStatus,
    pub location: Coordinate,
    pub vehicle_access: bool,
    pub links: Vec<GateLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanningGate {
    pub id: GateId,
    pub status: GateStatus,
    pub throughput_per_hour: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanningWindow {
    pub id: WindowId,
    pub rv: RvId,
    pub start: Timestamp,
    pub end: Timestamp,
    pub capacity: u32,
    /// Seats left for the planner: the capacity less the seats held by households it cannot
    /// move (those past their pass: admitted, in escort, arrived…).
    pub room: u32,
}

/// The state a plan is computed from, in a stable order (by id).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanningState {
    pub households: Vec<PlanningHousehold>,
    pub rvs: Vec<PlanningRv>,
    pub gates: Vec<PlanningGate>,
    pub windows: Vec<PlanningWindow>,
}

/// One household's window in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlannedMove {
    pub household: HouseholdId,
    pub window: WindowId,
}

/// Whether a plan was computed afresh or repaired after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    Plan,
    Replan,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Plan => "plan",
            PlanKind::Replan => "replan",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [PlanKind::Plan, PlanKind::Replan]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A plan to keep as a preview: the fingerprint of the state it was computed from, every
/// household it places with its window, and the answer shown (JSON, no personal data).
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub kind: PlanKind,
    pub fingerprint: [u8; 32],
    pub moves: Vec<PlannedMove>,
    pub answer: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct StoredPlan {
    pub id: PlanId,
    pub kind: PlanKind,
    pub answer: serde_json::Value,
    pub created_at: Timestamp,
    pub created_by: Option<UserId>,
    pub accepted_at: Option<Timestamp>,
    pub accepted_by: Option<UserId>,
}

/// What accepting a plan did to one household: its assignment step, then its pass.
#[derive(Debug, Clone)]
pub struct AcceptedMove {
    pub reference: CaseReference,
    pub window: WindowId,
    /// The assignment step (`assign` or `reassign`).
    pub step: crate::CaseOutcome,
    /// The pass issued for the new window, with its index.
    pub pass_index: i64,
}

/// A plan accepted: every household it moved, and those still holding a window the plan could
/// not keep (their RV or gate closed, no room elsewhere), who need a coordinator.
#[derive(Debug, Clone)]
pub struct Acceptance {
    pub plan: StoredPlan,
    pub moved: Vec<AcceptedMove>,
}
