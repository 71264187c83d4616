//! Typed identifiers, so that a gate id can never be passed where a window id is expected.

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
