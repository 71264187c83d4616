//! `safeconduct route` as a script meets it: the graph as CSV, a route as JSON around the
//! hazards of a GeoJSON file, guidance in the caller's language, and clear refusals.

mod common;

use common::{bin, explains_itself, stderr, stdout};
use std::process::Output;

const EXTRACT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/osm/helsinki-centre.osm.pbf"
);

fn route(args: &[&str]) -> Output {
    bin().arg("route").args(args).output().unwrap()
}

fn path_json(extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "path",
        "--osm",
        EXTRACT,
        "--from",
        "60.1650,24.9360",
        "--to",
        "60.1735,24.9490",
    ];
    args.extend_from_slice(extra);
    let out = route(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn route_commands_explain_themselves() {
    for args in [
        vec!["route", "--help"],
        vec!["route", "graph", "--help"],
        vec!["route", "path", "--help"],
    ] {
        assert!(explains_itself(&args).lines().count() > 4, "{args:?}");
    }
}

#[test]
fn the_graph_is_printed_as_csv_edges_with_osm_ids_and_lengths() {
    let out = route(&["graph", "--osm", EXTRACT]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("from_osm_node,to_osm_node,length_m"));
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 5_000);
    for row in rows.iter().take(100) {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), 3, "{row}");
        assert!(cells[0].parse::<i64>().unwrap() > 0);
        assert!(cells[1].parse::<i64>().unwrap() > 0);
        assert!(cells[2].parse::<f64>().unwrap() >= 0.0);
    }
}

#[test]
fn a_path_lists_osm_nodes_length_and_guidance() {
    let answer = path_json(&[]);
    let nodes = answer["osm_nodes"].as_array().unwrap();
    assert!(nodes.len() > 10);
    let length = answer["length_m"].as_f64().unwrap();
    assert!((500.0..3_000.0).contains(&length), "{length}");
    assert!(
        answer["guidance"]["steps"][0]
            .as_str()
            .unwrap()
            .starts_with("Start on")
    );
    assert!(answer["guidance"]["sms_parts"].as_u64().unwrap() <= 3);
    assert_eq!(
        answer["guidance"]["geojson"]["geometry"]["type"],
        "LineString"
    );
}

#[test]
fn a_critical_hazard_on_the_way_makes_the_path_go_round_it() {
    let free = path_json(&[]);
    let nodes = free["osm_nodes"].as_array().unwrap();
    let line = free["guidance"]["geojson"]["geometry"]["coordinates"]
        .as_array()
        .unwrap();
    let middle = &line[nodes.len() / 2];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hazards.geojson");
    std::fs::write(
        &file,
        serde_json::json!({"type": "FeatureCollection", "features": [{
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [middle[0], middle[1]]},
            "properties": {"id": "fighting", "radius_m": 50, "severity": "critical",
                           "valid_from": "2026-01-01T00:00:00Z", "valid_until": null}}]})
        .to_string(),
    )
    .unwrap();
    let around = path_json(&[
        "--hazards",
        file.to_str().unwrap(),
        "--at",
        "2026-06-01T00:00:00Z",
    ]);
    assert_eq!(around["hazards_in_force"][0], "fighting");
    assert_ne!(around["osm_nodes"], free["osm_nodes"]);
    assert!(around["walking_s"].as_f64().unwrap() > free["walking_s"].as_f64().unwrap());
    // Before it begins it changes nothing.
    let before = path_json(&[
        "--hazards",
        file.to_str().unwrap(),
        "--at",
        "2025-06-01T00:00:00Z",
    ]);
    assert_eq!(before["osm_nodes"], free["osm_nodes"]);
}

#[test]
fn guidance_comes_in_dari_right_to_left() {
    let answer = path_json(&["--lang", "fa"]);
    assert_eq!(answer["guidance"]["language"], "prs");
    assert_eq!(answer["guidance"]["direction"], "rtl");
    assert_eq!(answer["guidance"]["sms_encoding"], "UCS-2");
}

#[test]
fn bad_input_is_refused_with_what_is_wrong() {
    let out = route(&[
        "path",
        "--osm",
        EXTRACT,
        "--from",
        "nowhere-at-all-xyz",
        "--to",
        "60.17,24.94",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--from"), "{}", stderr(&out));
    let out = route(&[
        "path",
        "--osm",
        EXTRACT,
        "--from",
        "60.17,24.94",
        "--to",
        "60.17,24.945",
        "--lang",
        "de",
    ]);
    assert!(stderr(&out).contains("--lang"), "{}", stderr(&out));
    let out = route(&["graph", "--osm", "/no/such/file.pbf"]);
    assert!(
        stderr(&out).contains("/no/such/file.pbf"),
        "{}",
        stderr(&out)
    );
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("cut.osm.pbf");
    std::fs::write(&broken, &std::fs::read(EXTRACT).unwrap()[..1000]).unwrap();
    let out = route(&["graph", "--osm", broken.to_str().unwrap()]);
    assert!(stderr(&out).contains("truncated"), "{}", stderr(&out));
}
