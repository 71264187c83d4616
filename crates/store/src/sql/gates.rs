//! Gates: creation with the RVs they serve, status, and the guard that a gate exists in an
//! operation.
//!
//! Imports `step` and, for the RVs a gate serves, `rvs`.

use super::rvs::require_rv;
use super::step::{place_event, require_operation};
use super::{Db, p};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::model::{GateKind, GateStatus};
use safeconduct_domain::places::WalkingTime;
use safeconduct_domain::values::Coordinate;
use safeconduct_domain::*;

pub(crate) fn require_gate(db: &mut dyn Db, op: OperationId, gate: GateId) -> Result<()> {
    self::gate(db, op, gate).map(|_| ())
}

pub(crate) fn gate(db: &mut dyn Db, op: OperationId, gate: GateId) -> Result<Gate> {
    let r = db.row_in_operation(
        "SELECT name, lat, lon, kind, hourly_throughput, status FROM gates WHERE id = $1 AND operation_id = $2",
        "gate",
        gate.0,
        op,
    )?;
    let links = db.rows(
        "SELECT rv_id, walking_minutes FROM gate_rvs WHERE gate_id = $1 ORDER BY rv_id",
        p![gate.0],
    )?;
    let rvs = links
        .iter()
        .map(|r| r.i64(0).map(RvId))
        .collect::<Result<_>>()?;
    let walking = links
        .iter()
        .map(|r| Ok(WalkingTime::new(r.u32(1)?)?))
        .collect::<Result<_>>()?;
    let (kind, status) = (r.text(3)?, r.text(5)?);
    Ok(Gate {
        id: gate,
        name: r.text(0)?,
        location: Coordinate::new(r.f64(1)?, r.f64(2)?)?,
        kind: GateKind::parse(&kind)
            .ok_or_else(|| StoreError::Internal(format!("unexpected gate kind {kind:?}")))?,
        hourly_throughput: Throughput::new(r.u32(4)?)?,
        status: GateStatus::parse(&status)
            .ok_or_else(|| StoreError::Internal(format!("unexpected gate status {status:?}")))?,
        rvs,
        walking,
    })
}

pub(crate) fn gates(db: &mut dyn Db, op: OperationId) -> Result<Vec<Gate>> {
    let ids = db.rows(
        "SELECT id FROM gates WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )?;
    ids.iter()
        .map(|r| gate(db, op, GateId(r.i64(0)?)))
        .collect()
}

pub(crate) fn create_gate(
    db: &mut dyn Db,
    op: OperationId,
    g: &NewGate,
    actor: &Actor,
) -> Result<Gate> {
    require_operation(db, op)?;
    let id = GateId(
        db.one(
            "INSERT INTO gates (operation_id, name, lat, lon, kind, hourly_throughput, status)
             VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id",
            p![
                op.0,
                g.name.as_str(),
                g.location.lat(),
                g.location.lon(),
                g.kind.as_str(),
                g.hourly_throughput.get()
            ],
        )?
        .i64(0)?,
    );
    for rv in &g.rvs {
        require_rv(db, op, *rv)?;
        db.exec(
            "INSERT INTO gate_rvs (gate_id, rv_id, walking_minutes) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            p![id.0, rv.0, g.walking_time.minutes()],
        )?;
    }
    place_event(
        db,
        op,
        "gate_opened",
        serde_json::json!({}),
        None,
        Some(id),
        actor,
    )?;
    gate(db, op, id)
}

pub(crate) fn set_gate_status(
    db: &mut dyn Db,
    op: OperationId,
    id: GateId,
    status: GateStatus,
    actor: &Actor,
) -> Result<Gate> {
    require_gate(db, op, id)?;
    // Only a coordinator changes a gate that is not open: gate staff may stop their open gate,
    // never reopen one a coordinator or a hazard stopped, nor turn a closed one suspended.
    let guard = if actor.role == Some(Role::Coordinator) {
        ""
    } else {
        " AND status = 'open'"
    };
    let changed = db.exec(
        &format!("UPDATE gates SET status = $1 WHERE id = $2{guard}"),
        p![status.as_str(), id.0],
    )?;
    if changed == 0 {
        let current = gate(db, op, id)?;
        if current.status == status {
            return Ok(current);
        }
        return Err(StoreError::Conflict(format!(
            "gate {id} is {}; only a coordinator changes a gate that is not open",
            current.status.as_str()
        )));
    }
    place_event(
        db,
        op,
        "gate_status",
        serde_json::json!({ "status": status.as_str() }),
        None,
        Some(id),
        actor,
    )?;
    gate(db, op, id)
}

/// A coordinator changes the walking time from `rv` to `gate`. Batches already on their way
/// keep the deadline they departed with.
pub(crate) fn set_walking_time(
    db: &mut dyn Db,
    op: OperationId,
    id: GateId,
    rv: RvId,
    walking: WalkingTime,
    actor: &Actor,
) -> Result<Gate> {
    require_gate(db, op, id)?;
    let changed = db.exec(
        "UPDATE gate_rvs SET walking_minutes = $1 WHERE gate_id = $2 AND rv_id = $3",
        p![walking.minutes(), id.0, rv.0],
    )?;
    if changed == 0 {
        return Err(StoreError::not_found(format!(
            "link from rendezvous point {rv} to gate {id}"
        )));
    }
    place_event(
        db,
        op,
        "walking_time",
        serde_json::json!({ "rv": rv.0, "minutes": walking.minutes() }),
        Some(rv),
        Some(id),
        actor,
    )?;
    gate(db, op, id)
}
