//! Gates: opened linked to rendezvous points, their status (open, suspended, closed), and the
//! stage counts at one gate. Gate staff see the gates assigned to them.
//!
//! Must not depend on: other resource modules.

use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, GATE_PARTIES, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CoordinateSchema, CountsOut, Created, text};
use axum::Json;
use safeconduct_domain::model::{GateKind, GateStatus};
use safeconduct_domain::values::Coordinate;
use safeconduct_domain::*;
use safeconduct_store as store;
use safeconduct_store::CountScope;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/gates", Roles(COORDINATOR), h::create_gate, "Open a gate linked to rendezvous points", body: GateIn => json::<GateOut>(201)),
        endpoint!(GET "/api/operations/{op}/gates", Roles(GATE_PARTIES), h::gates, "Gates of the operation" => json::<Vec<GateOut>>(200)),
        endpoint!(POST "/api/operations/{op}/gates/{gate}/status", Roles(GATE_PARTIES), h::gate_status, "Open, suspend or close a gate", body: GateStatusIn => json::<GateOut>(200)),
        endpoint!(GET "/api/operations/{op}/gates/{gate}/counts", Roles(GATE_PARTIES), h::gate_counts, "Stage counts of one gate" => json::<CountsOut>(200)),
    ]
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

#[derive(Deserialize)]
pub struct GatePath {
    gate: i64,
}

pub async fn create_gate(call: Call, ApiJson(body): ApiJson<GateIn>) -> Created<GateOut> {
    let gate = store::NewGate {
        name: text("name", &body.name, 120)?,
        location: body.location,
        kind: body.kind,
        hourly_throughput: store::Throughput::new(body.hourly_throughput)?,
        rvs: body.rv_ids.into_iter().map(RvId).collect(),
    };
    call.create(move |s, id, actor| s.create_gate(id, &gate, actor))
        .await
}

pub async fn gates(call: Call) -> Answer<Vec<GateOut>> {
    let gates = call.read(|s, id| s.gates(id)).await?;
    let visible = |g: &store::Gate| match &call.caller.places {
        Some(p) => p.gates.contains(&g.id),
        None => true,
    };
    Ok(Json(
        gates.into_iter().filter(visible).map(Into::into).collect(),
    ))
}

pub async fn gate_status(
    call: Call<GatePath>,
    ApiJson(body): ApiJson<GateStatusIn>,
) -> Answer<GateOut> {
    let gate = GateId(call.path.gate);
    call.caller.sees_gate(gate)?;
    call.change(move |s, id, actor| s.set_gate_status(id, gate, body.status, actor))
        .await
}

pub async fn gate_counts(call: Call<GatePath>) -> Answer<CountsOut> {
    let gate = GateId(call.path.gate);
    call.caller.sees_gate(gate)?;
    let counts = call
        .read(move |s, id| s.stage_counts(id, CountScope::Gate(gate)))
        .await?;
    Ok(Json(counts.into()))
}
