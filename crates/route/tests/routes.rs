//! Routes on the real Helsinki extract: the hierarchy answers exactly what Dijkstra answers,
//! with and without hazards; hazards take effect, expire and never tear a query in flight;
//! travel-time fields match Dijkstra's; places are found by name.

use safeconduct_domain::model::Severity;
use safeconduct_domain::values::{Coordinate, Language, Timestamp};
use safeconduct_route::hazard::{CLOSED, edge_weights};
use safeconduct_route::{Hazard, Router, dijkstra, network_from_pbf};
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
        let (reference, _) =
            dijkstra::one_to_all(network, &snapshot.edge_weights, field.source.node);
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
        assert_eq!(line.as_array().unwrap().len(), guided.route.nodes.len());
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
