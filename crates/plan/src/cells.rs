//! Households grouped by area cell and needs: the unit the flow plans. Each group keeps its
//! members in serving order (class, then registration), its centre and radius, and the open
//! RVs its members might be sent to with the centre's travel cost, so that a member's nearest
//! allowed RV is found by measuring only the RVs that could beat the best one measured
//! (triangle inequality, when the travel cost is a metric).
//!
//! Imports `instance` and `travel`; knows nothing of flows or plans.

use crate::instance::{Household, Instance};
use crate::travel::TravelCost;
use safeconduct_domain::values::Coordinate;
use std::collections::HashMap;

/// The side of an area cell. Trips from one cell differ by at most its diagonal; the bound is
/// computed per household, so a coarser cell costs plan quality, never a false bound.
pub const CELL_METRES: f64 = 500.0;

pub(crate) struct Cell {
    /// Household indices, in serving order.
    pub members: Vec<u32>,
    /// The longest trip from the centre to a member, plus a second of rounding; unbounded for
    /// a travel cost that is not a metric.
    pub radius: i64,
    /// Open RVs a member might be allowed, with the centre's travel cost, cheapest first.
    pub rvs: Vec<(u32, i64)>,
}

pub(crate) struct Cells {
    pub cells: Vec<Cell>,
}

/// Groups `free` households (indices) into cells.
pub(crate) fn group(instance: &Instance, travel: &dyn TravelCost, free: &[u32]) -> Cells {
    let hs = instance.households();
    let degrees = CELL_METRES / 111_320.0;
    let mut index: HashMap<(i32, i32, bool, bool), usize> = HashMap::new();
    let mut members: Vec<Vec<u32>> = Vec::new();
    for &h in free {
        let hh = &hs[h as usize];
        let lat = hh.location.lat();
        let lon = hh.location.lon() * lat.to_radians().cos();
        let key = (
            (lat / degrees).floor() as i32,
            (lon / degrees).floor() as i32,
            hh.needs_vehicle_access,
            hh.cannot_walk_far,
        );
        let c = *index.entry(key).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[c].push(h);
    }
    let metric = travel.is_metric();
    let cells = members
        .into_iter()
        .map(|mut m| {
            m.sort_by_key(|&h| serving_order(&hs[h as usize], h));
            let n = m.len() as f64;
            let (lat, lon) = m.iter().fold((0.0, 0.0), |(a, b), &h| {
                let l = &hs[h as usize].location;
                (a + l.lat() / n, b + l.lon() / n)
            });
            let centre = Coordinate::new(lat, lon).expect("a mean of coordinates is one");
            let radius = if metric {
                m.iter()
                    .map(|&h| i64::from(travel.seconds(&centre, &hs[h as usize].location)))
                    .max()
                    .unwrap_or(0)
                    + 1
            } else {
                i64::MAX / 4
            };
            let first = &hs[m[0] as usize];
            let limit = i64::from(instance.travel_limit(first));
            let mut rvs: Vec<(u32, i64)> = (0..instance.rvs().len())
                .filter(|&r| instance.rv_open(r) && instance.vehicle_allows(first, r))
                .map(|r| {
                    let c = travel.seconds(&centre, &instance.rvs()[r].location);
                    (r as u32, i64::from(c))
                })
                .filter(|&(_, c)| c - radius <= limit)
                .collect();
            rvs.sort_by_key(|&(r, c)| (c, r));
            Cell {
                members: m,
                radius,
                rvs,
            }
        })
        .collect();
    Cells { cells }
}

/// Higher classes first, then earlier registrations, then the id as a tie-break.
pub(crate) fn serving_order(h: &Household, index: u32) -> (usize, i64, i64, u32) {
    (h.class.rank(), h.registered.0, h.id.0, index)
}

impl Cell {
    /// The RV of this cell's list that maximises `score(rv) − cost` for household `h` among
    /// those its needs allow and `usable` accepts, with that cost. RVs are measured in the
    /// order of their best possible value, and the search stops once none can beat the best.
    /// `order` lists positions in `self.rvs` by decreasing `score − centre cost`.
    pub fn best_rv(
        &self,
        instance: &Instance,
        travel: &dyn TravelCost,
        h: &Household,
        order: &[u32],
        score: impl Fn(usize) -> f64,
        mut usable: impl FnMut(usize) -> bool,
    ) -> Option<(usize, u32)> {
        let limit = instance.travel_limit(h);
        let mut best: Option<(usize, u32, f64)> = None;
        for &k in order {
            let (r, centre_cost) = self.rvs[k as usize];
            let r = r as usize;
            let ceiling = score(r) - (centre_cost - self.radius) as f64;
            if best.is_some_and(|b| ceiling < b.2) {
                break;
            }
            if !usable(r) {
                continue;
            }
            let c = travel.seconds(&h.location, &instance.rvs()[r].location);
            if c > limit {
                continue;
            }
            let v = score(r) - f64::from(c);
            if best.is_none_or(|b| v > b.2) {
                best = Some((r, c, v));
            }
        }
        best.map(|(r, c, _)| (r, c))
    }

    /// Positions in `self.rvs`, nearest first: the order for `best_rv` with no score.
    pub fn nearest_first(&self) -> Vec<u32> {
        (0..self.rvs.len() as u32).collect()
    }

    /// Positions in `self.rvs` by decreasing `score − centre cost`.
    pub fn by_score(&self, score: impl Fn(usize) -> f64) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.rvs.len() as u32).collect();
        let value = |k: &u32| {
            let (r, c) = self.rvs[*k as usize];
            score(r as usize) - c as f64
        };
        order.sort_by(|a, b| value(b).total_cmp(&value(a)));
        order
    }
}
