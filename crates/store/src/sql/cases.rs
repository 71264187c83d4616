//! Households, people, documents, lifecycle steps and escort batches.

use super::sealed::{self, DocumentFields, HouseholdFields, PersonFields};
use super::{Db, Row, dec, enc, p};
use crate::types::*;
use crate::vault::{DataKey, Index, Record, Vault};
use crate::{Change, ReferenceSource, Result, StoreError};
use safeconduct_domain::lifecycle::{CaseState, Command, decide};
use safeconduct_domain::model::{EligibilityCategory, FlightLoad, PriorityFlag, WindowLoad};
use safeconduct_domain::values::{PhoneNumber, Timestamp};
use safeconduct_domain::*;

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

/// How many rows each maintained count is spread over. Every step of every case changes the
/// operation's counts: kept in one row, that row would be locked by each writing transaction
/// until it commits, and writers on every server would queue for it. A case's changes go to
/// the shard of its household id, so concurrent steps of different cases mostly touch
/// different rows; readers add the shards up.
const COUNT_SHARDS: i64 = 8;

/// Adds `households` and `people` to the counts of a stage, for the operation and for the
/// RV and gate the case is placed at.
fn bump(
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
    let size = before.size as i64;
    bump(db, op, household, before, -1, -size)?;
    bump(db, op, household, after, 1, size)?;
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

pub(crate) fn register(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    households: &[NewHousehold],
    references: ReferenceSource<'_>,
    actor: &Actor,
) -> Result<Vec<Registered>> {
    super::places::require_open_operation(db, op)?;
    let key = vault.key(db, op)?;
    let members: usize = households.iter().map(|h| h.members().len()).sum();
    let documents: usize = households
        .iter()
        .flat_map(|h| h.members())
        .map(|m| m.documents().len())
        .sum();
    let mut household_ids = db.next_ids("households", households.len())?.into_iter();
    let mut person_ids = db.next_ids("people", members)?.into_iter();
    let mut document_ids = db.next_ids("documents", documents)?.into_iter();
    let mut out = Vec::with_capacity(households.len());
    for h in households {
        let reference = loop {
            let r = references();
            if db
                .row(
                    "SELECT 1 FROM households WHERE reference = $1",
                    p![r.as_str()],
                )?
                .is_none()
            {
                break r;
            }
        };
        let priorities = h
            .priorities()
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let id = HouseholdId(household_ids.next().ok_or_else(drawn)?);
        let fields = HouseholdFields {
            contact_phone: h.contact_phone().map(|p| p.as_str().to_string()),
            notes: h.notes().map(|n| n.as_str().to_string()),
        };
        db.exec(
            "INSERT INTO households (id, operation_id, reference, stage, size, language, category,
                                     priorities, sealed, phone_index, registered_at, updated_at)
             VALUES ($1, $2, $3, 'registered', $4, $5, $6, $7, $8, $9, $10, $10)",
            p![
                id.0,
                op.0,
                reference.as_str(),
                h.members().len(),
                enc(&h.language()),
                h.category().map(|c| c.as_str()),
                priorities,
                key.seal(Record::Household, id.0, &fields),
                fields
                    .contact_phone
                    .as_deref()
                    .map(|p| key.index(Index::Phone, p)),
                actor.at.0,
            ],
        )?;
        let mut people = Vec::with_capacity(h.members().len());
        for m in h.members() {
            let person = PersonId(person_ids.next().ok_or_else(drawn)?);
            let fields = PersonFields::of(m);
            let (phone_index, name_index) = fields.indexes(&key)?;
            db.exec(
                "INSERT INTO people (id, household_id, operation_id, sealed, phone_index, name_index)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                p![
                    person.0,
                    id.0,
                    op.0,
                    key.seal(Record::Person, person.0, &fields),
                    phone_index,
                    name_index,
                ],
            )?;
            for d in m.documents() {
                let doc = document_ids.next().ok_or_else(drawn)?;
                insert_document(db, &key, op, person, DocumentId(doc), d)?;
            }
            people.push(person);
        }
        bump(
            db,
            op,
            id,
            &CaseState::registered(h.members().len() as u32, false),
            1,
            h.members().len() as i64,
        )?;
        db.exec(
            "INSERT INTO events (operation_id, household_id, kind, detail, user_id, role, device, at)
             VALUES ($1, $2, 'registered', $3, $4, $5, $6, $7)",
            p![
                op.0,
                id.0,
                serde_json::json!({ "members": h.members().len() }).to_string(),
                actor.user.map(|u| u.0),
                actor.role.map(|r| r.as_str()),
                actor.device.clone(),
                actor.at.0,
            ],
        )?;
        super::audit::record(
            db,
            AuditEntry::by(
                actor,
                Some(op),
                "registered",
                Some(format!("household/{}", id.0)),
            ),
        )?;
        out.push(Registered {
            id,
            reference,
            people,
        });
    }
    db.notify(&Change {
        operation: op,
        kind: "registered".into(),
        stage: Some(Stage::Registered),
        rv: None,
        gate: None,
        batch: None,
    })?;
    Ok(out)
}

/// Registers `household` unless the actor's user registered one with `key` before; then
/// returns that one, and `true`. See [`crate::Store::register_household_once`].
pub(crate) fn register_once(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    household: &NewHousehold,
    key: &RequestKey,
    references: ReferenceSource<'_>,
    actor: &Actor,
) -> Result<(Registered, bool)> {
    // Command-line registrations have no user; they share user 0, which no account has.
    let user = actor.user.map_or(0, |u| u.0);
    let hex: String = key.fingerprint.iter().map(|b| format!("{b:02x}")).collect();
    let fingerprint = vault.key(db, op)?.index(Index::Request, &hex);
    let seen = db.row(
        "SELECT operation_id, fingerprint, household_id FROM request_keys
         WHERE user_id = $1 AND request_key = $2",
        p![user, key.key.as_str()],
    )?;
    if let Some(r) = seen {
        if r.i64(0)? != op.0 || r.bytes(1)? != fingerprint {
            return Err(StoreError::Conflict(
                "this Idempotency-Key was already used for a different request; \
                 send a new key with each new request"
                    .into(),
            ));
        }
        let id = HouseholdId(r.i64(2)?);
        let reference = db
            .one("SELECT reference FROM households WHERE id = $1", p![id.0])?
            .text(0)?;
        let people = db
            .rows(
                "SELECT id FROM people WHERE household_id = $1 ORDER BY id",
                p![id.0],
            )?
            .iter()
            .map(|r| r.i64(0).map(PersonId))
            .collect::<Result<_>>()?;
        let registered = Registered {
            id,
            reference: CaseReference::parse(&reference)?,
            people,
        };
        return Ok((registered, true));
    }
    let registered = register(
        db,
        vault,
        op,
        std::slice::from_ref(household),
        references,
        actor,
    )?
    .pop()
    .ok_or_else(drawn)?;
    // Two requests with one key at once: the second insert fails on the primary key and
    // its registration is rolled back with it.
    db.exec(
        "INSERT INTO request_keys (user_id, request_key, operation_id, fingerprint, household_id,
                                   created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        p![
            user,
            key.key.as_str(),
            op.0,
            fingerprint.as_slice(),
            registered.id.0,
            actor.at.0
        ],
    )?;
    Ok((registered, false))
}

fn drawn() -> StoreError {
    StoreError::Internal("fewer ids were drawn than rows inserted".into())
}

fn insert_document(
    db: &mut dyn Db,
    key: &DataKey,
    op: OperationId,
    person: PersonId,
    id: DocumentId,
    d: &NewDocument,
) -> Result<()> {
    db.exec(
        "INSERT INTO documents (id, person_id, operation_id, doc_type, sealed, number_index)
         VALUES ($1, $2, $3, $4, $5, $6)",
        p![
            id.0,
            person.0,
            op.0,
            d.doc_type().as_str(),
            key.seal(Record::Document, id.0, &DocumentFields::of(d)),
            key.index(Index::Document, d.number().as_str()),
        ],
    )?;
    Ok(())
}

pub(crate) fn attach_document(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
    person: PersonId,
    d: &NewDocument,
    actor: &Actor,
) -> Result<DocumentId> {
    let loaded = load_case(db, op, reference)?;
    if db
        .row(
            "SELECT id FROM people WHERE id = $1 AND household_id = $2",
            p![person.0, loaded.id.0],
        )?
        .is_none()
    {
        return Err(StoreError::not_found(format!(
            "person {person} in case {reference}"
        )));
    }
    if !matches!(
        loaded.state.stage,
        Stage::Registered | Stage::DocumentsVerified
    ) {
        return Err(DomainError::conflict(format!(
            "documents can be attached while a case is registered or documents_verified; this one is {}",
            loaded.state.stage
        ))
        .into());
    }
    let key = vault.key(db, op)?;
    let id = DocumentId(db.next_ids("documents", 1)?[0]);
    insert_document(db, &key, op, person, id, d)?;
    insert_event(
        db,
        NewEvent {
            op,
            household: Some(loaded.id),
            kind: "document_attached",
            transition: None,
            detail: serde_json::json!({ "person": person.0, "document": id.0, "type": d.doc_type().as_str() }),
            rv: None,
            gate: None,
            batch: None,
        },
        actor,
    )?;
    Ok(id)
}

/// A case as loaded for a decision: its id, what the decision needs to know, and the version
/// the update is guarded by.
pub(crate) struct LoadedCase {
    pub id: HouseholdId,
    pub state: CaseState,
    pub version: i64,
}

/// Loads what a lifecycle decision needs to know about a case, and its version.
pub(crate) fn load_case(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<LoadedCase> {
    let r = db
        .row(
            "SELECT h.id, h.stage, h.size, h.window_id, h.rv_id, h.gate_id, h.batch_id, h.flight_id,
                    h.version,
                    NOT EXISTS (SELECT 1 FROM people p WHERE p.household_id = h.id
                                AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.person_id = p.id))
             FROM households h WHERE h.operation_id = $1 AND h.reference = $2",
            p![op.0, reference.as_str()],
        )?
        .ok_or_else(|| StoreError::not_found(format!("case {reference}")))?;
    Ok(LoadedCase {
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
        },
        version: r.i64(8)?,
    })
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

fn window_load(db: &mut dyn Db, op: OperationId, window: WindowId) -> Result<WindowLoad> {
    let r = db
        .row(
            "SELECT w.rv_id, r.status, w.capacity, w.assigned_people
             FROM windows w JOIN rvs r ON r.id = w.rv_id
             WHERE w.id = $1 AND w.operation_id = $2",
            p![window.0, op.0],
        )?
        .ok_or_else(|| StoreError::not_found(format!("window {window}")))?;
    Ok(WindowLoad {
        window,
        rv: RvId(r.i64(0)?),
        rv_status: dec(r.text(1)?)?,
        capacity: r.u32(2)?,
        assigned_people: r.u32(3)?,
    })
}

fn flight_load(db: &mut dyn Db, op: OperationId, flight: FlightId) -> Result<FlightLoad> {
    let r = db
        .row(
            "SELECT capacity, manifested_people FROM flights WHERE id = $1 AND operation_id = $2",
            p![flight.0, op.0],
        )?
        .ok_or_else(|| StoreError::not_found(format!("flight {flight}")))?;
    Ok(FlightLoad {
        flight,
        capacity: r.u32(0)?,
        manifested_people: r.u32(1)?,
    })
}

fn batch_gate(db: &mut dyn Db, op: OperationId, batch: BatchId) -> Result<GateId> {
    db.row(
        "SELECT gate_id FROM batches WHERE id = $1 AND operation_id = $2",
        p![batch.0, op.0],
    )?
    .ok_or_else(|| StoreError::not_found(format!("batch {batch}")))?
    .i64(0)
    .map(GateId)
}

pub(crate) fn apply(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
    request: &CaseRequest,
    actor: &Actor,
) -> Result<CaseOutcome> {
    let loaded = load_case(db, op, reference)?;
    let case = &loaded.state;
    let mut detail = serde_json::json!({});
    let command = match request {
        CaseRequest::VerifyDocuments => Command::VerifyDocuments,
        CaseRequest::DecideEligible { category } => {
            detail = serde_json::json!({ "category": category.as_str() });
            Command::DecideEligible
        }
        CaseRequest::Reject { reason } => {
            detail = serde_json::json!({ "reason": reason.as_str() });
            Command::Reject
        }
        CaseRequest::Assign { window } => Command::Assign(window_load(db, op, *window)?),
        CaseRequest::Reassign { window } => {
            detail = serde_json::json!({ "previous_window": case.window.map(|w| w.0) });
            Command::Reassign(window_load(db, op, *window)?)
        }
        CaseRequest::AdmitAtRv { rv } => {
            super::places::require_rv(db, op, *rv)?;
            Command::AdmitAtRv { rv: *rv }
        }
        CaseRequest::ArriveAtGate { batch } => Command::ArriveAtGate {
            batch: *batch,
            gate: batch_gate(db, op, *batch)?,
        },
        CaseRequest::Process { gate } => {
            super::places::require_gate(db, op, *gate)?;
            Command::Process { gate: *gate }
        }
        CaseRequest::Manifest { flight } => Command::Manifest(flight_load(db, op, *flight)?),
        CaseRequest::Board { flight } => Command::Board { flight: *flight },
        CaseRequest::Withdraw { reason } => {
            detail = serde_json::json!({ "reason": reason.as_str() });
            Command::Withdraw
        }
        CaseRequest::MarkNoShow => Command::MarkNoShow,
    };
    let next = decide(case, &command)?;
    let size = case.size as i64;
    match request {
        CaseRequest::DecideEligible { category } => {
            db.exec(
                "UPDATE households SET category = $1 WHERE id = $2",
                p![category.as_str(), loaded.id.0],
            )?;
        }
        CaseRequest::Reassign { .. } => {
            super::passes::retire_valid_pass(db, loaded.id, PassState::Superseded)?;
        }
        CaseRequest::Withdraw { .. } => {
            super::passes::retire_valid_pass(db, loaded.id, PassState::Revoked)?;
        }
        CaseRequest::ArriveAtGate { batch } => {
            db.exec(
                "UPDATE batches SET arrived_people = arrived_people + $1 WHERE id = $2",
                p![size, batch.0],
            )?;
        }
        CaseRequest::Manifest { flight } => {
            db.exec(
                "UPDATE flights SET manifested_people = manifested_people + $1 WHERE id = $2",
                p![size, flight.0],
            )?;
        }
        CaseRequest::Board { flight } => {
            db.exec(
                "UPDATE flights SET boarded_people = boarded_people + $1 WHERE id = $2",
                p![size, flight.0],
            )?;
        }
        _ => {}
    }
    let event = commit_step(
        db,
        op,
        &loaded,
        &next,
        command.step().as_str(),
        detail,
        actor,
    )?;
    Ok(CaseOutcome {
        reference: reference.clone(),
        from: case.stage,
        to: next.stage,
        people: case.size,
        event,
        pass_index: None,
    })
}

pub(crate) fn depart_batch(
    db: &mut dyn Db,
    op: OperationId,
    departure: &BatchDeparture,
    actor: &Actor,
) -> Result<Batch> {
    if departure.households.is_empty() || departure.households.len() > 500 {
        return Err(DomainError::invalid("households", "a batch holds 1 to 500 households").into());
    }
    super::places::require_rv(db, op, departure.rv)?;
    let gate = super::places::gate(db, op, departure.gate)?;
    let gate_serves_rv = gate.rvs.contains(&departure.rv);
    let batch = BatchId(
        db.one(
            "INSERT INTO batches (operation_id, rv_id, gate_id, households, departed_people, departed_at)
             VALUES ($1, $2, $3, 0, 0, $4) RETURNING id",
            p![op.0, departure.rv.0, departure.gate.0, actor.at.0],
        )?
        .i64(0)?,
    );
    let mut people = 0i64;
    for reference in &departure.households {
        let loaded = load_case(db, op, reference)?;
        let command = Command::DepartInEscort {
            batch,
            rv: departure.rv,
            gate: departure.gate,
            gate_status: gate.status,
            gate_serves_rv,
        };
        let next = decide(&loaded.state, &command).map_err(|e| {
            StoreError::Domain(DomainError::conflict(format!("case {reference}: {e}")))
        })?;
        commit_step(
            db,
            op,
            &loaded,
            &next,
            "depart_in_escort",
            serde_json::json!({ "batch": batch.0 }),
            actor,
        )?;
        people += loaded.state.size as i64;
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
        "SELECT reference FROM households WHERE batch_id = $1 AND stage = 'in_escort' ORDER BY id",
        p![batch.0],
    )?;
    for row in missing {
        let reference = CaseReference::parse(&row.text(0)?)?;
        let loaded = load_case(db, op, &reference)?;
        let next = decide(&loaded.state, &Command::MarkUnaccounted { batch })?;
        commit_step(
            db,
            op,
            &loaded,
            &next,
            "mark_unaccounted",
            serde_json::json!({ "batch": batch.0 }),
            actor,
        )?;
    }
    db.exec(
        "UPDATE batches SET closed_at = $1 WHERE id = $2",
        p![actor.at.0, batch.0],
    )?;
    insert_event(
        db,
        NewEvent {
            op,
            household: None,
            kind: "batch_closed",
            transition: None,
            detail: serde_json::json!({ "batch": batch.0 }),
            rv: Some(current.rv),
            gate: Some(current.gate),
            batch: Some(batch),
        },
        actor,
    )?;
    load_batch(db, op, batch)
}

pub(crate) fn load_batch(db: &mut dyn Db, op: OperationId, batch: BatchId) -> Result<Batch> {
    let r = db
        .row(
            "SELECT rv_id, gate_id, households, departed_people, arrived_people, departed_at, closed_at
             FROM batches WHERE id = $1 AND operation_id = $2",
            p![batch.0, op.0],
        )?
        .ok_or_else(|| StoreError::not_found(format!("batch {batch}")))?;
    let unaccounted = db
        .rows(
            "SELECT reference FROM households WHERE batch_id = $1 AND stage = 'unaccounted' ORDER BY id",
            p![batch.0],
        )?
        .iter()
        .map(|row| Ok(CaseReference::parse(&row.text(0)?)?))
        .collect::<Result<_>>()?;
    Ok(Batch {
        id: batch,
        rv: RvId(r.i64(0)?),
        gate: GateId(r.i64(1)?),
        households: r.u32(2)?,
        departed_people: r.u32(3)?,
        arrived_people: r.u32(4)?,
        departed_at: Timestamp(r.i64(5)?),
        closed_at: r.opt_i64(6)?.map(Timestamp),
        unaccounted,
    })
}

const HOUSEHOLD_COLUMNS: &str = "id, reference, stage, sealed, language, category, priorities,
     window_id, rv_id, gate_id, batch_id, flight_id, pass_index, registered_at, updated_at";

pub(crate) fn household_by_reference(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Household> {
    let sql = format!(
        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE operation_id = $1 AND reference = $2"
    );
    let row = db
        .row(&sql, p![op.0, reference.as_str()])?
        .ok_or_else(|| StoreError::not_found(format!("case {reference}")))?;
    let key = vault.key(db, op)?;
    household(db, &key, &row)
}

/// Cases with a member or contact phone equal to `phone`, found by the phone's blind index.
pub(crate) fn households_by_phone(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    phone: &PhoneNumber,
) -> Result<Vec<Household>> {
    let key = vault.key(db, op)?;
    let index = key.index(Index::Phone, phone.as_str());
    let sql = format!(
        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE id IN (
            SELECT household_id FROM people WHERE operation_id = $1 AND phone_index = $2
            UNION SELECT id FROM households WHERE operation_id = $1 AND phone_index = $2)
         ORDER BY id LIMIT 20"
    );
    let rows = db.rows(&sql, p![op.0, index])?;
    rows.iter().map(|r| household(db, &key, r)).collect()
}

fn household(db: &mut dyn Db, key: &DataKey, r: &Row) -> Result<Household> {
    let bad = |what: &str, v: &str| StoreError::Internal(format!("unexpected stored {what} {v:?}"));
    let id = HouseholdId(r.i64(0)?);
    let fields: HouseholdFields = sealed::open(key, Record::Household, id.0, r, 3)?;
    Ok(Household {
        id,
        reference: CaseReference::parse(&r.text(1)?)?,
        stage: stage(r.text(2)?)?,
        contact_phone: fields.contact_phone()?,
        language: dec(r.text(4)?)?,
        category: r
            .opt_text(5)?
            .map(|c| EligibilityCategory::parse(&c).ok_or_else(|| bad("category", &c)))
            .transpose()?,
        priorities: r
            .text(6)?
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| PriorityFlag::parse(p).ok_or_else(|| bad("priority", p)))
            .collect::<Result<_>>()?,
        notes: fields.notes()?,
        window: r.opt_i64(7)?.map(WindowId),
        rv: r.opt_i64(8)?.map(RvId),
        gate: r.opt_i64(9)?.map(GateId),
        batch: r.opt_i64(10)?.map(BatchId),
        flight: r.opt_i64(11)?.map(FlightId),
        pass_index: r.opt_i64(12)?,
        registered_at: Timestamp(r.i64(13)?),
        updated_at: Timestamp(r.i64(14)?),
        members: people_of(db, key, id)?,
    })
}

/// The members of a household with their documents, in one query.
fn people_of(db: &mut dyn Db, key: &DataKey, household: HouseholdId) -> Result<Vec<Person>> {
    let rows = db.rows(
        "SELECT p.id, p.sealed, d.id, d.doc_type, d.sealed
         FROM people p LEFT JOIN documents d ON d.person_id = p.id
         WHERE p.household_id = $1 ORDER BY p.id, d.id",
        p![household.0],
    )?;
    let mut people: Vec<Person> = Vec::new();
    for r in rows {
        let id = PersonId(r.i64(0)?);
        if people.last().is_none_or(|p| p.id != id) {
            let fields: PersonFields = sealed::open(key, Record::Person, id.0, &r, 1)?;
            people.push(fields.person(id)?);
        }
        if let Some(doc) = r.opt_i64(2)? {
            let fields: DocumentFields = sealed::open(key, Record::Document, doc, &r, 4)?;
            let person = people.last_mut().expect("pushed above");
            person
                .documents
                .push(fields.document(DocumentId(doc), &r.text(3)?)?);
        }
    }
    Ok(people)
}

/// People who may be the same person as a candidate: same document number, or same name key
/// and birth year, both found by blind index.
pub(crate) fn match_candidates(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    probe: &MatchProbe,
) -> Result<Vec<ExistingPerson>> {
    let key = vault.key(db, op)?;
    let rows = db.rows(
        "SELECT p.id, h.reference, p.sealed
         FROM people p JOIN households h ON h.id = p.household_id
         WHERE p.id IN (
            SELECT person_id FROM documents WHERE operation_id = $1 AND number_index = $2
            UNION SELECT id FROM people WHERE operation_id = $1 AND name_index = $3)
         ORDER BY p.id LIMIT 50",
        p![
            op.0,
            probe
                .document
                .as_ref()
                .map(|d| key.index(Index::Document, d.as_str())),
            key.name_year_index(&probe.name_key, probe.birth_year),
        ],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.i64(0)?;
        let person: PersonFields = sealed::open(&key, Record::Person, id, &r, 2)?;
        let documents = db
            .rows(
                "SELECT id, sealed FROM documents WHERE person_id = $1 ORDER BY id",
                p![id],
            )?
            .iter()
            .map(|d| {
                let fields: DocumentFields = sealed::open(&key, Record::Document, d.i64(0)?, d, 1)?;
                fields.number()
            })
            .collect::<Result<_>>()?;
        out.push(ExistingPerson {
            person: PersonId(id),
            household: CaseReference::parse(&r.text(1)?)?,
            name_key: person.name_key(),
            birth_year: person.birth_year()?,
            phone: person.phone()?,
            documents,
        });
    }
    Ok(out)
}

pub(crate) fn case_events(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Vec<Event>> {
    let household = db
        .row(
            "SELECT id FROM households WHERE operation_id = $1 AND reference = $2",
            p![op.0, reference.as_str()],
        )?
        .ok_or_else(|| StoreError::not_found(format!("case {reference}")))?
        .i64(0)?;
    db.rows(
        "SELECT id, kind, from_stage, to_stage, user_id, role, device, rv_id, gate_id, at
         FROM events WHERE household_id = $1 ORDER BY id",
        p![household],
    )?
    .iter()
    .map(|r| {
        Ok(Event {
            id: r.i64(0)?,
            kind: r.text(1)?,
            from: r.opt_text(2)?.map(stage).transpose()?,
            to: r.opt_text(3)?.map(stage).transpose()?,
            user: r.opt_i64(4)?.map(UserId),
            role: r.opt_text(5)?.map(|r| r.parse()).transpose()?,
            device: r.opt_text(6)?,
            rv: r.opt_i64(7)?.map(RvId),
            gate: r.opt_i64(8)?.map(GateId),
            at: Timestamp(r.i64(9)?),
        })
    })
    .collect()
}

pub(crate) fn ingest_scans(
    db: &mut dyn Db,
    op: OperationId,
    device: &str,
    scans: &[FieldScan],
    actor: &Actor,
) -> Result<ScanReceipt> {
    super::places::require_operation(db, op)?;
    let mut receipt = ScanReceipt::default();
    let mut any_admitted = false;
    for s in scans {
        let seq = i64::try_from(s.seq)
            .map_err(|_| DomainError::invalid("seq", "a sequence number is below 2^63"))?;
        let inserted = db.exec(
            "INSERT INTO scans (operation_id, device, seq, pass_index, rv_id, gate_id, outcome,
                                scanned_at, received_at, user_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (operation_id, device, seq) DO NOTHING",
            p![
                op.0,
                device,
                seq,
                s.pass_index,
                s.rv.map(|r| r.0),
                s.gate.map(|g| g.0),
                s.outcome.as_str(),
                s.scanned_at.0,
                actor.at.0,
                actor.user.map(|u| u.0),
            ],
        )?;
        if inserted == 1 {
            receipt.received += 1;
            any_admitted |= s.outcome == ScanOutcome::Admitted;
        } else {
            receipt.already_had += 1;
        }
    }
    // One query for the whole batch: passes admitted here that another device admitted too.
    if any_admitted {
        let (low, high) = scans
            .iter()
            .fold((u64::MAX, 0), |(l, h), s| (l.min(s.seq), h.max(s.seq)));
        let doubles = db.rows(
            "SELECT pass_index FROM scans
             WHERE operation_id = $1 AND outcome = 'admitted' AND pass_index IN (
                 SELECT pass_index FROM scans
                 WHERE operation_id = $1 AND device = $2 AND seq BETWEEN $3 AND $4 AND outcome = 'admitted')
             GROUP BY pass_index HAVING COUNT(DISTINCT device) > 1 ORDER BY pass_index",
            p![op.0, device, low as i64, high as i64],
        )?;
        for r in doubles {
            let pass_index = r.i64(0)?;
            let devices = db
                .rows(
                    "SELECT DISTINCT device FROM scans
                     WHERE operation_id = $1 AND pass_index = $2 AND outcome = 'admitted' ORDER BY device",
                    p![op.0, pass_index],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect::<Result<_>>()?;
            receipt.double_admissions.push(DoubleAdmission {
                pass_index,
                devices,
            });
        }
    }
    if receipt.received > 0 {
        super::audit::record(
            db,
            AuditEntry::by(
                actor,
                Some(op),
                "scans_synced",
                Some(format!("device/{device}")),
            ),
        )?;
        db.notify(&Change {
            operation: op,
            kind: "scans_received".into(),
            stage: None,
            rv: scans.first().and_then(|s| s.rv),
            gate: scans.first().and_then(|s| s.gate),
            batch: None,
        })?;
    }
    Ok(receipt)
}
