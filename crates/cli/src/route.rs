//! `safeconduct route`: the walking network of an OpenStreetMap extract as CSV, and a route
//! between two places, around the hazards of a GeoJSON file, with its guidance, as JSON.
//!
//! It reads the files and the clock and prints; the network, hazards, routes and guidance
//! are the route crate's.

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use safeconduct_domain::values::{Coordinate, Language, Timestamp};
use safeconduct_route::guidance::sms::MAX_PARTS;
use safeconduct_route::{Network, Router, hazards_from_geojson, network_from_pbf};
use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum RouteCommand {
    /// Print the walkable street graph of an extract as CSV edges: from OSM node id, to OSM
    /// node id, length in metres (each street segment once; walkable both ways).
    Graph {
        /// OpenStreetMap extract (.osm.pbf), e.g. data/osm/helsinki-centre.osm.pbf.
        #[arg(long)]
        osm: PathBuf,
    },
    /// Print the fastest walking route between two places as JSON: the OSM node ids along it,
    /// its length in metres, its walking time, and guidance in the chosen language (steps to
    /// read out, the same merged to fit in three SMS, and a GeoJSON LineString).
    Path {
        /// OpenStreetMap extract (.osm.pbf).
        #[arg(long)]
        osm: PathBuf,
        /// Start: LAT,LON in degrees (e.g. 60.1699,24.9384), or the name of a landmark or
        /// street of the extract (a few letters are enough; small misspellings are forgiven).
        #[arg(long, allow_hyphen_values = true)]
        from: String,
        /// Destination, as for --from.
        #[arg(long, allow_hyphen_values = true)]
        to: String,
        /// Hazards to route around: a GeoJSON FeatureCollection of Points (with radius_m)
        /// and Polygons, with properties id, severity (low, medium, high, critical),
        /// valid_from and valid_until (docs/routing.md). Critical hazards close the streets
        /// they touch; the others make them slower.
        #[arg(long)]
        hazards: Option<PathBuf>,
        /// Language of the guidance: en, fr, fa (Dari; also prs), ps, ar, uk.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Judge which hazards are in force at this time (RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
    },
}

impl RouteCommand {
    pub fn run(self) -> Result<()> {
        match self {
            RouteCommand::Graph { osm } => print_graph(&load(&osm)?),
            RouteCommand::Path {
                osm,
                from,
                to,
                hazards,
                lang,
                at,
            } => {
                let language = parse_language(&lang)?;
                let now = match at {
                    Some(text) => Timestamp::parse_rfc3339("--at", &text)
                        .map_err(|_| anyhow!("--at {text:?} is not an RFC 3339 time"))?,
                    None => safeconduct_keys::now(),
                };
                let router = Router::new(load(&osm)?);
                if let Some(path) = hazards {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading hazards {}", path.display()))?;
                    let list = hazards_from_geojson(&text)
                        .with_context(|| format!("hazards {}", path.display()))?;
                    router.set_hazards(list, now);
                }
                let from = place(router.network(), &from, "--from")?;
                let to = place(router.network(), &to, "--to")?;
                print_path(&router, from, to, language)
            }
        }
    }
}

pub(crate) fn load(path: &Path) -> Result<Network> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading extract {}", path.display()))?;
    network_from_pbf(&bytes).with_context(|| format!("extract {}", path.display()))
}

fn parse_language(text: &str) -> Result<Language> {
    serde_json::from_value(json!(text))
        .map_err(|_| anyhow!("--lang {text:?}: use en, fr, fa (or prs), ps, ar or uk"))
}

/// A position: coordinates if the text is LAT,LON, otherwise a place of the gazetteer.
fn place(network: &Network, text: &str, option: &str) -> Result<Coordinate> {
    if let Some((lat, lon)) = text.split_once(',')
        && let (Ok(lat), Ok(lon)) = (lat.trim().parse::<f64>(), lon.trim().parse::<f64>())
    {
        return Coordinate::new(lat, lon).map_err(|e| anyhow!("{option} {text:?}: {e}"));
    }
    match network.gazetteer().find(text) {
        Some(found) => Ok(found.at),
        None => {
            bail!("{option} {text:?} is neither LAT,LON nor a landmark or street of the extract")
        }
    }
}

fn print_graph(network: &Network) -> Result<()> {
    match write_graph(network) {
        // A reader that stopped early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn write_graph(network: &Network) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(out, "from_osm_node,to_osm_node,length_m")?;
    for e in network.edges() {
        writeln!(
            out,
            "{},{},{:.2}",
            network.osm_id(e.a),
            network.osm_id(e.b),
            e.length_m
        )?;
    }
    out.flush()
}

fn print_path(router: &Router, from: Coordinate, to: Coordinate, language: Language) -> Result<()> {
    let network = router.network();
    let guided = router.guided(from, to, language).context("no route")?;
    let (route, guidance) = (&guided.route, &guided.guidance);
    let end = |c: Coordinate, snapped: safeconduct_route::network::Snapped| {
        let edge = &network.edges()[snapped.edge as usize];
        json!({
            "lat": c.lat(),
            "lon": c.lon(),
            "on_street": {
                "lat": snapped.at.lat(),
                "lon": snapped.at.lon(),
                "between_osm_nodes": [network.osm_id(edge.a), network.osm_id(edge.b)],
                "from_first_m": round2(edge.length_m * snapped.along),
            },
            "snap_distance_m": round2(snapped.distance_m),
        })
    };
    let answer = json!({
        "from": end(from, route.start),
        "to": end(to, route.end),
        "osm_nodes": route.nodes.iter().map(|&v| network.osm_id(v)).collect::<Vec<_>>(),
        "length_m": round2(route.length_m),
        "walking_s": route.walking_s.round(),
        "hazards_in_force": router.snapshot().in_force.clone(),
        "guidance": {
            "language": language,
            "direction": if guidance.right_to_left { "rtl" } else { "ltr" },
            "steps": guidance.steps,
            "sms": guidance.sms,
            "sms_encoding": guidance.sms_encoding.name(),
            "sms_parts": guidance.sms_parts,
            "sms_limit": format!("{MAX_PARTS} x {}", match guidance.sms_encoding {
                safeconduct_route::guidance::sms::Encoding::Gsm7 => "153 GSM-7 septets",
                safeconduct_route::guidance::sms::Encoding::Ucs2 => "67 UCS-2 characters",
            }),
            "sms_merged_steps": guidance.sms_merged_steps,
            "geojson": guidance.geojson,
        },
    });
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
