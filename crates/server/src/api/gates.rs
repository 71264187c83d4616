//! Gates: opened linked to rendezvous points with a walking time from each, their status (open,
//! suspended, closed), the stage counts at one gate and the batches it expects. Gate staff see
//! the gates assigned to them.
//!
//! Must not depend on: other resource modules.

use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, GATE_PARTIES, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CoordinateSchema, CountsOut, Created, text, time_text};
use axum::Json;
use safeconduct_domain::model::{GateKind, GateStatus};
use safeconduct_domain::places::WalkingTime;
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
        endpoint!(POST "/api/operations/{op}/gates/{gate}/status", Roles(COORDINATOR), h::gate_status, "Open, suspend or close a gate", body: GateStatusIn => json::<GateOut>(200)),
        endpoint!(POST "/api/operations/{op}/gates/{gate}/suspend", Roles(GATE_PARTIES), h::suspend_gate, "Suspend an open gate (gate staff may stop their gate taking people; opening it again, closing it, or changing a closed one is a coordinator's: 409)" => json::<GateOut>(200)),
        endpoint!(GET "/api/operations/{op}/gates/{gate}/counts", Roles(GATE_PARTIES), h::gate_counts, "Stage counts of one gate" => json::<CountsOut>(200)),
        endpoint!(POST "/api/operations/{op}/gates/{gate}/walking-time", Roles(COORDINATOR), h::set_walking_time, "Change the walking time from one rendezvous point to the gate (batches already on their way keep their deadline)", body: WalkingIn => json::<GateOut>(200)),
        endpoint!(GET "/api/operations/{op}/gates/{gate}/batches", Roles(GATE_PARTIES), h::expected_batches, "Open batches on their way to the gate, with head counts and deadlines (no personal data)" => json::<Vec<ExpectedBatchOut>>(200)),
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
    /// Minutes of walking from each of `rv_ids` to the gate (30 when not given); a coordinator
    /// may change it per rendezvous point later.
    #[schemars(range(min = WalkingTime::MIN_MINUTES, max = WalkingTime::MAX_MINUTES))]
    pub walking_minutes: Option<u32>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkingIn {
    pub rv_id: i64,
    #[schemars(range(min = WalkingTime::MIN_MINUTES, max = WalkingTime::MAX_MINUTES))]
    pub minutes: u32,
}

#[derive(Serialize, JsonSchema)]
pub struct WalkingOut {
    pub rv_id: i64,
    pub minutes: u32,
}

/// A batch on its way to the gate: counts and times only, no names and no references.
#[derive(Serialize, JsonSchema)]
pub struct ExpectedBatchOut {
    pub id: i64,
    pub rv_id: i64,
    pub households: u32,
    pub departed_people: u32,
    pub arrived_people: u32,
    /// Households of the batch unaccounted (past the deadline and not arrived).
    pub unaccounted_households: u32,
    pub departed_at: String,
    pub deadline: String,
}

impl From<store::Batch> for ExpectedBatchOut {
    fn from(b: store::Batch) -> Self {
        ExpectedBatchOut {
            id: b.id.0,
            rv_id: b.rv.0,
            households: b.households,
            departed_people: b.departed_people,
            arrived_people: b.arrived_people,
            unaccounted_households: b.unaccounted.len() as u32,
            departed_at: time_text(b.departed_at),
            deadline: time_text(b.deadline),
        }
    }
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
    /// The walking time from each linked rendezvous point.
    pub walking: Vec<WalkingOut>,
    /// After a suspension or closing: the re-plan of the households holding a window at the
    /// rendezvous points it served, accepted at once (told to coordinators only: it moves households of the
    /// whole operation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replan: Option<crate::replanning::ReplannedOut>,
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
            walking: g
                .rvs
                .iter()
                .zip(&g.walking)
                .map(|(rv, w)| WalkingOut {
                    rv_id: rv.0,
                    minutes: w.minutes(),
                })
                .collect(),
            replan: None,
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
        walking_time: match body.walking_minutes {
            Some(minutes) => WalkingTime::new(minutes)?,
            None => WalkingTime::default(),
        },
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
    set_status(call, body.status).await
}

pub async fn suspend_gate(call: Call<GatePath>) -> Answer<GateOut> {
    set_status(call, GateStatus::Suspended).await
}

/// Stores the gate's new status; a gate that stops taking people is followed by a re-plan.
async fn set_status(call: Call<GatePath>, status: GateStatus) -> Answer<GateOut> {
    let gate = GateId(call.path.gate);
    call.caller.sees(gate)?;
    let Json(mut out): Json<GateOut> = call
        .change(move |s, id, actor| s.set_gate_status(id, gate, status, actor))
        .await?;
    if status != GateStatus::Open {
        out.replan = crate::replanning::after_suspension(&call.app, &call.caller).await;
    }
    Ok(Json(out))
}

pub async fn gate_counts(call: Call<GatePath>) -> Answer<CountsOut> {
    let gate = GateId(call.path.gate);
    call.caller.sees(gate)?;
    call.swept().await?;
    let counts = call
        .read(move |s, id| s.stage_counts(id, CountScope::Gate(gate)))
        .await?;
    Ok(Json(counts.into()))
}

pub async fn set_walking_time(
    call: Call<GatePath>,
    ApiJson(body): ApiJson<WalkingIn>,
) -> Answer<GateOut> {
    let gate = GateId(call.path.gate);
    let rv = RvId(body.rv_id);
    let walking = WalkingTime::new(body.minutes)?;
    call.change(move |s, id, actor| s.set_walking_time(id, gate, rv, walking, actor))
        .await
}

/// The batches a gate expects. Gate staff see only their own gates': another gate is not
/// found for them, exactly as a gate that does not exist.
pub async fn expected_batches(call: Call<GatePath>) -> Answer<Vec<ExpectedBatchOut>> {
    let gate = GateId(call.path.gate);
    call.caller.sees(gate)?;
    call.swept().await?;
    call.list(move |s, id| s.expected_batches(id, gate)).await
}
