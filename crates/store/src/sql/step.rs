//! What every subject shares: loading a case for a decision and committing the decided step
//! (the case row under its version guard, the stage counts spread over shards, window seats,
//! the event with its audit entry and its announcement), retiring a household's valid pass,
//! events about places, and the guards and wording of refusals that every subject uses.
//!
//! It imports no subject module (households, lifecycle, batches, scans, places, accounts,
//! counts, passes): they import it. Below it are only the audit chain and the value layer.

use super::many::{insert_rows, update_from_rows};
use super::{Db, Row, Value, p};
use crate::types::*;
use crate::{Change, Result, StoreError};
use safeconduct_domain::lifecycle::CaseState;
use safeconduct_domain::*;
use std::collections::BTreeMap;

pub(crate) fn require_operation(db: &mut dyn Db, op: OperationId) -> Result<()> {
    db.row("SELECT id FROM operations WHERE id = $1", p![op.0])?
        .map(|_| ())
        .ok_or_else(|| StoreError::not_found(format!("operation {op}")))
}

/// Refuses an operation that does not exist, and holds its row until the transaction ends:
/// another writer that takes it waits (PostgreSQL; SQLite writes one at a time already), so a
/// rule that looks at the operation's other records before adding one holds under concurrency.
pub(crate) fn lock_operation(db: &mut dyn Db, op: OperationId) -> Result<()> {
    db.row(
        "UPDATE operations SET name = name WHERE id = $1 RETURNING id",
        p![op.0],
    )?
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

impl<'a> NewEvent<'a> {
    /// An event of the operation, about no household and at no place: the fields that apply
    /// are set beside it (`NewEvent { household: Some(h), ..NewEvent::new(op, kind, detail) }`).
    pub fn new(op: OperationId, kind: &'a str, detail: serde_json::Value) -> Self {
        NewEvent {
            op,
            household: None,
            kind,
            transition: None,
            detail,
            rv: None,
            gate: None,
            batch: None,
        }
    }
}

/// Appends an event and announces the change to every server sharing the store.
pub(crate) fn insert_event(db: &mut dyn Db, e: NewEvent<'_>, actor: &Actor) -> Result<i64> {
    let ids = insert_events(db, vec![(e, actor)])?;
    ids.first()
        .copied()
        .ok_or_else(|| StoreError::Internal("an event was not written".into()))
}

const EVENT_COLUMNS: &str = "operation_id, household_id, kind, from_stage, to_stage, detail, \
     user_id, role, device, rv_id, gate_id, at";

/// Appends events, each with its audit entry and announcement; returns their ids in order.
/// One event takes one statement; several take a statement for their ids and a few for
/// their rows.
pub(crate) fn insert_events(
    db: &mut dyn Db,
    events: Vec<(NewEvent<'_>, &Actor)>,
) -> Result<Vec<i64>> {
    let row = |e: &NewEvent<'_>, actor: &Actor| {
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
        ]
        .to_vec()
    };
    let ids = match events.as_slice() {
        [] => return Ok(Vec::new()),
        [(e, actor)] => vec![
            db.one(
                &format!(
                    "INSERT INTO events ({EVENT_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
                ),
                &row(e, actor),
            )?
            .i64(0)?,
        ],
        many => {
            let ids = db.next_ids("events", many.len())?;
            let rows: Vec<Vec<Value>> = many
                .iter()
                .zip(&ids)
                .map(|((e, actor), id)| {
                    let mut r = vec![Value::Int(*id)];
                    r.extend(row(e, actor));
                    r
                })
                .collect();
            insert_rows(db, "events", &format!("id, {EVENT_COLUMNS}"), &rows, "")?;
            ids
        }
    };
    for (e, actor) in &events {
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
    }
    Ok(ids)
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
            rv,
            gate,
            ..NewEvent::new(op, kind, detail)
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
    let mut moves = CountMoves::default();
    moves.add(household, case, households, people);
    moves.write(db, op)
}

/// Changes to the maintained counts, added up before they are written: a run of steps writes
/// each count row it changes once, in one statement, in the same order in every transaction.
#[derive(Default)]
pub(crate) struct CountMoves(BTreeMap<(&'static str, i64, Stage, i64), (i64, i64)>);

impl CountMoves {
    pub(crate) fn add(
        &mut self,
        household: HouseholdId,
        case: &CaseState,
        households: i64,
        people: i64,
    ) {
        let shard = household.0.rem_euclid(COUNT_SHARDS);
        let places = [
            Some(("operation", 0)),
            case.rv.map(|rv| ("rv", rv.0)),
            case.gate.map(|gate| ("gate", gate.0)),
        ];
        for (scope, id) in places.into_iter().flatten() {
            let count = self.0.entry((scope, id, case.stage, shard)).or_default();
            count.0 += households;
            count.1 += people;
        }
    }

    pub(crate) fn write(self, db: &mut dyn Db, op: OperationId) -> Result<()> {
        let rows: Vec<Vec<Value>> = self
            .0
            .into_iter()
            .filter(|(_, moved)| *moved != (0, 0))
            .map(|((scope, id, stage, shard), (households, people))| {
                p![op.0, scope, id, stage.as_str(), shard, households, people].to_vec()
            })
            .collect();
        insert_rows(
            db,
            "stage_counts",
            "operation_id, scope, scope_id, stage, shard, households, people",
            &rows,
            "ON CONFLICT (operation_id, scope, scope_id, stage, shard) DO UPDATE
             SET households = stage_counts.households + excluded.households,
                 people = stage_counts.people + excluded.people",
        )?;
        Ok(())
    }
}

/// A case as loaded for a decision: its id, what the decision needs to know, and the version
/// the update is guarded by.
pub(crate) struct LoadedCase {
    pub id: HouseholdId,
    pub state: CaseState,
    pub version: i64,
}

/// What a decision needs to know of a household `h`, in the order [`loaded`] reads.
pub(crate) const CASE_COLUMNS: &str =
    "h.id, h.stage, h.size, h.window_id, h.rv_id, h.gate_id, h.batch_id,
    h.flight_id, h.version,
    NOT EXISTS (SELECT 1 FROM people p WHERE p.household_id = h.id
                AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.person_id = p.id)
                AND NOT (p.minor AND EXISTS (
                    SELECT 1 FROM people g JOIN documents gd ON gd.person_id = g.id
                    WHERE g.household_id = h.id AND NOT g.minor))),
    (SELECT COUNT(*) FROM held_people x WHERE x.household_id = h.id)";

/// The case read by [`CASE_COLUMNS`] from column `from` of `r` on.
pub(crate) fn loaded(r: &Row, from: usize) -> Result<LoadedCase> {
    let at = |i: usize| from + i;
    Ok(LoadedCase {
        id: HouseholdId(r.i64(at(0))?),
        state: CaseState {
            stage: stage(r.text(at(1))?)?,
            size: r.u32(at(2))?,
            window: r.opt_i64(at(3))?.map(WindowId),
            rv: r.opt_i64(at(4))?.map(RvId),
            gate: r.opt_i64(at(5))?.map(GateId),
            batch: r.opt_i64(at(6))?.map(BatchId),
            flight: r.opt_i64(at(7))?.map(FlightId),
            all_members_documented: r.bool(at(9))?,
            held: r.u32(at(10))?,
        },
        version: r.i64(at(8))?,
    })
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
    // Kept to the actor's places in the statement, before the case's columns are computed:
    // a case that is not theirs costs what a reference that names no case costs, so that not
    // even the time of the answer tells one from the other. `Actor::sees` still decides.
    let (seen, places) = seen_by(actor, "h", 3);
    let mut params = p![op.0, reference.as_str()].to_vec();
    params.extend(places);
    let r = db
        .row(
            &format!(
                "SELECT {CASE_COLUMNS} FROM households h
                 WHERE h.operation_id = $1 AND h.reference = $2{seen}"
            ),
            &params,
        )?
        .ok_or_else(not_found)?;
    let loaded = loaded(&r, 0)?;
    if !actor.sees(loaded.state.rv, loaded.state.gate) {
        // The statement should have kept it out: every test that tries a case at another's
        // place fails on this in a debug build, so the two checks cannot drift apart.
        debug_assert!(
            false,
            "seen_by let through a case outside the actor's places"
        );
        return Err(not_found());
    }
    Ok(loaded)
}

/// The condition on a row of `table` (a household or a batch, by its `rv_id` and `gate_id`)
/// that keeps to what `actor` sees at its places, as [`Actor::sees`] decides (an escort's by
/// RV, gate staff's by gate, anyone else scoped to places by either), with its parameters
/// numbered from `$first`; nothing for an actor not scoped to places.
pub(crate) fn seen_by(actor: &Actor, table: &str, first: usize) -> (String, Vec<Value>) {
    let Some(places) = &actor.places else {
        return (String::new(), Vec::new());
    };
    let mut params = Vec::new();
    let mut within = |column: &str, ids: Vec<i64>| {
        if ids.is_empty() {
            return "1 = 0".to_string();
        }
        let marks: Vec<String> = ids
            .into_iter()
            .map(|id| {
                params.push(Value::Int(id));
                format!("${}", first + params.len() - 1)
            })
            .collect();
        format!("{column} IN ({})", marks.join(", "))
    };
    let rvs = || places.rvs.iter().map(|r| r.0).collect();
    let gates = || places.gates.iter().map(|g| g.0).collect();
    let condition = match actor.role {
        Some(Role::Escort) => within(&format!("{table}.rv_id"), rvs()),
        Some(Role::Gate) => within(&format!("{table}.gate_id"), gates()),
        _ => {
            let at_rv = within(&format!("{table}.rv_id"), rvs());
            let at_gate = within(&format!("{table}.gate_id"), gates());
            format!("({at_rv} OR {at_gate})")
        }
    };
    (format!(" AND {condition}"), params)
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

/// A decided step of one case, to be written.
pub(crate) struct DecidedStep<'a> {
    pub loaded: &'a LoadedCase,
    pub after: CaseState,
    pub kind: &'a str,
    pub detail: serde_json::Value,
    pub actor: &'a Actor,
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
    let step = DecidedStep {
        loaded,
        after: after.clone(),
        kind,
        detail,
        actor,
    };
    let ids = commit_steps(db, op, std::slice::from_ref(&step))?;
    ids.first()
        .copied()
        .ok_or_else(|| StoreError::Internal("a step wrote no event".into()))
}

/// What a step writes to the case row, from `v.column3` on (`v.column1` is the id,
/// `v.column2` the version the step was decided on).
const CASE_SET: &str = "UPDATE households SET stage = v.column3, window_id = v.column4,
        rv_id = v.column5, gate_id = v.column6, batch_id = v.column7, flight_id = v.column8,
        version = households.version + 1, updated_at = v.column9";
const CASE_TYPES: [&str; 9] = [
    "BIGINT", "BIGINT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT",
];

/// Writes decided steps of distinct cases together: the case rows (each guarded by the
/// version it was decided on: if any changed meanwhile, the transaction is refused), the
/// counts and window seats they move, and their events (ids returned in order) with their
/// audit entries and announcements. The online API's steps are runs of one; a sync's
/// admissions are written as one run.
pub(crate) fn commit_steps(
    db: &mut dyn Db,
    op: OperationId,
    steps: &[DecidedStep<'_>],
) -> Result<Vec<i64>> {
    if steps.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Vec<Value>> = steps
        .iter()
        .map(|s| {
            let a = &s.after;
            p![
                s.loaded.id.0,
                s.loaded.version,
                a.stage.as_str(),
                a.window.map(|x| x.0),
                a.rv.map(|x| x.0),
                a.gate.map(|x| x.0),
                a.batch.map(|x| x.0),
                a.flight.map(|x| x.0),
                s.actor.at.0,
            ]
            .to_vec()
        })
        .collect();
    let changed = update_from_rows(
        db,
        CASE_SET,
        &CASE_TYPES,
        &rows,
        "WHERE households.id = v.column1 AND households.version = v.column2",
        &[],
    )?;
    if changed != steps.len() as u64 {
        return Err(StoreError::changed_meanwhile());
    }
    // The people counted with the household are those in its stage; members held apart are
    // counted where they are (`members`).
    let mut counts = CountMoves::default();
    let mut seats: BTreeMap<WindowId, i64> = BTreeMap::new();
    let seat = |c: &CaseState| c.window.filter(|_| c.stage.holds_window_seat());
    for s in steps {
        let (before, after) = (&s.loaded.state, &s.after);
        counts.add(s.loaded.id, before, -1, -(before.people() as i64));
        counts.add(s.loaded.id, after, 1, after.people() as i64);
        let (old, new) = (seat(before), seat(after));
        if old != new {
            let size = before.size as i64;
            if let Some(w) = old {
                *seats.entry(w).or_default() -= size;
            }
            if let Some(w) = new {
                *seats.entry(w).or_default() += size;
            }
        }
    }
    counts.write(db, op)?;
    // Seats given back first. Seats are taken only where they are still free: another
    // assignment, or a window's places lowered, committed since the window was read is refused
    // as a full window (the CHECK on windows stays the last guard).
    let mut seats: Vec<(WindowId, i64)> = seats.into_iter().filter(|s| s.1 != 0).collect();
    seats.sort_by_key(|s| s.1);
    for (window, people) in seats {
        let written = db.exec(
            "UPDATE windows SET assigned_people = assigned_people + $1
             WHERE id = $2 AND assigned_people + $1 <= capacity",
            p![people, window.0],
        )?;
        if written == 0 {
            let now = db.one(
                "SELECT capacity, assigned_people FROM windows WHERE id = $1",
                p![window.0],
            )?;
            return Err(DomainError::WindowFull {
                capacity: now.u32(0)?,
                assigned: now.u32(1)?,
                requested: u32::try_from(people).unwrap_or(u32::MAX),
            }
            .into());
        }
    }
    let events: Vec<(NewEvent<'_>, &Actor)> = steps
        .iter()
        .map(|s| {
            let event = NewEvent {
                household: Some(s.loaded.id),
                transition: Some((s.loaded.state.stage, s.after.stage)),
                rv: s.after.rv,
                gate: s.after.gate,
                batch: s.after.batch,
                ..NewEvent::new(op, s.kind, s.detail.clone())
            };
            (event, s.actor)
        })
        .collect();
    insert_events(db, events)
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
