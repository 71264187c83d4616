//! The roles a user can hold in an operation.

use crate::string_value::display_as_str;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A role in one operation. What each role may do is stated per endpoint by the server; what
/// each role may see is described in DESIGN.md.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Coordinator,
    Hotline,
    Escort,
    Gate,
    Manifest,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Coordinator,
        Role::Hotline,
        Role::Escort,
        Role::Gate,
        Role::Manifest,
        Role::Auditor,
    ];

    /// Escort and gate users act at the places assigned to them and see nothing outside them;
    /// every other role works across the operation. Stated here once, with no default: a new
    /// role must say which it is.
    pub fn works_at_places(self) -> bool {
        match self {
            Role::Escort | Role::Gate => true,
            Role::Coordinator | Role::Hotline | Role::Manifest | Role::Auditor => false,
        }
    }

    /// Coordinators, hotline operators and manifest officers sign in with a one-time code as
    /// well as their password: they read who is trying to leave (a case, a lookup by phone) or
    /// move people on paper (onto a flight, aboard). Escort and gate users act through
    /// enrolled devices, each holding its own key; an auditor reads counts and no personal
    /// data. Stated here once, with no default: a new role must say which it is.
    pub fn signs_in_with_a_code(self) -> bool {
        match self {
            Role::Coordinator | Role::Hotline | Role::Manifest => true,
            Role::Escort | Role::Gate | Role::Auditor => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Hotline => "hotline",
            Role::Escort => "escort",
            Role::Gate => "gate",
            Role::Manifest => "manifest",
            Role::Auditor => "auditor",
        }
    }
}

display_as_str!(Role);

impl FromStr for Role {
    type Err = crate::error::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                crate::error::DomainError::invalid(
                    "role",
                    "a role is one of coordinator, hotline, escort, gate, manifest, auditor",
                )
            })
    }
}
