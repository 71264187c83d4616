//! The planner's instance from the store's planning state, and the previous plan a re-plan
//! repairs. The planner (crates/plan) and the store know nothing of each other; what the store
//! does not hold is supplied here and said in docs/planning.md:
//! - households have no stored location: one that holds a window is placed at its RV, any other
//!   at the centre of the operation's rendezvous points (so travel says how central an RV is,
//!   not how near it is to the household);
//! - households record no vehicle or walking needs, and RVs no vehicle access: all false;
//! - an RV's gate is its linked gate that is open, nearest by walking time; an RV linked to no
//!   gate takes nobody, nor does a window that has closed or has no room left;
//! - a household larger than the planner's largest (12 people) is not planned (a batch never
//!   splits a household): a coordinator assigns it by hand.
//!
//! Imports the planner and the store's records; no handler, no HTTP.

use safeconduct_domain::model::GateStatus;
use safeconduct_domain::values::{Coordinate, Timestamp};
use safeconduct_domain::*;
use safeconduct_plan::instance::PartySize;
use safeconduct_plan::solution::{Assignment, Figures, Objective, Unplaced};
use safeconduct_plan::wire::*;
use safeconduct_plan::{Instance, Plan, PlanError, UnplacedReason};
use safeconduct_store::{AssignmentOrigin, PlanningHousehold, PlanningState};
use std::collections::{BTreeMap, HashMap};

/// Which windows the planner must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A fresh plan places households without a window; every window already held stays
    /// (by hand or by an accepted plan), except one whose pin was released.
    Fresh,
    /// A re-plan after a change: windows given by hand stay; windows given by plans (or
    /// released) are the previous plan, which the planner repairs.
    Repair,
}

/// A household the planner was not given, and why.
pub struct NotPlanned {
    pub reference: CaseReference,
    pub reason: &'static str,
}

/// The instance, and what is needed to read its plan back.
pub struct Prepared {
    pub instance: Instance,
    /// In [`Mode::Repair`]: the windows given by plans, as the plan to repair.
    pub previous: Option<Plan>,
    pub households: HashMap<HouseholdId, PlanningHousehold>,
    pub not_planned: Vec<NotPlanned>,
}

/// The centre of the operation's rendezvous points, where a household of unknown location is
/// placed.
fn centre(state: &PlanningState) -> Coordinate {
    let n = state.rvs.len().max(1) as f64;
    let lat = state.rvs.iter().map(|r| r.location.lat()).sum::<f64>() / n;
    let lon = state.rvs.iter().map(|r| r.location.lon()).sum::<f64>() / n;
    Coordinate::new(lat, lon).unwrap_or_else(|_| Coordinate::new(0.0, 0.0).expect("0, 0"))
}

pub fn prepare(
    state: &PlanningState,
    settings: SettingsRecord,
    mode: Mode,
    now: Timestamp,
) -> Result<Prepared, PlanError> {
    let gate_status: HashMap<GateId, GateStatus> =
        state.gates.iter().map(|g| (g.id, g.status)).collect();
    let mut rvs = Vec::new();
    for r in &state.rvs {
        let open =
            |l: &&safeconduct_store::GateLink| gate_status.get(&l.gate) == Some(&GateStatus::Open);
        let link = r
            .links
            .iter()
            .filter(open)
            .min_by_key(|l| l.walking_minutes)
            .or_else(|| r.links.iter().min_by_key(|l| l.walking_minutes));
        if let Some(link) = link {
            rvs.push(RvRecord {
                id: r.id,
                status: r.status,
                vehicle_access: false,
                location: r.location,
                gate: link.gate,
                walking_minutes: i64::from(link.walking_minutes),
            });
        }
    }
    let rv_location: HashMap<RvId, Coordinate> = rvs.iter().map(|r| (r.id, r.location)).collect();
    let mut windows: Vec<WindowRecord> = state
        .windows
        .iter()
        .filter(|w| rv_location.contains_key(&w.rv) && w.end > now)
        .map(|w| WindowRecord {
            id: w.id,
            rv: w.rv,
            start: w.start.0,
            end: w.end.0,
            capacity: i64::from(w.room),
        })
        .collect();
    let window_rv: HashMap<WindowId, RvId> = windows.iter().map(|w| (w.id, w.rv)).collect();
    let centre = centre(state);
    let mut households = Vec::new();
    let mut not_planned = Vec::new();
    let mut previous = Vec::new();
    let mut waiting = Vec::new();
    for h in &state.households {
        let refuse = |reason| NotPlanned {
            reference: h.reference.clone(),
            reason,
        };
        let reason = if PartySize::new(i64::from(h.size)).is_err() {
            Some("larger_than_the_largest_planned_household")
        } else if h.window.is_some_and(|w| !window_rv.contains_key(&w)) {
            Some("its_window_closed_or_its_rv_has_no_gate")
        } else {
            None
        };
        if let Some(reason) = reason {
            // Its seat stays taken: the room the store counted as movable is not.
            if let Some(w) = windows.iter_mut().find(|w| Some(w.id) == h.window) {
                w.capacity -= i64::from(h.size);
            }
            not_planned.push(refuse(reason));
            continue;
        }
        let pinned = match (mode, h.origin) {
            (_, AssignmentOrigin::Manual) | (Mode::Fresh, AssignmentOrigin::Plan(_)) => h.window,
            _ => None,
        };
        if pinned.is_none() {
            match h.window {
                Some(window) => previous.push(Assignment {
                    household: h.id,
                    window,
                    rv: window_rv[&window],
                    batch: 0,
                    travel_seconds: 0,
                }),
                None => waiting.push(Unplaced {
                    household: h.id,
                    reason: UnplacedReason::AllowedWindowsFull,
                }),
            }
        }
        households.push(HouseholdRecord {
            id: h.id,
            size: i64::from(h.size),
            class: PriorityClass::from_flags(&h.priorities),
            location: h
                .window
                .and_then(|w| window_rv.get(&w))
                .map(|rv| rv_location[rv])
                .unwrap_or(centre),
            language: h.language,
            needs_vehicle_access: false,
            cannot_walk_far: false,
            registered: h.registered_at.0,
            pinned,
        });
    }
    // A window with no room left takes nobody more (the planner's windows hold 1 or more).
    windows.retain(|w| w.capacity > 0);
    let file = InstanceFile {
        settings,
        gates: state
            .gates
            .iter()
            .map(|g| GateRecord {
                id: g.id,
                status: g.status,
                throughput_per_hour: i64::from(g.throughput_per_hour),
            })
            .collect(),
        rvs,
        windows,
        households,
    };
    let instance = Instance::parse(&file)?;
    let previous = (mode == Mode::Repair).then(|| Plan {
        objective: Objective {
            value: 0,
            bound: 0.0,
            gap: 0.0,
            weights: BTreeMap::new(),
        },
        figures: Figures::default(),
        moved: None,
        assignments: previous,
        unplaced: waiting,
        windows: Vec::new(),
    });
    Ok(Prepared {
        instance,
        previous,
        households: state.households.iter().map(|h| (h.id, h.clone())).collect(),
        not_planned,
    })
}
