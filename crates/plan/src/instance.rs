//! A planning instance checked once: households, rendezvous points, gates and windows as
//! validated values with their cross-references resolved to indices, and the gate periods
//! (windows whose batches reach one gate at overlapping times share its throughput).
//! Built one way, [`Instance::parse`], from the JSON format of `wire`.
//!
//! Imports `wire`, `error` and the domain; nothing that plans.

use crate::error::{Item, PlanError};
use crate::wire::*;
use safeconduct_domain::model::{GateStatus, RvStatus, WindowSpec};
use safeconduct_domain::places::{Throughput, WalkingTime};
use safeconduct_domain::values::{Coordinate, Language, Timestamp};
use safeconduct_domain::{GateId, HouseholdId, RvId, WindowId};
use std::collections::HashMap;

/// How many people a household is: 1 to [`PartySize::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartySize(u8);

impl PartySize {
    /// The planner's largest household; a larger registered household is planned as two.
    pub const MAX: u8 = 12;

    pub fn new(people: i64) -> Result<Self, String> {
        if !(1..=i64::from(Self::MAX)).contains(&people) {
            return Err(format!("size {people} is outside 1..{} people", Self::MAX));
        }
        Ok(PartySize(people as u8))
    }

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

/// The most people walked as one escort batch: at least the largest household, so that a
/// household is never split between batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSize(u32);

impl BatchSize {
    pub const MAX: u32 = 1_000;

    pub fn new(people: i64) -> Result<Self, PlanError> {
        let min = i64::from(PartySize::MAX);
        if !(min..=i64::from(Self::MAX)).contains(&people) {
            return Err(PlanError::Setting {
                field: "batch_size",
                reason: format!(
                    "{people} is outside {min}..{} (a batch must hold the largest household)",
                    Self::MAX
                ),
            });
        }
        Ok(BatchSize(people as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The checked settings of an instance.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub batch_size: BatchSize,
    /// Metres per second, 0.1 to 5.
    pub walking_speed: f64,
    pub short_walk_seconds: u32,
    pub max_travel_seconds: u32,
    pub replan_threshold: f64,
}

impl Settings {
    /// The longest trip anyone is sent on: one day.
    pub const MAX_TRAVEL_SECONDS: i64 = 86_400;

    pub fn parse(r: &SettingsRecord) -> Result<Self, PlanError> {
        let setting = |field, reason: String| PlanError::Setting { field, reason };
        if !(0.1..=5.0).contains(&r.walking_speed_m_per_s) {
            return Err(setting(
                "walking_speed_m_per_s",
                format!("{} is outside 0.1..5", r.walking_speed_m_per_s),
            ));
        }
        if !(60..=Self::MAX_TRAVEL_SECONDS).contains(&r.max_travel_seconds) {
            return Err(setting(
                "max_travel_seconds",
                format!("{} is outside 60..86400", r.max_travel_seconds),
            ));
        }
        if !(1..=r.max_travel_seconds).contains(&r.short_walk_seconds) {
            return Err(setting(
                "short_walk_seconds",
                format!(
                    "{} is outside 1..max_travel_seconds ({})",
                    r.short_walk_seconds, r.max_travel_seconds
                ),
            ));
        }
        if !(0.0..=1.0).contains(&r.replan_threshold) {
            return Err(setting(
                "replan_threshold",
                format!("{} is outside 0..1", r.replan_threshold),
            ));
        }
        Ok(Settings {
            batch_size: BatchSize::new(r.batch_size)?,
            walking_speed: r.walking_speed_m_per_s,
            short_walk_seconds: r.short_walk_seconds as u32,
            max_travel_seconds: r.max_travel_seconds as u32,
            replan_threshold: r.replan_threshold,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Gate {
    pub id: GateId,
    pub status: GateStatus,
    pub throughput: Throughput,
}

#[derive(Debug, Clone)]
pub struct Rv {
    pub id: RvId,
    pub status: RvStatus,
    pub vehicle_access: bool,
    pub location: Coordinate,
    /// Index of its gate.
    pub gate: usize,
    pub walking: WalkingTime,
}

#[derive(Debug, Clone)]
pub struct Window {
    pub id: WindowId,
    /// Index of its RV.
    pub rv: usize,
    pub spec: WindowSpec,
    /// Index of its gate period.
    pub period: usize,
}

/// Windows whose batches reach one gate at overlapping times: together they may bring at most
/// the gate's throughput times the length of the time their arrivals cover.
#[derive(Debug, Clone)]
pub struct GatePeriod {
    pub gate: usize,
    pub capacity: u32,
    pub windows: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Household {
    pub id: HouseholdId,
    pub size: PartySize,
    pub class: PriorityClass,
    pub location: Coordinate,
    pub language: Language,
    pub needs_vehicle_access: bool,
    pub cannot_walk_far: bool,
    pub registered: Timestamp,
    /// Index of the window it is pinned to.
    pub pinned: Option<usize>,
}

/// A checked instance. Every index inside it is valid.
#[derive(Debug, Clone)]
pub struct Instance {
    settings: Settings,
    gates: Vec<Gate>,
    rvs: Vec<Rv>,
    windows: Vec<Window>,
    periods: Vec<GatePeriod>,
    households: Vec<Household>,
    window_index: HashMap<WindowId, usize>,
}

fn unique<K: std::hash::Hash + Eq + Copy>(
    item: Item,
    ids: impl Iterator<Item = (K, i64)>,
) -> Result<HashMap<K, usize>, PlanError> {
    let mut map = HashMap::new();
    for (i, (key, raw)) in ids.enumerate() {
        if map.insert(key, i).is_some() {
            return Err(PlanError::Duplicate { item, id: raw });
        }
    }
    Ok(map)
}

impl Instance {
    pub fn parse(file: &InstanceFile) -> Result<Self, PlanError> {
        let settings = Settings::parse(&file.settings)?;
        let gate_index = unique(Item::Gate, file.gates.iter().map(|g| (g.id, g.id.0)))?;
        let rv_index = unique(Item::Rv, file.rvs.iter().map(|r| (r.id, r.id.0)))?;
        let window_index = unique(Item::Window, file.windows.iter().map(|w| (w.id, w.id.0)))?;
        unique(
            Item::Household,
            file.households.iter().map(|h| (h.id, h.id.0)),
        )?;

        let gates = file
            .gates
            .iter()
            .map(|g| {
                let throughput = u32::try_from(g.throughput_per_hour)
                    .map_err(|_| ())
                    .and_then(|t| Throughput::new(t).map_err(|_| ()))
                    .map_err(|()| {
                        PlanError::invalid(
                            Item::Gate,
                            g.id.0,
                            format!(
                                "throughput {} is outside 1..{} people per hour",
                                g.throughput_per_hour,
                                Throughput::MAX
                            ),
                        )
                    })?;
                Ok(Gate {
                    id: g.id,
                    status: g.status,
                    throughput,
                })
            })
            .collect::<Result<Vec<_>, PlanError>>()?;

        let rvs = file
            .rvs
            .iter()
            .map(|r| {
                let gate = *gate_index.get(&r.gate).ok_or_else(|| {
                    PlanError::invalid(Item::Rv, r.id.0, format!("unknown gate {}", r.gate))
                })?;
                let walking = u32::try_from(r.walking_minutes)
                    .ok()
                    .and_then(|m| WalkingTime::new(m).ok())
                    .ok_or_else(|| {
                        PlanError::invalid(
                            Item::Rv,
                            r.id.0,
                            format!(
                                "walking time {} minutes is outside {}..{}",
                                r.walking_minutes,
                                WalkingTime::MIN_MINUTES,
                                WalkingTime::MAX_MINUTES
                            ),
                        )
                    })?;
                Ok(Rv {
                    id: r.id,
                    status: r.status,
                    vehicle_access: r.vehicle_access,
                    location: r.location,
                    gate,
                    walking,
                })
            })
            .collect::<Result<Vec<_>, PlanError>>()?;

        let mut windows = file
            .windows
            .iter()
            .map(|w| {
                let refuse = |reason: String| PlanError::invalid(Item::Window, w.id.0, reason);
                let rv = *rv_index
                    .get(&w.rv)
                    .ok_or_else(|| refuse(format!("unknown rv {}", w.rv)))?;
                let capacity = u32::try_from(w.capacity).map_err(|_| {
                    refuse(format!("capacity {} is not a count of people", w.capacity))
                })?;
                let spec = WindowSpec::new(Timestamp(w.start), Timestamp(w.end), capacity)
                    .map_err(|e| refuse(e.to_string()))?;
                Ok(Window {
                    id: w.id,
                    rv,
                    spec,
                    period: 0,
                })
            })
            .collect::<Result<Vec<_>, PlanError>>()?;
        let periods = gate_periods(&gates, &rvs, &mut windows);

        let mut pinned_people = vec![0u32; windows.len()];
        let households = file
            .households
            .iter()
            .map(|h| {
                let refuse = |reason: String| PlanError::invalid(Item::Household, h.id.0, reason);
                let size = PartySize::new(h.size).map_err(refuse)?;
                let pinned = match h.pinned {
                    None => None,
                    Some(w) => {
                        let wi = *window_index
                            .get(&w)
                            .ok_or_else(|| refuse(format!("pinned to unknown window {w}")))?;
                        if h.needs_vehicle_access && !rvs[windows[wi].rv].vehicle_access {
                            return Err(refuse(format!(
                                "needs vehicle access but is pinned to window {w}, whose RV has none"
                            )));
                        }
                        pinned_people[wi] += size.get();
                        Some(wi)
                    }
                };
                Ok(Household {
                    id: h.id,
                    size,
                    class: h.class,
                    location: h.location,
                    language: h.language,
                    needs_vehicle_access: h.needs_vehicle_access,
                    cannot_walk_far: h.cannot_walk_far,
                    registered: Timestamp(h.registered),
                    pinned,
                })
            })
            .collect::<Result<Vec<_>, PlanError>>()?;
        for (w, people) in windows.iter().zip(&pinned_people) {
            if *people > w.spec.capacity.get() {
                return Err(PlanError::invalid(
                    Item::Window,
                    w.id.0,
                    format!(
                        "households pinned to it ({people} people) exceed its capacity {}",
                        w.spec.capacity
                    ),
                ));
            }
        }
        let mut period_people = vec![0u32; periods.len()];
        for (w, people) in windows.iter().zip(&pinned_people) {
            period_people[w.period] += people;
        }
        for (p, people) in periods.iter().zip(&period_people) {
            if *people > p.capacity {
                return Err(PlanError::invalid(
                    Item::Gate,
                    gates[p.gate].id.0,
                    format!(
                        "households pinned to windows arriving in one period ({people} people) \
                         exceed its throughput over that period ({})",
                        p.capacity
                    ),
                ));
            }
        }
        Ok(Instance {
            settings,
            gates,
            rvs,
            windows,
            periods,
            households,
            window_index,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    pub fn gates(&self) -> &[Gate] {
        &self.gates
    }
    pub fn rvs(&self) -> &[Rv] {
        &self.rvs
    }
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }
    pub fn periods(&self) -> &[GatePeriod] {
        &self.periods
    }
    pub fn households(&self) -> &[Household] {
        &self.households
    }
    pub fn window_index(&self, id: WindowId) -> Option<usize> {
        self.window_index.get(&id).copied()
    }

    /// Whether an RV takes anyone now: it is active and its gate is open.
    pub fn rv_open(&self, rv: usize) -> bool {
        let r = &self.rvs[rv];
        r.status == RvStatus::Active && self.gates[r.gate].status == GateStatus::Open
    }

    /// Whether a household's own needs allow an RV, leaving aside its status and the trip's
    /// length (which needs a travel cost).
    pub fn vehicle_allows(&self, h: &Household, rv: usize) -> bool {
        !h.needs_vehicle_access || self.rvs[rv].vehicle_access
    }

    /// The longest trip a household may be sent on.
    pub fn travel_limit(&self, h: &Household) -> u32 {
        if h.cannot_walk_far {
            self.settings.short_walk_seconds
        } else {
            self.settings.max_travel_seconds
        }
    }

    /// The instance in its wire form, for writing or for a change.
    pub fn to_file(&self) -> InstanceFile {
        let s = &self.settings;
        InstanceFile {
            settings: SettingsRecord {
                batch_size: i64::from(s.batch_size.get()),
                walking_speed_m_per_s: s.walking_speed,
                short_walk_seconds: i64::from(s.short_walk_seconds),
                max_travel_seconds: i64::from(s.max_travel_seconds),
                replan_threshold: s.replan_threshold,
            },
            gates: self
                .gates
                .iter()
                .map(|g| GateRecord {
                    id: g.id,
                    status: g.status,
                    throughput_per_hour: i64::from(g.throughput.get()),
                })
                .collect(),
            rvs: self
                .rvs
                .iter()
                .map(|r| RvRecord {
                    id: r.id,
                    status: r.status,
                    vehicle_access: r.vehicle_access,
                    location: r.location,
                    gate: self.gates[r.gate].id,
                    walking_minutes: i64::from(r.walking.minutes()),
                })
                .collect(),
            windows: self
                .windows
                .iter()
                .map(|w| WindowRecord {
                    id: w.id,
                    rv: self.rvs[w.rv].id,
                    start: w.spec.start.0,
                    end: w.spec.end.0,
                    capacity: i64::from(w.spec.capacity.get()),
                })
                .collect(),
            households: self
                .households
                .iter()
                .map(|h| HouseholdRecord {
                    id: h.id,
                    size: i64::from(h.size.get()),
                    class: h.class,
                    location: h.location,
                    language: h.language,
                    needs_vehicle_access: h.needs_vehicle_access,
                    cannot_walk_far: h.cannot_walk_far,
                    registered: h.registered.0,
                    pinned: h.pinned.map(|w| self.windows[w].id),
                })
                .collect(),
        }
    }
}

/// Groups each gate's windows by overlapping arrival times (window shifted by the walk from
/// its RV) and gives each group the gate's throughput over the time the group covers. A window
/// alone is limited to throughput times its own length.
fn gate_periods(gates: &[Gate], rvs: &[Rv], windows: &mut [Window]) -> Vec<GatePeriod> {
    let mut by_gate: Vec<Vec<(i64, i64, usize)>> = vec![Vec::new(); gates.len()];
    for (i, w) in windows.iter().enumerate() {
        let rv = &rvs[w.rv];
        let walk = rv.walking.seconds();
        by_gate[rv.gate].push((w.spec.start.0 + walk, w.spec.end.0 + walk, i));
    }
    let mut periods = Vec::new();
    for (g, mut arrivals) in by_gate.into_iter().enumerate() {
        arrivals.sort_unstable();
        let mut k = 0;
        while k < arrivals.len() {
            // Overlapping intervals chain into one contiguous stretch of arrivals.
            let (first, mut reach) = (arrivals[k].0, arrivals[k].1);
            let mut members = Vec::new();
            while k < arrivals.len() && (members.is_empty() || arrivals[k].0 < reach) {
                reach = reach.max(arrivals[k].1);
                members.push(arrivals[k].2);
                k += 1;
            }
            let covered = reach - first;
            let people = i64::from(gates[g].throughput.get()) * covered / 3600;
            let capacity = u32::try_from(people).unwrap_or(u32::MAX);
            for &w in &members {
                windows[w].period = periods.len();
            }
            periods.push(GatePeriod {
                gate: g,
                capacity,
                windows: members,
            });
        }
    }
    periods
}
