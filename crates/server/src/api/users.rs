//! Users in an operation: the places (rendezvous points, gates) an escort or gate user may act
//! at, optionally for a time.
//!
//! Must not depend on: other resource modules.

use crate::ApiError;
use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, parse_time, time_text};
use axum::Json;
use safeconduct_domain::*;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations/{op}/field-users", Roles(COORDINATOR), h::field_users, "Who acts where: the escort and gate users with the rendezvous points and gates they act at now, and the places that receive people with nobody to act there" => json::<FieldUsersOut>(200)),
        endpoint!(PUT "/api/operations/{op}/users/{username}/places", Roles(COORDINATOR), h::assign_places, "Assign an escort or gate user the rendezvous points and gates they may act at, optionally for a time", body: PlacesIn => json::<PlacesOut>(200)),
    ]
}

/// The places an escort or gate user may act at. Replaces earlier assignments.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacesIn {
    #[serde(default)]
    pub rv_ids: Vec<i64>,
    #[serde(default)]
    pub gate_ids: Vec<i64>,
    /// RFC 3339; the assignment starts then (default: now).
    pub valid_from: Option<String>,
    /// RFC 3339; the assignment ends then (default: never).
    pub valid_until: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct PlacesOut {
    pub username: String,
    pub rv_ids: Vec<i64>,
    pub gate_ids: Vec<i64>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

/// Who acts where, now.
#[derive(Serialize, JsonSchema)]
pub struct FieldUsersOut {
    /// By user name.
    pub users: Vec<FieldUserOut>,
    /// Rendezvous points that receive people (agreed, active) where no escort acts: nobody
    /// there can admit a household.
    pub rvs_without_escort: Vec<PlaceNameOut>,
    /// Open gates where no gate staff act: nobody there can record an arrival.
    pub gates_without_staff: Vec<PlaceNameOut>,
}

/// An escort or gate user and the places they act at now (none, where none is assigned).
#[derive(Serialize, JsonSchema)]
pub struct FieldUserOut {
    pub username: String,
    /// Their roles that work at places: `escort`, `gate`.
    pub roles: Vec<Role>,
    pub rvs: Vec<PlaceNameOut>,
    pub gates: Vec<PlaceNameOut>,
}

/// A rendezvous point or a gate: its number and its name.
#[derive(Serialize, JsonSchema)]
pub struct PlaceNameOut {
    pub id: i64,
    pub name: String,
}

pub async fn field_users(call: Call) -> Answer<FieldUsersOut> {
    let now = crate::now();
    let (users, rvs, gates) = call
        .read(move |s, id| Ok((s.field_users(id, now)?, s.rvs(id)?, s.gates(id)?)))
        .await?;
    let rv = |id: &RvId| PlaceNameOut {
        id: id.0,
        name: rvs
            .iter()
            .find(|r| r.id == *id)
            .map_or_else(String::new, |r| r.name.clone()),
    };
    let gate = |id: &GateId| PlaceNameOut {
        id: id.0,
        name: gates
            .iter()
            .find(|g| g.id == *id)
            .map_or_else(String::new, |g| g.name.clone()),
    };
    let acts_at = |role: Role, place: &dyn Fn(&store::FieldUser) -> bool| {
        users.iter().any(|u| u.roles.contains(&role) && place(u))
    };
    let rvs_without_escort = rvs
        .iter()
        .filter(|r| r.status.accepts_assignments())
        .filter(|r| !acts_at(Role::Escort, &|u| u.rvs.contains(&r.id)))
        .map(|r| rv(&r.id))
        .collect();
    let gates_without_staff = gates
        .iter()
        .filter(|g| g.status == safeconduct_domain::model::GateStatus::Open)
        .filter(|g| !acts_at(Role::Gate, &|u| u.gates.contains(&g.id)))
        .map(|g| gate(&g.id))
        .collect();
    let users = users
        .iter()
        .map(|u| FieldUserOut {
            username: u.username.clone(),
            roles: u.roles.clone(),
            rvs: u.rvs.iter().map(rv).collect(),
            gates: u.gates.iter().map(gate).collect(),
        })
        .collect();
    Ok(Json(FieldUsersOut {
        users,
        rvs_without_escort,
        gates_without_staff,
    }))
}

#[derive(Deserialize)]
pub struct UserPath {
    username: String,
}

pub async fn assign_places(
    call: Call<UserPath>,
    ApiJson(body): ApiJson<PlacesIn>,
) -> Answer<PlacesOut> {
    let Call {
        app,
        caller,
        path: p,
    } = call;
    let id = caller.operation;
    if body.rv_ids.len() + body.gate_ids.len() > 1000 {
        return Err(ApiError::invalid("rv_ids", "at most 1000 places"));
    }
    let valid_from = body
        .valid_from
        .as_deref()
        .map(|t| parse_time("valid_from", t))
        .transpose()?;
    let valid_until = body
        .valid_until
        .as_deref()
        .map(|t| parse_time("valid_until", t))
        .transpose()?;
    if let (Some(from), Some(until)) = (valid_from, valid_until)
        && until <= from
    {
        return Err(ApiError::expected("valid_until", Expected::AfterStart));
    }
    let places = store::PlaceAssignment {
        rvs: body.rv_ids.iter().copied().map(RvId).collect(),
        gates: body.gate_ids.iter().copied().map(GateId).collect(),
        valid_from,
        valid_until,
    };
    let username = p.username.clone();
    let actor = caller.actor(crate::now());
    let out = places.clone();
    app.run(move |s| {
        // A user who holds no role in this operation (one of another operation) is not found,
        // exactly as a name nobody has, by the same statement: neither the answer nor its
        // time tells which names exist elsewhere.
        let not_found = || store::StoreError::not_found(format!("user {username:?}"));
        let (user, roles) = s.operation_user(id, &username)?.ok_or_else(not_found)?;
        if !roles.iter().any(|r| r.works_at_places()) {
            return Err(store::StoreError::Conflict(format!(
                "{username:?} holds no escort or gate role in this operation; only those are assigned places"
            )));
        }
        s.assign_places(user, id, &places, &actor)
    })
    .await?;
    Ok(Json(PlacesOut {
        username: p.username,
        rv_ids: out.rvs.iter().map(|r| r.0).collect(),
        gate_ids: out.gates.iter().map(|g| g.0).collect(),
        valid_from: out.valid_from.map(time_text),
        valid_until: out.valid_until.map(time_text),
    }))
}
