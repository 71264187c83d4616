//! The street network as lines to draw: edges chained into polylines (through junctions
//! where a street simply continues: two edges of the same name and kind), each with its box,
//! served by bounding box at a level of detail (lines too small to see left out, the rest
//! simplified to the tolerance given).
//!
//! Imports the network and geometry only; it knows nothing of hazards or routes.

use crate::geo::{Point, point_segment_distance};
use crate::network::{Network, NodeIndex};
use crate::walking::WayKind;

/// A box of latitudes and longitudes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    fn around(points: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let mut b = Bounds {
            south: f64::INFINITY,
            west: f64::INFINITY,
            north: f64::NEG_INFINITY,
            east: f64::NEG_INFINITY,
        };
        for (lat, lon) in points {
            b.south = b.south.min(lat);
            b.north = b.north.max(lat);
            b.west = b.west.min(lon);
            b.east = b.east.max(lon);
        }
        b
    }

    pub fn overlaps(&self, other: &Bounds) -> bool {
        self.south <= other.north
            && other.south <= self.north
            && self.west <= other.east
            && other.west <= self.east
    }
}

/// One street's stretch between junctions where it meets others.
#[derive(Debug, Clone)]
pub struct StreetLine {
    /// Index of the street's name in the network (`Network::name`).
    pub name: Option<u32>,
    pub kind: WayKind,
    /// Junctions in order along the line.
    pub nodes: Vec<NodeIndex>,
    pub bounds: Bounds,
    pub length_m: f64,
}

#[derive(Debug)]
pub struct Streets {
    lines: Vec<StreetLine>,
    extent: Bounds,
}

impl Streets {
    pub fn new(network: &Network) -> Self {
        let edges = network.edges();
        let key = |e: u32| (edges[e as usize].name, edges[e as usize].kind);
        // A junction where a line ends: not exactly two edges, or two of different streets.
        let joint = |v: NodeIndex| match network.neighbours(v) {
            [(_, a), (_, b)] => key(*a) != key(*b),
            _ => true,
        };
        let mut used = vec![false; edges.len()];
        let mut lines = Vec::new();
        let mut follow = |start: NodeIndex, first: u32, used: &mut Vec<bool>| {
            let mut nodes = vec![start];
            let (mut at, mut edge) = (start, first);
            let mut length_m = 0.0;
            loop {
                used[edge as usize] = true;
                let e = &edges[edge as usize];
                length_m += e.length_m;
                at = e.other(at);
                nodes.push(at);
                if joint(at) {
                    break;
                }
                match network
                    .neighbours(at)
                    .iter()
                    .find(|(_, next)| !used[*next as usize])
                {
                    Some(&(_, next)) => edge = next,
                    None => break,
                }
            }
            let bounds = Bounds::around(nodes.iter().map(|&v| {
                let c = network.coordinate(v);
                (c.lat(), c.lon())
            }));
            lines.push(StreetLine {
                name: edges[first as usize].name,
                kind: edges[first as usize].kind,
                nodes,
                bounds,
                length_m,
            });
        };
        for v in 0..network.node_count() as NodeIndex {
            if joint(v) {
                for &(_, e) in network.neighbours(v) {
                    if !used[e as usize] {
                        follow(v, e, &mut used);
                    }
                }
            }
        }
        // What is left are rings with no joint (a square walked round).
        for e in 0..edges.len() as u32 {
            if !used[e as usize] {
                follow(edges[e as usize].a, e, &mut used);
            }
        }
        let extent = Bounds::around((0..network.node_count() as NodeIndex).map(|v| {
            let c = network.coordinate(v);
            (c.lat(), c.lon())
        }));
        Streets { lines, extent }
    }

    /// The box holding the whole network.
    pub fn extent(&self) -> Bounds {
        self.extent
    }

    pub fn lines(&self) -> &[StreetLine] {
        &self.lines
    }

    /// The lines that reach into `bounds` at a level of detail: `tolerance_m` is what one
    /// screen pixel covers, about. Footways and lines shorter than a few pixels are left out
    /// when zoomed far out; the rest are simplified to within `tolerance_m`. Each line comes
    /// with the junctions to draw.
    pub fn within<'a>(
        &'a self,
        network: &'a Network,
        bounds: Bounds,
        tolerance_m: f64,
    ) -> impl Iterator<Item = (&'a StreetLine, Vec<NodeIndex>)> + 'a {
        let tolerance_m = tolerance_m.max(0.0);
        self.lines
            .iter()
            .filter(move |l| l.bounds.overlaps(&bounds))
            .filter(move |l| l.length_m >= tolerance_m * 4.0)
            .filter(move |l| tolerance_m <= 6.0 || l.kind == WayKind::Street)
            .map(move |l| (l, simplify(network, &l.nodes, tolerance_m)))
    }
}

/// Douglas–Peucker over the junctions of a line, keeping both ends.
fn simplify(network: &Network, nodes: &[NodeIndex], tolerance_m: f64) -> Vec<NodeIndex> {
    if nodes.len() <= 2 || tolerance_m <= 0.0 {
        return nodes.to_vec();
    }
    let points: Vec<Point> = nodes.iter().map(|&v| network.point(v)).collect();
    let mut keep = vec![false; nodes.len()];
    keep[0] = true;
    keep[nodes.len() - 1] = true;
    let mut stack = vec![(0, nodes.len() - 1)];
    while let Some((i, j)) = stack.pop() {
        let (far, distance) = (i + 1..j)
            .map(|k| (k, point_segment_distance(points[k], points[i], points[j])))
            .fold((i, 0.0), |best, c| if c.1 > best.1 { c } else { best });
        if distance > tolerance_m {
            keep[far] = true;
            stack.push((i, far));
            stack.push((far, j));
        }
    }
    nodes
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(&v, _)| v)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::NetworkBuilder;
    use crate::walking::PlaceName;
    use safeconduct_domain::values::Coordinate;

    /// A street bending through five junctions, a footway off its middle, and a ring.
    fn network() -> Network {
        let mut b = NetworkBuilder::new();
        let at = |lat: f64, lon: f64| Coordinate::new(lat, lon).unwrap();
        let street: Vec<_> = (0..5)
            .map(|i| {
                b.node(
                    i,
                    at(60.17 + 0.001 * i as f64, 24.94 + 0.00001 * (i % 2) as f64),
                )
            })
            .collect();
        b.way(
            &street,
            Some(PlaceName::plain("Main street")),
            WayKind::Street,
        );
        let off = b.node(10, at(60.172, 24.945));
        b.way(&[street[2], off], None, WayKind::Footway);
        let ring: Vec<_> = [
            (20, 60.18, 24.95),
            (21, 60.181, 24.95),
            (22, 60.181, 24.951),
        ]
        .iter()
        .map(|&(id, lat, lon)| b.node(id, at(lat, lon)))
        .collect();
        b.way(
            &[ring[0], ring[1], ring[2], ring[0]],
            Some(PlaceName::plain("Square")),
            WayKind::Footway,
        );
        b.build().unwrap()
    }

    #[test]
    fn a_street_is_one_line_per_stretch_between_the_ways_that_meet_it() {
        let n = network();
        let streets = Streets::new(&n);
        // The street splits where the footway meets it: two stretches, the footway, the ring.
        assert_eq!(streets.lines().len(), 4);
        let edges: usize = streets.lines().iter().map(|l| l.nodes.len() - 1).sum();
        assert_eq!(edges, n.edges().len(), "every edge drawn once");
        let ring = streets.lines().iter().find(|l| l.nodes.len() == 4).unwrap();
        assert_eq!(ring.nodes.first(), ring.nodes.last());
    }

    #[test]
    fn a_box_elsewhere_gets_nothing_and_far_out_footways_are_left_out() {
        let n = network();
        let streets = Streets::new(&n);
        let all = streets.extent();
        assert_eq!(streets.within(&n, all, 0.0).count(), 4);
        let elsewhere = Bounds {
            south: 50.0,
            west: 10.0,
            north: 50.1,
            east: 10.1,
        };
        assert_eq!(streets.within(&n, elsewhere, 0.0).count(), 0);
        let far_out: Vec<_> = streets.within(&n, all, 20.0).collect();
        assert!(far_out.iter().all(|(l, _)| l.kind == WayKind::Street));
        assert_eq!(far_out.len(), 2);
    }

    #[test]
    fn simplifying_keeps_the_ends_and_drops_wiggles_under_the_tolerance() {
        let n = network();
        let streets = Streets::new(&n);
        let all = streets.extent();
        for (line, drawn) in streets.within(&n, all, 5.0) {
            assert_eq!(drawn.first(), line.nodes.first());
            assert_eq!(drawn.last(), line.nodes.last());
            if line.kind == WayKind::Street {
                // The half-metre wiggle goes; the line is straight between its ends.
                assert_eq!(drawn.len(), 2, "{drawn:?}");
            }
        }
        let exact: usize = streets
            .within(&n, all, 0.0)
            .map(|(_, d)| d.len())
            .sum::<usize>();
        assert_eq!(
            exact,
            streets.lines().iter().map(|l| l.nodes.len()).sum::<usize>()
        );
    }
}
