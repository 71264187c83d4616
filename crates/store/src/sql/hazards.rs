//! Hazards reported in an operation's area.
//!
//! Imports `step` only.

use super::step::{place_event, require_operation};
use super::{Db, dec, enc, p};
use crate::Result;
use crate::types::*;
use safeconduct_domain::values::{Coordinate, Text, Timestamp};
use safeconduct_domain::*;

pub(crate) fn report_hazard(
    db: &mut dyn Db,
    op: OperationId,
    h: &NewHazard,
    actor: &Actor,
) -> Result<Hazard> {
    require_operation(db, op)?;
    let id = HazardId(
        db.one(
            "INSERT INTO hazards (operation_id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            p![
                op.0,
                enc(&h.kind),
                enc(&h.severity),
                h.location.lat(),
                h.location.lon(),
                h.radius_m,
                h.description.as_ref().map(Text::as_str),
                h.valid_from.0,
                h.valid_until.map(|t| t.0)
            ],
        )?
        .i64(0)?,
    );
    place_event(
        db,
        op,
        "hazard_reported",
        serde_json::json!({ "hazard": id.0 }),
        None,
        None,
        actor,
    )?;
    Ok(Hazard {
        id,
        kind: h.kind,
        severity: h.severity,
        location: h.location,
        radius_m: h.radius_m,
        description: h.description.as_ref().map(|d| d.as_str().to_string()),
        valid_from: h.valid_from,
        valid_until: h.valid_until,
    })
}

pub(crate) fn hazards(db: &mut dyn Db, op: OperationId) -> Result<Vec<Hazard>> {
    db.rows(
        "SELECT id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until
         FROM hazards WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )?
    .iter()
    .map(|r| {
        Ok(Hazard {
            id: HazardId(r.i64(0)?),
            kind: dec(r.text(1)?)?,
            severity: dec(r.text(2)?)?,
            location: Coordinate::new(r.f64(3)?, r.f64(4)?)?,
            radius_m: r.u32(5)?,
            description: r.opt_text(6)?,
            valid_from: Timestamp(r.i64(7)?),
            valid_until: r.opt_i64(8)?.map(Timestamp),
        })
    })
    .collect()
}
