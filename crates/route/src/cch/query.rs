//! Searches over a customised hierarchy: the shortest route between two junctions by
//! walking both of their elimination-tree paths (no priority queue: every upper neighbour of
//! a junction is one of its ancestors), and one-to-all travel times by an upward walk and a
//! downward sweep over every arc (PHAST), several sources per sweep.
//!
//! Imports the topology and a metric; knows nothing of the network's edges beyond their ids.

use super::metric::{Metric, plus};
use super::{NONE, Topology};

/// Reusable per-thread memory for queries: distances and predecessors from both ends.
#[derive(Debug)]
pub struct Scratch {
    /// Per rank: (distance, predecessor) from s, and from t; kept together so a relaxation
    /// touches one cache line.
    from_s: Vec<(u32, u32)>,
    from_t: Vec<(u32, u32)>,
    /// The elimination-tree paths of s and t.
    up_s: Vec<u32>,
    up_t: Vec<u32>,
}

impl Scratch {
    pub fn new(topology: &Topology) -> Self {
        let n = topology.node_count();
        Scratch {
            from_s: vec![(u32::MAX, NONE); n],
            from_t: vec![(u32::MAX, NONE); n],
            up_s: Vec::new(),
            up_t: Vec::new(),
        }
    }
}

/// A route between two ranks: its weight and the network edges along it, from `s` to `t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub weight: u32,
    pub edges: Vec<u32>,
}

/// The elimination-tree path of `x` up to its root, into `path`.
fn ancestors_into(topology: &Topology, mut x: u32, path: &mut Vec<u32>) {
    path.clear();
    while x != NONE {
        path.push(x);
        x = topology.parent[x as usize];
    }
}

fn ancestors(topology: &Topology, x: u32) -> Vec<u32> {
    let mut path = Vec::new();
    ancestors_into(topology, x, &mut path);
    path
}

/// Relaxes the arcs of `x` unless no route through it can beat `best`, knowing the rest of
/// the way takes at least `rest` (a straight-line bound).
fn relax(
    topology: &Topology,
    metric: &Metric,
    x: u32,
    labels: &mut [(u32, u32)],
    best: u32,
    rest: u32,
) {
    let d = labels[x as usize].0;
    if plus(d, rest) >= best {
        return;
    }
    for &(y, w) in &metric.upward[topology.up_arcs(x)] {
        let via = plus(d, w);
        let label = &mut labels[y as usize];
        if via < label.0 {
            *label = (via, x);
        }
    }
}

/// The shortest route from rank `s` to rank `t`, or `None` when every way is closed.
pub fn shortest(
    topology: &Topology,
    metric: &Metric,
    scratch: &mut Scratch,
    s: u32,
    t: u32,
) -> Option<Found> {
    let mut up_s = std::mem::take(&mut scratch.up_s);
    let mut up_t = std::mem::take(&mut scratch.up_t);
    ancestors_into(topology, s, &mut up_s);
    ancestors_into(topology, t, &mut up_t);
    scratch.from_s[s as usize].0 = 0;
    scratch.from_t[t as usize].0 = 0;
    let (mut best, mut meet) = (u32::MAX, NONE);
    // Both paths ascend in rank and end at the same root (or at different roots when the
    // two ends are in different parts of the network); walk them merged by rank.
    let (mut i, mut j) = (0, 0);
    while i < up_s.len() || j < up_t.len() {
        let next_s = up_s.get(i).copied().unwrap_or(NONE);
        let next_t = up_t.get(j).copied().unwrap_or(NONE);
        let x = next_s.min(next_t);
        let total = plus(scratch.from_s[x as usize].0, scratch.from_t[x as usize].0);
        if total < best {
            best = total;
            meet = x;
        }
        if next_s == x {
            let rest = if best == u32::MAX {
                0
            } else {
                topology.lower_bound(x, t)
            };
            relax(topology, metric, x, &mut scratch.from_s, best, rest);
            i += 1;
        }
        if next_t == x {
            let rest = if best == u32::MAX {
                0
            } else {
                topology.lower_bound(x, s)
            };
            relax(topology, metric, x, &mut scratch.from_t, best, rest);
            j += 1;
        }
    }
    let found = (best != u32::MAX).then(|| {
        let mut edges = Vec::new();
        // From s up to the meeting junction, then from there down to t.
        let mut up_chain = vec![meet];
        while let Some(&x) = up_chain.last() {
            let p = scratch.from_s[x as usize].1;
            if x == s || p == NONE {
                break;
            }
            up_chain.push(p);
        }
        for pair in up_chain.windows(2).rev() {
            metric.unpack(topology, pair[1], pair[0], &mut edges);
        }
        let mut x = meet;
        while x != t {
            let p = scratch.from_t[x as usize].1;
            metric.unpack(topology, x, p, &mut edges);
            x = p;
        }
        Found {
            weight: best,
            edges,
        }
    });
    for &x in up_s.iter().chain(&up_t) {
        scratch.from_s[x as usize] = (u32::MAX, NONE);
        scratch.from_t[x as usize] = (u32::MAX, NONE);
    }
    scratch.up_s = up_s;
    scratch.up_t = up_t;
    found
}

/// How many sources one sweep serves: the arcs are read once for all of them.
pub const LANES: usize = 8;

/// Travel times from each of up to `LANES` source ranks to every rank: `out[r * LANES + k]`
/// is the time from source `k` to rank `r` (`u32::MAX` where every way is closed).
pub fn sweep(topology: &Topology, metric: &Metric, sources: &[u32], out: &mut Vec<u32>) {
    assert!(sources.len() <= LANES, "at most {LANES} sources per sweep");
    let n = topology.node_count();
    out.clear();
    out.resize(n * LANES, u32::MAX);
    // Upward: each source's elimination-tree path.
    for (k, &s) in sources.iter().enumerate() {
        out[s as usize * LANES + k] = 0;
        for x in ancestors(topology, s) {
            let d = out[x as usize * LANES + k];
            if d == u32::MAX {
                continue;
            }
            for arc in topology.up_arcs(x) {
                let y = topology.up_head[arc] as usize * LANES + k;
                out[y] = out[y].min(plus(d, metric.weight[arc]));
            }
        }
    }
    // Downward: every junction, highest rank first, takes the best of its upper neighbours.
    for x in (0..n).rev() {
        let mut best = [u32::MAX; LANES];
        best.copy_from_slice(&out[x * LANES..(x + 1) * LANES]);
        for &(head, w) in &metric.upward[topology.up_arcs(x as u32)] {
            let y = head as usize * LANES;
            let above = &out[y..y + LANES];
            for k in 0..LANES {
                best[k] = best[k].min(above[k].saturating_add(w));
            }
        }
        out[x * LANES..(x + 1) * LANES].copy_from_slice(&best);
    }
}
