//! Walking routes through a city for safeconduct: the street graph read from an
//! OpenStreetMap extract, hazards that block or slow the streets they touch, a speed-up that
//! is re-customised in a fraction of a second when hazards change, travel-time fields from
//! rendezvous points, and guidance in the caller's language.
//!
//! Architecture invariant: pure. It reads an extract from bytes it is handed, takes the time
//! as an argument, and opens no file, socket or clock; it depends on `safeconduct-domain`
//! (coordinates, languages, severities), the pure `safeconduct-i18n` (the words of guidance
//! and SMS arithmetic) and small pure crates only. A server holds one
//! `Router` in an `Arc`, applies hazard changes to it and answers routes from it.

pub mod cch;
pub mod dijkstra;
pub mod error;
pub mod gazetteer;
pub mod geo;
pub mod guidance;
pub mod hazard;
pub mod hazard_file;
pub mod network;
pub mod osm;
pub mod path;
pub mod pbf;
pub mod router;
pub mod streets;
pub mod walking;

pub use error::{PbfError, RouteError};
pub use guidance::Guidance;
pub use hazard::{Area, Hazard};
pub use hazard_file::hazards_from_geojson;
pub use network::{Network, NetworkBuilder, NodeIndex};
pub use osm::network_from_pbf;
pub use router::{Guided, Route, Router, TravelTimeField};
pub use streets::{Bounds, Streets};
