//! The upper bound of the objective, from the prices of the aggregated flow: the dual of the
//! household-level flow relaxation (each household its own source arc of `size` people worth
//! `weight(class)` each, an arc to every RV its needs allow at its own travel cost, and the
//! same RV → window → gate period arcs). For any prices `p`, the relaxation's optimum is at
//! most
//!
//! `Σ_h size_h · max(0, weight_h − p_source + max_r (p_r − travel_hr))
//!  + Σ_capacity arcs a  capacity_a · max(0, p_head(a) − p_tail(a) − cost_a)`
//!
//! (weak duality, with each household node priced at its best RV). The prices of the
//! aggregated optimum make it tight; any prices keep it valid, so aggregation, pruned flow
//! arcs and rounding can only loosen the bound, never make it false.
//!
//! Imports `cells`, `instance`, `solve` (the pass's prices) and `travel`.

use crate::instance::Instance;
use crate::solution::{Placement, weight};
use crate::solve::Pass;
use crate::travel::TravelCost;

/// The bound for the households `pass` planned plus the objective of those placed before it
/// (`fixed_value`).
pub(crate) fn bound(
    instance: &Instance,
    travel: &dyn TravelCost,
    pass: &Pass,
    fixed_value: f64,
) -> f64 {
    let price = &pass.circulation.price;
    let p_source = price[pass.source];
    let rv_price = |r: usize| price[pass.rv_node[r]];
    let hs = instance.households();
    let mut total = fixed_value;
    for cell in &pass.cells.cells {
        let order = cell.by_score(rv_price);
        for &h in &cell.members {
            let hh = &hs[h as usize];
            if let Some((r, c)) = cell.best_rv(instance, travel, hh, &order, rv_price, |_| true) {
                let value =
                    weight(instance, hh.class) as f64 - p_source + rv_price(r) - f64::from(c);
                total += f64::from(hh.size.get()) * value.max(0.0);
            }
        }
    }
    let net = &pass.net;
    for &a in &pass.capacity_arcs {
        let (t, h) = (net.tail[a] as usize, net.head[a] as usize);
        let reduced = net.cost[a] as f64 + price[t] - price[h];
        total += net.capacity[a] as f64 * (-reduced).max(0.0);
    }
    total
}

/// The objective of the households already placed in `placement`.
pub(crate) fn placed_value(
    instance: &Instance,
    travel: &dyn TravelCost,
    placement: &Placement,
) -> f64 {
    let mut v = 0i64;
    for (h, p) in placement.iter().enumerate() {
        if let Ok(w) = p {
            let hh = &instance.households()[h];
            let rv = &instance.rvs()[instance.windows()[*w].rv];
            let c = travel.seconds(&hh.location, &rv.location);
            v += i64::from(hh.size.get()) * (weight(instance, hh.class) - i64::from(c));
        }
    }
    v as f64
}
