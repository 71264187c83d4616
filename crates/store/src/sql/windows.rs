//! Time windows at an RV, with their capacity and the seats assigned in them.
//!
//! Imports `step` and, for the RV a window is at, `rvs`.

use super::rvs::require_rv;
use super::step::place_event;
use super::{Db, Row, p};
use crate::types::*;
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
/// commits first is counted: the capacity is lowered only where the count still fits).
pub(crate) fn change_window_capacity(
    db: &mut dyn Db,
    op: OperationId,
    id: WindowId,
    capacity: Capacity,
    actor: &Actor,
) -> Result<Window> {
    let was = window(db, op, id)?;
    let changed = was.with_capacity(capacity)?;
    if changed.spec.capacity == was.spec.capacity {
        // Nothing to change: nothing written, no event.
        return Ok(was);
    }
    let written = db.exec(
        "UPDATE windows SET capacity = $1 WHERE id = $2 AND assigned_people <= $1",
        p![changed.spec.capacity.get(), id.0],
    )?;
    if written == 0 {
        // Assigned into since it was read: refused with the count as it is now.
        window(db, op, id)?.with_capacity(capacity)?;
        return Err(StoreError::Conflict(
            "the window changed meanwhile; try again".into(),
        ));
    }
    let detail = serde_json::json!({
        "window": id.0,
        "was": { "capacity": was.spec.capacity.get() },
        "now": { "capacity": changed.spec.capacity.get() },
    });
    place_event(db, op, "window_changed", detail, Some(was.rv), None, actor)?;
    window(db, op, id)
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
