//! From an OpenStreetMap extract to a walking network: the walkable ways become edges, named
//! nodes and named buildings or areas become landmarks.
//!
//! Imports the PBF reader, the walking rules and the network builder; nothing downstream.

use crate::error::RouteError;
use crate::network::{Network, NetworkBuilder, NodeIndex};
use crate::pbf::{self, tag};
use crate::walking::{PlaceName, walkable};
use safeconduct_domain::values::Coordinate;

/// Tags that make a named way a place people know (rather than, say, a named river).
const LANDMARK_KEYS: [&str; 8] = [
    "amenity", "building", "tourism", "leisure", "historic", "shop", "office", "place",
];

/// Builds the walking network of a PBF extract handed over as bytes.
pub fn network_from_pbf(bytes: &[u8]) -> Result<Network, RouteError> {
    let data = pbf::read(bytes)?;
    let mut builder = NetworkBuilder::new();
    let coordinate = |id: &i64| {
        data.positions
            .get(id)
            .and_then(|&(lat, lon)| Coordinate::new(lat, lon).ok())
    };
    for way in &data.ways {
        if let Some(kind) = walkable(&way.tags) {
            // An extract cuts ways at its edge: a reference to a node it does not hold ends
            // one run of the way, and the next known node starts another.
            let mut run: Vec<NodeIndex> = Vec::new();
            for id in &way.refs {
                match coordinate(id) {
                    Some(at) => run.push(builder.node(*id, at)),
                    None => {
                        builder.way(&run, PlaceName::from_tags(&way.tags), kind);
                        run.clear();
                    }
                }
            }
            builder.way(&run, PlaceName::from_tags(&way.tags), kind);
        } else if LANDMARK_KEYS.iter().any(|k| tag(&way.tags, k).is_some())
            && let Some(name) = PlaceName::from_tags(&way.tags)
        {
            let known: Vec<Coordinate> = way.refs.iter().filter_map(coordinate).collect();
            if !known.is_empty() {
                let k = known.len() as f64;
                let lat = known.iter().map(|c| c.lat()).sum::<f64>() / k;
                let lon = known.iter().map(|c| c.lon()).sum::<f64>() / k;
                if let Ok(at) = Coordinate::new(lat, lon) {
                    builder.landmark(name, at);
                }
            }
        }
    }
    for node in &data.tagged_nodes {
        if let Some(name) = PlaceName::from_tags(&node.tags)
            && let Ok(at) = Coordinate::new(node.lat, node.lon)
        {
            builder.landmark(name, at);
        }
    }
    builder.build()
}
