//! Minimum-cost circulation by cost scaling (Goldberg and Tarjan's push–relabel with
//! ε-scaling): the solver behind the aggregated plan. A network of arcs with capacities and
//! integer costs in, the flow on every arc and the node prices (the duals) out.
//!
//! Knows nothing of households or windows; imports nothing of the crate.

/// A directed network of arcs with integer capacities and costs.
#[derive(Debug, Clone, Default)]
pub struct Network {
    nodes: usize,
    pub(crate) tail: Vec<u32>,
    pub(crate) head: Vec<u32>,
    pub(crate) capacity: Vec<i64>,
    pub(crate) cost: Vec<i64>,
}

impl Network {
    pub fn new(nodes: usize) -> Self {
        Network {
            nodes,
            ..Default::default()
        }
    }

    pub fn nodes(&self) -> usize {
        self.nodes
    }

    pub fn arcs(&self) -> usize {
        self.head.len()
    }

    pub fn add_node(&mut self) -> usize {
        self.nodes += 1;
        self.nodes - 1
    }

    /// Adds an arc and returns its index. `capacity` is at least zero.
    pub fn add_arc(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> usize {
        debug_assert!(capacity >= 0 && from < self.nodes && to < self.nodes);
        self.tail.push(from as u32);
        self.head.push(to as u32);
        self.capacity.push(capacity);
        self.cost.push(cost);
        self.head.len() - 1
    }

    /// The cost of a flow.
    pub fn cost_of(&self, flow: &[i64]) -> i64 {
        flow.iter().zip(&self.cost).map(|(f, c)| f * c).sum()
    }

    /// Whether `flow` is a circulation of this network within its capacities.
    pub fn is_circulation(&self, flow: &[i64]) -> bool {
        let mut balance = vec![0i64; self.nodes];
        for (a, &f) in flow.iter().enumerate() {
            if f < 0 || f > self.capacity[a] {
                return false;
            }
            balance[self.tail[a] as usize] -= f;
            balance[self.head[a] as usize] += f;
        }
        balance.iter().all(|&b| b == 0)
    }
}

/// A circulation and the prices that prove it optimal: every arc that could carry more flow
/// has `cost + price[tail] - price[head] >= 0` (up to `1/(nodes+1)` for cost scaling), every
/// arc that could carry less has it `<= 0`.
#[derive(Debug, Clone)]
pub struct Circulation {
    pub flow: Vec<i64>,
    pub price: Vec<f64>,
}

/// The residual network both solvers work on: arc `2a` is arc `a` forward, `2a+1` backward.
pub(crate) struct Residual {
    pub to: Vec<u32>,
    pub residual: Vec<i64>,
    pub cost: Vec<i64>,
    /// Residual arcs leaving node `v`: `out[start[v]..start[v+1]]`.
    pub start: Vec<usize>,
    pub out: Vec<u32>,
}

impl Residual {
    pub fn new(net: &Network, scale: i64) -> Self {
        let m = net.arcs();
        let mut to = vec![0u32; 2 * m];
        let mut residual = vec![0i64; 2 * m];
        let mut cost = vec![0i64; 2 * m];
        let mut degree = vec![0usize; net.nodes + 1];
        for a in 0..m {
            to[2 * a] = net.head[a];
            to[2 * a + 1] = net.tail[a];
            residual[2 * a] = net.capacity[a];
            cost[2 * a] = net.cost[a] * scale;
            cost[2 * a + 1] = -net.cost[a] * scale;
            degree[net.tail[a] as usize + 1] += 1;
            degree[net.head[a] as usize + 1] += 1;
        }
        for v in 0..net.nodes {
            degree[v + 1] += degree[v];
        }
        let start = degree.clone();
        let mut fill = degree;
        let mut out = vec![0u32; 2 * m];
        for a in 0..m {
            let t = net.tail[a] as usize;
            out[fill[t]] = (2 * a) as u32;
            fill[t] += 1;
            let h = net.head[a] as usize;
            out[fill[h]] = (2 * a + 1) as u32;
            fill[h] += 1;
        }
        Residual {
            to,
            residual,
            cost,
            start,
            out,
        }
    }

    pub fn flow(&self) -> Vec<i64> {
        self.residual.iter().skip(1).step_by(2).copied().collect()
    }

    pub fn push(&mut self, a: usize, amount: i64) {
        self.residual[a] -= amount;
        self.residual[a ^ 1] += amount;
    }
}

/// How much ε shrinks between refinements.
const ALPHA: i64 = 8;

/// The minimum-cost circulation of `net` by cost scaling.
pub fn min_cost_circulation(net: &Network) -> Circulation {
    let n = net.nodes();
    // Costs multiplied by n+1: a circulation ε-optimal for ε = 1 in these units is optimal
    // for the integer costs.
    let scale = n as i64 + 1;
    let mut g = Residual::new(net, scale);
    let mut price = vec![0i64; n];
    let mut excess = vec![0i64; n];
    let mut current = vec![0usize; n];
    let mut queue = std::collections::VecDeque::new();
    let mut eps = g.cost.iter().map(|c| c.abs()).max().unwrap_or(0).max(1);
    loop {
        eps = (eps / ALPHA).max(1);
        refine(
            &mut g,
            &mut price,
            &mut excess,
            &mut current,
            &mut queue,
            eps,
        );
        if eps == 1 {
            break;
        }
    }
    Circulation {
        flow: g.flow(),
        price: price.iter().map(|&p| p as f64 / scale as f64).collect(),
    }
}

fn refine(
    g: &mut Residual,
    price: &mut [i64],
    excess: &mut [i64],
    current: &mut [usize],
    queue: &mut std::collections::VecDeque<u32>,
    eps: i64,
) {
    let n = price.len();
    // Saturate every arc of negative reduced cost: the flow becomes 0-optimal, at the price of
    // excesses and deficits that the pushes below remove.
    for u in 0..n {
        for k in g.start[u]..g.start[u + 1] {
            let a = g.out[k] as usize;
            let v = g.to[a] as usize;
            let r = g.residual[a];
            if r > 0 && g.cost[a] + price[u] - price[v] < 0 {
                g.push(a, r);
                excess[u] -= r;
                excess[v] += r;
            }
        }
    }
    for u in 0..n {
        current[u] = g.start[u];
        if excess[u] > 0 {
            queue.push_back(u as u32);
        }
    }
    while let Some(u) = queue.pop_front() {
        let u = u as usize;
        let end = g.start[u + 1];
        while excess[u] > 0 {
            if current[u] == end {
                // Relabel: lower the price just enough that the cheapest residual arc becomes
                // admissible, keeping every other arc ε-optimal.
                let mut best = i64::MIN;
                for &a in &g.out[g.start[u]..end] {
                    let a = a as usize;
                    if g.residual[a] > 0 {
                        best = best.max(price[g.to[a] as usize] - g.cost[a]);
                    }
                }
                debug_assert!(best > i64::MIN, "a node with excess has a residual arc");
                price[u] = best - eps;
                current[u] = g.start[u];
                continue;
            }
            let a = g.out[current[u]] as usize;
            let v = g.to[a] as usize;
            if g.residual[a] > 0 && g.cost[a] + price[u] - price[v] < 0 {
                let d = excess[u].min(g.residual[a]);
                g.push(a, d);
                excess[u] -= d;
                let was_idle = excess[v] <= 0;
                excess[v] += d;
                if was_idle && excess[v] > 0 {
                    queue.push_back(v as u32);
                }
                if g.residual[a] == 0 {
                    current[u] += 1;
                }
            } else {
                current[u] += 1;
            }
        }
    }
}

impl Network {
    pub fn tails(&self) -> Vec<usize> {
        self.tail.iter().map(|&t| t as usize).collect()
    }
    pub fn heads(&self) -> Vec<usize> {
        self.head.iter().map(|&h| h as usize).collect()
    }
    pub fn capacities(&self) -> &[i64] {
        &self.capacity
    }
    pub fn costs(&self) -> &[i64] {
        &self.cost
    }
}
