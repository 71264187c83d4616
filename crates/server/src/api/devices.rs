//! Field devices: a coordinator enrols a device for an escort or gate user and its places and
//! hands over a one-time code; the device registers its own public key with it, then asks for
//! its field kit with a signed request. A coordinator lists and suspends devices and releases
//! a gate's location to an escort device for a window. The records devices sync are
//! `scans.rs`.
//!
//! Must not depend on: other resource modules.

use crate::ApiError;
use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, FIELD, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, Created, time_text};
use axum::Json;
use safeconduct_domain::model::GateStatus;
use safeconduct_domain::*;
use safeconduct_keys::devices::{self as device_keys, DevicePublicKey, Signed};
use safeconduct_keys::passes::{FieldKit, KitPlaces};
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How long a one-time enrolment code may be used: one hour.
pub const ENROLMENT_CODE_SECONDS: i64 = 3600;
/// How long a field kit may be used before the device must ask for a new one: twelve hours,
/// on the device's clock. A suspended device gets none (its tier keys outlive the kit: a
/// seized device's are rotated as compromised, docs/field-protocol.md §11).
pub const KIT_VALID_SECONDS: i64 = 12 * 3600;
/// How long before its window opens a released gate location goes into an escort device's
/// kit: time to plan the walk, not a day to pass it on.
pub const GATE_LOCATION_LEAD_SECONDS: i64 = 3600;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/devices", Roles(COORDINATOR), h::enrol_device, "Enrol a field device for an escort or gate user and its places; answers a one-time code (valid one hour) with which the device registers its own key", body: DeviceIn => json::<EnrolledOut>(201)),
        endpoint!(GET "/api/operations/{op}/devices", Roles(COORDINATOR), h::devices, "The operation's field devices, with their last sync and clock skew" => json::<Vec<DeviceOut>>(200)),
        endpoint!(POST "/api/operations/{op}/devices/{device}/suspend", Roles(COORDINATOR), h::suspend_device, "Suspend a device (lost, stolen, wiped): its later syncs and kit requests are refused and its gate releases end" => json::<DeviceOut>(200)),
        endpoint!(POST "/api/operations/{op}/devices/suspend", Roles(COORDINATOR), h::suspend_devices, "Suspend several devices at once (a lost bag of phones), enrolled or not yet connected, in one transaction: all of them or none; each suspension is audited", body: DevicesSuspendIn => json::<Vec<DeviceOut>>(200)),
        endpoint!(POST "/api/operations/{op}/devices/{device}/retire", Roles(FIELD), h::retire_device, "The device's own user reports the device wiped: it is suspended as a coordinator would (its key, kit requests and syncs refused; the user's sessions end)" => json::<DeviceOut>(200)),
        endpoint!(POST "/api/operations/{op}/devices/{device}/key", Roles(FIELD), h::register_device_key, "The device's user registers the key the device made, with the one-time code (once)", body: DeviceKeyIn => json::<DeviceOut>(200)),
        endpoint!(POST "/api/operations/{op}/devices/{device}/kit", Roles(FIELD), h::device_kit, "The device's field kit, for a request signed with its key: keys and tier keys of its places, the status list, its RVs' windows of the kit's twelve hours and their expected counts, released gate locations, the server's time and the kit's expiry; never a roster", body: KitRequestIn => json::<DeviceKitOut>(200)),
        endpoint!(POST "/api/operations/{op}/gates/{gate}/releases", Roles(COORDINATOR), h::release_gate, "Release the gate's location to an escort device for one window of its RV (audited; revocable)", body: ReleaseIn => json::<ReleaseOut>(201)),
        endpoint!(POST "/api/operations/{op}/gate-releases/{release}/revoke", Roles(COORDINATOR), h::revoke_release, "Withdraw a gate location released to a device; its next kit no longer carries it" => json::<ReleaseOut>(200)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceIn {
    /// The escort or gate user the device acts for.
    #[schemars(length(min = 1, max = 64))]
    pub username: String,
    /// `escort` or `gate`.
    pub role: Role,
    /// An escort device's rendezvous points (among its user's).
    #[serde(default)]
    pub rv_ids: Vec<i64>,
    /// A gate device's gates (among its user's).
    #[serde(default)]
    pub gate_ids: Vec<i64>,
    /// A name people recognise the device by ("RV 3 phone 2"); no personal data.
    #[schemars(length(min = 1, max = 60))]
    pub label: String,
}

#[derive(Serialize, JsonSchema)]
pub struct DeviceOut {
    pub id: i64,
    pub user_id: i64,
    /// The name its user signs in with.
    pub username: String,
    pub role: Role,
    pub rv_ids: Vec<i64>,
    pub gate_ids: Vec<i64>,
    pub label: String,
    /// `waiting_for_key`, `active` or `suspended`.
    pub state: String,
    pub enrolled_at: Option<String>,
    pub suspended_at: Option<String>,
    /// Every record up to this sequence number took effect.
    pub applied_seq: i64,
    pub last_sync_at: Option<String>,
    /// Server time minus device time at the last sync, in seconds.
    pub last_skew_seconds: Option<i64>,
}

impl From<store::Device> for DeviceOut {
    fn from(d: store::Device) -> Self {
        let state = if d.suspended_at.is_some() {
            "suspended"
        } else if d.public_key.is_some() {
            "active"
        } else {
            "waiting_for_key"
        };
        DeviceOut {
            id: d.id.0,
            user_id: d.user.0,
            username: d.username,
            role: d.role,
            rv_ids: d.places.rvs.iter().map(|r| r.0).collect(),
            gate_ids: d.places.gates.iter().map(|g| g.0).collect(),
            label: d.label,
            state: state.into(),
            enrolled_at: d.enrolled_at.map(time_text),
            suspended_at: d.suspended_at.map(time_text),
            applied_seq: d.applied_seq,
            last_sync_at: d.last_sync_at.map(time_text),
            last_skew_seconds: d.last_skew,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct EnrolledOut {
    pub device: DeviceOut,
    /// Give it to the device once (typed or as a QR); it is not kept and cannot be read again.
    pub enrolment_code: String,
    /// The text of the enrolment's QR code, `SCE1:{operation}/{device}/{code}`: the scanner's
    /// enrolment screen reads it with the camera. As secret as the code.
    pub enrolment_qr: String,
    /// That QR code as an SVG image, to show on the coordinator's screen.
    pub enrolment_qr_svg: String,
    pub code_expires_at: String,
}

/// The most devices one bulk suspension names.
pub const MAX_DEVICES_SUSPENDED: usize = 1000;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DevicesSuspendIn {
    /// The devices to suspend (ids from the device list), 1 to 1000.
    #[schemars(length(min = 1, max = 1000))]
    pub device_ids: Vec<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceKeyIn {
    #[schemars(length(min = 1, max = 40))]
    pub code: String,
    /// The device's Ed25519 public key: 32 bytes, base64url without padding.
    #[schemars(length(min = 43, max = 43))]
    pub public_key: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KitRequestIn {
    /// `{"format":"safeconduct-kit-request/1","op":…,"device":…,"at":…}` as the device wrote
    /// it (docs/field-protocol.md).
    #[schemars(length(min = 1, max = 512))]
    pub request: String,
    /// The device's signature over the request's bytes, base64url without padding.
    #[schemars(length(min = 86, max = 86))]
    pub signature: String,
}

#[derive(Serialize, JsonSchema)]
pub struct KitWindowOut {
    pub id: i64,
    pub rv_id: i64,
    pub start: String,
    pub end: String,
    /// People assigned to the window: how many the escort should expect (a count, no names).
    pub expected_people: u32,
}

#[derive(Serialize, JsonSchema)]
pub struct GateLocationOut {
    pub gate_id: i64,
    pub window_id: i64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Serialize, JsonSchema)]
pub struct DeviceKitOut {
    pub device: i64,
    /// The server's clock when the kit was made (RFC 3339): set the device's clock from it.
    pub server_time: String,
    /// After this moment the device must not verify with this kit: it asks for a new one.
    pub expires_at: String,
    /// The device clock's skew measured from the request: server time minus device time.
    pub skew_seconds: i64,
    pub kit: FieldKit,
    /// Windows at the device's RVs (an escort device) with their expected counts: those not
    /// yet over that open before the kit expires.
    pub windows: Vec<KitWindowOut>,
    /// Gate locations released to this device, per window; none unless a coordinator released
    /// them, and each only from an hour before its window opens until it ends, while the gate
    /// is open.
    pub gate_locations: Vec<GateLocationOut>,
}

#[derive(Deserialize)]
pub struct DevicePath {
    pub(crate) device: i64,
}

#[derive(Deserialize)]
pub struct GatePath {
    gate: i64,
}

#[derive(Deserialize)]
pub struct ReleasePath {
    release: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseIn {
    pub device_id: i64,
    pub window_id: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct ReleaseOut {
    pub id: i64,
    pub gate_id: i64,
    pub device_id: i64,
    pub window_id: i64,
    pub released_at: String,
    pub revoked_at: Option<String>,
}

impl From<store::GateRelease> for ReleaseOut {
    fn from(r: store::GateRelease) -> Self {
        ReleaseOut {
            id: r.id,
            gate_id: r.gate.0,
            device_id: r.device.0,
            window_id: r.window.0,
            released_at: time_text(r.released_at),
            revoked_at: r.revoked_at.map(time_text),
        }
    }
}

pub async fn enrol_device(call: Call, ApiJson(body): ApiJson<DeviceIn>) -> Created<EnrolledOut> {
    let label = crate::wire::text("label", &body.label, 60)?;
    if !body.role.works_at_places() {
        return Err(ApiError::invalid(
            "role",
            "a field device is an escort's or gate staff's: escort or gate",
        ));
    }
    let username = body.username.clone();
    let op = call.caller.operation;
    // Found only among this operation's users: a user of another one is refused as a name
    // nobody has, by the same statement (the store checks the role again).
    let (user, _) = call
        .app
        .run(move |s| s.operation_user(op, &username))
        .await?
        .ok_or_else(|| ApiError::expected("username", no_field_user(body.role)))?;
    let code = safeconduct_keys::enrolment_code();
    let now = crate::now();
    let new = store::NewDevice {
        user,
        role: body.role,
        places: store::Places {
            rvs: body.rv_ids.iter().copied().map(RvId).collect(),
            gates: body.gate_ids.iter().copied().map(GateId).collect(),
        },
        label: label.as_str().to_string(),
        code_hash: device_keys::code_digest(&code).to_vec(),
        code_expires_at: values::Timestamp(now.0 + ENROLMENT_CODE_SECONDS),
    };
    let device = call
        .act(move |s, op, a| s.create_device(op, &new, a))
        .await?;
    let qr_text = device_keys::enrolment_qr_text(call.caller.operation, device.id, &code);
    // About 40 characters: far below what a QR code holds, so this cannot fail.
    let qr = safeconduct_pass::qr::Qr::new(&qr_text).map_err(|_| ApiError::internal())?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(EnrolledOut {
            code_expires_at: time_text(device.code_expires_at),
            enrolment_qr_svg: qr
                .svg_labelled(&format!("enrolment QR code of device {}", device.id.0)),
            device: device.into(),
            enrolment_code: code,
            enrolment_qr: qr_text,
        }),
    ))
}

/// One answer for a name no user has and a user without the role in this operation: a
/// coordinator learns nothing of other operations' users.
pub(crate) fn no_field_user(role: Role) -> Expected {
    Expected::User {
        role: role.to_string(),
    }
}

pub async fn devices(call: Call) -> Answer<Vec<DeviceOut>> {
    call.list(|s, op| s.devices(op)).await
}

/// A suspension ends the sessions of the device's user in the store; this server forgets them
/// at once too (the others within [`crate::auth::SESSION_CACHE_SECONDS`]).
fn sessions_ended(call: &Call<impl Send>, devices: &[store::Device]) {
    let users: Vec<_> = devices.iter().map(|d| d.user).collect();
    call.app.sessions.forget_users(&users);
}

pub async fn suspend_device(call: Call<DevicePath>) -> Answer<DeviceOut> {
    let id = FieldDeviceId(call.path.device);
    let device = call
        .act(move |s, op, a| s.suspend_device(op, id, a))
        .await?;
    sessions_ended(&call, std::slice::from_ref(&device));
    Ok(Json(device.into()))
}

pub async fn suspend_devices(
    call: Call,
    ApiJson(body): ApiJson<DevicesSuspendIn>,
) -> Answer<Vec<DeviceOut>> {
    let n = body.device_ids.len();
    if n == 0 || n > MAX_DEVICES_SUSPENDED {
        return Err(ApiError::invalid(
            "device_ids",
            &format!("name 1 to {MAX_DEVICES_SUSPENDED} devices, not {n}"),
        ));
    }
    let ids: Vec<FieldDeviceId> = body.device_ids.into_iter().map(FieldDeviceId).collect();
    let suspended = call
        .act(move |s, op, a| s.suspend_devices(op, &ids, a))
        .await?;
    sessions_ended(&call, &suspended);
    Ok(Json(suspended.into_iter().map(DeviceOut::from).collect()))
}

pub async fn retire_device(call: Call<DevicePath>) -> Answer<DeviceOut> {
    let id = FieldDeviceId(call.path.device);
    let device = call.act(move |s, op, a| s.retire_device(op, id, a)).await?;
    sessions_ended(&call, std::slice::from_ref(&device));
    Ok(Json(device.into()))
}

pub async fn register_device_key(
    call: Call<DevicePath>,
    ApiJson(body): ApiJson<DeviceKeyIn>,
) -> Answer<DeviceOut> {
    let id = FieldDeviceId(call.path.device);
    let key = DevicePublicKey::parse(&body.public_key).map_err(signed_error)?;
    let digest = device_keys::code_digest(&body.code);
    call.change(move |s, op, a| s.register_device_key(op, id, &digest, &key.to_bytes(), a))
        .await
}

pub(crate) fn signed_error(e: device_keys::SignedError) -> ApiError {
    ApiError::invalid(&e.field, &e.reason)
}

/// The device's key, for a device of the caller that is enrolled and not suspended.
pub(crate) async fn device_key(
    call: &Call<DevicePath>,
) -> Result<(store::Device, DevicePublicKey), ApiError> {
    let id = FieldDeviceId(call.path.device);
    let device = call.act(move |s, op, a| s.active_device(op, id, a)).await?;
    let key = device
        .public_key
        .as_deref()
        .and_then(DevicePublicKey::from_stored)
        .ok_or_else(|| ApiError::from(store::StoreError::Internal("a stored device key".into())))?;
    Ok((device, key))
}

pub async fn device_kit(
    call: Call<DevicePath>,
    ApiJson(body): ApiJson<KitRequestIn>,
) -> Answer<DeviceKitOut> {
    let (device, key) = device_key(&call).await?;
    let signed = Signed {
        text: &body.request,
        signature: &body.signature,
    };
    device_keys::verify_one(&key, &signed).map_err(signed_error)?;
    let op = call.caller.operation;
    let device_time =
        device_keys::read_kit_request(&body.request, op, device.id).map_err(signed_error)?;
    let now = crate::now();
    let skew = now.0.saturating_sub(device_time.0);
    if skew.unsigned_abs() > safeconduct_domain::field::CLOCK_SKEW_SECONDS as u64 {
        return Err(ApiError::invalid(
            "request",
            "the request's time is more than a day from the server's: a replayed request, or a \
             device clock to set right",
        ));
    }
    // A user assigned nowhere now gets no kit, as every place-scoped request is refused.
    match device.role {
        Role::Gate => call.caller.current_gates().map(|_| ())?,
        _ => call.caller.current_rvs().map(|_| ())?,
    }
    // The device's places that its user still holds now: a user moved elsewhere takes none
    // of the old places' keys along on the device.
    let holds = |rv: Option<RvId>, gate: Option<GateId>| {
        call.caller
            .places
            .as_ref()
            .is_none_or(|p| p.include(Some(device.role), rv, gate))
    };
    let places = match device.role {
        Role::Gate => KitPlaces::Gates(
            device
                .places
                .gates
                .iter()
                .copied()
                .filter(|g| holds(None, Some(*g)))
                .collect(),
        ),
        _ => KitPlaces::Rvs(
            device
                .places
                .rvs
                .iter()
                .copied()
                .filter(|r| holds(Some(*r), None))
                .collect(),
        ),
    };
    let keyring = call.app.keyring().clone();
    let (role, id) = (device.role, device.id);
    let (kit, windows, gates, releases) = call
        .app
        .run(move |s| {
            let kit = keyring.field_kit(s, op, role, &places, now)?;
            Ok((kit, s.windows(op)?, s.gates(op)?, s.gate_releases(op, id)?))
        })
        .await?;
    // A gate's location goes to the device only when needed: from shortly before its
    // window opens until it ends, and while the gate is open. A release made a day ahead, or
    // for a gate suspended or closed since, puts nothing in the kit until then.
    let live_window = |id: WindowId| {
        windows.iter().any(|w| {
            w.id == id
                && w.spec.start.0 - GATE_LOCATION_LEAD_SECONDS <= now.0
                && w.spec.end.0 >= now.0
                && holds(Some(w.rv), None)
        })
    };
    let gate_locations = releases
        .iter()
        .filter(|r| live_window(r.window))
        .filter_map(|r| {
            let g = gates
                .iter()
                .find(|g| g.id == r.gate && g.status == GateStatus::Open)?;
            Some(GateLocationOut {
                gate_id: g.id.0,
                window_id: r.window.0,
                name: g.name.clone(),
                lat: g.location.lat(),
                lon: g.location.lon(),
            })
        })
        .collect();
    // Only the windows the kit can serve: not yet over, and opening before it expires. A
    // seized device shows the schedule of half a day, not the operation's.
    let kit_ends = now.0 + KIT_VALID_SECONDS;
    let windows = windows
        .into_iter()
        .filter(|w| w.spec.end.0 >= now.0 && w.spec.start.0 <= kit_ends)
        .filter(|w| device.places.rvs.contains(&w.rv) && holds(Some(w.rv), None))
        .map(|w| KitWindowOut {
            id: w.id.0,
            rv_id: w.rv.0,
            start: time_text(w.spec.start),
            end: time_text(w.spec.end),
            expected_people: w.assigned_people,
        })
        .collect();
    Ok(Json(DeviceKitOut {
        device: device.id.0,
        server_time: time_text(now),
        expires_at: time_text(values::Timestamp(now.0 + KIT_VALID_SECONDS)),
        skew_seconds: skew,
        kit,
        windows,
        gate_locations,
    }))
}

pub async fn release_gate(
    call: Call<GatePath>,
    ApiJson(body): ApiJson<ReleaseIn>,
) -> Created<ReleaseOut> {
    let gate = GateId(call.path.gate);
    let (device, window) = (FieldDeviceId(body.device_id), WindowId(body.window_id));
    call.create(move |s, op, a| s.release_gate(op, gate, device, window, a))
        .await
}

pub async fn revoke_release(call: Call<ReleasePath>) -> Answer<ReleaseOut> {
    let release = call.path.release;
    call.change(move |s, op, a| s.revoke_gate_release(op, release, a))
        .await
}
