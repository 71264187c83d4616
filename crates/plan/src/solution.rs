//! A plan as it is handed on and written down: every household's window and escort batch or
//! the reason it is unplaced, the objective, the bound and the gap, and the figures a
//! coordinator reads. Also the objective's definition (`weight`, `value_of`) and the check
//! that a plan keeps every hard constraint (`check`), which tests and other tools run.
//!
//! Imports `instance`, `wire` and `travel`; nothing that solves.

use crate::instance::Instance;
use crate::travel::TravelCost;
use crate::wire::PriorityClass;
use safeconduct_domain::{HouseholdId, RvId, WindowId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Why a household has no window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// No rendezvous point, open or not, meets its needs (vehicle access, a short walk, the
    /// longest trip).
    NoAllowedRv,
    /// Every rendezvous point that meets its needs is suspended or closed, or its gate is.
    AllowedRvsSuspended,
    /// Windows it could go to exist, but they are full (of higher classes, earlier
    /// registrations, or households nearer to them).
    AllowedWindowsFull,
    /// It is pinned by hand to a window whose RV or gate is not open; a coordinator must
    /// release or move the pin.
    PinnedWindowUnavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub household: HouseholdId,
    pub window: WindowId,
    pub rv: RvId,
    /// 1 for the window's first escort batch.
    pub batch: u32,
    pub travel_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    pub household: HouseholdId,
    pub reason: UnplacedReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowLoad {
    pub window: WindowId,
    pub people: u32,
    pub households: u32,
    pub batches: u32,
}

/// The objective `value = Σ over placed households of size × (weight(class) − travel)`, its
/// upper bound and the relative gap between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub value: i64,
    pub bound: f64,
    /// `(bound − value) / bound`; 0 when the bound is 0.
    pub gap: f64,
    /// The weight of one person of each class, in seconds of travel.
    pub weights: BTreeMap<PriorityClass, i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub people_placed: BTreeMap<PriorityClass, u64>,
    pub people_unplaced: BTreeMap<PriorityClass, u64>,
    pub households_placed: u64,
    pub households_unplaced: u64,
    /// Person-seconds: each placed person's trip to their RV.
    pub travel_seconds_total: u64,
    pub batches: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub objective: Objective,
    pub figures: Figures,
    /// Households moved from the previous plan's window (re-plans only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved: Option<u64>,
    pub assignments: Vec<Assignment>,
    pub unplaced: Vec<Unplaced>,
    pub windows: Vec<WindowLoad>,
}

/// The weight of one person of a class: each class above `Other` outweighs the one below by
/// more than twice the longest trip, so that in the flow no exchange of travel can buy a
/// person of a higher class with one of a lower, and every placement is worth more than its
/// trip.
pub fn weight(instance: &Instance, class: PriorityClass) -> i64 {
    let k = 2 * i64::from(instance.settings().max_travel_seconds) + 1;
    (5 - class.rank() as i64) * k
}

/// A placement by household index: its window index, or the reason it has none.
pub(crate) type Placement = Vec<Result<usize, UnplacedReason>>;

/// Builds the plan from a placement: trips, escort batches (first fit by decreasing size,
/// households whole), figures and the objective against `bound`.
pub(crate) fn finish(
    instance: &Instance,
    travel: &dyn TravelCost,
    placement: &Placement,
    bound: f64,
) -> Plan {
    let hs = instance.households();
    let mut per_window: Vec<Vec<usize>> = vec![Vec::new(); instance.windows().len()];
    for (h, p) in placement.iter().enumerate() {
        if let Ok(w) = p {
            per_window[*w].push(h);
        }
    }
    let batch_size = instance.settings().batch_size.get();
    let mut batch_of = vec![0u32; hs.len()];
    let mut windows = Vec::new();
    let mut figures = Figures::default();
    for (w, members) in per_window.iter_mut().enumerate() {
        members.sort_by_key(|&h| (std::cmp::Reverse(hs[h].size), h));
        let mut batches: Vec<u32> = Vec::new();
        for &h in members.iter() {
            let size = hs[h].size.get();
            let b = match batches.iter().position(|&p| p + size <= batch_size) {
                Some(b) => b,
                None => {
                    batches.push(0);
                    batches.len() - 1
                }
            };
            batches[b] += size;
            batch_of[h] = b as u32 + 1;
        }
        figures.batches += batches.len() as u64;
        if !members.is_empty() {
            windows.push(WindowLoad {
                window: instance.windows()[w].id,
                people: batches.iter().sum(),
                households: members.len() as u32,
                batches: batches.len() as u32,
            });
        }
    }
    for class in PriorityClass::ALL {
        figures.people_placed.insert(class, 0);
        figures.people_unplaced.insert(class, 0);
    }
    let mut assignments = Vec::new();
    let mut unplaced = Vec::new();
    let mut value = 0i64;
    for (h, p) in placement.iter().enumerate() {
        let hh = &hs[h];
        let size = hh.size.get();
        match p {
            Ok(w) => {
                let win = &instance.windows()[*w];
                let rv = &instance.rvs()[win.rv];
                let seconds = travel.seconds(&hh.location, &rv.location);
                value += i64::from(size) * (weight(instance, hh.class) - i64::from(seconds));
                figures.travel_seconds_total += u64::from(size) * u64::from(seconds);
                figures.households_placed += 1;
                *figures.people_placed.entry(hh.class).or_default() += u64::from(size);
                assignments.push(Assignment {
                    household: hh.id,
                    window: win.id,
                    rv: rv.id,
                    batch: batch_of[h],
                    travel_seconds: seconds,
                });
            }
            Err(reason) => {
                figures.households_unplaced += 1;
                *figures.people_unplaced.entry(hh.class).or_default() += u64::from(size);
                unplaced.push(Unplaced {
                    household: hh.id,
                    reason: *reason,
                });
            }
        }
    }
    let bound = bound.max(value as f64);
    Plan {
        objective: Objective {
            value,
            bound,
            gap: if bound > 0.0 {
                (bound - value as f64) / bound
            } else {
                0.0
            },
            weights: PriorityClass::ALL
                .iter()
                .map(|&c| (c, weight(instance, c)))
                .collect(),
        },
        figures,
        moved: None,
        assignments,
        unplaced,
        windows,
    }
}

/// Every hard constraint a plan must keep, checked from the plan and the instance alone:
/// each household once (placed or unplaced with a reason), no window, gate period or escort
/// batch over capacity, nobody at a closed RV or gate, every household at an RV its needs
/// allow, every pin kept, and the objective as stated. Returns what is broken.
pub fn check(instance: &Instance, travel: &dyn TravelCost, plan: &Plan) -> Vec<String> {
    let mut broken = Vec::new();
    let hs = instance.households();
    let index: HashMap<HouseholdId, usize> =
        hs.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
    let mut seen = vec![0u32; hs.len()];
    let mut window_people = vec![0u32; instance.windows().len()];
    let mut batch_people: HashMap<(usize, u32), u32> = HashMap::new();
    let mut value = 0i64;
    for a in &plan.assignments {
        let (Some(&h), Some(w)) = (index.get(&a.household), instance.window_index(a.window)) else {
            broken.push(format!(
                "assignment of household {} to window {} names an unknown item",
                a.household, a.window
            ));
            continue;
        };
        seen[h] += 1;
        let hh = &hs[h];
        let win = &instance.windows()[w];
        let rv = &instance.rvs()[win.rv];
        if rv.id != a.rv {
            broken.push(format!(
                "household {}: window {} is not at rv {}",
                hh.id, win.id, a.rv
            ));
        }
        if !instance.rv_open(win.rv) {
            broken.push(format!(
                "household {}: rv {} or its gate is not open",
                hh.id, rv.id
            ));
        }
        let seconds = travel.seconds(&hh.location, &rv.location);
        if seconds != a.travel_seconds {
            broken.push(format!(
                "household {}: travel is {seconds} s, not {}",
                hh.id, a.travel_seconds
            ));
        }
        let pinned_here = hh.pinned == Some(w);
        if hh.pinned.is_some() && !pinned_here {
            broken.push(format!(
                "household {}: moved off the window it is pinned to",
                hh.id
            ));
        }
        if !pinned_here
            && (!instance.vehicle_allows(hh, win.rv) || seconds > instance.travel_limit(hh))
        {
            broken.push(format!(
                "household {}: rv {} does not meet its needs",
                hh.id, rv.id
            ));
        }
        window_people[w] += hh.size.get();
        *batch_people.entry((w, a.batch)).or_default() += hh.size.get();
        value += i64::from(hh.size.get()) * (weight(instance, hh.class) - i64::from(seconds));
    }
    for u in &plan.unplaced {
        match index.get(&u.household) {
            Some(&h) => {
                seen[h] += 1;
                if hs[h]
                    .pinned
                    .is_some_and(|w| instance.rv_open(instance.windows()[w].rv))
                {
                    broken.push(format!(
                        "household {}: pinned to an open window but unplaced",
                        u.household
                    ));
                }
            }
            None => broken.push(format!("unplaced household {} is unknown", u.household)),
        }
    }
    for (h, n) in seen.iter().enumerate() {
        if *n != 1 {
            broken.push(format!(
                "household {} appears {n} times in the plan",
                hs[h].id
            ));
        }
    }
    let mut period_people = vec![0u32; instance.periods().len()];
    for (w, win) in instance.windows().iter().enumerate() {
        if window_people[w] > win.spec.capacity.get() {
            broken.push(format!(
                "window {}: {} people over its capacity {}",
                win.id, window_people[w], win.spec.capacity
            ));
        }
        period_people[win.period] += window_people[w];
    }
    for (p, period) in instance.periods().iter().enumerate() {
        if period_people[p] > period.capacity {
            broken.push(format!(
                "gate {}: {} people in one period over its throughput ({})",
                instance.gates()[period.gate].id,
                period_people[p],
                period.capacity
            ));
        }
    }
    let batch_size = instance.settings().batch_size.get();
    for ((w, b), people) in &batch_people {
        if *people > batch_size || *b == 0 {
            broken.push(format!(
                "window {} batch {b}: {people} people, batches hold {batch_size}",
                instance.windows()[*w].id
            ));
        }
    }
    if value != plan.objective.value {
        broken.push(format!(
            "objective is {value}, the plan says {}",
            plan.objective.value
        ));
    }
    if plan.objective.bound + 1e-6 < value as f64 {
        broken.push(format!(
            "bound {} is below the objective {value}",
            plan.objective.bound
        ));
    }
    broken
}
