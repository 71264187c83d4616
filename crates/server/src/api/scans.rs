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

/// Scans recorded by a field device, offline or not, synced in batches. Re-sending a batch is
/// harmless; a pass admitted by two devices is reported in the answer, never merged away.
pub async fn sync_scans(call: Call, ApiJson(body): ApiJson<ScanSyncIn>) -> Answer<ScanReceiptOut> {
    let Call { app, caller, .. } = call;
    let id = caller.operation;
    let device = body.device.trim().to_string();
    if device.is_empty() || device.len() > 64 || !device.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "device",
            "a device id is 1 to 64 printable ASCII characters",
        ));
    }
    if body.scans.is_empty() || body.scans.len() > 1000 {
        return Err(ApiError::invalid("scans", "a sync carries 1 to 1000 scans"));
    }
    let scans = body
        .scans
        .iter()
        .map(|s| {
            if s.seq > i64::MAX as u64 {
                return Err(ApiError::invalid("seq", "a sequence number is below 2^63"));
            }
            Ok(store::FieldScan {
                seq: s.seq,
                pass_index: s.pass_index,
                rv: s.rv_id.map(RvId),
                gate: s.gate_id.map(GateId),
                outcome: s.outcome,
                scanned_at: parse_time("scanned_at", &s.scanned_at)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    for scan in &scans {
        if let Some(rv) = scan.rv {
            caller.may_act_at_rv(rv)?;
        }
        if let Some(gate) = scan.gate {
            caller.may_act_at_gate(gate)?;
        }
    }
    let actor = caller.actor(crate::now());
    let receipt = app
        .run(move |s| s.ingest_scans(id, &device, &scans, &actor))
        .await?;
    Ok(Json(receipt.into()))
}
