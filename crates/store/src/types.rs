//! Records going into and coming out of the store.

pub use crate::field::*;
pub use crate::scope::Places;
use safeconduct_domain::model::{
    DocumentType, EligibilityCategory, OrganisationKind, PriorityFlag,
};
use safeconduct_domain::values::{
    BirthDate, Coordinate, CountryCode, DocumentNumber, Language, PersonName, PhoneNumber, Text,
    Timestamp,
};
pub use safeconduct_domain::whereabouts::{ApproximateLocation, TravelNeeds};
use safeconduct_domain::*;

/// Households and places are the domain's records; they are named here too so that users of
/// the store find everything it takes and returns in one place.
pub use safeconduct_domain::household::{NewDocument, NewHousehold, NewPerson, Notes};
pub use safeconduct_domain::places::{
    Capacity, Flight, FlightChange, Gate, Hazard, NewFlight, NewGate, NewHazard, NewRv,
    RendezvousPoint, Throughput, WalkingTime, Window, WindowChange,
};

/// A window changed: as it is now, and the households given a new pass for its new times.
#[derive(Debug, Clone)]
pub struct WindowChanged {
    pub window: Window,
    pub passes_issued: u32,
}

/// Who did something, with which device, and when. Recorded with every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: Option<UserId>,
    pub role: Option<Role>,
    pub device: Option<String>,
    pub at: Timestamp,
    /// For an escort or gate user: the places assigned to them now, outside which cases,
    /// batches and scans do not exist for them. `None` for an actor not scoped to places.
    pub places: Option<Places>,
}

impl Actor {
    /// The server's custody sweep, marking overdue households unaccounted.
    pub fn custody_sweep(at: Timestamp) -> Self {
        Actor {
            user: None,
            role: None,
            device: Some("custody sweep".into()),
            at,
            places: None,
        }
    }

    /// A command-line action by the operator of the machine, outside any user session.
    pub fn system(at: Timestamp) -> Self {
        Actor {
            user: None,
            role: None,
            device: Some("cli".into()),
            at,
            places: None,
        }
    }

    /// Whether this actor may see something at rendezvous point `rv` and gate `gate` (a case,
    /// a batch, a scan): always, unless scoped to places ([`Places::include`]).
    pub fn sees(&self, rv: Option<RvId>, gate: Option<GateId>) -> bool {
        self.places
            .as_ref()
            .is_none_or(|p| p.include(self.role, rv, gate))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: OperationId,
    pub name: String,
    pub created_at: Timestamp,
    /// Set once the operation takes no new households.
    pub closed_at: Option<Timestamp>,
    /// Set once the operation's data key was destroyed: its personal data is unreadable.
    pub shredded_at: Option<Timestamp>,
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
    /// The user's TOTP secret, wrapped under the key file's key, once enrolled.
    pub totp: Option<Vec<u8>>,
    /// Holds, in some operation, a role that signs in with a one-time code
    /// ([`Role::signs_in_with_a_code`]): a second factor is required.
    pub code_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub id: HouseholdId,
    pub reference: CaseReference,
    pub people: Vec<PersonId>,
}

/// A client's key for one request (an HTTP `Idempotency-Key`), with a fingerprint of the
/// request it came with: the request repeated with the same key takes effect once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub key: String,
    /// SHA-256 of the request's body, as sent.
    pub fingerprint: [u8; 32],
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

/// A member of a household in a stage of their own (`Household::apart`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberApart {
    pub person: PersonId,
    pub stage: Stage,
    /// The flight they are manifested on apart from the household (checked in after it was
    /// manifested); `None` before they are.
    pub flight: Option<FlightId>,
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
    /// Where the household is, rounded (`whereabouts::ApproximateLocation`), if stated.
    pub location: Option<Coordinate>,
    pub needs: TravelNeeds,
    pub window: Option<WindowId>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub batch: Option<BatchId>,
    pub flight: Option<FlightId>,
    pub pass_index: Option<i64>,
    pub members: Vec<Person>,
    /// Members held apart from the household's stage, each in their own (left in escort when
    /// the others arrived, unaccounted, resolved on their own); every other member is in
    /// `stage`.
    pub apart: Vec<MemberApart>,
    pub registered_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A lifecycle step on one case, by identifiers only; the store loads the facts.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseRequest {
    VerifyDocuments,
    DecideEligible {
        category: EligibilityCategory,
    },
    Reject {
        reason: Text,
    },
    Assign {
        window: WindowId,
    },
    Reassign {
        window: WindowId,
    },
    /// Admission at `rv`; `pass` is the index of the pass shown, when the escort read it
    /// (otherwise the household's latest pass is the one checked).
    AdmitAtRv {
        rv: RvId,
        pass: Option<i64>,
    },
    /// Members of a household of `batch` arrived at its gate: `people` of them (counted at the
    /// gate), or all who are on the way. Those not arrived stay in escort.
    ArriveAtGate {
        batch: BatchId,
        people: Option<u32>,
    },
    Process {
        gate: GateId,
    },
    Manifest {
        flight: FlightId,
    },
    /// Boarding: the flight is the one the household is manifested on; when named, it must
    /// be that one.
    Board {
        flight: Option<FlightId>,
    },
    Withdraw {
        reason: Text,
    },
    MarkNoShow,
    /// A coordinator resolves unaccounted members of a household: those named, or all of
    /// them; the note is sealed like a reason.
    ResolveUnaccounted {
        outcome: safeconduct_domain::field::CustodyOutcome,
        note: Text,
        persons: Option<Vec<PersonId>>,
    },
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
    /// Departure + walking time of its RV–gate link + the tolerance
    /// (`safeconduct_domain::field::custody_deadline`), fixed at departure.
    pub deadline: Timestamp,
    /// Households marked unaccounted: at the deadline, or when the batch was closed.
    pub unaccounted: Vec<CaseReference>,
}

/// An open custody alarm: a batch (if the household had one) with the households of it marked
/// unaccounted whose alarm no coordinator has resolved yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAlarm {
    pub batch: Option<OpenAlarmBatch>,
    /// Reference and number of people of each household, by reference.
    pub households: Vec<(CaseReference, u32)>,
}

/// The batch of an open alarm, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAlarmBatch {
    pub id: BatchId,
    pub rv: RvId,
    pub gate: GateId,
    pub departed_at: Timestamp,
    pub deadline: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub departed_people: u32,
    pub arrived_people: u32,
}

impl OpenAlarm {
    /// The people of the alarm's households.
    pub fn people(&self) -> u64 {
        self.households
            .iter()
            .map(|(_, size)| u64::from(*size))
            .sum()
    }
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

/// What a subscriber to the store's changes hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    /// A change committed by this server or another.
    Change(Change),
    /// Changes may have been missed: this server's feed from the database broke and has been
    /// restored, and what other servers committed in between was not heard (PostgreSQL); or
    /// another process, such as the command line, wrote to the store file (SQLite). Whatever
    /// a subscriber shows should be read again.
    Missed,
}

/// Stage counts of an operation, of each of its rendezvous points and of each of its gates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationCounts {
    pub operation: safeconduct_domain::accountability::StageCounts,
    pub rvs: Vec<(RvId, safeconduct_domain::accountability::StageCounts)>,
    pub gates: Vec<(GateId, safeconduct_domain::accountability::StageCounts)>,
}

/// The state of an issuer key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Signs new passes; one per operation.
    Active,
    /// Replaced by a newer key; passes it signed stay valid.
    Retired,
    /// Must no longer be trusted: every pass it signed is revoked.
    Compromised,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Active => "active",
            KeyState::Retired => "retired",
            KeyState::Compromised => "compromised",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [KeyState::Active, KeyState::Retired, KeyState::Compromised]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// An issuer key as stored: its private half only wrapped under the key encryption key.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredIssuerKey {
    pub kid: [u8; 4],
    pub public_key: [u8; 32],
    pub wrapped_secret: Vec<u8>,
    pub state: KeyState,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for StoredIssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredIssuerKey")
            .field("kid", &self.kid)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A tier secret as stored, wrapped. `tier` is `checkpoint` or `gate`.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredTierKey {
    pub tier: String,
    pub wrapped_secret: Vec<u8>,
}

impl std::fmt::Debug for StoredTierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoredTierKey({})", self.tier)
    }
}

/// Every pass key of an operation, oldest issuer key first and the active one last.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PassKeys {
    pub issuers: Vec<StoredIssuerKey>,
    pub tiers: Vec<StoredTierKey>,
}

impl PassKeys {
    pub fn active(&self) -> Option<&StoredIssuerKey> {
        self.issuers.iter().find(|k| k.state == KeyState::Active)
    }
}

/// What a pass says, loaded from the case at the moment of issue; the signer turns it into
/// the signed pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassFacts {
    pub reference: CaseReference,
    pub pass_index: i64,
    /// The operation's active issuer key, which must sign.
    pub kid: [u8; 4],
    pub issued_at: Timestamp,
    pub rv: RvId,
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    pub people: u32,
    /// Number of the first document of the household's first member, and that member's
    /// birth year: what the pass binds its holder to.
    pub holder_document: Option<(String, Option<u16>)>,
    pub language: Language,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassState {
    Valid,
    Revoked,
    Superseded,
}

impl PassState {
    pub fn as_str(self) -> &'static str {
        match self {
            PassState::Valid => "valid",
            PassState::Revoked => "revoked",
            PassState::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [PassState::Valid, PassState::Revoked, PassState::Superseded]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A pass as issued and kept: its signed bytes and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPass {
    pub reference: CaseReference,
    pub pass_index: i64,
    pub kid: [u8; 4],
    pub signed: Vec<u8>,
    pub issued_at: Timestamp,
    pub state: PassState,
    pub language: Language,
}

/// What the status list of an operation must say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PassStatuses {
    pub revoked: Vec<i64>,
    pub superseded: Vec<i64>,
    pub compromised: Vec<[u8; 4]>,
}

/// The result of replacing an operation's active issuer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub previous: Option<[u8; 4]>,
    /// Households whose valid pass the replaced key signed: revoked when it was compromised,
    /// to be re-issued.
    pub affected: Vec<CaseReference>,
    /// The passes issued anew under the new key, in the rotation's transaction, when asked.
    pub reissued: Vec<StoredPass>,
    /// Affected households not issued a pass anew, with their stage: between the RV and the
    /// gate's check-in (the gate checks them in by reference), or still to come but marked
    /// no-show or with their window over (to reassign, then issue). They keep the old pass
    /// (revoked, when the key was compromised). Households checked in and on are not named.
    pub not_reissued: Vec<(CaseReference, Stage)>,
}

/// What a rotation of an operation's issuer key is asked to do.
pub struct KeyRotation<'a> {
    /// The new active key.
    pub next: &'a StoredIssuerKey,
    /// The replaced key may be known to others: every pass it signed is revoked.
    pub compromised: bool,
    /// The key the caller means to replace, as it read it: refused when another is active
    /// (a second click, or another desk, already replaced it).
    pub replacing: Option<[u8; 4]>,
    /// Signs with the new key: with it, every affected household whose stage and window allow
    /// a pass is issued one anew in the rotation's own transaction (all of it or nothing).
    pub reissue: Option<PassSigner<'a>>,
}

/// Turns the facts of a pass into its signed bytes. It may be called again when the
/// transaction is retried, and must give the same answer for the same facts.
pub type PassSigner<'a> = &'a mut dyn FnMut(&PassFacts) -> crate::Result<Vec<u8>>;

/// The rendezvous points and gates an escort or gate user is assigned to, and when.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlaceAssignment {
    pub rvs: Vec<RvId>,
    pub gates: Vec<GateId>,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
}

/// A user who acts at places in an operation (an escort, gate staff), with the places
/// assigned to them at the time asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldUser {
    pub username: String,
    /// Only roles that work at places ([`Role::works_at_places`]), sorted.
    pub roles: Vec<Role>,
    pub rvs: Vec<RvId>,
    pub gates: Vec<GateId>,
}

/// One entry of the audit log. It names records by id or case reference and never carries
/// personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub operation: Option<OperationId>,
    pub user: Option<UserId>,
    pub role: Option<Role>,
    pub device: Option<String>,
    /// What was done: an event kind for changes, an endpoint name for reads.
    pub action: String,
    /// Which record: `household/12`, `rv/3`, a request path…
    pub record: Option<String>,
    /// Why, when the caller had to say.
    pub reason: Option<String>,
}

impl AuditEntry {
    /// An entry for what `actor` did.
    pub fn by(
        actor: &Actor,
        op: Option<OperationId>,
        action: &str,
        record: Option<String>,
    ) -> Self {
        AuditEntry {
            at: actor.at,
            operation: op,
            user: actor.user,
            role: actor.role,
            device: actor.device.clone(),
            action: action.to_string(),
            record,
            reason: None,
        }
    }
}

/// A signed statement that the chain had `seq` entries ending in `hash` at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpoint {
    pub seq: i64,
    pub hash: [u8; 32],
    pub at: Timestamp,
    pub kid: Vec<u8>,
    pub signature: Vec<u8>,
}

/// The first place where the audit chain does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditBreak {
    /// Entry `seq` is missing (deleted), or entries are out of order.
    Missing { seq: i64 },
    /// Entry `seq` does not link to the entry before it (reordered or an earlier one removed).
    Relinked { seq: i64 },
    /// Entry `seq` was edited.
    Altered { seq: i64 },
    /// The log holds `entries` entries but a checkpoint or the head says it had `checkpoint`.
    Truncated { entries: i64, checkpoint: i64 },
    /// A checkpoint does not match the recomputed chain at its entry.
    CheckpointMismatch { seq: i64 },
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditBreak::Missing { seq } => write!(f, "entry {seq} is missing or out of order"),
            AuditBreak::Relinked { seq } => {
                write!(f, "entry {seq} does not link to the entry before it")
            }
            AuditBreak::Altered { seq } => write!(f, "entry {seq} was altered"),
            AuditBreak::Truncated {
                entries,
                checkpoint,
            } => write!(
                f,
                "the log ends at entry {entries} but had reached entry {checkpoint}: truncated"
            ),
            AuditBreak::CheckpointMismatch { seq } => {
                write!(f, "the checkpoint at entry {seq} does not match the chain")
            }
        }
    }
}

/// The result of recomputing the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries that verified, from the first.
    pub entries: i64,
    /// The hash of the last entry that verified.
    pub head: [u8; 32],
    pub first_break: Option<AuditBreak>,
    /// Every stored checkpoint; their signatures are checked by whoever holds the key.
    pub checkpoints: Vec<AuditCheckpoint>,
}

/// The key that signs audit checkpoints, its secret wrapped.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    pub kid: [u8; 4],
    pub public_key: [u8; 32],
    pub wrapped_secret: Vec<u8>,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}
