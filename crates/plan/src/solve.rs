//! One planning pass over the households not yet placed: group them into cells, solve the
//! minimum-cost flow over cells, RVs, windows and gate periods, then place whole households
//! (per cell to RVs by the flow's amounts, per RV to windows first fit in serving order, then
//! a repair pass that offers what room is left to whoever is still unplaced, highest class and
//! earliest registration first), and name the reason of everyone left over.
//!
//! Imports `cells`, `flow`, `instance`, `solution` (the placement type and the weights) and
//! `travel`; the bound is computed by `bound` from the prices this pass returns.

use crate::cells::{self, Cells};
use crate::flow::{Circulation, Network, min_cost_circulation};
use crate::instance::Instance;
use crate::solution::{Placement, UnplacedReason, weight};
use crate::travel::TravelCost;
use crate::wire::PriorityClass;

/// The flow connects each cell to this many of its nearest allowed RVs. The bound is computed
/// over every RV, so this trades plan quality for speed, never correctness.
pub const FLOW_RVS_PER_CELL: usize = 16;

/// What a planning pass hands to the bound.
pub(crate) struct Pass {
    pub cells: Cells,
    pub circulation: Circulation,
    pub net: Network,
    /// Node of each RV in `net`.
    pub rv_node: Vec<usize>,
    pub source: usize,
    /// Arcs whose capacities the bound charges (RV → window → gate period → sink → source).
    pub capacity_arcs: Vec<usize>,
}

/// Room left in each window and gate period after the households already placed.
pub(crate) struct Rooms {
    pub window: Vec<i64>,
    pub period: Vec<i64>,
}

impl Rooms {
    pub fn new(instance: &Instance, placement: &Placement) -> Self {
        let mut window: Vec<i64> = instance
            .windows()
            .iter()
            .map(|w| {
                if instance.rv_open(w.rv) {
                    i64::from(w.spec.capacity.get())
                } else {
                    0
                }
            })
            .collect();
        let mut period: Vec<i64> = instance
            .periods()
            .iter()
            .map(|p| i64::from(p.capacity))
            .collect();
        for (h, p) in placement.iter().enumerate() {
            if let Ok(w) = p {
                let size = i64::from(instance.households()[h].size.get());
                window[*w] -= size;
                period[instance.windows()[*w].period] -= size;
            }
        }
        Rooms { window, period }
    }

    pub fn of(&self, instance: &Instance, w: usize) -> i64 {
        self.window[w].min(self.period[instance.windows()[w].period])
    }

    pub fn take(&mut self, instance: &Instance, w: usize, people: i64) {
        self.window[w] -= people;
        self.period[instance.windows()[w].period] -= people;
    }
}

/// Plans every household of `placement` marked `Err(AllowedWindowsFull)` (the households to
/// plan); households placed already keep their windows and use up room first.
pub(crate) fn run(instance: &Instance, travel: &dyn TravelCost, placement: &mut Placement) -> Pass {
    let hs = instance.households();
    let free: Vec<u32> = (0..hs.len() as u32)
        .filter(|&h| placement[h as usize] == Err(UnplacedReason::AllowedWindowsFull))
        .collect();
    let mut rooms = Rooms::new(instance, placement);
    let cells = cells::group(instance, travel, &free);

    let Built {
        net,
        rv_node,
        cell_arcs,
        window_arc,
        capacity_arcs,
    } = build(instance, &cells, &rooms);
    let source = 0;
    let circulation = min_cost_circulation(&net);
    let flow = &circulation.flow;

    // Per cell, whole households to RVs within the flow's amounts, serving order first.
    let mut by_rv: Vec<Vec<u32>> = vec![Vec::new(); instance.rvs().len()];
    let mut quota = vec![0i64; instance.rvs().len()];
    let mut pool = Vec::new();
    for (c, cell) in cells.cells.iter().enumerate() {
        for &(r, a) in &cell_arcs[c] {
            quota[r] = flow[a];
        }
        let order = cell.nearest_first();
        for &h in &cell.members {
            let hh = &hs[h as usize];
            let size = i64::from(hh.size.get());
            let found = cell.best_rv(instance, travel, hh, &order, |_| 0.0, |r| quota[r] >= size);
            match found {
                Some((r, _)) => {
                    quota[r] -= size;
                    by_rv[r].push(h);
                }
                None => pool.push(h),
            }
        }
        for &(r, _) in &cell_arcs[c] {
            quota[r] = 0;
        }
    }

    // Per RV, first fit into its windows in time order within the flow's amounts.
    let rv_windows = windows_by_rv(instance);
    let mut window_quota: Vec<i64> = window_arc.iter().map(|&a| flow[a]).collect();
    for (r, members) in by_rv.iter_mut().enumerate() {
        members.sort_by_key(|&h| cells::serving_order(&hs[h as usize], h));
        for &h in members.iter() {
            let size = i64::from(hs[h as usize].size.get());
            let fit = rv_windows[r]
                .iter()
                .copied()
                .find(|&w| window_quota[w] >= size && rooms.of(instance, w) >= size);
            match fit {
                Some(w) => {
                    window_quota[w] -= size;
                    rooms.take(instance, w, size);
                    placement[h as usize] = Ok(w);
                }
                None => pool.push(h),
            }
        }
    }

    repair(
        instance,
        travel,
        &cells,
        &rv_windows,
        &mut rooms,
        pool,
        placement,
    );
    Pass {
        cells,
        circulation,
        net,
        rv_node,
        source,
        capacity_arcs,
    }
}

/// The flow network of one pass and the arcs the pass reads back.
pub(crate) struct Built {
    pub net: Network,
    rv_node: Vec<usize>,
    /// Per cell, its arcs to RVs: (RV, arc).
    cell_arcs: Vec<Vec<(usize, usize)>>,
    window_arc: Vec<usize>,
    capacity_arcs: Vec<usize>,
}

/// The network: source (node 0), sink (1), a node per cell, RV, window and gate period. Each
/// cell draws its people from the source by class at minus the class's weight, sends them to
/// its nearest allowed RVs at the centre's travel cost, and each window and gate period takes
/// its room; the sink returns the flow to the source.
pub(crate) fn build(instance: &Instance, cells: &Cells, rooms: &Rooms) -> Built {
    let hs = instance.households();
    let mut net = Network::new(2);
    let (source, sink) = (0, 1);
    let cell_node: Vec<usize> = cells.cells.iter().map(|_| net.add_node()).collect();
    let rv_node: Vec<usize> = instance.rvs().iter().map(|_| net.add_node()).collect();
    let window_node: Vec<usize> = instance.windows().iter().map(|_| net.add_node()).collect();
    let period_node: Vec<usize> = instance.periods().iter().map(|_| net.add_node()).collect();
    let mut cell_arcs: Vec<Vec<(usize, usize)>> = Vec::with_capacity(cells.cells.len());
    let mut total = 0i64;
    for (c, cell) in cells.cells.iter().enumerate() {
        let mut people = [0i64; 5];
        for &h in &cell.members {
            let hh = &hs[h as usize];
            people[hh.class.rank()] += i64::from(hh.size.get());
        }
        for class in PriorityClass::ALL {
            if people[class.rank()] > 0 {
                net.add_arc(
                    source,
                    cell_node[c],
                    people[class.rank()],
                    -weight(instance, class),
                );
            }
        }
        let all: i64 = people.iter().sum();
        total += all;
        let limit = i64::from(instance.travel_limit(&hs[cell.members[0] as usize]));
        let arcs = cell
            .rvs
            .iter()
            .filter(|&&(_, cost)| cost <= limit)
            .take(FLOW_RVS_PER_CELL)
            .map(|&(r, cost)| {
                (
                    r as usize,
                    net.add_arc(cell_node[c], rv_node[r as usize], all, cost),
                )
            })
            .collect();
        cell_arcs.push(arcs);
    }
    let mut capacity_arcs = Vec::new();
    let mut window_arc = Vec::with_capacity(instance.windows().len());
    for (w, win) in instance.windows().iter().enumerate() {
        let room = rooms.window[w].max(0);
        let a = net.add_arc(rv_node[win.rv], window_node[w], room, 0);
        window_arc.push(a);
        capacity_arcs.push(a);
        capacity_arcs.push(net.add_arc(window_node[w], period_node[win.period], room, 0));
    }
    for (p, _) in instance.periods().iter().enumerate() {
        capacity_arcs.push(net.add_arc(period_node[p], sink, rooms.period[p].max(0), 0));
    }
    capacity_arcs.push(net.add_arc(sink, source, total, 0));
    Built {
        net,
        rv_node,
        cell_arcs,
        window_arc,
        capacity_arcs,
    }
}

/// Each RV's windows, earliest first.
pub(crate) fn windows_by_rv(instance: &Instance) -> Vec<Vec<usize>> {
    let mut rv_windows: Vec<Vec<usize>> = vec![Vec::new(); instance.rvs().len()];
    for (w, win) in instance.windows().iter().enumerate() {
        rv_windows[win.rv].push(w);
    }
    for ws in &mut rv_windows {
        ws.sort_by_key(|&w| (instance.windows()[w].spec.start, w));
    }
    rv_windows
}

/// Offers the room left to the pool in serving order: each household goes to its nearest
/// allowed RV with a window that still holds it, the earliest such window. Households left
/// over get their reason.
fn repair(
    instance: &Instance,
    travel: &dyn TravelCost,
    cells: &Cells,
    rv_windows: &[Vec<usize>],
    rooms: &mut Rooms,
    mut pool: Vec<u32>,
    placement: &mut Placement,
) {
    let hs = instance.households();
    let mut cell_of = vec![u32::MAX; hs.len()];
    for (c, cell) in cells.cells.iter().enumerate() {
        for &h in &cell.members {
            cell_of[h as usize] = c as u32;
        }
    }
    pool.sort_by_key(|&h| cells::serving_order(&hs[h as usize], h));
    // An upper bound of the room of each RV's roomiest window: rooms only shrink here, so a
    // stale figure is still an upper bound, refreshed when it is found too high.
    let best_room = |rooms: &Rooms, r: usize| {
        rv_windows[r]
            .iter()
            .map(|&w| rooms.of(instance, w))
            .max()
            .unwrap_or(0)
    };
    let mut ceiling: Vec<i64> = (0..instance.rvs().len())
        .map(|r| best_room(rooms, r))
        .collect();
    let mut any_room = ceiling.iter().copied().max().unwrap_or(0);
    let mut left = Vec::new();
    for h in pool {
        let hh = &hs[h as usize];
        let size = i64::from(hh.size.get());
        let cell = &cells.cells[cell_of[h as usize] as usize];
        let mut found = None;
        if any_room >= size {
            let order = cell.nearest_first();
            found = cell.best_rv(
                instance,
                travel,
                hh,
                &order,
                |_| 0.0,
                |r| {
                    if ceiling[r] < size {
                        return false;
                    }
                    ceiling[r] = best_room(rooms, r);
                    ceiling[r] >= size
                },
            );
        }
        match found {
            Some((r, _)) => {
                let w = rv_windows[r]
                    .iter()
                    .copied()
                    .find(|&w| rooms.of(instance, w) >= size)
                    .expect("the RV was chosen for a window with room");
                rooms.take(instance, w, size);
                placement[h as usize] = Ok(w);
                ceiling[r] = best_room(rooms, r);
            }
            None => {
                // The search refreshed the ceilings it met: the largest may have fallen.
                any_room = ceiling.iter().copied().max().unwrap_or(0);
                left.push(h);
            }
        }
    }
    for h in left {
        let hh = &hs[h as usize];
        let cell = &cells.cells[cell_of[h as usize] as usize];
        let order = cell.nearest_first();
        let reason = if cell
            .best_rv(instance, travel, hh, &order, |_| 0.0, |_| true)
            .is_some()
        {
            UnplacedReason::AllowedWindowsFull
        } else if (0..instance.rvs().len()).any(|r| {
            !instance.rv_open(r)
                && instance.vehicle_allows(hh, r)
                && travel.seconds(&hh.location, &instance.rvs()[r].location)
                    <= instance.travel_limit(hh)
        }) {
            UnplacedReason::AllowedRvsSuspended
        } else {
            UnplacedReason::NoAllowedRv
        };
        placement[h as usize] = Err(reason);
    }
}

/// Households to plan are marked `AllowedWindowsFull` until placed; a pinned household keeps
/// its window when its RV and gate are open.
pub(crate) fn initial_placement(instance: &Instance) -> Placement {
    instance
        .households()
        .iter()
        .map(|h| match h.pinned {
            Some(w) if instance.rv_open(instance.windows()[w].rv) => Ok(w),
            Some(_) => Err(UnplacedReason::PinnedWindowUnavailable),
            None => Err(UnplacedReason::AllowedWindowsFull),
        })
        .collect()
}
