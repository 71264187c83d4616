//! Plain Dijkstra over the network with a binary heap: the reference that the hierarchy's
//! answers are compared against in tests and benchmarks.
//!
//! Imports the network only; weights arrive per edge (`u32::MAX` for a closed street).

use crate::network::{Network, NodeIndex};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Shortest times from `source` to every junction (`u32::MAX` where unreachable), and the
/// edge each junction was reached by (`u32::MAX` at the source and where unreachable).
pub fn one_to_all(network: &Network, weights: &[u32], source: NodeIndex) -> (Vec<u32>, Vec<u32>) {
    search(network, weights, source, None)
}

/// The shortest time from `s` to `t` and the edges along it, `None` if unreachable.
pub fn shortest(
    network: &Network,
    weights: &[u32],
    s: NodeIndex,
    t: NodeIndex,
) -> Option<(u32, Vec<u32>)> {
    let (dist, via) = search(network, weights, s, Some(t));
    if dist[t as usize] == u32::MAX {
        return None;
    }
    let mut edges = Vec::new();
    let mut x = t;
    while x != s {
        let e = via[x as usize];
        edges.push(e);
        x = network.edges()[e as usize].other(x);
    }
    edges.reverse();
    Some((dist[t as usize], edges))
}

fn search(
    network: &Network,
    weights: &[u32],
    source: NodeIndex,
    target: Option<NodeIndex>,
) -> (Vec<u32>, Vec<u32>) {
    let n = network.node_count();
    let mut dist = vec![u32::MAX; n];
    let mut via = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    dist[source as usize] = 0;
    heap.push(Reverse((0u32, source)));
    while let Some(Reverse((d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        if Some(v) == target {
            break;
        }
        for &(w, e) in network.neighbours(v) {
            let cost = weights[e as usize];
            if cost == u32::MAX {
                continue;
            }
            let nd = d.saturating_add(cost);
            if nd < dist[w as usize] {
                dist[w as usize] = nd;
                via[w as usize] = e;
                heap.push(Reverse((nd, w)));
            }
        }
    }
    (dist, via)
}
