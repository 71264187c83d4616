//! [`Store`] for [`SqliteStore`]: each method is one read or one immediate write transaction.

use super::CollectRows;
use super::{SqliteStore, cases, db, places};
use crate::types::*;
use crate::{ReferenceSource, Result, Store};
use rusqlite::{OptionalExtension, params};
use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::model::{GateStatus, RvChange, Side, WindowSpec};
use safeconduct_domain::values::{PhoneNumber, Timestamp};
use safeconduct_domain::*;

impl Store for SqliteStore {
    fn ping(&self) -> Result<()> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db))
    }

    fn create_operation(&self, name: &str, at: Timestamp) -> Result<Operation> {
        self.write(|tx| places::create_operation(tx, name, at))
    }
    fn operation(&self, id: OperationId) -> Result<Operation> {
        self.read(|c| places::operation(c, id))
    }
    fn operations(&self) -> Result<Vec<Operation>> {
        self.read(places::operations)
    }
    fn create_organisation(
        &self,
        op: OperationId,
        org: &NewOrganisation,
    ) -> Result<OrganisationId> {
        self.write(|tx| {
            places::require_operation(tx, op)?;
            tx.execute(
                "INSERT INTO organisations (operation_id, name, kind) VALUES (?1, ?2, ?3)",
                params![op.0, org.name, org.kind.as_str()],
            )
            .map_err(db)?;
            Ok(OrganisationId(tx.last_insert_rowid()))
        })
    }
    fn create_user(&self, user: &NewUser, at: Timestamp) -> Result<UserId> {
        self.write(|tx| places::create_user(tx, user, at))
    }
    fn user_by_name(&self, username: &str) -> Result<Option<UserAccount>> {
        self.read(|c| {
            c.query_row(
                "SELECT id, username, password_hash FROM users WHERE username = ?1",
                [username],
                |r| {
                    Ok(UserAccount {
                        id: UserId(r.get(0)?),
                        username: r.get(1)?,
                        password_hash: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(db)
        })
    }
    fn grant_role(&self, user: UserId, op: OperationId, role: Role) -> Result<()> {
        self.write(|tx| {
            places::require_operation(tx, op)?;
            tx.execute(
                "INSERT OR IGNORE INTO user_roles (user_id, operation_id, role) VALUES (?1, ?2, ?3)",
                params![user.0, op.0, role.as_str()],
            )
            .map_err(db)?;
            Ok(())
        })
    }
    fn roles(&self, user: UserId, op: OperationId) -> Result<Vec<Role>> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached("SELECT role FROM user_roles WHERE user_id = ?1 AND operation_id = ?2 ORDER BY role")
                .map_err(db)?;
            let names: Vec<String> = stmt
                .query_map(params![user.0, op.0], |r| r.get(0)).all()?;
            names.iter().map(|n| Ok(n.parse()?)).collect()
        })
    }
    fn create_session(&self, token_hash: &[u8], user: UserId, expires_at: Timestamp) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, user.0, expires_at.0],
            )
            .map_err(db)?;
            Ok(())
        })
    }
    fn session_user(&self, token_hash: &[u8], now: Timestamp) -> Result<Option<UserId>> {
        self.read(|c| {
            c.query_row(
                "SELECT user_id FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
                params![token_hash, now.0],
                |r| r.get(0).map(UserId),
            )
            .optional()
            .map_err(db)
        })
    }
    fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
                .map_err(db)?;
            Ok(())
        })
    }

    fn register_households(
        &self,
        op: OperationId,
        households: &[NewHousehold],
        references: ReferenceSource<'_>,
        actor: &Actor,
    ) -> Result<Vec<Registered>> {
        self.write(|tx| cases::register(tx, op, households, references, actor))
    }
    fn household(&self, op: OperationId, reference: &CaseReference) -> Result<Household> {
        self.read(|c| cases::household_by_reference(c, op, reference))
    }
    fn households_by_phone(&self, op: OperationId, phone: &PhoneNumber) -> Result<Vec<Household>> {
        self.read(|c| cases::households_by_phone(c, op, phone))
    }
    fn attach_document(
        &self,
        op: OperationId,
        reference: &CaseReference,
        person: PersonId,
        document: &NewDocument,
        actor: &Actor,
    ) -> Result<DocumentId> {
        self.write(|tx| cases::attach_document(tx, op, reference, person, document, actor))
    }
    fn apply(
        &self,
        op: OperationId,
        reference: &CaseReference,
        request: &CaseRequest,
        actor: &Actor,
    ) -> Result<CaseOutcome> {
        self.write(|tx| cases::apply(tx, op, reference, request, actor))
    }
    fn match_candidates(&self, op: OperationId, probe: &MatchProbe) -> Result<Vec<ExistingPerson>> {
        self.read(|c| cases::match_candidates(c, op, probe))
    }

    fn depart_batch(
        &self,
        op: OperationId,
        departure: &BatchDeparture,
        actor: &Actor,
    ) -> Result<Batch> {
        self.write(|tx| cases::depart_batch(tx, op, departure, actor))
    }
    fn close_batch(&self, op: OperationId, batch: BatchId, actor: &Actor) -> Result<Batch> {
        self.write(|tx| cases::close_batch(tx, op, batch, actor))
    }
    fn batch(&self, op: OperationId, batch: BatchId) -> Result<Batch> {
        self.read(|c| cases::load_batch(c, op, batch))
    }

    fn propose_rv(
        &self,
        op: OperationId,
        rv: &NewRv,
        side: Side,
        actor: &Actor,
    ) -> Result<RendezvousPoint> {
        self.write(|tx| places::propose_rv(tx, op, rv, side, actor))
    }
    fn change_rv(
        &self,
        op: OperationId,
        rv: RvId,
        change: RvChange,
        actor: &Actor,
    ) -> Result<RendezvousPoint> {
        self.write(|tx| places::change_rv(tx, op, rv, change, actor))
    }
    fn rvs(&self, op: OperationId) -> Result<Vec<RendezvousPoint>> {
        self.read(|c| places::rvs(c, op))
    }
    fn create_gate(&self, op: OperationId, gate: &NewGate, actor: &Actor) -> Result<Gate> {
        self.write(|tx| places::create_gate(tx, op, gate, actor))
    }
    fn set_gate_status(
        &self,
        op: OperationId,
        gate: GateId,
        status: GateStatus,
        actor: &Actor,
    ) -> Result<Gate> {
        self.write(|tx| places::set_gate_status(tx, op, gate, status, actor))
    }
    fn gates(&self, op: OperationId) -> Result<Vec<Gate>> {
        self.read(|c| places::gates(c, op))
    }
    fn create_window(
        &self,
        op: OperationId,
        rv: RvId,
        spec: WindowSpec,
        actor: &Actor,
    ) -> Result<Window> {
        self.write(|tx| places::create_window(tx, op, rv, spec, actor))
    }
    fn windows(&self, op: OperationId) -> Result<Vec<Window>> {
        self.read(|c| places::windows(c, op))
    }
    fn create_flight(&self, op: OperationId, flight: &NewFlight, actor: &Actor) -> Result<Flight> {
        self.write(|tx| places::create_flight(tx, op, flight, actor))
    }
    fn flights(&self, op: OperationId) -> Result<Vec<Flight>> {
        self.read(|c| places::flights(c, op))
    }
    fn manifest(&self, op: OperationId, flight: FlightId) -> Result<Manifest> {
        self.read(|c| places::manifest(c, op, flight))
    }
    fn report_hazard(&self, op: OperationId, hazard: &NewHazard, actor: &Actor) -> Result<Hazard> {
        self.write(|tx| places::report_hazard(tx, op, hazard, actor))
    }
    fn hazards(&self, op: OperationId) -> Result<Vec<Hazard>> {
        self.read(|c| places::hazards(c, op))
    }

    fn stage_counts(&self, op: OperationId, scope: CountScope) -> Result<StageCounts> {
        self.read(|c| {
            places::require_operation(c, op)?;
            places::stage_counts(c, op, scope)
        })
    }
    fn accountability(&self, op: OperationId) -> Result<AccountabilityReport> {
        self.read(|c| places::accountability(c, op))
    }
    fn batch_balances(&self, op: OperationId) -> Result<Vec<BatchBalance>> {
        self.read(|c| places::batch_balances(c, op))
    }
    fn case_events(&self, op: OperationId, reference: &CaseReference) -> Result<Vec<Event>> {
        self.read(|c| cases::case_events(c, op, reference))
    }
}
