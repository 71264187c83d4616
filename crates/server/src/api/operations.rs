//! Operations: those the caller holds a role in, and one operation with the caller's roles.
//!
//! Must not depend on: other resource modules.

use crate::App;
use crate::auth::Caller;
use crate::endpoints::{ANY_ROLE, Access::Roles, Access::SignedIn, Endpoint, endpoint, json};
use crate::extract::Call;
use crate::wire::{Answer, time_text};
use axum::extract::State;
use axum::{Extension, Json};
use safeconduct_domain::Role;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::Serialize;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations", SignedIn, h::my_operations, "Operations the caller holds a role in" => json::<Vec<OperationOut>>(200)),
        endpoint!(GET "/api/operations/{op}", Roles(ANY_ROLE), h::operation, "One operation and the caller's roles in it" => json::<OperationOut>(200)),
    ]
}

#[derive(Serialize, JsonSchema)]
pub struct OperationOut {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    /// When the operation stopped taking new households (`safeconduct operation close`).
    pub closed_at: Option<String>,
    /// When its personal data was shredded (`safeconduct operation shred`): from then on every
    /// read of personal data answers 410.
    pub shredded_at: Option<String>,
    /// The caller's roles in this operation.
    pub roles: Vec<Role>,
}

impl OperationOut {
    pub fn new(o: store::Operation, roles: Vec<Role>) -> Self {
        OperationOut {
            id: o.id.0,
            name: o.name,
            created_at: time_text(o.created_at),
            closed_at: o.closed_at.map(time_text),
            shredded_at: o.shredded_at.map(time_text),
            roles,
        }
    }
}

pub async fn my_operations(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Answer<Vec<OperationOut>> {
    let user = caller.user;
    let ops = app
        .run(move |s| {
            let mut out = Vec::new();
            for o in s.operations()? {
                let roles = s.roles(user, o.id)?;
                if !roles.is_empty() {
                    out.push((o, roles));
                }
            }
            Ok(out)
        })
        .await?;
    Ok(Json(
        ops.into_iter()
            .map(|(o, roles)| OperationOut::new(o, roles))
            .collect(),
    ))
}

pub async fn operation(call: Call) -> Answer<OperationOut> {
    let Call { app, caller, .. } = call;
    let id = caller.operation;
    let user = caller.user;
    let (o, roles) = app
        .run(move |s| Ok((s.operation(id)?, s.roles(user, id)?)))
        .await?;
    Ok(Json(OperationOut::new(o, roles)))
}
