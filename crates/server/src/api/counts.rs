//! Stage counts of the whole operation (and of each rendezvous point and gate), the
//! accountability check (every person in exactly one stage, every closed batch balanced: it
//! recounts every case, for the auditor), and the open custody alarms the dashboard watches
//! (read through the unaccounted households only, cheap at any size of operation).
//!
//! Must not depend on: other resource modules. The counts of one place are served with the
//! place (`rvs`, `gates`).

use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, OVERSIGHT, endpoint, json};
use crate::extract::Call;
use crate::wire::{AccountabilityOut, Answer, CountsOut, time_text};
use axum::Json;
use safeconduct_store::OpenAlarm;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations/{op}/counts", Roles(COORDINATOR), h::counts, "Stage counts for the operation, each RV and each gate" => json::<OperationCountsOut>(200)),
        endpoint!(GET "/api/operations/{op}/accountability", Roles(OVERSIGHT), h::accountability, "Check that every person is in exactly one stage and every batch balances" => json::<AccountabilityOut>(200)),
        endpoint!(GET "/api/operations/{op}/alarms", Roles(COORDINATOR), h::open_alarms, "The open custody alarms: households unaccounted and not yet resolved, by batch, with its places, deadline and counts (without recounting the operation)" => json::<OpenAlarmsOut>(200)),
    ]
}

#[derive(Serialize, JsonSchema)]
pub struct OperationCountsOut {
    pub operation: CountsOut,
    pub rvs: BTreeMap<String, CountsOut>,
    pub gates: BTreeMap<String, CountsOut>,
}

pub async fn counts(call: Call) -> Answer<OperationCountsOut> {
    call.swept().await?;
    let counts = call.read(|s, id| s.operation_counts(id)).await?;
    let out = OperationCountsOut {
        operation: counts.operation.into(),
        rvs: counts
            .rvs
            .into_iter()
            .map(|(id, c)| (id.to_string(), c.into()))
            .collect(),
        gates: counts
            .gates
            .into_iter()
            .map(|(id, c)| (id.to_string(), c.into()))
            .collect(),
    };
    Ok(Json(out))
}

pub async fn accountability(call: Call) -> Answer<AccountabilityOut> {
    call.swept().await?;
    let now = crate::now();
    Ok(Json(
        call.read(move |s, id| s.accountability(id, now))
            .await?
            .into(),
    ))
}

#[derive(Serialize, JsonSchema)]
pub struct OpenAlarmsOut {
    /// People unaccounted whose alarm no coordinator has resolved yet.
    pub unresolved_people: u64,
    /// One per batch with such households, by batch id.
    pub alarms: Vec<OpenAlarmOut>,
}

/// A batch with households unaccounted and not resolved. The batch's fields are null only
/// for a household marked unaccounted outside any batch.
#[derive(Serialize, JsonSchema)]
pub struct OpenAlarmOut {
    pub batch_id: Option<i64>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub departed_at: Option<String>,
    /// The custody deadline fixed when the batch departed.
    pub deadline: Option<String>,
    /// When the gate closed the batch; null while it is open (swept at its deadline).
    pub closed_at: Option<String>,
    pub departed_people: Option<u32>,
    pub arrived_people: Option<u32>,
    /// People of the households below.
    pub unaccounted_people: u64,
    pub households: Vec<AlarmHouseholdOut>,
}

/// A household of an alarm: its reference and size, nothing that names or reaches a person.
#[derive(Serialize, JsonSchema)]
pub struct AlarmHouseholdOut {
    pub reference: String,
    pub size: u32,
}

impl From<OpenAlarm> for OpenAlarmOut {
    fn from(a: OpenAlarm) -> Self {
        let b = a.batch.as_ref();
        OpenAlarmOut {
            batch_id: b.map(|b| b.id.0),
            rv_id: b.map(|b| b.rv.0),
            gate_id: b.map(|b| b.gate.0),
            departed_at: b.map(|b| time_text(b.departed_at)),
            deadline: b.map(|b| time_text(b.deadline)),
            closed_at: b.and_then(|b| b.closed_at).map(time_text),
            departed_people: b.map(|b| b.departed_people),
            arrived_people: b.map(|b| b.arrived_people),
            unaccounted_people: a.people(),
            households: a
                .households
                .into_iter()
                .map(|(reference, size)| AlarmHouseholdOut {
                    reference: reference.to_string(),
                    size,
                })
                .collect(),
        }
    }
}

/// The open alarms, after the custody sweep (a batch past its deadline is an alarm now, not at
/// the next tick). Audited as a list of cases, with the references it returned.
pub async fn open_alarms(
    audit: crate::read_audit::PendingReadAudit,
    call: Call,
) -> Answer<OpenAlarmsOut> {
    call.swept().await?;
    let alarms = call.read(|s, op| s.open_alarms(op)).await?;
    let references = alarms
        .iter()
        .flat_map(|a| a.households.iter().map(|(r, _)| r.clone()))
        .collect::<Vec<_>>();
    let asked = format!("{} alarms, {} returned", alarms.len(), references.len());
    audit
        .write_asked(&call.app, Some(asked), references)
        .await?;
    Ok(Json(OpenAlarmsOut {
        unresolved_people: alarms.iter().map(OpenAlarm::people).sum(),
        alarms: alarms.into_iter().map(Into::into).collect(),
    }))
}
