//! Time windows at an RV, with their capacity and the seats assigned in them.
//!
//! Imports `step` and, for the RV a window is at, `rvs`.

use super::rvs::require_rv;
use super::step::place_event;
use super::{Db, p};
use crate::Result;
use crate::types::*;
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

pub(crate) fn windows(db: &mut dyn Db, op: OperationId) -> Result<Vec<Window>> {
    db.rows(
        "SELECT id, rv_id, start_at, end_at, capacity, assigned_people FROM windows
         WHERE operation_id = $1 ORDER BY start_at, id",
        p![op.0],
    )?
    .iter()
    .map(|r| {
        Ok(Window {
            id: WindowId(r.i64(0)?),
            rv: RvId(r.i64(1)?),
            spec: WindowSpec::new(Timestamp(r.i64(2)?), Timestamp(r.i64(3)?), r.u32(4)?)?,
            assigned_people: r.u32(5)?,
        })
    })
    .collect()
}
