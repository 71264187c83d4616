//! Records going into and coming out of the store.

use safeconduct_domain::model::{
    DocumentType, EligibilityCategory, GateKind, GateStatus, HazardKind, OrganisationKind,
    PriorityFlag, RvStatus, Severity, WindowSpec,
};
use safeconduct_domain::values::{
    BirthDate, Coordinate, CountryCode, DocumentNumber, Language, PersonName, PhoneNumber, Text,
    Timestamp,
};
use safeconduct_domain::*;

/// Who did something, with which device, and when. Recorded with every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: Option<UserId>,
    pub role: Option<Role>,
    pub device: Option<String>,
    pub at: Timestamp,
}

impl Actor {
    /// A command-line action by the operator of the machine, outside any user session.
    pub fn system(at: Timestamp) -> Self {
        Actor {
            user: None,
            role: None,
            device: Some("cli".into()),
            at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: OperationId,
    pub name: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    /// A PHC-format argon2id hash; the store never sees a password.
    pub password_hash: String,
    pub organisation: Option<OrganisationId>,
}

#[derive(Debug, Clone)]
pub struct UserAccount {
    pub id: UserId,
    pub username: String,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewDocument {
    pub doc_type: DocumentType,
    pub number: DocumentNumber,
    pub issuing_country: Option<CountryCode>,
    /// `YYYY-MM-DD`.
    pub expiry: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub name: PersonName,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub phone: Option<PhoneNumber>,
    pub language: Option<Language>,
    pub documents: Vec<NewDocument>,
}

#[derive(Debug, Clone)]
pub struct NewHousehold {
    pub contact_phone: Option<PhoneNumber>,
    pub language: Language,
    pub category: Option<EligibilityCategory>,
    pub priorities: Vec<PriorityFlag>,
    pub notes: Option<Text>,
    pub members: Vec<NewPerson>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub id: HouseholdId,
    pub reference: CaseReference,
    pub people: Vec<PersonId>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub id: DocumentId,
    pub doc_type: DocumentType,
    pub number: DocumentNumber,
    pub issuing_country: Option<CountryCode>,
    pub expiry: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: PersonId,
    pub name: PersonName,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub phone: Option<PhoneNumber>,
    pub language: Option<Language>,
    pub documents: Vec<Document>,
}

#[derive(Debug, Clone)]
pub struct Household {
    pub id: HouseholdId,
    pub reference: CaseReference,
    pub stage: Stage,
    pub contact_phone: Option<PhoneNumber>,
    pub language: Language,
    pub category: Option<EligibilityCategory>,
    pub priorities: Vec<PriorityFlag>,
    pub notes: Option<Text>,
    pub window: Option<WindowId>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub batch: Option<BatchId>,
    pub flight: Option<FlightId>,
    pub pass_index: Option<i64>,
    pub members: Vec<Person>,
    pub registered_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A lifecycle step on one case, by identifiers only; the store loads the facts.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseRequest {
    VerifyDocuments,
    DecideEligible { category: EligibilityCategory },
    Reject { reason: Text },
    Assign { window: WindowId },
    Reassign { window: WindowId },
    IssuePass,
    AdmitAtRv { rv: RvId },
    ArriveAtGate { batch: BatchId },
    Process { gate: GateId },
    Manifest { flight: FlightId },
    Board { flight: FlightId },
    Withdraw { reason: Text },
    MarkNoShow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutcome {
    pub reference: CaseReference,
    pub from: Stage,
    pub to: Stage,
    pub people: u32,
    pub event: i64,
    pub pass_index: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct MatchProbe {
    pub document: Option<DocumentNumber>,
    pub name_key: String,
    pub birth_year: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingPerson {
    pub person: PersonId,
    pub household: CaseReference,
    pub name_key: String,
    pub birth_year: Option<u16>,
    pub phone: Option<PhoneNumber>,
    pub documents: Vec<DocumentNumber>,
}

#[derive(Debug, Clone)]
pub struct BatchDeparture {
    pub rv: RvId,
    pub gate: GateId,
    pub households: Vec<CaseReference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: BatchId,
    pub rv: RvId,
    pub gate: GateId,
    pub households: u32,
    pub departed_people: u32,
    pub arrived_people: u32,
    pub departed_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// Households marked unaccounted when the batch was closed.
    pub unaccounted: Vec<CaseReference>,
}

#[derive(Debug, Clone)]
pub struct NewRv {
    pub name: Text,
    pub location: Coordinate,
    pub landmark: Text,
}

#[derive(Debug, Clone)]
pub struct RendezvousPoint {
    pub id: RvId,
    pub name: String,
    pub location: Coordinate,
    pub landmark: String,
    pub status: RvStatus,
    pub accepted_by_authority: bool,
    pub accepted_by_escort: bool,
}

#[derive(Debug, Clone)]
pub struct NewGate {
    pub name: Text,
    pub location: Coordinate,
    pub kind: GateKind,
    pub hourly_throughput: u32,
    pub rvs: Vec<RvId>,
}

#[derive(Debug, Clone)]
pub struct Gate {
    pub id: GateId,
    pub name: String,
    pub location: Coordinate,
    pub kind: GateKind,
    pub hourly_throughput: u32,
    pub status: GateStatus,
    pub rvs: Vec<RvId>,
}

#[derive(Debug, Clone)]
pub struct Window {
    pub id: WindowId,
    pub rv: RvId,
    pub spec: WindowSpec,
    pub assigned_people: u32,
}

#[derive(Debug, Clone)]
pub struct NewFlight {
    pub number: Text,
    pub departs_at: Timestamp,
    pub capacity: u32,
}

#[derive(Debug, Clone)]
pub struct Flight {
    pub id: FlightId,
    pub number: String,
    pub departs_at: Timestamp,
    pub capacity: u32,
    pub manifested_people: u32,
    pub boarded_people: u32,
}

#[derive(Debug, Clone)]
pub struct ManifestLine {
    pub reference: CaseReference,
    pub person: PersonId,
    pub name: PersonName,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub document: Option<DocumentNumber>,
    pub boarded: bool,
}

#[derive(Debug, Clone)]
pub struct Manifest {
    pub flight: Flight,
    pub lines: Vec<ManifestLine>,
}

#[derive(Debug, Clone)]
pub struct NewHazard {
    pub kind: HazardKind,
    pub severity: Severity,
    pub location: Coordinate,
    pub radius_m: u32,
    pub description: Option<Text>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct Hazard {
    pub id: HazardId,
    pub kind: HazardKind,
    pub severity: Severity,
    pub location: Coordinate,
    pub radius_m: u32,
    pub description: Option<String>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
}

/// Whose stage counts to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountScope {
    Operation,
    Rv(RvId),
    Gate(GateId),
}

/// One appended movement event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub user: Option<UserId>,
    pub role: Option<Role>,
    pub device: Option<String>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub at: Timestamp,
}

/// A committed change, announced to every server sharing the store (dashboards, gates
/// expecting batches). Holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub operation: OperationId,
    /// The event kind: a lifecycle step (`admit_at_rv`…), `registered`, `batch_closed`,
    /// `rv_suspended`, `gate_status`…
    pub kind: String,
    /// The stage a case moved to, for lifecycle steps.
    pub stage: Option<Stage>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub batch: Option<BatchId>,
}

/// Stage counts of an operation, of each of its rendezvous points and of each of its gates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationCounts {
    pub operation: safeconduct_domain::accountability::StageCounts,
    pub rvs: Vec<(RvId, safeconduct_domain::accountability::StageCounts)>,
    pub gates: Vec<(GateId, safeconduct_domain::accountability::StageCounts)>,
}

pub use safeconduct_domain::model::ScanOutcome;

/// One scan as a field device recorded it; `seq` counts up on each device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldScan {
    pub seq: u64,
    pub pass_index: i64,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub outcome: ScanOutcome,
    pub scanned_at: Timestamp,
}

/// A pass admitted by more than one device: reported, never merged away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoubleAdmission {
    pub pass_index: i64,
    pub devices: Vec<String>,
}

/// The answer to a sync: what was new, what had arrived before, what needs a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReceipt {
    pub received: u32,
    pub already_had: u32,
    pub double_admissions: Vec<DoubleAdmission>,
}
