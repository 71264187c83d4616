//! The JSON instance format, as another tool writes it: plain numbers (signed, so that a
//! negative capacity is read and refused by name rather than failing as a parse error),
//! domain ids, statuses and coordinates. `Instance::parse` turns it into checked values.
//!
//! Holds no rule: it must not import `instance` or anything that plans.

use safeconduct_domain::model::{GateStatus, RvStatus};
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_domain::{GateId, HouseholdId, RvId, WindowId};
use serde::{Deserialize, Serialize};

/// A whole planning instance: settings, gates, rendezvous points, windows, households.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceFile {
    pub settings: SettingsRecord,
    pub gates: Vec<GateRecord>,
    pub rvs: Vec<RvRecord>,
    pub windows: Vec<WindowRecord>,
    pub households: Vec<HouseholdRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsRecord {
    /// The most people walked from an RV to its gate as one escort batch.
    pub batch_size: i64,
    /// Straight-line walking speed, metres per second.
    pub walking_speed_m_per_s: f64,
    /// The longest trip, in seconds, to an RV for a household that cannot walk far.
    pub short_walk_seconds: i64,
    /// The longest trip, in seconds, to any RV for anyone.
    pub max_travel_seconds: i64,
    /// Re-plan: kept households move only if a fresh plan's objective is higher than the
    /// repaired plan's by more than this fraction (0.01 = 1%).
    pub replan_threshold: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateRecord {
    pub id: GateId,
    pub status: GateStatus,
    pub throughput_per_hour: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RvRecord {
    pub id: RvId,
    pub status: RvStatus,
    pub vehicle_access: bool,
    pub location: Coordinate,
    /// The gate its escort batches walk to.
    pub gate: GateId,
    pub walking_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowRecord {
    pub id: WindowId,
    pub rv: RvId,
    /// Seconds since the Unix epoch, UTC.
    pub start: i64,
    pub end: i64,
    /// People.
    pub capacity: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRecord {
    pub id: HouseholdId,
    pub size: i64,
    pub class: PriorityClass,
    pub location: Coordinate,
    pub language: Language,
    #[serde(default)]
    pub needs_vehicle_access: bool,
    #[serde(default)]
    pub cannot_walk_far: bool,
    /// When it was registered (seconds since the epoch): earlier registrations of a class are
    /// served first.
    pub registered: i64,
    /// A window a coordinator assigned by hand; every plan keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<WindowId>,
}

/// The priority classes, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityClass {
    Medical,
    UnaccompaniedMinor,
    Elderly,
    Disability,
    Other,
}

impl PriorityClass {
    /// Highest first: the order in which people are moved.
    pub const ALL: [PriorityClass; 5] = [
        PriorityClass::Medical,
        PriorityClass::UnaccompaniedMinor,
        PriorityClass::Elderly,
        PriorityClass::Disability,
        PriorityClass::Other,
    ];

    /// 0 for the highest class, 4 for `Other`.
    pub fn rank(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PriorityClass::Medical => "medical",
            PriorityClass::UnaccompaniedMinor => "unaccompanied_minor",
            PriorityClass::Elderly => "elderly",
            PriorityClass::Disability => "disability",
            PriorityClass::Other => "other",
        }
    }

    /// The class of a registered household from its priority flags: the highest flag wins;
    /// pregnancy is a medical need.
    pub fn from_flags(flags: &[safeconduct_domain::model::PriorityFlag]) -> Self {
        use safeconduct_domain::model::PriorityFlag as F;
        flags
            .iter()
            .map(|f| match f {
                F::Medical | F::Pregnancy => PriorityClass::Medical,
                F::UnaccompaniedMinor => PriorityClass::UnaccompaniedMinor,
                F::Elderly => PriorityClass::Elderly,
                F::Disability => PriorityClass::Disability,
            })
            .min()
            .unwrap_or(PriorityClass::Other)
    }
}
