//! The exact optimum of a tiny instance. Disaggregating the flow keeps households whole but
//! may miss the best packing of households of different sizes (a window of 7 takes 4 + 3
//! better than the 5 the flow's order offered first); when there are few households to place
//! and few windows, a branch-and-bound search over every placement finds the optimum, and
//! the planner uses it when it is better. The optimum found is also the bound (gap 0).
//!
//! Imports `instance`, `solution` (the placement type, weights, reasons), `solve` (rooms) and
//! `travel`; nothing imports it but the crate's entry points.

use crate::instance::Instance;
use crate::solution::{Placement, UnplacedReason, weight};
use crate::solve::Rooms;
use crate::travel::TravelCost;

/// At most this many households to place are searched exhaustively.
pub const EXACT_HOUSEHOLDS: usize = 12;
/// …and only while the search tree (each household: a window or none) has at most this many
/// leaves, so the search stays well under a millisecond's worth of nodes per household.
pub const EXACT_LEAVES: u64 = 1 << 22;

/// One household to place: its index, size and every window it may take with its value.
struct Free {
    h: usize,
    size: i64,
    options: Vec<(usize, i64)>,
}

/// Replaces the placement of the households still to place (`Err(AllowedWindowsFull)` in
/// `before`, the placement before planning) by the optimum when the instance is tiny and the
/// optimum beats `placement`; returns the optimum's objective over those households when the
/// search ran (it is then the exact bound of their part), `None` when it did not.
pub(crate) fn improve(
    instance: &Instance,
    travel: &dyn TravelCost,
    before: &Placement,
    placement: &mut Placement,
) -> Option<i64> {
    let hs = instance.households();
    let ws = instance.windows();
    let free_ids: Vec<usize> = (0..hs.len())
        .filter(|&h| before[h] == Err(UnplacedReason::AllowedWindowsFull))
        .collect();
    if free_ids.len() > EXACT_HOUSEHOLDS {
        return None;
    }
    let mut free: Vec<Free> = free_ids
        .iter()
        .map(|&h| {
            let hh = &hs[h];
            let options = (0..ws.len())
                .filter_map(|w| {
                    let r = ws[w].rv;
                    if !instance.rv_open(r) || !instance.vehicle_allows(hh, r) {
                        return None;
                    }
                    let c = travel.seconds(&hh.location, &instance.rvs()[r].location);
                    (c <= instance.travel_limit(hh)).then(|| {
                        let v =
                            i64::from(hh.size.get()) * (weight(instance, hh.class) - i64::from(c));
                        (w, v)
                    })
                })
                .filter(|&(_, v)| v > 0)
                .collect();
            Free {
                h,
                size: i64::from(hh.size.get()),
                options,
            }
        })
        .collect();
    free.iter()
        .try_fold(1u64, |n, f| n.checked_mul(f.options.len() as u64 + 1))
        .filter(|&n| n <= EXACT_LEAVES)?;
    // Most valuable first: the bound of what remains tightens fastest.
    free.sort_by_key(|f| std::cmp::Reverse(f.options.iter().map(|o| o.1).max().unwrap_or(0)));
    for f in &mut free {
        f.options.sort_by_key(|o| std::cmp::Reverse(o.1));
    }
    let mut rest = vec![0i64; free.len() + 1];
    for i in (0..free.len()).rev() {
        rest[i] = rest[i + 1] + free[i].options.first().map_or(0, |o| o.1);
    }
    let mut rooms = Rooms::new(instance, before);
    let current: i64 = free
        .iter()
        .filter_map(|f| match placement[f.h] {
            Ok(w) => f.options.iter().find(|o| o.0 == w).map(|o| o.1),
            Err(_) => None,
        })
        .sum();
    let mut search = Search {
        instance,
        free: &free,
        rest: &rest,
        chosen: vec![None; free.len()],
        best: current,
        best_choice: None,
    };
    search.run(0, 0, &mut rooms);
    let best = search.best;
    if let Some(choice) = search.best_choice {
        for (f, c) in free.iter().zip(choice) {
            placement[f.h] = match c {
                Some(w) => Ok(w),
                None => Err(reason(instance, travel, f)),
            };
        }
    }
    Some(best)
}

/// Why a household the optimum leaves out is left out.
fn reason(instance: &Instance, travel: &dyn TravelCost, f: &Free) -> UnplacedReason {
    let hh = &instance.households()[f.h];
    let allowed = |r: usize| {
        instance.vehicle_allows(hh, r)
            && travel.seconds(&hh.location, &instance.rvs()[r].location)
                <= instance.travel_limit(hh)
    };
    let rvs = 0..instance.rvs().len();
    if rvs.clone().any(|r| instance.rv_open(r) && allowed(r)) {
        UnplacedReason::AllowedWindowsFull
    } else if rvs.into_iter().any(|r| !instance.rv_open(r) && allowed(r)) {
        UnplacedReason::AllowedRvsSuspended
    } else {
        UnplacedReason::NoAllowedRv
    }
}

struct Search<'a> {
    instance: &'a Instance,
    free: &'a [Free],
    /// The most the households from each index on could add.
    rest: &'a [i64],
    chosen: Vec<Option<usize>>,
    best: i64,
    best_choice: Option<Vec<Option<usize>>>,
}

impl Search<'_> {
    fn run(&mut self, i: usize, value: i64, rooms: &mut Rooms) {
        if value + self.rest[i] <= self.best {
            return;
        }
        if i == self.free.len() {
            self.best = value;
            self.best_choice = Some(self.chosen.clone());
            return;
        }
        let f = &self.free[i];
        for &(w, v) in &f.options {
            if rooms.of(self.instance, w) >= f.size {
                rooms.take(self.instance, w, f.size);
                self.chosen[i] = Some(w);
                self.run(i + 1, value + v, rooms);
                rooms.take(self.instance, w, -f.size);
            }
        }
        self.chosen[i] = None;
        self.run(i + 1, value, rooms);
    }
}
