//! Plans of hand-made instances: each unplaced reason where it belongs, the higher class
//! first, the earlier registration first within a class, gate periods shared by overlapping
//! windows, and a re-plan that empties a suspended RV.

mod common;

use safeconduct_domain::model::{GateStatus, RvStatus};
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_domain::{GateId, HouseholdId, RvId, WindowId};
use safeconduct_plan::wire::*;
use safeconduct_plan::{Change, Instance, Plan, UnplacedReason, plan, replan};

fn at(km_north: f64) -> Coordinate {
    Coordinate::new(34.5 + km_north / 111.32, 69.1).unwrap()
}

fn rv(id: i64, active: bool, vehicle: bool, gate: i64) -> RvRecord {
    RvRecord {
        id: RvId(id),
        status: if active {
            RvStatus::Active
        } else {
            RvStatus::Suspended
        },
        vehicle_access: vehicle,
        location: at(0.0),
        gate: GateId(gate),
        walking_minutes: 20,
    }
}

fn window(id: i64, rv: i64, capacity: i64) -> WindowRecord {
    WindowRecord {
        id: WindowId(id),
        rv: RvId(rv),
        start: 0,
        end: 3_600,
        capacity,
    }
}

fn household(id: i64, size: i64, class: PriorityClass, registered: i64) -> HouseholdRecord {
    HouseholdRecord {
        id: HouseholdId(id),
        size,
        class,
        location: at(0.5),
        language: Language::Dari,
        needs_vehicle_access: false,
        cannot_walk_far: false,
        registered,
        pinned: None,
    }
}

fn instance(
    rvs: Vec<RvRecord>,
    windows: Vec<WindowRecord>,
    households: Vec<HouseholdRecord>,
) -> InstanceFile {
    InstanceFile {
        settings: common::settings(),
        gates: vec![GateRecord {
            id: GateId(1),
            status: GateStatus::Open,
            throughput_per_hour: 1_000,
        }],
        rvs,
        windows,
        households,
    }
}

fn window_of(p: &Plan, h: i64) -> Option<i64> {
    p.assignments
        .iter()
        .find(|a| a.household.0 == h)
        .map(|a| a.window.0)
}

fn reason_of(p: &Plan, h: i64) -> Option<UnplacedReason> {
    p.unplaced
        .iter()
        .find(|u| u.household.0 == h)
        .map(|u| u.reason)
}

#[test]
fn each_unplaced_household_gets_the_reason_that_holds_and_the_higher_class_goes_first() {
    let mut far = household(4, 2, PriorityClass::Elderly, 0);
    far.cannot_walk_far = true;
    far.location = at(10.0);
    let mut vehicle = household(3, 2, PriorityClass::Disability, 0);
    vehicle.needs_vehicle_access = true;
    let mut pinned = household(5, 2, PriorityClass::Other, 0);
    pinned.pinned = Some(WindowId(2));
    let file = instance(
        vec![rv(1, true, false, 1), rv(2, false, true, 1)],
        vec![window(1, 1, 4), window(2, 2, 10)],
        vec![
            household(1, 4, PriorityClass::Other, 0),
            household(2, 3, PriorityClass::Other, 50),
            vehicle,
            far,
            pinned,
            household(6, 4, PriorityClass::Medical, 100),
        ],
    );
    let p = plan(&Instance::parse(&file).unwrap());
    assert_eq!(window_of(&p, 6), Some(1), "the medical household first");
    assert_eq!(reason_of(&p, 1), Some(UnplacedReason::AllowedWindowsFull));
    assert_eq!(reason_of(&p, 2), Some(UnplacedReason::AllowedWindowsFull));
    assert_eq!(reason_of(&p, 3), Some(UnplacedReason::AllowedRvsSuspended));
    assert_eq!(reason_of(&p, 4), Some(UnplacedReason::NoAllowedRv));
    assert_eq!(
        reason_of(&p, 5),
        Some(UnplacedReason::PinnedWindowUnavailable)
    );
}

#[test]
fn within_a_class_the_earlier_registration_is_placed() {
    let file = instance(
        vec![rv(1, true, false, 1)],
        vec![window(1, 1, 2)],
        vec![
            household(1, 2, PriorityClass::Other, 900),
            household(2, 2, PriorityClass::Other, 100),
            household(3, 2, PriorityClass::Other, 500),
        ],
    );
    let p = plan(&Instance::parse(&file).unwrap());
    assert_eq!(window_of(&p, 2), Some(1));
    assert_eq!(p.figures.households_placed, 1);
}

#[test]
fn overlapping_windows_at_one_gate_share_its_throughput() {
    let mut file = instance(
        vec![rv(1, true, false, 1), rv(2, true, false, 1)],
        vec![window(1, 1, 10), window(2, 2, 10)],
        (1..=8)
            .map(|i| household(i, 1, PriorityClass::Other, i))
            .collect(),
    );
    file.gates[0].throughput_per_hour = 5;
    let instance = Instance::parse(&file).unwrap();
    assert_eq!(instance.periods().len(), 1);
    assert_eq!(instance.periods()[0].capacity, 5);
    let p = plan(&instance);
    assert_eq!(
        p.figures.households_placed, 5,
        "five an hour through the one gate"
    );
}

#[test]
fn replan_after_an_rv_is_suspended_leaves_nobody_there_and_counts_the_moves() {
    let file = instance(
        vec![rv(1, true, false, 1), rv(2, true, false, 1)],
        vec![window(1, 1, 6), window(2, 2, 12)],
        (1..=6)
            .map(|i| household(i, 3, PriorityClass::Other, i))
            .collect(),
    );
    let instance = Instance::parse(&file).unwrap();
    let before = plan(&instance);
    let at_rv1: Vec<_> = before
        .assignments
        .iter()
        .filter(|a| a.rv == RvId(1))
        .map(|a| a.household)
        .collect();
    assert_eq!(at_rv1.len(), 2);
    let after = replan(&instance, &before, &Change::SuspendRv { rv: RvId(1) }).unwrap();
    assert!(after.assignments.iter().all(|a| a.rv != RvId(1)));
    assert_eq!(after.moved, Some(2));
    for a in before.assignments.iter().filter(|a| a.rv == RvId(2)) {
        assert_eq!(window_of(&after, a.household.0), Some(a.window.0), "kept");
    }
}

#[test]
fn an_instance_without_households_or_windows_plans_to_nothing() {
    let empty = instance(vec![rv(1, true, false, 1)], vec![], vec![]);
    let p = plan(&Instance::parse(&empty).unwrap());
    assert_eq!((p.objective.value, p.objective.gap), (0, 0.0));
    let no_windows = instance(
        vec![rv(1, true, false, 1)],
        vec![],
        vec![household(1, 2, PriorityClass::Medical, 0)],
    );
    let p = plan(&Instance::parse(&no_windows).unwrap());
    assert_eq!(reason_of(&p, 1), Some(UnplacedReason::AllowedWindowsFull));
}
