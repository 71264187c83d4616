//! Inertial flow (Schild and Sommer): a small vertex separator of a set of junctions along a
//! direction. The first quarter of the set along the direction is the source, the last
//! quarter the sink; the junctions that every walk from one to the other must cross, found as
//! a minimum vertex cut by augmenting paths (unit capacity per junction), are the separator.
//! Unlike a straight cut, the separator follows the gaps in the street grid: missing
//! segments, dead ends, places where few streets cross.
//!
//! Imports geometry only; called by `order`.

use crate::geo::Point;
use std::collections::VecDeque;

const NONE: u32 = u32::MAX;
/// The share of the set at each end that forms the source and the sink.
const BAND: f64 = 0.25;

/// Adjacency of the whole network, for the set's junctions.
pub struct Neighbours<'a> {
    pub first_out: &'a [u32],
    pub head: &'a [u32],
}

/// Reusable memory sized to the network: the local index of each junction of the set.
pub struct Workspace {
    local: Vec<u32>,
}

impl Workspace {
    pub fn new(n: usize) -> Self {
        Workspace {
            local: vec![NONE; n],
        }
    }
}

/// Where each local junction stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Source,
    Sink,
    Middle,
}

/// The two sides and the separator of `set` cut across `key`, or `None` when the source and
/// sink touch (the set is too thin to cut this way).
pub fn cut(
    set: &[u32],
    points: &[Point],
    graph: &Neighbours<'_>,
    key: fn(Point) -> f64,
    work: &mut Workspace,
) -> Option<(Vec<u32>, Vec<u32>, Vec<u32>)> {
    let n = set.len();
    let mut sorted = set.to_vec();
    sorted.sort_by(|&a, &b| key(points[a as usize]).total_cmp(&key(points[b as usize])));
    for (i, &v) in sorted.iter().enumerate() {
        work.local[v as usize] = i as u32;
    }
    let band = ((n as f64 * BAND) as usize).max(1);
    let role = |i: usize| {
        if i < band {
            Role::Source
        } else if i >= n - band {
            Role::Sink
        } else {
            Role::Middle
        }
    };
    // Local adjacency.
    let mut first = Vec::with_capacity(n + 1);
    let mut adj = Vec::new();
    first.push(0u32);
    for &v in &sorted {
        let range = graph.first_out[v as usize] as usize..graph.first_out[v as usize + 1] as usize;
        adj.extend(
            graph.head[range]
                .iter()
                .map(|&w| work.local[w as usize])
                .filter(|&w| w != NONE),
        );
        first.push(adj.len() as u32);
    }
    let result = (|| {
        let roles: Vec<Role> = (0..n).map(role).collect();
        let touching = (0..n).any(|i| {
            roles[i] == Role::Source
                && adj[first[i] as usize..first[i + 1] as usize]
                    .iter()
                    .any(|&w| roles[w as usize] == Role::Sink)
        });
        if touching {
            return None;
        }
        let reach = max_flow(&first, &adj, &roles);
        // In-state reached but out-state not: the saturated junctions at the frontier.
        let (mut a, mut b, mut sep) = (Vec::new(), Vec::new(), Vec::new());
        for (i, &v) in sorted.iter().enumerate() {
            match (reach[2 * i], reach[2 * i + 1]) {
                (_, true) => a.push(v),
                (true, false) => sep.push(v),
                (false, false) => b.push(v),
            }
        }
        Some((a, b, sep))
    })();
    for &v in set {
        work.local[v as usize] = NONE;
    }
    result
}

/// Augments node-disjoint source-to-sink paths until none is left, and returns which states
/// (2i: into junction i, 2i + 1: out of it) the residual graph still reaches from the source.
fn max_flow(first: &[u32], adj: &[u32], roles: &[Role]) -> Vec<bool> {
    let n = roles.len();
    // The flow: for a junction outside the source, where its unit of flow comes from; for one
    // outside the sink, where it goes. Source and sink junctions have unbounded capacity.
    let mut pred = vec![NONE; n];
    let mut succ = vec![NONE; n];
    let has_flow = |pred: &[u32], succ: &[u32], u: usize, w: usize| {
        if roles[u] == Role::Source {
            pred[w] == u as u32
        } else {
            succ[u] == w as u32
        }
    };
    let mut parent = vec![NONE; 2 * n];
    let mut seen = vec![false; 2 * n];
    let mut queue = VecDeque::new();
    loop {
        seen.iter_mut().for_each(|s| *s = false);
        queue.clear();
        for i in 0..n {
            if roles[i] == Role::Source {
                seen[2 * i] = true;
                seen[2 * i + 1] = true;
                queue.push_back(2 * i + 1);
            }
        }
        let mut reached = usize::MAX;
        'search: while let Some(state) = queue.pop_front() {
            let v = state / 2;
            let mut next_states = [usize::MAX; 1];
            if state % 2 == 0 {
                // Into v: through it if it is free, or back along the flow that enters it.
                next_states[0] = if pred[v] == NONE {
                    2 * v + 1
                } else {
                    2 * pred[v] as usize + 1
                };
            } else if roles[v] == Role::Middle && pred[v] != NONE {
                // Out of v, back through v against its flow.
                next_states[0] = 2 * v;
            }
            let streets: &[u32] = if state % 2 == 1 {
                &adj[first[v] as usize..first[v + 1] as usize]
            } else {
                &[]
            };
            let forward = streets
                .iter()
                .map(|&w| w as usize)
                .filter(|&w| roles[w] != Role::Source)
                .map(|w| 2 * w);
            for next in next_states
                .into_iter()
                .filter(|&x| x != usize::MAX)
                .chain(forward)
            {
                if seen[next] {
                    continue;
                }
                seen[next] = true;
                parent[next] = state as u32;
                if roles[next / 2] == Role::Sink {
                    reached = next;
                    break 'search;
                }
                queue.push_back(next);
            }
        }
        if reached == usize::MAX {
            return seen;
        }
        // Walk the path back and change the flow edge by edge: cancellations first, so that
        // each junction holds one unit at most once all changes are made.
        let mut steps = Vec::new();
        let mut state = reached;
        while parent[state] != NONE && !(roles[state / 2] == Role::Source && state % 2 == 1) {
            let from = parent[state] as usize;
            steps.push((from, state));
            state = from;
        }
        let mut added = Vec::new();
        for &(from, to) in &steps {
            let (u, w) = (from / 2, to / 2);
            if u == w {
                continue; // through a junction, or back through it: implied by its edges
            }
            if from % 2 == 1 && to % 2 == 0 {
                // Forward along the street u -> w, cancelling flow w -> u if there is one.
                if has_flow(&pred, &succ, w, u) {
                    clear(&mut pred, &mut succ, roles, w, u);
                } else {
                    added.push((u, w));
                }
            } else {
                // Back along the flow u <- w (in(u) -> out(w)).
                clear(&mut pred, &mut succ, roles, w, u);
            }
        }
        for (u, w) in added {
            if roles[u] != Role::Source {
                succ[u] = w as u32;
            }
            if roles[w] != Role::Sink {
                pred[w] = u as u32;
            }
        }
        parent.iter_mut().for_each(|p| *p = NONE);
    }
}

fn clear(pred: &mut [u32], succ: &mut [u32], roles: &[Role], u: usize, w: usize) {
    if roles[u] != Role::Source && succ[u] == w as u32 {
        succ[u] = NONE;
    }
    if roles[w] != Role::Sink && pred[w] == u as u32 {
        pred[w] = NONE;
    }
}
