//! Time windows at an RV, with their capacity and the seats assigned in them.
//!
//! Imports `step`, for the RV a window is at `rvs`, and for a window moved in time `passes`
//! (its passes issued again) and `outbox` (its households told).

use super::rvs::require_rv;
use super::step::{lock_operation, place_event, stage};
use super::{Db, Row, outbox, p, passes};
use crate::types::*;
use crate::vault::Vault;
use crate::{Result, StoreError};
use safeconduct_domain::model::WindowSpec;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

pub(crate) fn create_window(
    db: &mut dyn Db,
    op: OperationId,
    rv: RvId,
    spec: WindowSpec,
    actor: &Actor,
) -> Result<Window> {
    require_rv(db, op, rv)?;
    let id = db
        .one(
            "INSERT INTO windows (operation_id, rv_id, start_at, end_at, capacity) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            p![op.0, rv.0, spec.start.0, spec.end.0, spec.capacity.get()],
        )?
        .i64(0)?;
    place_event(
        db,
        op,
        "window_opened",
        serde_json::json!({ "window": id }),
        Some(rv),
        None,
        actor,
    )?;
    Ok(Window {
        id: WindowId(id),
        rv,
        spec,
        assigned_people: 0,
    })
}

/// Changes a window's places: never fewer than the people assigned in it (an assignment that
/// commits first is counted: the capacity is lowered only where the count still fits). Moves
/// it in time: each household assigned in it and still to come is sent the new times, and
/// the one holding a valid pass is given a new pass for them (the old one superseded), in
/// this transaction. A move holds the operation's row first, as a pass's issue holds it
/// before it reads its window's times (a pass issued meanwhile carries the new times, or is
/// one this change gives anew) and as a plan's acceptance does, then the window's
/// households' passes and rows, then the window's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn change_window(
    db: &mut dyn Db,
    vault: &Vault,
    link_base: Option<&str>,
    op: OperationId,
    id: WindowId,
    change: &WindowChange,
    signer: PassSigner<'_>,
    actor: &Actor,
) -> Result<WindowChanged> {
    let moving = change.start.is_some() || change.end.is_some();
    if moving {
        lock_operation(db, op)?;
    }
    let was = window(db, op, id)?;
    let changed = change.applied_to(&was, actor.at)?;
    let moved = (changed.spec.start, changed.spec.end) != (was.spec.start, was.spec.end);
    if changed.spec == was.spec {
        // Nothing to change: nothing written, no event.
        return Ok(WindowChanged {
            window: was,
            passes_issued: 0,
        });
    }
    if moved {
        // Its households' valid passes, then their rows, then the window's: the order in
        // which a step of one of them (a withdrawal, a reassignment away) takes them, retiring
        // its pass before it gives the window its seats back.
        db.exec(
            "UPDATE passes SET status = status WHERE status = 'valid' AND household_id IN
             (SELECT id FROM households WHERE operation_id = $1 AND window_id = $2)",
            p![op.0, id.0],
        )?;
        db.exec(
            "UPDATE households SET window_id = window_id WHERE operation_id = $1 AND window_id = $2",
            p![op.0, id.0],
        )?;
    }
    let written = db.exec(
        "UPDATE windows SET start_at = $1, end_at = $2, capacity = $3
         WHERE id = $4 AND assigned_people <= $3",
        p![
            changed.spec.start.0,
            changed.spec.end.0,
            changed.spec.capacity.get(),
            id.0
        ],
    )?;
    if written == 0 {
        // Assigned into since it was read: refused with the count as it is now.
        change.applied_to(&window(db, op, id)?, actor.at)?;
        return Err(StoreError::Conflict(
            "the window changed meanwhile; try again".into(),
        ));
    }
    let mut passes_issued = 0;
    if moved {
        // Each household with whether it holds a valid pass, read in one statement.
        let assigned = db.rows(
            "SELECT h.reference, h.stage,
                    EXISTS (SELECT 1 FROM passes p WHERE p.household_id = h.id AND p.status = 'valid')
             FROM households h WHERE h.operation_id = $1 AND h.window_id = $2 ORDER BY h.id",
            p![op.0, id.0],
        )?;
        for row in &assigned {
            if !stage(row.text(1)?)?.still_to_come() {
                continue;
            }
            let reference = CaseReference::parse(&row.text(0)?)?;
            if row.bool(2)? {
                passes::issue_pass(db, vault, link_base, op, &reference, &mut *signer, actor)?;
                passes_issued += 1;
            }
            outbox::queue_new_window_notice(db, vault, op, &reference, id, actor)?;
        }
    }
    let facts = |w: &Window| {
        serde_json::json!({
            "capacity": w.spec.capacity.get(),
            "start": w.spec.start.0,
            "end": w.spec.end.0,
        })
    };
    let detail = serde_json::json!({
        "window": id.0,
        "was": facts(&was),
        "now": facts(&changed),
        "passes_issued": passes_issued,
    });
    place_event(db, op, "window_changed", detail, Some(was.rv), None, actor)?;
    Ok(WindowChanged {
        window: window(db, op, id)?,
        passes_issued,
    })
}

const WINDOW_COLUMNS: &str = "id, rv_id, start_at, end_at, capacity, assigned_people";

fn window_row(r: &Row) -> Result<Window> {
    Ok(Window {
        id: WindowId(r.i64(0)?),
        rv: RvId(r.i64(1)?),
        spec: WindowSpec::new(Timestamp(r.i64(2)?), Timestamp(r.i64(3)?), r.u32(4)?)?,
        assigned_people: r.u32(5)?,
    })
}

pub(crate) fn window(db: &mut dyn Db, op: OperationId, id: WindowId) -> Result<Window> {
    let sql = format!("SELECT {WINDOW_COLUMNS} FROM windows WHERE id = $1 AND operation_id = $2");
    window_row(&db.row_in_operation(&sql, "window", id.0, op)?)
}

pub(crate) fn windows(db: &mut dyn Db, op: OperationId) -> Result<Vec<Window>> {
    let sql = format!(
        "SELECT {WINDOW_COLUMNS} FROM windows WHERE operation_id = $1 ORDER BY start_at, id"
    );
    db.rows(&sql, p![op.0])?.iter().map(window_row).collect()
}
