//! Stage counts of the whole operation (and of each rendezvous point and gate), and the
//! accountability check: every person in exactly one stage, every closed batch balanced.
//!
//! Must not depend on: other resource modules. The counts of one place are served with the
//! place (`rvs`, `gates`).

use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, OVERSIGHT, endpoint, json};
use crate::extract::Call;
use crate::wire::{AccountabilityOut, Answer, CountsOut};
use axum::Json;
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
