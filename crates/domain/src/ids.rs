//! Typed identifiers, so that a gate id can never be passed where a window id is expected.

use crate::string_value::string_value;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// An evacuation operation: one city, one airlift.
    OperationId,
    /// A household (case).
    HouseholdId,
    /// One person, member of exactly one household.
    PersonId,
    /// An identity document of a person.
    DocumentId,
    /// A rendezvous point.
    RvId,
    /// A gate of the airfield.
    GateId,
    /// A time window at a rendezvous point.
    WindowId,
    /// An escort batch walked from a rendezvous point to a gate.
    BatchId,
    /// A flight out.
    FlightId,
    /// A reported hazard.
    HazardId,
    /// A user account.
    UserId,
    /// An organisation taking part in an operation.
    OrganisationId,
    /// A field device enrolled in an operation (a scanner, a gate tablet), holding its own
    /// signing key.
    FieldDeviceId,
    /// A conflict found in the scans synced from field devices, for a coordinator to resolve.
    IncidentId,
    /// A plan computed by the planner: a preview until a coordinator accepts it.
    PlanId,
);

/// The public reference of a case, read out over the phone: eight characters from an
/// alphabet without look-alikes (no 0/O, 1/I/L), grouped as `XXXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseReference(String);

impl CaseReference {
    /// Characters a reference may contain.
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// Builds a reference from eight random bytes supplied by the caller.
    pub fn from_random(bytes: [u8; 8]) -> Self {
        let mut s = String::with_capacity(9);
        for (i, b) in bytes.iter().enumerate() {
            if i == 4 {
                s.push('-');
            }
            s.push(Self::ALPHABET[*b as usize % Self::ALPHABET.len()] as char);
        }
        CaseReference(s)
    }

    /// Parses a reference as a person may type or say it: case-insensitive, with or without
    /// the dash, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Self, crate::error::DomainError> {
        let cleaned: String = input
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if cleaned.len() != 8 || !cleaned.bytes().all(|b| Self::ALPHABET.contains(&b)) {
            return Err(crate::error::DomainError::invalid(
                "reference",
                "a case reference is eight characters like K7M4-Q2XP",
            ));
        }
        Ok(CaseReference(format!(
            "{}-{}",
            &cleaned[..4],
            &cleaned[4..]
        )))
    }
}

string_value!(CaseReference: as_str, parse, into, display);
