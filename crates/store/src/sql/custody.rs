//! Custody on the way to the gate: the sweep that marks every household of an open batch whose
//! deadline has passed and that has not arrived as unaccounted (through the same step as a
//! closing gate, `batches::mark_unaccounted`), with one `custody_alarm` event per batch; and
//! the batches a gate is expecting; and the resolutions of the alarms.
//!
//! Safe with any number of servers over one database: the sweep runs in one write transaction,
//! picks only households still in escort, and each case update is guarded by its version, so a
//! household is marked once whoever sweeps first.
//!
//! Imports `batches` and `step`; never households or lifecycle.

use super::batches::{load_batch, mark_unaccounted};
use super::step::{NewEvent, household_id, insert_event};
use super::{Db, p};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::accountability::CustodyCounts;
use safeconduct_domain::field::CustodyOutcome;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

/// A household in escort in an open batch past its deadline, with where its batch goes.
#[derive(Clone)]
struct Overdue {
    op: OperationId,
    batch: BatchId,
    rv: RvId,
    gate: GateId,
    reference: CaseReference,
}

/// Households in escort in an open batch past its deadline at `now`, in `op` or in every
/// operation, by batch.
fn overdue_households(
    db: &mut dyn Db,
    op: Option<OperationId>,
    now: Timestamp,
    limit: Option<i64>,
) -> Result<Vec<Overdue>> {
    let base = "SELECT b.operation_id, b.id, b.rv_id, b.gate_id, h.reference
         FROM batches b JOIN households h ON h.batch_id = b.id
         WHERE b.closed_at IS NULL AND b.deadline_at <= $1 AND h.stage = 'in_escort'";
    let limit = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    let rows = match op {
        Some(op) => db.rows(
            &format!("{base} AND b.operation_id = $2 ORDER BY b.id, h.id{limit}"),
            p![now.0, op.0],
        )?,
        None => db.rows(&format!("{base} ORDER BY b.id, h.id{limit}"), p![now.0])?,
    };
    rows.iter()
        .map(|r| {
            Ok(Overdue {
                op: OperationId(r.i64(0)?),
                batch: BatchId(r.i64(1)?),
                rv: RvId(r.i64(2)?),
                gate: GateId(r.i64(3)?),
                reference: CaseReference::parse(&r.text(4)?)?,
            })
        })
        .collect()
}

/// Whether any household is overdue at `now` (a cheap read before the sweep's transaction).
pub(crate) fn any_overdue(
    db: &mut dyn Db,
    op: Option<OperationId>,
    now: Timestamp,
) -> Result<bool> {
    Ok(!overdue_households(db, op, now, Some(1))?.is_empty())
}

/// Marks every overdue household unaccounted at `actor.at` and raises one alarm per batch; the
/// number of households marked.
pub(crate) fn sweep(db: &mut dyn Db, op: Option<OperationId>, actor: &Actor) -> Result<u32> {
    let overdue = overdue_households(db, op, actor.at, None)?;
    let mut marked = 0u32;
    let mut i = 0;
    while i < overdue.len() {
        let Overdue {
            op,
            batch,
            rv,
            gate,
            ..
        } = overdue[i].clone();
        let (mut households, mut people) = (0u32, 0u32);
        while i < overdue.len() && overdue[i].batch == batch {
            let reference = &overdue[i].reference;
            match mark_unaccounted(db, op, batch, reference, "deadline", actor) {
                Ok(n) => {
                    people += n;
                    households += 1;
                }
                // Marked (or arrived) since the list was read, by another server's sweep or
                // the gate, which committed first: nothing left to do for it here.
                Err(StoreError::Domain(DomainError::IllegalTransition { .. })) => {}
                Err(e) => return Err(e),
            }
            i += 1;
        }
        if households == 0 {
            continue;
        }
        insert_event(
            db,
            NewEvent {
                op,
                household: None,
                kind: "custody_alarm",
                transition: None,
                detail: serde_json::json!({
                    "batch": batch.0, "households": households, "people": people
                }),
                rv: Some(rv),
                gate: Some(gate),
                batch: Some(batch),
            },
            actor,
        )?;
        marked += households;
    }
    Ok(marked)
}

/// The open batches on their way to `gate`, oldest first.
pub(crate) fn expected_batches(
    db: &mut dyn Db,
    op: OperationId,
    gate: GateId,
) -> Result<Vec<Batch>> {
    let ids = db.rows(
        "SELECT id FROM batches WHERE operation_id = $1 AND gate_id = $2 AND closed_at IS NULL
         ORDER BY departed_at, id",
        p![op.0, gate.0],
    )?;
    ids.iter()
        .map(|r| load_batch(db, op, BatchId(r.i64(0)?)))
        .collect()
}

/// Keeps a coordinator's resolution of the alarm of `batch` for `household`.
pub(crate) fn record_resolution(
    db: &mut dyn Db,
    op: OperationId,
    household: HouseholdId,
    batch: BatchId,
    outcome: CustodyOutcome,
    at: Timestamp,
) -> Result<()> {
    db.exec(
        "INSERT INTO custody_resolutions (operation_id, household_id, batch_id, outcome, at)
         VALUES ($1, $2, $3, $4, $5)",
        p![op.0, household.0, batch.0, outcome.as_str(), at.0],
    )?;
    Ok(())
}

/// People whose unaccounted alarm was resolved, and people unaccounted whose alarm (of the
/// batch they are in) is not.
/// The open alarms of an operation: the unaccounted households through the index on
/// (operation, stage, reference), each one's resolution and batch by key. No count of the
/// whole operation is made.
pub(crate) fn open_alarms(db: &mut dyn Db, op: OperationId) -> Result<Vec<OpenAlarm>> {
    let rows = db.rows(
        "SELECT h.reference, h.size, b.id, b.rv_id, b.gate_id, b.departed_at, b.deadline_at,
                b.closed_at, b.departed_people, b.arrived_people
         FROM households h LEFT JOIN batches b ON b.id = h.batch_id
         WHERE h.operation_id = $1 AND h.stage = 'unaccounted'
           AND NOT EXISTS (SELECT 1 FROM custody_resolutions r
                           WHERE r.household_id = h.id AND r.batch_id = h.batch_id)
         ORDER BY COALESCE(b.id, 0), h.reference",
        p![op.0],
    )?;
    let mut alarms: Vec<OpenAlarm> = Vec::new();
    for r in rows {
        let batch = match r.opt_i64(2)? {
            None => None,
            Some(id) => Some(OpenAlarmBatch {
                id: BatchId(id),
                rv: RvId(r.i64(3)?),
                gate: GateId(r.i64(4)?),
                departed_at: Timestamp(r.i64(5)?),
                deadline: Timestamp(r.i64(6)?),
                closed_at: r.opt_i64(7)?.map(Timestamp),
                departed_people: r.i64(8)? as u32,
                arrived_people: r.i64(9)? as u32,
            }),
        };
        let household = (CaseReference::parse(&r.text(0)?)?, r.i64(1)? as u32);
        match alarms.last_mut() {
            Some(a) if a.batch.as_ref().map(|b| b.id) == batch.as_ref().map(|b| b.id) => {
                a.households.push(household)
            }
            _ => alarms.push(OpenAlarm {
                batch,
                households: vec![household],
            }),
        }
    }
    Ok(alarms)
}

pub(crate) fn custody_counts(
    db: &mut dyn Db,
    op: OperationId,
    now: Timestamp,
) -> Result<CustodyCounts> {
    let r = db.one(
        "SELECT
           CAST(COALESCE(SUM(CASE WHEN h.stage = 'unaccounted' AND NOT EXISTS (
               SELECT 1 FROM custody_resolutions r
               WHERE r.household_id = h.id AND r.batch_id = h.batch_id) THEN h.size ELSE 0 END), 0)
             AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN EXISTS (
               SELECT 1 FROM custody_resolutions r WHERE r.household_id = h.id)
             AND NOT (h.stage = 'unaccounted' AND NOT EXISTS (
               SELECT 1 FROM custody_resolutions r
               WHERE r.household_id = h.id AND r.batch_id = h.batch_id)) THEN h.size ELSE 0 END), 0)
             AS BIGINT)
         FROM households h WHERE h.operation_id = $1",
        p![op.0],
    )?;
    let overdue = db.one(
        "SELECT CAST(COALESCE(SUM(h.size), 0) AS BIGINT)
         FROM households h JOIN batches b ON b.id = h.batch_id
         WHERE h.operation_id = $1 AND h.stage = 'in_escort'
           AND (b.closed_at IS NOT NULL OR b.deadline_at <= $2)",
        p![op.0, now.0],
    )?;
    Ok(CustodyCounts {
        unresolved_people: r.i64(0)? as u64,
        resolved_people: r.i64(1)? as u64,
        overdue_in_escort_people: overdue.i64(0)? as u64,
    })
}

/// Who held a household on the way to the gate, from its events: each departure opens a link
/// (the batch, the escort user and device that departed it, when), closed by the arrival, the
/// unaccounted mark or a resolution that follows it. Every member of a household is held
/// together.
pub(crate) fn custody_chain(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Vec<CustodyLink>> {
    let household = household_id(db, op, reference)?.0;
    let events = db.rows(
        "SELECT kind, user_id, device, rv_id, gate_id, detail, at FROM events
         WHERE household_id = $1 ORDER BY id",
        p![household],
    )?;
    let mut chain: Vec<CustodyLink> = Vec::new();
    for e in &events {
        let kind = e.text(0)?;
        let at = Timestamp(e.i64(6)?);
        match kind.as_str() {
            "depart_in_escort" => chain.push(CustodyLink {
                batch: BatchId(
                    serde_json::from_str::<serde_json::Value>(&e.text(5)?)
                        .ok()
                        .and_then(|d| d["batch"].as_i64())
                        .unwrap_or(0),
                ),
                rv: RvId(e.opt_i64(3)?.unwrap_or(0)),
                gate: GateId(e.opt_i64(4)?.unwrap_or(0)),
                user: e.opt_i64(1)?.map(UserId),
                device: e.opt_text(2)?,
                from: at,
                until: None,
                ended_by: None,
            }),
            "arrive_at_gate"
            | "mark_unaccounted"
            | "resolve_arrived_late"
            | "resolve_returned_to_rv"
            | "resolve_found_elsewhere"
            | "resolve_recorded_missing" => {
                if let Some(open) = chain.last_mut().filter(|l| {
                    l.ended_by.is_none() || l.ended_by.as_deref() == Some("unaccounted")
                }) {
                    open.until = Some(at);
                    open.ended_by = Some(match kind.as_str() {
                        "arrive_at_gate" => "arrived".into(),
                        "mark_unaccounted" => "unaccounted".into(),
                        other => other.trim_start_matches("resolve_").into(),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(chain)
}
