//! The planner's instance from the store's planning state, the previous plan a re-plan
//! repairs, the travel cost it is measured with, and a computed plan kept as a preview with
//! its figures. The planner (crates/plan) and the store know nothing of each other; what the
//! store does not hold is supplied here and said in docs/planning.md:
//! - a household registered without a location is placed at the centre of the operation's
//!   rendezvous points (not at the RV it holds: a hazard there must not cut it off from every
//!   other RV);
//! - an RV's gate is its linked gate that is open, nearest by walking time; an RV linked to no
//!   gate takes nobody, nor does a window that has closed or has no room left;
//! - a re-plan lifts the pin of a window assigned by hand whose RV or gate is no longer open:
//!   the coordinator's choice can no longer be kept;
//! - a household larger than the planner's largest (12 people) is not planned (a batch never
//!   splits a household): a coordinator assigns it by hand.
//!
//! Imports the planner, the router (through `travel`) and the store's records. Knows nothing
//! of HTTP: the server's plan endpoints and the CLI's `plan export` both call it.

pub mod travel;

use crate::travel::RoadTravel;
use safeconduct_domain::model::{GateStatus, RvStatus};
use safeconduct_domain::values::{Coordinate, Timestamp};
use safeconduct_domain::*;
use safeconduct_plan::instance::PartySize;
use safeconduct_plan::solution::{Assignment, Figures, Objective, Unplaced};
use safeconduct_plan::wire::*;
use safeconduct_plan::{Instance, Plan, PlanError, UnplacedReason};
use safeconduct_plan::{StraightLine, TravelCost};
use safeconduct_route::Router;
use safeconduct_store::{
    Actor, AssignmentOrigin, NewPlan, PlanKind, PlannedMove, PlanningHousehold, PlanningState,
    Store, StoreError, StoredPlan,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// The instance as a file (`safeconduct plan export` writes it).
    pub file: InstanceFile,
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
                vehicle_access: r.vehicle_access,
                location: r.location,
                gate: link.gate,
                walking_minutes: i64::from(link.walking_minutes),
            });
        }
    }
    let with_gate: HashSet<RvId> = rvs.iter().map(|r| r.id).collect();
    // Where the planner may send people now: an active RV whose gate is open.
    let open: HashSet<RvId> = rvs
        .iter()
        .filter(|r| {
            r.status == RvStatus::Active && gate_status.get(&r.gate) == Some(&GateStatus::Open)
        })
        .map(|r| r.id)
        .collect();
    let mut windows: Vec<WindowRecord> = state
        .windows
        .iter()
        .filter(|w| with_gate.contains(&w.rv) && w.end > now)
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
        let at_open_rv = h.window.is_some_and(|w| open.contains(&window_rv[&w]));
        let pinned = match (mode, h.origin) {
            (Mode::Fresh, AssignmentOrigin::Manual | AssignmentOrigin::Plan(_)) => h.window,
            (Mode::Repair, AssignmentOrigin::Manual) if at_open_rv => h.window,
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
            location: h.location.unwrap_or(centre),
            language: h.language,
            needs_vehicle_access: h.needs_vehicle_access,
            cannot_walk_far: h.cannot_walk_far,
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
        file,
        instance,
        previous,
        households: state.households.iter().map(|h| (h.id, h.clone())).collect(),
        not_planned,
    })
}

/// The planner's settings when a coordinator states none (and for the re-plan that follows a
/// suspension).
pub fn default_settings() -> SettingsRecord {
    SettingsRecord {
        batch_size: 40,
        walking_speed_m_per_s: 1.2,
        short_walk_seconds: 1500,
        max_travel_seconds: 14_400,
        replan_threshold: 0.01,
    }
}

// The form a plan's figures are kept in (`plans.answer`) and answered: no personal data, only
// references, ids, counts and reasons.

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct UnplacedOut {
    pub reference: String,
    /// `no_allowed_rv`, `allowed_rvs_suspended`, `allowed_windows_full`,
    /// `pinned_window_unavailable` (from the planner), or
    /// `larger_than_the_largest_planned_household`, `its_window_closed_or_its_rv_has_no_gate`
    /// (not given to the planner).
    pub reason: String,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct MoveOut {
    pub reference: String,
    /// The window it holds now, if any.
    pub from_window_id: Option<i64>,
    pub window_id: i64,
    pub rv_id: i64,
    pub travel_seconds: u32,
}

/// What a plan is worth and what accepting it does (see docs/planning.md).
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct PlanFigures {
    /// `plan` or `replan`.
    pub kind: String,
    /// The objective's value: Σ size × (weight of the class − travel seconds).
    pub value: i64,
    /// An upper bound on the value of any plan of this state.
    pub bound: f64,
    /// (bound − value) / bound.
    pub gap: f64,
    /// People placed per priority class (medical, unaccompanied_minor, elderly, disability,
    /// other).
    pub people_placed: BTreeMap<String, u64>,
    pub people_unplaced: BTreeMap<String, u64>,
    pub households_placed: u64,
    pub households_unplaced: u64,
    /// Person-seconds of travel of everyone placed.
    pub travel_seconds_total: u64,
    pub batches: u64,
    /// Households that held a window and would hold another, or none.
    pub moved: u64,
    /// Every household the plan gives a window it does not hold yet: accepting assigns (or
    /// reassigns) each and issues its pass. Each needs a notice of its new window.
    pub moves: Vec<MoveOut>,
    /// Households without a window after the plan, and why; those among them who hold a
    /// window now (`displaced`) keep it until a coordinator acts.
    pub unplaced: Vec<UnplacedOut>,
    /// Households holding a window the plan cannot keep (their RV or gate closed, no room
    /// elsewhere): they need a coordinator and a notice.
    pub displaced: Vec<String>,
}

/// The figures of `plan` of `prepared`, and the moves accepting it would make.
pub fn figures(kind: PlanKind, prepared: &Prepared, plan: &Plan) -> PlanFigures {
    let reference = |h: &HouseholdId| prepared.households[h].reference.to_string();
    let held = |h: &HouseholdId| prepared.households[h].window;
    let moves: Vec<MoveOut> = plan
        .assignments
        .iter()
        .filter(|a| held(&a.household) != Some(a.window))
        .map(|a| MoveOut {
            reference: reference(&a.household),
            from_window_id: held(&a.household).map(|w| w.0),
            window_id: a.window.0,
            rv_id: a.rv.0,
            travel_seconds: a.travel_seconds,
        })
        .collect();
    let displaced: Vec<String> = plan
        .unplaced
        .iter()
        .filter(|u| held(&u.household).is_some())
        .map(|u| reference(&u.household))
        .collect();
    let mut unplaced: Vec<UnplacedOut> = plan
        .unplaced
        .iter()
        .map(|u| UnplacedOut {
            reference: reference(&u.household),
            reason: serde_json::to_value(u.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        })
        .collect();
    unplaced.extend(prepared.not_planned.iter().map(|n| UnplacedOut {
        reference: n.reference.to_string(),
        reason: n.reason.to_string(),
    }));
    let by_class = |m: &BTreeMap<safeconduct_plan::wire::PriorityClass, u64>| {
        m.iter()
            .map(|(k, v)| (k.as_str().to_string(), *v))
            .collect()
    };
    let f = &plan.figures;
    PlanFigures {
        kind: kind.as_str().to_string(),
        value: plan.objective.value,
        bound: plan.objective.bound,
        gap: plan.objective.gap,
        people_placed: by_class(&f.people_placed),
        people_unplaced: by_class(&f.people_unplaced),
        households_placed: f.households_placed,
        households_unplaced: f.households_unplaced + prepared.not_planned.len() as u64,
        travel_seconds_total: f.travel_seconds_total,
        batches: f.batches,
        moved: moves.iter().filter(|m| m.from_window_id.is_some()).count() as u64
            + displaced.len() as u64,
        moves,
        unplaced,
        displaced,
    }
}

/// Reads the state, plans it (afresh or repairing the windows plans gave) and keeps the plan
/// as a preview. Runs on the blocking pool.
pub fn compute(
    s: &dyn Store,
    router: Option<&Router>,
    op: OperationId,
    settings: SettingsRecord,
    mode: Mode,
    actor: &Actor,
) -> Result<(StoredPlan, PlanFigures), StoreError> {
    let (new, figures) = solve(s, router, op, settings, mode, actor.at)?;
    Ok((s.save_plan(op, &new, actor)?, figures))
}

/// Reads the state and plans it, with road travel times when `router` is given (straight
/// lines otherwise): the plan to keep and its figures. Runs on the blocking pool.
pub fn solve(
    s: &dyn Store,
    router: Option<&Router>,
    op: OperationId,
    settings: SettingsRecord,
    mode: Mode,
    now: Timestamp,
) -> Result<(NewPlan, PlanFigures), StoreError> {
    let state = s.planning_state(op)?;
    let prepared = prepare(&state, settings, mode, now).map_err(invalid)?;
    let instance = &prepared.instance;
    let straight = StraightLine::new(instance.settings().walking_speed);
    let road = match router {
        Some(router) => {
            let rvs: Vec<Coordinate> = instance.rvs().iter().map(|r| r.location).collect();
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            match RoadTravel::new(router, &rvs, instance.settings().walking_speed, threads) {
                Ok(road) => Some(road),
                Err(e) => {
                    tracing::warn!(error = %e, "planning with straight lines: no road travel times");
                    None
                }
            }
        }
        None => None,
    };
    let travel: &dyn TravelCost = match &road {
        Some(road) => road,
        None => &straight,
    };
    let (kind, plan) = match &prepared.previous {
        None => (
            PlanKind::Plan,
            safeconduct_plan::plan_with(instance, travel),
        ),
        Some(previous) => {
            let plan =
                safeconduct_plan::replan::repair(instance, travel, previous).map_err(invalid)?;
            (PlanKind::Replan, plan)
        }
    };
    let answer = figures(kind, &prepared, &plan);
    let new = NewPlan {
        kind,
        fingerprint: safeconduct_store::fingerprint(&state),
        moves: plan
            .assignments
            .iter()
            .map(|a| PlannedMove {
                household: a.household,
                window: a.window,
            })
            .collect(),
        answer: serde_json::to_value(&answer).map_err(|e| StoreError::Internal(e.to_string()))?,
    };
    Ok((new, answer))
}

/// A refusal of the planner names the item that is wrong; it is the request's fault (its
/// settings) or the state's (a place the planner cannot take), never the server's.
fn invalid(e: safeconduct_plan::PlanError) -> StoreError {
    StoreError::Domain(DomainError::invalid("plan", e.to_string()))
}
