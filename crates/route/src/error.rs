//! The refusals of the routing crate: a malformed extract, a bad hazard file, a position or
//! landmark that cannot be placed on the network.
//!
//! Imports nothing of the crate: every other module may use it.

/// What is wrong with an OpenStreetMap PBF extract. Each variant names the part that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PbfError {
    #[error("the extract is truncated inside {what}")]
    Truncated { what: &'static str },
    #[error("bad blob header at byte {offset}: {reason}")]
    BadBlobHeader { offset: usize, reason: String },
    #[error("blob at byte {offset} uses {compression} compression; only raw and zlib are read")]
    UnsupportedCompression {
        offset: usize,
        compression: &'static str,
    },
    #[error("blob at byte {offset} does not inflate: {reason}")]
    BadCompression { offset: usize, reason: String },
    #[error("bad varint in {what}")]
    BadVarint { what: &'static str },
    #[error("field {field} of {message} has an unexpected wire type")]
    WireType { message: &'static str, field: u32 },
    #[error("{message} holds a field of unknown wire type {wire_type}")]
    UnknownWireType {
        message: &'static str,
        wire_type: u8,
    },
    #[error("{message}: {reason}")]
    Malformed {
        message: &'static str,
        reason: String,
    },
    #[error("the extract requires feature {0:?}, which this reader does not support")]
    UnsupportedFeature(String),
    #[error("the extract holds no OSMData block")]
    NoData,
}

/// What is wrong with a hazard, a hazard file, or a routing request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RouteError {
    #[error(transparent)]
    Pbf(#[from] PbfError),
    #[error("the extract holds no walkable street")]
    EmptyNetwork,
    #[error("hazard {id}: {reason}")]
    Hazard { id: String, reason: String },
    #[error("hazard file: {0}")]
    HazardFile(String),
    #[error("{what}: no walkable street within {max_m} m")]
    TooFar { what: &'static str, max_m: u32 },
    #[error("every way between the two places is closed by a hazard")]
    NoRoute,
    #[error("no landmark or street matches {0:?}")]
    UnknownPlace(String),
    #[error("{what}: {reason}")]
    Invalid { what: &'static str, reason: String },
}
