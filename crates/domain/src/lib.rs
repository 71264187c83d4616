//! The evacuation domain: operations, households (cases), people, rendezvous points, gates,
//! windows, escort batches, flights and hazards, and the rules that govern them.
//!
//! Architecture invariant: this crate decides, it never does. It touches no I/O, no clock and
//! no randomness: every timestamp, identifier and random value arrives as an argument. It does
//! not know about HTTP, JSON wire formats or SQL.

pub mod accountability;
pub mod admission;
pub mod device;
pub mod error;
pub mod expected;
pub mod field;
pub mod hotline;
pub mod household;
pub mod ids;
pub mod lifecycle;
pub mod matching;
pub mod model;
pub mod places;
mod reference;
mod refusal;
pub mod role;
pub mod scan;
#[cfg(feature = "schema")]
pub mod schema;
pub mod stage;
mod string_value;
mod text;
mod time_text;
pub mod values;
pub mod whereabouts;

pub use device::DeviceId;
pub use error::DomainError;
pub use expected::Expected;
pub use ids::*;
pub use reference::CaseReference;
pub use role::Role;
pub use stage::{Stage, Step};
