//! Households: registration (once per idempotency key), documents attached after it, a case
//! read with its members, the phone lookup and the duplicate probe, each through the vault.
//!
//! Imports `step` and, for the open-operation guard, `operations`; no other subject.

use super::audit;
use super::operations::require_open_operation;
use super::sealed::{self, DocumentFields, HouseholdFields, PersonFields};
use super::step::{NewEvent, bump, insert_event, load_case, stage};
use super::{Db, Row, dec, enc, p};
use crate::casework::{CasePage, CaseSummary};
use crate::types::*;
use crate::vault::{DataKey, Index, Record, Vault};
use crate::{Change, ReferenceSource, Result, StoreError};
use safeconduct_domain::lifecycle::CaseState;
use safeconduct_domain::model::{EligibilityCategory, PriorityFlag};
use safeconduct_domain::values::{Coordinate, PhoneNumber, Timestamp};
use safeconduct_domain::whereabouts::OperationArea;
use safeconduct_domain::*;

/// Draws of a case reference that may find it taken before registration gives up.
const MOST_REFERENCE_DRAWS: u32 = 32;

pub(crate) fn register(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    households: &[NewHousehold],
    references: ReferenceSource<'_>,
    actor: &Actor,
) -> Result<Vec<Registered>> {
    require_open_operation(db, op)?;
    if households.iter().any(|h| h.location().is_some()) {
        let area = operation_area(db, op)?;
        for h in households {
            if let Some(at) = h.location() {
                area.check(&at)?;
            }
        }
    }
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
        let mut draws = 0;
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
            // Eight random bytes collide by chance once in a lifetime: a source that keeps
            // drawing used references is broken, and the whole batch is refused.
            draws += 1;
            if draws == MOST_REFERENCE_DRAWS {
                return Err(StoreError::Internal(format!(
                    "{MOST_REFERENCE_DRAWS} case references drawn in a row were already in use; \
                     the random source is broken"
                )));
            }
        };
        let priorities = h
            .priorities()
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let id = HouseholdId(household_ids.next().ok_or_else(drawn)?);
        let fields = HouseholdFields::of(h);
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
                "INSERT INTO people (id, household_id, operation_id, sealed, phone_index, name_index,
                                     minor)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                p![
                    person.0,
                    id.0,
                    op.0,
                    key.seal(Record::Person, person.0, &fields),
                    phone_index,
                    name_index,
                    m.may_be_minor_at(actor.at),
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
        audit::change(
            db,
            actor,
            Some(op),
            "registered",
            format!("household/{}", id.0),
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

/// The operation's area: around its rendezvous points and gates, whatever their status (a
/// suspended point may open again; the area is where the operation works).
pub(crate) fn operation_area(db: &mut dyn Db, op: OperationId) -> Result<OperationArea> {
    let places = db
        .rows(
            "SELECT lat, lon FROM rvs WHERE operation_id = $1
             UNION ALL SELECT lat, lon FROM gates WHERE operation_id = $1",
            p![op.0],
        )?
        .iter()
        .map(|r| Ok(Coordinate::new(r.f64(0)?, r.f64(1)?)?))
        .collect::<Result<Vec<_>>>()?;
    Ok(OperationArea::new(places))
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
    let loaded = load_case(db, op, reference, actor)?;
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
            household: Some(loaded.id),
            ..NewEvent::new(
                op,
                "document_attached",
                serde_json::json!({ "person": person.0, "document": id.0, "type": d.doc_type().as_str() }),
            )
        },
        actor,
    )?;
    Ok(id)
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
        priorities: priorities(&r.text(6)?)?,
        notes: fields.notes()?,
        location: fields.location,
        needs: fields.needs(),
        window: r.opt_i64(7)?.map(WindowId),
        rv: r.opt_i64(8)?.map(RvId),
        gate: r.opt_i64(9)?.map(GateId),
        batch: r.opt_i64(10)?.map(BatchId),
        flight: r.opt_i64(11)?.map(FlightId),
        pass_index: r.opt_i64(12)?,
        registered_at: Timestamp(r.i64(13)?),
        updated_at: Timestamp(r.i64(14)?),
        members: people_of(db, key, id)?,
        apart: db
            .rows(
                "SELECT person_id, stage, flight_id FROM held_people WHERE household_id = $1
                 ORDER BY person_id",
                p![id.0],
            )?
            .iter()
            .map(|r| {
                Ok(MemberApart {
                    person: PersonId(r.i64(0)?),
                    stage: stage(r.text(1)?)?,
                    flight: r.opt_i64(2)?.map(FlightId),
                })
            })
            .collect::<Result<_>>()?,
    })
}

/// The priority flags as stored: their names joined by commas.
fn priorities(stored: &str) -> Result<Vec<PriorityFlag>> {
    stored
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            PriorityFlag::parse(p)
                .ok_or_else(|| StoreError::Internal(format!("unexpected stored priority {p:?}")))
        })
        .collect()
}

/// A page of the cases in one stage, in reference order after `page.after`: one walk of the
/// index on (operation, stage, reference), whatever the size of the operation, and one of the
/// members held apart in that stage (a household that arrived with a member left unaccounted
/// is listed among the unaccounted too). Nothing sealed is read.
pub(crate) fn cases_in_stage(
    db: &mut dyn Db,
    op: OperationId,
    page: &CasePage,
) -> Result<Vec<CaseSummary>> {
    // Resolved: someone of the household is unaccounted, and a coordinator resolved the alarm
    // of each of them (recorded missing, the one outcome that leaves a person unaccounted).
    let columns = "h.reference, h.stage, h.size, h.priorities, h.window_id, h.rv_id, h.gate_id,
                h.batch_id, h.flight_id, h.updated_at,
                (h.stage = 'unaccounted' OR EXISTS (SELECT 1 FROM held_people u
                    WHERE u.household_id = h.id AND u.stage = 'unaccounted'))
                AND NOT EXISTS (
                    SELECT 1 FROM people p LEFT JOIN held_people x ON x.person_id = p.id
                    WHERE p.household_id = h.id
                    AND COALESCE(x.stage, h.stage) = 'unaccounted'
                    AND NOT EXISTS (SELECT 1 FROM custody_resolutions c
                        WHERE c.person_id = p.id
                        AND c.batch_id = COALESCE(x.batch_id, h.batch_id)))";
    let params = p![
        op.0,
        page.stage.as_str(),
        page.after.as_ref().map_or("", |r| r.as_str()),
        page.limit,
    ];
    let mut rows = db.rows(
        &format!(
            "SELECT {columns} FROM households h
             WHERE h.operation_id = $1 AND h.stage = $2 AND h.reference > $3
             ORDER BY h.reference LIMIT $4"
        ),
        params,
    )?;
    let apart = db.rows(
        &format!(
            "SELECT DISTINCT {columns} FROM held_people a JOIN households h ON h.id = a.household_id
             WHERE a.operation_id = $1 AND a.stage = $2 AND h.stage <> $2 AND h.reference > $3
             ORDER BY h.reference LIMIT $4"
        ),
        params,
    )?;
    if !apart.is_empty() {
        rows.extend(apart);
        let mut keyed = rows
            .into_iter()
            .map(|r| Ok((r.text(0)?, r)))
            .collect::<Result<Vec<_>>>()?;
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.truncate(page.limit);
        rows = keyed.into_iter().map(|(_, r)| r).collect();
    }
    rows.iter()
        .map(|r| {
            Ok(CaseSummary {
                reference: CaseReference::parse(&r.text(0)?)?,
                stage: stage(r.text(1)?)?,
                size: r.i64(2)? as u32,
                priorities: priorities(&r.text(3)?)?,
                window: r.opt_i64(4)?.map(WindowId),
                rv: r.opt_i64(5)?.map(RvId),
                gate: r.opt_i64(6)?.map(GateId),
                batch: r.opt_i64(7)?.map(BatchId),
                flight: r.opt_i64(8)?.map(FlightId),
                updated_at: Timestamp(r.i64(9)?),
                resolved: r.bool(10)?,
            })
        })
        .collect()
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
