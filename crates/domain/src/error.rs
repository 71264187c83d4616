//! The refusals of the domain, each with a stable machine code.

use crate::expected::Expected;
use crate::stage::{Stage, Step};
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{field}: {reason}")]
    Invalid {
        field: Cow<'static, str>,
        reason: String,
    },

    #[error(
        "cannot {step} a case that is {stage}; allowed from {stage}: {}",
        list_steps(allowed)
    )]
    IllegalTransition {
        stage: Stage,
        step: Step,
        allowed: Vec<Step>,
    },

    #[error(
        "window is full: capacity {capacity}, already assigned {assigned}, household of {requested}"
    )]
    WindowFull {
        capacity: u32,
        assigned: u32,
        requested: u32,
    },

    #[error(
        "flight is full: capacity {capacity}, already manifested {manifested}, household of {requested}"
    )]
    FlightFull {
        capacity: u32,
        manifested: u32,
        requested: u32,
    },

    /// A flight scheduled again: `flight` has the same number and departs at the same time
    /// ([`crate::places::NewFlight::repeats`]).
    #[error(
        "flight {number} is already scheduled to depart at that time (flight {})",
        flight.0
    )]
    FlightScheduled {
        number: String,
        flight: crate::ids::FlightId,
    },

    /// A flight cancelled with people on its manifest: they hold seats on it, so it is changed
    /// (delayed), not cancelled.
    #[error(
        "flight {number} has {people} people on its manifest: change its departure instead of cancelling it"
    )]
    FlightHasManifest { number: String, people: u32 },

    #[error("{0}")]
    Conflict(String),

    /// A pass that does not admit its household at a rendezvous point; the code is the
    /// refusal's (`revoked`, `superseded`, `wrong_rv`, `outside_window`).
    #[error("{0}")]
    NotAdmitted(#[from] crate::refusal::Refusal),
}

fn list_steps(steps: &[Step]) -> String {
    if steps.is_empty() {
        return "nothing (final state)".to_string();
    }
    steps
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl DomainError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: Cow::Borrowed(field),
            reason: reason.into(),
        }
    }

    /// This refusal of a member's value, named by the member's place in the household's list
    /// as a request body names it (`members[1].birth_date`).
    pub fn of_member(self, index: usize) -> Self {
        match self {
            DomainError::Invalid { field, reason } => DomainError::Invalid {
                field: Cow::Owned(format!("members[{index}].{field}")),
                reason,
            },
            other => other,
        }
    }

    /// A value that is not what the field expects, with the reason [`Expected`] words (and a
    /// page reads back to say it in its own language).
    pub fn expected(field: &'static str, expected: Expected) -> Self {
        DomainError::invalid(field, expected.reason())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        DomainError::Conflict(message.into())
    }

    /// The stable machine code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid_input",
            DomainError::IllegalTransition { .. } => "illegal_transition",
            DomainError::WindowFull { .. } => "window_full",
            DomainError::FlightFull { .. } => "flight_full",
            DomainError::FlightScheduled { .. } => "flight_already_scheduled",
            DomainError::FlightHasManifest { .. } => "flight_has_manifest",
            DomainError::Conflict(_) => "conflict",
            DomainError::NotAdmitted(refusal) => refusal.code(),
        }
    }
}
