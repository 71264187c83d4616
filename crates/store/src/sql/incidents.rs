//! Incidents: the conflicts found when field records meet (a pass admitted twice, at the wrong
//! RV or outside its window, a revoked pass admitted, a device's clock off, a head count that
//! does not match, a household arriving short), each with every record involved; and a
//! household admitted at its RV never reported leaving. Raised by `scans` and `custody`; listed for coordinators (and, at their places, for the devices whose records they
//! involve); resolved by a coordinator with a note sealed like every free text.
//!
//! Imports `reasons` and `audit` only.

use super::{Db, Row, audit, p, reasons};
use crate::types::*;
use crate::vault::Vault;
use crate::{Change, Result, StoreError};
use safeconduct_domain::scan::IncidentKind;
use safeconduct_domain::values::Text;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

/// What an incident is about, for finding it and for scoping who sees it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts {
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub pass_index: Option<i64>,
    pub household: Option<HouseholdId>,
}

/// Raises the incident named `key`, or joins the records to the one already raised under it
/// (a pass admitted a third time joins its double admission). Returns its id.
#[allow(clippy::too_many_arguments)]
pub(crate) fn raise(
    db: &mut dyn Db,
    op: OperationId,
    kind: IncidentKind,
    key: &str,
    facts: Facts,
    detail: &str,
    records: &[(FieldDeviceId, u64)],
    at: Timestamp,
) -> Result<IncidentId> {
    let inserted = db.row(
        "INSERT INTO incidents (operation_id, kind, key, pass_index, household_id, rv_id, gate_id,
                                detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (operation_id, key) DO NOTHING RETURNING id",
        p![
            op.0,
            kind.as_str(),
            key,
            facts.pass_index,
            facts.household.map(|h| h.0),
            facts.rv.map(|r| r.0),
            facts.gate.map(|g| g.0),
            detail,
            at.0
        ],
    )?;
    let id = match inserted {
        Some(ref r) => r.i64(0)?,
        None => db
            .one(
                "SELECT id FROM incidents WHERE operation_id = $1 AND key = $2",
                p![op.0, key],
            )?
            .i64(0)?,
    };
    for (device, seq) in records {
        db.exec(
            "INSERT INTO incident_scans (incident_id, device_id, seq) VALUES ($1, $2, $3)
             ON CONFLICT (incident_id, device_id, seq) DO NOTHING",
            p![id, device.0, *seq as i64],
        )?;
    }
    if inserted.is_some() {
        db.notify(&Change {
            operation: op,
            kind: "incident".into(),
            stage: None,
            rv: facts.rv,
            gate: facts.gate,
            batch: None,
        })?;
    }
    Ok(IncidentId(id))
}

const COLUMNS: &str = "id, kind, pass_index, rv_id, gate_id, detail, created_at, resolved_at";

fn incident_row(db: &mut dyn Db, r: &Row, only: Option<FieldDeviceId>) -> Result<Incident> {
    let id = r.i64(0)?;
    let records = db
        .rows(
            "SELECT device_id, seq FROM incident_scans WHERE incident_id = $1
             ORDER BY device_id, seq",
            p![id],
        )?
        .iter()
        .map(|r| Ok((FieldDeviceId(r.i64(0)?), r.i64(1)? as u64)))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        // A device sees its own records of an incident, never another device's.
        .filter(|(d, _)| only.is_none_or(|o| o == *d))
        .collect();
    Ok(Incident {
        id: IncidentId(id),
        kind: r
            .text(1)?
            .parse()
            .map_err(|_| StoreError::Internal("an incident's kind".into()))?,
        pass_index: r.opt_i64(2)?,
        rv: r.opt_i64(3)?.map(RvId),
        gate: r.opt_i64(4)?.map(GateId),
        detail: r.text(5)?,
        records,
        created_at: Timestamp(r.i64(6)?),
        resolved_at: r.opt_i64(7)?.map(Timestamp),
    })
}

/// The incidents among `ids` (raised or joined by a sync), as the syncing device sees them.
pub(crate) fn involving(
    db: &mut dyn Db,
    op: OperationId,
    device: FieldDeviceId,
    ids: &[IncidentId],
) -> Result<Vec<Incident>> {
    let mut ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let r = db.one(
            &format!("SELECT {COLUMNS} FROM incidents WHERE id = $1 AND operation_id = $2"),
            p![id, op.0],
        )?;
        let mut incident = incident_row(db, &r, Some(device))?;
        // The device hears what happened to its own records, in words that name no household
        // (no reference, size or stage) and no other place: the full detail is for
        // coordinators.
        if incident.records.is_empty() && incident.kind != IncidentKind::ClockSkew {
            continue;
        }
        incident.detail = device_words(incident.kind).to_string();
        if incident.kind == IncidentKind::UnknownPass {
            incident.kind = IncidentKind::Refused;
        }
        out.push(incident);
    }
    Ok(out)
}

/// What a device is told of an incident its records are part of.
fn device_words(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::DoubleAdmission => "this pass was admitted before: a coordinator looks at it",
        IncidentKind::WrongRv => "this pass is not for this rendezvous point: it was not admitted",
        IncidentKind::OutsideWindow => {
            "this pass was scanned outside its window: it was not admitted"
        }
        IncidentKind::RevokedPass => "this pass is revoked: it was not admitted; refresh the kit",
        IncidentKind::SupersededPass => {
            "this pass was replaced by a newer one: it was not admitted"
        }
        IncidentKind::UnknownPass | IncidentKind::Refused => {
            "this record could not take effect: a coordinator looks at it"
        }
        IncidentKind::ClockSkew => "this device's clock is off: set it from the kit's server time",
        IncidentKind::HeadCount => "the head count differs from the people admitted into the batch",
        IncidentKind::PartialArrival => {
            "not every member has arrived: the others are still on the way"
        }
        // Raised by the custody sweep with no record: no device is shown it.
        IncidentKind::NotDeparted => "a household admitted here was never reported leaving",
    }
}

/// Incidents of the operation, open ones only unless `all`, newest first, within the actor's
/// places.
/// A page of the incidents `filter` names, newest first.
pub(crate) fn incidents(
    db: &mut dyn Db,
    op: OperationId,
    filter: &IncidentFilter,
    actor: &Actor,
) -> Result<Vec<Incident>> {
    let rows = db.rows(
        &format!(
            "SELECT {COLUMNS} FROM incidents WHERE operation_id = $1
             AND (($2 AND resolved_at IS NULL) OR ($3 AND resolved_at IS NOT NULL))
             AND (CAST($4 AS TEXT) IS NULL OR kind = CAST($4 AS TEXT))
             AND (CAST($5 AS BIGINT) IS NULL OR rv_id = CAST($5 AS BIGINT))
             AND (CAST($6 AS BIGINT) IS NULL OR gate_id = CAST($6 AS BIGINT))
             AND (CAST($7 AS BIGINT) IS NULL OR id < CAST($7 AS BIGINT))
             ORDER BY id DESC LIMIT $8"
        ),
        p![
            op.0,
            filter.open,
            filter.resolved,
            filter.kind.map(|k| k.as_str()),
            filter.rv.map(|r| r.0),
            filter.gate.map(|g| g.0),
            filter.before.map(|i| i.0),
            filter.limit.min(IncidentFilter::MAX_LIMIT)
        ],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let i = incident_row(db, r, None)?;
        if actor.sees(i.rv, i.gate) {
            out.push(i);
        }
    }
    Ok(out)
}

/// Resolves an open incident with a note (sealed). Resolving a resolved incident is a
/// conflict; an incident outside the actor's operation is not found.
pub(crate) fn resolve(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    id: IncidentId,
    note: &Text,
    actor: &Actor,
) -> Result<Incident> {
    let r = db.row_in_operation(
        &format!("SELECT {COLUMNS} FROM incidents WHERE id = $1 AND operation_id = $2"),
        "incident",
        id.0,
        op,
    )?;
    let current = incident_row(db, &r, None)?;
    if current.resolved_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "incident {id} is already resolved"
        )));
    }
    let sealed = reasons::seal(db, vault, op, actor.at, note.as_str())?;
    db.exec(
        "UPDATE incidents SET resolved_at = $1, resolved_by = $2, note = $3 WHERE id = $4",
        p![actor.at.0, actor.user.map(|u| u.0), sealed.as_str(), id.0],
    )?;
    audit::change(
        db,
        actor,
        Some(op),
        "incident_resolved",
        format!("incident/{id} {sealed}"),
    )?;
    let r = db.one(
        &format!("SELECT {COLUMNS} FROM incidents WHERE id = $1"),
        p![id.0],
    )?;
    incident_row(db, &r, None)
}
