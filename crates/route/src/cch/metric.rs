//! Customisation: the weight of every arc of the contracted graph under one set of edge
//! weights, and the junction each shortcut passes through, so a route can be unpacked into
//! streets. Re-run whenever hazards change; the topology stays.
//!
//! Imports the topology; weights arrive as a plain slice, one per network edge.

use super::{NONE, Topology};

/// Arc weights for one set of edge weights.
#[derive(Debug, Clone)]
pub struct Metric {
    /// Per arc: the shortest way between its ends that uses only lower junctions.
    pub weight: Vec<u32>,
    /// Per arc that is a shortcut: the two arcs it stands for (down to the lower junction it
    /// passes through, and up again), `(NONE, NONE)` for a street.
    pub via: Vec<(u32, u32)>,
    /// Per arc that is a street: the network edge it stands for, `NONE` otherwise.
    pub edge: Vec<u32>,
    /// Per arc: its head and weight side by side, so that searches read one stream.
    pub upward: Vec<(u32, u32)>,
}

/// Adds two weights; `u32::MAX` (closed) absorbs.
#[inline]
pub fn plus(a: u32, b: u32) -> u32 {
    a.saturating_add(b)
}

impl Metric {
    /// Customises `topology` for `edge_weights` (walking milliseconds per network edge,
    /// `u32::MAX` for a closed street).
    pub fn customise(topology: &Topology, edge_weights: &[u32]) -> Self {
        let m = topology.arc_count();
        let mut weight = vec![u32::MAX; m];
        let mut edge = vec![NONE; m];
        for (e, (&arc, &w)) in topology.arc_of_edge.iter().zip(edge_weights).enumerate() {
            // Of parallel streets the shortest stands for the arc.
            if w < weight[arc as usize] {
                weight[arc as usize] = w;
                edge[arc as usize] = e as u32;
            }
        }
        let mut via = vec![(NONE, NONE); m];
        // Lower triangles, bottom junction first: when x is reached, every triangle below
        // its arcs has been applied, so the weights of x's arcs are final.
        for x in 0..topology.node_count() as u32 {
            let arcs = topology.up_arcs(x);
            for i in arcs.clone() {
                let wy = weight[i];
                if wy == u32::MAX {
                    continue;
                }
                let y = topology.up_head[i];
                // The other upper neighbours of x above y are all upper neighbours of y:
                // walk both sorted lists together to find the arcs y -> z.
                let mut ys = topology.up_arcs(y);
                for j in i + 1..arcs.end {
                    let z = topology.up_head[j];
                    while topology.up_head[ys.start] != z {
                        ys.start += 1;
                    }
                    let through_x = plus(wy, weight[j]);
                    if through_x < weight[ys.start] {
                        weight[ys.start] = through_x;
                        via[ys.start] = (i as u32, j as u32);
                    }
                }
            }
        }
        let upward = topology
            .up_head
            .iter()
            .zip(&weight)
            .map(|(&h, &w)| (h, w))
            .collect();
        Metric {
            weight,
            via,
            edge,
            upward,
        }
    }

    /// The network edges of the arc between ranks `from` and `to`, in walking order.
    pub fn unpack(&self, topology: &Topology, from: u32, to: u32, out: &mut Vec<u32>) {
        let arc = topology
            .arc(from.min(to), from.max(to))
            .expect("a route follows arcs");
        // (arc, the end it is walked from); a shortcut's two arcs share its lower junction.
        let mut stack = vec![(arc, from)];
        while let Some((arc, from)) = stack.pop() {
            let arc = arc as usize;
            match self.via[arc] {
                (NONE, _) => out.push(self.edge[arc]),
                (low, high) => {
                    // `low` joins the middle junction to the arc's tail, `high` to its head.
                    let middle = topology.arc_tail[low as usize];
                    let (first, second) = if from == topology.arc_tail[arc] {
                        (low, high)
                    } else {
                        (high, low)
                    };
                    stack.push((second, middle));
                    stack.push((first, from));
                }
            }
        }
    }
}
