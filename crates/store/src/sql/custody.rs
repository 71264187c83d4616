//! Custody on the way to the gate, person by person: the sweep that marks every person of an
//! open batch whose deadline has passed and who has not arrived as unaccounted (through the same
//! step as a closing gate, `batches::mark_unaccounted`: a whole household still in escort, or
//! the members left in escort when the others arrived), with one `custody_alarm` event per
//! batch, and that raises a `not_departed` incident for people admitted at their RV whose
//! departure was not reported within an hour of their window's end; the batches a gate is
//! expecting; the resolutions of the alarms, one per person; the counts of the accountability
//! check and each person's chain of custody.
//!
//! Safe with any number of servers over one database: the sweep runs in one write transaction,
//! picks only people still in escort, and each case update is guarded by its version, so a
//! person is marked once whoever sweeps first.
//!
//! Imports `batches`, `incidents` and `step`; never households or lifecycle.

use super::batches::{load_batch, mark_unaccounted};
use super::incidents::{Facts, raise};
use super::step::{NewEvent, household_id, insert_event};
use super::{Db, Value, p};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::accountability::CustodyCounts;
use safeconduct_domain::field::{self, CustodyOutcome};
use safeconduct_domain::scan::IncidentKind;
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

/// Households with people in escort in an open batch past its deadline at `now` (the whole
/// household, or members left in escort when the others arrived), in `op` or in every
/// operation, by batch.
fn overdue_households(
    db: &mut dyn Db,
    op: Option<OperationId>,
    now: Timestamp,
    limit: Option<i64>,
) -> Result<Vec<Overdue>> {
    let (in_op, params) = match op {
        Some(op) => (
            " AND b.operation_id = $2",
            vec![Value::from(now.0), Value::from(op.0)],
        ),
        None => ("", vec![Value::from(now.0)]),
    };
    let limit = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    let rows = db.rows(
        &format!(
            "SELECT b.operation_id, b.id, b.rv_id, b.gate_id, h.reference, h.id
             FROM batches b JOIN households h ON h.batch_id = b.id
             WHERE b.closed_at IS NULL AND b.deadline_at <= $1 AND h.stage = 'in_escort'{in_op}
             UNION
             SELECT b.operation_id, b.id, b.rv_id, b.gate_id, h.reference, h.id
             FROM batches b JOIN held_people x ON x.batch_id = b.id
             JOIN households h ON h.id = x.household_id
             WHERE b.closed_at IS NULL AND b.deadline_at <= $1 AND x.stage = 'in_escort'{in_op}
             ORDER BY 2, 6{limit}"
        ),
        &params,
    )?;
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

/// People admitted at their RV (a household, or members of it held apart there, back at the
/// RV alone) whose departure was not reported within [`field::NOT_DEPARTED_AFTER_SECONDS`]
/// of the later of their window's end and their admission, in an operation still open, and
/// for whose stay there no `not_departed` incident was raised yet.
struct NotDeparted {
    op: OperationId,
    household: HouseholdId,
    reference: CaseReference,
    pass_index: Option<i64>,
    rv: Option<RvId>,
    /// The later of the window's end and the admission: the wait is counted from it.
    waiting_since: Timestamp,
    /// Which stay at the RV: the household's version, or when its members came back.
    stay: String,
}

/// The incident key of a stay at the RV not reported ending: one incident per household and
/// stay, which a coordinator resolves once; a household back at the RV later (returned to it
/// after it was unaccounted) is a new stay.
const NOT_DEPARTED_KEY: &str = "not_departed/household/";

fn not_departed(
    db: &mut dyn Db,
    op: Option<OperationId>,
    now: Timestamp,
    limit: Option<i64>,
) -> Result<Vec<NotDeparted>> {
    let before = now.0.saturating_sub(field::NOT_DEPARTED_AFTER_SECONDS);
    let (in_op, params) = match op {
        Some(op) => (
            " AND h.operation_id = $3",
            vec![
                Value::from(before),
                Value::from(NOT_DEPARTED_KEY),
                Value::from(op.0),
            ],
        ),
        None => ("", vec![Value::from(before), Value::from(NOT_DEPARTED_KEY)]),
    };
    let limit = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    // A stay is told apart by the household's version (every step moves it: a return to the
    // RV is a new stay) or, for members held apart, by when they came back.
    let (household_stay, members_stay) = (
        "'v' || CAST(h.version AS TEXT)",
        "'m' || CAST(x.since AS TEXT)",
    );
    let not_raised = |stay: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM incidents i
                         WHERE i.operation_id = h.operation_id
                           AND i.key = $2 || CAST(h.id AS TEXT) || '/' || {stay})"
        )
    };
    let (household_waits, members_wait) = (not_raised(household_stay), not_raised(members_stay));
    let rows = db.rows(
        &format!(
            "SELECT h.operation_id, h.id, h.rv_id, w.end_at, h.reference, h.pass_index,
                    h.updated_at, {household_stay}
             FROM households h JOIN windows w ON w.id = h.window_id
             JOIN operations o ON o.id = h.operation_id
             WHERE h.stage = 'admitted_at_rv' AND w.end_at <= $1 AND h.updated_at <= $1
               AND o.closed_at IS NULL{in_op} AND {household_waits}
             UNION
             SELECT h.operation_id, h.id, x.rv_id, w.end_at, h.reference, h.pass_index, x.since,
                    {members_stay}
             FROM held_people x JOIN households h ON h.id = x.household_id
             JOIN windows w ON w.id = h.window_id
             JOIN operations o ON o.id = h.operation_id
             WHERE x.stage = 'admitted_at_rv' AND w.end_at <= $1 AND x.since <= $1
               AND o.closed_at IS NULL{in_op} AND {members_wait}
             ORDER BY 2, 8{limit}"
        ),
        &params,
    )?;
    rows.iter()
        .map(|r| {
            let (window_end, admitted) = (r.i64(3)?, r.i64(6)?);
            Ok(NotDeparted {
                op: OperationId(r.i64(0)?),
                household: HouseholdId(r.i64(1)?),
                rv: r.opt_i64(2)?.map(RvId),
                reference: CaseReference::parse(&r.text(4)?)?,
                pass_index: r.opt_i64(5)?,
                waiting_since: Timestamp(window_end.max(admitted)),
                stay: r.text(7)?,
            })
        })
        .collect()
}

/// Whether the sweep has anything to do at `now`: a household overdue, or one not reported
/// departing (a cheap read before the sweep's transaction).
pub(crate) fn sweep_has_work(
    db: &mut dyn Db,
    op: Option<OperationId>,
    now: Timestamp,
) -> Result<bool> {
    Ok(!overdue_households(db, op, now, Some(1))?.is_empty()
        || !not_departed(db, op, now, Some(1))?.is_empty())
}

/// Raises a `not_departed` incident for every household admitted at its RV whose departure was
/// not reported in time: a coordinator finds its escort, and a departure recorded later (from
/// another phone, or through the API) takes it on its way.
fn raise_not_departed(db: &mut dyn Db, op: Option<OperationId>, at: Timestamp) -> Result<()> {
    for n in not_departed(db, op, at, None)? {
        let detail = format!(
            "case {}: admitted at its rendezvous point, and no departure reported in the {} \
             minutes since {} (its window's end, or its admission if later): find its escort; \
             the departure, recorded from another phone or through the API, takes it on its way",
            n.reference,
            (at.0 - n.waiting_since.0) / 60,
            n.waiting_since.rfc3339()
        );
        let facts = Facts {
            rv: n.rv,
            household: Some(n.household),
            pass_index: n.pass_index,
            ..Facts::default()
        };
        let key = format!("{NOT_DEPARTED_KEY}{}/{}", n.household.0, n.stay);
        raise(
            db,
            n.op,
            IncidentKind::NotDeparted,
            &key,
            facts,
            &detail,
            &[],
            at,
        )?;
    }
    Ok(())
}

/// Marks every overdue household unaccounted at `actor.at` and raises one alarm per batch; the
/// number of households marked.
pub(crate) fn sweep(db: &mut dyn Db, op: Option<OperationId>, actor: &Actor) -> Result<u32> {
    raise_not_departed(db, op, actor.at)?;
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
                rv: Some(rv),
                gate: Some(gate),
                batch: Some(batch),
                ..NewEvent::new(
                    op,
                    "custody_alarm",
                    serde_json::json!({
                        "batch": batch.0, "households": households, "people": people
                    }),
                )
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

/// Keeps a coordinator's resolution of the alarm of `batch` for one person of `household`.
pub(crate) fn record_resolution(
    db: &mut dyn Db,
    op: OperationId,
    household: HouseholdId,
    person: PersonId,
    batch: BatchId,
    outcome: CustodyOutcome,
    at: Timestamp,
) -> Result<()> {
    db.exec(
        "INSERT INTO custody_resolutions (operation_id, household_id, person_id, batch_id,
                                          outcome, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        p![op.0, household.0, person.0, batch.0, outcome.as_str(), at.0],
    )?;
    Ok(())
}

/// The open alarms of an operation: per batch, the households with people unaccounted and
/// unresolved (a whole household, or the members held apart when the others went on), with how
/// many of each. No count of the whole operation's stages is made.
pub(crate) fn open_alarms(db: &mut dyn Db, op: OperationId) -> Result<Vec<OpenAlarm>> {
    let rows = db.rows(
        "SELECT h.reference, CAST(COUNT(*) AS BIGINT), b.id, b.rv_id, b.gate_id, b.departed_at,
                b.deadline_at, b.closed_at, b.departed_people, b.arrived_people
         FROM people p
         JOIN households h ON h.id = p.household_id
         LEFT JOIN held_people x ON x.person_id = p.id
         LEFT JOIN batches b ON b.id = COALESCE(x.batch_id, h.batch_id)
         WHERE p.operation_id = $1 AND COALESCE(x.stage, h.stage) = 'unaccounted'
           AND NOT EXISTS (SELECT 1 FROM custody_resolutions r
                           WHERE r.person_id = p.id
                             AND r.batch_id = COALESCE(x.batch_id, h.batch_id))
         GROUP BY h.reference, b.id, b.rv_id, b.gate_id, b.departed_at, b.deadline_at,
                  b.closed_at, b.departed_people, b.arrived_people
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

/// Every person of the operation with their own stage and batch: their household's, or theirs
/// while held apart from it.
const PERSONS: &str = "WITH persons AS (
       SELECT p.id AS person, COALESCE(x.stage, h.stage) AS stage,
              COALESCE(x.batch_id, h.batch_id) AS batch
       FROM people p JOIN households h ON h.id = p.household_id
       LEFT JOIN held_people x ON x.person_id = p.id
       WHERE p.operation_id = $1)";

/// People whose unaccounted alarm was resolved, and people unaccounted whose alarm (of the
/// batch they are in) is not; people in escort past their deadline.
pub(crate) fn custody_counts(
    db: &mut dyn Db,
    op: OperationId,
    now: Timestamp,
) -> Result<CustodyCounts> {
    let open = "persons.stage = 'unaccounted' AND NOT EXISTS (
               SELECT 1 FROM custody_resolutions r
               WHERE r.person_id = persons.person AND r.batch_id = persons.batch)";
    let r = db.one(
        &format!(
            "{PERSONS}
             SELECT CAST(COALESCE(SUM(CASE WHEN {open} THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN EXISTS (
                        SELECT 1 FROM custody_resolutions r WHERE r.person_id = persons.person)
                      AND NOT ({open}) THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM persons"
        ),
        p![op.0],
    )?;
    let overdue = db.one(
        &format!(
            "{PERSONS}
             SELECT COUNT(*) FROM persons JOIN batches b ON b.id = persons.batch
             WHERE persons.stage = 'in_escort'
               AND (b.closed_at IS NOT NULL OR b.deadline_at <= $2)"
        ),
        p![op.0, now.0],
    )?;
    Ok(CustodyCounts {
        unresolved_people: r.i64(0)? as u64,
        resolved_people: r.i64(1)? as u64,
        overdue_in_escort_people: overdue.i64(0)? as u64,
    })
}

/// The steps that end a person's link of custody: every step out of escort or out of
/// unaccounted (held to `Stage::after` by the test below).
const ENDS_A_LINK: [Step; 6] = [
    Step::ArriveAtGate,
    Step::MarkUnaccounted,
    Step::ResolveArrivedLate,
    Step::ResolveReturnedToRv,
    Step::ResolveFoundElsewhere,
    Step::ResolveRecordedMissing,
];

/// Who held each person of a household on the way to the gate, from the household's events:
/// each departure opens a link per person who left (the batch, the escort user and device that
/// departed it, when), closed by that person's arrival, unaccounted mark or a resolution that
/// follows it. An event names the members it moved (`members` in its detail); one written
/// before members were named moved them all.
pub(crate) fn custody_chain(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Vec<CustodyLink>> {
    let household = household_id(db, op, reference)?.0;
    let everyone: Vec<PersonId> = db
        .rows(
            "SELECT id FROM people WHERE household_id = $1 ORDER BY id",
            p![household],
        )?
        .iter()
        .map(|r| r.i64(0).map(PersonId))
        .collect::<Result<_>>()?;
    let events = db.rows(
        "SELECT kind, user_id, device, rv_id, gate_id, detail, at FROM events
         WHERE household_id = $1 ORDER BY id",
        p![household],
    )?;
    let mut chain: Vec<CustodyLink> = Vec::new();
    for e in &events {
        let kind = e.text(0)?;
        let at = Timestamp(e.i64(6)?);
        let detail: serde_json::Value =
            serde_json::from_str(&e.text(5)?).unwrap_or(serde_json::Value::Null);
        let moved: Vec<PersonId> = match detail["members"].as_array() {
            Some(ids) => ids
                .iter()
                .filter_map(|v| v.as_i64())
                .map(PersonId)
                .collect(),
            None => everyone.clone(),
        };
        let step = Step::ALL.into_iter().find(|s| s.as_str() == kind);
        match step {
            Some(Step::DepartInEscort) => {
                for person in moved {
                    chain.push(CustodyLink {
                        person,
                        batch: BatchId(detail["batch"].as_i64().unwrap_or(0)),
                        rv: RvId(e.opt_i64(3)?.unwrap_or(0)),
                        gate: GateId(e.opt_i64(4)?.unwrap_or(0)),
                        user: e.opt_i64(1)?.map(UserId),
                        device: e.opt_text(2)?,
                        from: at,
                        until: None,
                        ended_by: None,
                    })
                }
            }
            Some(step) if ENDS_A_LINK.contains(&step) => {
                for person in moved {
                    let open = chain.iter_mut().rev().find(|l| {
                        l.person == person
                            && (l.ended_by.is_none()
                                || l.ended_by.as_deref() == Some("unaccounted"))
                    });
                    if let Some(open) = open {
                        open.until = Some(at);
                        open.ended_by = Some(match step {
                            Step::ArriveAtGate => "arrived".into(),
                            Step::MarkUnaccounted => "unaccounted".into(),
                            other => other.as_str().trim_start_matches("resolve_").into(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    chain.sort_by_key(|l| (l.person, l.from));
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_out_of_escort_or_unaccounted_ends_a_link_and_no_other_does() {
        let out_of_custody: Vec<Step> = Step::ALL
            .into_iter()
            .filter(|step| {
                Stage::InEscort.after(*step).is_some() || Stage::Unaccounted.after(*step).is_some()
            })
            .collect();
        assert_eq!(out_of_custody, ENDS_A_LINK);
    }
}
