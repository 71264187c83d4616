//! The refusals of the planner: each names the item that is wrong (a household, an RV, a
//! window, a gate, a setting, a previous plan's entry) and why.
//!
//! Imports nothing of the crate: every other module may return these.

/// What kind of item a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Household,
    Rv,
    Gate,
    Window,
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Item::Household => "household",
            Item::Rv => "rv",
            Item::Gate => "gate",
            Item::Window => "window",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// An item of the instance breaks a rule.
    #[error("{item} {id}: {reason}")]
    Invalid { item: Item, id: i64, reason: String },
    /// Two items of one kind share an id.
    #[error("{item} {id}: the id is used twice")]
    Duplicate { item: Item, id: i64 },
    /// A setting of the instance is out of its range.
    #[error("settings.{field}: {reason}")]
    Setting { field: &'static str, reason: String },
    /// A previous plan handed to a re-plan does not belong to the instance.
    #[error("previous plan: {0}")]
    PreviousPlan(String),
}

impl PlanError {
    pub(crate) fn invalid(item: Item, id: i64, reason: impl Into<String>) -> Self {
        PlanError::Invalid {
            item,
            id,
            reason: reason.into(),
        }
    }
}
