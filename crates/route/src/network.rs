//! The walking network: junctions and the street segments between them, with their lengths,
//! walking times, kinds and names; the connected part people are snapped to; the grid that
//! snaps a position to it; and the gazetteer of the extract's named places.
//!
//! Built one way, through `NetworkBuilder` (which the OSM import and generated test cities
//! both use). Imports geometry, walking rules and the gazetteer; nothing about hazards or
//! the speed-up, which work on top of a finished network.

use crate::error::RouteError;
use crate::gazetteer::{Gazetteer, PlaceKind};
use crate::geo::{Point, Projection, SegmentGrid};
use crate::walking::{PlaceName, WALKING_SPEED_M_S, WayKind};
use safeconduct_domain::values::Coordinate;
use std::collections::HashMap;

/// A position on the network: one of its junctions, by index.
pub type NodeIndex = u32;

/// One street segment, walkable both ways.
#[derive(Debug, Clone)]
pub struct Edge {
    pub a: NodeIndex,
    pub b: NodeIndex,
    pub length_m: f64,
    /// Walking time in milliseconds, the unit the router adds up (integers, so the fast
    /// search and the reference agree to the unit).
    pub time_ms: u32,
    pub name: Option<u32>,
    pub kind: WayKind,
}

impl Edge {
    pub fn other(&self, from: NodeIndex) -> NodeIndex {
        if self.a == from { self.b } else { self.a }
    }
}

/// Where a position was placed on the network: the nearest point of the nearest street
/// segment, so a walker in the middle of a long street starts where they stand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapped {
    /// The street segment.
    pub edge: u32,
    /// How far along it the point lies: 0 at its end `a`, 1 at its end `b`.
    pub along: f64,
    /// The point itself.
    pub at: Coordinate,
    /// From the position to the point, in metres.
    pub distance_m: f64,
}

impl Snapped {
    /// The two ways from the point onto the network: to the segment's end `a` and to its end
    /// `b`, each with the share of the segment walked (the two add up to 1).
    pub fn ways(&self, network: &Network) -> [(NodeIndex, f64); 2] {
        let e = &network.edges()[self.edge as usize];
        [(e.a, self.along), (e.b, 1.0 - self.along)]
    }

    /// The junction nearer the point along its segment.
    pub fn nearest_junction(&self, network: &Network) -> NodeIndex {
        let e = &network.edges()[self.edge as usize];
        if self.along <= 0.5 { e.a } else { e.b }
    }
}

#[derive(Debug)]
pub struct Network {
    osm_ids: Vec<i64>,
    coordinates: Vec<Coordinate>,
    points: Vec<Point>,
    projection: Projection,
    edges: Vec<Edge>,
    /// `adjacency[first_out[v]..first_out[v + 1]]` are (neighbour, edge) pairs of `v`.
    first_out: Vec<u32>,
    adjacency: Vec<(NodeIndex, u32)>,
    names: Vec<PlaceName>,
    in_main_part: Vec<bool>,
    snap: SegmentGrid,
    gazetteer: Gazetteer,
}

/// The cells of the grid that finds the nearest street, in metres: about a city block, so
/// a cell holds a few dozen segments.
const SNAP_CELL_M: f64 = 40.0;

/// How far from any street a position may be and still be routed from, in metres.
pub const MAX_SNAP_M: u32 = 1_000;

impl Network {
    pub fn node_count(&self) -> usize {
        self.coordinates.len()
    }
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }
    pub fn osm_id(&self, v: NodeIndex) -> i64 {
        self.osm_ids[v as usize]
    }
    pub fn coordinate(&self, v: NodeIndex) -> Coordinate {
        self.coordinates[v as usize]
    }
    pub fn point(&self, v: NodeIndex) -> Point {
        self.points[v as usize]
    }
    pub fn points(&self) -> &[Point] {
        &self.points
    }
    pub fn projection(&self) -> &Projection {
        &self.projection
    }
    pub fn name(&self, index: u32) -> &PlaceName {
        &self.names[index as usize]
    }
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }
    /// The (neighbour, edge index) pairs of `v`.
    pub fn neighbours(&self, v: NodeIndex) -> &[(NodeIndex, u32)] {
        &self.adjacency
            [self.first_out[v as usize] as usize..self.first_out[v as usize + 1] as usize]
    }
    /// Whether `v` belongs to the largest connected part, the one positions are snapped to.
    pub fn in_main_part(&self, v: NodeIndex) -> bool {
        self.in_main_part[v as usize]
    }

    /// The point of the main part's streets nearest to `at`, within `MAX_SNAP_M`.
    pub fn snap(&self, at: Coordinate, what: &'static str) -> Result<Snapped, RouteError> {
        let found = self
            .snap
            .nearest(
                self.projection.project_coordinate(at),
                f64::from(MAX_SNAP_M),
            )
            .ok_or(RouteError::TooFar {
                what,
                max_m: MAX_SNAP_M,
            })?;
        Ok(Snapped {
            edge: found.id,
            along: found.along,
            at: self.point_along(found.id, found.along),
            distance_m: found.distance_m,
        })
    }

    /// The point `along` (0 to 1) of the way from edge `e`'s end `a` to its end `b`.
    pub fn point_along(&self, e: u32, along: f64) -> Coordinate {
        let edge = &self.edges[e as usize];
        if along <= 0.0 {
            return self.coordinate(edge.a);
        }
        if along >= 1.0 {
            return self.coordinate(edge.b);
        }
        let (a, b) = (self.coordinate(edge.a), self.coordinate(edge.b));
        Coordinate::new(
            a.lat() + (b.lat() - a.lat()) * along,
            a.lon() + (b.lon() - a.lon()) * along,
        )
        .expect("a point between two coordinates is one")
    }
}

/// Collects junctions, ways and named places, then builds a `Network`.
#[derive(Debug, Default)]
pub struct NetworkBuilder {
    osm_ids: Vec<i64>,
    coordinates: Vec<Coordinate>,
    by_osm_id: HashMap<i64, NodeIndex>,
    edges: Vec<Edge>,
    names: Vec<PlaceName>,
    name_index: HashMap<PlaceName, u32>,
    places: Vec<(PlaceName, Coordinate, PlaceKind)>,
}

impl NetworkBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The junction of an OSM node, added on first sight.
    pub fn node(&mut self, osm_id: i64, at: Coordinate) -> NodeIndex {
        *self.by_osm_id.entry(osm_id).or_insert_with(|| {
            self.osm_ids.push(osm_id);
            self.coordinates.push(at);
            (self.osm_ids.len() - 1) as NodeIndex
        })
    }

    /// A way through `nodes` in order: one edge per consecutive pair.
    pub fn way(&mut self, nodes: &[NodeIndex], name: Option<PlaceName>, kind: WayKind) {
        let name = name.map(|n| {
            let next = self.names.len() as u32;
            *self.name_index.entry(n.clone()).or_insert_with(|| {
                self.names.push(n);
                next
            })
        });
        for pair in nodes.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if a == b {
                continue;
            }
            let length_m = self.coordinates[a as usize].distance_m(&self.coordinates[b as usize]);
            let time_ms = (length_m / WALKING_SPEED_M_S * 1000.0 * kind.time_factor()).round();
            self.edges.push(Edge {
                a,
                b,
                length_m,
                time_ms: (time_ms as u32).max(1),
                name,
                kind,
            });
        }
    }

    /// A named landmark (a shop, a mosque, a square...) for the gazetteer and for guidance.
    pub fn landmark(&mut self, name: PlaceName, at: Coordinate) {
        self.places.push((name, at, PlaceKind::Landmark));
    }

    pub fn build(self) -> Result<Network, RouteError> {
        // Junctions on no walkable edge are dropped and the rest renumbered.
        let mut used = vec![false; self.osm_ids.len()];
        for e in &self.edges {
            used[e.a as usize] = true;
            used[e.b as usize] = true;
        }
        let mut new_index = vec![u32::MAX; used.len()];
        let mut osm_ids = Vec::new();
        let mut coordinates = Vec::new();
        for (old, _) in used.iter().enumerate().filter(|(_, u)| **u) {
            new_index[old] = osm_ids.len() as u32;
            osm_ids.push(self.osm_ids[old]);
            coordinates.push(self.coordinates[old]);
        }
        if osm_ids.is_empty() {
            return Err(RouteError::EmptyNetwork);
        }
        let mut edges = self.edges;
        for e in &mut edges {
            e.a = new_index[e.a as usize];
            e.b = new_index[e.b as usize];
        }
        let n = osm_ids.len();
        let (first_out, adjacency) = adjacency(n, &edges);
        let (lat0, lon0) = centre(&coordinates);
        let projection = Projection::around(lat0, lon0);
        let points: Vec<Point> = coordinates
            .iter()
            .map(|c| projection.project_coordinate(*c))
            .collect();
        let in_main_part = main_part(n, &first_out, &adjacency);
        let snap = SegmentGrid::new(
            edges
                .iter()
                .enumerate()
                .filter(|(_, e)| in_main_part[e.a as usize])
                .map(|(i, e)| (i as u32, points[e.a as usize], points[e.b as usize])),
            SNAP_CELL_M,
        );
        let mut places = self.places;
        places.extend(street_places(&self.names, &edges, &coordinates, &points));
        let gazetteer = Gazetteer::new(places, &projection);
        Ok(Network {
            osm_ids,
            coordinates,
            points,
            projection,
            edges,
            first_out,
            adjacency,
            names: self.names,
            in_main_part,
            snap,
            gazetteer,
        })
    }
}

fn adjacency(n: usize, edges: &[Edge]) -> (Vec<u32>, Vec<(NodeIndex, u32)>) {
    let mut first_out = vec![0u32; n + 1];
    for e in edges {
        first_out[e.a as usize + 1] += 1;
        first_out[e.b as usize + 1] += 1;
    }
    for v in 0..n {
        first_out[v + 1] += first_out[v];
    }
    let mut fill = first_out.clone();
    let mut adjacency = vec![(0, 0); edges.len() * 2];
    for (i, e) in edges.iter().enumerate() {
        for (from, to) in [(e.a, e.b), (e.b, e.a)] {
            adjacency[fill[from as usize] as usize] = (to, i as u32);
            fill[from as usize] += 1;
        }
    }
    (first_out, adjacency)
}

fn centre(coordinates: &[Coordinate]) -> (f64, f64) {
    let n = coordinates.len() as f64;
    let lat = coordinates.iter().map(|c| c.lat()).sum::<f64>() / n;
    let lon = coordinates.iter().map(|c| c.lon()).sum::<f64>() / n;
    (lat, lon)
}

/// Marks the largest connected part: a walker snapped onto an islet (a courtyard path cut off
/// at the extract's edge) could reach nothing.
fn main_part(n: usize, first_out: &[u32], adjacency: &[(NodeIndex, u32)]) -> Vec<bool> {
    let mut part = vec![u32::MAX; n];
    let mut sizes = Vec::new();
    let mut stack = Vec::new();
    for start in 0..n {
        if part[start] != u32::MAX {
            continue;
        }
        let id = sizes.len() as u32;
        let mut size = 0usize;
        part[start] = id;
        stack.push(start);
        while let Some(v) = stack.pop() {
            size += 1;
            for &(w, _) in &adjacency[first_out[v] as usize..first_out[v + 1] as usize] {
                if part[w as usize] == u32::MAX {
                    part[w as usize] = id;
                    stack.push(w as usize);
                }
            }
        }
        sizes.push(size);
    }
    let main = (0..sizes.len()).max_by_key(|&i| sizes[i]).unwrap_or(0) as u32;
    part.into_iter().map(|p| p == main).collect()
}

/// One gazetteer entry per street name, placed at the street's junction nearest to the
/// middle of all its junctions (so a bent street is not placed off itself).
fn street_places(
    names: &[PlaceName],
    edges: &[Edge],
    coordinates: &[Coordinate],
    points: &[Point],
) -> Vec<(PlaceName, Coordinate, PlaceKind)> {
    let mut nodes_of: Vec<Vec<NodeIndex>> = vec![Vec::new(); names.len()];
    for e in edges {
        if let Some(name) = e.name {
            nodes_of[name as usize].push(e.a);
            nodes_of[name as usize].push(e.b);
        }
    }
    names
        .iter()
        .zip(nodes_of)
        .filter(|(_, nodes)| !nodes.is_empty())
        .map(|(name, nodes)| {
            let k = nodes.len() as f64;
            let mid = Point {
                x: nodes.iter().map(|&v| points[v as usize].x).sum::<f64>() / k,
                y: nodes.iter().map(|&v| points[v as usize].y).sum::<f64>() / k,
            };
            let nearest = nodes
                .iter()
                .copied()
                .min_by(|&a, &b| {
                    mid.distance(points[a as usize])
                        .total_cmp(&mid.distance(points[b as usize]))
                })
                .expect("a street has junctions");
            (
                name.clone(),
                coordinates[nearest as usize],
                PlaceKind::Street,
            )
        })
        .collect()
}
