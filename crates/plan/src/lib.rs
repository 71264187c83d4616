//! The planner: which household goes to which rendezvous window. Households are aggregated
//! into groups (area cell × constraints × priority class), a minimum-cost flow over the groups
//! gives the plan's shape and the prices behind its bound, and an integral disaggregation
//! places whole households into windows and escort batches. A re-plan after a change moves
//! only the households the change affects.
//!
//! Architecture invariant: pure. It depends on `safeconduct-domain` only (with serde and
//! thiserror); no I/O, no clock, no randomness except the seeded generator of test and
//! benchmark instances. A server calls [`plan`] and [`replan`] directly.

pub mod error;
pub mod flow;
pub mod instance;
pub mod reference;
pub mod travel;
pub mod wire;

pub use error::PlanError;
pub use instance::Instance;
pub use travel::{StraightLine, TravelCost};

mod bound;
mod cells;
pub mod exact;
pub mod generate;
pub mod solution;
mod solve;

pub use solution::{Plan, UnplacedReason, check};

/// The plan of `instance` with straight-line travel at the instance's walking speed.
pub fn plan(instance: &Instance) -> Plan {
    plan_with(
        instance,
        &StraightLine::new(instance.settings().walking_speed),
    )
}

/// The plan of `instance` with the given travel cost.
/// On a tiny instance (at most [`exact::EXACT_HOUSEHOLDS`] households to place) the plan is
/// the exact optimum, and so is its bound.
pub fn plan_with(instance: &Instance, travel: &dyn TravelCost) -> Plan {
    let before = solve::initial_placement(instance);
    let mut placement = before.clone();
    let fixed = bound::placed_value(instance, travel, &placement);
    let pass = solve::run(instance, travel, &mut placement);
    let mut upper = bound::bound(instance, travel, &pass, fixed);
    if let Some(optimum) = exact::improve(instance, travel, &before, &mut placement) {
        upper = upper.min(fixed + optimum as f64);
    }
    solution::finish(instance, travel, &placement, upper)
}

pub mod replan;
pub use replan::Change;

/// The plan after `change`, moving only the households it affects where possible, with
/// straight-line travel.
pub fn replan(instance: &Instance, previous: &Plan, change: &Change) -> Result<Plan, PlanError> {
    let travel = StraightLine::new(instance.settings().walking_speed);
    replan::replan_with(instance, previous, change, &travel)
}

/// The aggregated flow network the planner solves for `instance` (for benchmarks and for
/// comparing solvers).
pub fn aggregated_network(instance: &Instance) -> flow::Network {
    let travel = StraightLine::new(instance.settings().walking_speed);
    let placement = solve::initial_placement(instance);
    let free: Vec<u32> = (0..placement.len() as u32)
        .filter(|&h| placement[h as usize] == Err(UnplacedReason::AllowedWindowsFull))
        .collect();
    let cells = cells::group(instance, &travel, &free);
    solve::build(instance, &cells, &solve::Rooms::new(instance, &placement)).net
}
