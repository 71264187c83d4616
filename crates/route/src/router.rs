//! The router a server holds: one network and its hierarchy, the hazards known, and the
//! customisation for the hazards in force, swapped atomically when they change. Queries take
//! the current snapshot and keep it to the end, so a route is never computed half under the
//! old hazards and half under the new.
//!
//! Imports the network, hazards, the hierarchy and guidance; it reads no clock (callers pass
//! `now`) and holds no I/O.

use crate::cch::Topology;
use crate::cch::metric::Metric;
use crate::cch::query::{End, Found, LANES, Scratch, shortest, sweep};
use crate::error::RouteError;
use crate::guidance::{Guidance, guide};
use crate::hazard::{
    CLOSED, Effect, Hazard, Shape, areas_in_force, edge_weights_under, stretch_weight,
};
use crate::network::{Network, NodeIndex, Snapped};
pub use crate::path::Route;
use crate::streets::Streets;
use safeconduct_domain::values::{Coordinate, Language, Timestamp};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// One customisation: the hazards in force when it was made and the weights they give.
#[derive(Debug)]
pub struct Customised {
    /// Ids of the hazards in force, sorted.
    pub in_force: Vec<String>,
    /// Their areas, for the stretches of street between a position and a junction.
    pub areas: Vec<(Shape, Effect)>,
    /// Per network edge: walking milliseconds under those hazards, `u32::MAX` if closed.
    pub edge_weights: Vec<u32>,
    pub metric: Metric,
}

/// A route with its guidance in one language.
#[derive(Debug, Clone)]
pub struct Guided {
    pub route: Route,
    pub guidance: Guidance,
}

/// Travel times from one source junction to every junction of the network.
#[derive(Debug, Clone)]
pub struct TravelTimeField {
    pub source: Snapped,
    /// Per junction (network index): milliseconds, `u32::MAX` where every way is closed.
    pub times_ms: Vec<u32>,
}

impl TravelTimeField {
    /// Walking seconds to a junction, `None` where it cannot be reached.
    pub fn seconds_to(&self, node: NodeIndex) -> Option<f64> {
        let t = self.times_ms[node as usize];
        (t != u32::MAX).then(|| f64::from(t) / 1000.0)
    }
}

#[derive(Debug)]
pub struct Router {
    network: Network,
    topology: Topology,
    hazards: Mutex<Vec<Hazard>>,
    current: RwLock<Arc<Customised>>,
    scratch: Mutex<Vec<Scratch>>,
    /// The network as lines to draw, made on first request.
    streets: OnceLock<Streets>,
}

impl Router {
    /// Prepares the hierarchy (once per network) and customises it with no hazard.
    pub fn new(network: Network) -> Self {
        let topology = Topology::new(&network);
        let weights: Vec<u32> = network.edges().iter().map(|e| e.time_ms).collect();
        let metric = Metric::customise(&topology, &weights);
        Router {
            network,
            topology,
            hazards: Mutex::new(Vec::new()),
            current: RwLock::new(Arc::new(Customised {
                in_force: Vec::new(),
                areas: Vec::new(),
                edge_weights: weights,
                metric,
            })),
            scratch: Mutex::new(Vec::new()),
            streets: OnceLock::new(),
        }
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network as lines to draw (a map), made once on first use.
    pub fn streets(&self) -> &Streets {
        self.streets.get_or_init(|| Streets::new(&self.network))
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// The customisation in force now; hold it for the whole of a query.
    pub fn snapshot(&self) -> Arc<Customised> {
        self.current.read().expect("router lock").clone()
    }

    /// The hazards known (in force or not).
    pub fn hazards(&self) -> Vec<Hazard> {
        self.hazards.lock().expect("hazard lock").clone()
    }

    /// Replaces every known hazard and re-customises for those in force at `now`.
    pub fn set_hazards(&self, hazards: Vec<Hazard>, now: Timestamp) {
        let mut known = self.hazards.lock().expect("hazard lock");
        *known = hazards;
        self.customise(&known, now);
    }

    /// Adds a hazard, or changes the one with the same id.
    pub fn put_hazard(&self, hazard: Hazard, now: Timestamp) {
        let mut known = self.hazards.lock().expect("hazard lock");
        known.retain(|h| h.id() != hazard.id());
        known.push(hazard);
        self.customise(&known, now);
    }

    /// Forgets a hazard; `false` if none had that id.
    pub fn remove_hazard(&self, id: &str, now: Timestamp) -> bool {
        let mut known = self.hazards.lock().expect("hazard lock");
        let before = known.len();
        known.retain(|h| h.id() != id);
        let removed = known.len() != before;
        if removed {
            self.customise(&known, now);
        }
        removed
    }

    /// The ids of the hazards in force at `now` whose area holds `at`: an RV or a gate there
    /// is to be suspended (and its households re-planned).
    pub fn hazards_covering(&self, at: Coordinate, now: Timestamp) -> Vec<String> {
        let point = self.network.projection().project_coordinate(at);
        self.hazards
            .lock()
            .expect("hazard lock")
            .iter()
            .filter(|h| h.active_at(now) && h.shape(self.network.projection()).contains(point))
            .map(|h| h.id().to_owned())
            .collect()
    }

    /// Re-customises if the hazards in force at `now` differ from the snapshot's (one began
    /// or expired). A server calls this on a timer; it is cheap when nothing changed.
    pub fn refresh(&self, now: Timestamp) -> bool {
        let known = self.hazards.lock().expect("hazard lock");
        if in_force(&known, now) == self.snapshot().in_force {
            return false;
        }
        self.customise(&known, now);
        true
    }

    /// Called with the hazard lock held, so changes apply in the order they were made;
    /// readers keep the old snapshot until the swap.
    fn customise(&self, known: &[Hazard], now: Timestamp) {
        let areas = areas_in_force(&self.network, known, now);
        let edge_weights = edge_weights_under(&self.network, &areas);
        let metric = Metric::customise(&self.topology, &edge_weights);
        let next = Arc::new(Customised {
            in_force: in_force(known, now),
            areas,
            edge_weights,
            metric,
        });
        *self.current.write().expect("router lock") = next;
    }

    fn with_scratch<T>(&self, f: impl FnOnce(&mut Scratch) -> T) -> T {
        let mut scratch = self
            .scratch
            .lock()
            .expect("scratch lock")
            .pop()
            .unwrap_or_else(|| Scratch::new(&self.topology));
        let out = f(&mut scratch);
        self.scratch.lock().expect("scratch lock").push(scratch);
        out
    }

    /// The fastest route between two junctions under `snapshot`, `None` if all ways are closed.
    pub fn route_between(
        &self,
        snapshot: &Customised,
        s: NodeIndex,
        t: NodeIndex,
    ) -> Option<(u32, Vec<u32>)> {
        let rank = |v: NodeIndex| End {
            rank: self.topology.rank[v as usize],
            offset: 0,
        };
        let (from, to) = ([rank(s)], [rank(t)]);
        self.with_scratch(|scratch| shortest(&self.topology, &snapshot.metric, scratch, &from, &to))
            .map(|found| (found.weight, found.edges))
    }

    /// The ways from a placed point onto the network under `snapshot`: each end of its
    /// segment that is open to walk to, with the milliseconds to walk there (the same back).
    pub fn ways_onto_network(
        &self,
        snapshot: &Customised,
        place: &Snapped,
    ) -> Vec<(NodeIndex, u32)> {
        let edge = &self.network.edges()[place.edge as usize];
        let at = self.network.projection().project_coordinate(place.at);
        place
            .ways(&self.network)
            .into_iter()
            .map(|(v, share)| {
                let w = stretch_weight(
                    &snapshot.areas,
                    at,
                    self.network.point(v),
                    f64::from(edge.time_ms) * share,
                );
                (v, w)
            })
            .filter(|&(_, w)| w != CLOSED)
            .collect()
    }

    /// The ways onto the network as the hierarchy's search takes them.
    fn ends(&self, snapshot: &Customised, place: &Snapped) -> Vec<End> {
        self.ways_onto_network(snapshot, place)
            .into_iter()
            .map(|(v, offset)| End {
                rank: self.topology.rank[v as usize],
                offset,
            })
            .collect()
    }

    /// When both points lie on one segment, the milliseconds to walk straight along it from
    /// one to the other under `snapshot` (`None` if they do not, or the stretch is closed).
    pub fn along_one_segment(
        &self,
        snapshot: &Customised,
        start: &Snapped,
        end: &Snapped,
    ) -> Option<u32> {
        if start.edge != end.edge {
            return None;
        }
        let edge = &self.network.edges()[start.edge as usize];
        let projection = self.network.projection();
        let w = stretch_weight(
            &snapshot.areas,
            projection.project_coordinate(start.at),
            projection.project_coordinate(end.at),
            f64::from(edge.time_ms) * (start.along - end.along).abs(),
        );
        (w != CLOSED).then_some(w)
    }

    /// The fastest route between two placed points under `snapshot`, `None` if every way is
    /// closed.
    pub fn route_between_places(
        &self,
        snapshot: &Customised,
        start: &Snapped,
        end: &Snapped,
    ) -> Option<Route> {
        let (from, to) = (self.ends(snapshot, start), self.ends(snapshot, end));
        let found = if from.is_empty() || to.is_empty() {
            None
        } else {
            self.with_scratch(|scratch| {
                shortest(&self.topology, &snapshot.metric, scratch, &from, &to)
            })
        };
        let direct = self.along_one_segment(snapshot, start, end);
        match (found, direct) {
            (Some(found), Some(w)) if found.weight < w => {
                Some(self.route_through(start, end, found))
            }
            (_, Some(w)) => Some(self.direct_route(start, end, w)),
            (Some(found), None) => Some(self.route_through(start, end, found)),
            (None, None) => None,
        }
    }

    /// A route straight along the one segment both points lie on.
    fn direct_route(&self, start: &Snapped, end: &Snapped, weight: u32) -> Route {
        let edge = &self.network.edges()[start.edge as usize];
        let share = (start.along - end.along).abs();
        let mut route = Route {
            edges: Vec::new(),
            metres: Vec::new(),
            line: vec![start.at],
            nodes: Vec::new(),
            length_m: 0.0,
            walking_s: 0.0,
            weight,
            start: *start,
            end: *end,
        };
        route.walk(
            start.edge,
            edge.length_m * share,
            f64::from(edge.time_ms) * share,
            end.at,
        );
        route
    }

    /// A route from the start's point to a junction, along `found`'s streets, and from the
    /// last junction to the end's point.
    fn route_through(&self, start: &Snapped, end: &Snapped, found: Found) -> Route {
        let network = &self.network;
        let first = self.topology.order[found.start.rank as usize];
        let last = self.topology.order[found.end.rank as usize];
        let mut route = Route {
            edges: Vec::with_capacity(found.edges.len() + 2),
            metres: Vec::with_capacity(found.edges.len() + 2),
            line: vec![start.at],
            nodes: Vec::with_capacity(found.edges.len() + 1),
            length_m: 0.0,
            walking_s: 0.0,
            weight: found.weight,
            start: *start,
            end: *end,
        };
        let share_to = |place: &Snapped, v: NodeIndex| {
            place
                .ways(network)
                .into_iter()
                .find(|&(w, _)| w == v)
                .map_or(0.0, |(_, share)| share)
        };
        let part = |place: &Snapped, v: NodeIndex| {
            let edge = &network.edges()[place.edge as usize];
            let share = share_to(place, v);
            (edge.length_m * share, f64::from(edge.time_ms) * share)
        };
        let (metres, ms) = part(start, first);
        route.walk(start.edge, metres, ms, network.coordinate(first));
        route.nodes.push(first);
        let mut at = first;
        for &e in &found.edges {
            let edge = &network.edges()[e as usize];
            at = edge.other(at);
            route.walk(
                e,
                edge.length_m,
                f64::from(edge.time_ms),
                network.coordinate(at),
            );
            route.nodes.push(at);
        }
        debug_assert_eq!(at, last);
        let (metres, ms) = part(end, last);
        route.walk(end.edge, metres, ms, end.at);
        route
    }

    /// The fastest route from one position to another under the hazards in force.
    pub fn route(&self, from: Coordinate, to: Coordinate) -> Result<Route, RouteError> {
        let snapshot = self.snapshot();
        let start = self.network.snap(from, "start")?;
        let end = self.network.snap(to, "destination")?;
        self.route_between_places(&snapshot, &start, &end)
            .ok_or(RouteError::NoRoute)
    }

    /// The route with its guidance in `language`.
    pub fn guided(
        &self,
        from: Coordinate,
        to: Coordinate,
        language: Language,
    ) -> Result<Guided, RouteError> {
        let route = self.route(from, to)?;
        let guidance = guide(&self.network, &route, language);
        Ok(Guided { route, guidance })
    }

    /// Travel times from `from` to the whole network under the hazards in force.
    pub fn travel_time_field(&self, from: Coordinate) -> Result<TravelTimeField, RouteError> {
        Ok(self.travel_time_fields(&[from], 1)?.remove(0))
    }

    /// Travel times from each source (say, every RV), computed on `threads` threads,
    /// `LANES` sources per sweep of the hierarchy.
    pub fn travel_time_fields(
        &self,
        from: &[Coordinate],
        threads: usize,
    ) -> Result<Vec<TravelTimeField>, RouteError> {
        let snapshot = self.snapshot();
        let sources: Vec<Snapped> = from
            .iter()
            .map(|&c| self.network.snap(c, "source"))
            .collect::<Result<_, _>>()?;
        let groups: Vec<&[Snapped]> = sources.chunks(LANES).collect();
        let threads = threads.clamp(1, groups.len().max(1));
        let mut fields: Vec<Option<TravelTimeField>> = vec![None; sources.len()];
        let per_thread = groups.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let mut slots = fields.as_mut_slice();
            for batch in groups.chunks(per_thread.max(1)) {
                let taken: usize = batch.iter().map(|g| g.len()).sum();
                let (mine, rest) = slots.split_at_mut(taken);
                slots = rest;
                let snapshot = &snapshot;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    let mut at = 0;
                    for group in batch {
                        let ends: Vec<Vec<End>> =
                            group.iter().map(|s| self.ends(snapshot, s)).collect();
                        let ends: Vec<&[End]> = ends.iter().map(|e| &e[..]).collect();
                        sweep(&self.topology, &snapshot.metric, &ends, &mut out);
                        for (k, source) in group.iter().enumerate() {
                            let times_ms = (0..self.network.node_count())
                                .map(|v| out[self.topology.rank[v] as usize * LANES + k])
                                .collect();
                            mine[at] = Some(TravelTimeField {
                                source: *source,
                                times_ms,
                            });
                            at += 1;
                        }
                    }
                });
            }
        });
        Ok(fields
            .into_iter()
            .map(|f| f.expect("every source swept"))
            .collect())
    }
}

fn in_force(hazards: &[Hazard], now: Timestamp) -> Vec<String> {
    let mut ids: Vec<String> = hazards
        .iter()
        .filter(|h| h.active_at(now))
        .map(|h| h.id().to_owned())
        .collect();
    ids.sort();
    ids
}
