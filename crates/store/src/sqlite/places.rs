//! Operations, accounts, rendezvous points, gates, windows, flights, hazards and counts on
//! SQLite.

use super::CollectRows;
use super::cases::{NewEvent, insert_event};
use super::{db, dec, enc, read_counts, ts};
use crate::types::*;
use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::model::{
    GateKind, GateStatus, RvAgreement, RvChange, RvStatus, Side, WindowSpec,
};
use safeconduct_domain::values::{
    BirthDate, Coordinate, CountryCode, DocumentNumber, PersonName, Text, Timestamp,
};
use safeconduct_domain::*;

pub(super) fn require_operation(conn: &Connection, op: OperationId) -> Result<()> {
    let found: Option<i64> = conn
        .query_row("SELECT id FROM operations WHERE id = ?1", [op.0], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db)?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::not_found(format!("operation {op}")))
}

pub(super) fn require_rv(conn: &Connection, op: OperationId, rv: RvId) -> Result<()> {
    rv_by_id(conn, op, rv).map(|_| ())
}

pub(super) fn require_gate(conn: &Connection, op: OperationId, gate: GateId) -> Result<()> {
    self::gate(conn, op, gate).map(|_| ())
}

pub(super) fn operation(conn: &Connection, id: OperationId) -> Result<Operation> {
    conn.query_row(
        "SELECT name, created_at FROM operations WHERE id = ?1",
        [id.0],
        |r| {
            Ok(Operation {
                id,
                name: r.get(0)?,
                created_at: ts(r.get(1)?),
            })
        },
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found(format!("operation {id}")))
}

pub(super) fn operations(conn: &Connection) -> Result<Vec<Operation>> {
    let mut stmt = conn
        .prepare("SELECT id, name, created_at FROM operations ORDER BY id")
        .map_err(db)?;
    stmt.query_map([], |r| {
        Ok(Operation {
            id: OperationId(r.get(0)?),
            name: r.get(1)?,
            created_at: ts(r.get(2)?),
        })
    })
    .all()
}

pub(super) fn create_operation(
    tx: &Transaction<'_>,
    name: &str,
    at: Timestamp,
) -> Result<Operation> {
    let name = Text::parse("name", name, 120)?;
    tx.execute(
        "INSERT INTO operations (name, created_at) VALUES (?1, ?2)",
        params![name.as_str(), at.0],
    )
    .map_err(|e| match db(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "an operation named {:?} already exists",
            name.as_str()
        )),
        other => other,
    })?;
    Ok(Operation {
        id: OperationId(tx.last_insert_rowid()),
        name: name.as_str().to_string(),
        created_at: at,
    })
}

pub(super) fn create_user(tx: &Transaction<'_>, user: &NewUser, at: Timestamp) -> Result<UserId> {
    tx.execute(
        "INSERT INTO users (username, password_hash, organisation_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![user.username, user.password_hash, user.organisation.map(|o| o.0), at.0],
    )
    .map_err(|e| match db(e) {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("a user named {:?} already exists", user.username))
        }
        other => other,
    })?;
    Ok(UserId(tx.last_insert_rowid()))
}

pub(super) fn rv_by_id(conn: &Connection, op: OperationId, rv: RvId) -> Result<RendezvousPoint> {
    conn.query_row(
        "SELECT id, name, lat, lon, landmark, status, accepted_by_authority, accepted_by_escort
         FROM rvs WHERE id = ?1 AND operation_id = ?2",
        params![rv.0, op.0],
        rv_row,
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found(format!("rendezvous point {rv}")))?
}

type RvRow = Result<RendezvousPoint>;

fn rv_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RvRow> {
    let status: String = r.get(5)?;
    let lat: f64 = r.get(2)?;
    let lon: f64 = r.get(3)?;
    let id = RvId(r.get(0)?);
    let name: String = r.get(1)?;
    let landmark: String = r.get(4)?;
    let a: bool = r.get(6)?;
    let e: bool = r.get(7)?;
    Ok((|| {
        Ok(RendezvousPoint {
            id,
            name,
            location: Coordinate::new(lat, lon)?,
            landmark,
            status: RvStatus::parse(&status)
                .ok_or_else(|| StoreError::Internal(format!("unexpected rv status {status:?}")))?,
            accepted_by_authority: a,
            accepted_by_escort: e,
        })
    })())
}

pub(super) fn rvs(conn: &Connection, op: OperationId) -> Result<Vec<RendezvousPoint>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, name, lat, lon, landmark, status, accepted_by_authority, accepted_by_escort
             FROM rvs WHERE operation_id = ?1 ORDER BY id",
        )
        .map_err(db)?;
    let rows: Vec<RvRow> = stmt.query_map([op.0], rv_row).all()?;
    rows.into_iter().collect()
}

pub(super) fn propose_rv(
    tx: &Transaction<'_>,
    op: OperationId,
    rv: &NewRv,
    side: Side,
    actor: &Actor,
) -> Result<RendezvousPoint> {
    require_operation(tx, op)?;
    let agreement = RvAgreement::proposed_by(side);
    tx.execute(
        "INSERT INTO rvs (operation_id, name, lat, lon, landmark, status, accepted_by_authority, accepted_by_escort)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            op.0,
            rv.name.as_str(),
            rv.location.lat(),
            rv.location.lon(),
            rv.landmark.as_str(),
            agreement.status.as_str(),
            agreement.accepted_by_authority,
            agreement.accepted_by_escort
        ],
    )
    .map_err(db)?;
    let id = RvId(tx.last_insert_rowid());
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind: "rv_proposed",
            transition: None,
            detail: serde_json::json!({}),
            rv: Some(id),
            gate: None,
        },
        actor,
    )?;
    rv_by_id(tx, op, id)
}

pub(super) fn change_rv(
    tx: &Transaction<'_>,
    op: OperationId,
    rv: RvId,
    change: RvChange,
    actor: &Actor,
) -> Result<RendezvousPoint> {
    let current = rv_by_id(tx, op, rv)?;
    let next = RvAgreement {
        status: current.status,
        accepted_by_authority: current.accepted_by_authority,
        accepted_by_escort: current.accepted_by_escort,
    }
    .apply(change)?;
    tx.execute(
        "UPDATE rvs SET status = ?1, accepted_by_authority = ?2, accepted_by_escort = ?3 WHERE id = ?4",
        params![next.status.as_str(), next.accepted_by_authority, next.accepted_by_escort, rv.0],
    )
    .map_err(db)?;
    let kind = match change {
        RvChange::Accept(_) => "rv_accepted",
        RvChange::Activate => "rv_activated",
        RvChange::Suspend => "rv_suspended",
        RvChange::Close => "rv_closed",
    };
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind,
            transition: None,
            detail: serde_json::json!({ "status": next.status.as_str() }),
            rv: Some(rv),
            gate: None,
        },
        actor,
    )?;
    rv_by_id(tx, op, rv)
}

pub(super) fn gate(conn: &Connection, op: OperationId, gate: GateId) -> Result<Gate> {
    let row = conn
        .query_row(
            "SELECT name, lat, lon, kind, hourly_throughput, status FROM gates WHERE id = ?1 AND operation_id = ?2",
            params![gate.0, op.0],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )
        .optional()
        .map_err(db)?
        .ok_or_else(|| StoreError::not_found(format!("gate {gate}")))?;
    let mut stmt = conn
        .prepare_cached("SELECT rv_id FROM gate_rvs WHERE gate_id = ?1 ORDER BY rv_id")
        .map_err(db)?;
    let rvs = stmt.query_map([gate.0], |r| r.get(0).map(RvId)).all()?;
    Ok(Gate {
        id: gate,
        name: row.0,
        location: Coordinate::new(row.1, row.2)?,
        kind: GateKind::parse(&row.3)
            .ok_or_else(|| StoreError::Internal(format!("unexpected gate kind {:?}", row.3)))?,
        hourly_throughput: row.4 as u32,
        status: GateStatus::parse(&row.5)
            .ok_or_else(|| StoreError::Internal(format!("unexpected gate status {:?}", row.5)))?,
        rvs,
    })
}

pub(super) fn gates(conn: &Connection, op: OperationId) -> Result<Vec<Gate>> {
    let ids: Vec<i64> = {
        let mut stmt = conn
            .prepare_cached("SELECT id FROM gates WHERE operation_id = ?1 ORDER BY id")
            .map_err(db)?;
        stmt.query_map([op.0], |r| r.get(0)).all()?
    };
    ids.into_iter()
        .map(|id| gate(conn, op, GateId(id)))
        .collect()
}

pub(super) fn create_gate(
    tx: &Transaction<'_>,
    op: OperationId,
    g: &NewGate,
    actor: &Actor,
) -> Result<Gate> {
    require_operation(tx, op)?;
    tx.execute(
        "INSERT INTO gates (operation_id, name, lat, lon, kind, hourly_throughput, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open')",
        params![
            op.0,
            g.name.as_str(),
            g.location.lat(),
            g.location.lon(),
            g.kind.as_str(),
            g.hourly_throughput
        ],
    )
    .map_err(db)?;
    let id = GateId(tx.last_insert_rowid());
    for rv in &g.rvs {
        require_rv(tx, op, *rv)?;
        tx.execute(
            "INSERT OR IGNORE INTO gate_rvs (gate_id, rv_id) VALUES (?1, ?2)",
            params![id.0, rv.0],
        )
        .map_err(db)?;
    }
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind: "gate_opened",
            transition: None,
            detail: serde_json::json!({}),
            rv: None,
            gate: Some(id),
        },
        actor,
    )?;
    gate(tx, op, id)
}

pub(super) fn set_gate_status(
    tx: &Transaction<'_>,
    op: OperationId,
    id: GateId,
    status: GateStatus,
    actor: &Actor,
) -> Result<Gate> {
    require_gate(tx, op, id)?;
    tx.execute(
        "UPDATE gates SET status = ?1 WHERE id = ?2",
        params![status.as_str(), id.0],
    )
    .map_err(db)?;
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind: "gate_status",
            transition: None,
            detail: serde_json::json!({ "status": status.as_str() }),
            rv: None,
            gate: Some(id),
        },
        actor,
    )?;
    gate(tx, op, id)
}

fn window_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, i64, i64, i64, i64, i64)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn to_window(row: (i64, i64, i64, i64, i64, i64)) -> Result<Window> {
    Ok(Window {
        id: WindowId(row.0),
        rv: RvId(row.1),
        spec: WindowSpec::new(ts(row.2), ts(row.3), row.4 as u32)?,
        assigned_people: row.5 as u32,
    })
}

pub(super) fn create_window(
    tx: &Transaction<'_>,
    op: OperationId,
    rv: RvId,
    spec: WindowSpec,
    actor: &Actor,
) -> Result<Window> {
    require_rv(tx, op, rv)?;
    tx.execute(
        "INSERT INTO windows (operation_id, rv_id, start_at, end_at, capacity) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![op.0, rv.0, spec.start.0, spec.end.0, spec.capacity],
    )
    .map_err(db)?;
    let id = tx.last_insert_rowid();
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind: "window_opened",
            transition: None,
            detail: serde_json::json!({ "window": id }),
            rv: Some(rv),
            gate: None,
        },
        actor,
    )?;
    Ok(Window {
        id: WindowId(id),
        rv,
        spec,
        assigned_people: 0,
    })
}

pub(super) fn windows(conn: &Connection, op: OperationId) -> Result<Vec<Window>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, rv_id, start_at, end_at, capacity, assigned_people FROM windows
             WHERE operation_id = ?1 ORDER BY start_at, id",
        )
        .map_err(db)?;
    let rows: Vec<_> = stmt.query_map([op.0], window_row).all()?;
    rows.into_iter().map(to_window).collect()
}

fn flight_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Flight> {
    Ok(Flight {
        id: FlightId(r.get(0)?),
        number: r.get(1)?,
        departs_at: ts(r.get(2)?),
        capacity: r.get::<_, i64>(3)? as u32,
        manifested_people: r.get::<_, i64>(4)? as u32,
        boarded_people: r.get::<_, i64>(5)? as u32,
    })
}

const FLIGHT_COLUMNS: &str = "id, number, departs_at, capacity, manifested_people, boarded_people";

pub(super) fn create_flight(
    tx: &Transaction<'_>,
    op: OperationId,
    f: &NewFlight,
    actor: &Actor,
) -> Result<Flight> {
    require_operation(tx, op)?;
    tx.execute(
        "INSERT INTO flights (operation_id, number, departs_at, capacity) VALUES (?1, ?2, ?3, ?4)",
        params![op.0, f.number.as_str(), f.departs_at.0, f.capacity],
    )
    .map_err(db)?;
    let id = FlightId(tx.last_insert_rowid());
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind: "flight_scheduled",
            transition: None,
            detail: serde_json::json!({ "flight": id.0 }),
            rv: None,
            gate: None,
        },
        actor,
    )?;
    flight(tx, op, id)
}

pub(super) fn flight(conn: &Connection, op: OperationId, id: FlightId) -> Result<Flight> {
    conn.query_row(
        &format!("SELECT {FLIGHT_COLUMNS} FROM flights WHERE id = ?1 AND operation_id = ?2"),
        params![id.0, op.0],
        flight_row,
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::not_found(format!("flight {id}")))
}

pub(super) fn flights(conn: &Connection, op: OperationId) -> Result<Vec<Flight>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {FLIGHT_COLUMNS} FROM flights WHERE operation_id = ?1 ORDER BY departs_at, id"
        ))
        .map_err(db)?;
    stmt.query_map([op.0], flight_row).all()
}

pub(super) fn manifest(conn: &Connection, op: OperationId, id: FlightId) -> Result<Manifest> {
    let flight = flight(conn, op, id)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT h.reference, p.id, p.name_latin, p.name_native, p.birth_date, p.nationality,
                    (SELECT number FROM documents d WHERE d.person_id = p.id ORDER BY d.id LIMIT 1),
                    h.stage = 'boarded'
             FROM households h JOIN people p ON p.household_id = h.id
             WHERE h.flight_id = ?1 AND h.stage IN ('manifested', 'boarded')
             ORDER BY h.reference, p.id",
        )
        .map_err(db)?;
    type Line = (
        String,
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
    );
    let rows: Vec<Line> = stmt
        .query_map([id.0], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .all()?;
    let lines = rows
        .into_iter()
        .map(
            |(reference, person, latin, native, birth, nat, doc, boarded)| {
                Ok(ManifestLine {
                    reference: CaseReference::parse(&reference)?,
                    person: PersonId(person),
                    name: PersonName::new(&latin, native.as_deref())?,
                    birth_date: birth.map(|b| BirthDate::parse(&b)).transpose()?,
                    nationality: nat.map(|n| CountryCode::parse(&n)).transpose()?,
                    document: doc.map(|d| DocumentNumber::parse(&d)).transpose()?,
                    boarded,
                })
            },
        )
        .collect::<Result<_>>()?;
    Ok(Manifest { flight, lines })
}

pub(super) fn report_hazard(
    tx: &Transaction<'_>,
    op: OperationId,
    h: &NewHazard,
    actor: &Actor,
) -> Result<Hazard> {
    require_operation(tx, op)?;
    tx.execute(
        "INSERT INTO hazards (operation_id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            op.0,
            enc(&h.kind),
            enc(&h.severity),
            h.location.lat(),
            h.location.lon(),
            h.radius_m,
            h.description.as_ref().map(Text::as_str),
            h.valid_from.0,
            h.valid_until.map(|t| t.0)
        ],
    )
    .map_err(db)?;
    let id = HazardId(tx.last_insert_rowid());
    insert_event(
        tx,
        NewEvent {
            op,
            household: None,
            kind: "hazard_reported",
            transition: None,
            detail: serde_json::json!({ "hazard": id.0 }),
            rv: None,
            gate: None,
        },
        actor,
    )?;
    Ok(Hazard {
        id,
        kind: h.kind,
        severity: h.severity,
        location: h.location,
        radius_m: h.radius_m,
        description: h.description.as_ref().map(|d| d.as_str().to_string()),
        valid_from: h.valid_from,
        valid_until: h.valid_until,
    })
}

pub(super) fn hazards(conn: &Connection, op: OperationId) -> Result<Vec<Hazard>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until
             FROM hazards WHERE operation_id = ?1 ORDER BY id",
        )
        .map_err(db)?;
    type Row = (
        i64,
        String,
        String,
        f64,
        f64,
        i64,
        Option<String>,
        i64,
        Option<i64>,
    );
    let rows: Vec<Row> = stmt
        .query_map([op.0], |r| {
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
            ))
        })
        .all()?;
    rows.into_iter()
        .map(|(id, kind, sev, lat, lon, radius, desc, from, until)| {
            Ok(Hazard {
                id: HazardId(id),
                kind: dec(kind)?,
                severity: dec(sev)?,
                location: Coordinate::new(lat, lon)?,
                radius_m: radius as u32,
                description: desc,
                valid_from: ts(from),
                valid_until: until.map(ts),
            })
        })
        .collect()
}

pub(super) fn stage_counts(
    conn: &Connection,
    op: OperationId,
    scope: CountScope,
) -> Result<StageCounts> {
    let (scope, id) = match scope {
        CountScope::Operation => ("operation", 0),
        CountScope::Rv(rv) => {
            require_rv(conn, op, rv)?;
            ("rv", rv.0)
        }
        CountScope::Gate(g) => {
            require_gate(conn, op, g)?;
            ("gate", g.0)
        }
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT stage, households, people FROM stage_counts
             WHERE operation_id = ?1 AND scope = ?2 AND scope_id = ?3",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![op.0, scope, id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .all()?;
    read_counts(rows)
}

pub(super) fn batch_balances(conn: &Connection, op: OperationId) -> Result<Vec<BatchBalance>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, rv_id, gate_id, departed_people, arrived_people, closed_at IS NOT NULL
             FROM batches WHERE operation_id = ?1 ORDER BY id",
        )
        .map_err(db)?;
    stmt.query_map([op.0], |r| {
        Ok(BatchBalance {
            batch: BatchId(r.get(0)?),
            rv: RvId(r.get(1)?),
            gate: GateId(r.get(2)?),
            departed_people: r.get::<_, i64>(3)? as u64,
            arrived_people: r.get::<_, i64>(4)? as u64,
            closed: r.get(5)?,
        })
    })
    .all()
}

pub(super) fn accountability(conn: &Connection, op: OperationId) -> Result<AccountabilityReport> {
    require_operation(conn, op)?;
    // One read transaction, so that the maintained and recomputed counts see the same state.
    conn.execute_batch("BEGIN").map_err(db)?;
    let result = (|| {
        let maintained = stage_counts(conn, op, CountScope::Operation)?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT stage, COUNT(*), SUM(size) FROM households WHERE operation_id = ?1 GROUP BY stage",
            )
            .map_err(db)?;
        let rows: Vec<(String, i64, i64)> = stmt
            .query_map([op.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .all()?;
        let recomputed = read_counts(rows)?;
        let registered: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM people WHERE operation_id = ?1",
                [op.0],
                |r| r.get(0),
            )
            .map_err(db)?;
        let batches = batch_balances(conn, op)?;
        Ok(AccountabilityReport::new(
            registered as u64,
            maintained,
            recomputed,
            batches,
        ))
    })();
    conn.execute_batch("COMMIT").map_err(db)?;
    result
}
