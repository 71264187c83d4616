//! Hazards reported in an operation's area: the report, a change or expiry, and the
//! suspension of the rendezvous points and gates inside a hazard that closes streets, made
//! through the places' own status steps in the same transaction.
//!
//! Imports `step`, and `rvs` and `gates` for their status steps.

use super::step::{place_event, require_operation};
use super::{Db, Row, dec, enc, gates, p, rvs};
use crate::Result;
use crate::casework::{HazardChange, HazardReport};
use crate::types::*;
use safeconduct_domain::model::{GateStatus, HazardSpec, RvChange, RvStatus};
use safeconduct_domain::values::{Coordinate, Text, Timestamp};
use safeconduct_domain::*;

pub(crate) fn report_hazard(
    db: &mut dyn Db,
    op: OperationId,
    h: &NewHazard,
    suspend_places: bool,
    actor: &Actor,
) -> Result<HazardReport> {
    require_operation(db, op)?;
    refuse_suspension_unless_blocking(h.severity, suspend_places)?;
    refuse_beyond_the_hotlines_share(db, op, actor)?;
    let id = HazardId(
        db.one(
            "INSERT INTO hazards (operation_id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until, reported_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            p![
                op.0,
                enc(&h.kind),
                enc(&h.severity),
                h.location.lat(),
                h.location.lon(),
                h.radius_m,
                h.description.as_ref().map(Text::as_str),
                h.valid_from.0,
                h.valid_until.map(|t| t.0),
                actor.user.map(|u| u.0)
            ],
        )?
        .i64(0)?,
    );
    recorded(db, op, id, "hazard_reported", suspend_places, actor)
}

/// A hotline account holds at most [`model::HOTLINE_HAZARDS_IN_FORCE_MAX`] hazards in force
/// (not ended at the actor's time, begun or not): every route goes around each of them, so one
/// account's reports alone must not close a district street by street. Counted in the
/// report's transaction, so reports sent at once do not pass the limit together.
fn refuse_beyond_the_hotlines_share(db: &mut dyn Db, op: OperationId, actor: &Actor) -> Result<()> {
    let (Some(Role::Hotline), Some(user)) = (actor.role, actor.user) else {
        return Ok(());
    };
    // The account's row first, on its own: a report of the same account still being written
    // (which holds the row) is waited for, and the count next sees it (each statement reads
    // what was committed before it began).
    db.exec(
        "UPDATE users SET username = username WHERE id = $1",
        p![user.0],
    )?;
    let held = db
        .one(
            "SELECT COUNT(*) FROM hazards WHERE operation_id = $1 AND reported_by = $2
               AND (valid_until IS NULL OR valid_until > $3)",
            p![op.0, user.0, actor.at.0],
        )?
        .i64(0)?;
    if held >= i64::from(model::HOTLINE_HAZARDS_IN_FORCE_MAX) {
        return Err(DomainError::conflict(format!(
            "this account already holds {held} hazards in force, the most a hotline account \
             may ({}): ask a coordinator to end the ones that are over, or to report this one",
            model::HOTLINE_HAZARDS_IN_FORCE_MAX
        ))
        .into());
    }
    Ok(())
}

fn refuse_suspension_unless_blocking(severity: model::Severity, suspend: bool) -> Result<()> {
    if suspend && !severity.blocks() {
        return Err(DomainError::invalid(
            "suspend_places",
            "only a critical hazard closes the streets, so only it may suspend the places inside it",
        )
        .into());
    }
    Ok(())
}

/// Changes a hazard's severity, radius or end; an end at or before now expires it.
pub(crate) fn change_hazard(
    db: &mut dyn Db,
    op: OperationId,
    id: HazardId,
    change: &HazardChange,
    actor: &Actor,
) -> Result<HazardReport> {
    let current = hazard(db, op, id)?;
    let severity = change.severity.unwrap_or(current.severity);
    refuse_suspension_unless_blocking(severity, change.suspend_places)?;
    let spec = HazardSpec::new(
        change.radius_m.unwrap_or(current.radius_m),
        current.valid_from,
        change.valid_until.unwrap_or(current.valid_until),
    )?;
    db.exec(
        "UPDATE hazards SET severity = $1, radius_m = $2, valid_until = $3 WHERE id = $4",
        p![
            enc(&severity),
            spec.radius_m,
            spec.valid_until.map(|t| t.0),
            id.0
        ],
    )?;
    recorded(db, op, id, "hazard_changed", change.suspend_places, actor)
}

/// After a hazard was written: its event (`kind`), then its report, suspending first (if
/// asked) every RV that takes assignments and every open gate inside its circle, each through
/// its own status step (its event and audit entry), so a suspension reads the same whoever
/// made it.
fn recorded(
    db: &mut dyn Db,
    op: OperationId,
    id: HazardId,
    kind: &str,
    suspend: bool,
    actor: &Actor,
) -> Result<HazardReport> {
    place_event(
        db,
        op,
        kind,
        serde_json::json!({ "hazard": id.0 }),
        None,
        None,
        actor,
    )?;
    let hazard = hazard(db, op, id)?;
    let mut report = HazardReport {
        hazard,
        suspended_rvs: Vec::new(),
        suspended_gates: Vec::new(),
    };
    if !suspend || !report.hazard.active_at(actor.at) {
        return Ok(report);
    }
    let inside = |at: &Coordinate| {
        at.distance_m(&report.hazard.location) <= f64::from(report.hazard.radius_m)
    };
    let rvs_inside: Vec<RvId> = rvs::rvs(db, op)?
        .into_iter()
        .filter(|rv| matches!(rv.status, RvStatus::Agreed | RvStatus::Active))
        .filter(|rv| inside(&rv.location))
        .map(|rv| rv.id)
        .collect();
    let gates_inside: Vec<GateId> = gates::gates(db, op)?
        .into_iter()
        .filter(|g| g.status == GateStatus::Open && inside(&g.location))
        .map(|g| g.id)
        .collect();
    for rv in rvs_inside {
        rvs::change_rv(db, op, rv, RvChange::Suspend, actor)?;
        report.suspended_rvs.push(rv);
    }
    for gate in gates_inside {
        gates::set_gate_status(db, op, gate, GateStatus::Suspended, actor)?;
        report.suspended_gates.push(gate);
    }
    Ok(report)
}

const HAZARD_COLUMNS: &str =
    "id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until, reported_by";

fn hazard_row(r: &Row) -> Result<Hazard> {
    Ok(Hazard {
        id: HazardId(r.i64(0)?),
        kind: dec(r.text(1)?)?,
        severity: dec(r.text(2)?)?,
        location: Coordinate::new(r.f64(3)?, r.f64(4)?)?,
        radius_m: r.u32(5)?,
        description: r.opt_text(6)?,
        valid_from: Timestamp(r.i64(7)?),
        valid_until: r.opt_i64(8)?.map(Timestamp),
        reported_by: r.opt_i64(9)?.map(UserId),
    })
}

pub(crate) fn hazard(db: &mut dyn Db, op: OperationId, id: HazardId) -> Result<Hazard> {
    let sql = format!("SELECT {HAZARD_COLUMNS} FROM hazards WHERE id = $1 AND operation_id = $2");
    hazard_row(&db.row_in_operation(&sql, "hazard", id.0, op)?)
}

pub(crate) fn hazards(db: &mut dyn Db, op: OperationId) -> Result<Vec<Hazard>> {
    let sql = format!("SELECT {HAZARD_COLUMNS} FROM hazards WHERE operation_id = $1 ORDER BY id");
    db.rows(&sql, p![op.0])?.iter().map(hazard_row).collect()
}
