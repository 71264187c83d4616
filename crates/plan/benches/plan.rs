//! The planner's benchmark: generated instances (100,000 people / 500 windows and
//! 1,000,000 people / 4,000 windows by default) planned in release, with the gap to the
//! bound, every hard constraint checked, a re-plan after one RV is suspended, and the anchor:
//! the reference solver (successive shortest paths) and the cost-scaling solver on the same
//! aggregated flow network, in the same run.
//!
//! `cargo bench -p safeconduct-plan --bench plan`; `PLAN_BENCH_SIZES=100000:500` chooses the
//! instances, `PLAN_BENCH_REFERENCE=0` skips the reference (slow on the largest network).

use safeconduct_domain::RvId;
use safeconduct_plan::generate::{Recipe, generate};
use safeconduct_plan::{
    Change, Instance, StraightLine, aggregated_network, check, flow, plan, reference, replan,
};
use std::time::Instant;

fn seconds(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() {
    let sizes =
        std::env::var("PLAN_BENCH_SIZES").unwrap_or_else(|_| "100000:500,1000000:4000".into());
    let with_reference = std::env::var("PLAN_BENCH_REFERENCE").map_or(true, |v| v != "0");
    for size in sizes.split(',') {
        let (people, windows) = size.split_once(':').expect("PEOPLE:WINDOWS");
        let recipe = Recipe {
            people: people.parse().expect("people"),
            windows: windows.parse().expect("windows"),
            seed: 15,
        };
        let instance = Instance::parse(&generate(recipe)).expect("a generated instance is valid");
        let travel = StraightLine::new(instance.settings().walking_speed);
        println!(
            "{people} people in {} households, {windows} windows at {} RVs, {} gates",
            instance.households().len(),
            instance.rvs().len(),
            instance.gates().len()
        );
        // Best of three: the machine is shared.
        let mut best = f64::MAX;
        let mut p = None;
        for _ in 0..3 {
            let t = Instant::now();
            let planned = plan(&instance);
            best = best.min(seconds(t));
            p = Some(planned);
        }
        let p = p.expect("planned");
        let broken = check(&instance, &travel, &p);
        println!(
            "  plan: {best:.3} s (best of 3), gap {:.3}%, {} of {} people placed, {} batches, {} broken constraints",
            p.objective.gap * 100.0,
            p.figures.people_placed.values().sum::<u64>(),
            people,
            p.figures.batches,
            broken.len()
        );
        println!("  placed by class {:?}", p.figures.people_placed);
        println!("  unplaced by class {:?}", p.figures.people_unplaced);

        let busiest = p
            .assignments
            .iter()
            .fold(std::collections::HashMap::new(), |mut m, a| {
                *m.entry(a.rv).or_insert(0u32) += 1;
                m
            });
        let rv: RvId = *busiest
            .iter()
            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(r.0)))
            .expect("an RV")
            .0;
        let change = Change::SuspendRv { rv };
        let mut best = f64::MAX;
        let mut r = None;
        for _ in 0..3 {
            let t = Instant::now();
            let replanned = replan(&instance, &p, &change).expect("replan");
            best = best.min(seconds(t));
            r = Some(replanned);
        }
        let r = r.expect("replanned");
        let changed = instance.with_change(&change).expect("change");
        println!(
            "  re-plan after RV {rv} is suspended: {best:.3} s (best of 3), {} households moved, gap {:.3}%, {} broken constraints",
            r.moved.unwrap_or(0),
            r.objective.gap * 100.0,
            check(&changed, &travel, &r).len()
        );

        let net = aggregated_network(&instance);
        let t = Instant::now();
        let fast = flow::min_cost_circulation(&net);
        let fast_s = seconds(t);
        print!(
            "  aggregated network: {} nodes, {} arcs; cost scaling {fast_s:.3} s",
            net.nodes(),
            net.arcs()
        );
        if with_reference {
            let t = Instant::now();
            let slow = reference::min_cost_circulation(&net);
            println!(
                ", reference (successive shortest paths) {:.3} s, same cost: {}",
                seconds(t),
                net.cost_of(&fast.flow) == net.cost_of(&slow.flow)
            );
        } else {
            println!();
        }
    }
}
