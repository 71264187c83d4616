//! Plain Dijkstra over the network with a binary heap: the reference that the hierarchy's
//! answers are compared against in tests and benchmarks. A search may start from several
//! junctions at once, each reached at a cost (the two ends of the street segment a position
//! lies on), and stop at the first of several, each adding a cost.
//!
//! Imports the network only; weights arrive per edge (`u32::MAX` for a closed street).

use crate::network::{Network, NodeIndex};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Shortest times from `source` to every junction (`u32::MAX` where unreachable), and the
/// edge each junction was reached by (`u32::MAX` at the source and where unreachable).
pub fn one_to_all(network: &Network, weights: &[u32], source: NodeIndex) -> (Vec<u32>, Vec<u32>) {
    search(network, weights, &[(source, 0)], &[]).0
}

/// The same from a place reached through several junctions, each at a cost.
pub fn one_to_all_from(
    network: &Network,
    weights: &[u32],
    sources: &[(NodeIndex, u32)],
) -> (Vec<u32>, Vec<u32>) {
    search(network, weights, sources, &[]).0
}

/// The shortest time from `s` to `t` and the edges along it, `None` if unreachable.
pub fn shortest(
    network: &Network,
    weights: &[u32],
    s: NodeIndex,
    t: NodeIndex,
) -> Option<(u32, Vec<u32>)> {
    shortest_between(network, weights, &[(s, 0)], &[(t, 0)]).map(|r| (r.weight, r.edges))
}

/// A route between two places, each reached through junctions at a cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Between {
    /// Including the costs at both ends.
    pub weight: u32,
    /// The junction the route leaves the start by, and the one it reaches the end by.
    pub first: NodeIndex,
    pub last: NodeIndex,
    /// The edges from `first` to `last`.
    pub edges: Vec<u32>,
}

/// The shortest route from any of `sources` (junction, cost to reach it) to any of
/// `targets` (junction, cost from it), `None` if every way is closed.
pub fn shortest_between(
    network: &Network,
    weights: &[u32],
    sources: &[(NodeIndex, u32)],
    targets: &[(NodeIndex, u32)],
) -> Option<Between> {
    let ((dist, via), found) = search(network, weights, sources, targets);
    let (weight, last) = found?;
    let mut edges = Vec::new();
    let mut x = last;
    while via[x as usize] != u32::MAX {
        let e = via[x as usize];
        edges.push(e);
        x = network.edges()[e as usize].other(x);
    }
    edges.reverse();
    debug_assert!(dist[x as usize] != u32::MAX);
    Some(Between {
        weight,
        first: x,
        last,
        edges,
    })
}

/// Distances and the edges junctions were reached by; with targets, stops once no target
/// can be reached more cheaply than the best found, and returns it (weight, target).
#[allow(clippy::type_complexity)]
fn search(
    network: &Network,
    weights: &[u32],
    sources: &[(NodeIndex, u32)],
    targets: &[(NodeIndex, u32)],
) -> ((Vec<u32>, Vec<u32>), Option<(u32, NodeIndex)>) {
    let n = network.node_count();
    let mut dist = vec![u32::MAX; n];
    let mut via = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    for &(s, cost) in sources {
        if cost < dist[s as usize] {
            dist[s as usize] = cost;
            heap.push(Reverse((cost, s)));
        }
    }
    let mut best: Option<(u32, NodeIndex)> = None;
    while let Some(Reverse((d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        if let Some(&(_, cost)) = targets.iter().find(|&&(t, _)| t == v) {
            let total = d.saturating_add(cost);
            if total != u32::MAX && best.is_none_or(|(b, _)| total < b) {
                best = Some((total, v));
            }
        }
        // Every later junction is at least `d` away: none can beat the best.
        if best.is_some_and(|(b, _)| d >= b) {
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
    ((dist, via), best)
}
