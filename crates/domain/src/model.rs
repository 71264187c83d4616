//! The kinds, statuses and rules of an operation's records other than cases: rendezvous point
//! agreement, gate and hazard kinds, window and hazard bounds, eligibility and priority flags,
//! and the facts about places that lifecycle decisions need. The place records themselves are
//! in `places`.
//!
//! Knows nothing of storage, HTTP or the clock.

use crate::error::DomainError;
use crate::expected::Expected;
use crate::ids::{FlightId, RvId, WindowId};
use crate::places::capacity::Capacity;
use crate::values::Timestamp;
use serde::{Deserialize, Serialize};

/// The side of the arrangement a user speaks for when accepting a rendezvous point.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    CoordinatingAuthority,
    EscortParty,
}

/// The status of a rendezvous point.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RvStatus {
    Proposed,
    Agreed,
    Active,
    Suspended,
    Closed,
}

impl RvStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RvStatus::Proposed => "proposed",
            RvStatus::Agreed => "agreed",
            RvStatus::Active => "active",
            RvStatus::Suspended => "suspended",
            RvStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            RvStatus::Proposed,
            RvStatus::Agreed,
            RvStatus::Active,
            RvStatus::Suspended,
            RvStatus::Closed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    pub fn accepts_assignments(self) -> bool {
        matches!(self, RvStatus::Agreed | RvStatus::Active)
    }
}

/// The agreement state of a rendezvous point: which sides accepted it, and its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RvAgreement {
    pub status: RvStatus,
    pub accepted_by_authority: bool,
    pub accepted_by_escort: bool,
}

/// A change requested to a rendezvous point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RvChange {
    Accept(Side),
    Activate,
    Suspend,
    Close,
}

impl RvAgreement {
    /// A new proposal, accepted already by the side that proposed it.
    pub fn proposed_by(side: Side) -> Self {
        RvAgreement {
            status: RvStatus::Proposed,
            accepted_by_authority: side == Side::CoordinatingAuthority,
            accepted_by_escort: side == Side::EscortParty,
        }
    }

    /// An RV is agreed only when both the coordinating authority and the escort party accepted
    /// it; it may be activated once agreed, suspended while agreed or active, reactivated from
    /// suspension, and closed from anything but closed.
    pub fn apply(self, change: RvChange) -> Result<RvAgreement, DomainError> {
        let mut next = self;
        let refuse = |what: &str| {
            Err(DomainError::conflict(format!(
                "cannot {what} a rendezvous point that is {}",
                self.status.as_str()
            )))
        };
        match change {
            RvChange::Accept(side) => {
                if self.status != RvStatus::Proposed {
                    return refuse("accept");
                }
                match side {
                    Side::CoordinatingAuthority => next.accepted_by_authority = true,
                    Side::EscortParty => next.accepted_by_escort = true,
                }
                if next.accepted_by_authority && next.accepted_by_escort {
                    next.status = RvStatus::Agreed;
                }
            }
            RvChange::Activate => match self.status {
                RvStatus::Agreed | RvStatus::Suspended => next.status = RvStatus::Active,
                _ => return refuse("activate"),
            },
            RvChange::Suspend => match self.status {
                RvStatus::Agreed | RvStatus::Active => next.status = RvStatus::Suspended,
                _ => return refuse("suspend"),
            },
            RvChange::Close => match self.status {
                RvStatus::Closed => return refuse("close"),
                _ => next.status = RvStatus::Closed,
            },
        }
        Ok(next)
    }
}

/// Kind of gate: a main entrance or a discreet gate known only to those who need to know.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateKind {
    Main,
    Discreet,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateStatus {
    Open,
    Suspended,
    Closed,
}

impl GateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GateStatus::Open => "open",
            GateStatus::Suspended => "suspended",
            GateStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [GateStatus::Open, GateStatus::Suspended, GateStatus::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

impl GateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GateKind::Main => "main",
            GateKind::Discreet => "discreet",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [GateKind::Main, GateKind::Discreet]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A window's bounds, validated: it ends after it starts, lasts at most 24 hours, and holds
/// at least one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSpec {
    pub start: Timestamp,
    pub end: Timestamp,
    pub capacity: Capacity,
}

impl WindowSpec {
    /// The longest a window lasts.
    pub const LONGEST_HOURS: u64 = 24;

    pub fn new(start: Timestamp, end: Timestamp, capacity: u32) -> Result<Self, DomainError> {
        if end <= start {
            return Err(DomainError::expected("end", Expected::AfterStart));
        }
        if end.0 - start.0 > Self::LONGEST_HOURS as i64 * 3600 {
            return Err(DomainError::expected(
                "end",
                Expected::Within {
                    hours: Self::LONGEST_HOURS,
                },
            ));
        }
        Ok(WindowSpec {
            start,
            end,
            capacity: Capacity::window(capacity)?,
        })
    }
}

/// What an assignment needs to know about the target window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowLoad {
    pub window: WindowId,
    pub rv: RvId,
    pub rv_status: RvStatus,
    pub capacity: u32,
    pub assigned_people: u32,
}

/// What manifesting needs to know about the flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlightLoad {
    pub flight: FlightId,
    pub capacity: u32,
    pub manifested_people: u32,
}

impl FlightLoad {
    /// Refuses `requested` more people when the flight has fewer seats left: the one rule for
    /// a household manifested whole and for members manifested on their own.
    pub fn seats_for(&self, requested: u32) -> Result<(), DomainError> {
        if self.manifested_people + requested > self.capacity {
            return Err(DomainError::FlightFull {
                capacity: self.capacity,
                manifested: self.manifested_people,
                requested,
            });
        }
        Ok(())
    }
}

/// Eligibility category of a household, as the coordinating authority decided it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityCategory {
    Citizen,
    PermanentResident,
    VisaHolder,
    SpecialImmigrantVisa,
    RefugeeReferral,
    PartnerNationCitizen,
    AtRisk,
    Other,
}

impl EligibilityCategory {
    pub const ALL: [EligibilityCategory; 8] = [
        EligibilityCategory::Citizen,
        EligibilityCategory::PermanentResident,
        EligibilityCategory::VisaHolder,
        EligibilityCategory::SpecialImmigrantVisa,
        EligibilityCategory::RefugeeReferral,
        EligibilityCategory::PartnerNationCitizen,
        EligibilityCategory::AtRisk,
        EligibilityCategory::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EligibilityCategory::Citizen => "citizen",
            EligibilityCategory::PermanentResident => "permanent_resident",
            EligibilityCategory::VisaHolder => "visa_holder",
            EligibilityCategory::SpecialImmigrantVisa => "special_immigrant_visa",
            EligibilityCategory::RefugeeReferral => "refugee_referral",
            EligibilityCategory::PartnerNationCitizen => "partner_nation_citizen",
            EligibilityCategory::AtRisk => "at_risk",
            EligibilityCategory::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Needs that raise a household's priority and shape how it is moved.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityFlag {
    Medical,
    UnaccompaniedMinor,
    Elderly,
    Disability,
    Pregnancy,
}

impl PriorityFlag {
    pub const ALL: [PriorityFlag; 5] = [
        PriorityFlag::Medical,
        PriorityFlag::UnaccompaniedMinor,
        PriorityFlag::Elderly,
        PriorityFlag::Disability,
        PriorityFlag::Pregnancy,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityFlag::Medical => "medical",
            PriorityFlag::UnaccompaniedMinor => "unaccompanied_minor",
            PriorityFlag::Elderly => "elderly",
            PriorityFlag::Disability => "disability",
            PriorityFlag::Pregnancy => "pregnancy",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Kind of identity document.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Passport,
    NationalId,
    Visa,
    ResidencePermit,
    Other,
}

impl DocumentType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Passport => "passport",
            DocumentType::NationalId => "national_id",
            DocumentType::Visa => "visa",
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            DocumentType::Passport,
            DocumentType::NationalId,
            DocumentType::Visa,
            DocumentType::ResidencePermit,
            DocumentType::Other,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// Kind of organisation in an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    CoordinatingAuthority,
    EscortParty,
    GateAuthority,
    Airlift,
    Oversight,
}

impl OrganisationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::CoordinatingAuthority => "coordinating_authority",
            OrganisationKind::EscortParty => "escort_party",
            OrganisationKind::GateAuthority => "gate_authority",
            OrganisationKind::Airlift => "airlift",
            OrganisationKind::Oversight => "oversight",
        }
    }
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    Crowd,
    Checkpoint,
    Fighting,
    Blast,
    Other,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Whether a hazard of this severity closes the streets it touches (the router's rule),
    /// and so may suspend the rendezvous points and gates inside it.
    pub fn blocks(self) -> bool {
        self == Severity::Critical
    }
}

/// The widest hazard the hotline reports: what a caller can see of a street, a crossing or a
/// square. Every route in force goes around a hazard, so a wider one, which may close a
/// district to everyone, is a coordinator's to report (or to widen).
pub const HOTLINE_HAZARD_MAX_RADIUS_M: u32 = 500;

/// The most hazards one hotline account may hold in force (reported by it, not yet ended):
/// more than a shift's calls report, few enough that one account cannot close a district
/// street by street. A coordinator ends or shortens them; the reports themselves are theirs
/// to make without a limit.
pub const HOTLINE_HAZARDS_IN_FORCE_MAX: u32 = 20;

/// A hazard's validity and extent, validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HazardSpec {
    pub radius_m: u32,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
}

impl HazardSpec {
    pub fn new(
        radius_m: u32,
        valid_from: Timestamp,
        valid_until: Option<Timestamp>,
    ) -> Result<Self, DomainError> {
        if !(1..=20_000).contains(&radius_m) {
            return Err(DomainError::expected(
                "radius_m",
                Expected::Range {
                    min: 1,
                    max: 20_000,
                },
            ));
        }
        if let Some(u) = valid_until
            && u <= valid_from
        {
            return Err(DomainError::expected("valid_until", Expected::AfterStart));
        }
        Ok(HazardSpec {
            radius_m,
            valid_from,
            valid_until,
        })
    }
}

/// What a scanner in the field decided about a pass in front of it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanOutcome {
    Admitted,
    Refused,
}

impl ScanOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanOutcome::Admitted => "admitted",
            ScanOutcome::Refused => "refused",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rv_is_agreed_only_when_both_sides_accepted() {
        let rv = RvAgreement::proposed_by(Side::CoordinatingAuthority);
        assert_eq!(rv.status, RvStatus::Proposed);
        let rv = rv
            .apply(RvChange::Accept(Side::CoordinatingAuthority))
            .unwrap();
        assert_eq!(rv.status, RvStatus::Proposed);
        let rv = rv.apply(RvChange::Accept(Side::EscortParty)).unwrap();
        assert_eq!(rv.status, RvStatus::Agreed);
        assert!(rv.apply(RvChange::Accept(Side::EscortParty)).is_err());
    }

    #[test]
    fn proposed_rv_cannot_be_activated() {
        let rv = RvAgreement::proposed_by(Side::EscortParty);
        assert!(rv.apply(RvChange::Activate).is_err());
    }
}
