//! Properties of every plan: it keeps every hard constraint; its bound is never below the
//! best plan a brute-force search finds, nor its objective above it, and on small instances
//! (households of 1 to 12 people) it is that optimum, with the bound equal to it; a re-plan moves no household
//! whose window stays feasible unless its objective beats the repaired plan by the threshold.

mod common;

use proptest::prelude::*;
use safeconduct_domain::values::Coordinate;
use safeconduct_domain::{GateId, RvId, WindowId};
use safeconduct_plan::replan::{Change, repair};
use safeconduct_plan::{Instance, StraightLine, TravelCost, check, plan, plan_with, replan};
use std::collections::HashMap;

/// The straight line, not declared a metric: the planner measures every RV.
struct Unpruned(StraightLine);

impl TravelCost for Unpruned {
    fn seconds(&self, from: &Coordinate, to: &Coordinate) -> u32 {
        self.0.seconds(from, to)
    }
}

fn travel(instance: &Instance) -> StraightLine {
    StraightLine::new(instance.settings().walking_speed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_plan_keeps_every_hard_constraint(file in common::instances(40, 12)) {
        let instance = Instance::parse(&file).unwrap();
        let p = plan(&instance);
        let broken = check(&instance, &travel(&instance), &p);
        prop_assert!(broken.is_empty(), "{:?}", broken);
        prop_assert_eq!(p.assignments.len() + p.unplaced.len(), instance.households().len());
    }

    #[test]
    fn the_bound_covers_the_brute_force_optimum_and_the_plan_never_exceeds_it(
        file in common::instances(6, 12)
    ) {
        let instance = Instance::parse(&file).unwrap();
        let best = common::brute_force(&instance);
        let p = plan(&instance);
        prop_assert!(p.objective.value <= best, "plan {} above the optimum {best}", p.objective.value);
        prop_assert!(p.objective.bound + 1e-6 >= best as f64, "bound {} below the optimum {best}", p.objective.bound);
    }

    #[test]
    fn a_travel_cost_that_is_no_metric_gives_the_same_plan_value_unpruned(
        file in common::instances(12, 12)
    ) {
        let instance = Instance::parse(&file).unwrap();
        let unpruned = Unpruned(travel(&instance));
        let p = plan_with(&instance, &unpruned);
        prop_assert!(check(&instance, &unpruned, &p).is_empty());
        prop_assert_eq!(p.objective.value, plan(&instance).objective.value);
        prop_assert!(p.objective.bound + 1e-6 >= common::brute_force(&instance) as f64);
    }

    #[test]
    fn one_person_households_at_shared_points_get_the_brute_force_optimum(
        file in common::instances(7, 1)
    ) {
        let instance = Instance::parse(&file).unwrap();
        prop_assert_eq!(plan(&instance).objective.value, common::brute_force(&instance));
    }

    #[test]
    fn households_of_one_to_twelve_people_get_the_brute_force_optimum(
        file in common::instances(8, 12)
    ) {
        let instance = Instance::parse(&file).unwrap();
        let best = common::brute_force(&instance);
        let p = plan(&instance);
        prop_assert_eq!(p.objective.value, best);
        prop_assert!(check(&instance, &travel(&instance), &p).is_empty());
        // The search proved it: the bound is the optimum, the gap nothing.
        prop_assert!((p.objective.bound - best as f64).abs() < 1e-6, "bound {}", p.objective.bound);
    }

    #[test]
    fn replan_moves_a_household_whose_window_stays_feasible_only_for_the_threshold(
        file in common::instances(40, 12),
        which in 0usize..3,
        target in 1i64..4,
        capacity in 1i64..25,
    ) {
        let instance = Instance::parse(&file).unwrap();
        let change = match which {
            0 => Change::SuspendRv { rv: RvId(target.min(file.rvs.len() as i64)) },
            1 => Change::SuspendGate { gate: GateId(target.min(file.gates.len() as i64)) },
            _ => Change::WindowCapacity { window: WindowId(target.min(file.windows.len() as i64)), capacity },
        };
        let previous = plan(&instance);
        let changed = instance.with_change(&change).unwrap();
        let t = travel(&instance);
        let next = replan(&instance, &previous, &change).unwrap();
        prop_assert!(check(&changed, &t, &next).is_empty());

        // Windows whose previous load still fits, in window and gate period alike.
        let size: HashMap<_, _> = instance.households().iter().map(|h| (h.id, i64::from(h.size.get()))).collect();
        let mut load = vec![0i64; changed.windows().len()];
        for a in &previous.assignments {
            load[changed.window_index(a.window).unwrap()] += size[&a.household];
        }
        let mut period_load = vec![0i64; changed.periods().len()];
        for (w, win) in changed.windows().iter().enumerate() {
            period_load[win.period] += load[w];
        }
        let still_fits = |w: usize| {
            let win = &changed.windows()[w];
            changed.rv_open(win.rv)
                && load[w] <= i64::from(win.spec.capacity.get())
                && period_load[win.period] <= i64::from(changed.periods()[win.period].capacity)
        };
        let now: HashMap<_, _> = next.assignments.iter().map(|a| (a.household, a.window)).collect();
        let moved_feasible = previous.assignments.iter().any(|a| {
            still_fits(changed.window_index(a.window).unwrap()) && now.get(&a.household) != Some(&a.window)
        });
        if moved_feasible {
            let repaired = repair(&changed, &t, &previous).unwrap();
            let threshold = 1.0 + changed.settings().replan_threshold;
            prop_assert!(next.objective.value as f64 > repaired.objective.value as f64 * threshold);
        }
    }
}
