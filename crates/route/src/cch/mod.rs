//! Customizable contraction hierarchies (Dibbelt, Strasser, Wagner): a metric-independent
//! preparation done once per network — a nested-dissection order (`order`) and the
//! contracted graph it implies (this module) — and a customisation per set of weights
//! (`metric`) that takes a fraction of a second, so a hazard change is live at once.
//! Queries walk the elimination tree (`query`); travel-time fields sweep it down (PHAST).
//!
//! Everything inside works on ranks (junction `order[r]` has rank `r`), so that arcs are
//! stored upwards in rank order and sweeps read memory in sequence. Imports the network and
//! geometry; nothing of hazards, which arrive as plain edge weights.

mod flow_cut;
pub mod metric;
pub mod order;
pub mod query;

use crate::geo::Point;
use crate::network::Network;
use order::{Graph, nested_dissection};

/// No node, no arc, no edge.
pub const NONE: u32 = u32::MAX;

/// The contracted graph: every arc goes from a lower to a higher rank.
#[derive(Debug)]
pub struct Topology {
    /// `order[r]` is the junction of rank `r`; `rank[v]` its inverse.
    pub order: Vec<u32>,
    pub rank: Vec<u32>,
    /// Upward arcs of rank `x`: `up_head[first_up[x]..first_up[x + 1]]`, ascending.
    pub first_up: Vec<u32>,
    pub up_head: Vec<u32>,
    /// The lower end of each arc.
    pub arc_tail: Vec<u32>,
    /// The elimination tree: the lowest upward neighbour, `NONE` at a root.
    pub parent: Vec<u32>,
    /// Per rank: how many ancestors it has in the elimination tree (0 at a root). The
    /// junctions on one path up the tree have distinct depths, so a search along it keeps
    /// its distances in a small array indexed by depth.
    pub depth: Vec<u32>,
    /// The greatest depth.
    pub max_depth: u32,
    /// The arc each network edge lies on.
    pub arc_of_edge: Vec<u32>,
    /// Positions by rank, for the lower bound that prunes searches.
    pub points: Vec<Point>,
    /// The fewest milliseconds any street takes per metre of straight line in the plane:
    /// no route between two points can take less than this times their distance, whatever
    /// hazards do (they only slow or close streets).
    pub ms_per_metre: f64,
}

impl Topology {
    /// Orders the network and contracts it. Depends on the street layout only.
    pub fn new(network: &Network) -> Self {
        let n = network.node_count();
        let (first_out, head) = simple_graph(network);
        let order = nested_dissection(
            network.points(),
            &Graph {
                first_out: &first_out,
                head: &head,
            },
        );
        let mut rank = vec![0u32; n];
        for (r, &v) in order.iter().enumerate() {
            rank[v as usize] = r as u32;
        }
        let mut up: Vec<Vec<u32>> = vec![Vec::new(); n];
        for v in 0..n {
            for &w in &head[first_out[v] as usize..first_out[v + 1] as usize] {
                let (a, b) = (rank[v], rank[w as usize]);
                if a < b {
                    up[a as usize].push(b);
                }
            }
        }
        // Contracting x joins its upper neighbours into a clique. It is enough to hand them
        // to the lowest of them, which in turn hands them on when it is contracted.
        let mut first_up = Vec::with_capacity(n + 1);
        let mut up_head = Vec::new();
        let mut parent = vec![NONE; n];
        first_up.push(0u32);
        for x in 0..n {
            let mut list = std::mem::take(&mut up[x]);
            list.sort_unstable();
            list.dedup();
            if let Some((&lowest, rest)) = list.split_first() {
                parent[x] = lowest;
                up[lowest as usize].extend_from_slice(rest);
            }
            up_head.extend_from_slice(&list);
            first_up.push(up_head.len() as u32);
        }
        let arc_tail: Vec<u32> = (0..n as u32)
            .flat_map(|x| {
                let count = first_up[x as usize + 1] - first_up[x as usize];
                std::iter::repeat_n(x, count as usize)
            })
            .collect();
        // A parent ranks above its children: highest rank first, each depth is known when read.
        let mut depth = vec![0u32; n];
        for x in (0..n).rev() {
            if parent[x] != NONE {
                depth[x] = depth[parent[x] as usize] + 1;
            }
        }
        let max_depth = depth.iter().copied().max().unwrap_or(0);
        let mut topology = Topology {
            order,
            rank,
            first_up,
            arc_tail,
            up_head,
            parent,
            depth,
            max_depth,
            arc_of_edge: Vec::new(),
            points: Vec::new(),
            ms_per_metre: 0.0,
        };
        topology.points = topology.order.iter().map(|&v| network.point(v)).collect();
        topology.ms_per_metre = network
            .edges()
            .iter()
            .map(|e| (e.time_ms, network.point(e.a).distance(network.point(e.b))))
            .filter(|&(_, d)| d > 0.0)
            .map(|(t, d)| f64::from(t) / d)
            .fold(f64::INFINITY, f64::min);
        if !topology.ms_per_metre.is_finite() {
            topology.ms_per_metre = 0.0;
        }
        topology.arc_of_edge = network
            .edges()
            .iter()
            .map(|e| {
                let (a, b) = (topology.rank[e.a as usize], topology.rank[e.b as usize]);
                topology
                    .arc(a.min(b), a.max(b))
                    .expect("every edge lies on an arc")
            })
            .collect();
        topology
    }

    pub fn node_count(&self) -> usize {
        self.order.len()
    }

    /// A lower bound on the time between ranks `a` and `b`: the straight line at the fastest
    /// pace any street allows (rounded down, with a margin for floating point).
    pub fn lower_bound(&self, a: u32, b: u32) -> u32 {
        let metres = self.points[a as usize].distance(self.points[b as usize]);
        // `as` rounds towards zero (down, for a distance) and saturates.
        (metres * self.ms_per_metre * (1.0 - 1e-9)) as u32
    }

    pub fn arc_count(&self) -> usize {
        self.up_head.len()
    }

    /// The arcs leaving rank `x` upwards, as a range of arc ids.
    pub fn up_arcs(&self, x: u32) -> std::ops::Range<usize> {
        self.first_up[x as usize] as usize..self.first_up[x as usize + 1] as usize
    }

    /// The arc from rank `lo` up to rank `hi`.
    pub fn arc(&self, lo: u32, hi: u32) -> Option<u32> {
        let range = self.up_arcs(lo);
        self.up_head[range.clone()]
            .binary_search(&hi)
            .ok()
            .map(|i| (range.start + i) as u32)
    }
}

/// The network's junctions and who neighbours whom, without parallel streets or loops.
fn simple_graph(network: &Network) -> (Vec<u32>, Vec<u32>) {
    let n = network.node_count();
    let mut first_out = Vec::with_capacity(n + 1);
    let mut head = Vec::new();
    first_out.push(0u32);
    for v in 0..n as u32 {
        let start = head.len();
        head.extend(
            network
                .neighbours(v)
                .iter()
                .map(|&(w, _)| w)
                .filter(|&w| w != v),
        );
        head[start..].sort_unstable();
        let mut list: Vec<u32> = head.drain(start..).collect();
        list.dedup();
        head.extend(list);
        first_out.push(head.len() as u32);
    }
    (first_out, head)
}
