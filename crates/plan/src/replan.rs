//! Re-planning after a change (an RV or a gate suspended, a window's capacity changed): every
//! household whose window stays open and within capacity keeps it; the households the change
//! affects are planned again into the room left. A fresh plan replaces the repaired one only
//! when its objective is higher by more than the instance's `replan_threshold`, and it is not
//! even computed when the previous plan's bound proves it cannot be (a change that only takes
//! capacity away cannot raise the bound).
//!
//! Imports `bound`, `instance`, `solution`, `solve` and `travel`.

use crate::error::{Item, PlanError};
use crate::instance::Instance;
use crate::solution::{Placement, Plan, UnplacedReason, finish};
use crate::travel::TravelCost;
use crate::{bound, cells, solve};
use safeconduct_domain::model::{GateStatus, RvStatus, WindowSpec};
use safeconduct_domain::{GateId, HouseholdId, RvId, WindowId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A change to the places of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum Change {
    SuspendRv { rv: RvId },
    SuspendGate { gate: GateId },
    WindowCapacity { window: WindowId, capacity: i64 },
}

impl Change {
    /// Whether the change can only take room away (so no plan after it is worth more than
    /// the best plan before it).
    pub fn only_removes_capacity(&self, before: &Instance) -> bool {
        match self {
            Change::SuspendRv { .. } | Change::SuspendGate { .. } => true,
            Change::WindowCapacity { window, capacity } => before
                .window_index(*window)
                .is_some_and(|w| *capacity <= i64::from(before.windows()[w].spec.capacity.get())),
        }
    }
}

impl Instance {
    /// The instance after `change`, checked like any instance.
    pub fn with_change(&self, change: &Change) -> Result<Instance, PlanError> {
        let mut file = self.to_file();
        match change {
            Change::SuspendRv { rv } => {
                let r = file.rvs.iter_mut().find(|r| r.id == *rv);
                r.ok_or_else(|| PlanError::invalid(Item::Rv, rv.0, "unknown rv"))?
                    .status = RvStatus::Suspended;
            }
            Change::SuspendGate { gate } => {
                let g = file.gates.iter_mut().find(|g| g.id == *gate);
                g.ok_or_else(|| PlanError::invalid(Item::Gate, gate.0, "unknown gate"))?
                    .status = GateStatus::Suspended;
            }
            Change::WindowCapacity { window, capacity } => {
                let w = file.windows.iter_mut().find(|w| w.id == *window);
                let w =
                    w.ok_or_else(|| PlanError::invalid(Item::Window, window.0, "unknown window"))?;
                WindowSpec::new(
                    safeconduct_domain::values::Timestamp(w.start),
                    safeconduct_domain::values::Timestamp(w.end),
                    u32::try_from(*capacity).unwrap_or(0),
                )
                .map_err(|e| PlanError::invalid(Item::Window, window.0, e.to_string()))?;
                w.capacity = *capacity;
            }
        }
        Instance::parse(&file)
    }
}

/// The previous plan's windows as indices of `instance` (after the change).
fn previous_windows(instance: &Instance, previous: &Plan) -> Result<Vec<Option<usize>>, PlanError> {
    let index: HashMap<HouseholdId, usize> = instance
        .households()
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id, i))
        .collect();
    let mut windows = vec![None; instance.households().len()];
    for a in &previous.assignments {
        let h = *index.get(&a.household).ok_or_else(|| {
            PlanError::PreviousPlan(format!("household {} is unknown", a.household))
        })?;
        let w = instance
            .window_index(a.window)
            .ok_or_else(|| PlanError::PreviousPlan(format!("window {} is unknown", a.window)))?;
        windows[h] = Some(w);
    }
    Ok(windows)
}

/// The repaired plan of `changed`: kept households stay, the others are planned again.
/// Returns the plan (its bound is the repair pass's, valid for plans that keep the kept
/// households) and the number of households moved.
pub fn repair(
    changed: &Instance,
    travel: &dyn TravelCost,
    previous: &Plan,
) -> Result<Plan, PlanError> {
    let before = previous_windows(changed, previous)?;
    let hs = changed.households();
    let mut placement: Placement = solve::initial_placement(changed);
    for (h, p) in placement.iter_mut().enumerate() {
        if hs[h].pinned.is_none() {
            // Previously unplaced households wait: the change freed no room they could use
            // that they could not use before (`replan_with` plans afresh after a change that
            // adds room). Marked with a reason other than `AllowedWindowsFull`, the pass
            // leaves them alone; their previous reason is restored after it.
            *p = match before[h] {
                Some(w) if changed.rv_open(changed.windows()[w].rv) => Ok(w),
                Some(_) => Err(UnplacedReason::AllowedWindowsFull),
                None => Err(UnplacedReason::AllowedRvsSuspended),
            };
        }
    }
    // A window or gate period that lost capacity sheds its last households in serving order.
    let mut rooms = solve::Rooms::new(changed, &placement);
    let mut by_window: Vec<Vec<u32>> = vec![Vec::new(); changed.windows().len()];
    for (h, p) in placement.iter().enumerate() {
        if let (Ok(w), None) = (p, hs[h].pinned) {
            by_window[*w].push(h as u32);
        }
    }
    for (w, members) in by_window.iter_mut().enumerate() {
        members.sort_by_key(|&h| std::cmp::Reverse(cells::serving_order(&hs[h as usize], h)));
        for &h in members.iter() {
            if rooms.of(changed, w) >= 0 {
                break;
            }
            let size = i64::from(hs[h as usize].size.get());
            rooms.take(changed, w, -size);
            placement[h as usize] = Err(UnplacedReason::AllowedWindowsFull);
        }
    }
    let fixed = bound::placed_value(changed, travel, &placement);
    let pass = solve::run(changed, travel, &mut placement);
    let upper = bound::bound(changed, travel, &pass, fixed);
    // Those who were waiting and still wait keep a reason of their own.
    let reasons: HashMap<HouseholdId, UnplacedReason> = previous
        .unplaced
        .iter()
        .map(|u| (u.household, u.reason))
        .collect();
    for (h, p) in placement.iter_mut().enumerate() {
        if *p == Err(UnplacedReason::AllowedRvsSuspended) && before[h].is_none() {
            *p = Err(reasons
                .get(&hs[h].id)
                .copied()
                .unwrap_or(UnplacedReason::AllowedWindowsFull));
        }
    }
    let mut plan = finish(changed, travel, &placement, upper);
    plan.moved = Some(moved(changed, &before, &plan));
    Ok(plan)
}

/// Households that had a window before and now have another or none.
fn moved(instance: &Instance, before: &[Option<usize>], plan: &Plan) -> u64 {
    let now: HashMap<HouseholdId, WindowId> = plan
        .assignments
        .iter()
        .map(|a| (a.household, a.window))
        .collect();
    instance
        .households()
        .iter()
        .zip(before)
        .filter(|(h, b)| b.is_some_and(|w| now.get(&h.id) != Some(&instance.windows()[w].id)))
        .count() as u64
}

/// The plan after `change`: the repaired plan, unless a fresh plan is worth more than the
/// repaired one by more than the threshold. Its bound is valid for the changed instance.
pub fn replan_with(
    instance: &Instance,
    previous: &Plan,
    change: &Change,
    travel: &dyn TravelCost,
) -> Result<Plan, PlanError> {
    let changed = instance.with_change(change)?;
    let mut repaired = repair(&changed, travel, previous)?;
    let threshold = 1.0 + changed.settings().replan_threshold;
    let value = repaired.objective.value as f64;
    if change.only_removes_capacity(instance) && previous.objective.bound <= value * threshold {
        repaired.objective.bound = previous.objective.bound.max(value);
        repaired.objective.gap = gap(repaired.objective.bound, value);
        return Ok(repaired);
    }
    let mut fresh = crate::plan_with(&changed, travel);
    let before = previous_windows(&changed, previous)?;
    fresh.moved = Some(moved(&changed, &before, &fresh));
    if fresh.objective.value as f64 > value * threshold {
        return Ok(fresh);
    }
    repaired.objective.bound = fresh.objective.bound.max(value);
    repaired.objective.gap = gap(repaired.objective.bound, value);
    Ok(repaired)
}

fn gap(bound: f64, value: f64) -> f64 {
    if bound > 0.0 {
        (bound - value) / bound
    } else {
        0.0
    }
}
