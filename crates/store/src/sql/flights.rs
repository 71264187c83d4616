//! Flights and their manifests (the only roster of people, opened through the vault). A
//! manifest lists the members of households manifested on the flight, and members manifested
//! on it apart from their household (`held_people.flight_id`: checked in after it flew).
//!
//! Imports `step` only.

use super::sealed::{self, DocumentFields, PersonFields};
use super::step::{lock_operation, place_event};
use super::{Db, Row, p};
use crate::types::*;
use crate::vault::{Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

const FLIGHT_COLUMNS: &str = "id, number, departs_at, capacity, manifested_people, boarded_people";

fn flight_row(r: &Row) -> Result<Flight> {
    Ok(Flight {
        id: FlightId(r.i64(0)?),
        number: r.text(1)?,
        departs_at: Timestamp(r.i64(2)?),
        capacity: Capacity::flight(r.u32(3)?)?,
        manifested_people: r.u32(4)?,
        boarded_people: r.u32(5)?,
    })
}

pub(crate) fn create_flight(
    db: &mut dyn Db,
    op: OperationId,
    f: &NewFlight,
    actor: &Actor,
) -> Result<Flight> {
    lock_operation(db, op)?;
    refuse_repeat(db, op, f, None)?;
    let id = FlightId(
        db.one(
            "INSERT INTO flights (operation_id, number, departs_at, capacity) VALUES ($1, $2, $3, $4) RETURNING id",
            p![op.0, f.number.as_str(), f.departs_at.0, f.capacity.get()],
        )?
        .i64(0)?,
    );
    let scheduled = flight(db, op, id)?;
    let detail = serde_json::json!({ "flight": id.0, "now": facts(&scheduled) });
    place_event(db, op, "flight_scheduled", detail, None, None, actor)?;
    Ok(scheduled)
}

/// Changes a flight: the people on its manifest keep their seats (a manifest step that
/// commits first is counted: the capacity is lowered only where the count still fits), and
/// the flight as changed is not another one already scheduled.
pub(crate) fn change_flight(
    db: &mut dyn Db,
    op: OperationId,
    id: FlightId,
    change: &FlightChange,
    actor: &Actor,
) -> Result<Flight> {
    lock_operation(db, op)?;
    let was = flight(db, op, id)?;
    let changed = change.applied_to(&was)?;
    if changed.number.as_str() == was.number
        && changed.departs_at == was.departs_at
        && changed.capacity == was.capacity
    {
        // Nothing to change: nothing written, no event.
        return Ok(was);
    }
    refuse_repeat(db, op, &changed, Some(id))?;
    let written = db.exec(
        "UPDATE flights SET number = $1, departs_at = $2, capacity = $3 \
         WHERE id = $4 AND manifested_people <= $3 AND cancelled_at IS NULL",
        p![
            changed.number.as_str(),
            changed.departs_at.0,
            changed.capacity.get(),
            id.0
        ],
    )?;
    if written == 0 {
        // Manifested onto since it was read: refused with the count as it is now.
        change.applied_to(&flight(db, op, id)?)?;
        return Err(StoreError::Conflict(
            "the flight changed meanwhile; try again".into(),
        ));
    }
    let now = flight(db, op, id)?;
    let detail = serde_json::json!({ "flight": id.0, "was": facts(&was), "now": facts(&now) });
    place_event(db, op, "flight_changed", detail, None, None, actor)?;
    Ok(now)
}

/// Cancels a flight nobody is manifested on; answers it as it was.
pub(crate) fn cancel_flight(
    db: &mut dyn Db,
    op: OperationId,
    id: FlightId,
    actor: &Actor,
) -> Result<Flight> {
    let has_manifest = |f: Flight| DomainError::FlightHasManifest {
        number: f.number,
        people: f.manifested_people,
    };
    lock_operation(db, op)?;
    let cancelled = flight(db, op, id)?;
    if cancelled.manifested_people > 0 {
        return Err(has_manifest(cancelled).into());
    }
    // Kept, marked: its id stays its own (see migration 0027).
    let removed = db.exec(
        "UPDATE flights SET cancelled_at = $1 \
         WHERE id = $2 AND manifested_people = 0 AND cancelled_at IS NULL",
        p![actor.at.0, id.0],
    )?;
    if removed == 0 {
        // Manifested onto since it was read.
        return Err(has_manifest(flight(db, op, id)?).into());
    }
    let detail = serde_json::json!({ "flight": id.0, "was": facts(&cancelled) });
    place_event(db, op, "flight_cancelled", detail, None, None, actor)?;
    Ok(cancelled)
}

/// Refuses `f` if it repeats a flight of the operation other than `except` (the one being
/// changed). Called under [`lock_operation`]: writers of the operation's flights queue there
/// (PostgreSQL; SQLite writes one at a time), so a form sent twice at once schedules one.
fn refuse_repeat(
    db: &mut dyn Db,
    op: OperationId,
    f: &NewFlight,
    except: Option<FlightId>,
) -> Result<()> {
    let mut others = flights(db, op)?
        .into_iter()
        .filter(|s| Some(s.id) != except);
    if let Some(same) = others.find(|s| f.repeats(s)) {
        return Err(DomainError::FlightScheduled {
            number: same.number,
            flight: same.id,
        }
        .into());
    }
    Ok(())
}

/// What an event keeps of a flight, so that its changes can be read back: no personal data.
fn facts(f: &Flight) -> serde_json::Value {
    serde_json::json!({ "number": f.number, "departs_at": f.departs_at.0, "capacity": f.capacity.get() })
}

pub(crate) fn flight(db: &mut dyn Db, op: OperationId, id: FlightId) -> Result<Flight> {
    let sql = format!(
        "SELECT {FLIGHT_COLUMNS} FROM flights WHERE id = $1 AND operation_id = $2 AND cancelled_at IS NULL"
    );
    let r = db.row_in_operation(&sql, "flight", id.0, op)?;
    flight_row(&r)
}

pub(crate) fn flights(db: &mut dyn Db, op: OperationId) -> Result<Vec<Flight>> {
    let sql = format!(
        "SELECT {FLIGHT_COLUMNS} FROM flights WHERE operation_id = $1 AND cancelled_at IS NULL
         ORDER BY departs_at, id"
    );
    db.rows(&sql, p![op.0])?.iter().map(flight_row).collect()
}

pub(crate) fn manifest(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    id: FlightId,
) -> Result<Manifest> {
    let flight = flight(db, op, id)?;
    let key = vault.key(db, op)?;
    let lines = db
        .rows(
            "WITH listed (person_id, boarded) AS (
                SELECT p.id, h.stage = 'boarded'
                FROM households h JOIN people p ON p.household_id = h.id
                WHERE h.flight_id = $1 AND h.stage IN ('manifested', 'boarded')
                  AND NOT EXISTS (SELECT 1 FROM held_people x WHERE x.person_id = p.id)
                UNION ALL
                SELECT x.person_id, x.stage = 'boarded' FROM held_people x
                WHERE x.flight_id = $1 AND x.stage IN ('manifested', 'boarded'))
             SELECT h.reference, p.id, p.sealed, d.id, d.sealed, l.boarded
             FROM listed l JOIN people p ON p.id = l.person_id
             JOIN households h ON h.id = p.household_id
             LEFT JOIN documents d ON d.id = (SELECT MIN(id) FROM documents WHERE person_id = p.id)
             ORDER BY h.reference, p.id",
            p![id.0],
        )?
        .iter()
        .map(|r| {
            let person = r.i64(1)?;
            let fields: PersonFields = sealed::open(&key, Record::Person, person, r, 2)?;
            let document = match r.opt_i64(3)? {
                Some(doc) => {
                    let d: DocumentFields = sealed::open(&key, Record::Document, doc, r, 4)?;
                    Some(d.number()?)
                }
                None => None,
            };
            Ok(ManifestLine {
                reference: CaseReference::parse(&r.text(0)?)?,
                person: PersonId(person),
                name: fields.name()?,
                birth_date: fields.birth_date()?,
                nationality: fields.nationality()?,
                document,
                boarded: r.bool(5)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Manifest { flight, lines })
}
