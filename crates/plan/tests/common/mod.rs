//! Small instances for property tests, and a brute-force planner that tries every placement.
#![allow(dead_code)]

use proptest::prelude::*;
use safeconduct_domain::model::{GateStatus, RvStatus};
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_domain::{GateId, HouseholdId, RvId, WindowId};
use safeconduct_plan::solution::weight;
use safeconduct_plan::wire::*;
use safeconduct_plan::{Instance, StraightLine, TravelCost};

/// Points about a kilometre apart: households and RVs stand on them.
const POINTS: [(f64, f64); 4] = [
    (34.50, 69.10),
    (34.51, 69.10),
    (34.50, 69.115),
    (34.52, 69.12),
];

fn point(i: usize) -> Coordinate {
    Coordinate::new(POINTS[i].0, POINTS[i].1).unwrap()
}

pub fn settings() -> SettingsRecord {
    SettingsRecord {
        batch_size: 12,
        walking_speed_m_per_s: 1.2,
        short_walk_seconds: 1_000,
        max_travel_seconds: 14_400,
        replan_threshold: 0.01,
    }
}

/// Instances of up to `households` households (sizes up to `max_size`) and three windows.
pub fn instances(households: usize, max_size: i64) -> impl Strategy<Value = InstanceFile> {
    let gates = prop::collection::vec((any::<bool>(), 1i64..60), 1..3);
    let rvs = prop::collection::vec(
        (0u8..5, any::<bool>(), 0..POINTS.len(), 0usize..2, 1i64..40),
        1..4,
    );
    let windows = prop::collection::vec((0usize..3, 0i64..3, 1i64..25), 1..4);
    let hs = prop::collection::vec(
        (
            1..=max_size,
            0usize..5,
            0..POINTS.len(),
            0u8..10,
            0u8..10,
            0i64..100,
        ),
        1..=households,
    );
    (gates, rvs, windows, hs).prop_map(|(gates, rvs, windows, hs)| {
        let gate_count = gates.len();
        let rv_count = rvs.len();
        InstanceFile {
            settings: settings(),
            gates: gates
                .into_iter()
                .enumerate()
                .map(|(i, (open, t))| GateRecord {
                    id: GateId(i as i64 + 1),
                    status: if open || i == 0 {
                        GateStatus::Open
                    } else {
                        GateStatus::Suspended
                    },
                    throughput_per_hour: t,
                })
                .collect(),
            rvs: rvs
                .into_iter()
                .enumerate()
                .map(|(i, (status, vehicle, p, gate, walk))| RvRecord {
                    id: RvId(i as i64 + 1),
                    status: if status == 0 {
                        RvStatus::Suspended
                    } else {
                        RvStatus::Active
                    },
                    vehicle_access: vehicle,
                    location: point(p),
                    gate: GateId((gate % gate_count) as i64 + 1),
                    walking_minutes: walk,
                })
                .collect(),
            windows: windows
                .into_iter()
                .enumerate()
                .map(|(i, (rv, slot, cap))| WindowRecord {
                    id: WindowId(i as i64 + 1),
                    rv: RvId((rv % rv_count) as i64 + 1),
                    start: 1_700_000_000 + slot * 3_600,
                    end: 1_700_000_000 + slot * 3_600 + 3_600,
                    capacity: cap,
                })
                .collect(),
            households: hs
                .into_iter()
                .enumerate()
                .map(
                    |(i, (size, class, p, vehicle, walk, registered))| HouseholdRecord {
                        id: HouseholdId(i as i64 + 1),
                        size,
                        class: PriorityClass::ALL[class],
                        location: point(p),
                        language: Language::Dari,
                        needs_vehicle_access: vehicle == 0,
                        cannot_walk_far: walk < 2,
                        registered,
                        pinned: None,
                    },
                )
                .collect(),
        }
    })
}

/// The best objective over every placement of every household (or none) that keeps the hard
/// constraints.
pub fn brute_force(instance: &Instance) -> i64 {
    let travel = StraightLine::new(instance.settings().walking_speed);
    let hs = instance.households();
    let ws = instance.windows();
    // Per household, its allowed windows with the value of placing it there.
    let options: Vec<Vec<(usize, i64)>> = hs
        .iter()
        .map(|h| {
            (0..ws.len())
                .filter_map(|w| {
                    let rv = ws[w].rv;
                    let c = travel.seconds(&h.location, &instance.rvs()[rv].location);
                    let ok = instance.rv_open(rv)
                        && instance.vehicle_allows(h, rv)
                        && c <= instance.travel_limit(h);
                    ok.then(|| {
                        (
                            w,
                            i64::from(h.size.get()) * (weight(instance, h.class) - i64::from(c)),
                        )
                    })
                })
                .collect()
        })
        .collect();
    let mut window = vec![0i64; ws.len()];
    let mut period = vec![0i64; instance.periods().len()];
    let mut best = 0;
    search(
        instance,
        &options,
        0,
        0,
        &mut window,
        &mut period,
        &mut best,
    );
    best
}

fn search(
    instance: &Instance,
    options: &[Vec<(usize, i64)>],
    h: usize,
    value: i64,
    window: &mut [i64],
    period: &mut [i64],
    best: &mut i64,
) {
    if h == options.len() {
        *best = (*best).max(value);
        return;
    }
    search(instance, options, h + 1, value, window, period, best);
    let size = i64::from(instance.households()[h].size.get());
    for &(w, v) in &options[h] {
        let win = &instance.windows()[w];
        let p = win.period;
        if window[w] + size <= i64::from(win.spec.capacity.get())
            && period[p] + size <= i64::from(instance.periods()[p].capacity)
        {
            window[w] += size;
            period[p] += size;
            search(instance, options, h + 1, value + v, window, period, best);
            window[w] -= size;
            period[p] -= size;
        }
    }
}
