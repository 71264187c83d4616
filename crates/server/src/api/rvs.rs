//! Rendezvous points: proposed by one side, accepted by the other (agreed only when both the
//! coordinating authority and the escort party accepted), activated, suspended, closed; and
//! the stage counts at one point. An escort sees the points assigned to them; any other point
//! named in a path is not found for them, as one that does not exist.
//!
//! Must not depend on: other resource modules. The agreement rule is the domain's
//! (`RvAgreement`), applied in the store.

use crate::auth::OperationCaller;
use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, RV_PARTIES, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CoordinateSchema, CountsOut, Created, text};
use axum::Json;
use safeconduct_domain::model::{RvChange, RvStatus, Side};
use safeconduct_domain::values::Coordinate;
use safeconduct_domain::*;
use safeconduct_store as store;
use safeconduct_store::CountScope;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/rvs", Roles(RV_PARTIES), h::propose_rv, "Propose a rendezvous point (accepted by the proposing side)", body: RvIn => json::<RvOut>(201)),
        endpoint!(GET "/api/operations/{op}/rvs", Roles(RV_PARTIES), h::rvs, "Rendezvous points of the operation" => json::<Vec<RvOut>>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/accept", Roles(RV_PARTIES), h::accept_rv, "Accept a proposed rendezvous point for the caller's side" => json::<RvOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/activate", Roles(COORDINATOR), h::activate_rv, "Activate an agreed or suspended rendezvous point" => json::<RvOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/suspend", Roles(RV_PARTIES), h::suspend_rv, "Suspend a rendezvous point" => json::<RvOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/close", Roles(COORDINATOR), h::close_rv, "Close a rendezvous point" => json::<RvOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/vehicle-access", Roles(COORDINATOR), h::vehicle_access, "Say whether vehicles can reach a rendezvous point (households that must be driven are planned only to those)", body: VehicleAccessIn => json::<RvOut>(200)),
        endpoint!(GET "/api/operations/{op}/rvs/{rv}/counts", Roles(RV_PARTIES), h::rv_counts, "Stage counts of one rendezvous point" => json::<CountsOut>(200)),
    ]
}

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

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleAccessIn {
    pub vehicle_access: bool,
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
    /// Vehicles can reach it.
    pub vehicle_access: bool,
    /// After a suspension or closing: the re-plan of the households holding a window here,
    /// accepted at once (told to coordinators only: it moves households of the
    /// whole operation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replan: Option<crate::replanning::ReplannedOut>,
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
            vehicle_access: r.vehicle_access,
            replan: None,
        }
    }
}

#[derive(Deserialize)]
pub struct RvPath {
    rv: i64,
}

fn side(caller: &OperationCaller) -> Side {
    match caller.role {
        Role::Escort => Side::EscortParty,
        _ => Side::CoordinatingAuthority,
    }
}

pub async fn propose_rv(call: Call, ApiJson(body): ApiJson<RvIn>) -> Created<RvOut> {
    let rv = store::NewRv {
        name: text("name", &body.name, 120)?,
        location: body.location,
        landmark: text("landmark", &body.landmark, 500)?,
    };
    let side = side(&call.caller);
    call.create(move |s, id, actor| s.propose_rv(id, &rv, side, actor))
        .await
}

pub async fn rvs(call: Call) -> Answer<Vec<RvOut>> {
    let rvs = call.read(|s, id| s.rvs(id)).await?;
    // An escort sees the points assigned to them, and nothing of the others.
    let visible = |r: &store::RendezvousPoint| match &call.caller.places {
        Some(p) => p.rvs.contains(&r.id),
        None => true,
    };
    Ok(Json(
        rvs.into_iter().filter(visible).map(Into::into).collect(),
    ))
}

/// Changes the point named in the path; one outside an escort's places is not found for
/// them, exactly as one that does not exist.
async fn change_rv(call: Call<RvPath>, change: RvChange) -> Answer<RvOut> {
    let rv = RvId(call.path.rv);
    call.caller.sees(rv)?;
    call.change(move |s, id, actor| s.change_rv(id, rv, change, actor))
        .await
}

pub async fn accept_rv(call: Call<RvPath>) -> Answer<RvOut> {
    let change = RvChange::Accept(side(&call.caller));
    change_rv(call, change).await
}

pub async fn activate_rv(call: Call<RvPath>) -> Answer<RvOut> {
    change_rv(call, RvChange::Activate).await
}

/// Suspends or closes the point, then re-plans the households holding a window there.
async fn stop_rv(call: Call<RvPath>, change: RvChange) -> Answer<RvOut> {
    let rv = RvId(call.path.rv);
    call.caller.sees(rv)?;
    let Json(mut out): Json<RvOut> = call
        .change(move |s, id, actor| s.change_rv(id, rv, change, actor))
        .await?;
    out.replan = crate::replanning::after_suspension(&call.app, &call.caller).await;
    Ok(Json(out))
}

pub async fn suspend_rv(call: Call<RvPath>) -> Answer<RvOut> {
    stop_rv(call, RvChange::Suspend).await
}

pub async fn close_rv(call: Call<RvPath>) -> Answer<RvOut> {
    stop_rv(call, RvChange::Close).await
}

pub async fn vehicle_access(
    call: Call<RvPath>,
    ApiJson(body): ApiJson<VehicleAccessIn>,
) -> Answer<RvOut> {
    let rv = RvId(call.path.rv);
    call.change(move |s, id, actor| s.set_rv_vehicle_access(id, rv, body.vehicle_access, actor))
        .await
}

pub async fn rv_counts(call: Call<RvPath>) -> Answer<CountsOut> {
    let rv = RvId(call.path.rv);
    call.caller.sees(rv)?;
    call.swept().await?;
    let counts = call
        .read(move |s, id| s.stage_counts(id, CountScope::Rv(rv)))
        .await?;
    Ok(Json(counts.into()))
}
