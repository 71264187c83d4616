//! What every subject shares: loading a case for a decision and committing the decided step
//! (the case row under its version guard, the stage counts spread over shards, window seats,
//! the event with its audit entry and its announcement), retiring a household's valid pass,
//! events about places, and the guards and wording of refusals that every subject uses.
//!
//! It imports no subject module (households, lifecycle, batches, scans, places, accounts,
//! counts, passes): they import it. Below it are only the audit chain and the value layer.

use super::{Db, p};
use crate::types::*;
use crate::{Change, Result, StoreError};
use safeconduct_domain::lifecycle::CaseState;
use safeconduct_domain::*;

pub(crate) fn require_operation(db: &mut dyn Db, op: OperationId) -> Result<()> {
    db.row("SELECT id FROM operations WHERE id = $1", p![op.0])?
        .map(|_| ())
        .ok_or_else(|| StoreError::not_found(format!("operation {op}")))
}

/// Refuses an operation whose personal data was shredded: nothing that stood for it (a pass,
/// a key, a status list) is given out any more.
pub(crate) fn require_unshredded(db: &mut dyn Db, op: OperationId) -> Result<()> {
    let shredded = db
        .row(
            "SELECT shredded_at FROM operation_keys WHERE operation_id = $1",
            p![op.0],
        )?
        .map(|r| r.opt_i64(0))
        .transpose()?
        .flatten();
    match shredded {
        Some(_) => Err(StoreError::Shredded(op)),
        None => Ok(()),
    }
}

/// Turns a unique-constraint conflict into a sentence about what already exists.
pub(crate) fn duplicate(what: String) -> impl FnOnce(StoreError) -> StoreError {
    move |e| match e {
        StoreError::Conflict(_) => StoreError::Conflict(format!("{what} already exists")),
        other => other,
    }
}

/// One movement or change, as appended to the event log.
pub(crate) struct NewEvent<'a> {
    pub op: OperationId,
    pub household: Option<HouseholdId>,
    pub kind: &'a str,
    pub transition: Option<(Stage, Stage)>,
    pub detail: serde_json::Value,
    /// Where it happened.
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub batch: Option<BatchId>,
}

/// Appends an event and announces the change to every server sharing the store.
pub(crate) fn insert_event(db: &mut dyn Db, e: NewEvent<'_>, actor: &Actor) -> Result<i64> {
    let id = db
        .one(
            "INSERT INTO events (operation_id, household_id, kind, from_stage, to_stage, detail,
                                 user_id, role, device, rv_id, gate_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            p![
                e.op.0,
                e.household.map(|h| h.0),
                e.kind,
                e.transition.map(|t| t.0.as_str()),
                e.transition.map(|t| t.1.as_str()),
                e.detail.to_string(),
                actor.user.map(|u| u.0),
                actor.role.map(|r| r.as_str()),
                actor.device.clone(),
                e.rv.map(|r| r.0),
                e.gate.map(|g| g.0),
                actor.at.0,
            ],
        )?
        .i64(0)?;
    let record = match (e.household, e.batch, e.gate, e.rv) {
        (Some(h), ..) => Some(format!("household/{}", h.0)),
        (None, Some(b), ..) => Some(format!("batch/{}", b.0)),
        (None, None, Some(g), _) => Some(format!("gate/{}", g.0)),
        (None, None, None, Some(r)) => Some(format!("rv/{}", r.0)),
        _ => None,
    };
    super::audit::record(
        db,
        AuditEntry {
            reason: e.detail["reason"].as_str().map(str::to_owned),
            ..AuditEntry::by(actor, Some(e.op), e.kind, record)
        },
    )?;
    db.notify(&Change {
        operation: e.op,
        kind: e.kind.to_string(),
        stage: e.transition.map(|t| t.1),
        rv: e.rv,
        gate: e.gate,
        batch: e.batch,
    })?;
    Ok(id)
}

/// An event about a place rather than a case.
pub(crate) fn place_event(
    db: &mut dyn Db,
    op: OperationId,
    kind: &str,
    detail: serde_json::Value,
    rv: Option<RvId>,
    gate: Option<GateId>,
    actor: &Actor,
) -> Result<i64> {
    insert_event(
        db,
        NewEvent {
            op,
            household: None,
            kind,
            transition: None,
            detail,
            rv,
            gate,
            batch: None,
        },
        actor,
    )
}

/// How many rows each maintained count is spread over. Every step of every case changes the
/// operation's counts: kept in one row, that row would be locked by each writing transaction
/// until it commits, and writers on every server would queue for it. A case's changes go to
/// the shard of its household id, so concurrent steps of different cases mostly touch
/// different rows; readers add the shards up.
const COUNT_SHARDS: i64 = 8;

/// Adds `households` and `people` to the counts of a stage, for the operation and for the
/// RV and gate the case is placed at.
pub(crate) fn bump(
    db: &mut dyn Db,
    op: OperationId,
    household: HouseholdId,
    case: &CaseState,
    households: i64,
    people: i64,
) -> Result<()> {
    let stage = case.stage.as_str();
    let shard = household.0.rem_euclid(COUNT_SHARDS);
    let mut scopes = vec![("operation", 0)];
    if let Some(rv) = case.rv {
        scopes.push(("rv", rv.0));
    }
    if let Some(gate) = case.gate {
        scopes.push(("gate", gate.0));
    }
    for (scope, id) in scopes {
        db.exec(
            "INSERT INTO stage_counts (operation_id, scope, scope_id, stage, shard, households,
                                       people)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (operation_id, scope, scope_id, stage, shard) DO UPDATE
             SET households = stage_counts.households + excluded.households,
                 people = stage_counts.people + excluded.people",
            p![op.0, scope, id, stage, shard, households, people],
        )?;
    }
    Ok(())
}

/// Moves a case's people in the maintained counts, and its seats between windows.
fn move_case(
    db: &mut dyn Db,
    op: OperationId,
    household: HouseholdId,
    before: &CaseState,
    after: &CaseState,
) -> Result<()> {
    // The people counted with the household are those in its stage; members held apart are
    // counted where they are (`members`).
    bump(db, op, household, before, -1, -(before.people() as i64))?;
    bump(db, op, household, after, 1, after.people() as i64)?;
    let size = before.size as i64;
    let seat = |c: &CaseState| c.window.filter(|_| c.stage.holds_window_seat());
    let (old, new) = (seat(before), seat(after));
    if old != new {
        if let Some(w) = old {
            db.exec(
                "UPDATE windows SET assigned_people = assigned_people - $1 WHERE id = $2",
                p![size, w.0],
            )?;
        }
        if let Some(w) = new {
            // The CHECK on windows refuses an overfull window even when two servers decide at
            // the same moment.
            db.exec(
                "UPDATE windows SET assigned_people = assigned_people + $1 WHERE id = $2",
                p![size, w.0],
            )?;
        }
    }
    Ok(())
}

/// A case as loaded for a decision: its id, what the decision needs to know, and the version
/// the update is guarded by.
pub(crate) struct LoadedCase {
    pub id: HouseholdId,
    pub state: CaseState,
    pub version: i64,
}

/// Loads what a lifecycle decision needs to know about a case, and its version, for `actor`.
/// A case outside the places of an actor scoped to places (an escort's RV, gate staff's gate)
/// does not exist for them: it is answered exactly as a reference that names no case, so that
/// no answer tells them whether it exists, where it is or at which stage.
pub(crate) fn load_case(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
    actor: &Actor,
) -> Result<LoadedCase> {
    let not_found = || StoreError::not_found(format!("case {reference}"));
    let r = db
        .row(
            "SELECT h.id, h.stage, h.size, h.window_id, h.rv_id, h.gate_id, h.batch_id, h.flight_id,
                    h.version,
                    NOT EXISTS (SELECT 1 FROM people p WHERE p.household_id = h.id
                                AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.person_id = p.id)
                                AND NOT (p.minor AND EXISTS (
                                    SELECT 1 FROM people g JOIN documents gd ON gd.person_id = g.id
                                    WHERE g.household_id = h.id AND NOT g.minor))),
                    (SELECT COUNT(*) FROM held_people x WHERE x.household_id = h.id)
             FROM households h WHERE h.operation_id = $1 AND h.reference = $2",
            p![op.0, reference.as_str()],
        )?
        .ok_or_else(not_found)?;
    let loaded = LoadedCase {
        id: HouseholdId(r.i64(0)?),
        state: CaseState {
            stage: stage(r.text(1)?)?,
            size: r.u32(2)?,
            window: r.opt_i64(3)?.map(WindowId),
            rv: r.opt_i64(4)?.map(RvId),
            gate: r.opt_i64(5)?.map(GateId),
            batch: r.opt_i64(6)?.map(BatchId),
            flight: r.opt_i64(7)?.map(FlightId),
            all_members_documented: r.bool(9)?,
            held: r.u32(10)?,
        },
        version: r.i64(8)?,
    };
    if !actor.sees(loaded.state.rv, loaded.state.gate) {
        return Err(not_found());
    }
    Ok(loaded)
}

/// The id of the case `reference` in `op`, for reads that name it (not scoped to places:
/// callers scope by role).
pub(crate) fn household_id(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<HouseholdId> {
    Ok(HouseholdId(
        db.row(
            "SELECT id FROM households WHERE operation_id = $1 AND reference = $2",
            p![op.0, reference.as_str()],
        )?
        .ok_or_else(|| StoreError::not_found(format!("case {reference}")))?
        .i64(0)?,
    ))
}

pub(crate) fn stage(s: String) -> Result<Stage> {
    Stage::parse(&s).ok_or_else(|| StoreError::Internal(format!("unknown stage {s:?}")))
}

/// Writes a decided step: the case row (guarded by its version), the maintained counts and
/// the event. Returns the event id.
pub(crate) fn commit_step(
    db: &mut dyn Db,
    op: OperationId,
    loaded: &LoadedCase,
    after: &CaseState,
    kind: &str,
    detail: serde_json::Value,
    actor: &Actor,
) -> Result<i64> {
    let changed = db.exec(
        "UPDATE households SET stage = $1, window_id = $2, rv_id = $3, gate_id = $4,
                batch_id = $5, flight_id = $6, version = version + 1, updated_at = $7
         WHERE id = $8 AND version = $9",
        p![
            after.stage.as_str(),
            after.window.map(|x| x.0),
            after.rv.map(|x| x.0),
            after.gate.map(|x| x.0),
            after.batch.map(|x| x.0),
            after.flight.map(|x| x.0),
            actor.at.0,
            loaded.id.0,
            loaded.version,
        ],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict(
            "the case changed while this step was decided; read it again".into(),
        ));
    }
    move_case(db, op, loaded.id, &loaded.state, after)?;
    insert_event(
        db,
        NewEvent {
            op,
            household: Some(loaded.id),
            kind,
            transition: Some((loaded.state.stage, after.stage)),
            detail,
            rv: after.rv,
            gate: after.gate,
            batch: after.batch,
        },
        actor,
    )
}

/// Moves a household's valid pass, if it has one, to `state`.
pub(crate) fn retire_valid_pass(
    db: &mut dyn Db,
    household: HouseholdId,
    state: PassState,
) -> Result<u64> {
    db.exec(
        "UPDATE passes SET status = $1 WHERE household_id = $2 AND status = 'valid'",
        p![state.as_str(), household.0],
    )
}
