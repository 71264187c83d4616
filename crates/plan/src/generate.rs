//! Realistic planning instances of any size from a seed: households of 1 to 12 people (mean
//! about 5), clustered around neighbourhoods of a city, a priority mix with more constraints
//! among the vulnerable, scarce vehicle-access RVs, two-hour windows, gates whose throughput
//! is slightly short of what their RVs could bring at once, and capacity for about 85% of the
//! people, so that priority decides who goes first.
//!
//! The randomness is a seeded splitmix64: the same seed gives the same instance. Imports
//! `wire` only.

use crate::wire::*;
use safeconduct_domain::model::{GateStatus, RvStatus};
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_domain::{GateId, HouseholdId, RvId, WindowId};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Recipe {
    pub people: u64,
    pub windows: u64,
    pub seed: u64,
}

struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

/// Household sizes 1..12 in per mille: mean 5.2 people.
const SIZE_MIX: [u64; 12] = [80, 100, 120, 140, 140, 120, 100, 80, 50, 30, 20, 20];
/// Classes in per mille, highest first.
const CLASS_MIX: [(PriorityClass, u64); 5] = [
    (PriorityClass::Medical, 30),
    (PriorityClass::UnaccompaniedMinor, 10),
    (PriorityClass::Elderly, 60),
    (PriorityClass::Disability, 30),
    (PriorityClass::Other, 870),
];
const LANGUAGES: [Language; 4] = [
    Language::Dari,
    Language::Pashto,
    Language::English,
    Language::Arabic,
];
/// The city centre (Kabul) and the epoch of the first window.
const CENTRE: (f64, f64) = (34.53, 69.17);
const FIRST_WINDOW: i64 = 1_629_784_800;
const WINDOW_SECONDS: i64 = 7_200;
const METRES_PER_DEGREE: f64 = 111_320.0;

fn pick<T: Copy>(dice: &mut Dice, mix: &[(T, u64)]) -> T {
    let total: u64 = mix.iter().map(|m| m.1).sum();
    let mut x = dice.below(total);
    for &(v, w) in mix {
        if x < w {
            return v;
        }
        x -= w;
    }
    mix[mix.len() - 1].0
}

fn place((lat, lon): (f64, f64), east_m: f64, north_m: f64) -> Coordinate {
    let lat2 = lat + north_m / METRES_PER_DEGREE;
    let lon2 = lon + east_m / (METRES_PER_DEGREE * lat.to_radians().cos());
    Coordinate::new(lat2.clamp(-89.0, 89.0), lon2.clamp(-179.0, 179.0)).expect("clamped")
}

/// Generates an instance following `recipe`.
pub fn generate(recipe: Recipe) -> InstanceFile {
    let mut dice = Dice(recipe.seed);
    let windows = recipe.windows.max(1);
    let rv_count = windows.div_ceil(16).max(1);
    let gate_count = rv_count.div_ceil(12).max(1);
    let capacity = ((recipe.people as f64 * 0.85 / windows as f64).round() as i64).max(1);

    // Neighbourhoods: where people live, within 9 km of the centre.
    let hoods: Vec<(f64, f64, f64)> = (0..25)
        .map(|_| {
            let (e, n) = (dice.normal() * 4_500.0, dice.normal() * 4_500.0);
            let c = place(CENTRE, e, n);
            (c.lat(), c.lon(), 600.0 + dice.unit() * 1_200.0)
        })
        .collect();

    let rvs_per_gate = rv_count.div_ceil(gate_count);
    let gates = (0..gate_count)
        .map(|g| GateRecord {
            id: GateId(g as i64 + 1),
            status: GateStatus::Open,
            // What its RVs bring in one window, spread over the window, less a tenth.
            throughput_per_hour: ((rvs_per_gate as i64 * capacity * 3600 / WINDOW_SECONDS) * 9
                / 10)
                .clamp(1, 20_000),
        })
        .collect();
    let rvs: Vec<RvRecord> = (0..rv_count)
        .map(|r| {
            let (e, n) = (dice.normal() * 5_000.0, dice.normal() * 5_000.0);
            RvRecord {
                id: RvId(r as i64 + 1),
                status: RvStatus::Active,
                vehicle_access: r % 10 == 0,
                location: place(CENTRE, e, n),
                gate: GateId((r % gate_count) as i64 + 1),
                walking_minutes: 10 + dice.below(31) as i64,
            }
        })
        .collect();
    let window_records = (0..windows)
        .map(|w| {
            let rv = w % rv_count;
            let slot = (w / rv_count) as i64;
            let start = FIRST_WINDOW + slot * WINDOW_SECONDS;
            let spread = 0.8 + 0.4 * dice.unit();
            WindowRecord {
                id: WindowId(w as i64 + 1),
                rv: RvId(rv as i64 + 1),
                start,
                end: start + WINDOW_SECONDS,
                capacity: ((capacity as f64 * spread).round() as i64).clamp(1, 100_000),
            }
        })
        .collect();

    let sizes: Vec<(i64, u64)> = SIZE_MIX
        .iter()
        .enumerate()
        .map(|(i, &w)| (i as i64 + 1, w))
        .collect();
    let mut households = Vec::new();
    let mut people = 0u64;
    while people < recipe.people {
        let size = pick(&mut dice, &sizes).min((recipe.people - people) as i64);
        people += size as u64;
        let class = pick(&mut dice, &CLASS_MIX);
        let vulnerable =
            class != PriorityClass::Other && class != PriorityClass::UnaccompaniedMinor;
        let hood = hoods[dice.below(hoods.len() as u64) as usize];
        let (e, n) = (dice.normal() * hood.2, dice.normal() * hood.2);
        households.push(HouseholdRecord {
            id: HouseholdId(households.len() as i64 + 1),
            size,
            class,
            location: place((hood.0, hood.1), e, n),
            language: LANGUAGES[dice.below(LANGUAGES.len() as u64) as usize],
            needs_vehicle_access: dice.chance(if vulnerable { 0.15 } else { 0.005 }),
            cannot_walk_far: dice.chance(if vulnerable { 0.4 } else { 0.03 }),
            registered: FIRST_WINDOW - 86_400 * 10 + dice.below(86_400 * 9) as i64,
            pinned: None,
        });
    }
    InstanceFile {
        settings: SettingsRecord {
            batch_size: 40,
            walking_speed_m_per_s: 1.2,
            short_walk_seconds: 1_500,
            max_travel_seconds: 14_400,
            replan_threshold: 0.01,
        },
        gates,
        rvs,
        windows: window_records,
        households,
    }
}
