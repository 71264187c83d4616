//! Records synced from enrolled field devices, and the incidents found when they meet. A sync
//! carries signed records (docs/field-protocol.md); every signature is checked against the
//! device's registered key before anything is stored, and the store keeps the sync whole or
//! not at all. Re-sending is harmless. Coordinators list incidents and resolve them with a
//! note; the chain of custody of a case is read by coordinators and auditors.
//!
//! Must not depend on: other resource modules except `devices` (the device and its key).

use super::devices::{DevicePath, device_key, signed_error};
use crate::ApiError;
use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, FIELD, OVERSIGHT, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CasePath, text_lines, time_text};
use axum::Json;
use safeconduct_domain::scan::IncidentKind;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;
use safeconduct_keys::devices::{self as device_keys, Signed};
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The largest sync body: 1000 records of at most 512 bytes with their signatures.
pub const MAX_SYNC_BODY_BYTES: usize = 1024 * 1024;

pub fn endpoints() -> Vec<Endpoint> {
    let mut rows = vec![
        endpoint!(POST "/api/operations/{op}/devices/{device}/scans", Roles(FIELD), h::sync_device, "Sync records signed by the device (1 to 1000): stored whole or refused whole, each once by sequence number; they take effect in the device's order through the lifecycle, and conflicts become incidents", body: SyncIn => json::<SyncOut>(200)),
        endpoint!(GET "/api/operations/{op}/incidents", Roles(COORDINATOR), h::incidents, "Incidents found in synced records, newest first, a page at a time: state=open (if left out), resolved or all; kind=…; rv=ID or gate=ID; before=ID (the last id of the page before); limit 1 to 1000 (1000 if left out). A page shorter than its limit is the last", query: ["state", "kind", "rv", "gate", "before", "limit"] => json::<Vec<IncidentOut>>(200)),
        endpoint!(POST "/api/operations/{op}/incidents/{incident}/resolve", Roles(COORDINATOR), h::resolve_incident, "Resolve an incident with a note (sealed like other personal data)", body: ResolveIncidentIn => json::<IncidentOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/custody", Roles(OVERSIGHT), h::custody_chain, "The chain of custody of each person of a household: each batch, escort user and device that held them, from when to when, and how it ended" => json::<Vec<CustodyLinkOut>>(200)),
    ];
    rows[0].router = std::mem::take(&mut rows[0].router)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_SYNC_BODY_BYTES));
    rows
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedRecordIn {
    /// The record's JSON text exactly as signed (docs/field-protocol.md, "Records").
    #[schemars(length(min = 1, max = 512))]
    pub record: String,
    /// The device's Ed25519 signature over the record's bytes, base64url without padding.
    #[schemars(length(min = 86, max = 86))]
    pub signature: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncIn {
    /// The device's clock when it sent the sync, in seconds since the Unix epoch: the skew is
    /// measured from it and recorded.
    pub device_time: i64,
    #[schemars(length(min = 1, max = 1000))]
    pub records: Vec<SignedRecordIn>,
}

/// An incident as a coordinator sees it: its id and what it says.
#[derive(Serialize, JsonSchema)]
pub struct IncidentOut {
    pub id: i64,
    #[serde(flatten)]
    pub incident: DeviceIncidentOut,
}

/// What an incident says, and all its device is told of it (cut by the store to the device's
/// own records and a short fixed detail): not its id, which counts every incident of every
/// operation and would tell a device the rate of them.
#[derive(Serialize, JsonSchema)]
pub struct DeviceIncidentOut {
    pub kind: IncidentKind,
    pub pass_index: Option<i64>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    /// What was found (no personal data).
    pub detail: String,
    /// The records involved, as [device, seq]; a device sees only its own.
    pub records: Vec<(i64, u64)>,
    pub created_at: String,
    pub resolved_at: Option<String>,
}

impl From<store::Incident> for DeviceIncidentOut {
    fn from(i: store::Incident) -> Self {
        DeviceIncidentOut {
            kind: i.kind,
            pass_index: i.pass_index,
            rv_id: i.rv.map(|r| r.0),
            gate_id: i.gate.map(|g| g.0),
            detail: i.detail,
            records: i.records.iter().map(|(d, s)| (d.0, *s)).collect(),
            created_at: time_text(i.created_at),
            resolved_at: i.resolved_at.map(time_text),
        }
    }
}

impl From<store::Incident> for IncidentOut {
    fn from(i: store::Incident) -> Self {
        IncidentOut {
            id: i.id.0,
            incident: i.into(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct SyncOut {
    /// Records stored by this sync.
    pub received: u32,
    /// Records the server already had (a sync sent again): harmless.
    pub already_had: u32,
    /// Every record of the device up to this sequence number took effect; records after a
    /// gap wait (stored) for the missing ones.
    pub applied_seq: i64,
    /// Server time minus the device's `device_time`, in seconds; the device should set its
    /// clock when it is large.
    pub skew_seconds: i64,
    /// Incidents this sync's records raised or joined.
    pub incidents: Vec<DeviceIncidentOut>,
}

pub async fn sync_device(
    call: Call<DevicePath>,
    ApiJson(body): ApiJson<SyncIn>,
) -> Answer<SyncOut> {
    let (device, key) = device_key(&call).await?;
    let op = call.caller.operation;
    let signed: Vec<Signed<'_>> = body
        .records
        .iter()
        .map(|r| Signed {
            text: &r.record,
            signature: &r.signature,
        })
        .collect();
    // Every signature is checked before the store is asked: nothing of a sync with one forged
    // record is stored.
    let records = device_keys::open_records(&key, op, device.id, &signed).map_err(signed_error)?;
    let sync = store::DeviceSync {
        device: device.id,
        device_time: Timestamp(body.device_time),
        records: records
            .into_iter()
            .zip(&body.records)
            .map(|(record, r)| store::SyncedRecord {
                record,
                text: r.record.clone(),
                signature: r.signature.as_bytes().to_vec(),
            })
            .collect(),
    };
    let receipt = match call
        .act(move |s, op, a| Ok(s.ingest_sync(op, &sync, a)))
        .await?
    {
        Ok(receipt) => receipt,
        // Households the sync moves kept changing while it was written (the store decided it
        // again a few times): nothing was kept, and the device sends it again shortly.
        Err(e) if e.is_changed_meanwhile() => {
            return Err(ApiError::busy(
                "try_again",
                "households of this sync changed while it was written; nothing was kept: \
                 send it again",
                2,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(SyncOut {
        received: receipt.received,
        already_had: receipt.already_had,
        applied_seq: receipt.applied_seq,
        skew_seconds: receipt.skew,
        incidents: receipt.incidents.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentsQuery {
    state: Option<String>,
    kind: Option<String>,
    rv: Option<String>,
    gate: Option<String>,
    before: Option<String>,
    limit: Option<String>,
}

/// A positive id given in a query, or a refusal naming the parameter.
fn query_id(name: &'static str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::invalid(name, "a positive whole number (an id)"))
        })
        .transpose()
}

impl IncidentsQuery {
    fn filter(&self) -> Result<store::IncidentFilter, ApiError> {
        let (open, resolved) = match self.state.as_deref() {
            None | Some("open") => (true, false),
            Some("resolved") => (false, true),
            Some("all") => (true, true),
            Some(_) => return Err(ApiError::invalid("state", "open, resolved or all")),
        };
        let kind = self
            .kind
            .as_deref()
            .map(|k| {
                k.parse::<IncidentKind>()
                    .map_err(|_| ApiError::invalid("kind", "not a kind of incident"))
            })
            .transpose()?;
        let (rv, gate) = (
            query_id("rv", self.rv.as_deref())?.map(RvId),
            query_id("gate", self.gate.as_deref())?.map(GateId),
        );
        if rv.is_some() && gate.is_some() {
            return Err(ApiError::invalid("gate", "give rv or gate, not both"));
        }
        let max = store::IncidentFilter::MAX_LIMIT;
        let limit = match self.limit.as_deref() {
            None => max,
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=max).contains(l))
                .ok_or_else(|| ApiError::invalid("limit", "a whole number from 1 to 1000"))?,
        };
        Ok(store::IncidentFilter {
            open,
            resolved,
            kind,
            rv,
            gate,
            before: query_id("before", self.before.as_deref())?.map(IncidentId),
            limit,
        })
    }
}

pub async fn incidents(
    call: Call,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<IncidentsQuery>,
) -> Answer<Vec<IncidentOut>> {
    let filter = q.filter()?;
    let found = call
        .act(move |s, op, a| s.incidents(op, &filter, a))
        .await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize)]
pub struct IncidentPath {
    incident: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveIncidentIn {
    /// What was found and done; sealed, never shown in lists.
    #[schemars(length(min = 1, max = 2000))]
    pub note: String,
}

pub async fn resolve_incident(
    call: Call<IncidentPath>,
    ApiJson(body): ApiJson<ResolveIncidentIn>,
) -> Answer<IncidentOut> {
    let note = text_lines("note", &body.note, 2000)?;
    let id = IncidentId(call.path.incident);
    call.change(move |s, op, a| s.resolve_incident(op, id, &note, a))
        .await
}

#[derive(Serialize, JsonSchema)]
pub struct CustodyLinkOut {
    /// The person held: every member of a household has links of their own.
    pub person_id: i64,
    pub batch_id: i64,
    pub rv_id: i64,
    pub gate_id: i64,
    pub user_id: Option<i64>,
    pub device: Option<String>,
    pub from: String,
    pub until: Option<String>,
    /// `arrived`, `unaccounted`, a resolution (`arrived_late`, `returned_to_rv`,
    /// `found_elsewhere`, `recorded_missing`), or none while it lasts.
    pub ended_by: Option<String>,
}

pub async fn custody_chain(call: Call<CasePath>) -> Answer<Vec<CustodyLinkOut>> {
    let reference = CaseReference::parse(&call.path.reference)?;
    let chain = call
        .read(move |s, op| s.custody_chain(op, &reference))
        .await?;
    Ok(Json(
        chain
            .into_iter()
            .map(|l| CustodyLinkOut {
                person_id: l.person.0,
                batch_id: l.batch.0,
                rv_id: l.rv.0,
                gate_id: l.gate.0,
                user_id: l.user.map(|u| u.0),
                device: l.device,
                from: time_text(l.from),
                until: l.until.map(time_text),
                ended_by: l.ended_by,
            })
            .collect(),
    ))
}
