//! Field devices: enrolment by a coordinator (for one user, role and places), registration of
//! the device's own public key with its one-time code, suspension, and the release of a gate's
//! location to an escort device for a window. The records devices sync are `scans`.
//!
//! Imports the place guards (`rvs`, `gates`) and `audit`; never scans, households or lifecycle.

use super::gates::require_gate;
use super::rvs::require_rv;
use super::step::require_operation;
use super::{Db, Row, audit, p};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

const DEVICE_COLUMNS: &str = "id, user_id, role, places, label, code_expires_at, public_key, \
     enrolled_at, suspended_at, applied_seq, last_sync_at, last_skew, created_at, \
     (SELECT username FROM users WHERE users.id = devices.user_id)";

fn places_text(role: Role, places: &Places) -> String {
    let ids: Vec<String> = match role {
        Role::Gate => places.gates.iter().map(|g| g.0.to_string()).collect(),
        _ => places.rvs.iter().map(|r| r.0.to_string()).collect(),
    };
    ids.join(",")
}

fn places_of(role: Role, text: &str) -> Result<Places> {
    let ids = text
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| StoreError::Internal(format!("a device's places read {text:?}")))
        })
        .collect::<Result<Vec<i64>>>()?;
    Ok(match role {
        Role::Gate => Places {
            rvs: vec![],
            gates: ids.into_iter().map(GateId).collect(),
        },
        _ => Places {
            rvs: ids.into_iter().map(RvId).collect(),
            gates: vec![],
        },
    })
}

fn device_row(r: &Row) -> Result<Device> {
    let role: Role = r
        .text(2)?
        .parse()
        .map_err(|_| StoreError::Internal("a device's role".into()))?;
    Ok(Device {
        id: FieldDeviceId(r.i64(0)?),
        user: UserId(r.i64(1)?),
        role,
        places: places_of(role, &r.text(3)?)?,
        label: r.text(4)?,
        code_expires_at: Timestamp(r.i64(5)?),
        public_key: r.opt_bytes(6)?,
        enrolled_at: r.opt_i64(7)?.map(Timestamp),
        suspended_at: r.opt_i64(8)?.map(Timestamp),
        applied_seq: r.i64(9)?,
        last_sync_at: r.opt_i64(10)?.map(Timestamp),
        last_skew: r.opt_i64(11)?,
        created_at: Timestamp(r.i64(12)?),
        username: r.text(13)?,
    })
}

pub(crate) fn device(db: &mut dyn Db, op: OperationId, id: FieldDeviceId) -> Result<Device> {
    let r = db.row_in_operation(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1 AND operation_id = $2"),
        "device",
        id.0,
        op,
    )?;
    device_row(&r)
}

pub(crate) fn devices(db: &mut dyn Db, op: OperationId) -> Result<Vec<Device>> {
    db.rows(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE operation_id = $1 ORDER BY id"),
        p![op.0],
    )?
    .iter()
    .map(device_row)
    .collect()
}

pub(crate) fn create_device(
    db: &mut dyn Db,
    op: OperationId,
    new: &NewDevice,
    actor: &Actor,
) -> Result<Device> {
    require_operation(db, op)?;
    // The role is checked first, so that a user of another operation and a name nobody has
    // get the same answer whatever places are named.
    if !new.role.works_at_places() {
        return Err(DomainError::invalid(
            "role",
            format!(
                "a field device is an escort's or gate staff's, not a {}'s",
                new.role
            ),
        )
        .into());
    }
    // The device acts for its user, in the role the user holds here.
    let holds_role = db
        .row(
            "SELECT 1 FROM user_roles WHERE user_id = $1 AND operation_id = $2 AND role = $3",
            p![new.user.0, op.0, new.role.as_str()],
        )?
        .is_some();
    if !holds_role {
        // The same words as for a name no user has (the server's answer), so that a
        // coordinator learns nothing of other operations' users.
        return Err(DomainError::expected(
            "username",
            Expected::User {
                role: new.role.to_string(),
            },
        )
        .into());
    }
    let places = match new.role {
        Role::Escort if !new.places.rvs.is_empty() && new.places.gates.is_empty() => {
            for rv in &new.places.rvs {
                require_rv(db, op, *rv)?;
            }
            &new.places
        }
        Role::Gate if !new.places.gates.is_empty() && new.places.rvs.is_empty() => {
            for gate in &new.places.gates {
                require_gate(db, op, *gate)?;
            }
            &new.places
        }
        Role::Escort | Role::Gate => {
            return Err(DomainError::invalid(
                "places",
                "an escort device serves one or more RVs (rv_ids), a gate device one or more \
                 gates (gate_ids), never both",
            )
            .into());
        }
        other => {
            return Err(DomainError::invalid(
                "role",
                format!("a field device is an escort's or gate staff's, not a {other}'s"),
            )
            .into());
        }
    };
    let (rvs, gates) = super::accounts::assigned_places(db, new.user, op, actor.at)?;
    if !places.rvs.iter().all(|r| rvs.contains(r))
        || !places.gates.iter().all(|g| gates.contains(g))
    {
        return Err(DomainError::invalid(
            "places",
            "a device serves only places assigned to its user",
        )
        .into());
    }
    let id = db
        .one(
            "INSERT INTO devices (operation_id, user_id, role, places, label, code_hash,
                                  code_expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            p![
                op.0,
                new.user.0,
                new.role.as_str(),
                places_text(new.role, places),
                new.label.as_str(),
                new.code_hash.as_slice(),
                new.code_expires_at.0,
                actor.at.0,
            ],
        )?
        .i64(0)?;
    audit::change(
        db,
        actor,
        Some(op),
        "device_enrolled",
        format!("device/{id}"),
    )?;
    device(db, op, FieldDeviceId(id))
}

/// Registers the device's public key with its one-time code. A wrong, used or expired code,
/// or a device of another user, is one answer: not found (a code guessed for someone else's
/// device tells nothing).
pub(crate) fn register_key(
    db: &mut dyn Db,
    op: OperationId,
    id: FieldDeviceId,
    code_hash: &[u8],
    public_key: &[u8],
    actor: &Actor,
) -> Result<Device> {
    let not_found = || StoreError::not_found(format!("device {id}"));
    let user = actor.user.ok_or_else(not_found)?;
    let changed = db.exec(
        "UPDATE devices SET public_key = $1, enrolled_at = $2, code_hash = NULL
         WHERE id = $3 AND operation_id = $4 AND user_id = $5 AND code_hash = $6
           AND code_expires_at >= $2 AND public_key IS NULL AND suspended_at IS NULL",
        p![public_key, actor.at.0, id.0, op.0, user.0, code_hash],
    )?;
    if changed != 1 {
        return Err(not_found());
    }
    audit::change(
        db,
        actor,
        Some(op),
        "device_key_registered",
        format!("device/{id}"),
    )?;
    device(db, op, id)
}

/// Suspends a device: its later syncs and kit requests are refused, its gate releases end,
/// and its user is signed out everywhere (a lost phone holds the user's session too: with it,
/// the finder could ask for the user's kit; the user signs in again on another device).
pub(crate) fn suspend_device(
    db: &mut dyn Db,
    op: OperationId,
    id: FieldDeviceId,
    actor: &Actor,
) -> Result<Device> {
    suspend(db, op, id, actor, "device_suspended")
}

/// Every device named, suspended in one transaction (the caller's); the first that is not
/// the operation's refuses the whole.
pub(crate) fn suspend_devices(
    db: &mut dyn Db,
    op: OperationId,
    ids: &[FieldDeviceId],
    actor: &Actor,
) -> Result<Vec<Device>> {
    ids.iter()
        .map(|&id| suspend(db, op, id, actor, "device_suspended"))
        .collect()
}

/// The actor's own device, wiped on the device by its user.
pub(crate) fn retire_device(
    db: &mut dyn Db,
    op: OperationId,
    id: FieldDeviceId,
    actor: &Actor,
) -> Result<Device> {
    if Some(device(db, op, id)?.user) != actor.user {
        return Err(StoreError::not_found(format!("device {id}")));
    }
    suspend(db, op, id, actor, "device_wiped")
}

fn suspend(
    db: &mut dyn Db,
    op: OperationId,
    id: FieldDeviceId,
    actor: &Actor,
    action: &str,
) -> Result<Device> {
    let current = device(db, op, id)?;
    if current.suspended_at.is_some() {
        return Ok(current);
    }
    db.exec(
        "UPDATE devices SET suspended_at = $1, code_hash = NULL WHERE id = $2",
        p![actor.at.0, id.0],
    )?;
    db.exec(
        "UPDATE gate_releases SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL",
        p![actor.at.0, id.0],
    )?;
    db.exec(
        "DELETE FROM sessions WHERE user_id = $1",
        p![current.user.0],
    )?;
    audit::change(db, actor, Some(op), action, format!("device/{id}"))?;
    device(db, op, id)
}

/// The device as its own user sees it, refused (as not found) for anyone else, and refused
/// with a conflict when suspended or not yet enrolled: the one check every device request
/// makes, inside the transaction that acts on it.
pub(crate) fn active_device_of(
    db: &mut dyn Db,
    op: OperationId,
    id: FieldDeviceId,
    actor: &Actor,
) -> Result<Device> {
    let d = device(db, op, id)?;
    if Some(d.user) != actor.user {
        return Err(StoreError::not_found(format!("device {id}")));
    }
    if d.suspended_at.is_some() {
        return Err(StoreError::DeviceSuspended(id));
    }
    if d.public_key.is_none() {
        return Err(StoreError::Conflict(format!(
            "device {id} has not registered its key yet"
        )));
    }
    Ok(d)
}

pub(crate) fn release_gate(
    db: &mut dyn Db,
    op: OperationId,
    gate: GateId,
    id: FieldDeviceId,
    window: WindowId,
    actor: &Actor,
) -> Result<GateRelease> {
    let d = device(db, op, id)?;
    require_gate(db, op, gate)?;
    let w = db.row_in_operation(
        "SELECT rv_id FROM windows WHERE id = $1 AND operation_id = $2",
        "window",
        window.0,
        op,
    )?;
    let rv = RvId(w.i64(0)?);
    if d.role != Role::Escort || !d.places.rvs.contains(&rv) {
        return Err(DomainError::invalid(
            "device",
            "a gate's location is released to an escort device serving the window's RV",
        )
        .into());
    }
    if d.suspended_at.is_some() {
        return Err(StoreError::DeviceSuspended(id));
    }
    let linked = db
        .row(
            "SELECT 1 FROM gate_rvs WHERE gate_id = $1 AND rv_id = $2",
            p![gate.0, rv.0],
        )?
        .is_some();
    if !linked {
        return Err(DomainError::invalid(
            "gate",
            "the gate receives no batches from the window's RV",
        )
        .into());
    }
    let rid = db
        .one(
            "INSERT INTO gate_releases (operation_id, gate_id, device_id, window_id, released_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            p![op.0, gate.0, id.0, window.0, actor.at.0],
        )?
        .i64(0)?;
    audit::change(
        db,
        actor,
        Some(op),
        "gate_location_released",
        format!("gate/{gate} device/{id} window/{window}"),
    )?;
    release(db, op, rid)
}

pub(crate) fn revoke_release(
    db: &mut dyn Db,
    op: OperationId,
    release_id: i64,
    actor: &Actor,
) -> Result<GateRelease> {
    let current = release(db, op, release_id)?;
    if current.revoked_at.is_none() {
        db.exec(
            "UPDATE gate_releases SET revoked_at = $1 WHERE id = $2",
            p![actor.at.0, release_id],
        )?;
        audit::change(
            db,
            actor,
            Some(op),
            "gate_location_withdrawn",
            format!("gate/{} device/{}", current.gate, current.device),
        )?;
    }
    release(db, op, release_id)
}

const RELEASE_COLUMNS: &str = "id, gate_id, device_id, window_id, released_at, revoked_at";

fn release_row(r: &Row) -> Result<GateRelease> {
    Ok(GateRelease {
        id: r.i64(0)?,
        gate: GateId(r.i64(1)?),
        device: FieldDeviceId(r.i64(2)?),
        window: WindowId(r.i64(3)?),
        released_at: Timestamp(r.i64(4)?),
        revoked_at: r.opt_i64(5)?.map(Timestamp),
    })
}

fn release(db: &mut dyn Db, op: OperationId, id: i64) -> Result<GateRelease> {
    let r = db.row_in_operation(
        &format!("SELECT {RELEASE_COLUMNS} FROM gate_releases WHERE id = $1 AND operation_id = $2"),
        "release",
        id,
        op,
    )?;
    release_row(&r)
}

/// Releases of gate locations to a device still in force (not revoked), every window.
pub(crate) fn releases_of(
    db: &mut dyn Db,
    op: OperationId,
    id: FieldDeviceId,
) -> Result<Vec<GateRelease>> {
    db.rows(
        &format!(
            "SELECT {RELEASE_COLUMNS} FROM gate_releases
             WHERE operation_id = $1 AND device_id = $2 AND revoked_at IS NULL ORDER BY id"
        ),
        p![op.0, id.0],
    )?
    .iter()
    .map(release_row)
    .collect()
}
