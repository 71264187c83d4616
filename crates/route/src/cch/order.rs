//! The contraction order: nested dissection by geometric bisection. A set of junctions is cut
//! in two at the median along the direction (east, north, or a diagonal) that crosses the
//! fewest streets; the junctions on the smaller side of the cut form the separator and are
//! ranked above both halves, which are ordered the same way, recursively.
//!
//! Streets are drawn on a plane, so a straight cut crosses few of them; the order depends on
//! the geometry only, never on the weights, which is what lets hazards be applied by
//! re-customising without re-ordering. Imports geometry only.

use super::flow_cut::{self, Neighbours, Workspace};
use crate::geo::Point;

/// Below this many junctions a set is ranked as it stands.
const LEAF: usize = 8;
/// From this many junctions up a set is cut by inertial flow; smaller ones at the median.
const FLOW_CUT_FROM: usize = 48;

/// An undirected graph without parallel edges or loops, as adjacency lists.
pub type Graph<'a> = Neighbours<'a>;

fn neighbours<'a>(graph: &'a Graph<'_>, v: u32) -> &'a [u32] {
    &graph.head[graph.first_out[v as usize] as usize..graph.first_out[v as usize + 1] as usize]
}

/// The order: `order[r]` is the junction of rank `r`.
pub fn nested_dissection(points: &[Point], graph: &Graph<'_>) -> Vec<u32> {
    let n = points.len();
    let mut out = Vec::with_capacity(n);
    let mut side = vec![0u8; n];
    let mut flow_work = Workspace::new(n);
    let mut nodes: Vec<u32> = (0..n as u32).collect();
    // An explicit stack of pending sets: separators are pushed as "emit" work, after the
    // halves, so they come out ranked above them.
    enum Work {
        Split(Vec<u32>),
        Emit(Vec<u32>),
    }
    let mut stack = vec![Work::Split(std::mem::take(&mut nodes))];
    while let Some(work) = stack.pop() {
        match work {
            Work::Emit(sep) => out.extend(sep),
            Work::Split(set) if set.len() <= LEAF => out.extend(set),
            Work::Split(set) => {
                let (a, b, sep) = if set.len() >= FLOW_CUT_FROM {
                    flow_bisect(&set, points, graph, &mut flow_work)
                        .unwrap_or_else(|| bisect(set, points, graph, &mut side))
                } else {
                    bisect(set, points, graph, &mut side)
                };
                stack.push(Work::Emit(sep));
                stack.push(Work::Split(b));
                stack.push(Work::Split(a));
            }
        }
    }
    out
}

const KEYS: [fn(Point) -> f64; 4] = [|p| p.x, |p| p.y, |p| p.x + p.y, |p| p.x - p.y];

/// The smallest inertial-flow separator over four directions (ties: the more even split).
fn flow_bisect(
    set: &[u32],
    points: &[Point],
    graph: &Graph<'_>,
    work: &mut Workspace,
) -> Option<(Vec<u32>, Vec<u32>, Vec<u32>)> {
    KEYS.iter()
        .filter_map(|&key| flow_cut::cut(set, points, graph, key, work))
        .min_by_key(|(a, b, sep)| (sep.len(), a.len().abs_diff(b.len())))
}

/// Cuts `set` in two halves and a separator, trying four directions.
fn bisect(
    mut set: Vec<u32>,
    points: &[Point],
    graph: &Graph<'_>,
    side: &mut [u8],
) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let mid = set.len() / 2;
    let mut best: Option<(usize, Vec<u32>)> = None;
    for key in KEYS {
        set.select_nth_unstable_by(mid, |&a, &b| {
            key(points[a as usize]).total_cmp(&key(points[b as usize]))
        });
        let sep = separator(&set, mid, graph, side);
        if best.as_ref().is_none_or(|(size, _)| sep.len() < *size) {
            best = Some((sep.len(), set.clone()));
        }
    }
    let (_, set) = best.expect("four directions tried");
    let sep = separator(&set, mid, graph, side);
    for &v in &sep {
        side[v as usize] = 3;
    }
    let (mut a, mut b) = (Vec::with_capacity(mid), Vec::with_capacity(set.len() - mid));
    for (i, &v) in set.iter().enumerate() {
        if side[v as usize] != 3 {
            if i < mid { a.push(v) } else { b.push(v) }
        }
    }
    for &v in &sep {
        side[v as usize] = 0;
    }
    (a, b, sep)
}

/// The junctions of the smaller side that have a street to the other side.
fn separator(set: &[u32], mid: usize, graph: &Graph<'_>, side: &mut [u8]) -> Vec<u32> {
    for (i, &v) in set.iter().enumerate() {
        side[v as usize] = if i < mid { 1 } else { 2 };
    }
    let boundary = |part: &[u32], other: u8| -> Vec<u32> {
        part.iter()
            .copied()
            .filter(|&v| {
                neighbours(graph, v)
                    .iter()
                    .any(|&w| side[w as usize] == other)
            })
            .collect()
    };
    let left = boundary(&set[..mid], 2);
    let right = boundary(&set[mid..], 1);
    for &v in set {
        side[v as usize] = 0;
    }
    if left.len() <= right.len() {
        left
    } else {
        right
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_junction_gets_exactly_one_rank() {
        // A 20 x 20 grid.
        let side = 20u32;
        let n = (side * side) as usize;
        let points: Vec<Point> = (0..n as u32)
            .map(|v| Point {
                x: f64::from(v % side),
                y: f64::from(v / side),
            })
            .collect();
        let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
        for v in 0..n as u32 {
            if v % side + 1 < side {
                adj[v as usize].push(v + 1);
                adj[v as usize + 1].push(v);
            }
            if v + side < n as u32 {
                adj[v as usize].push(v + side);
                adj[(v + side) as usize].push(v);
            }
        }
        let mut first_out = vec![0u32];
        let mut head = Vec::new();
        for list in &adj {
            head.extend(list);
            first_out.push(head.len() as u32);
        }
        let order = nested_dissection(
            &points,
            &Graph {
                first_out: &first_out,
                head: &head,
            },
        );
        let mut seen = order.clone();
        seen.sort();
        assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
        // The last-ranked junctions separate the grid: without them it falls apart.
        let mut removed = vec![false; n];
        for &v in &order[n - 20..] {
            removed[v as usize] = true;
        }
        let start = (0..n).find(|&v| !removed[v]).unwrap();
        let mut reached = vec![false; n];
        let mut stack = vec![start];
        reached[start] = true;
        while let Some(v) = stack.pop() {
            for &w in &adj[v] {
                if !removed[w as usize] && !reached[w as usize] {
                    reached[w as usize] = true;
                    stack.push(w as usize);
                }
            }
        }
        assert!((0..n).any(|v| !removed[v] && !reached[v]));
    }
}
