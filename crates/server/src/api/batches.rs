//! Escort batches: a batch leaves a rendezvous point for a gate, its households arrive, the
//! gate closes it. Counts only: a batch's answer names no person, and names the households
//! unaccounted on the way only to coordinators and gate staff (an escort is told how many).
//!
//! Must not depend on: other resource modules but `lifecycle` (an arrival is a step).

use super::lifecycle::step;
use crate::auth::OperationCaller;
use crate::endpoints::{Access::Roles, BATCH_PARTIES, ESCORT, Endpoint, GATE, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, Created, StepOut, time_text};
use crate::{ApiError, App};
use axum::Json;
use safeconduct_domain::household::NewHousehold;
use safeconduct_domain::*;

/// The most members of one household.
const MAX_MEMBERS: usize = NewHousehold::MAX_MEMBERS;
use safeconduct_store as store;
use safeconduct_store::CaseRequest;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/batches", Roles(ESCORT), h::depart, "An escort batch leaves a rendezvous point for a gate", body: DepartIn => json::<BatchOut>(201)),
        endpoint!(GET "/api/operations/{op}/batches/{batch}", Roles(BATCH_PARTIES), h::batch, "A batch's counts (no personal data); the references of its households unaccounted on the way for coordinators and gate staff, only their number for an escort" => json::<BatchOut>(200)),
        endpoint!(POST "/api/operations/{op}/batches/{batch}/arrivals", Roles(GATE), h::batch_arrival, "Members of a household of a batch arrived at the gate (all, or the number counted: the others stay in escort)", body: ArrivalIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/batches/{batch}/close", Roles(GATE), h::close_batch, "Close a batch; households not arrived become unaccounted" => json::<BatchOut>(200)),
    ]
}

/// A household's members who arrived at the gate: arrival is per person.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrivalIn {
    pub reference: String,
    /// How many members arrived; all who are on the way when left out. Those not arrived stay
    /// in escort, and are unaccounted past the batch's deadline.
    #[schemars(range(min = 1, max = 60))]
    pub people: Option<u32>,
}

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
    /// Departure + walking time of the RV–gate link + the tolerance: past it, every household
    /// not arrived is unaccounted, whether or not the batch is closed.
    pub deadline: String,
    /// True when a household of the batch is unaccounted (its deadline passed, or the batch
    /// was closed without it), or the batch is closed and arrivals do not match departures.
    pub alarm: bool,
    /// How many households of the batch are unaccounted.
    pub unaccounted_households: u32,
    /// Their references, for coordinators and gate staff (who look them up and check them
    /// in); left out for an escort, who is told how many but never who: the escort party
    /// holds no roster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unaccounted: Option<Vec<String>>,
}

impl BatchOut {
    /// The answer as `role` may read it: an escort's without the references.
    fn seen_by(mut self, role: Role) -> Self {
        if role == Role::Escort {
            self.unaccounted = None;
        }
        self
    }
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
            deadline: time_text(b.deadline),
            alarm: !b.unaccounted.is_empty() || (closed && b.arrived_people != b.departed_people),
            unaccounted_households: b.unaccounted.len() as u32,
            unaccounted: Some(b.unaccounted.iter().map(|r| r.to_string()).collect()),
        }
    }
}

#[derive(Deserialize)]
pub struct BatchPath {
    batch: i64,
}

pub async fn depart(call: Call, ApiJson(body): ApiJson<DepartIn>) -> Created<BatchOut> {
    call.caller.may_act_at(RvId(body.rv_id))?;
    let households = body
        .households
        .iter()
        .map(|r| CaseReference::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    let departure = store::BatchDeparture {
        rv: RvId(body.rv_id),
        gate: GateId(body.gate_id),
        households,
    };
    let (status, Json(out)): (_, Json<BatchOut>) = call
        .create(move |s, id, actor| s.depart_batch(id, &departure, actor))
        .await?;
    Ok((status, Json(out.seen_by(Role::Escort))))
}

pub async fn batch(call: Call<BatchPath>) -> Answer<BatchOut> {
    let b = BatchId(call.path.batch);
    call.swept().await?;
    let actor = call.caller.actor(crate::now());
    let batch = call.read(move |s, id| s.batch(id, b, &actor)).await?;
    Ok(Json(BatchOut::from(batch).seen_by(call.caller.role)))
}

pub async fn batch_arrival(
    call: Call<BatchPath>,
    ApiJson(body): ApiJson<ArrivalIn>,
) -> Answer<StepOut> {
    let Call { app, caller, path } = call;
    let batch = BatchId(path.batch);
    if body
        .people
        .is_some_and(|n| n == 0 || n as usize > MAX_MEMBERS)
    {
        return Err(ApiError::invalid(
            "people",
            &format!("1 to {MAX_MEMBERS} members of one household"),
        ));
    }
    batch_gate_in_scope(&app, &caller, batch).await?;
    let request = CaseRequest::ArriveAtGate {
        batch,
        people: body.people,
    };
    step(app, caller, &body.reference, request).await
}

pub async fn close_batch(call: Call<BatchPath>) -> Answer<BatchOut> {
    let b = BatchId(call.path.batch);
    batch_gate_in_scope(&call.app, &call.caller, b).await?;
    call.change(move |s, id, actor| s.close_batch(id, b, actor))
        .await
}

/// A batch bound for a gate not assigned to the gate staff acting on it is not found for
/// them, exactly as a batch that does not exist.
async fn batch_gate_in_scope(
    app: &App,
    caller: &OperationCaller,
    batch: BatchId,
) -> Result<(), ApiError> {
    if caller.places.is_none() {
        return Ok(());
    }
    let id = caller.operation;
    let actor = caller.actor(crate::now());
    app.run(move |s| s.batch(id, batch, &actor).map(|_| ()))
        .await
}
