//! The cost-scaling solver against the successive-shortest-path reference on random networks:
//! both return circulations within capacities, of the same (minimum) cost, and prices that
//! prove it.

use proptest::prelude::*;
use safeconduct_plan::flow::{Circulation, Network, min_cost_circulation};
use safeconduct_plan::reference;

fn network() -> impl Strategy<Value = Network> {
    (2usize..9).prop_flat_map(|n| {
        prop::collection::vec((0..n, 0..n, 0i64..20, -30i64..30), 1..30).prop_map(move |arcs| {
            let mut net = Network::new(n);
            for (u, v, cap, cost) in arcs {
                if u != v {
                    net.add_arc(u, v, cap, cost);
                }
            }
            net
        })
    })
}

/// No arc that could carry more flow is cheaper than its prices say, and no arc that could
/// carry less is dearer (within the cost-scaling tolerance).
fn prices_prove_optimality(net: &Network, c: &Circulation) -> bool {
    let tolerance = 1.0 / (net.nodes() as f64 + 1.0) + 1e-9;
    (0..net.arcs()).all(|a| {
        let (t, h) = (net.tails()[a], net.heads()[a]);
        let reduced = net.costs()[a] as f64 + c.price[t] - c.price[h];
        let can_grow = c.flow[a] < net.capacities()[a];
        let can_shrink = c.flow[a] > 0;
        (!can_grow || reduced >= -tolerance) && (!can_shrink || reduced <= tolerance)
    })
}

proptest! {
    #[test]
    fn cost_scaling_matches_the_reference_and_proves_it(net in network()) {
        let fast = min_cost_circulation(&net);
        let slow = reference::min_cost_circulation(&net);
        prop_assert!(net.is_circulation(&fast.flow));
        prop_assert!(net.is_circulation(&slow.flow));
        prop_assert_eq!(net.cost_of(&fast.flow), net.cost_of(&slow.flow));
        prop_assert!(prices_prove_optimality(&net, &fast));
        prop_assert!(prices_prove_optimality(&net, &slow));
    }
}

#[test]
fn a_profitable_cycle_is_filled_to_its_narrowest_arc() {
    let mut net = Network::new(3);
    net.add_arc(0, 1, 5, -10);
    net.add_arc(1, 2, 3, 1);
    net.add_arc(2, 0, 9, 1);
    let c = min_cost_circulation(&net);
    assert_eq!(c.flow, vec![3, 3, 3]);
    assert_eq!(net.cost_of(&c.flow), -24);
}
