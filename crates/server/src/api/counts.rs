//! Stage counts of the whole operation (and of each rendezvous point and gate), and the
//! accountability check: every person in exactly one stage, every closed batch balanced.
//!
//! Must not depend on: other resource modules. The counts of one place are served with the
//! place (`rvs`, `gates`).

use crate::App;
use crate::auth::OperationCaller;
use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, OVERSIGHT, endpoint, json};
use crate::wire::{Answer, CountsOut};
use axum::Json;
use axum::extract::State;
use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations/{op}/counts", Roles(COORDINATOR), h::counts, "Stage counts for the operation, each RV and each gate" => json::<OperationCountsOut>(200)),
        endpoint!(GET "/api/operations/{op}/accountability", Roles(OVERSIGHT), h::accountability, "Check that every person is in exactly one stage and every batch balances" => json::<AccountabilityOut>(200)),
    ]
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

pub async fn counts(State(app): State<App>, caller: OperationCaller) -> Answer<OperationCountsOut> {
    let id = caller.operation;
    let counts = app.run(move |s| s.operation_counts(id)).await?;
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

pub async fn accountability(
    State(app): State<App>,
    caller: OperationCaller,
) -> Answer<AccountabilityOut> {
    let id = caller.operation;
    Ok(Json(app.run(move |s| s.accountability(id)).await?.into()))
}
