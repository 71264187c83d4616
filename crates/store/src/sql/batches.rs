//! Escort batches: a batch departs an RV with its households and a custody deadline, and is
//! closed at its gate, where people who did not arrive become unaccounted (if the custody
//! sweep, `custody`, has not already marked them at the deadline).
//!
//! Imports `step`, `members` and the place loaders (`rvs`, `gates`); never households or
//! lifecycle.

use super::gates;
use super::members::{Who, depart_held, members, take_step};
use super::rvs::require_rv;
use super::step::{self, NewEvent, commit_step, insert_event, load_case};
use super::{Db, p};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::field;
use safeconduct_domain::lifecycle::{Command, decide};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

pub(crate) fn depart_batch(
    db: &mut dyn Db,
    op: OperationId,
    departure: &BatchDeparture,
    actor: &Actor,
) -> Result<Batch> {
    if departure.households.is_empty() || departure.households.len() > 500 {
        return Err(DomainError::invalid("households", "a batch holds 1 to 500 households").into());
    }
    require_rv(db, op, departure.rv)?;
    let gate = gates::gate(db, op, departure.gate)?;
    // A gate that receives no batches from this RV does not exist for the escort leaving it:
    // gates are discreet, and an answer naming one (or its status) would map them.
    let Some(link) = gate.rvs.iter().position(|rv| *rv == departure.rv) else {
        return Err(StoreError::not_found(format!("gate {}", departure.gate)));
    };
    let gate_serves_rv = true;
    let deadline = field::custody_deadline(actor.at, gate.walking[link]);
    let batch = BatchId(
        db.one(
            "INSERT INTO batches (operation_id, rv_id, gate_id, households, departed_people, departed_at, deadline_at)
             VALUES ($1, $2, $3, 0, 0, $4, $5) RETURNING id",
            p![op.0, departure.rv.0, departure.gate.0, actor.at.0, deadline.0],
        )?
        .i64(0)?,
    );
    let mut people = 0i64;
    for reference in &departure.households {
        let loaded = load_case(db, op, reference, actor)?;
        let command = Command::DepartInEscort {
            batch,
            rv: departure.rv,
            gate: departure.gate,
            gate_status: gate.status,
            gate_serves_rv,
        };
        // A household not waiting at the RV is refused without its stage: one that went on
        // past the gate is no longer the escort's to follow (`auth::refusal_is_a_counted_read`).
        let refused = |e: DomainError| {
            let why = match e {
                DomainError::IllegalTransition { .. } => {
                    "it is not admitted and waiting to leave this RV".to_string()
                }
                other => other.to_string(),
            };
            StoreError::Domain(DomainError::conflict(format!("case {reference}: {why}")))
        };
        let next = match decide(&loaded.state, &command) {
            Ok(next) => next,
            Err(e) => {
                // The household went on without members who returned to this RV on their
                // own: they leave with this batch.
                match depart_held(db, op, &loaded, &command, actor).map_err(|held| match held {
                    StoreError::Domain(d) => refused(d),
                    other => other,
                })? {
                    0 => return Err(refused(e)),
                    n => {
                        people += i64::from(n);
                        continue;
                    }
                }
            }
        };
        // Members held apart (left behind by an earlier batch) do not leave with this one.
        let leaving: Vec<i64> = members(db, loaded.id)?
            .with_household
            .iter()
            .map(|p| p.0)
            .collect();
        commit_step(
            db,
            op,
            &loaded,
            &next,
            "depart_in_escort",
            serde_json::json!({ "batch": batch.0, "members": leaving, "people": leaving.len() }),
            actor,
        )?;
        people += loaded.state.people() as i64;
    }
    db.exec(
        "UPDATE batches SET households = $1, departed_people = $2 WHERE id = $3",
        p![departure.households.len(), people, batch.0],
    )?;
    load_batch(db, op, batch)
}

pub(crate) fn close_batch(
    db: &mut dyn Db,
    op: OperationId,
    batch: BatchId,
    actor: &Actor,
) -> Result<Batch> {
    let current = load_batch(db, op, batch)?;
    if current.closed_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "batch {batch} is already closed"
        )));
    }
    let missing = db.rows(
        "SELECT reference FROM households WHERE id IN (
             SELECT id FROM households WHERE batch_id = $1 AND stage = 'in_escort'
             UNION SELECT household_id FROM held_people WHERE batch_id = $1 AND stage = 'in_escort')
         ORDER BY id",
        p![batch.0],
    )?;
    for row in missing {
        let reference = CaseReference::parse(&row.text(0)?)?;
        mark_unaccounted(db, op, batch, &reference, "closed", actor)?;
    }
    db.exec(
        "UPDATE batches SET closed_at = $1 WHERE id = $2",
        p![actor.at.0, batch.0],
    )?;
    insert_event(
        db,
        NewEvent {
            rv: Some(current.rv),
            gate: Some(current.gate),
            batch: Some(batch),
            ..NewEvent::new(op, "batch_closed", serde_json::json!({ "batch": batch.0 }))
        },
        actor,
    )?;
    load_batch(db, op, batch)
}

/// The one path by which the people of a household of `batch` not arrived become unaccounted
/// (the whole household still in escort, or the members left in escort when the others
/// arrived), whether the gate closed the batch (`cause` "closed") or its custody deadline
/// passed ("deadline"); the number of people marked.
pub(crate) fn mark_unaccounted(
    db: &mut dyn Db,
    op: OperationId,
    batch: BatchId,
    reference: &CaseReference,
    cause: &str,
    actor: &Actor,
) -> Result<u32> {
    let loaded = load_case(db, op, reference, actor)?;
    let moved = take_step(
        db,
        op,
        &loaded,
        &Command::MarkUnaccounted { batch },
        &Who::All,
        &|m| m.batch == batch,
        "mark_unaccounted",
        serde_json::json!({ "batch": batch.0, "cause": cause }),
        actor,
    )?;
    Ok(moved.people())
}

pub(crate) fn load_batch(db: &mut dyn Db, op: OperationId, batch: BatchId) -> Result<Batch> {
    load(db, op, batch, None)
}

/// The batch, when `actor` sees it: else not found, as a batch that does not exist, and in the
/// same time: the statement that reads the batch keeps to the actor's places.
pub(crate) fn batch_seen_by(
    db: &mut dyn Db,
    op: OperationId,
    batch: BatchId,
    actor: &Actor,
) -> Result<Batch> {
    load(db, op, batch, Some(actor))
}

fn load(
    db: &mut dyn Db,
    op: OperationId,
    batch: BatchId,
    seen_by: Option<&Actor>,
) -> Result<Batch> {
    let not_found = || StoreError::not_found(format!("batch {}", batch.0));
    let (seen, places) = seen_by.map_or_else(Default::default, |a| step::seen_by(a, "b", 3));
    let mut params = p![batch.0, op.0].to_vec();
    params.extend(places);
    let r = db
        .row(
            &format!(
                "SELECT b.rv_id, b.gate_id, b.households, b.departed_people, b.arrived_people,
                        b.departed_at, b.closed_at, b.deadline_at
                 FROM batches b WHERE b.id = $1 AND b.operation_id = $2{seen}"
            ),
            &params,
        )?
        .ok_or_else(not_found)?;
    let (rv, gate) = (RvId(r.i64(0)?), GateId(r.i64(1)?));
    if seen_by.is_some_and(|a| !a.sees(Some(rv), Some(gate))) {
        // The statement should have kept it out (as `step::load_case` checks a case).
        debug_assert!(
            false,
            "seen_by let through a batch outside the actor's places"
        );
        return Err(not_found());
    }
    let unaccounted = db
        .rows(
            "SELECT reference FROM households WHERE id IN (
                 SELECT id FROM households WHERE batch_id = $1 AND stage = 'unaccounted'
                 UNION SELECT household_id FROM held_people
                 WHERE batch_id = $1 AND stage = 'unaccounted')
             ORDER BY id",
            p![batch.0],
        )?
        .iter()
        .map(|row| Ok(CaseReference::parse(&row.text(0)?)?))
        .collect::<Result<_>>()?;
    Ok(Batch {
        id: batch,
        rv,
        gate,
        households: r.u32(2)?,
        departed_people: r.u32(3)?,
        arrived_people: r.u32(4)?,
        departed_at: Timestamp(r.i64(5)?),
        closed_at: r.opt_i64(6)?.map(Timestamp),
        deadline: Timestamp(r.i64(7)?),
        unaccounted,
    })
}
