//! An operation's pass keys: the public keys as COSE_Key, key rotation (a compromised key
//! revokes every pass it signed), the signed status list, and the field kit a coordinator
//! provisions a device with by hand (an escort or gate device gets its kit as an enrolled
//! device, with a signed request: `devices`). The keys themselves stay in the keyring
//! (`crate::passes`); no answer carries an issuer secret, and a field kit carries the tier keys
//! of one tier at the places named.
//!
//! Must not depend on: other resource modules but `passes` (a re-issued pass is shown as a
//! revoked one is).

use super::passes::RevokedOut;
use crate::ApiError;
use crate::endpoints::{ANY_ROLE, Access::Roles, COORDINATOR, Endpoint, endpoint, json};
use crate::extract::{ApiJson, ApiQuery, Call};
use crate::wire::{Answer, time_text};
use axum::Json;
use safeconduct_domain::*;
use safeconduct_keys::passes::{FieldKit, KitPlaces};
use safeconduct_pass::{KeyId, Tier};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations/{op}/keys", Roles(ANY_ROLE), ph::keys, "The operation's public pass keys as COSE_Key" => json::<KeySetOut>(200)),
        endpoint!(POST "/api/operations/{op}/keys/rotate", Roles(COORDINATOR), ph::rotate_keys, "Replace the signing key; a compromised key revokes every pass it signed, optionally re-issued at once", body: RotateIn => json::<RotationOut>(200)),
        endpoint!(GET "/api/operations/{op}/status-list", Roles(ANY_ROLE), ph::status_list, "The signed revocation status list, for field devices to refresh" => json::<StatusListOut>(200)),
        endpoint!(GET "/api/operations/{op}/field-kit", Roles(COORDINATOR), ph::field_kit, "A coordinator provisioning a device by hand: keys, the tier keys of one place and the status list, to verify passes offline; names its tier and place: tier=checkpoint&rv=ID or tier=gate&gate=ID. Escort and gate devices get their kits only as enrolled devices, with a signed kit request (POST …/devices/{device}/kit)", query: ["tier", "rv", "gate"] => json::<safeconduct_keys::passes::FieldKit>(200)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateIn {
    /// The current key may be known to others: every pass it signed is revoked.
    pub compromised: bool,
    /// Re-issue at once, in the same transaction, every pass the current key signed that is
    /// still held by a household whose stage and window allow a pass.
    #[serde(default)]
    pub reissue: bool,
    /// The key to replace (8 hex digits, as `…/keys` shows the active one): the rotation is
    /// refused (409) when another key is active now, so that a request sent twice rotates once.
    pub replacing: Option<String>,
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
    /// When asked to re-issue: the households not issued a pass anew that still have a
    /// checkpoint to pass, with their stage and what is to be done. They keep the old pass,
    /// revoked when the key was compromised.
    pub not_reissued: Vec<NotReissuedOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct NotReissuedOut {
    pub reference: String,
    pub stage: Stage,
    /// True: between its RV and the gate's check-in; the gate checks it in by its reference.
    /// False: marked no-show, or its window over; reassign it to an open window, then issue
    /// its pass.
    pub check_in_by_reference: bool,
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
    let replacing = match body.replacing.as_deref() {
        None => None,
        Some(hex) => Some(KeyId::from_hex(hex).ok_or_else(|| {
            ApiError::invalid(
                "replacing",
                "expected a key id of 8 hex digits, as …/keys shows it",
            )
        })?),
    };
    let keyring = app.keyring().clone();
    let (rotation, kid) = app
        .run(move |s| keyring.rotate(s, op, body.compromised, body.reissue, replacing, &actor))
        .await?;
    Ok(Json(RotationOut {
        previous_kid: rotation.previous.map(|k| KeyId(k).to_hex()),
        kid: kid.to_hex(),
        compromised: body.compromised,
        affected: rotation.affected.len(),
        reissued: rotation
            .reissued
            .iter()
            .map(|p| RevokedOut {
                reference: p.reference.to_string(),
                pass_index: p.pass_index,
            })
            .collect(),
        not_reissued: rotation
            .not_reissued
            .into_iter()
            .map(|(reference, stage)| NotReissuedOut {
                reference: reference.to_string(),
                stage,
                check_in_by_reference: stage.between_rv_and_check_in(),
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
    rv: Option<i64>,
    gate: Option<i64>,
}

/// A session token alone never gets a field kit: escort and gate devices ask for theirs as
/// enrolled devices, signing the request with the device's key, so that a stolen password or
/// session opens no pass. A coordinator provisioning a device names its tier and place.
pub async fn field_kit(call: Call, ApiQuery(q): ApiQuery<KitQuery>) -> Answer<FieldKit> {
    let Call { app, caller, .. } = call;
    let op = caller.operation;
    let tier = match q.tier.as_deref() {
        None => None,
        Some("checkpoint") => Some(Tier::Checkpoint),
        Some("gate") => Some(Tier::Gate),
        Some(_) => return Err(ApiError::invalid("tier", "expected checkpoint or gate")),
    };
    let places = provisioned(tier, q.rv, q.gate)?;
    let role = caller.role;
    let keyring = app.keyring().clone();
    let kit = app
        .run(move |s| keyring.field_kit(s, op, role, &places, crate::now()))
        .await?;
    Ok(Json(kit))
}

/// The places of a device a coordinator provisions: its tier and one place of that tier.
fn provisioned(
    tier: Option<Tier>,
    rv: Option<i64>,
    gate: Option<i64>,
) -> Result<KitPlaces, ApiError> {
    match (tier, rv, gate) {
        (None, ..) => Err(ApiError::invalid(
            "tier",
            "a coordinator provisioning a device names its tier and place: tier=checkpoint&rv=ID or tier=gate&gate=ID",
        )),
        (Some(Tier::Checkpoint), Some(rv), None) => Ok(KitPlaces::Rvs(vec![RvId(rv)])),
        (Some(Tier::Gate), None, Some(gate)) => Ok(KitPlaces::Gates(vec![GateId(gate)])),
        (Some(Tier::Checkpoint), ..) => Err(ApiError::invalid(
            "rv",
            "a checkpoint kit names its rendezvous point with rv=ID, and no gate",
        )),
        (Some(Tier::Gate), ..) => Err(ApiError::invalid(
            "gate",
            "a gate kit names its gate with gate=ID, and no rv",
        )),
    }
}
