//! Routing benchmark: query latency of the hierarchy against Dijkstra measured in the same
//! run, the time for a hazard change to be live (re-customisation), and travel-time fields
//! from 300 RVs; on the Helsinki extract and on a generated city of about 300,000 junctions.
//!
//! `cargo bench -p safeconduct-route --bench routing`
//! (`SAFECONDUCT_BENCH_CITY_SIDE=N` for an N x N city instead of 267 x 267.)

use safeconduct_domain::model::Severity;
use safeconduct_domain::values::{Coordinate, Timestamp};
use safeconduct_route::walking::{PlaceName, WayKind};
use safeconduct_route::{Hazard, NetworkBuilder, Router, dijkstra, network_from_pbf};
use std::time::{Duration, Instant};

const EXTRACT: &[u8] = include_bytes!("../../../data/osm/helsinki-centre.osm.pbf");

#[path = "../tests/common/seeded.rs"]
mod seeded;
use seeded::Seeded;

/// A city of `side` x `side` crossings 80 m apart: every eighth street each way is an
/// arterial (never removed); a quarter of the local street segments are removed at random
/// (dead ends, irregular blocks); every crossing is moved by up to 15 m each way; and each
/// segment bends through one to three shape points (as mapped streets do), which makes about
/// 4.2 junctions per crossing.
fn generated_city(side: usize, seed: u64) -> safeconduct_route::Network {
    let mut rng = Seeded(seed);
    let mut b = NetworkBuilder::new();
    let (lat0, lon0): (f64, f64) = (34.50, 69.10); // somewhere like Kabul
    let metres_lat = 1.0 / 111_195.0;
    let metres_lon = metres_lat / lat0.to_radians().cos();
    let at = |north: f64, east: f64| {
        Coordinate::new(lat0 + north * metres_lat, lon0 + east * metres_lon).unwrap()
    };
    let mut crossings = Vec::with_capacity(side * side);
    for row in 0..side {
        for col in 0..side {
            let north = row as f64 * 80.0 + (rng.unit() - 0.5) * 30.0;
            let east = col as f64 * 80.0 + (rng.unit() - 0.5) * 30.0;
            let id = (row * side + col) as i64 + 1;
            crossings.push((b.node(id, at(north, east)), north, east));
        }
    }
    let mut next_id = (side * side) as i64 + 1;
    for row in 0..side {
        for col in 0..side {
            let here = crossings[row * side + col];
            for (next, arterial, name) in [
                (
                    (col + 1 < side).then(|| crossings[row * side + col + 1]),
                    row % 8 == 0,
                    row,
                ),
                (
                    (row + 1 < side).then(|| crossings[(row + 1) * side + col]),
                    col % 8 == 0,
                    col,
                ),
            ] {
                let Some(next) = next else { continue };
                if !arterial && rng.unit() < 0.25 {
                    continue;
                }
                let bends = 1 + (rng.next() % 3) as usize;
                let mut way = vec![here.0];
                for k in 1..=bends {
                    let f = k as f64 / (bends + 1) as f64;
                    let north = here.1 + (next.1 - here.1) * f + (rng.unit() - 0.5) * 10.0;
                    let east = here.2 + (next.2 - here.2) * f + (rng.unit() - 0.5) * 10.0;
                    way.push(b.node(next_id, at(north, east)));
                    next_id += 1;
                }
                way.push(next.0);
                let name = arterial.then(|| PlaceName::plain(format!("Arterial {name}")));
                b.way(&way, name, WayKind::Street);
            }
        }
    }
    b.build().unwrap()
}

/// CPU time used by this thread so far.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the struct it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "the thread CPU clock is available on Linux");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn bench(label: &str, router: &Router, seed: u64, queries: usize, reference_queries: usize) {
    search_space(label, router);
    let network = router.network();
    let main: Vec<u32> = (0..network.node_count() as u32)
        .filter(|&v| network.in_main_part(v))
        .collect();
    let mut rng = Seeded(seed);
    let pairs: Vec<(u32, u32)> = (0..queries)
        .map(|_| {
            (
                main[(rng.next() % main.len() as u64) as usize],
                main[(rng.next() % main.len() as u64) as usize],
            )
        })
        .collect();
    let snapshot = router.snapshot();
    // Latency: each query timed on its own (wall clock).
    let mut fast = Vec::with_capacity(queries);
    let mut answers = Vec::with_capacity(queries);
    for &(s, t) in &pairs {
        let start = Instant::now();
        let found = router.route_between(&snapshot, s, t);
        fast.push(start.elapsed());
        answers.push(found.map(|f| f.0));
    }
    let mut slow = Vec::with_capacity(reference_queries);
    for (i, &(s, t)) in pairs.iter().take(reference_queries).enumerate() {
        let start = Instant::now();
        let found = dijkstra::shortest(network, &snapshot.edge_weights, s, t);
        slow.push(start.elapsed());
        assert_eq!(
            found.map(|f| f.0),
            answers[i],
            "the hierarchy must agree with Dijkstra"
        );
    }
    // Throughput: the same queries back to back, by the CPU time of this thread over the
    // whole pass (read twice per pass, so the clock costs nothing per query and time spent
    // preempted by other processes is left out), the two methods alternating three times;
    // the best pass of each counts.
    let (mut fast_cpu, mut slow_cpu) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let start = thread_cpu();
        for &(s, t) in &pairs {
            std::hint::black_box(router.route_between(&snapshot, s, t));
        }
        fast_cpu = fast_cpu.min((thread_cpu() - start) / queries as u32);
        let start = thread_cpu();
        for &(s, t) in pairs.iter().take(reference_queries) {
            std::hint::black_box(dijkstra::shortest(network, &snapshot.edge_weights, s, t));
        }
        slow_cpu = slow_cpu.min((thread_cpu() - start) / reference_queries as u32);
    }
    // Each query's own CPU time, in a pass of its own (the clock is a system call, which
    // costs a little and disturbs the caches, so it stays out of the wall-clock pass): the
    // tail without the time spent preempted by other processes on a shared machine.
    let mut fast_each_cpu: Vec<Duration> = pairs
        .iter()
        .map(|&(s, t)| {
            let start = thread_cpu();
            std::hint::black_box(router.route_between(&snapshot, s, t));
            thread_cpu() - start
        })
        .collect();
    fast_each_cpu.sort();
    let fast_mean = fast.iter().sum::<Duration>() / fast.len() as u32;
    let slow_mean = slow.iter().sum::<Duration>() / slow.len() as u32;
    fast.sort();
    slow.sort();
    let (fast_p50, slow_p50) = (percentile(&fast, 0.5), percentile(&slow, 0.5));
    println!(
        "| {label}: query (hierarchy, {queries} random pairs, route unpacked, wall clock) | p50 {}, p99 {}, mean {} |",
        micros(fast_p50),
        micros(percentile(&fast, 0.99)),
        micros(fast_mean)
    );
    println!(
        "| {label}: the same queries, CPU time of each (clock included, preemption not) | p50 {}, p99 {} |",
        micros(percentile(&fast_each_cpu, 0.5)),
        micros(percentile(&fast_each_cpu, 0.99))
    );
    println!(
        "| {label}: query (Dijkstra reference, first {reference_queries} of the same pairs) | p50 {}, p99 {}, mean {} |",
        micros(slow_p50),
        micros(percentile(&slow, 0.99)),
        micros(slow_mean)
    );
    println!(
        "| {label}: CPU time per query back to back (best of 3 passes) | hierarchy {}, Dijkstra {} |",
        micros(fast_cpu),
        micros(slow_cpu)
    );
    let ratio = |slow: Duration, fast: Duration| slow.as_secs_f64() / fast.as_secs_f64();
    println!(
        "| {label}: speed-up per query: CPU time back to back / p50 / mean wall clock | {:.0}x / {:.0}x / {:.0}x |",
        ratio(slow_cpu, fast_cpu),
        ratio(slow_p50, fast_p50),
        ratio(slow_mean, fast_mean)
    );

    // From a position to a position, as the hotline asks: each placed on the nearest point
    // of its nearest street, the route from that point (with the part-segments at both
    // ends) and the line assembled; checked against Dijkstra from the same points.
    let mut rng = Seeded(seed ^ 0x5eed);
    let places: Vec<(Coordinate, Coordinate)> = (0..queries / 10)
        .map(|_| {
            let mut near_a_street = || {
                let v = main[(rng.next() % main.len() as u64) as usize];
                let c = network.coordinate(v);
                // Up to 50 m away from a junction, in a random direction.
                let metres = 1.0 / 111_195.0;
                Coordinate::new(
                    c.lat() + (rng.unit() - 0.5) * 100.0 * metres,
                    c.lon() + (rng.unit() - 0.5) * 100.0 * metres / c.lat().to_radians().cos(),
                )
                .unwrap()
            };
            (near_a_street(), near_a_street())
        })
        .collect();
    let mut placed = Vec::with_capacity(places.len());
    for &(from, to) in &places {
        let start = Instant::now();
        let route = router.route(from, to).unwrap();
        placed.push(start.elapsed());
        let ways = |p| router.ways_onto_network(&snapshot, p);
        let reference = dijkstra::shortest_between(
            network,
            &snapshot.edge_weights,
            &ways(&route.start),
            &ways(&route.end),
        )
        .map(|b| b.weight);
        let direct = router.along_one_segment(&snapshot, &route.start, &route.end);
        assert_eq!(
            Some(route.weight),
            reference.into_iter().chain(direct).min(),
            "the hierarchy must agree with Dijkstra between positions"
        );
    }
    let placed_mean = placed.iter().sum::<Duration>() / placed.len() as u32;
    placed.sort();
    println!(
        "| {label}: position to position (snapped onto streets, route from the points, line assembled; {} random pairs) | p50 {}, p99 {}, mean {} |",
        places.len(),
        micros(percentile(&placed, 0.5)),
        micros(percentile(&placed, 0.99)),
        micros(placed_mean)
    );

    // A hazard change: from the call to the new snapshot being live.
    let centre = network.coordinate(main[main.len() / 2]);
    let mut changes = Vec::new();
    for (i, severity) in [Severity::Critical, Severity::High, Severity::Critical]
        .into_iter()
        .enumerate()
    {
        let hazard = Hazard::circle(format!("h{i}"), centre, 300.0, severity, None, None).unwrap();
        let start = Instant::now();
        router.put_hazard(hazard, Timestamp(0));
        changes.push(start.elapsed());
    }
    changes.sort();
    println!(
        "| {label}: hazard change live (edge weights + customisation + swap), median of 3 | {} |",
        millis(changes[1])
    );
    router.set_hazards(Vec::new(), Timestamp(0));

    let mut rng = Seeded(seed ^ 0xabcdef);
    let rvs: Vec<Coordinate> = (0..300)
        .map(|_| network.coordinate(main[(rng.next() % main.len() as u64) as usize]))
        .collect();
    let start = Instant::now();
    let fields = router.travel_time_fields(&rvs, 2).unwrap();
    let took = start.elapsed();
    assert_eq!(fields.len(), 300);
    println!(
        "| {label}: travel-time fields from 300 RVs to all {} junctions (2 threads) | {} |",
        network.node_count(),
        millis(took)
    );
}

/// Times building a network and preparing its router, and prints both with their sizes.
fn prepare(label: &str, build: impl FnOnce() -> safeconduct_route::Network) -> Router {
    let start = Instant::now();
    let network = build();
    let built = start.elapsed();
    let (n, m) = (network.node_count(), network.edges().len());
    let start = Instant::now();
    let router = Router::new(network);
    let prepared = start.elapsed();
    println!(
        "| {label}: build the network ({n} junctions, {m} edges) | {} |",
        millis(built)
    );
    println!(
        "| {label}: order, contract and first customisation ({} arcs) | {} |",
        router.topology().arc_count(),
        millis(prepared)
    );
    router
}

fn main() {
    // `cargo bench` passes --bench; nothing else is read from the command line.
    println!("| what | measured |\n|---|---|");
    let router = prepare("Helsinki extract (from the PBF bytes)", || {
        network_from_pbf(EXTRACT).unwrap()
    });
    bench("Helsinki", &router, 1, 10_000, 1_000);
    drop(router);
    let side: usize = std::env::var("SAFECONDUCT_BENCH_CITY_SIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(267);
    let router = prepare("generated city", || generated_city(side, 2021));
    bench("generated city", &router, 2, 10_000, 100);
}

/// How much a search does: the elimination-tree path of a junction and the arcs along it.
fn search_space(label: &str, router: &Router) {
    let t = router.topology();
    let metric = &router.snapshot().metric;
    let n = t.node_count();
    let mut rng = Seeded(5);
    let (mut junctions, mut arcs, mut needed) = (0usize, 0usize, 0usize);
    for _ in 0..1000 {
        let mut x = (rng.next() % n as u64) as u32;
        while x != u32::MAX {
            junctions += 1;
            arcs += t.up_arcs(x).len();
            needed += metric.needed_arcs(x).len();
            x = t.parent[x as usize];
        }
    }
    println!(
        "| {label}: arcs a search needs after perfect customisation (no hazard) | {} of {} |",
        metric.needed.len(),
        t.arc_count()
    );
    println!(
        "| {label}: one search side, mean over 1000 junctions | {} junctions, {} arcs of which {} needed, relaxed at most |",
        junctions / 1000,
        arcs / 1000,
        needed / 1000
    );
}
