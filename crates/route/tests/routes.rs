//! Routes on the real Helsinki extract: the hierarchy answers exactly what Dijkstra answers,
//! between junctions and between positions placed on their streets, with and without
//! hazards; hazards take effect, expire and never tear a query in flight; travel-time fields
//! match Dijkstra's; places are found by name.

use safeconduct_domain::model::Severity;
use safeconduct_domain::values::{Coordinate, Language, Timestamp};
use safeconduct_route::geo::point_segment_distance;
use safeconduct_route::hazard::{CLOSED, edge_weights};
use safeconduct_route::network::Snapped;
use safeconduct_route::{Hazard, Route, Router, dijkstra, network_from_pbf};
use std::sync::OnceLock;

const EXTRACT: &[u8] = include_bytes!("../../../data/osm/helsinki-centre.osm.pbf");

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| Router::new(network_from_pbf(EXTRACT).unwrap()))
}

/// A fresh router, for tests that change hazards.
fn own_router() -> Router {
    Router::new(network_from_pbf(EXTRACT).unwrap())
}

#[path = "common/seeded.rs"]
mod seeded;
use seeded::Seeded;

/// Random junctions of the main part, in pairs.
fn pairs(router: &Router, seed: u64, count: usize) -> Vec<(u32, u32)> {
    let network = router.network();
    let main: Vec<u32> = (0..network.node_count() as u32)
        .filter(|&v| network.in_main_part(v))
        .collect();
    let mut rng = Seeded(seed);
    (0..count)
        .map(|_| {
            let a = main[(rng.next() % main.len() as u64) as usize];
            let b = main[(rng.next() % main.len() as u64) as usize];
            (a, b)
        })
        .collect()
}

/// Checks that `edges` walk from `s` to `t` and add up to `weight` under `weights`.
fn assert_walks(router: &Router, s: u32, t: u32, edges: &[u32], weights: &[u32], weight: u32) {
    let network = router.network();
    let mut at = s;
    let mut total = 0u64;
    for &e in edges {
        let edge = &network.edges()[e as usize];
        assert!(
            edge.a == at || edge.b == at,
            "edge {e} does not leave junction {at}"
        );
        at = edge.other(at);
        assert_ne!(weights[e as usize], CLOSED, "route uses closed edge {e}");
        total += u64::from(weights[e as usize]);
    }
    assert_eq!(at, t);
    assert_eq!(total, u64::from(weight));
}

#[test]
fn the_hierarchy_finds_routes_exactly_as_long_as_dijkstra_for_random_pairs() {
    let router = router();
    let snapshot = router.snapshot();
    for (s, t) in pairs(router, 16, 300) {
        let fast = router
            .route_between(&snapshot, s, t)
            .expect("main part is connected");
        let (reference, _) =
            dijkstra::shortest(router.network(), &snapshot.edge_weights, s, t).unwrap();
        assert_eq!(fast.0, reference, "{s} -> {t}");
        assert_walks(router, s, t, &fast.1, &snapshot.edge_weights, fast.0);
    }
}

fn central_checkpoint(id: &str, severity: Severity) -> Hazard {
    // Around the railway station square, where many routes through the centre pass.
    let centre = Coordinate::new(60.1712, 24.9430).unwrap();
    Hazard::circle(id, centre, 150.0, severity, None, None).unwrap()
}

#[test]
fn with_a_blocking_hazard_routes_avoid_it_and_exist_whenever_dijkstra_finds_one() {
    let router = own_router();
    let hazard = central_checkpoint("station", Severity::Critical);
    router.put_hazard(hazard.clone(), Timestamp(0));
    let snapshot = router.snapshot();
    assert_eq!(snapshot.in_force, vec!["station".to_owned()]);
    let network = router.network();
    let shape = hazard.shape(network.projection());
    let closed = snapshot
        .edge_weights
        .iter()
        .filter(|&&w| w == CLOSED)
        .count();
    assert!(closed > 20, "the hazard closes {closed} edges");
    let mut blocked_pairs = 0;
    for (s, t) in pairs(&router, 7, 300) {
        let fast = router.route_between(&snapshot, s, t);
        let reference = dijkstra::shortest(network, &snapshot.edge_weights, s, t);
        assert_eq!(fast.is_some(), reference.is_some(), "{s} -> {t}");
        match (fast, reference) {
            (Some((w, edges)), Some((r, _))) => {
                assert_eq!(w, r);
                assert_walks(&router, s, t, &edges, &snapshot.edge_weights, w);
                for e in edges {
                    let edge = &network.edges()[e as usize];
                    assert!(!shape.touches(network.point(edge.a), network.point(edge.b)));
                }
            }
            _ => blocked_pairs += 1,
        }
    }
    // Junctions inside the circle cannot be left; pairs touching them have no route.
    assert!(blocked_pairs < 300);
}

#[test]
fn a_slowing_hazard_keeps_routes_exact_under_the_changed_weights() {
    let router = own_router();
    router.put_hazard(central_checkpoint("crowd", Severity::High), Timestamp(0));
    let snapshot = router.snapshot();
    for (s, t) in pairs(&router, 99, 100) {
        let fast = router.route_between(&snapshot, s, t).unwrap();
        let (reference, _) =
            dijkstra::shortest(router.network(), &snapshot.edge_weights, s, t).unwrap();
        assert_eq!(fast.0, reference);
    }
}

fn across_the_centre() -> (Coordinate, Coordinate) {
    (
        Coordinate::new(60.1695, 24.9370).unwrap(),
        Coordinate::new(60.1735, 24.9490).unwrap(),
    )
}

#[test]
fn a_hazard_added_changed_and_removed_takes_effect_for_later_queries() {
    let router = own_router();
    let (from, to) = across_the_centre();
    let before = router.route(from, to).unwrap();
    let hazard = Hazard::circle(
        "fighting",
        router
            .network()
            .coordinate(before.nodes[before.nodes.len() / 2]),
        60.0,
        Severity::Critical,
        None,
        None,
    )
    .unwrap();
    router.put_hazard(hazard, Timestamp(0));
    let around = router.route(from, to).unwrap();
    assert!(around.weight > before.weight, "the route must go round");
    // Changed to a lesser severity: streets open again, at a cost.
    let milder = Hazard::circle(
        "fighting",
        router
            .network()
            .coordinate(before.nodes[before.nodes.len() / 2]),
        60.0,
        Severity::Low,
        None,
        None,
    )
    .unwrap();
    router.put_hazard(milder, Timestamp(0));
    let milder_route = router.route(from, to).unwrap();
    assert!(milder_route.weight <= around.weight);
    assert!(router.remove_hazard("fighting", Timestamp(0)));
    assert_eq!(router.route(from, to).unwrap().weight, before.weight);
}

#[test]
fn a_hazard_begins_and_expires_at_its_times_on_refresh() {
    let router = own_router();
    let (from, to) = across_the_centre();
    let free = router.route(from, to).unwrap().weight;
    let nodes = router.route(from, to).unwrap().nodes;
    let at = router.network().coordinate(nodes[nodes.len() / 2]);
    let timed = Hazard::circle(
        "timed",
        at,
        60.0,
        Severity::Critical,
        Some(Timestamp(1_000)),
        Some(Timestamp(2_000)),
    )
    .unwrap();
    router.put_hazard(timed, Timestamp(0));
    assert_eq!(
        router.route(from, to).unwrap().weight,
        free,
        "not yet in force"
    );
    assert!(router.refresh(Timestamp(1_000)));
    assert!(router.route(from, to).unwrap().weight > free);
    assert!(!router.refresh(Timestamp(1_500)), "nothing changed");
    assert!(router.refresh(Timestamp(2_000)));
    assert_eq!(router.route(from, to).unwrap().weight, free, "expired");
}

#[test]
fn a_query_holding_a_snapshot_keeps_its_view_while_hazards_change() {
    let router = own_router();
    let (s, t) = pairs(&router, 3, 1)[0];
    let held = router.snapshot();
    let before = router.route_between(&held, s, t).unwrap();
    router.put_hazard(central_checkpoint("all", Severity::High), Timestamp(0));
    let after_held = router.route_between(&held, s, t).unwrap();
    assert_eq!(before, after_held);
    assert!(!std::sync::Arc::ptr_eq(&held, &router.snapshot()));
}

#[test]
fn travel_time_fields_equal_dijkstra_from_every_source() {
    let router = own_router();
    router.put_hazard(
        central_checkpoint("station", Severity::Critical),
        Timestamp(0),
    );
    let snapshot = router.snapshot();
    let network = router.network();
    // Ten sources: more than one sweep of eight, spread over two threads.
    let sources: Vec<Coordinate> = pairs(&router, 11, 10)
        .into_iter()
        .map(|(a, _)| network.coordinate(a))
        .collect();
    let fields = router.travel_time_fields(&sources, 2).unwrap();
    assert_eq!(fields.len(), 10);
    for field in &fields {
        let ways = router.ways_onto_network(&snapshot, &field.source);
        let (reference, _) = dijkstra::one_to_all_from(network, &snapshot.edge_weights, &ways);
        assert_eq!(field.times_ms, reference);
    }
}

#[test]
fn the_gazetteer_finds_landmarks_and_streets_of_helsinki_by_a_few_letters() {
    let gazetteer = router().network().gazetteer();
    let station = gazetteer.find("rautatientori").expect("the station square");
    assert!(station.name.name().starts_with("Rautatientori"));
    assert_eq!(
        gazetteer.find("Mannerheimin").unwrap().name.name(),
        "Mannerheimintie"
    );
    assert!(
        gazetteer
            .find("Stokmann")
            .unwrap()
            .name
            .name()
            .contains("Stockmann")
    );
    let snapped = router().network().snap(station.at, "landmark").unwrap();
    assert!(snapped.distance_m < 200.0);
}

#[test]
fn a_position_far_from_every_street_is_refused() {
    let far = Coordinate::new(60.30, 24.94).unwrap();
    assert!(router().route(far, across_the_centre().1).is_err());
}

#[test]
fn guidance_names_streets_fits_three_sms_and_draws_the_line_in_every_language() {
    let (from, to) = (
        Coordinate::new(60.1650, 24.9360).unwrap(),
        Coordinate::new(60.1780, 24.9510).unwrap(),
    );
    for language in [
        Language::English,
        Language::French,
        Language::Dari,
        Language::Pashto,
        Language::Arabic,
    ] {
        let guided = router().guided(from, to, language).unwrap();
        let g = &guided.guidance;
        assert!(g.steps.len() >= 3, "{language:?}: {:?}", g.steps);
        assert!(g.sms_parts <= 3, "{language:?}: {} parts", g.sms_parts);
        assert_eq!(g.right_to_left, language.is_right_to_left());
        let line = &g.geojson["geometry"]["coordinates"];
        assert_eq!(line.as_array().unwrap().len(), guided.route.line.len());
    }
    let english = router()
        .guided(from, to, Language::English)
        .unwrap()
        .guidance;
    assert!(english.steps[0].starts_with("Start on"));
    assert!(
        english
            .steps
            .last()
            .unwrap()
            .starts_with("You have arrived")
    );
}

#[test]
fn edge_weights_close_only_edges_the_hazard_touches() {
    let router = router();
    let hazard = central_checkpoint("h", Severity::Critical);
    let weights = edge_weights(
        router.network(),
        std::slice::from_ref(&hazard),
        Timestamp(0),
    );
    let shape = hazard.shape(router.network().projection());
    for (e, edge) in router.network().edges().iter().enumerate() {
        let touches = shape.touches(
            router.network().point(edge.a),
            router.network().point(edge.b),
        );
        assert_eq!(weights[e] == CLOSED, touches);
    }
}

#[test]
fn an_rv_inside_a_hazard_in_force_is_reported_covered_and_one_outside_is_not() {
    let router = own_router();
    let centre = Coordinate::new(60.1712, 24.9430).unwrap();
    let hazard = Hazard::circle(
        "blast",
        centre,
        150.0,
        Severity::Critical,
        Some(Timestamp(100)),
        Some(Timestamp(200)),
    )
    .unwrap();
    router.put_hazard(hazard, Timestamp(0));
    let rv_inside = Coordinate::new(60.1718, 24.9432).unwrap();
    let rv_outside = Coordinate::new(60.1650, 24.9360).unwrap();
    assert_eq!(
        router.hazards_covering(rv_inside, Timestamp(150)),
        vec!["blast".to_owned()]
    );
    assert!(
        router
            .hazards_covering(rv_outside, Timestamp(150))
            .is_empty()
    );
    assert!(
        router.hazards_covering(rv_inside, Timestamp(50)).is_empty(),
        "not yet"
    );
    assert!(
        router
            .hazards_covering(rv_inside, Timestamp(200))
            .is_empty(),
        "expired"
    );
}

/// A position near the streets: a random point of a random segment of the main part, moved
/// up to `off_m` metres east and north.
fn position_near_a_street(router: &Router, rng: &mut Seeded, off_m: f64) -> Coordinate {
    let network = router.network();
    loop {
        let e = (rng.next() % network.edges().len() as u64) as u32;
        if !network.in_main_part(network.edges()[e as usize].a) {
            continue;
        }
        let c = network.point_along(e, rng.unit());
        let metres = 1.0 / 111_195.0;
        let lat = c.lat() + (rng.unit() - 0.5) * 2.0 * off_m * metres;
        let lon = c.lon() + (rng.unit() - 0.5) * 2.0 * off_m * metres / c.lat().to_radians().cos();
        return Coordinate::new(lat, lon).unwrap();
    }
}

/// The weight of the best route between two placed points by Dijkstra from the ends of the
/// start's segment to the ends of the destination's, or straight along one segment.
fn reference_between(router: &Router, start: &Snapped, end: &Snapped) -> Option<u32> {
    let snapshot = router.snapshot();
    let from = router.ways_onto_network(&snapshot, start);
    let to = router.ways_onto_network(&snapshot, end);
    let through = dijkstra::shortest_between(router.network(), &snapshot.edge_weights, &from, &to)
        .map(|b| b.weight);
    let direct = router.along_one_segment(&snapshot, start, end);
    match (through, direct) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Checks that a route is a walk from the start's point to the end's: the line begins and
/// ends at the two points, each stretch lies along its segment between consecutive points
/// of the line, the metres add up, and the weight is what the stretches weigh.
fn assert_route_walks(router: &Router, route: &Route) {
    let network = router.network();
    let snapshot = router.snapshot();
    let plane = |c: Coordinate| network.projection().project_coordinate(c);
    assert_eq!(route.line.first(), Some(&route.start.at));
    assert_eq!(route.line.last(), Some(&route.end.at));
    assert_eq!(route.line.len(), route.edges.len() + 1);
    assert_eq!(route.metres.len(), route.edges.len());
    for (i, &e) in route.edges.iter().enumerate() {
        let edge = &network.edges()[e as usize];
        let (a, b) = (plane(route.line[i]), plane(route.line[i + 1]));
        for p in [a, b] {
            let off = point_segment_distance(p, network.point(edge.a), network.point(edge.b));
            assert!(off < 0.01, "stretch {i} leaves edge {e} by {off} m");
        }
        assert!(route.metres[i] <= edge.length_m + 1e-9);
    }
    let total: f64 = route.metres.iter().sum();
    assert!((total - route.length_m).abs() < 1e-6);
    // Whole segments weigh their edge weight; the first and last stretch what a way onto
    // the network weighs.
    let inner: u64 = route
        .edges
        .iter()
        .zip(&route.metres)
        .filter(|&(&e, &m)| m == network.edges()[e as usize].length_m)
        .map(|(&e, _)| u64::from(snapshot.edge_weights[e as usize]))
        .sum();
    assert!(inner <= u64::from(route.weight));
}

#[test]
fn routes_between_positions_start_and_end_on_their_streets_exactly_as_dijkstra_finds_them() {
    for hazard in [None, Some(Severity::Critical), Some(Severity::High)] {
        let router = own_router();
        let shape = hazard.map(|severity| {
            let h = central_checkpoint("station", severity);
            router.put_hazard(h.clone(), Timestamp(0));
            h.shape(router.network().projection())
        });
        let mut rng = Seeded(41);
        let (mut routed, mut closed) = (0, 0);
        for _ in 0..300 {
            let from = position_near_a_street(&router, &mut rng, 40.0);
            let to = position_near_a_street(&router, &mut rng, 40.0);
            let network = router.network();
            let start = network.snap(from, "start").unwrap();
            let end = network.snap(to, "destination").unwrap();
            let snapshot = router.snapshot();
            let fast = router.route_between_places(&snapshot, &start, &end);
            let reference = reference_between(&router, &start, &end);
            assert_eq!(
                fast.as_ref().map(|r| r.weight),
                reference,
                "{from:?} -> {to:?}"
            );
            let Some(route) = fast else {
                closed += 1;
                continue;
            };
            routed += 1;
            assert_route_walks(&router, &route);
            if let (Some(shape), Some(Severity::Critical)) = (&shape, hazard) {
                let plane = |c: Coordinate| network.projection().project_coordinate(c);
                for pair in route.line.windows(2) {
                    assert!(!shape.touches(plane(pair[0]), plane(pair[1])));
                }
            }
        }
        // Positions inside the closed circle have no way out.
        assert!(routed > 200, "{hazard:?}: {routed} routed, {closed} closed");
        if hazard.is_none() {
            assert_eq!(closed, 0);
        }
    }
}

#[test]
fn a_position_is_placed_on_the_nearest_point_of_the_nearest_street() {
    let router = router();
    let network = router.network();
    let mut rng = Seeded(5);
    for _ in 0..200 {
        let at = position_near_a_street(router, &mut rng, 150.0);
        let snapped = network.snap(at, "start").unwrap();
        let p = network.projection().project_coordinate(at);
        let scan = network
            .edges()
            .iter()
            .filter(|e| network.in_main_part(e.a))
            .map(|e| point_segment_distance(p, network.point(e.a), network.point(e.b)))
            .fold(f64::INFINITY, f64::min);
        assert!((snapped.distance_m - scan).abs() < 1e-6, "{at:?}");
        let edge = &network.edges()[snapped.edge as usize];
        let foot = network.projection().project_coordinate(snapped.at);
        assert!(point_segment_distance(foot, network.point(edge.a), network.point(edge.b)) < 0.01);
        assert!((p.distance(foot) - snapped.distance_m).abs() < 0.01);
    }
}

#[test]
fn a_caller_in_the_middle_of_a_long_street_starts_where_they_stand() {
    let router = router();
    let network = router.network();
    // The longest segment of the main part with no other street within 10 m of its
    // middle, and a caller standing 3 m beside that middle.
    let alone = |e: usize| {
        let middle = network
            .projection()
            .project_coordinate(network.point_along(e as u32, 0.5));
        network.edges().iter().enumerate().all(|(f, other)| {
            f == e
                || point_segment_distance(middle, network.point(other.a), network.point(other.b))
                    > 10.0
        })
    };
    let (e, edge) = network
        .edges()
        .iter()
        .enumerate()
        .filter(|(e, edge)| network.in_main_part(edge.a) && edge.length_m > 100.0 && alone(*e))
        .max_by(|x, y| x.1.length_m.total_cmp(&y.1.length_m))
        .unwrap();
    assert!(edge.length_m > 100.0, "{} m", edge.length_m);
    let (a, b) = (network.coordinate(edge.a), network.coordinate(edge.b));
    let middle = network.point_along(e as u32, 0.5);
    // Perpendicular to the segment, in degrees scaled to metres.
    let (dn, de) = (
        (b.lat() - a.lat()) * 111_195.0,
        (b.lon() - a.lon()) * 111_195.0 * a.lat().to_radians().cos(),
    );
    let norm = (dn * dn + de * de).sqrt();
    let caller = Coordinate::new(
        middle.lat() + (-de / norm) * 3.0 / 111_195.0,
        middle.lon() + (dn / norm) * 3.0 / 111_195.0 / a.lat().to_radians().cos(),
    )
    .unwrap();
    let snapped = network.snap(caller, "start").unwrap();
    assert_eq!(snapped.edge, e as u32);
    assert!(
        (snapped.distance_m - 3.0).abs() < 0.1,
        "{}",
        snapped.distance_m
    );
    assert!((snapped.along - 0.5).abs() < 0.01);
    // To a junction well away: the walk begins at the caller's point, half the segment
    // from either end, not at a junction.
    let far = network.coordinate(pairs(router, 77, 1)[0].1);
    let route = router.route(caller, far).unwrap();
    assert_eq!(route.start.edge, e as u32);
    assert_eq!(route.line[0], snapped.at);
    assert_eq!(route.edges[0], e as u32);
    assert!((route.metres[0] - edge.length_m / 2.0).abs() < edge.length_m * 0.02);
    assert_eq!(
        Some(route.weight),
        reference_between(router, &route.start, &route.end)
    );
    // To a point further along the same street: straight along it, no junction on the way.
    let ahead = network.point_along(e as u32, 0.8);
    let along = router.route(caller, ahead).unwrap();
    assert_eq!(along.edges, vec![e as u32]);
    assert!(along.nodes.is_empty());
    assert!((along.length_m - edge.length_m * 0.3).abs() < edge.length_m * 0.02);
}
