//! Walking routes: from a caller's stated position (coordinates or a landmark) to the
//! rendezvous point of their case, with guidance in the household's language (hotline,
//! coordinator); and, for an escort about to depart a batch, the way from their RV to a gate
//! it sends batches to, with the hazards on it and a warning (the check an escort calls
//! before departing).
//!
//! Must not depend on: other resource modules' handlers. The routing is the route crate's,
//! reached through the server's router (`routing.rs`).

use crate::endpoints::{Access::Roles, CASEWORK, Endpoint, RV_PARTIES, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::routing::{route_error, stated_position, stored_hazard_id};
use crate::wire::{Answer, CasePath};
use crate::{ApiError, App};
use axum::Json;
use axum::http::StatusCode;
use safeconduct_domain::model::{GateStatus, HazardKind, Severity};
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_domain::*;
use safeconduct_route::Router;
use safeconduct_route::router::Guided;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/households/{reference}/route", Roles(CASEWORK), h::case_route, "The walking route from a stated position (in the body, never in the address) to the case's rendezvous point, around the hazards in force; changes nothing", body: PositionIn => json::<RouteOut>(200)),
        endpoint!(GET "/api/operations/{op}/rvs/{rv}/gates/{gate}/way", Roles(RV_PARTIES), h::way_to_gate, "Before departing a batch: the hazards on the way from the RV to the gate, and a warning (its length and walking time for coordinators only)" => json::<WayOut>(200)),
    ]
}

/// Where the caller says they are, and the language to guide them in. Sent in a request body:
/// a caller's position is personal data, and a request line ends up in proxies' logs.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionIn {
    /// `LAT,LON` in decimal degrees.
    pub from: Option<String>,
    /// A named place, street or building of the map, instead of `from`.
    pub landmark: Option<String>,
    /// The guidance's language; the household's when absent.
    pub language: Option<Language>,
}

#[derive(Serialize, JsonSchema)]
pub struct RouteOut {
    pub rv_id: i64,
    pub language: Language,
    pub right_to_left: bool,
    /// The landmark the position was taken from, if one was named.
    pub landmark: Option<String>,
    pub length_m: u32,
    pub walking_minutes: u32,
    /// One sentence per step, for reading out on the phone.
    pub steps: Vec<String>,
    /// The same, in at most three SMS.
    pub sms: String,
    pub sms_parts: usize,
    /// Ids of this operation's hazards in force when the route was made.
    pub hazards_in_force: Vec<i64>,
    /// A GeoJSON Feature with the route as a LineString.
    pub geojson: serde_json::Value,
}

/// The guided route from `from` to the RV of `household` (which must have one).
/// The way to `rv` from `from`, with the hazards in force it goes around: refused (409
/// `rv_not_receiving`) while the RV receives nobody (suspended, closed), so that no one is
/// guided, read a route or sent one, towards a point that was suspended for a danger there.
pub(crate) fn route_to_rv(
    router: &Router,
    op: OperationId,
    rv: &store::RendezvousPoint,
    from: Coordinate,
    language: Language,
) -> Result<(Guided, Vec<i64>), ApiError> {
    if !rv.status.accepts_assignments() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "rv_not_receiving",
            format!(
                "rendezvous point {} is {}: send nobody there until it is active again",
                rv.id.0,
                rv.status.as_str()
            ),
        ));
    }
    let guided = router
        .guided(from, rv.location, language)
        .map_err(route_error)?;
    let in_force = router
        .snapshot()
        .in_force
        .iter()
        .filter_map(|id| stored_hazard_id(op, id))
        .collect();
    Ok((guided, in_force))
}

pub(crate) fn route_out(
    rv: RvId,
    guided: Guided,
    in_force: Vec<i64>,
    landmark: Option<String>,
) -> RouteOut {
    let g = guided.guidance;
    RouteOut {
        rv_id: rv.0,
        language: g.language,
        right_to_left: g.right_to_left,
        landmark,
        length_m: guided.route.length_m.round() as u32,
        walking_minutes: (guided.route.walking_s / 60.0).ceil() as u32,
        steps: g.steps,
        sms: g.sms,
        sms_parts: g.sms_parts,
        hazards_in_force: in_force,
        geojson: g.geojson,
    }
}

/// The RV a case is assigned to, or 409 when it has none yet.
pub(crate) async fn case_rv(
    app: &App,
    op: OperationId,
    household: &store::Household,
) -> Result<store::RendezvousPoint, ApiError> {
    let Some(rv) = household.rv else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_assigned",
            format!("case {} has no rendezvous point yet", household.reference),
        ));
    };
    let rvs = app.run(move |s| s.rvs(op)).await?;
    rvs.into_iter()
        .find(|r| r.id == rv)
        .ok_or_else(ApiError::internal)
}

/// Why `household` gets no route to its RV, if it does not: it no longer walks there
/// ([`Stage::walks_to_rv`]: it is there, past it, or out of the evacuation). The stage is not
/// named: logging a call that would send the route is refused with this sentence, and only a
/// read of the case tells its stage.
pub(crate) fn not_walking_to_rv(household: &store::Household) -> Option<String> {
    (!household.stage.walks_to_rv()).then(|| {
        format!(
            "case {} no longer walks to its rendezvous point (it is there, past it or out of \
             the evacuation), so there is no route to give",
            household.reference
        )
    })
}

/// The RV a route for `household` leads to: refused when it has none yet or no longer walks
/// there.
pub(crate) async fn rv_to_walk_to(
    app: &App,
    op: OperationId,
    household: &store::Household,
) -> Result<store::RendezvousPoint, ApiError> {
    let rv = case_rv(app, op, household).await?;
    match not_walking_to_rv(household) {
        Some(why) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_walking_to_rv",
            why,
        )),
        None => Ok(rv),
    }
}

pub async fn case_route(call: Call<CasePath>, ApiJson(q): ApiJson<PositionIn>) -> Answer<RouteOut> {
    let router = call.app.router()?;
    let (from, landmark) = stated_position(&router, q.from.as_deref(), q.landmark.as_deref())?;
    let op = call.caller.operation;
    let reference = CaseReference::parse(&call.path.reference)?;
    let household = call.app.run(move |s| s.household(op, &reference)).await?;
    let rv = rv_to_walk_to(&call.app, op, &household).await?;
    let language = q.language.unwrap_or(household.language);
    let (guided, in_force) = route_to_rv(&router, op, &rv, from, language)?;
    Ok(Json(route_out(rv.id, guided, in_force, landmark)))
}

#[derive(Deserialize)]
pub struct WayPath {
    rv: i64,
    gate: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct HazardOnWayOut {
    pub id: i64,
    pub kind: HazardKind,
    pub severity: Severity,
}

#[derive(Serialize, JsonSchema)]
pub struct WayOut {
    pub rv_id: i64,
    pub gate_id: i64,
    pub gate_status: GateStatus,
    /// Every way is closed by a hazard.
    pub blocked: bool,
    /// The way's length and walking time, for coordinators. An escort is told whether to
    /// depart and what is on the way, not the router's measure of how far the gate is:
    /// distances from RVs they know would help place it, and its location goes to their
    /// device only when released. (The walking time set for the link, which custody needs,
    /// is in a batch's deadline.)
    pub length_m: Option<u32>,
    pub walking_minutes: Option<u32>,
    /// Hazards in force on the way (slowing it), or, when blocked, across the direct line.
    pub hazards: Vec<HazardOnWayOut>,
    /// Safe to depart as far as the system knows: a way, no hazard on it, the gate open.
    pub clear_to_depart: bool,
    /// What to tell the escort before they depart, when not clear.
    pub warning: Option<String>,
}

pub async fn way_to_gate(call: Call<WayPath>) -> Answer<WayOut> {
    let (rv_id, gate_id) = (RvId(call.path.rv), GateId(call.path.gate));
    call.caller.sees(rv_id)?;
    let router = call.app.router()?;
    let op = call.caller.operation;
    let (rvs, gates, hazards) = call
        .app
        .run(move |s| Ok((s.rvs(op)?, s.gates(op)?, s.hazards(op)?)))
        .await?;
    let rv = rvs.into_iter().find(|r| r.id == rv_id).ok_or_else(|| {
        ApiError::from(store::StoreError::not_found(format!(
            "rendezvous point {rv_id}"
        )))
    })?;
    // A gate this RV does not send batches to is not the escort's to know of.
    let gate = gates
        .into_iter()
        .find(|g| g.id == gate_id && g.rvs.contains(&rv_id))
        .ok_or_else(|| ApiError::from(store::StoreError::not_found(format!("gate {gate_id}"))))?;
    let now = crate::now();
    let network = router.network();
    let projection = network.projection();
    let in_force: Vec<_> = router
        .hazards()
        .into_iter()
        .filter(|h| h.active_at(now))
        .filter_map(|h| stored_hazard_id(op, h.id()).map(|id| (id, h)))
        .collect();
    let route = router.route(rv.location, gate.location);
    let blocked = matches!(route, Err(safeconduct_route::RouteError::NoRoute));
    let segments: Vec<_> = match &route {
        // The stretches walked: from the RV's place on its street to the gate's.
        Ok(r) => r
            .line
            .windows(2)
            .map(|pair| {
                (
                    projection.project_coordinate(pair[0]),
                    projection.project_coordinate(pair[1]),
                )
            })
            .collect(),
        Err(safeconduct_route::RouteError::NoRoute) => vec![(
            projection.project_coordinate(rv.location),
            projection.project_coordinate(gate.location),
        )],
        Err(e) => return Err(route_error(e.clone())),
    };
    let on_way: Vec<HazardOnWayOut> = in_force
        .iter()
        .filter(|(_, h)| {
            let shape = h.shape(projection);
            segments.iter().any(|&(a, b)| shape.touches(a, b))
        })
        .filter_map(|(id, _)| hazards.iter().find(|s| s.id.0 == *id))
        .map(|s| HazardOnWayOut {
            id: s.id.0,
            kind: s.kind,
            severity: s.severity,
        })
        .collect();
    let warning = if blocked {
        Some(
            "Do not depart: every way to the gate is closed by a hazard. Call the coordinator."
                .to_string(),
        )
    } else if gate.status != GateStatus::Open {
        Some(format!(
            "Do not depart: the gate is {}.",
            gate.status.as_str()
        ))
    } else if !on_way.is_empty() {
        let hazards = match on_way.len() {
            1 => "a hazard".to_string(),
            n => format!("{n} hazards"),
        };
        Some(format!(
            "Caution: {hazards} on the way; the route already goes around what it can. Confirm with the coordinator before departing."
        ))
    } else {
        None
    };
    let route = route.ok().filter(|_| call.caller.role == Role::Coordinator);
    Ok(Json(WayOut {
        rv_id: rv_id.0,
        gate_id: gate_id.0,
        gate_status: gate.status,
        blocked,
        length_m: route.as_ref().map(|r| r.length_m.round() as u32),
        walking_minutes: route.as_ref().map(|r| (r.walking_s / 60.0).ceil() as u32),
        clear_to_depart: warning.is_none(),
        hazards: on_way,
        warning,
    }))
}
