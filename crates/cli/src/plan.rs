//! `safeconduct plan …`: plan a JSON instance into a JSON plan, re-plan it after a change,
//! export an operation's state as an instance, and generate realistic instances. The formats are described in docs/planning.md.
//!
//! It decides nothing itself: the plan crate plans and checks; this module reads and writes
//! files and reports progress on standard error.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use safeconduct_domain::{GateId, OperationId, RvId, WindowId};
use safeconduct_plan::generate::{Recipe, generate};
use safeconduct_plan::wire::InstanceFile;
use safeconduct_plan::{Change, Instance, Plan, StraightLine, check};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Assign households to rendezvous windows and escort batches.
    ///
    /// Reads an instance (settings, gates, RVs, windows, households), writes the plan: every
    /// household's window and batch or the reason it is unplaced, the objective, its upper
    /// bound and the gap between them. Higher priority classes are placed first, then the
    /// least total travel; households are never split; no window, gate period or batch goes
    /// over capacity; pinned households keep their windows. Prints a summary.
    Solve {
        /// The instance, JSON (docs/planning.md).
        #[arg(long)]
        input: PathBuf,
        /// Where to write the plan, JSON.
        #[arg(long)]
        output: PathBuf,
    },
    /// Re-plan after a change, moving only the households it affects where possible.
    ///
    /// Give exactly one change: --suspend-rv, --suspend-gate or --window-capacity.
    Replan {
        /// The instance the previous plan was made for.
        #[arg(long)]
        input: PathBuf,
        /// The previous plan.
        #[arg(long)]
        previous: PathBuf,
        /// Where to write the new plan.
        #[arg(long)]
        output: PathBuf,
        /// Suspend this rendezvous point (its id).
        #[arg(long, value_name = "RV")]
        suspend_rv: Option<i64>,
        /// Suspend this gate (its id).
        #[arg(long, value_name = "GATE")]
        suspend_gate: Option<i64>,
        /// Set a window's capacity: WINDOW=PEOPLE.
        #[arg(long, value_name = "WINDOW=PEOPLE")]
        window_capacity: Option<String>,
    },
    /// Export an operation's planning state as an instance (docs/planning.md), so that other
    /// tools can plan it or check the server's plans.
    ///
    /// The instance is the one the server plans: eligible households and those holding a
    /// window they have not reached, with their sizes, classes, approximate locations (rounded
    /// to about 100 m) and needs; RVs, gates and windows with the room left. It holds personal
    /// data (where households are): the export is audited, and the file should be kept like
    /// the database. Households are named by their ids, never by reference or name.
    Export {
        /// The operation.
        #[arg(long)]
        operation: i64,
        /// The instance of a re-plan: windows given by hand stay pinned, windows given by
        /// plans are not (without it: every window held stays, as a fresh plan keeps it).
        #[arg(long)]
        repair: bool,
        /// Where to write the instance, JSON.
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        data: crate::data::DataArgs,
    },
    /// Generate a realistic instance: households of 1 to 12 people (mean about 5) clustered
    /// in neighbourhoods, a priority mix, scarce vehicle-access RVs, two-hour windows with room
    /// for about 85% of the people. The same seed gives the same instance.
    Generate {
        /// How many people (the last household is trimmed to hit it).
        #[arg(long)]
        people: u64,
        /// How many windows (16 per rendezvous point, 12 RVs per gate).
        #[arg(long)]
        windows: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the instance, JSON.
        #[arg(long)]
        output: PathBuf,
    },
}

impl PlanCommand {
    pub fn run(self) -> Result<()> {
        match self {
            PlanCommand::Solve { input, output } => {
                let instance = read_instance(&input)?;
                eprintln!(
                    "planning {} households into {} windows…",
                    instance.households().len(),
                    instance.windows().len()
                );
                let t = Instant::now();
                let plan = safeconduct_plan::plan(&instance);
                finish(&instance, &plan, t, &output)
            }
            PlanCommand::Replan {
                input,
                previous,
                output,
                suspend_rv,
                suspend_gate,
                window_capacity,
            } => {
                let change = change(suspend_rv, suspend_gate, window_capacity)?;
                let instance = read_instance(&input)?;
                let previous: Plan = read_json(&previous)?;
                eprintln!("re-planning after {change:?}…");
                let t = Instant::now();
                let plan = safeconduct_plan::replan(&instance, &previous, &change)?;
                let changed = instance.with_change(&change)?;
                finish(&changed, &plan, t, &output)
            }
            PlanCommand::Export {
                operation,
                repair,
                output,
                data,
            } => export(&data, OperationId(operation), repair, &output),
            PlanCommand::Generate {
                people,
                windows,
                seed,
                output,
            } => {
                if people == 0 || windows == 0 {
                    bail!("--people and --windows must be at least 1");
                }
                let file = generate(Recipe {
                    people,
                    windows,
                    seed,
                });
                eprintln!(
                    "generated {} households, {} RVs, {} gates, {} windows",
                    file.households.len(),
                    file.rvs.len(),
                    file.gates.len(),
                    file.windows.len()
                );
                write_json(&output, &file)
            }
        }
    }
}

fn export(
    data: &crate::data::DataArgs,
    op: OperationId,
    repair: bool,
    output: &Path,
) -> Result<()> {
    use safeconduct_planning::{Mode, default_settings, prepare};
    let store = data.open()?;
    let now = safeconduct_keys::now();
    let state = store
        .planning_state(op)
        .with_context(|| format!("reading the planning state of operation {op}"))?;
    let mode = if repair { Mode::Repair } else { Mode::Fresh };
    let prepared = prepare(&state, default_settings(), mode, now)
        .with_context(|| format!("operation {op} does not make a valid instance"))?;
    let actor = safeconduct_store::Actor {
        device: Some("plan export".into()),
        ..safeconduct_store::Actor::system(now)
    };
    store
        .audit(&safeconduct_store::AuditEntry::by(
            &actor,
            Some(op),
            "plan_instance_exported",
            Some(format!("operation/{op}")),
        ))
        .context("auditing the export (nothing was written)")?;
    write_json(output, &prepared.file)?;
    println!(
        "exported {} households, {} RVs, {} gates, {} windows; {} households not given to the planner",
        prepared.file.households.len(),
        prepared.file.rvs.len(),
        prepared.file.gates.len(),
        prepared.file.windows.len(),
        prepared.not_planned.len()
    );
    Ok(())
}

fn change(rv: Option<i64>, gate: Option<i64>, window: Option<String>) -> Result<Change> {
    match (rv, gate, window) {
        (Some(rv), None, None) => Ok(Change::SuspendRv { rv: RvId(rv) }),
        (None, Some(gate), None) => Ok(Change::SuspendGate { gate: GateId(gate) }),
        (None, None, Some(w)) => {
            let (window, people) = w
                .split_once('=')
                .context("--window-capacity is WINDOW=PEOPLE, e.g. 12=180")?;
            Ok(Change::WindowCapacity {
                window: WindowId(
                    window
                        .trim()
                        .parse()
                        .context("--window-capacity: the window id")?,
                ),
                capacity: people
                    .trim()
                    .parse()
                    .context("--window-capacity: the people")?,
            })
        }
        _ => bail!("give exactly one change: --suspend-rv, --suspend-gate or --window-capacity"),
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    serde_json::from_reader(BufReader::new(file))
        .with_context(|| format!("reading {}", path.display()))
}

fn read_instance(path: &Path) -> Result<Instance> {
    eprintln!("reading {}…", path.display());
    let file: InstanceFile = read_json(path)?;
    Instance::parse(&file).with_context(|| format!("{} is not a valid instance", path.display()))
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, value)
        .with_context(|| format!("writing {}", path.display()))?;
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Checks the plan against every hard constraint, writes it and prints its figures.
fn finish(instance: &Instance, plan: &Plan, started: Instant, output: &Path) -> Result<()> {
    let took = started.elapsed().as_secs_f64();
    let travel = StraightLine::new(instance.settings().walking_speed);
    let broken = check(instance, &travel, plan);
    if !broken.is_empty() {
        bail!(
            "the plan breaks {} constraint(s), first: {}",
            broken.len(),
            broken[0]
        );
    }
    write_json(output, plan)?;
    let f = &plan.figures;
    println!(
        "planned in {took:.3} s: {} households placed, {} unplaced; objective {}, bound {:.0}, gap {:.3}%",
        f.households_placed,
        f.households_unplaced,
        plan.objective.value,
        plan.objective.bound,
        plan.objective.gap * 100.0
    );
    for (class, people) in &f.people_placed {
        println!(
            "  {:<20} {people:>9} people placed, {:>9} unplaced",
            class.as_str(),
            f.people_unplaced.get(class).copied().unwrap_or(0)
        );
    }
    println!(
        "  travel {:.1} person-hours, {} escort batches{}",
        f.travel_seconds_total as f64 / 3600.0,
        f.batches,
        plan.moved
            .map(|m| format!(", {m} households moved"))
            .unwrap_or_default()
    );
    Ok(())
}
