//! Plane geometry over a city: a local projection to metres, distances from points to
//! segments, point-in-polygon, segment crossings, bearings, and grid indexes of points and
//! of segments for nearest-point and nearest-segment queries.
//!
//! A city is a few tens of kilometres across, so an equirectangular projection about its
//! centre is within a fraction of a percent of the great circle, which is enough to decide
//! what a hazard touches and which street is nearest. Lengths of edges use the haversine
//! distance (`domain::values::Coordinate::distance_m`). Imports nothing of the crate.

use safeconduct_domain::values::Coordinate;

/// Metres per degree of latitude (mean).
const METRES_PER_DEGREE: f64 = 111_195.0;

/// A point in metres east and north of the projection's origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn distance(self, other: Point) -> f64 {
        // Not `hypot`: city-sized coordinates cannot overflow, and searches call this often.
        let (dx, dy) = (self.x - other.x, self.y - other.y);
        (dx * dx + dy * dy).sqrt()
    }
}

/// An equirectangular projection about one latitude.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    lat0: f64,
    lon0: f64,
    cos_lat0: f64,
}

impl Projection {
    pub fn around(lat0: f64, lon0: f64) -> Self {
        Projection {
            lat0,
            lon0,
            cos_lat0: lat0.to_radians().cos(),
        }
    }

    pub fn project(&self, lat: f64, lon: f64) -> Point {
        Point {
            x: (lon - self.lon0) * self.cos_lat0 * METRES_PER_DEGREE,
            y: (lat - self.lat0) * METRES_PER_DEGREE,
        }
    }

    pub fn project_coordinate(&self, c: Coordinate) -> Point {
        self.project(c.lat(), c.lon())
    }
}

/// The point of the segment `a`–`b` nearest to `p`: how far along it lies (0 at `a`, 1 at
/// `b`) and its distance from `p`.
pub fn nearest_on_segment(p: Point, a: Point, b: Point) -> (f64, f64) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    let foot = Point {
        x: a.x + t * dx,
        y: a.y + t * dy,
    };
    (t, p.distance(foot))
}

/// Distance from `p` to the segment `a`–`b`.
pub fn point_segment_distance(p: Point, a: Point, b: Point) -> f64 {
    nearest_on_segment(p, a, b).1
}

/// Whether `p` lies inside the ring (even-odd rule; the ring may or may not repeat its first
/// point at the end).
pub fn point_in_ring(p: Point, ring: &[Point]) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn orientation(a: Point, b: Point, c: Point) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// Whether the segments `a`–`b` and `c`–`d` share a point (touching counts).
pub fn segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool {
    let (o1, o2) = (orientation(a, b, c), orientation(a, b, d));
    let (o3, o4) = (orientation(c, d, a), orientation(c, d, b));
    if ((o1 > 0.0 && o2 < 0.0) || (o1 < 0.0 && o2 > 0.0))
        && ((o3 > 0.0 && o4 < 0.0) || (o3 < 0.0 && o4 > 0.0))
    {
        return true;
    }
    // Collinear or touching cases: an endpoint on the other segment.
    let on = |p: Point, q: Point, r: Point| point_segment_distance(r, p, q) < 1e-9;
    on(a, b, c) || on(a, b, d) || on(c, d, a) || on(c, d, b)
}

/// Compass bearing from `a` to `b` in degrees, 0 = north, clockwise.
pub fn bearing(a: Point, b: Point) -> f64 {
    let deg = (b.x - a.x).atan2(b.y - a.y).to_degrees();
    if deg < 0.0 { deg + 360.0 } else { deg }
}

/// A uniform grid of points for nearest-point queries: a query looks at the cells in rings
/// around its own until no nearer point can remain.
#[derive(Debug, Clone)]
pub struct Grid {
    cells: Cells,
    /// Start of each cell's run in `items`, with one extra entry at the end.
    cell_start: Vec<u32>,
    items: Vec<(u32, Point)>,
}

/// Square cells of `cell_m` metres over a box of the plane.
#[derive(Debug, Clone)]
struct Cells {
    cell_m: f64,
    min: Point,
    columns: usize,
    rows: usize,
}

impl Cells {
    /// Cells covering every point of `points` (one cell at the origin when there is none).
    fn covering(points: impl Iterator<Item = Point>, cell_m: f64) -> Self {
        let (mut min, mut max) = (
            Point {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            Point {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        );
        for p in points {
            min.x = min.x.min(p.x);
            min.y = min.y.min(p.y);
            max.x = max.x.max(p.x);
            max.y = max.y.max(p.y);
        }
        if min.x > max.x {
            min = Point { x: 0.0, y: 0.0 };
            max = min;
        }
        Cells {
            cell_m,
            min,
            columns: ((max.x - min.x) / cell_m) as usize + 1,
            rows: ((max.y - min.y) / cell_m) as usize + 1,
        }
    }

    fn count(&self) -> usize {
        self.columns * self.rows
    }

    fn column_row(&self, p: Point) -> (usize, usize) {
        let col = ((p.x - self.min.x) / self.cell_m).floor().max(0.0) as usize;
        let row = ((p.y - self.min.y) / self.cell_m).floor().max(0.0) as usize;
        (col.min(self.columns - 1), row.min(self.rows - 1))
    }

    fn cell(&self, p: Point) -> usize {
        let (c, r) = self.column_row(p);
        r * self.columns + c
    }

    /// The cells around `p` ring by ring, nearest first, as long as `go_on(floor)` holds,
    /// where `floor` is the least distance from `p` to anything in the ring (and at most
    /// `max_m` away).
    fn rings(
        &self,
        p: Point,
        max_m: f64,
        mut visit: impl FnMut(usize),
        go_on: impl Fn(f64) -> bool,
    ) {
        let (col, row) = self.column_row(p);
        let max_ring = (max_m / self.cell_m).ceil() as usize + 1;
        for ring in 0..=max_ring.min(self.columns.max(self.rows)) {
            // Every point in ring k is at least (k - 1) cells away from p.
            let ring_floor = (ring as f64 - 1.0).max(0.0) * self.cell_m;
            if !go_on(ring_floor) || ring_floor > max_m {
                break;
            }
            for (c, r) in ring_cells(col, row, ring) {
                if c < self.columns && r < self.rows {
                    visit(r * self.columns + c);
                }
            }
        }
    }
}

/// Counting sort of items into cells: the start of each cell's run, with one extra entry.
fn cell_runs(count: usize, cell_of: &[usize]) -> Vec<u32> {
    let mut cell_start = vec![0u32; count + 1];
    for &c in cell_of {
        cell_start[c + 1] += 1;
    }
    for i in 0..count {
        cell_start[i + 1] += cell_start[i];
    }
    cell_start
}

impl Grid {
    /// Indexes `points` (an item number and its position) in cells of `cell_m` metres.
    pub fn new(points: impl IntoIterator<Item = (u32, Point)>, cell_m: f64) -> Self {
        let points: Vec<(u32, Point)> = points.into_iter().collect();
        let cells = Cells::covering(points.iter().map(|&(_, p)| p), cell_m);
        let cell_of: Vec<usize> = points.iter().map(|&(_, p)| cells.cell(p)).collect();
        let cell_start = cell_runs(cells.count(), &cell_of);
        let mut fill = cell_start.clone();
        let mut items = vec![(0, Point { x: 0.0, y: 0.0 }); points.len()];
        for (&(id, p), &c) in points.iter().zip(&cell_of) {
            items[fill[c] as usize] = (id, p);
            fill[c] += 1;
        }
        Grid {
            cells,
            cell_start,
            items,
        }
    }

    fn run(&self, cell: usize) -> &[(u32, Point)] {
        &self.items[self.cell_start[cell] as usize..self.cell_start[cell + 1] as usize]
    }

    /// The nearest indexed item to `p` within `max_m` metres, with its distance.
    pub fn nearest(&self, p: Point, max_m: f64) -> Option<(u32, f64)> {
        self.nearest_where(p, max_m, |_| true)
    }

    /// The nearest item accepted by `keep` within `max_m` metres.
    pub fn nearest_where(
        &self,
        p: Point,
        max_m: f64,
        keep: impl Fn(u32) -> bool,
    ) -> Option<(u32, f64)> {
        if self.items.is_empty() {
            return None;
        }
        let best: std::cell::Cell<Option<(u32, f64)>> = std::cell::Cell::new(None);
        self.cells.rings(
            p,
            max_m,
            |cell| {
                for &(id, q) in self.run(cell) {
                    let d = p.distance(q);
                    if d <= max_m && best.get().is_none_or(|(_, b)| d < b) && keep(id) {
                        best.set(Some((id, d)));
                    }
                }
            },
            |floor| best.get().is_none_or(|(_, d)| d > floor),
        );
        best.get()
    }

    /// Every item within `radius_m` of `p`.
    pub fn within(&self, p: Point, radius_m: f64) -> Vec<(u32, f64)> {
        let mut out = Vec::new();
        if self.items.is_empty() {
            return out;
        }
        let lo = self.cells.column_row(Point {
            x: p.x - radius_m,
            y: p.y - radius_m,
        });
        let hi = self.cells.column_row(Point {
            x: p.x + radius_m,
            y: p.y + radius_m,
        });
        for r in lo.1..=hi.1 {
            for c in lo.0..=hi.0 {
                for &(id, q) in self.run(r * self.cells.columns + c) {
                    let d = p.distance(q);
                    if d <= radius_m {
                        out.push((id, d));
                    }
                }
            }
        }
        out
    }
}

/// Segments indexed by the cells their bounding boxes overlap, for the segment nearest to a
/// point.
#[derive(Debug, Clone)]
pub struct SegmentGrid {
    cells: Cells,
    cell_start: Vec<u32>,
    /// Per cell run: positions in `segments`.
    items: Vec<u32>,
    segments: Vec<(u32, Point, Point)>,
}

/// Where a point lies nearest to an indexed segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnSegment {
    pub id: u32,
    /// How far along the segment, from 0 at its first end to 1 at its second.
    pub along: f64,
    pub distance_m: f64,
}

impl SegmentGrid {
    /// Indexes `segments` (an item number and its two ends) in cells of `cell_m` metres.
    pub fn new(segments: impl IntoIterator<Item = (u32, Point, Point)>, cell_m: f64) -> Self {
        let segments: Vec<(u32, Point, Point)> = segments.into_iter().collect();
        let cells = Cells::covering(segments.iter().flat_map(|&(_, a, b)| [a, b]), cell_m);
        let mut pairs: Vec<(usize, u32)> = Vec::new();
        for (i, &(_, a, b)) in segments.iter().enumerate() {
            let (c0, r0) = cells.column_row(Point {
                x: a.x.min(b.x),
                y: a.y.min(b.y),
            });
            let (c1, r1) = cells.column_row(Point {
                x: a.x.max(b.x),
                y: a.y.max(b.y),
            });
            for r in r0..=r1 {
                for c in c0..=c1 {
                    pairs.push((r * cells.columns + c, i as u32));
                }
            }
        }
        let cell_of: Vec<usize> = pairs.iter().map(|&(c, _)| c).collect();
        let cell_start = cell_runs(cells.count(), &cell_of);
        let mut fill = cell_start.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(c, i) in &pairs {
            items[fill[c] as usize] = i;
            fill[c] += 1;
        }
        SegmentGrid {
            cells,
            cell_start,
            items,
            segments,
        }
    }

    /// The segment nearest to `p` within `max_m` metres, and the point of it nearest to `p`
    /// (of two equally near, the first indexed).
    pub fn nearest(&self, p: Point, max_m: f64) -> Option<OnSegment> {
        if self.segments.is_empty() {
            return None;
        }
        // (position in `segments`, along, distance)
        let best: std::cell::Cell<Option<(u32, f64, f64)>> = std::cell::Cell::new(None);
        self.cells.rings(
            p,
            max_m,
            |cell| {
                let run = self.cell_start[cell] as usize..self.cell_start[cell + 1] as usize;
                for &i in &self.items[run] {
                    let (_, a, b) = self.segments[i as usize];
                    let (along, d) = nearest_on_segment(p, a, b);
                    let better = best
                        .get()
                        .is_none_or(|(j, _, e)| d < e || (d == e && i < j));
                    if d <= max_m && better {
                        best.set(Some((i, along, d)));
                    }
                }
            },
            // A segment in a farther ring may still be as near: finish the ring that holds
            // the best so far, and the next one.
            |floor| best.get().is_none_or(|(_, _, d)| d >= floor),
        );
        best.get().map(|(i, along, distance_m)| OnSegment {
            id: self.segments[i as usize].0,
            along,
            distance_m,
        })
    }
}

/// The cells at Chebyshev distance `ring` from (col, row), clipped at zero: the top and
/// bottom rows whole, then the two side columns between them.
fn ring_cells(col: usize, row: usize, ring: usize) -> impl Iterator<Item = (usize, usize)> {
    let (c0, r0) = (col as isize, row as isize);
    let k = ring as isize;
    let rows: Vec<isize> = if k == 0 { vec![0] } else { vec![-k, k] };
    let horizontal = rows
        .into_iter()
        .flat_map(move |dr| (-k..=k).map(move |dc| (dc, dr)));
    let vertical = (-k + 1..k).flat_map(move |dr| [(-k, dr), (k, dr)]);
    horizontal.chain(vertical).filter_map(move |(dc, dr)| {
        let (c, r) = (c0 + dc, r0 + dr);
        (c >= 0 && r >= 0).then_some((c as usize, r as usize))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pt(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn a_point_beside_a_segment_is_measured_to_its_foot() {
        assert!(
            (point_segment_distance(pt(5.0, 3.0), pt(0.0, 0.0), pt(10.0, 0.0)) - 3.0).abs() < 1e-9
        );
        assert!(
            (point_segment_distance(pt(13.0, 4.0), pt(0.0, 0.0), pt(10.0, 0.0)) - 5.0).abs() < 1e-9
        );
    }

    #[test]
    fn a_square_holds_its_centre_and_not_a_point_outside() {
        let square = [pt(0.0, 0.0), pt(10.0, 0.0), pt(10.0, 10.0), pt(0.0, 10.0)];
        assert!(point_in_ring(pt(5.0, 5.0), &square));
        assert!(!point_in_ring(pt(15.0, 5.0), &square));
    }

    #[test]
    fn crossing_and_parallel_segments_are_told_apart() {
        assert!(segments_cross(
            pt(0.0, 0.0),
            pt(10.0, 10.0),
            pt(0.0, 10.0),
            pt(10.0, 0.0)
        ));
        assert!(!segments_cross(
            pt(0.0, 0.0),
            pt(10.0, 0.0),
            pt(0.0, 1.0),
            pt(10.0, 1.0)
        ));
    }

    #[test]
    fn bearings_follow_the_compass() {
        assert!((bearing(pt(0.0, 0.0), pt(0.0, 1.0)) - 0.0).abs() < 1e-9);
        assert!((bearing(pt(0.0, 0.0), pt(1.0, 0.0)) - 90.0).abs() < 1e-9);
        assert!((bearing(pt(0.0, 0.0), pt(-1.0, 0.0)) - 270.0).abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn the_grid_finds_the_same_nearest_distance_as_a_scan(
            points in prop::collection::vec((0.0f64..2000.0, 0.0f64..2000.0), 1..200),
            qx in -500.0f64..2500.0, qy in -500.0f64..2500.0,
        ) {
            let pts: Vec<(u32, Point)> =
                points.iter().enumerate().map(|(i, &(x, y))| (i as u32, pt(x, y))).collect();
            let grid = Grid::new(pts.clone(), 97.0);
            let q = pt(qx, qy);
            let scan = pts.iter().map(|&(_, p)| q.distance(p)).fold(f64::INFINITY, f64::min);
            let (_, found) = grid.nearest(q, 1e9).unwrap();
            prop_assert!((found - scan).abs() < 1e-9);
        }

        #[test]
        fn the_segment_grid_finds_the_nearest_segment_a_scan_finds(
            ends in prop::collection::vec(
                ((0.0f64..2000.0, 0.0f64..2000.0), (-300.0f64..300.0, -300.0f64..300.0)),
                1..100,
            ),
            qx in -500.0f64..2500.0, qy in -500.0f64..2500.0,
        ) {
            let segments: Vec<(u32, Point, Point)> = ends
                .iter()
                .enumerate()
                .map(|(i, &((x, y), (dx, dy)))| (i as u32, pt(x, y), pt(x + dx, y + dy)))
                .collect();
            let grid = SegmentGrid::new(segments.clone(), 97.0);
            let q = pt(qx, qy);
            let (scan_id, scan) = segments
                .iter()
                .map(|&(i, a, b)| (i, point_segment_distance(q, a, b)))
                .fold((u32::MAX, f64::INFINITY), |best, (i, d)| if d < best.1 { (i, d) } else { best });
            let found = grid.nearest(q, 1e9).unwrap();
            prop_assert!((found.distance_m - scan).abs() < 1e-9);
            prop_assert_eq!(found.id, scan_id, "the first of equally near segments");
            let (_, a, b) = segments[found.id as usize];
            let foot = pt(a.x + (b.x - a.x) * found.along, a.y + (b.y - a.y) * found.along);
            prop_assert!((q.distance(foot) - found.distance_m).abs() < 1e-6);
            prop_assert!(grid.nearest(q, scan - 1e-6).is_none() || scan == 0.0);
        }
    }
}
