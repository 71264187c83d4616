//! One test per refusal of `Instance::parse`: each names the item that is wrong.

mod common;

use safeconduct_domain::model::{GateStatus, RvStatus};
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_domain::{GateId, HouseholdId, RvId, WindowId};
use safeconduct_plan::Instance;
use safeconduct_plan::wire::*;

fn valid() -> InstanceFile {
    let at = Coordinate::new(34.5, 69.1).unwrap();
    InstanceFile {
        settings: common::settings(),
        gates: vec![GateRecord {
            id: GateId(1),
            status: GateStatus::Open,
            throughput_per_hour: 100,
        }],
        rvs: vec![RvRecord {
            id: RvId(1),
            status: RvStatus::Active,
            vehicle_access: false,
            location: at,
            gate: GateId(1),
            walking_minutes: 20,
        }],
        windows: vec![WindowRecord {
            id: WindowId(1),
            rv: RvId(1),
            start: 0,
            end: 3_600,
            capacity: 10,
        }],
        households: vec![HouseholdRecord {
            id: HouseholdId(1),
            size: 4,
            class: PriorityClass::Other,
            location: at,
            language: Language::Pashto,
            needs_vehicle_access: false,
            cannot_walk_far: false,
            registered: 0,
            pinned: None,
        }],
    }
}

fn refusal(spoil: impl FnOnce(&mut InstanceFile)) -> String {
    let mut f = valid();
    spoil(&mut f);
    Instance::parse(&f).unwrap_err().to_string()
}

#[test]
fn the_valid_instance_parses() {
    assert!(Instance::parse(&valid()).is_ok());
}

#[test]
fn negative_window_capacity_is_refused() {
    assert_eq!(
        refusal(|f| f.windows[0].capacity = -5),
        "window 1: capacity -5 is not a count of people"
    );
}

#[test]
fn window_of_zero_capacity_is_refused() {
    assert!(refusal(|f| f.windows[0].capacity = 0).starts_with("window 1: capacity"));
}

#[test]
fn window_at_an_unknown_rv_is_refused() {
    assert_eq!(
        refusal(|f| f.windows[0].rv = RvId(9)),
        "window 1: unknown rv 9"
    );
}

#[test]
fn window_ending_before_it_starts_is_refused() {
    assert!(refusal(|f| f.windows[0].end = -1).starts_with("window 1: end"));
}

#[test]
fn rv_of_an_unknown_gate_is_refused() {
    assert_eq!(
        refusal(|f| f.rvs[0].gate = GateId(4)),
        "rv 1: unknown gate 4"
    );
}

#[test]
fn rv_with_no_walk_to_its_gate_is_refused() {
    assert!(refusal(|f| f.rvs[0].walking_minutes = 0).starts_with("rv 1: walking time 0"));
}

#[test]
fn gate_of_negative_throughput_is_refused() {
    assert!(refusal(|f| f.gates[0].throughput_per_hour = -1).starts_with("gate 1: throughput -1"));
}

#[test]
fn household_of_nobody_is_refused() {
    assert_eq!(
        refusal(|f| f.households[0].size = 0),
        "household 1: size 0 is outside 1..12 people"
    );
}

#[test]
fn household_over_twelve_is_refused() {
    assert_eq!(
        refusal(|f| f.households[0].size = 13),
        "household 1: size 13 is outside 1..12 people"
    );
}

#[test]
fn duplicate_household_ids_are_refused() {
    let e = refusal(|f| f.households.push(f.households[0].clone()));
    assert_eq!(e, "household 1: the id is used twice");
}

#[test]
fn duplicate_window_ids_are_refused() {
    assert_eq!(
        refusal(|f| f.windows.push(f.windows[0].clone())),
        "window 1: the id is used twice"
    );
}

#[test]
fn pin_to_an_unknown_window_is_refused() {
    assert_eq!(
        refusal(|f| f.households[0].pinned = Some(WindowId(7))),
        "household 1: pinned to unknown window 7"
    );
}

#[test]
fn pin_against_the_households_own_vehicle_need_is_refused() {
    let e = refusal(|f| {
        f.households[0].needs_vehicle_access = true;
        f.households[0].pinned = Some(WindowId(1));
    });
    assert!(
        e.starts_with("household 1: needs vehicle access but is pinned"),
        "{e}"
    );
}

#[test]
fn pins_over_a_windows_capacity_are_refused() {
    let e = refusal(|f| {
        f.windows[0].capacity = 3;
        f.households[0].pinned = Some(WindowId(1));
    });
    assert!(
        e.starts_with("window 1: households pinned to it (4 people) exceed"),
        "{e}"
    );
}

#[test]
fn pins_over_a_gate_periods_throughput_are_refused() {
    let e = refusal(|f| {
        f.gates[0].throughput_per_hour = 2;
        f.households[0].pinned = Some(WindowId(1));
    });
    assert!(e.starts_with("gate 1: households pinned"), "{e}");
}

#[test]
fn batch_smaller_than_the_largest_household_is_refused() {
    assert!(refusal(|f| f.settings.batch_size = 11).starts_with("settings.batch_size: 11"));
}

#[test]
fn short_walk_longer_than_the_longest_trip_is_refused() {
    assert!(
        refusal(|f| f.settings.short_walk_seconds = 20_000)
            .starts_with("settings.short_walk_seconds")
    );
}

#[test]
fn walking_speed_out_of_range_is_refused() {
    assert!(
        refusal(|f| f.settings.walking_speed_m_per_s = 0.0)
            .starts_with("settings.walking_speed_m_per_s")
    );
}
