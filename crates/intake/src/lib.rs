//! Intake of the spreadsheets volunteer networks keep: reading messy rows, normalising them,
//! finding the same person listed twice, grouping people into households, and explaining
//! every decision in a report.
//!
//! Architecture invariant: pure. This crate reads from any `std::io::Read` it is handed and
//! asks about already-registered people through a callback; it opens no file, touches no
//! store, reads no clock.

mod columns;
mod dedup;
mod row;

pub use dedup::{
    Decision, IntakePlan, Known, MergeRule, PlannedHousehold, PlannedPerson, Review, plan,
};
pub use row::{IntakeRow, Refusal, read_rows};

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("the file has no header row")]
    NoHeader,
    #[error(
        "no column holds names: expected a header such as \"Full name\" or \"Name\" (found: {0})"
    )]
    NoNameColumn(String),
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
}
