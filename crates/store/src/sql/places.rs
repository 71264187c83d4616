//! Operations, accounts, rendezvous points, gates, windows, flights, hazards and counts.

use super::cases::{NewEvent, insert_event, stage};
use super::sealed::{self, DocumentFields, PersonFields};
use super::{Db, Row, dec, enc, p};
use crate::types::*;
use crate::vault::{Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::model::{
    GateKind, GateStatus, RvAgreement, RvChange, RvStatus, Side, WindowSpec,
};
use safeconduct_domain::values::{Coordinate, Text, Timestamp};
use safeconduct_domain::*;

/// An event about a place rather than a case.
fn place_event(
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

/// Turns a unique-constraint conflict into a sentence about what already exists.
fn duplicate(what: String) -> impl FnOnce(StoreError) -> StoreError {
    move |e| match e {
        StoreError::Conflict(_) => StoreError::Conflict(format!("{what} already exists")),
        other => other,
    }
}

pub(crate) fn require_operation(db: &mut dyn Db, op: OperationId) -> Result<()> {
    db.row("SELECT id FROM operations WHERE id = $1", p![op.0])?
        .map(|_| ())
        .ok_or_else(|| StoreError::not_found(format!("operation {op}")))
}

/// Refuses an operation that is closed: it takes no new households.
pub(crate) fn require_open_operation(db: &mut dyn Db, op: OperationId) -> Result<()> {
    let operation = operation(db, op)?;
    if operation.closed_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "operation {op} is closed: it takes no new households"
        )));
    }
    Ok(())
}

pub(crate) fn require_rv(db: &mut dyn Db, op: OperationId, rv: RvId) -> Result<()> {
    rv_by_id(db, op, rv).map(|_| ())
}

pub(crate) fn require_gate(db: &mut dyn Db, op: OperationId, gate: GateId) -> Result<()> {
    self::gate(db, op, gate).map(|_| ())
}

const OPERATION_COLUMNS: &str = "o.id, o.name, o.created_at, o.closed_at, k.shredded_at";

fn operation_row(r: &Row) -> Result<Operation> {
    Ok(Operation {
        id: OperationId(r.i64(0)?),
        name: r.text(1)?,
        created_at: Timestamp(r.i64(2)?),
        closed_at: r.opt_i64(3)?.map(Timestamp),
        shredded_at: r.opt_i64(4)?.map(Timestamp),
    })
}

pub(crate) fn operation(db: &mut dyn Db, id: OperationId) -> Result<Operation> {
    let r = db
        .row(
            &format!(
                "SELECT {OPERATION_COLUMNS} FROM operations o
                 LEFT JOIN operation_keys k ON k.operation_id = o.id WHERE o.id = $1"
            ),
            p![id.0],
        )?
        .ok_or_else(|| StoreError::not_found(format!("operation {id}")))?;
    operation_row(&r)
}

pub(crate) fn operations(db: &mut dyn Db) -> Result<Vec<Operation>> {
    db.rows(
        &format!(
            "SELECT {OPERATION_COLUMNS} FROM operations o
             LEFT JOIN operation_keys k ON k.operation_id = o.id ORDER BY o.id"
        ),
        p![],
    )?
    .iter()
    .map(operation_row)
    .collect()
}

/// Closes an operation to new households. Closing a closed operation changes nothing.
pub(crate) fn close_operation(
    db: &mut dyn Db,
    op: OperationId,
    actor: &Actor,
) -> Result<Operation> {
    let closed = db.exec(
        "UPDATE operations SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL",
        p![op.0, actor.at.0],
    )?;
    if closed > 0 {
        super::audit::record(
            db,
            AuditEntry::by(
                actor,
                Some(op),
                "operation_closed",
                Some(format!("operation/{}", op.0)),
            ),
        )?;
    }
    operation(db, op)
}

/// Destroys a closed operation's data key: its personal data can never be read again. Counts,
/// events, passes' status and the audit chain stay.
pub(crate) fn shred_operation(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    actor: &Actor,
) -> Result<Operation> {
    let operation = operation(db, op)?;
    if operation.closed_at.is_none() {
        return Err(StoreError::Conflict(format!(
            "operation {op} is still open: close it before shredding its personal data"
        )));
    }
    if operation.shredded_at.is_some() {
        return Err(StoreError::Shredded(op));
    }
    vault.shred(db, op, actor.at.0)?;
    super::audit::record(
        db,
        AuditEntry::by(
            actor,
            Some(op),
            "operation_shredded",
            Some(format!("operation/{}", op.0)),
        ),
    )?;
    self::operation(db, op)
}

pub(crate) fn create_operation(
    db: &mut dyn Db,
    vault: &Vault,
    name: &str,
    at: Timestamp,
) -> Result<Operation> {
    let name = Text::parse("name", name, 120)?;
    let id = db
        .one(
            "INSERT INTO operations (name, created_at) VALUES ($1, $2) RETURNING id",
            p![name.as_str(), at.0],
        )
        .map_err(duplicate(format!("an operation named {:?}", name.as_str())))?
        .i64(0)?;
    vault.create_key(db, OperationId(id), at.0)?;
    super::audit::record(
        db,
        AuditEntry::by(
            &Actor::system(at),
            Some(OperationId(id)),
            "operation_created",
            Some(format!("operation/{id}")),
        ),
    )?;
    Ok(Operation {
        id: OperationId(id),
        name: name.as_str().to_string(),
        created_at: at,
        closed_at: None,
        shredded_at: None,
    })
}

pub(crate) fn create_organisation(
    db: &mut dyn Db,
    op: OperationId,
    org: &NewOrganisation,
    actor: &Actor,
) -> Result<OrganisationId> {
    require_operation(db, op)?;
    let id = db
        .one(
            "INSERT INTO organisations (operation_id, name, kind) VALUES ($1, $2, $3) RETURNING id",
            p![op.0, org.name.as_str(), org.kind.as_str()],
        )
        .map_err(duplicate(format!("an organisation named {:?}", org.name)))?
        .i64(0)?;
    super::audit::record(
        db,
        AuditEntry::by(
            actor,
            Some(op),
            "organisation_created",
            Some(format!("organisation/{id}")),
        ),
    )?;
    Ok(OrganisationId(id))
}

pub(crate) fn create_user(db: &mut dyn Db, user: &NewUser, at: Timestamp) -> Result<UserId> {
    let id = db
        .one(
            "INSERT INTO users (username, password_hash, organisation_id, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
            p![
                user.username.as_str(),
                user.password_hash.as_str(),
                user.organisation.map(|o| o.0),
                at.0
            ],
        )
        .map_err(duplicate(format!("a user named {:?}", user.username)))?
        .i64(0)?;
    super::audit::record(
        db,
        AuditEntry::by(
            &Actor::system(at),
            None,
            "user_created",
            Some(format!("user/{id}")),
        ),
    )?;
    Ok(UserId(id))
}

pub(crate) fn user_by_name(db: &mut dyn Db, username: &str) -> Result<Option<UserAccount>> {
    db.row(
        "SELECT id, username, password_hash, totp_wrapped,
                EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = 'coordinator')
         FROM users WHERE username = $1",
        p![username],
    )?
    .map(|r| {
        Ok(UserAccount {
            id: UserId(r.i64(0)?),
            username: r.text(1)?,
            password_hash: r.text(2)?,
            totp: r.opt_bytes(3)?,
            coordinator: r.bool(4)?,
        })
    })
    .transpose()
}

/// Stores a user's (new) wrapped TOTP secret; codes of any earlier secret stop working.
pub(crate) fn set_totp(db: &mut dyn Db, user: UserId, wrapped: &[u8], actor: &Actor) -> Result<()> {
    let changed = db.exec(
        "UPDATE users SET totp_wrapped = $2, totp_last_step = NULL WHERE id = $1",
        p![user.0, wrapped],
    )?;
    if changed == 0 {
        return Err(StoreError::not_found(format!("user {}", user.0)));
    }
    super::audit::record(
        db,
        AuditEntry::by(
            actor,
            None,
            "totp_enrolled",
            Some(format!("user/{}", user.0)),
        ),
    )?;
    Ok(())
}

/// Takes a TOTP time step as used; false when it, or a later one, was used already.
pub(crate) fn claim_totp_step(db: &mut dyn Db, user: UserId, step: i64) -> Result<bool> {
    Ok(db.exec(
        "UPDATE users SET totp_last_step = $2
         WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        p![user.0, step],
    )? == 1)
}

pub(crate) fn grant_role(
    db: &mut dyn Db,
    user: UserId,
    op: OperationId,
    role: Role,
    actor: &Actor,
) -> Result<()> {
    require_operation(db, op)?;
    let granted = db.exec(
        "INSERT INTO user_roles (user_id, operation_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        p![user.0, op.0, role.as_str()],
    )?;
    if granted > 0 {
        super::audit::record(
            db,
            AuditEntry::by(
                actor,
                Some(op),
                &format!("role_granted:{}", role.as_str()),
                Some(format!("user/{}", user.0)),
            ),
        )?;
    }
    Ok(())
}

pub(crate) fn roles(db: &mut dyn Db, user: UserId, op: OperationId) -> Result<Vec<Role>> {
    db.rows(
        "SELECT role FROM user_roles WHERE user_id = $1 AND operation_id = $2 ORDER BY role",
        p![user.0, op.0],
    )?
    .iter()
    .map(|r| Ok(r.text(0)?.parse()?))
    .collect()
}

pub(crate) fn create_session(
    db: &mut dyn Db,
    digest: &[u8],
    user: UserId,
    expires: Timestamp,
) -> Result<()> {
    db.exec(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        p![digest, user.0, expires.0],
    )?;
    Ok(())
}

pub(crate) fn session(
    db: &mut dyn Db,
    digest: &[u8],
    now: Timestamp,
    op: Option<OperationId>,
) -> Result<Option<(UserId, Vec<Role>)>> {
    let rows = db.rows(
        "SELECT s.user_id, r.role FROM sessions s
         LEFT JOIN user_roles r ON r.user_id = s.user_id AND r.operation_id = $3
         WHERE s.token_hash = $1 AND s.expires_at > $2
         ORDER BY r.role",
        p![digest, now.0, op.map(|o| o.0)],
    )?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let user = UserId(first.i64(0)?);
    let roles = rows
        .iter()
        .filter_map(|r| r.opt_text(1).transpose())
        .map(|role| Ok(role?.parse()?))
        .collect::<Result<_>>()?;
    Ok(Some((user, roles)))
}

pub(crate) fn delete_session(db: &mut dyn Db, digest: &[u8]) -> Result<()> {
    db.exec("DELETE FROM sessions WHERE token_hash = $1", p![digest])?;
    Ok(())
}

const RV_COLUMNS: &str =
    "id, name, lat, lon, landmark, status, accepted_by_authority, accepted_by_escort";

fn rv_row(r: &Row) -> Result<RendezvousPoint> {
    let status = r.text(5)?;
    Ok(RendezvousPoint {
        id: RvId(r.i64(0)?),
        name: r.text(1)?,
        location: Coordinate::new(r.f64(2)?, r.f64(3)?)?,
        landmark: r.text(4)?,
        status: RvStatus::parse(&status)
            .ok_or_else(|| StoreError::Internal(format!("unexpected rv status {status:?}")))?,
        accepted_by_authority: r.bool(6)?,
        accepted_by_escort: r.bool(7)?,
    })
}

pub(crate) fn rv_by_id(db: &mut dyn Db, op: OperationId, rv: RvId) -> Result<RendezvousPoint> {
    let sql = format!("SELECT {RV_COLUMNS} FROM rvs WHERE id = $1 AND operation_id = $2");
    let r = db
        .row(&sql, p![rv.0, op.0])?
        .ok_or_else(|| StoreError::not_found(format!("rendezvous point {rv}")))?;
    rv_row(&r)
}

pub(crate) fn rvs(db: &mut dyn Db, op: OperationId) -> Result<Vec<RendezvousPoint>> {
    let sql = format!("SELECT {RV_COLUMNS} FROM rvs WHERE operation_id = $1 ORDER BY id");
    db.rows(&sql, p![op.0])?.iter().map(rv_row).collect()
}

pub(crate) fn propose_rv(
    db: &mut dyn Db,
    op: OperationId,
    rv: &NewRv,
    side: Side,
    actor: &Actor,
) -> Result<RendezvousPoint> {
    require_operation(db, op)?;
    let agreement = RvAgreement::proposed_by(side);
    let id = RvId(
        db.one(
            "INSERT INTO rvs (operation_id, name, lat, lon, landmark, status, accepted_by_authority, accepted_by_escort)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            p![
                op.0,
                rv.name.as_str(),
                rv.location.lat(),
                rv.location.lon(),
                rv.landmark.as_str(),
                agreement.status.as_str(),
                agreement.accepted_by_authority,
                agreement.accepted_by_escort
            ],
        )?
        .i64(0)?,
    );
    place_event(
        db,
        op,
        "rv_proposed",
        serde_json::json!({}),
        Some(id),
        None,
        actor,
    )?;
    rv_by_id(db, op, id)
}

pub(crate) fn change_rv(
    db: &mut dyn Db,
    op: OperationId,
    rv: RvId,
    change: RvChange,
    actor: &Actor,
) -> Result<RendezvousPoint> {
    let current = rv_by_id(db, op, rv)?;
    let next = RvAgreement {
        status: current.status,
        accepted_by_authority: current.accepted_by_authority,
        accepted_by_escort: current.accepted_by_escort,
    }
    .apply(change)?;
    db.exec(
        "UPDATE rvs SET status = $1, accepted_by_authority = $2, accepted_by_escort = $3 WHERE id = $4",
        p![next.status.as_str(), next.accepted_by_authority, next.accepted_by_escort, rv.0],
    )?;
    let kind = match change {
        RvChange::Accept(_) => "rv_accepted",
        RvChange::Activate => "rv_activated",
        RvChange::Suspend => "rv_suspended",
        RvChange::Close => "rv_closed",
    };
    place_event(
        db,
        op,
        kind,
        serde_json::json!({ "status": next.status.as_str() }),
        Some(rv),
        None,
        actor,
    )?;
    rv_by_id(db, op, rv)
}

pub(crate) fn gate(db: &mut dyn Db, op: OperationId, gate: GateId) -> Result<Gate> {
    let r = db
        .row(
            "SELECT name, lat, lon, kind, hourly_throughput, status FROM gates WHERE id = $1 AND operation_id = $2",
            p![gate.0, op.0],
        )?
        .ok_or_else(|| StoreError::not_found(format!("gate {gate}")))?;
    let rvs = db
        .rows(
            "SELECT rv_id FROM gate_rvs WHERE gate_id = $1 ORDER BY rv_id",
            p![gate.0],
        )?
        .iter()
        .map(|r| r.i64(0).map(RvId))
        .collect::<Result<_>>()?;
    let (kind, status) = (r.text(3)?, r.text(5)?);
    Ok(Gate {
        id: gate,
        name: r.text(0)?,
        location: Coordinate::new(r.f64(1)?, r.f64(2)?)?,
        kind: GateKind::parse(&kind)
            .ok_or_else(|| StoreError::Internal(format!("unexpected gate kind {kind:?}")))?,
        hourly_throughput: Throughput::new(r.u32(4)?)?,
        status: GateStatus::parse(&status)
            .ok_or_else(|| StoreError::Internal(format!("unexpected gate status {status:?}")))?,
        rvs,
    })
}

pub(crate) fn gates(db: &mut dyn Db, op: OperationId) -> Result<Vec<Gate>> {
    let ids = db.rows(
        "SELECT id FROM gates WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )?;
    ids.iter()
        .map(|r| gate(db, op, GateId(r.i64(0)?)))
        .collect()
}

pub(crate) fn create_gate(
    db: &mut dyn Db,
    op: OperationId,
    g: &NewGate,
    actor: &Actor,
) -> Result<Gate> {
    require_operation(db, op)?;
    let id = GateId(
        db.one(
            "INSERT INTO gates (operation_id, name, lat, lon, kind, hourly_throughput, status)
             VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id",
            p![
                op.0,
                g.name.as_str(),
                g.location.lat(),
                g.location.lon(),
                g.kind.as_str(),
                g.hourly_throughput.get()
            ],
        )?
        .i64(0)?,
    );
    for rv in &g.rvs {
        require_rv(db, op, *rv)?;
        db.exec(
            "INSERT INTO gate_rvs (gate_id, rv_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            p![id.0, rv.0],
        )?;
    }
    place_event(
        db,
        op,
        "gate_opened",
        serde_json::json!({}),
        None,
        Some(id),
        actor,
    )?;
    gate(db, op, id)
}

pub(crate) fn set_gate_status(
    db: &mut dyn Db,
    op: OperationId,
    id: GateId,
    status: GateStatus,
    actor: &Actor,
) -> Result<Gate> {
    require_gate(db, op, id)?;
    db.exec(
        "UPDATE gates SET status = $1 WHERE id = $2",
        p![status.as_str(), id.0],
    )?;
    place_event(
        db,
        op,
        "gate_status",
        serde_json::json!({ "status": status.as_str() }),
        None,
        Some(id),
        actor,
    )?;
    gate(db, op, id)
}

pub(crate) fn create_window(
    db: &mut dyn Db,
    op: OperationId,
    rv: RvId,
    spec: WindowSpec,
    actor: &Actor,
) -> Result<Window> {
    require_rv(db, op, rv)?;
    let id = db
        .one(
            "INSERT INTO windows (operation_id, rv_id, start_at, end_at, capacity) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            p![op.0, rv.0, spec.start.0, spec.end.0, spec.capacity.get()],
        )?
        .i64(0)?;
    place_event(
        db,
        op,
        "window_opened",
        serde_json::json!({ "window": id }),
        Some(rv),
        None,
        actor,
    )?;
    Ok(Window {
        id: WindowId(id),
        rv,
        spec,
        assigned_people: 0,
    })
}

pub(crate) fn windows(db: &mut dyn Db, op: OperationId) -> Result<Vec<Window>> {
    db.rows(
        "SELECT id, rv_id, start_at, end_at, capacity, assigned_people FROM windows
         WHERE operation_id = $1 ORDER BY start_at, id",
        p![op.0],
    )?
    .iter()
    .map(|r| {
        Ok(Window {
            id: WindowId(r.i64(0)?),
            rv: RvId(r.i64(1)?),
            spec: WindowSpec::new(Timestamp(r.i64(2)?), Timestamp(r.i64(3)?), r.u32(4)?)?,
            assigned_people: r.u32(5)?,
        })
    })
    .collect()
}

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
    require_operation(db, op)?;
    let id = FlightId(
        db.one(
            "INSERT INTO flights (operation_id, number, departs_at, capacity) VALUES ($1, $2, $3, $4) RETURNING id",
            p![op.0, f.number.as_str(), f.departs_at.0, f.capacity.get()],
        )?
        .i64(0)?,
    );
    place_event(
        db,
        op,
        "flight_scheduled",
        serde_json::json!({ "flight": id.0 }),
        None,
        None,
        actor,
    )?;
    flight(db, op, id)
}

pub(crate) fn flight(db: &mut dyn Db, op: OperationId, id: FlightId) -> Result<Flight> {
    let sql = format!("SELECT {FLIGHT_COLUMNS} FROM flights WHERE id = $1 AND operation_id = $2");
    let r = db
        .row(&sql, p![id.0, op.0])?
        .ok_or_else(|| StoreError::not_found(format!("flight {id}")))?;
    flight_row(&r)
}

pub(crate) fn flights(db: &mut dyn Db, op: OperationId) -> Result<Vec<Flight>> {
    let sql = format!(
        "SELECT {FLIGHT_COLUMNS} FROM flights WHERE operation_id = $1 ORDER BY departs_at, id"
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
            "SELECT h.reference, p.id, p.sealed, d.id, d.sealed, h.stage = 'boarded'
             FROM households h JOIN people p ON p.household_id = h.id
             LEFT JOIN documents d ON d.id = (SELECT MIN(id) FROM documents WHERE person_id = p.id)
             WHERE h.flight_id = $1 AND h.stage IN ('manifested', 'boarded')
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

pub(crate) fn report_hazard(
    db: &mut dyn Db,
    op: OperationId,
    h: &NewHazard,
    actor: &Actor,
) -> Result<Hazard> {
    require_operation(db, op)?;
    let id = HazardId(
        db.one(
            "INSERT INTO hazards (operation_id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            p![
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
        )?
        .i64(0)?,
    );
    place_event(
        db,
        op,
        "hazard_reported",
        serde_json::json!({ "hazard": id.0 }),
        None,
        None,
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

pub(crate) fn hazards(db: &mut dyn Db, op: OperationId) -> Result<Vec<Hazard>> {
    db.rows(
        "SELECT id, kind, severity, lat, lon, radius_m, description, valid_from, valid_until
         FROM hazards WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )?
    .iter()
    .map(|r| {
        Ok(Hazard {
            id: HazardId(r.i64(0)?),
            kind: dec(r.text(1)?)?,
            severity: dec(r.text(2)?)?,
            location: Coordinate::new(r.f64(3)?, r.f64(4)?)?,
            radius_m: r.u32(5)?,
            description: r.opt_text(6)?,
            valid_from: Timestamp(r.i64(7)?),
            valid_until: r.opt_i64(8)?.map(Timestamp),
        })
    })
    .collect()
}

fn read_counts(rows: Vec<Row>) -> Result<StageCounts> {
    let mut counts = StageCounts::default();
    for r in rows {
        counts.add(stage(r.text(0)?)?, r.i64(1)?, r.i64(2)?);
    }
    Ok(counts.normalised())
}

pub(crate) fn stage_counts(
    db: &mut dyn Db,
    op: OperationId,
    scope: CountScope,
) -> Result<StageCounts> {
    require_operation(db, op)?;
    let (scope, id) = match scope {
        CountScope::Operation => ("operation", 0),
        CountScope::Rv(rv) => {
            require_rv(db, op, rv)?;
            ("rv", rv.0)
        }
        CountScope::Gate(g) => {
            require_gate(db, op, g)?;
            ("gate", g.0)
        }
    };
    let rows = db.rows(
        "SELECT stage, CAST(SUM(households) AS BIGINT), CAST(SUM(people) AS BIGINT)
         FROM stage_counts WHERE operation_id = $1 AND scope = $2 AND scope_id = $3
         GROUP BY stage",
        p![op.0, scope, id],
    )?;
    read_counts(rows)
}

/// Counts for the operation and every RV and gate of it, read together.
pub(crate) fn operation_counts(db: &mut dyn Db, op: OperationId) -> Result<OperationCounts> {
    require_operation(db, op)?;
    let mut out = OperationCounts::default();
    for r in db.rows(
        "SELECT id FROM rvs WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )? {
        out.rvs.push((RvId(r.i64(0)?), StageCounts::default()));
    }
    for r in db.rows(
        "SELECT id FROM gates WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )? {
        out.gates.push((GateId(r.i64(0)?), StageCounts::default()));
    }
    let rows = db.rows(
        "SELECT scope, scope_id, stage, CAST(SUM(households) AS BIGINT),
                CAST(SUM(people) AS BIGINT)
         FROM stage_counts WHERE operation_id = $1 GROUP BY scope, scope_id, stage",
        p![op.0],
    )?;
    for r in rows {
        let (scope, id) = (r.text(0)?, r.i64(1)?);
        let counts = match scope.as_str() {
            "operation" => Some(&mut out.operation),
            "rv" => out
                .rvs
                .iter_mut()
                .find(|(rv, _)| rv.0 == id)
                .map(|(_, c)| c),
            "gate" => out
                .gates
                .iter_mut()
                .find(|(g, _)| g.0 == id)
                .map(|(_, c)| c),
            _ => None,
        };
        if let Some(c) = counts {
            c.add(stage(r.text(2)?)?, r.i64(3)?, r.i64(4)?);
        }
    }
    out.operation = std::mem::take(&mut out.operation).normalised();
    let rv_counts = out.rvs.iter_mut().map(|(_, c)| c);
    for c in rv_counts.chain(out.gates.iter_mut().map(|(_, c)| c)) {
        *c = std::mem::take(c).normalised();
    }
    Ok(out)
}

pub(crate) fn batch_balances(db: &mut dyn Db, op: OperationId) -> Result<Vec<BatchBalance>> {
    db.rows(
        "SELECT id, rv_id, gate_id, departed_people, arrived_people, closed_at IS NOT NULL
         FROM batches WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )?
    .iter()
    .map(|r| {
        Ok(BatchBalance {
            batch: BatchId(r.i64(0)?),
            rv: RvId(r.i64(1)?),
            gate: GateId(r.i64(2)?),
            departed_people: r.i64(3)? as u64,
            arrived_people: r.i64(4)? as u64,
            closed: r.bool(5)?,
        })
    })
    .collect()
}

/// Runs inside one read transaction, so that the maintained and recomputed counts see the
/// same state.
pub(crate) fn accountability(db: &mut dyn Db, op: OperationId) -> Result<AccountabilityReport> {
    let maintained = stage_counts(db, op, CountScope::Operation)?;
    let rows = db.rows(
        "SELECT stage, COUNT(*), CAST(SUM(size) AS BIGINT) FROM households WHERE operation_id = $1 GROUP BY stage",
        p![op.0],
    )?;
    let recomputed = read_counts(rows)?;
    let registered = db
        .one(
            "SELECT COUNT(*) FROM people WHERE operation_id = $1",
            p![op.0],
        )?
        .i64(0)?;
    let batches = batch_balances(db, op)?;
    Ok(AccountabilityReport::new(
        registered as u64,
        maintained,
        recomputed,
        batches,
    ))
}

pub(crate) fn assign_places(
    db: &mut dyn Db,
    user: UserId,
    op: OperationId,
    a: &PlaceAssignment,
    actor: &Actor,
) -> Result<()> {
    require_operation(db, op)?;
    for rv in &a.rvs {
        require_rv(db, op, *rv)?;
    }
    for gate in &a.gates {
        require_gate(db, op, *gate)?;
    }
    db.exec(
        "DELETE FROM place_assignments WHERE user_id = $1 AND operation_id = $2",
        p![user.0, op.0],
    )?;
    let places = a
        .rvs
        .iter()
        .map(|r| ("rv", r.0))
        .chain(a.gates.iter().map(|g| ("gate", g.0)));
    for (kind, id) in places {
        db.exec(
            "INSERT INTO place_assignments (user_id, operation_id, kind, place_id, valid_from, valid_until)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            p![user.0, op.0, kind, id, a.valid_from.map(|t| t.0), a.valid_until.map(|t| t.0)],
        )?;
    }
    super::audit::record(
        db,
        AuditEntry::by(
            actor,
            Some(op),
            "places_assigned",
            Some(format!("user/{}", user.0)),
        ),
    )?;
    Ok(())
}

pub(crate) fn assigned_places(
    db: &mut dyn Db,
    user: UserId,
    op: OperationId,
    now: Timestamp,
) -> Result<(Vec<RvId>, Vec<GateId>)> {
    let mut rvs = Vec::new();
    let mut gates = Vec::new();
    for r in db.rows(
        "SELECT kind, place_id FROM place_assignments
         WHERE user_id = $1 AND operation_id = $2
           AND (valid_from IS NULL OR valid_from <= $3)
           AND (valid_until IS NULL OR valid_until > $3)
         ORDER BY kind, place_id",
        p![user.0, op.0, now.0],
    )? {
        match r.text(0)?.as_str() {
            "rv" => rvs.push(RvId(r.i64(1)?)),
            _ => gates.push(GateId(r.i64(1)?)),
        }
    }
    Ok((rvs, gates))
}
