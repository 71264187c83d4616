//! Searches over a customised hierarchy: the shortest route between two places on the
//! network by walking the elimination-tree paths of their ends (no priority queue: every
//! upper neighbour of a junction is one of its ancestors), relaxing only the arcs the metric
//! still needs; and one-to-all travel times by an upward walk and a downward sweep over
//! every needed arc (PHAST), several sources per sweep.
//!
//! A place is one or two ways onto the network (`End`): a junction, or the two ends of the
//! street segment a position lies on, each with the time from the position to it. The two
//! ends of a segment are neighbours, so the higher is an ancestor of the lower and one path
//! up the tree holds both.
//!
//! A search keeps its distances by depth in the tree, not by junction: the junctions of one
//! path have distinct depths, so each side's labels are an array as long as the tree is
//! deep (a few hundred entries, always in cache) and needed arcs name their head by depth.
//!
//! Imports the topology and a metric; knows nothing of the network's edges beyond their ids.

use super::metric::{Metric, plus};
use super::{NONE, Topology};

/// A way onto the network: the junction of rank `rank`, reached in `offset` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    pub rank: u32,
    pub offset: u32,
}

/// A label: the distance in the high half, the needed arc it was reached by (`NONE` at an
/// end) in the low half; the smaller label is the better, so relaxing is a `min`.
type Label = u64;
const UNREACHED: Label = u64::MAX;

#[inline]
fn label(distance: u32, arc: u32) -> Label {
    (u64::from(distance) << 32) | u64::from(arc)
}
#[inline]
fn distance(l: Label) -> u32 {
    (l >> 32) as u32
}
#[inline]
fn arc(l: Label) -> u32 {
    l as u32
}

/// One side of a search: its path up the tree and its labels by depth.
#[derive(Debug)]
struct Side {
    path: Vec<u32>,
    labels: Vec<Label>,
}

impl Side {
    /// Starts a side at `ends`, which lie on one path up the tree.
    fn start(&mut self, topology: &Topology, ends: &[End]) {
        self.path.clear();
        let Some(lowest) = ends.iter().map(|e| e.rank).min() else {
            return;
        };
        let mut x = lowest;
        while x != NONE {
            self.path.push(x);
            x = topology.parent[x as usize];
        }
        self.labels[..self.path.len()].fill(UNREACHED);
        for e in ends {
            let d = topology.depth[e.rank as usize] as usize;
            debug_assert_eq!(
                self.path[self.path.len() - 1 - d],
                e.rank,
                "the ends of a place lie on one path up the tree"
            );
            self.labels[d] = self.labels[d].min(label(e.offset, NONE));
        }
    }

    /// The depth of the `i`-th junction of the path.
    #[inline]
    fn depth(&self, i: usize) -> usize {
        self.path.len() - 1 - i
    }
}

/// Reusable per-thread memory for queries.
#[derive(Debug)]
pub struct Scratch {
    s: Side,
    t: Side,
    chain: Vec<u32>,
    stack: Vec<(u32, u32)>,
}

impl Scratch {
    pub fn new(topology: &Topology) -> Self {
        let side = || Side {
            path: Vec::new(),
            labels: vec![UNREACHED; topology.max_depth as usize + 1],
        };
        Scratch {
            s: side(),
            t: side(),
            chain: Vec::new(),
            stack: Vec::new(),
        }
    }
}

/// A route between two places: its weight, the ends it leaves and joins the network by, and
/// the network edges between them, in walking order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub weight: u32,
    pub start: End,
    pub end: End,
    pub edges: Vec<u32>,
}

/// The lower bound on the time from rank `x` to the place `ends` lead to.
#[inline]
fn rest(topology: &Topology, x: u32, ends: &[End]) -> u32 {
    ends.iter()
        .map(|e| plus(topology.lower_bound(x, e.rank), e.offset))
        .min()
        .unwrap_or(u32::MAX)
}

/// Relaxes the needed arcs of rank `x` (at depth `depth`) unless no route through it can
/// beat `best`, knowing the rest of the way takes at least `rest()` (asked only when the
/// distance alone does not settle it).
#[inline]
fn relax(
    metric: &Metric,
    x: u32,
    depth: usize,
    labels: &mut [Label],
    best: u32,
    rest: impl FnOnce() -> u32,
) {
    let d = distance(labels[depth]);
    if d >= best || (best != u32::MAX && plus(d, rest()) >= best) {
        return;
    }
    let arcs = metric.needed_arcs(x);
    for (a, &(head, w)) in arcs.clone().zip(&metric.needed[arcs]) {
        // Without a branch: which labels improve is unpredictable.
        let l = &mut labels[head as usize];
        *l = (*l).min(label(plus(d, w), a as u32));
    }
}

/// The shortest route from the place `from` leads from to the one `to` leads to (each one
/// or two ends on one path up the tree), or `None` when every way is closed.
pub fn shortest(
    topology: &Topology,
    metric: &Metric,
    scratch: &mut Scratch,
    from: &[End],
    to: &[End],
) -> Option<Found> {
    let (s, t) = (&mut scratch.s, &mut scratch.t);
    s.start(topology, from);
    t.start(topology, to);
    let (ns, nt) = (s.path.len(), t.path.len());
    // Both paths end at the root of their tree; above where they join they are the same.
    let mut common = 0;
    while common < ns.min(nt) && s.path[ns - 1 - common] == t.path[nt - 1 - common] {
        common += 1;
    }
    if common == 0 {
        return None;
    }
    // Below the join each side climbs alone and no route is known yet.
    for i in 0..ns - common {
        relax(metric, s.path[i], s.depth(i), &mut s.labels, u32::MAX, || 0);
    }
    for i in 0..nt - common {
        relax(metric, t.path[i], t.depth(i), &mut t.labels, u32::MAX, || 0);
    }
    let (mut best, mut meet) = (u32::MAX, NONE as usize);
    for k in (0..common).rev() {
        // The junction at depth k, on both paths.
        let x = s.path[ns - 1 - k];
        let total = plus(distance(s.labels[k]), distance(t.labels[k]));
        if total < best {
            best = total;
            meet = k;
        }
        if k == 0 {
            break;
        }
        relax(metric, x, k, &mut s.labels, best, || rest(topology, x, to));
        relax(metric, x, k, &mut t.labels, best, || {
            rest(topology, x, from)
        });
    }
    (best != u32::MAX).then(|| unpack(topology, metric, scratch, meet, best))
}

/// The streets of the route found through the junction at depth `meet`: up from the start,
/// then down to the end.
fn unpack(
    topology: &Topology,
    metric: &Metric,
    scratch: &mut Scratch,
    meet: usize,
    weight: u32,
) -> Found {
    let Scratch { s, t, chain, stack } = scratch;
    let mut edges = Vec::with_capacity(64);
    // The needed arcs from the start up to the meeting junction, found backwards.
    chain.clear();
    let mut depth = meet;
    loop {
        let a = arc(s.labels[depth]);
        if a == NONE {
            break;
        }
        chain.push(a);
        let tail = metric.parts[metric.needed_arc[a as usize] as usize].tail;
        depth = topology.depth[tail as usize] as usize;
    }
    let start = End {
        rank: s.path[s.path.len() - 1 - depth],
        offset: distance(s.labels[depth]),
    };
    for &a in chain.iter().rev() {
        let arc = metric.needed_arc[a as usize];
        let tail = metric.parts[arc as usize].tail;
        metric.unpack(arc, tail, &mut edges, stack);
    }
    let mut depth = meet;
    let mut x = t.path[t.path.len() - 1 - depth];
    loop {
        let a = arc(t.labels[depth]);
        if a == NONE {
            break;
        }
        let arc = metric.needed_arc[a as usize];
        metric.unpack(arc, x, &mut edges, stack);
        x = metric.parts[arc as usize].tail;
        depth = topology.depth[x as usize] as usize;
    }
    let end = End {
        rank: x,
        offset: distance(t.labels[depth]),
    };
    Found {
        weight,
        start,
        end,
        edges,
    }
}

/// How many sources one sweep serves: the arcs are read once for all of them.
pub const LANES: usize = 8;

/// Travel times from each of up to `LANES` places (each one or two ends on one path up the
/// tree) to every rank: `out[r * LANES + k]` is the time from place `k` to rank `r`
/// (`u32::MAX` where every way is closed).
pub fn sweep(topology: &Topology, metric: &Metric, sources: &[&[End]], out: &mut Vec<u32>) {
    assert!(sources.len() <= LANES, "at most {LANES} sources per sweep");
    let n = topology.node_count();
    out.clear();
    out.resize(n * LANES, u32::MAX);
    // Upward: the elimination-tree path of each source.
    for (k, &ends) in sources.iter().enumerate() {
        for e in ends {
            let label = &mut out[e.rank as usize * LANES + k];
            *label = (*label).min(e.offset);
        }
        let mut x = ends.iter().map(|e| e.rank).min().unwrap_or(NONE);
        while x != NONE {
            let d = out[x as usize * LANES + k];
            if d != u32::MAX {
                let arcs = metric.needed_arcs(x);
                for (&y, &(_, w)) in metric.needed_head[arcs.clone()]
                    .iter()
                    .zip(&metric.needed[arcs])
                {
                    let y = y as usize * LANES + k;
                    out[y] = out[y].min(plus(d, w));
                }
            }
            x = topology.parent[x as usize];
        }
    }
    // Downward: every junction, highest rank first, takes the best of its upper neighbours.
    for x in (0..n).rev() {
        let mut best = [u32::MAX; LANES];
        best.copy_from_slice(&out[x * LANES..(x + 1) * LANES]);
        let arcs = metric.needed_arcs(x as u32);
        for (&head, &(_, w)) in metric.needed_head[arcs.clone()]
            .iter()
            .zip(&metric.needed[arcs])
        {
            let y = head as usize * LANES;
            let above = &out[y..y + LANES];
            for k in 0..LANES {
                best[k] = best[k].min(above[k].saturating_add(w));
            }
        }
        out[x * LANES..(x + 1) * LANES].copy_from_slice(&best);
    }
}
