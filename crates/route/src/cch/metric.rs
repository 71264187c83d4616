//! Customisation: the weight of every arc of the contracted graph under one set of edge
//! weights, and the junction each shortcut passes through, so a route can be unpacked into
//! streets; then the perfect weights (each arc's true shortest distance) and, from them, the
//! arcs a search still needs. Re-run whenever hazards change; the topology stays.
//!
//! Imports the topology; weights arrive as a plain slice, one per network edge.

use super::{NONE, Topology};

/// Arc weights for one set of edge weights.
#[derive(Debug, Clone)]
pub struct Metric {
    /// Per arc: the shortest way between its ends that uses only lower junctions (the basic
    /// customisation), `u32::MAX` if there is none.
    pub weight: Vec<u32>,
    /// Per arc: what it stands for, to unpack it into streets.
    pub parts: Vec<Parts>,
    /// The arcs searches need, per rank: `needed[first_needed[x]..first_needed[x + 1]]` are
    /// the needed arcs leaving rank `x` upwards, ascending by head, each as (depth of its
    /// head, weight) for the elimination-tree search.
    pub first_needed: Vec<u32>,
    pub needed: Vec<(u32, u32)>,
    /// Per needed arc: its head's rank, for the sweeps.
    pub needed_head: Vec<u32>,
    /// Per needed arc: its id in the topology, to unpack it.
    pub needed_arc: Vec<u32>,
}

/// What an arc stands for, in one record so unpacking reads one place per arc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// For a shortcut, the arc down from its tail to the junction it passes through, and the
    /// arc from that junction up to its head; for a street `low` is `NONE` and `high` the
    /// network edge.
    pub low: u32,
    pub high: u32,
    /// The arc's lower end.
    pub tail: u32,
    /// The junction a shortcut passes through (the tail of `low` and of `high`).
    pub middle: u32,
}

/// Adds two weights; `u32::MAX` (closed) absorbs.
#[inline]
pub fn plus(a: u32, b: u32) -> u32 {
    a.saturating_add(b)
}

/// Calls `f(i, j, k)` for every triangle of arcs `i = (x, y)`, `j = (x, z)`, `k = (y, z)`
/// with `x < y < z` and `x` the given rank; `k` is found by walking the sorted upper
/// neighbours of `y` along with those of `x` (every upper neighbour of `x` above `y` is one
/// of `y`'s).
#[inline]
fn triangles_at(topology: &Topology, x: u32, mut f: impl FnMut(usize, usize, usize)) {
    let arcs = topology.up_arcs(x);
    for i in arcs.clone() {
        let y = topology.up_head[i];
        let mut k = topology.up_arcs(y).start;
        for j in i + 1..arcs.end {
            let z = topology.up_head[j];
            while topology.up_head[k] != z {
                k += 1;
            }
            f(i, j, k);
        }
    }
}

impl Metric {
    /// Customises `topology` for `edge_weights` (walking milliseconds per network edge, at
    /// least 1, `u32::MAX` for a closed street).
    pub fn customise(topology: &Topology, edge_weights: &[u32]) -> Self {
        let n = topology.node_count();
        let m = topology.arc_count();
        let mut weight = vec![u32::MAX; m];
        let mut edge = vec![NONE; m];
        for (e, (&arc, &w)) in topology.arc_of_edge.iter().zip(edge_weights).enumerate() {
            debug_assert!(w > 0, "a street takes time to walk");
            // Of parallel streets the shortest stands for the arc.
            if w < weight[arc as usize] {
                weight[arc as usize] = w;
                edge[arc as usize] = e as u32;
            }
        }
        let mut via = vec![(NONE, NONE); m];
        // Lower triangles, bottom junction first: when x is reached, every triangle below
        // its arcs has been applied, so the weights of x's arcs are final.
        for x in 0..n as u32 {
            triangles_at(topology, x, |i, j, k| {
                let through_x = plus(weight[i], weight[j]);
                if through_x < weight[k] {
                    weight[k] = through_x;
                    via[k] = (i as u32, j as u32);
                }
            });
        }
        let parts = via
            .iter()
            .zip(&edge)
            .zip(&topology.arc_tail)
            .map(|((&(low, high), &edge), &tail)| match low {
                NONE => Parts {
                    low,
                    high: edge,
                    tail,
                    middle: NONE,
                },
                _ => Parts {
                    low,
                    high,
                    tail,
                    middle: topology.arc_tail[low as usize],
                },
            })
            .collect();
        let perfect = perfect(topology, &weight);
        let needed = needed(topology, &perfect);
        let mut first_needed = Vec::with_capacity(n + 1);
        let (mut kept, mut needed_head, mut needed_arc) = (Vec::new(), Vec::new(), Vec::new());
        first_needed.push(0);
        for x in 0..n as u32 {
            for arc in topology.up_arcs(x) {
                if needed[arc] {
                    let head = topology.up_head[arc];
                    kept.push((topology.depth[head as usize], perfect[arc]));
                    needed_head.push(head);
                    needed_arc.push(arc as u32);
                }
            }
            first_needed.push(kept.len() as u32);
        }
        Metric {
            weight,
            parts,
            first_needed,
            needed: kept,
            needed_head,
            needed_arc,
        }
    }

    /// The needed arcs leaving rank `x` upwards, as a range of indices into `needed`.
    #[inline]
    pub fn needed_arcs(&self, x: u32) -> std::ops::Range<usize> {
        self.first_needed[x as usize] as usize..self.first_needed[x as usize + 1] as usize
    }

    /// The network edges of `arc` walked from its end `from`, appended to `out` in walking
    /// order; `stack` is working memory.
    pub fn unpack(&self, arc: u32, from: u32, out: &mut Vec<u32>, stack: &mut Vec<(u32, u32)>) {
        // (arc, the end it is walked from); a shortcut's two arcs share its lower junction.
        // The first half of a shortcut is followed at once, the second kept for later.
        stack.clear();
        stack.push((arc, from));
        while let Some((mut arc, from)) = stack.pop() {
            loop {
                let p = self.parts[arc as usize];
                if p.low == NONE {
                    out.push(p.high);
                    break;
                }
                // `low` joins the middle junction to the arc's tail, `high` to its head.
                let (first, second) = if from == p.tail {
                    (p.low, p.high)
                } else {
                    (p.high, p.low)
                };
                stack.push((second, p.middle));
                arc = first;
            }
        }
    }
}

/// Perfect customisation: every arc's weight becomes the shortest distance between its ends
/// in the whole network. Top junction first: the arcs among x's upper neighbours are then
/// final, and a shortest way from x to an upper neighbour y either is the arc or climbs to
/// another upper neighbour z first and takes the (final) arc between z and y.
fn perfect(topology: &Topology, basic: &[u32]) -> Vec<u32> {
    let mut w = basic.to_vec();
    for x in (0..topology.node_count() as u32).rev() {
        triangles_at(topology, x, |i, j, k| {
            // Upper triangle of (x, y) through z, intermediate triangle of (x, z) through y.
            w[i] = w[i].min(plus(w[j], w[k]));
            w[j] = w[j].min(plus(w[i], w[k]));
        });
    }
    w
}

/// Which arcs a search needs under perfect weights: not a closed one, nor one whose length
/// another way through a higher junction matches (through z between its ends, or above
/// both). Such a way uses strictly shorter arcs (every street takes at least a millisecond),
/// so expanding dropped arcs into the ways that match them ends, and only ever passes
/// through junctions above the arc's lower end: the remaining arcs still form a contraction
/// hierarchy that keeps every distance, and an upward and downward search finds a shortest
/// route in it (the argument of Dibbelt, Strasser and Wagner for perfect customisation).
fn needed(topology: &Topology, perfect: &[u32]) -> Vec<bool> {
    let mut needed: Vec<bool> = perfect.iter().map(|&w| w != u32::MAX).collect();
    for x in 0..topology.node_count() as u32 {
        triangles_at(topology, x, |i, j, k| {
            if perfect[k] == u32::MAX {
                return;
            }
            if plus(perfect[j], perfect[k]) == perfect[i] {
                needed[i] = false;
            }
            if plus(perfect[i], perfect[k]) == perfect[j] {
                needed[j] = false;
            }
        });
    }
    needed
}
