//! Hotline calls on a case (the operator's notes sealed like every other personal datum),
//! and the worklist of households to call: assigned to a suspended rendezvous point, or not
//! told of their new window.
//!
//! Imports `households` (the case), `outbox` (the route message a call sends) and `step`
//! (events); no subject module imports it.

use super::step::{NewEvent, household_id, insert_event, stage};
use super::{Db, Row, dec, enc, households, outbox, p};
use crate::casework::*;
use crate::types::*;
use crate::vault::{Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::hotline::{MessageKind, NOTICE_GRACE_SECONDS};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

pub(crate) fn log_call(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
    call: &NewCall,
    actor: &Actor,
) -> Result<LoggedCall> {
    let household = households::household_by_reference(db, vault, op, reference)?;
    let message = match &call.route_message {
        None => None,
        Some(text) => {
            let to = outbox::recipient(&household).ok_or_else(|| {
                DomainError::invalid(
                    "send_route",
                    format!("case {reference} has no phone number to send the route to"),
                )
            })?;
            Some(outbox::queue(
                db,
                vault,
                op,
                household.id,
                &to,
                MessageKind::Route,
                text,
                actor,
            )?)
        }
    };
    let id = db.next_ids("hotline_calls", 1)?[0];
    let notes = call.notes.as_ref().map(|n| n.as_str().to_string());
    let sealed = match &notes {
        Some(n) => Some(vault.key(db, op)?.seal(Record::Call, id, n)),
        None => None,
    };
    db.exec(
        "INSERT INTO hotline_calls (id, operation_id, household_id, user_id, outcome, message_id, sealed, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        p![
            id,
            op.0,
            household.id.0,
            actor.user.map(|u| u.0),
            enc(&call.outcome),
            message,
            sealed,
            actor.at.0
        ],
    )?;
    insert_event(
        db,
        NewEvent {
            household: Some(household.id),
            ..NewEvent::new(
                op,
                "hotline_call",
                serde_json::json!({ "call": id, "outcome": call.outcome.as_str(), "message": message }),
            )
        },
        actor,
    )?;
    let told = match call.told_window {
        Some(window) if call.outcome.told() => Some(window),
        _ => None,
    };
    let untold = outbox::told_by_call(db, household.id, told)?;
    Ok(LoggedCall {
        call: HotlineCall {
            id,
            user: actor.user,
            outcome: call.outcome,
            notes,
            at: actor.at,
            message,
        },
        untold,
    })
}

pub(crate) fn calls(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Vec<HotlineCall>> {
    let household = household_id(db, op, reference)?;
    let rows = db.rows(
        "SELECT id, user_id, outcome, message_id, sealed, at FROM hotline_calls
         WHERE household_id = $1 ORDER BY id",
        p![household.0],
    )?;
    // After a shred the notes are gone for good; the calls themselves remain.
    let key = match vault.key(db, op) {
        Ok(key) => Some(key),
        Err(StoreError::Shredded(_)) => None,
        Err(e) => return Err(e),
    };
    rows.iter()
        .map(|r| {
            let id = r.i64(0)?;
            let notes = match (&key, r.opt_bytes(4)?) {
                (Some(key), Some(sealed)) => Some(key.open::<String>(Record::Call, id, &sealed)?),
                _ => None,
            };
            Ok(HotlineCall {
                id,
                user: r.opt_i64(1)?.map(UserId),
                outcome: dec(r.text(2)?)?,
                message: r.opt_i64(3)?,
                notes,
                at: Timestamp(r.i64(5)?),
            })
        })
        .collect()
}

/// The most households one worklist answer lists; the hotline works from the top.
const WORKLIST_MOST: usize = 500;

pub(crate) fn hotline_worklist(
    db: &mut dyn Db,
    op: OperationId,
    now: Timestamp,
) -> Result<Vec<WorklistEntry>> {
    // At a suspended RV, or moved away from one by a plan (with the new window): either way
    // the household needs a call while the point stays suspended. A call counts when its
    // event follows the suspension's (events are numbered in the order they are written: a
    // call in the same second, before it, does not count).
    // Not told of its latest window (`untold_since`, sql/outbox.rs): listed once no notice of
    // it is still being tried (no phone, the notice failed, or it has waited longer than
    // NOTICE_GRACE_SECONDS), until a call guides it; a no-show is listed too, as it may have
    // gone at the times it knew. Calls since the change are shown.
    // Households at a suspended RV come first (they may be walking to a point that receives
    // nobody), then those not called yet, then the soonest window, so that a list longer than
    // one answer never hides one still to call behind those called, nor a household at a
    // suspended point behind the many without a phone.
    db.rows(
        "SELECT reference, stage, called_at, suspended FROM (
           SELECT w.id, reference, stage, rv_id, window_id, moved_from_rv, suspended,
                  CASE WHEN suspended THEN
                    (SELECT MAX(c.at) FROM events c
                      WHERE c.household_id = w.id AND c.kind = 'hotline_call'
                        AND c.id > (SELECT COALESCE(MAX(e.id), 0) FROM events e
                                     WHERE e.rv_id IN (w.rv_id, w.moved_from_rv)
                                       AND e.kind = 'rv_suspended'))
                  ELSE
                    (SELECT MAX(c.at) FROM hotline_calls c
                      WHERE c.household_id = w.id AND c.at >= w.untold_since)
                  END AS called_at,
                  (SELECT start_at FROM windows s WHERE s.id = w.window_id) AS starts_at
           FROM (
             SELECT h.id, h.reference, h.stage, h.rv_id, h.window_id, h.moved_from_rv,
                    h.untold_since,
                    COALESCE(h.stage <> 'no_show'
                     AND (h.rv_id IN (SELECT id FROM rvs WHERE operation_id = $1
                                                          AND status = 'suspended')
                          OR h.moved_from_rv IN (SELECT id FROM rvs WHERE operation_id = $1
                                                                      AND status = 'suspended')),
                     FALSE) AS suspended
             FROM households h
             WHERE h.operation_id = $1
               AND h.stage IN ('assigned', 'pass_issued', 'reassigned', 'no_show')
           ) w
           WHERE suspended
              OR (untold_since IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM outbox o
                                   WHERE o.household_id = w.id AND o.kind IN ($3, $5)
                                     AND o.status = 'pending' AND o.created_at > $4))
         ) listed
         ORDER BY CASE WHEN suspended THEN 0 ELSE 1 END, called_at IS NOT NULL, starts_at, id
         LIMIT $2",
        p![
            op.0,
            WORKLIST_MOST,
            enc(&outbox::TELLING[0]),
            now.0 - NOTICE_GRACE_SECONDS,
            enc(&outbox::TELLING[1])
        ],
    )?
    .iter()
    .map(worklist_row)
    .collect()
}

fn worklist_row(r: &Row) -> Result<WorklistEntry> {
    Ok(WorklistEntry {
        reference: CaseReference::parse(&r.text(0)?)?,
        stage: stage(r.text(1)?)?,
        called_at: r.opt_i64(2)?.map(Timestamp),
        reason: if r.bool(3)? {
            WorklistReason::RvSuspended
        } else {
            WorklistReason::NewWindowUntold
        },
    })
}
