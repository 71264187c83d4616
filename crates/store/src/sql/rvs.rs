//! Rendezvous points: proposal, agreement of both sides, status, and the guard that an RV
//! exists in an operation.
//!
//! Imports `step` only.

use super::step::{place_event, require_operation};
use super::{Db, Row, p};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::model::{RvAgreement, RvChange, RvStatus, Side};
use safeconduct_domain::values::Coordinate;
use safeconduct_domain::*;

pub(crate) fn require_rv(db: &mut dyn Db, op: OperationId, rv: RvId) -> Result<()> {
    rv_by_id(db, op, rv).map(|_| ())
}

const RV_COLUMNS: &str = "id, name, lat, lon, landmark, status, accepted_by_authority, \
                          accepted_by_escort, vehicle_access";

fn rv_row(r: &Row) -> Result<RendezvousPoint> {
    let status = r.text(5)?;
    Ok(RendezvousPoint {
        id: RvId(r.i64(0)?),
        name: r.text(1)?,
        location: Coordinate::new(r.f64(2)?, r.f64(3)?)?,
        landmark: r.text(4)?,
        status: RvStatus::parse(&status)
            .ok_or_else(|| StoreError::Internal(format!("unexpected rv status {status:?}")))?,
        accepted_by_authority: r.bool(6)?,
        accepted_by_escort: r.bool(7)?,
        vehicle_access: r.bool(8)?,
    })
}

pub(crate) fn rv_by_id(db: &mut dyn Db, op: OperationId, rv: RvId) -> Result<RendezvousPoint> {
    let sql = format!("SELECT {RV_COLUMNS} FROM rvs WHERE id = $1 AND operation_id = $2");
    let r = db.row_in_operation(&sql, "rendezvous point", rv.0, op)?;
    rv_row(&r)
}

pub(crate) fn rvs(db: &mut dyn Db, op: OperationId) -> Result<Vec<RendezvousPoint>> {
    let sql = format!("SELECT {RV_COLUMNS} FROM rvs WHERE operation_id = $1 ORDER BY id");
    db.rows(&sql, p![op.0])?.iter().map(rv_row).collect()
}

pub(crate) fn propose_rv(
    db: &mut dyn Db,
    op: OperationId,
    rv: &NewRv,
    side: Side,
    actor: &Actor,
) -> Result<RendezvousPoint> {
    require_operation(db, op)?;
    let agreement = RvAgreement::proposed_by(side);
    let id = RvId(
        db.one(
            "INSERT INTO rvs (operation_id, name, lat, lon, landmark, status, accepted_by_authority, accepted_by_escort)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            p![
                op.0,
                rv.name.as_str(),
                rv.location.lat(),
                rv.location.lon(),
                rv.landmark.as_str(),
                agreement.status.as_str(),
                agreement.accepted_by_authority,
                agreement.accepted_by_escort
            ],
        )?
        .i64(0)?,
    );
    place_event(
        db,
        op,
        "rv_proposed",
        serde_json::json!({}),
        Some(id),
        None,
        actor,
    )?;
    rv_by_id(db, op, id)
}

pub(crate) fn change_rv(
    db: &mut dyn Db,
    op: OperationId,
    rv: RvId,
    change: RvChange,
    actor: &Actor,
) -> Result<RendezvousPoint> {
    let current = rv_by_id(db, op, rv)?;
    let next = RvAgreement {
        status: current.status,
        accepted_by_authority: current.accepted_by_authority,
        accepted_by_escort: current.accepted_by_escort,
    }
    .apply(change)?;
    db.exec(
        "UPDATE rvs SET status = $1, accepted_by_authority = $2, accepted_by_escort = $3 WHERE id = $4",
        p![next.status.as_str(), next.accepted_by_authority, next.accepted_by_escort, rv.0],
    )?;
    let kind = match change {
        RvChange::Accept(_) => "rv_accepted",
        RvChange::Activate => "rv_activated",
        RvChange::Suspend => "rv_suspended",
        RvChange::Close => "rv_closed",
    };
    place_event(
        db,
        op,
        kind,
        serde_json::json!({ "status": next.status.as_str() }),
        Some(rv),
        None,
        actor,
    )?;
    rv_by_id(db, op, rv)
}

/// Says whether vehicles can reach a rendezvous point; an event records the change.
pub(crate) fn set_rv_vehicle_access(
    db: &mut dyn Db,
    op: OperationId,
    rv: RvId,
    vehicle_access: bool,
    actor: &Actor,
) -> Result<RendezvousPoint> {
    rv_by_id(db, op, rv)?;
    db.exec(
        "UPDATE rvs SET vehicle_access = $1 WHERE id = $2",
        p![vehicle_access, rv.0],
    )?;
    place_event(
        db,
        op,
        "rv_vehicle_access",
        serde_json::json!({ "vehicle_access": vehicle_access }),
        Some(rv),
        None,
        actor,
    )?;
    rv_by_id(db, op, rv)
}
