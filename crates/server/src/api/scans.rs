//! Field scans: what a field device recorded, offline or not, synced in batches. Re-sending a
//! batch is harmless; a pass admitted by two devices is reported, never merged away.
//!
//! Must not depend on: other resource modules.

use crate::ApiError;
use crate::endpoints::{Access::Roles, Endpoint, FIELD, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, parse_time};
use axum::Json;
use safeconduct_domain::*;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/scans", Roles(FIELD), h::sync_scans, "Sync scans recorded by a field device (re-sending is harmless; double admissions are reported)", body: ScanSyncIn => json::<ScanReceiptOut>(200)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanIn {
    /// Counts up by one with every scan on the device, from 0; below 2^53.
    #[schemars(range(min = 0, max = safeconduct_domain::field::MAX_SCAN_SEQ))]
    pub seq: u64,
    /// The pass's index in the operation's status list: from 0 to below the list's size.
    #[schemars(range(min = 0))]
    pub pass_index: i64,
    /// The rendezvous point where the scan was made (an escort's scans). A scan names its
    /// place, `rv_id` or `gate_id`, and it must be one of the caller's places.
    pub rv_id: Option<i64>,
    /// The gate where the scan was made (gate staff's scans).
    pub gate_id: Option<i64>,
    pub outcome: store::ScanOutcome,
    /// When the scan was made, RFC 3339 (the device's clock): from a day before the operation
    /// began to a day after the sync.
    pub scanned_at: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanSyncIn {
    /// The scanning device, as registered in the field kit. Device ids are the caller's own:
    /// the same id used by another user is another device, whose scans never meet these.
    #[schemars(length(min = 1, max = 64))]
    pub device: String,
    #[schemars(length(min = 1, max = 1000))]
    pub scans: Vec<ScanIn>,
}

#[derive(Serialize, JsonSchema)]
pub struct DoubleAdmissionOut {
    pub pass_index: i64,
    /// The devices that admitted the pass at the caller's places (none elsewhere is named).
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

/// Scans recorded by a field device, offline or not, synced in batches. Re-sending a batch is
/// harmless; a pass admitted by two devices is reported in the answer, never merged away.
/// Scans are kept under the signed-in user: another user sending the same device id and
/// sequence numbers stores scans of their own and never shadows these.
pub async fn sync_scans(call: Call, ApiJson(body): ApiJson<ScanSyncIn>) -> Answer<ScanReceiptOut> {
    let Call { app, caller, .. } = call;
    let id = caller.operation;
    let device = String::from(DeviceId::parse(&body.device)?);
    if body.scans.is_empty() || body.scans.len() > 1000 {
        return Err(ApiError::invalid("scans", "a sync carries 1 to 1000 scans"));
    }
    let scans = body
        .scans
        .iter()
        .map(|s| {
            let scan = store::FieldScan {
                seq: s.seq,
                pass_index: s.pass_index,
                rv: s.rv_id.map(RvId),
                gate: s.gate_id.map(GateId),
                outcome: s.outcome,
                scanned_at: parse_time("scanned_at", &s.scanned_at)?,
            };
            // Every scan names its place, and it must be the caller's; the store checks the
            // ranges against the operation.
            if scan.rv.is_none() && scan.gate.is_none() {
                return Err(ApiError::invalid(
                    "rv_id",
                    "a scan names the rendezvous point (rv_id) or gate (gate_id) where it was made",
                ));
            }
            if let Some(rv) = scan.rv {
                caller.may_act_at_rv(rv)?;
            }
            if let Some(gate) = scan.gate {
                caller.may_act_at_gate(gate)?;
            }
            Ok(scan)
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let actor = caller.actor(crate::now());
    let receipt = app
        .run(move |s| s.ingest_scans(id, &device, &scans, &actor))
        .await?;
    Ok(Json(receipt.into()))
}
