//! The JSON the API speaks: request bodies parsed into domain values at the door, and
//! responses built from store records. Field-level parsers give errors that name the field.

use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::model::{
    DocumentType, EligibilityCategory, GateKind, GateStatus, HazardKind, PriorityFlag, RvStatus,
    Severity,
};
use safeconduct_domain::values::{
    BirthDate, Coordinate, CountryCode, DocumentNumber, Language, PhoneNumber, Timestamp,
};
use safeconduct_domain::{Role, Stage, Step};
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// RFC 3339 text of a timestamp, in UTC (the domain's [`Timestamp::rfc3339`]).
pub fn time_text(t: Timestamp) -> String {
    t.rfc3339()
}

/// Parses an RFC 3339 timestamp such as `2026-08-24T06:00:00Z`; a refusal names the field
/// (the domain's [`Timestamp::parse_rfc3339`]).
pub fn parse_time(field: &'static str, s: &str) -> Result<Timestamp, crate::ApiError> {
    Timestamp::parse_rfc3339(field, s).map_err(crate::ApiError::from)
}

/// A position in WGS84 degrees.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct CoordinateSchema {
    /// Latitude, -90..90.
    #[schemars(range(min = -90.0, max = 90.0))]
    lat: f64,
    /// Longitude, -180..180.
    #[schemars(range(min = -180.0, max = 180.0))]
    lon: f64,
}

// ---- Sessions ----

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    #[schemars(length(min = 1, max = 100))]
    pub username: String,
    #[schemars(length(min = 1, max = 200))]
    pub password: String,
    /// The current one-time code of the user's authenticator app: required of coordinators.
    #[serde(default)]
    #[schemars(length(min = 6, max = 6), regex(pattern = r"^[0-9]{6}$"))]
    pub totp: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct SessionOut {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    pub expires_at: String,
}

#[derive(Serialize, JsonSchema)]
pub struct OperationOut {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    /// When the operation stopped taking new households (`safeconduct operation close`).
    pub closed_at: Option<String>,
    /// When its personal data was shredded (`safeconduct operation shred`): from then on every
    /// read of personal data answers 410.
    pub shredded_at: Option<String>,
    /// The caller's roles in this operation.
    pub roles: Vec<Role>,
}

impl OperationOut {
    pub fn new(o: store::Operation, roles: Vec<Role>) -> Self {
        OperationOut {
            id: o.id.0,
            name: o.name,
            created_at: time_text(o.created_at),
            closed_at: o.closed_at.map(time_text),
            shredded_at: o.shredded_at.map(time_text),
            roles,
        }
    }
}

// ---- Households ----

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    /// Letters and digits; spaces and dashes are ignored.
    #[schemars(with = "String")]
    pub number: DocumentNumber,
    /// ISO 3166 country code.
    #[schemars(with = "Option<String>")]
    pub issuing_country: Option<CountryCode>,
    /// `YYYY-MM-DD`.
    #[schemars(with = "Option<String>")]
    pub expiry: Option<BirthDateLike>,
}

/// A full calendar date, `YYYY-MM-DD`.
#[derive(Deserialize)]
#[serde(try_from = "String")]
pub struct BirthDateLike(pub String);

impl TryFrom<String> for BirthDateLike {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = s.len() == 10 && BirthDate::parse(&s).is_ok();
        if ok {
            Ok(BirthDateLike(s))
        } else {
            Err("expiry: expected a date YYYY-MM-DD".into())
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    /// Name in Latin script.
    #[schemars(length(min = 1, max = 120))]
    pub name: String,
    /// Name in the person's own script (Dari, Pashto, Arabic…).
    pub name_native: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[schemars(with = "Option<String>")]
    pub birth_date: Option<BirthDate>,
    #[schemars(with = "Option<String>")]
    pub nationality: Option<CountryCode>,
    /// Any common form: +93…, 0093…, 07…; Persian digits accepted.
    #[schemars(with = "Option<String>")]
    pub phone: Option<PhoneNumber>,
    pub language: Option<Language>,
    #[serde(default)]
    pub documents: Vec<DocumentIn>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterHousehold {
    #[schemars(with = "Option<String>")]
    pub contact_phone: Option<PhoneNumber>,
    pub language: Language,
    pub category: Option<EligibilityCategory>,
    #[serde(default)]
    pub priorities: Vec<PriorityFlag>,
    #[schemars(length(max = safeconduct_domain::household::Notes::MAX_CHARS))]
    pub notes: Option<String>,
    #[schemars(length(min = 1, max = safeconduct_domain::household::NewHousehold::MAX_MEMBERS))]
    pub members: Vec<MemberIn>,
}

#[derive(Serialize, JsonSchema)]
pub struct RegisteredOut {
    pub reference: String,
    pub people: Vec<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct DocumentOut {
    pub id: i64,
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    pub number: String,
    pub issuing_country: Option<String>,
    pub expiry: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct PersonOut {
    pub id: i64,
    pub name: String,
    pub name_native: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub phone: Option<String>,
    pub language: Option<Language>,
    pub documents: Vec<DocumentOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct HouseholdOut {
    pub reference: String,
    pub stage: Stage,
    /// Steps the case may take next.
    pub allowed_steps: Vec<Step>,
    pub size: u32,
    pub contact_phone: Option<String>,
    pub language: Language,
    pub category: Option<EligibilityCategory>,
    pub priorities: Vec<PriorityFlag>,
    pub notes: Option<String>,
    pub window_id: Option<i64>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub flight_id: Option<i64>,
    pub pass_index: Option<i64>,
    pub members: Vec<PersonOut>,
    pub registered_at: String,
    pub updated_at: String,
}

impl From<store::Household> for HouseholdOut {
    fn from(h: store::Household) -> Self {
        HouseholdOut {
            reference: h.reference.to_string(),
            stage: h.stage,
            allowed_steps: h.stage.allowed_steps(),
            size: h.members.len() as u32,
            contact_phone: h.contact_phone.map(String::from),
            language: h.language,
            category: h.category,
            priorities: h.priorities,
            notes: h.notes.map(|n| n.as_str().to_string()),
            window_id: h.window.map(|x| x.0),
            rv_id: h.rv.map(|x| x.0),
            gate_id: h.gate.map(|x| x.0),
            batch_id: h.batch.map(|x| x.0),
            flight_id: h.flight.map(|x| x.0),
            pass_index: h.pass_index,
            members: h
                .members
                .into_iter()
                .map(|p| PersonOut {
                    id: p.id.0,
                    name: p.name.latin().to_string(),
                    name_native: p.name.native().map(str::to_string),
                    birth_date: p.birth_date.map(String::from),
                    nationality: p.nationality.map(String::from),
                    phone: p.phone.map(String::from),
                    language: p.language,
                    documents: p
                        .documents
                        .into_iter()
                        .map(|d| DocumentOut {
                            id: d.id.0,
                            doc_type: d.doc_type,
                            number: String::from(d.number),
                            issuing_country: d.issuing_country.map(String::from),
                            expiry: d.expiry,
                        })
                        .collect(),
                })
                .collect(),
            registered_at: time_text(h.registered_at),
            updated_at: time_text(h.updated_at),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct LookupOut {
    pub cases: Vec<HouseholdOut>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    /// Phone number in any common form.
    pub phone: Option<String>,
    /// Case reference, with or without the dash.
    pub reference: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct CreatedOut {
    pub id: i64,
}

// ---- Lifecycle steps ----

#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Eligible,
    Rejected,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityIn {
    pub decision: Decision,
    /// Required when eligible.
    pub category: Option<EligibilityCategory>,
    /// Required when rejected.
    #[schemars(length(max = 500))]
    pub reason: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowChoice {
    pub window_id: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    #[schemars(length(min = 1, max = 500))]
    pub reason: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RvArrivalIn {
    pub rv_id: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessIn {
    pub gate_id: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlightChoice {
    pub flight_id: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseChoice {
    pub reference: String,
}

#[derive(Serialize, JsonSchema)]
pub struct StepOut {
    pub reference: String,
    pub from: Stage,
    pub to: Stage,
    pub people: u32,
    pub event_id: i64,
    pub pass_index: Option<i64>,
}

impl From<store::CaseOutcome> for StepOut {
    fn from(o: store::CaseOutcome) -> Self {
        StepOut {
            reference: o.reference.to_string(),
            from: o.from,
            to: o.to,
            people: o.people,
            event_id: o.event,
            pass_index: o.pass_index,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct EventOut {
    pub id: i64,
    pub kind: String,
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub user_id: Option<i64>,
    pub role: Option<Role>,
    pub device: Option<String>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub at: String,
}

impl From<store::Event> for EventOut {
    fn from(e: store::Event) -> Self {
        EventOut {
            id: e.id,
            kind: e.kind,
            from: e.from,
            to: e.to,
            user_id: e.user.map(|u| u.0),
            role: e.role,
            device: e.device,
            rv_id: e.rv.map(|x| x.0),
            gate_id: e.gate.map(|x| x.0),
            at: time_text(e.at),
        }
    }
}

// ---- Batches ----

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartIn {
    pub rv_id: i64,
    pub gate_id: i64,
    /// References of the admitted households walking in this batch.
    #[schemars(length(min = 1, max = 500))]
    pub households: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct BatchOut {
    pub id: i64,
    pub rv_id: i64,
    pub gate_id: i64,
    pub households: u32,
    pub departed_people: u32,
    pub arrived_people: u32,
    pub departed_at: String,
    pub closed_at: Option<String>,
    /// True when the batch is closed and arrivals do not match departures.
    pub alarm: bool,
    pub unaccounted: Vec<String>,
}

impl From<store::Batch> for BatchOut {
    fn from(b: store::Batch) -> Self {
        let closed = b.closed_at.is_some();
        BatchOut {
            id: b.id.0,
            rv_id: b.rv.0,
            gate_id: b.gate.0,
            households: b.households,
            departed_people: b.departed_people,
            arrived_people: b.arrived_people,
            departed_at: time_text(b.departed_at),
            closed_at: b.closed_at.map(time_text),
            alarm: closed && b.arrived_people != b.departed_people,
            unaccounted: b.unaccounted.iter().map(|r| r.to_string()).collect(),
        }
    }
}

// ---- Places ----

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RvIn {
    #[schemars(length(min = 1, max = 120))]
    pub name: String,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    /// How to recognise the place from the street.
    #[schemars(length(min = 1, max = 500))]
    pub landmark: String,
}

#[derive(Serialize, JsonSchema)]
pub struct RvOut {
    pub id: i64,
    pub name: String,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    pub landmark: String,
    pub status: RvStatus,
    pub accepted_by_authority: bool,
    pub accepted_by_escort: bool,
}

impl From<store::RendezvousPoint> for RvOut {
    fn from(r: store::RendezvousPoint) -> Self {
        RvOut {
            id: r.id.0,
            name: r.name,
            location: r.location,
            landmark: r.landmark,
            status: r.status,
            accepted_by_authority: r.accepted_by_authority,
            accepted_by_escort: r.accepted_by_escort,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateIn {
    #[schemars(length(min = 1, max = 120))]
    pub name: String,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    pub kind: GateKind,
    #[schemars(range(min = 1, max = safeconduct_domain::places::Throughput::MAX))]
    pub hourly_throughput: u32,
    /// Rendezvous points whose batches this gate receives.
    #[serde(default)]
    pub rv_ids: Vec<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateStatusIn {
    pub status: GateStatus,
}

#[derive(Serialize, JsonSchema)]
pub struct GateOut {
    pub id: i64,
    pub name: String,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    pub kind: GateKind,
    pub hourly_throughput: u32,
    pub status: GateStatus,
    pub rv_ids: Vec<i64>,
}

impl From<store::Gate> for GateOut {
    fn from(g: store::Gate) -> Self {
        GateOut {
            id: g.id.0,
            name: g.name,
            location: g.location,
            kind: g.kind,
            hourly_throughput: g.hourly_throughput.get(),
            status: g.status,
            rv_ids: g.rvs.iter().map(|r| r.0).collect(),
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowIn {
    pub rv_id: i64,
    /// RFC 3339 time.
    pub start: String,
    /// RFC 3339 time, after `start`, at most 24 hours later.
    pub end: String,
    #[schemars(range(min = 1, max = safeconduct_domain::places::Capacity::WINDOW_MAX))]
    pub capacity: u32,
}

#[derive(Serialize, JsonSchema)]
pub struct WindowOut {
    pub id: i64,
    pub rv_id: i64,
    pub start: String,
    pub end: String,
    pub capacity: u32,
    pub assigned_people: u32,
}

impl From<store::Window> for WindowOut {
    fn from(w: store::Window) -> Self {
        WindowOut {
            id: w.id.0,
            rv_id: w.rv.0,
            start: time_text(w.spec.start),
            end: time_text(w.spec.end),
            capacity: w.spec.capacity.get(),
            assigned_people: w.assigned_people,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlightIn {
    #[schemars(length(min = 1, max = 20))]
    pub number: String,
    /// RFC 3339 time.
    pub departs_at: String,
    #[schemars(range(min = 1, max = safeconduct_domain::places::Capacity::FLIGHT_MAX))]
    pub capacity: u32,
}

#[derive(Serialize, JsonSchema)]
pub struct FlightOut {
    pub id: i64,
    pub number: String,
    pub departs_at: String,
    pub capacity: u32,
    pub manifested_people: u32,
    pub boarded_people: u32,
}

impl From<store::Flight> for FlightOut {
    fn from(f: store::Flight) -> Self {
        FlightOut {
            id: f.id.0,
            number: f.number,
            departs_at: time_text(f.departs_at),
            capacity: f.capacity.get(),
            manifested_people: f.manifested_people,
            boarded_people: f.boarded_people,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardIn {
    pub kind: HazardKind,
    pub severity: Severity,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    #[schemars(range(min = 1, max = 20000))]
    pub radius_m: u32,
    #[schemars(length(max = 500))]
    pub description: Option<String>,
    /// RFC 3339 time.
    pub valid_from: String,
    /// RFC 3339 time; open-ended when absent.
    pub valid_until: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct HazardOut {
    pub id: i64,
    pub kind: HazardKind,
    pub severity: Severity,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    pub radius_m: u32,
    pub description: Option<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
}

impl From<store::Hazard> for HazardOut {
    fn from(h: store::Hazard) -> Self {
        HazardOut {
            id: h.id.0,
            kind: h.kind,
            severity: h.severity,
            location: h.location,
            radius_m: h.radius_m,
            description: h.description,
            valid_from: time_text(h.valid_from),
            valid_until: h.valid_until.map(time_text),
        }
    }
}

// ---- Counts ----

#[derive(Serialize, JsonSchema)]
pub struct CountsOut {
    /// Households per stage; stages with none are left out.
    pub households: BTreeMap<Stage, u64>,
    /// People per stage; stages with none are left out.
    pub people: BTreeMap<Stage, u64>,
    pub total_households: u64,
    pub total_people: u64,
}

impl From<StageCounts> for CountsOut {
    fn from(c: StageCounts) -> Self {
        let c = c.normalised();
        CountsOut {
            total_households: c.total_households(),
            total_people: c.total_people(),
            households: c.households,
            people: c.people,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct OperationCountsOut {
    pub operation: CountsOut,
    pub rvs: BTreeMap<String, CountsOut>,
    pub gates: BTreeMap<String, CountsOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct BatchBalanceOut {
    pub batch_id: i64,
    pub rv_id: i64,
    pub gate_id: i64,
    pub departed_people: u64,
    pub arrived_people: u64,
    pub closed: bool,
}

impl From<BatchBalance> for BatchBalanceOut {
    fn from(b: BatchBalance) -> Self {
        BatchBalanceOut {
            batch_id: b.batch.0,
            rv_id: b.rv.0,
            gate_id: b.gate.0,
            departed_people: b.departed_people,
            arrived_people: b.arrived_people,
            closed: b.closed,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct AccountabilityOut {
    /// True when every person is in exactly one stage, the counts agree and no closed batch
    /// is short.
    pub ok: bool,
    pub registered_people: u64,
    pub counts: CountsOut,
    pub alarms: Vec<BatchBalanceOut>,
    pub problems: Vec<String>,
}

impl From<AccountabilityReport> for AccountabilityOut {
    fn from(r: AccountabilityReport) -> Self {
        AccountabilityOut {
            ok: r.ok(),
            registered_people: r.registered_people,
            counts: r.recomputed.into(),
            alarms: r.alarms.into_iter().map(Into::into).collect(),
            problems: r.problems,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct HealthOut {
    pub status: String,
}

/// The body of every error response.
#[derive(Serialize, JsonSchema)]
pub struct ErrorOut {
    pub error: ErrorDetail,
}

#[derive(Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, such as `illegal_transition` or `forbidden`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// For refused lifecycle steps: the current stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// For refused lifecycle steps: the steps allowed from the current stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_steps: Option<Vec<Step>>,
}

/// One change, as sent on the live stream.
#[derive(Serialize, JsonSchema)]
pub struct LiveChange {
    /// The kind of change: a lifecycle step (`admit_at_rv`, `depart_in_escort`…),
    /// `registered`, `batch_closed`, `rv_suspended`, `gate_status`…
    pub kind: String,
    pub stage: Option<Stage>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub batch_id: Option<i64>,
}

impl From<store::Change> for LiveChange {
    fn from(c: store::Change) -> Self {
        LiveChange {
            kind: c.kind,
            stage: c.stage,
            rv_id: c.rv.map(|x| x.0),
            gate_id: c.gate.map(|x| x.0),
            batch_id: c.batch.map(|x| x.0),
        }
    }
}

// ---- Field scans ----

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanIn {
    /// Counts up by one with every scan on the device, from 0.
    #[schemars(range(min = 0))]
    pub seq: u64,
    pub pass_index: i64,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub outcome: store::ScanOutcome,
    /// When the scan was made, RFC 3339 (the device's clock).
    pub scanned_at: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanSyncIn {
    /// The scanning device, as registered in the field kit.
    #[schemars(length(min = 1, max = 64))]
    pub device: String,
    #[schemars(length(min = 1, max = 1000))]
    pub scans: Vec<ScanIn>,
}

#[derive(Serialize, JsonSchema)]
pub struct DoubleAdmissionOut {
    pub pass_index: i64,
    pub devices: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct ScanReceiptOut {
    /// Scans stored by this sync.
    pub received: u32,
    /// Scans this server already had (a re-sent sync): harmless.
    pub already_had: u32,
    /// Passes admitted by more than one device: for a person to look at.
    pub double_admissions: Vec<DoubleAdmissionOut>,
}

impl From<store::ScanReceipt> for ScanReceiptOut {
    fn from(r: store::ScanReceipt) -> Self {
        ScanReceiptOut {
            received: r.received,
            already_had: r.already_had,
            double_admissions: r
                .double_admissions
                .into_iter()
                .map(|d| DoubleAdmissionOut {
                    pass_index: d.pass_index,
                    devices: d.devices,
                })
                .collect(),
        }
    }
}

// ---- Passes ----

/// A pass as fetched: its text form (what the QR code holds) and its state.
#[derive(Serialize, JsonSchema)]
pub struct PassOut {
    pub reference: String,
    pub pass_index: i64,
    /// Key id of the issuer key that signed it, 8 hex digits.
    pub kid: String,
    #[schemars(with = "String")]
    pub state: store::PassState,
    pub issued_at: String,
    /// `SC1:` and the base45 of the signed bytes.
    pub text: String,
    /// Size of the signed bytes.
    pub bytes: usize,
    /// QR version at error correction M.
    pub qr_version: i16,
}

#[derive(Serialize, JsonSchema)]
pub struct IssuedPassOut {
    pub step: StepOut,
    pub pass: PassOut,
}

#[derive(Serialize, JsonSchema)]
pub struct RevokedOut {
    pub reference: String,
    pub pass_index: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateIn {
    /// The current key may be known to others: every pass it signed is revoked.
    pub compromised: bool,
    /// Re-issue at once every pass the current key signed that is still held.
    #[serde(default)]
    pub reissue: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct RotationOut {
    pub previous_kid: Option<String>,
    pub kid: String,
    pub compromised: bool,
    /// Households that held a valid pass signed by the previous key.
    pub affected: usize,
    /// Passes issued anew, when asked to re-issue.
    pub reissued: Vec<RevokedOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct KeySetOut {
    pub keys: Vec<safeconduct_keys::passes::KeyOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct StatusListOut {
    pub issued_at: String,
    /// The signed status list (COSE_Sign1), base64url without padding.
    pub signed: String,
}

/// The places an escort or gate user may act at. Replaces earlier assignments.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacesIn {
    #[serde(default)]
    pub rv_ids: Vec<i64>,
    #[serde(default)]
    pub gate_ids: Vec<i64>,
    /// RFC 3339; the assignment starts then (default: now).
    pub valid_from: Option<String>,
    /// RFC 3339; the assignment ends then (default: never).
    pub valid_until: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct PlacesOut {
    pub username: String,
    pub rv_ids: Vec<i64>,
    pub gate_ids: Vec<i64>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}
