//! An operation's pass keys: the public keys as COSE_Key, key rotation (a compromised key
//! revokes every pass it signed), the signed status list, and the field kit a device verifies
//! passes with offline. The keys themselves stay in the keyring (`crate::passes`); no answer
//! carries an issuer secret, and a field kit carries the tier key of the caller's own role.
//!
//! Must not depend on: other resource modules but `passes` (a re-issued pass is shown as a
//! revoked one is).

use super::passes::RevokedOut;
use crate::ApiError;
use crate::endpoints::{ANY_ROLE, Access::Roles, COORDINATOR, Endpoint, FIELD_KIT, endpoint, json};
use crate::extract::{ApiJson, ApiQuery, Call};
use crate::wire::{Answer, time_text};
use axum::Json;
use safeconduct_domain::*;
use safeconduct_keys::passes::FieldKit;
use safeconduct_pass::{KeyId, Tier};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations/{op}/keys", Roles(ANY_ROLE), ph::keys, "The operation's public pass keys as COSE_Key" => json::<KeySetOut>(200)),
        endpoint!(POST "/api/operations/{op}/keys/rotate", Roles(COORDINATOR), ph::rotate_keys, "Replace the signing key; a compromised key revokes every pass it signed, optionally re-issued at once", body: RotateIn => json::<RotationOut>(200)),
        endpoint!(GET "/api/operations/{op}/status-list", Roles(ANY_ROLE), ph::status_list, "The signed revocation status list, for field devices to refresh" => json::<StatusListOut>(200)),
        endpoint!(GET "/api/operations/{op}/field-kit", Roles(FIELD_KIT), ph::field_kit, "Keys, the caller's tier key and the status list, to verify passes offline (coordinators name the tier of the device they provision)", query: ["tier"] => json::<safeconduct_keys::passes::FieldKit>(200)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateIn {
    /// The current key may be known to others: every pass it signed is revoked.
    pub compromised: bool,
    /// Re-issue at once every pass the current key signed that is still held.
    #[serde(default)]
    pub reissue: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct RotationOut {
    pub previous_kid: Option<String>,
    pub kid: String,
    pub compromised: bool,
    /// Households that held a valid pass signed by the previous key.
    pub affected: usize,
    /// Passes issued anew, when asked to re-issue.
    pub reissued: Vec<RevokedOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct KeySetOut {
    pub keys: Vec<safeconduct_keys::passes::KeyOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct StatusListOut {
    pub issued_at: String,
    /// The signed status list (COSE_Sign1), base64url without padding.
    pub signed: String,
}

pub async fn keys(call: Call) -> Answer<KeySetOut> {
    let Call { app, caller, .. } = call;
    let op = caller.operation;
    let keyring = app.keyring().clone();
    let keys = app
        .run(move |s| keyring.key_set(s, op, crate::now()))
        .await?;
    Ok(Json(KeySetOut { keys }))
}

pub async fn rotate_keys(call: Call, ApiJson(body): ApiJson<RotateIn>) -> Answer<RotationOut> {
    let Call { app, caller, .. } = call;
    let op = caller.operation;
    let actor = caller.actor(crate::now());
    let keyring = app.keyring().clone();
    let (rotation, kid, issued) = app
        .run(move |s| keyring.rotate(s, op, body.compromised, body.reissue, &actor))
        .await?;
    Ok(Json(RotationOut {
        previous_kid: rotation.previous.map(|k| KeyId(k).to_hex()),
        kid: kid.to_hex(),
        compromised: body.compromised,
        affected: rotation.affected.len(),
        reissued: issued
            .iter()
            .map(|p| RevokedOut {
                reference: p.reference.to_string(),
                pass_index: p.pass_index,
            })
            .collect(),
    }))
}

pub async fn status_list(call: Call) -> Answer<StatusListOut> {
    let Call { app, caller, .. } = call;
    let op = caller.operation;
    let keyring = app.keyring().clone();
    let now = crate::now();
    let signed = app.run(move |s| keyring.status_list(s, op, now)).await?;
    Ok(Json(StatusListOut {
        issued_at: time_text(now),
        signed: safeconduct_keys::passes::b64(&signed),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitQuery {
    tier: Option<String>,
}

pub async fn field_kit(call: Call, ApiQuery(q): ApiQuery<KitQuery>) -> Answer<FieldKit> {
    let Call { app, caller, .. } = call;
    let op = caller.operation;
    let tier = match q.tier.as_deref() {
        None => None,
        Some("checkpoint") => Some(Tier::Checkpoint),
        Some("gate") => Some(Tier::Gate),
        Some(_) => return Err(ApiError::invalid("tier", "expected checkpoint or gate")),
    };
    let role = caller.role;
    if role != Role::Coordinator && tier.is_some_and(|t| t != own_tier(role)) {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "a field device receives the key of its own tier only",
        ));
    }
    if role == Role::Coordinator && tier.is_none() {
        return Err(ApiError::invalid(
            "tier",
            "a coordinator provisioning a device names its tier: checkpoint or gate",
        ));
    }
    let keyring = app.keyring().clone();
    let kit = app
        .run(move |s| keyring.field_kit(s, op, role, tier, crate::now()))
        .await?;
    Ok(Json(kit))
}

fn own_tier(role: Role) -> Tier {
    if role == Role::Gate {
        Tier::Gate
    } else {
        Tier::Checkpoint
    }
}
