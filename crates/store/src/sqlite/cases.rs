//! Households, people, documents and lifecycle steps on SQLite.

use super::CollectRows;
use super::{bump, db, dec, enc, move_case, stage, ts};
use crate::types::*;
use crate::{ReferenceSource, Result, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use safeconduct_domain::lifecycle::{CaseState, Command, decide};
use safeconduct_domain::matching::latin_name_key;
use safeconduct_domain::model::{FlightLoad, WindowLoad};
use safeconduct_domain::values::{BirthDate, PersonName, PhoneNumber, Text};
use safeconduct_domain::*;

/// One movement or change, as appended to the event log.
pub(super) struct NewEvent<'a> {
    pub op: OperationId,
    pub household: Option<HouseholdId>,
    pub kind: &'a str,
    pub transition: Option<(Stage, Stage)>,
    pub detail: serde_json::Value,
    /// Where it happened.
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
}

pub(super) fn insert_event(tx: &Transaction<'_>, e: NewEvent<'_>, actor: &Actor) -> Result<i64> {
    let NewEvent {
        op,
        household,
        kind,
        transition,
        detail,
        rv,
        gate,
    } = e;
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO events (operation_id, household_id, kind, from_stage, to_stage, detail,
                                 user_id, role, device, rv_id, gate_id, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(db)?;
    stmt.execute(params![
        op.0,
        household.map(|h| h.0),
        kind,
        transition.map(|t| t.0.as_str()),
        transition.map(|t| t.1.as_str()),
        detail.to_string(),
        actor.user.map(|u| u.0),
        actor.role.map(|r| r.as_str()),
        actor.device,
        rv.map(|r| r.0),
        gate.map(|g| g.0),
        actor.at.0,
    ])
    .map_err(db)?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn register(
    tx: &Transaction<'_>,
    op: OperationId,
    households: &[NewHousehold],
    references: ReferenceSource<'_>,
    actor: &Actor,
) -> Result<Vec<Registered>> {
    super::places::require_operation(tx, op)?;
    let mut out = Vec::with_capacity(households.len());
    let mut taken = tx
        .prepare_cached("SELECT 1 FROM households WHERE reference = ?1")
        .map_err(db)?;
    let mut ins_household = tx
        .prepare_cached(
            "INSERT INTO households (operation_id, reference, stage, size, contact_phone, language,
                                     category, priorities, notes, registered_at, updated_at)
             VALUES (?1, ?2, 'registered', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )
        .map_err(db)?;
    let mut ins_person = tx
        .prepare_cached(
            "INSERT INTO people (household_id, operation_id, name_latin, name_native, name_key,
                                 birth_date, birth_year, nationality, phone, language)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(db)?;
    for h in households {
        if h.members.is_empty() || h.members.len() > 60 {
            return Err(DomainError::invalid("members", "a household has 1 to 60 members").into());
        }
        let reference = loop {
            let r = references();
            if !taken.exists([r.as_str()]).map_err(db)? {
                break r;
            }
        };
        let priorities = h
            .priorities
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",");
        ins_household
            .execute(params![
                op.0,
                reference.as_str(),
                h.members.len() as i64,
                h.contact_phone.as_ref().map(PhoneNumber::as_str),
                enc(&h.language),
                h.category.map(|c| c.as_str()),
                priorities,
                h.notes.as_ref().map(Text::as_str),
                actor.at.0,
            ])
            .map_err(db)?;
        let id = HouseholdId(tx.last_insert_rowid());
        let mut people = Vec::with_capacity(h.members.len());
        for m in &h.members {
            ins_person
                .execute(params![
                    id.0,
                    op.0,
                    m.name.latin(),
                    m.name.native(),
                    latin_name_key(m.name.latin()),
                    m.birth_date.map(String::from),
                    m.birth_date.map(|b| b.year()),
                    m.nationality.as_ref().map(|c| c.as_str()),
                    m.phone.as_ref().map(PhoneNumber::as_str),
                    m.language.as_ref().map(enc),
                ])
                .map_err(db)?;
            let person = PersonId(tx.last_insert_rowid());
            for d in &m.documents {
                insert_document(tx, op, person, d)?;
            }
            people.push(person);
        }
        let state = CaseState::registered(h.members.len() as u32, false);
        bump(tx, op, &state, 1, h.members.len() as i64)?;
        insert_event(
            tx,
            NewEvent {
                op,
                household: Some(id),
                kind: "registered",
                transition: None,
                detail: serde_json::json!({ "members": h.members.len() }),
                rv: None,
                gate: None,
            },
            actor,
        )?;
        out.push(Registered {
            id,
            reference,
            people,
        });
    }
    Ok(out)
}

fn insert_document(
    tx: &Transaction<'_>,
    op: OperationId,
    person: PersonId,
    d: &NewDocument,
) -> Result<DocumentId> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO documents (person_id, operation_id, doc_type, number, issuing_country, expiry)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db)?;
    stmt.execute(params![
        person.0,
        op.0,
        d.doc_type.as_str(),
        d.number.as_str(),
        d.issuing_country.as_ref().map(|c| c.as_str()),
        d.expiry,
    ])
    .map_err(db)?;
    Ok(DocumentId(tx.last_insert_rowid()))
}

pub(super) fn attach_document(
    tx: &Transaction<'_>,
    op: OperationId,
    reference: &CaseReference,
    person: PersonId,
    d: &NewDocument,
    actor: &Actor,
) -> Result<DocumentId> {
    let LoadedCase {
        id: household,
        state: case,
        ..
    } = load_case(tx, op, reference)?;
    let member: Option<i64> = tx
        .query_row(
            "SELECT id FROM people WHERE id = ?1 AND household_id = ?2",
            params![person.0, household.0],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    if member.is_none() {
        return Err(StoreError::not_found(format!(
            "person {person} in case {reference}"
        )));
    }
    if !matches!(case.stage, Stage::Registered | Stage::DocumentsVerified) {
        return Err(DomainError::conflict(format!(
            "documents can be attached while a case is registered or documents_verified; this one is {}",
            case.stage
        ))
        .into());
    }
    let id = insert_document(tx, op, person, d)?;
    insert_event(
        tx,
        NewEvent {
            op,
            household: Some(household),
            kind: "document_attached",
            transition: None,
            detail: serde_json::json!({ "person": person.0, "document": id.0, "type": d.doc_type.as_str() }),
            rv: None,
            gate: None,
        },
        actor,
    )?;
    Ok(id)
}

/// A case as loaded for a decision: its id, what the decision needs to know, and the version
/// the update is guarded by.
struct LoadedCase {
    id: HouseholdId,
    state: CaseState,
    version: i64,
}

/// Loads what a lifecycle decision needs to know about a case, and its version.
fn load_case(
    tx: &Transaction<'_>,
    op: OperationId,
    reference: &CaseReference,
) -> Result<LoadedCase> {
    let row = tx
        .query_row(
            "SELECT h.id, h.stage, h.size, h.window_id, h.rv_id, h.gate_id, h.batch_id, h.flight_id,
                    h.version,
                    NOT EXISTS (SELECT 1 FROM people p WHERE p.household_id = h.id
                                AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.person_id = p.id))
             FROM households h WHERE h.operation_id = ?1 AND h.reference = ?2",
            params![op.0, reference.as_str()],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, bool>(9)?,
                ))
            },
        )
        .optional()
        .map_err(db)?
        .ok_or_else(|| StoreError::not_found(format!("case {reference}")))?;
    let state = CaseState {
        stage: stage(row.1)?,
        size: row.2 as u32,
        window: row.3.map(WindowId),
        rv: row.4.map(RvId),
        gate: row.5.map(GateId),
        batch: row.6.map(BatchId),
        flight: row.7.map(FlightId),
        all_members_documented: row.9,
    };
    Ok(LoadedCase {
        id: HouseholdId(row.0),
        state,
        version: row.8,
    })
}

/// Writes a decided step: the case row (guarded by its version), the maintained counts and
/// the event. Returns the event id.
fn commit_step(
    tx: &Transaction<'_>,
    op: OperationId,
    loaded: &LoadedCase,
    after: &CaseState,
    kind: &str,
    detail: serde_json::Value,
    actor: &Actor,
) -> Result<i64> {
    let (household, version, before) = (loaded.id, loaded.version, &loaded.state);
    let changed = tx
        .execute(
            "UPDATE households SET stage = ?1, window_id = ?2, rv_id = ?3, gate_id = ?4,
                    batch_id = ?5, flight_id = ?6, version = version + 1, updated_at = ?7
             WHERE id = ?8 AND version = ?9",
            params![
                after.stage.as_str(),
                after.window.map(|x| x.0),
                after.rv.map(|x| x.0),
                after.gate.map(|x| x.0),
                after.batch.map(|x| x.0),
                after.flight.map(|x| x.0),
                actor.at.0,
                household.0,
                version,
            ],
        )
        .map_err(db)?;
    if changed != 1 {
        return Err(StoreError::Conflict(
            "the case changed while this step was decided; read it again".into(),
        ));
    }
    move_case(tx, op, before, after)?;
    insert_event(
        tx,
        NewEvent {
            op,
            household: Some(household),
            kind,
            transition: Some((before.stage, after.stage)),
            detail,
            rv: after.rv,
            gate: after.gate,
        },
        actor,
    )
}

fn window_load(tx: &Transaction<'_>, op: OperationId, window: WindowId) -> Result<WindowLoad> {
    tx.query_row(
        "SELECT w.rv_id, r.status, w.capacity, w.assigned_people
         FROM windows w JOIN rvs r ON r.id = w.rv_id
         WHERE w.id = ?1 AND w.operation_id = ?2",
        params![window.0, op.0],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        },
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found(format!("window {window}")))
    .and_then(|(rv, status, capacity, assigned)| {
        Ok(WindowLoad {
            window,
            rv: RvId(rv),
            rv_status: dec(status)?,
            capacity: capacity as u32,
            assigned_people: assigned as u32,
        })
    })
}

fn flight_load(tx: &Transaction<'_>, op: OperationId, flight: FlightId) -> Result<FlightLoad> {
    tx.query_row(
        "SELECT capacity, manifested_people FROM flights WHERE id = ?1 AND operation_id = ?2",
        params![flight.0, op.0],
        |r| {
            Ok(FlightLoad {
                flight,
                capacity: r.get::<_, i64>(0)? as u32,
                manifested_people: r.get::<_, i64>(1)? as u32,
            })
        },
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found(format!("flight {flight}")))
}

fn batch_gate(tx: &Transaction<'_>, op: OperationId, batch: BatchId) -> Result<GateId> {
    tx.query_row(
        "SELECT gate_id FROM batches WHERE id = ?1 AND operation_id = ?2",
        params![batch.0, op.0],
        |r| r.get(0).map(GateId),
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found(format!("batch {batch}")))
}

pub(super) fn apply(
    tx: &Transaction<'_>,
    op: OperationId,
    reference: &CaseReference,
    request: &CaseRequest,
    actor: &Actor,
) -> Result<CaseOutcome> {
    let loaded = load_case(tx, op, reference)?;
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
        CaseRequest::Assign { window } => Command::Assign(window_load(tx, op, *window)?),
        CaseRequest::Reassign { window } => {
            detail = serde_json::json!({ "previous_window": case.window.map(|w| w.0) });
            Command::Reassign(window_load(tx, op, *window)?)
        }
        CaseRequest::IssuePass => Command::IssuePass,
        CaseRequest::AdmitAtRv { rv } => {
            super::places::require_rv(tx, op, *rv)?;
            Command::AdmitAtRv { rv: *rv }
        }
        CaseRequest::ArriveAtGate { batch } => Command::ArriveAtGate {
            batch: *batch,
            gate: batch_gate(tx, op, *batch)?,
        },
        CaseRequest::Process { gate } => {
            super::places::require_gate(tx, op, *gate)?;
            Command::Process { gate: *gate }
        }
        CaseRequest::Manifest { flight } => Command::Manifest(flight_load(tx, op, *flight)?),
        CaseRequest::Board { flight } => Command::Board { flight: *flight },
        CaseRequest::Withdraw { reason } => {
            detail = serde_json::json!({ "reason": reason.as_str() });
            Command::Withdraw
        }
        CaseRequest::MarkNoShow => Command::MarkNoShow,
    };
    let next = decide(case, &command)?;
    let size = case.size as i64;
    let mut pass_index = None;
    match request {
        CaseRequest::DecideEligible { category } => {
            tx.execute(
                "UPDATE households SET category = ?1 WHERE id = ?2",
                params![category.as_str(), loaded.id.0],
            )
            .map_err(db)?;
        }
        CaseRequest::IssuePass => {
            let index: i64 = tx
                .query_row(
                    "UPDATE operations SET next_pass_index = next_pass_index + 1 WHERE id = ?1
                     RETURNING next_pass_index - 1",
                    [op.0],
                    |r| r.get(0),
                )
                .map_err(db)?;
            tx.execute(
                "UPDATE households SET pass_index = ?1 WHERE id = ?2",
                params![index, loaded.id.0],
            )
            .map_err(db)?;
            detail = serde_json::json!({ "pass_index": index });
            pass_index = Some(index);
        }
        CaseRequest::ArriveAtGate { batch } => {
            tx.execute(
                "UPDATE batches SET arrived_people = arrived_people + ?1 WHERE id = ?2",
                params![size, batch.0],
            )
            .map_err(db)?;
        }
        CaseRequest::Manifest { flight } => {
            tx.execute(
                "UPDATE flights SET manifested_people = manifested_people + ?1 WHERE id = ?2",
                params![size, flight.0],
            )
            .map_err(db)?;
        }
        CaseRequest::Board { flight } => {
            tx.execute(
                "UPDATE flights SET boarded_people = boarded_people + ?1 WHERE id = ?2",
                params![size, flight.0],
            )
            .map_err(db)?;
        }
        _ => {}
    }
    let event = commit_step(
        tx,
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
        pass_index,
    })
}

pub(super) fn depart_batch(
    tx: &Transaction<'_>,
    op: OperationId,
    departure: &BatchDeparture,
    actor: &Actor,
) -> Result<Batch> {
    if departure.households.is_empty() || departure.households.len() > 500 {
        return Err(DomainError::invalid("households", "a batch holds 1 to 500 households").into());
    }
    super::places::require_rv(tx, op, departure.rv)?;
    let gate = super::places::gate(tx, op, departure.gate)?;
    let gate_serves_rv = gate.rvs.contains(&departure.rv);
    tx.execute(
        "INSERT INTO batches (operation_id, rv_id, gate_id, households, departed_people, departed_at)
         VALUES (?1, ?2, ?3, 0, 0, ?4)",
        params![op.0, departure.rv.0, departure.gate.0, actor.at.0],
    )
    .map_err(db)?;
    let batch = BatchId(tx.last_insert_rowid());
    let mut people = 0i64;
    for reference in &departure.households {
        let loaded = load_case(tx, op, reference)?;
        let case = &loaded.state;
        let command = Command::DepartInEscort {
            batch,
            rv: departure.rv,
            gate: departure.gate,
            gate_status: gate.status,
            gate_serves_rv,
        };
        let next = decide(case, &command).map_err(|e| {
            StoreError::Domain(DomainError::conflict(format!("case {reference}: {e}")))
        })?;
        commit_step(
            tx,
            op,
            &loaded,
            &next,
            "depart_in_escort",
            serde_json::json!({ "batch": batch.0 }),
            actor,
        )?;
        people += case.size as i64;
    }
    tx.execute(
        "UPDATE batches SET households = ?1, departed_people = ?2 WHERE id = ?3",
        params![departure.households.len() as i64, people, batch.0],
    )
    .map_err(db)?;
    load_batch(tx, op, batch)
}

pub(super) fn close_batch(
    tx: &Transaction<'_>,
    op: OperationId,
    batch: BatchId,
    actor: &Actor,
) -> Result<Batch> {
    let current = load_batch(tx, op, batch)?;
    if current.closed_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "batch {batch} is already closed"
        )));
    }
    let missing: Vec<String> = {
        let mut stmt = tx
            .prepare_cached(
                "SELECT reference FROM households WHERE batch_id = ?1 AND stage = 'in_escort'",
            )
            .map_err(db)?;
        stmt.query_map([batch.0], |r| r.get(0)).all()?
    };
    for reference in missing {
        let reference = CaseReference::parse(&reference)?;
        let loaded = load_case(tx, op, &reference)?;
        let case = &loaded.state;
        let next = decide(case, &Command::MarkUnaccounted { batch })?;
        commit_step(
            tx,
            op,
            &loaded,
            &next,
            "mark_unaccounted",
            serde_json::json!({ "batch": batch.0 }),
            actor,
        )?;
    }
    tx.execute(
        "UPDATE batches SET closed_at = ?1 WHERE id = ?2",
        params![actor.at.0, batch.0],
    )
    .map_err(db)?;
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind: "batch_closed",
            transition: None,
            detail: serde_json::json!({ "batch": batch.0 }),
            rv: Some(current.rv),
            gate: Some(current.gate),
        },
        actor,
    )?;
    load_batch(tx, op, batch)
}

pub(super) fn load_batch(conn: &Connection, op: OperationId, batch: BatchId) -> Result<Batch> {
    let mut b = conn
        .query_row(
            "SELECT rv_id, gate_id, households, departed_people, arrived_people, departed_at, closed_at
             FROM batches WHERE id = ?1 AND operation_id = ?2",
            params![batch.0, op.0],
            |r| {
                Ok(Batch {
                    id: batch,
                    rv: RvId(r.get(0)?),
                    gate: GateId(r.get(1)?),
                    households: r.get::<_, i64>(2)? as u32,
                    departed_people: r.get::<_, i64>(3)? as u32,
                    arrived_people: r.get::<_, i64>(4)? as u32,
                    departed_at: ts(r.get(5)?),
                    closed_at: r.get::<_, Option<i64>>(6)?.map(ts),
                    unaccounted: Vec::new(),
                })
            },
        )
        .optional()
        .map_err(db)?
        .ok_or_else(|| StoreError::not_found(format!("batch {batch}")))?;
    let mut stmt = conn
        .prepare_cached("SELECT reference FROM households WHERE batch_id = ?1 AND stage = 'unaccounted' ORDER BY id")
        .map_err(db)?;
    let refs: Vec<String> = stmt.query_map([batch.0], |r| r.get(0)).all()?;
    b.unaccounted = refs
        .iter()
        .map(|r| CaseReference::parse(r))
        .collect::<Result<_, _>>()?;
    Ok(b)
}

/// id, Latin name, native name, birth date, nationality, phone, language.
type PersonRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// id, type, number, issuing country, expiry.
type DocumentRow = (i64, String, String, Option<String>, Option<String>);

/// person id, case reference, name key, birth year, phone.
type CandidateRow = (i64, String, String, Option<i64>, Option<String>);

/// id, kind, from, to, user, role, device, rv, gate, at.
type EventRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
);

const HOUSEHOLD_COLUMNS: &str =
    "id, reference, stage, contact_phone, language, category, priorities, notes,
     window_id, rv_id, gate_id, batch_id, flight_id, pass_index, registered_at, updated_at";

pub(super) fn household_by_reference(
    conn: &Connection,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Household> {
    let sql = format!(
        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE operation_id = ?1 AND reference = ?2"
    );
    let h = conn
        .query_row(&sql, params![op.0, reference.as_str()], household_row)
        .optional()
        .map_err(db)?
        .ok_or_else(|| StoreError::not_found(format!("case {reference}")))?;
    complete_household(conn, h)
}

pub(super) fn households_by_phone(
    conn: &Connection,
    op: OperationId,
    phone: &PhoneNumber,
) -> Result<Vec<Household>> {
    let sql = format!(
        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE id IN (
            SELECT household_id FROM people WHERE operation_id = ?1 AND phone = ?2
            UNION SELECT id FROM households WHERE operation_id = ?1 AND contact_phone = ?2)
         ORDER BY id LIMIT 20"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let rows: Vec<RawHousehold> = stmt
        .query_map(params![op.0, phone.as_str()], household_row)
        .all()?;
    rows.into_iter()
        .map(|h| complete_household(conn, h))
        .collect()
}

type RawHousehold = (
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    [Option<i64>; 6],
    i64,
    i64,
);

fn household_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawHousehold> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        [
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
        ],
        r.get(14)?,
        r.get(15)?,
    ))
}

fn complete_household(conn: &Connection, h: RawHousehold) -> Result<Household> {
    let (id, reference, st, phone, language, category, priorities, notes, ids, reg, upd) = h;
    let bad = |what: &str, v: &str| StoreError::Internal(format!("unexpected stored {what} {v:?}"));
    let members = people_of(conn, HouseholdId(id))?;
    Ok(Household {
        id: HouseholdId(id),
        reference: CaseReference::parse(&reference)?,
        stage: stage(st)?,
        contact_phone: phone.map(|p| PhoneNumber::parse(&p)).transpose()?,
        language: dec(language)?,
        category: category
            .map(|c| {
                safeconduct_domain::model::EligibilityCategory::parse(&c)
                    .ok_or_else(|| bad("category", &c))
            })
            .transpose()?,
        priorities: priorities
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                safeconduct_domain::model::PriorityFlag::parse(p).ok_or_else(|| bad("priority", p))
            })
            .collect::<Result<_>>()?,
        notes: notes.map(|n| Text::parse("notes", &n, 2000)).transpose()?,
        window: ids[0].map(WindowId),
        rv: ids[1].map(RvId),
        gate: ids[2].map(GateId),
        batch: ids[3].map(BatchId),
        flight: ids[4].map(FlightId),
        pass_index: ids[5],
        members,
        registered_at: ts(reg),
        updated_at: ts(upd),
    })
}

fn people_of(conn: &Connection, household: HouseholdId) -> Result<Vec<Person>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, name_latin, name_native, birth_date, nationality, phone, language
             FROM people WHERE household_id = ?1 ORDER BY id",
        )
        .map_err(db)?;
    let rows: Vec<PersonRow> = stmt
        .query_map([household.0], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .all()?;
    let mut doc_stmt = conn
        .prepare_cached(
            "SELECT id, doc_type, number, issuing_country, expiry FROM documents WHERE person_id = ?1 ORDER BY id",
        )
        .map_err(db)?;
    let mut people = Vec::with_capacity(rows.len());
    for (id, latin, native, birth, nationality, phone, language) in rows {
        let docs: Vec<DocumentRow> = doc_stmt
            .query_map([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .all()?;
        let documents = docs
            .into_iter()
            .map(|(id, t, n, c, e)| {
                Ok(Document {
                    id: DocumentId(id),
                    doc_type: safeconduct_domain::model::DocumentType::parse(&t).ok_or_else(
                        || StoreError::Internal(format!("unexpected document type {t:?}")),
                    )?,
                    number: safeconduct_domain::values::DocumentNumber::parse(&n)?,
                    issuing_country: c
                        .map(|c| safeconduct_domain::values::CountryCode::parse(&c))
                        .transpose()?,
                    expiry: e,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        people.push(Person {
            id: PersonId(id),
            name: PersonName::new(&latin, native.as_deref())?,
            birth_date: birth.map(|b| BirthDate::parse(&b)).transpose()?,
            nationality: nationality
                .map(|c| safeconduct_domain::values::CountryCode::parse(&c))
                .transpose()?,
            phone: phone.map(|p| PhoneNumber::parse(&p)).transpose()?,
            language: language.map(dec).transpose()?,
            documents,
        });
    }
    Ok(people)
}

pub(super) fn match_candidates(
    conn: &Connection,
    op: OperationId,
    probe: &MatchProbe,
) -> Result<Vec<ExistingPerson>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT p.id, h.reference, p.name_key, p.birth_year, p.phone
             FROM people p JOIN households h ON h.id = p.household_id
             WHERE p.id IN (
                SELECT person_id FROM documents WHERE operation_id = ?1 AND number = ?2
                UNION SELECT id FROM people WHERE operation_id = ?1 AND name_key = ?3 AND birth_year IS ?4)
             LIMIT 50",
        )
        .map_err(db)?;
    let rows: Vec<CandidateRow> = stmt
        .query_map(
            params![
                op.0,
                probe.document.as_ref().map(|d| d.as_str()),
                probe.name_key,
                probe.birth_year
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .all()?;
    let mut docs = conn
        .prepare_cached("SELECT number FROM documents WHERE person_id = ?1")
        .map_err(db)?;
    rows.into_iter()
        .map(|(id, reference, key, year, phone)| {
            let documents: Vec<String> = docs.query_map([id], |r| r.get(0)).all()?;
            Ok(ExistingPerson {
                person: PersonId(id),
                household: CaseReference::parse(&reference)?,
                name_key: key,
                birth_year: year.map(|y| y as u16),
                phone: phone.map(|p| PhoneNumber::parse(&p)).transpose()?,
                documents: documents
                    .iter()
                    .map(|d| safeconduct_domain::values::DocumentNumber::parse(d))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

pub(super) fn case_events(
    conn: &Connection,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Vec<Event>> {
    let household = household_id(conn, op, reference)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, kind, from_stage, to_stage, user_id, role, device, rv_id, gate_id, at
             FROM events WHERE household_id = ?1 ORDER BY id",
        )
        .map_err(db)?;
    let rows: Vec<EventRow> = stmt
        .query_map([household.0], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })
        .all()?;
    rows.into_iter()
        .map(|(id, kind, from, to, user, role, device, rv, gate, at)| {
            Ok(Event {
                id,
                kind,
                from: from.map(stage).transpose()?,
                to: to.map(stage).transpose()?,
                user: user.map(UserId),
                role: role.map(|r| r.parse()).transpose()?,
                device,
                rv: rv.map(RvId),
                gate: gate.map(GateId),
                at: ts(at),
            })
        })
        .collect()
}

fn household_id(
    conn: &Connection,
    op: OperationId,
    reference: &CaseReference,
) -> Result<HouseholdId> {
    conn.query_row(
        "SELECT id FROM households WHERE operation_id = ?1 AND reference = ?2",
        params![op.0, reference.as_str()],
        |r| r.get(0).map(HouseholdId),
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found(format!("case {reference}")))
}
