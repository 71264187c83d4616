//! A plain minimum-cost circulation by successive shortest paths (every negative arc
//! saturated, then Dijkstra with potentials from excesses to deficits): the reference the
//! cost-scaling solver is tested and benchmarked against. Exact, simple and slow.
//!
//! Imports only `flow`'s network and residual form.

use crate::flow::{Circulation, Network, Residual};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The minimum-cost circulation of `net` by successive shortest paths.
pub fn min_cost_circulation(net: &Network) -> Circulation {
    let n = net.nodes();
    let mut g = Residual::new(net, 1);
    let mut excess = vec![0i64; n];
    // With every negative arc saturated, all residual arcs cost at least zero and zero
    // potentials are feasible.
    for a in (0..g.to.len()).step_by(2) {
        if g.cost[a] < 0 && g.residual[a] > 0 {
            let r = g.residual[a];
            let (u, v) = (g.to[a + 1] as usize, g.to[a] as usize);
            g.push(a, r);
            excess[u] -= r;
            excess[v] += r;
        }
    }
    let mut pi = vec![0i64; n];
    let mut dist = vec![i64::MAX; n];
    let mut via = vec![u32::MAX; n];
    loop {
        if excess.iter().all(|&e| e <= 0) {
            break;
        }
        dist.fill(i64::MAX);
        via.fill(u32::MAX);
        let mut heap = BinaryHeap::new();
        for v in 0..n {
            if excess[v] > 0 {
                dist[v] = 0;
                heap.push(Reverse((0i64, v as u32)));
            }
        }
        let mut target = None;
        while let Some(Reverse((d, u))) = heap.pop() {
            let u = u as usize;
            if d > dist[u] {
                continue;
            }
            if excess[u] < 0 {
                target = Some((u, d));
                break;
            }
            for &a in &g.out[g.start[u]..g.start[u + 1]] {
                let a = a as usize;
                if g.residual[a] <= 0 {
                    continue;
                }
                let v = g.to[a] as usize;
                let nd = d + g.cost[a] + pi[u] - pi[v];
                if nd < dist[v] {
                    dist[v] = nd;
                    via[v] = a as u32;
                    heap.push(Reverse((nd, v as u32)));
                }
            }
        }
        let Some((t, dt)) = target else {
            unreachable!("a circulation problem balances every excess");
        };
        for v in 0..n {
            pi[v] += dist[v].min(dt);
        }
        let mut amount = -excess[t];
        let mut v = t;
        while via[v] != u32::MAX {
            let a = via[v] as usize;
            amount = amount.min(g.residual[a]);
            v = g.to[a ^ 1] as usize;
        }
        amount = amount.min(excess[v]);
        let source = v;
        let mut v = t;
        while via[v] != u32::MAX {
            let a = via[v] as usize;
            g.push(a, amount);
            v = g.to[a ^ 1] as usize;
        }
        excess[source] -= amount;
        excess[t] += amount;
    }
    Circulation {
        flow: g.flow(),
        price: pi.iter().map(|&p| p as f64).collect(),
    }
}
