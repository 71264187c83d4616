//! [`Store`] for every engine: each method is one read or one write transaction of the engine,
//! running the logic of one subject module (`households`, `lifecycle`, `batches`, `scans`,
//! `operations`, `accounts`, `rvs`, `gates`, `windows`, `flights`, `hazards`, `counts`,
//! `passes`, `audit`). No subject module imports this one.

use super::{
    Db, Engine, accounts, audit, batches, counts, custody, devices, flights, gates, hazards,
    households, incidents, lifecycle, operations, passes, plans, rvs, scans, shred, windows,
};
use crate::casework::{HazardChange, HazardReport};
use crate::planning::*;
use crate::types::*;
use crate::vault::Vault;
use crate::{ReferenceSource, Result, Store, StoreError};
use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::model::{GateStatus, RvChange, Side, WindowSpec};
use safeconduct_domain::values::{self, PhoneNumber, Timestamp};
use safeconduct_domain::*;
use tokio::sync::broadcast;

/// How many times a device's sync is decided before a concurrent change of a case it moves
/// is answered as a conflict (`Store::ingest_sync`).
const SYNC_ATTEMPTS: u32 = 3;

/// The store over an engine.
pub struct SqlStore<E: Engine> {
    pub(crate) engine: E,
    pub(crate) vault: Vault,
    chainer: audit::GroupCommit,
    /// Where pass links point (`Casework::set_pass_link_base`).
    pub(crate) link_base: std::sync::RwLock<Option<String>>,
}

impl<E: Engine> SqlStore<E> {
    /// Where pass links point, if set.
    fn link_base(&self) -> Option<String> {
        self.link_base
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn new(engine: E, vault: Vault) -> Self {
        SqlStore {
            engine,
            vault,
            chainer: audit::GroupCommit::new(),
            link_base: std::sync::RwLock::new(None),
        }
    }

    /// Brings the audit chain up to date, with `entry` appended if given; returns its
    /// sequence number.
    fn chain(&self, entry: Option<AuditEntry>) -> Result<Option<i64>> {
        self.chainer.join(entry, |reads| {
            self.engine.write(&mut |db| audit::chain(db, reads))
        })
    }

    /// Chains the entries of changes that committed without being chained (their server
    /// stopped in between, or the database went away). Run when a store is opened.
    pub(crate) fn chain_pending(&self) -> Result<()> {
        self.chain(None).map(|_| ())
    }
    /// Reads whose statements need no common snapshot: a lookup, a list, counts kept up to
    /// date in one row set. A case read this way may show a stage a moment old next to its
    /// members, who never change after registration.
    pub(super) fn read<T>(&self, mut f: impl FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.engine.read_latest(&mut f)
    }
    /// Reads that compare several statements' results, in one snapshot.
    fn snapshot<T>(&self, mut f: impl FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.engine.read(&mut f)
    }
    /// A write transaction; the audit entries it records are written with it and chained
    /// right after it commits.
    pub(super) fn write<T>(&self, mut f: impl FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        let (value, recorded) = self.engine.write(&mut |db| {
            let mut tx = audit::Audited::new(db);
            let value = f(&mut tx)?;
            Ok((value, tx.finish()?))
        })?;
        if recorded {
            // The change is committed and so are its entries: should the chaining fail (the
            // database just went away), the next chaining on any server takes them.
            let _ = self.chain(None);
        }
        Ok(value)
    }
}

impl<E: Engine> Store for SqlStore<E> {
    fn ping(&self) -> Result<()> {
        self.read(|db| db.one("SELECT 1", &[]).map(|_| ()))
    }
    fn subscribe(&self) -> broadcast::Receiver<Feed> {
        self.engine.subscribe()
    }
    fn refresh_statistics(&self) -> Result<()> {
        self.write(|db| db.exec("ANALYZE", &[]).map(|_| ()))
    }
    fn check_key(&self) -> Result<usize> {
        self.read(|db| {
            let ops = operations::operations(db)?;
            for op in ops.iter().filter(|op| op.shredded_at.is_none()) {
                self.vault.key(db, op.id)?;
            }
            Ok(ops.len())
        })
    }

    fn create_operation(&self, name: &str, at: Timestamp) -> Result<Operation> {
        self.write(|db| operations::create_operation(db, &self.vault, name, at))
    }
    fn operation(&self, id: OperationId) -> Result<Operation> {
        self.read(|db| operations::operation(db, id))
    }
    fn operations(&self) -> Result<Vec<Operation>> {
        self.read(|db| operations::operations(db))
    }
    fn close_operation(&self, op: OperationId, actor: &Actor) -> Result<Operation> {
        self.write(|db| operations::close_operation(db, op, actor))
    }
    fn shred_operation(&self, op: OperationId, actor: &Actor, forced: bool) -> Result<Operation> {
        self.write(|db| shred::shred_operation(db, &self.vault, op, actor, forced))
    }
    fn create_organisation(
        &self,
        op: OperationId,
        org: &NewOrganisation,
        actor: &Actor,
    ) -> Result<OrganisationId> {
        self.write(|db| accounts::create_organisation(db, op, org, actor))
    }
    fn create_user(&self, user: &NewUser, at: Timestamp) -> Result<UserId> {
        self.write(|db| accounts::create_user(db, user, at))
    }
    fn user_by_name(&self, username: &str) -> Result<Option<UserAccount>> {
        self.read(|db| accounts::user_by_name(db, username))
    }
    fn username(&self, user: UserId) -> Result<Option<String>> {
        self.read(|db| accounts::username(db, user))
    }
    fn grant_role(&self, user: UserId, op: OperationId, role: Role, actor: &Actor) -> Result<()> {
        self.write(|db| accounts::grant_role(db, user, op, role, actor))
    }
    fn revoke_roles(
        &self,
        user: UserId,
        op: OperationId,
        roles: &[Role],
        actor: &Actor,
    ) -> Result<Vec<Role>> {
        self.write(|db| accounts::revoke_roles(db, user, op, roles, actor))
    }
    fn set_totp(&self, user: UserId, wrapped: &[u8], actor: &Actor) -> Result<()> {
        self.write(|db| accounts::set_totp(db, user, wrapped, actor))
    }
    fn claim_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        self.write(|db| accounts::claim_totp_step(db, user, step))
    }
    fn roles(&self, user: UserId, op: OperationId) -> Result<Vec<Role>> {
        self.read(|db| accounts::roles(db, user, op))
    }
    fn operation_user(
        &self,
        op: OperationId,
        username: &str,
    ) -> Result<Option<(UserId, Vec<Role>)>> {
        self.read(|db| accounts::operation_user(db, op, username))
    }
    fn create_session(&self, token_hash: &[u8], user: UserId, expires_at: Timestamp) -> Result<()> {
        self.write(|db| accounts::create_session(db, token_hash, user, expires_at))
    }
    fn session(
        &self,
        token_hash: &[u8],
        now: Timestamp,
        op: Option<OperationId>,
    ) -> Result<Option<(UserId, Vec<Role>)>> {
        self.read(|db| accounts::session(db, token_hash, now, op))
    }
    fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        self.write(|db| accounts::delete_session(db, token_hash))
    }
    fn audit(&self, entry: &AuditEntry) -> Result<i64> {
        let entry = self.read(|db| audit::with_reason_sealed(db, &self.vault, entry))?;
        self.chain(Some(entry))?
            .ok_or_else(|| StoreError::Internal("an audit entry got no sequence number".into()))
    }
    fn verify_audit(&self) -> Result<AuditReport> {
        self.chain_pending()?;
        self.snapshot(|db| audit::verify(db))
    }
    fn audit_head(&self) -> Result<(i64, [u8; 32])> {
        self.read(|db| audit::head(db))
    }
    fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<(i64, AuditEntry)>> {
        self.read(|db| audit::entries_opened(db, &self.vault, after, limit))
    }
    fn operation_audit_entries(
        &self,
        op: OperationId,
        after: (Timestamp, i64),
        limit: i64,
    ) -> Result<Vec<(i64, AuditEntry)>> {
        self.read(|db| audit::operation_entries(db, op, after, limit))
    }
    fn add_audit_checkpoint(&self, checkpoint: &AuditCheckpoint) -> Result<()> {
        self.write(|db| audit::add_checkpoint(db, checkpoint))
    }
    fn audit_key(&self) -> Result<Option<AuditKey>> {
        self.read(|db| audit::audit_key(db))
    }
    fn init_audit_key(&self, key: &AuditKey) -> Result<AuditKey> {
        self.write(|db| audit::init_audit_key(db, key))
    }
    fn assign_places(
        &self,
        user: UserId,
        op: OperationId,
        places: &PlaceAssignment,
        actor: &Actor,
    ) -> Result<()> {
        self.write(|db| accounts::assign_places(db, user, op, places, actor))
    }
    fn field_users(&self, op: OperationId, now: Timestamp) -> Result<Vec<FieldUser>> {
        self.read(|db| accounts::field_users(db, op, now))
    }
    fn assigned_places(
        &self,
        user: UserId,
        op: OperationId,
        now: Timestamp,
    ) -> Result<(Vec<RvId>, Vec<GateId>)> {
        self.read(|db| accounts::assigned_places(db, user, op, now))
    }
    fn reserve_sign_in_attempt(
        &self,
        name_digest: &[u8],
        at: Timestamp,
        forget_before: Timestamp,
        lock_seconds: &dyn Fn(u32) -> i64,
    ) -> Result<std::result::Result<u32, i64>> {
        self.write(|db| {
            accounts::reserve_sign_in_attempt(db, name_digest, at, forget_before, lock_seconds)
        })
    }
    fn clear_sign_in_failures(&self, name_digest: &[u8]) -> Result<()> {
        self.write(|db| accounts::clear_sign_in_failures(db, name_digest))
    }

    fn register_households(
        &self,
        op: OperationId,
        households: &[NewHousehold],
        references: ReferenceSource<'_>,
        actor: &Actor,
    ) -> Result<Vec<Registered>> {
        self.write(|db| {
            households::register(db, &self.vault, op, households, &mut *references, actor)
        })
    }
    fn register_household_once(
        &self,
        op: OperationId,
        household: &NewHousehold,
        key: &RequestKey,
        references: ReferenceSource<'_>,
        actor: &Actor,
    ) -> Result<(Registered, bool)> {
        self.write(|db| {
            households::register_once(db, &self.vault, op, household, key, &mut *references, actor)
        })
    }
    fn household(&self, op: OperationId, reference: &CaseReference) -> Result<Household> {
        self.read(|db| households::household_by_reference(db, &self.vault, op, reference))
    }
    fn households_by_phone(&self, op: OperationId, phone: &PhoneNumber) -> Result<Vec<Household>> {
        self.read(|db| households::households_by_phone(db, &self.vault, op, phone))
    }
    fn attach_document(
        &self,
        op: OperationId,
        reference: &CaseReference,
        person: PersonId,
        document: &NewDocument,
        actor: &Actor,
    ) -> Result<DocumentId> {
        self.write(|db| {
            households::attach_document(db, &self.vault, op, reference, person, document, actor)
        })
    }
    fn apply(
        &self,
        op: OperationId,
        reference: &CaseReference,
        request: &CaseRequest,
        actor: &Actor,
    ) -> Result<CaseOutcome> {
        self.write(|db| lifecycle::apply(db, &self.vault, op, reference, request, actor))
    }
    fn issue_pass(
        &self,
        op: OperationId,
        reference: &CaseReference,
        signer: PassSigner<'_>,
        actor: &Actor,
    ) -> Result<(CaseOutcome, StoredPass)> {
        let base = self.link_base();
        self.write(|db| {
            passes::issue_pass(
                db,
                &self.vault,
                base.as_deref(),
                op,
                reference,
                &mut *signer,
                actor,
            )
        })
    }
    fn planning_state(&self, op: OperationId) -> Result<PlanningState> {
        self.snapshot(|db| plans::planning_state(db, &self.vault, op))
    }
    fn save_plan(&self, op: OperationId, plan: &NewPlan, actor: &Actor) -> Result<StoredPlan> {
        self.write(|db| plans::save_plan(db, op, plan, actor))
    }
    fn plan(&self, op: OperationId, plan: PlanId) -> Result<StoredPlan> {
        self.read(|db| plans::plan(db, op, plan))
    }
    fn accept_plan(
        &self,
        op: OperationId,
        plan: PlanId,
        signer: PassSigner<'_>,
        actor: &Actor,
    ) -> Result<Acceptance> {
        let base = self.link_base();
        self.write(|db| {
            plans::accept_plan(
                db,
                &self.vault,
                base.as_deref(),
                op,
                plan,
                &mut *signer,
                actor,
            )
        })
    }
    fn release_pin(&self, op: OperationId, reference: &CaseReference, actor: &Actor) -> Result<()> {
        self.write(|db| plans::release_pin(db, op, reference, actor))
    }
    fn revoke_pass(
        &self,
        op: OperationId,
        reference: &CaseReference,
        reason: &values::Text,
        actor: &Actor,
    ) -> Result<i64> {
        self.write(|db| passes::revoke_pass(db, &self.vault, op, reference, reason, actor))
    }
    fn latest_pass(
        &self,
        op: OperationId,
        reference: &CaseReference,
    ) -> Result<Option<StoredPass>> {
        self.read(|db| passes::latest_pass(db, op, reference))
    }
    fn pass_statuses(&self, op: OperationId, now: Timestamp) -> Result<PassStatuses> {
        self.snapshot(|db| passes::pass_statuses(db, op, now))
    }
    fn pass_keys(&self, op: OperationId) -> Result<PassKeys> {
        self.snapshot(|db| passes::pass_keys(db, op))
    }
    fn init_pass_keys(
        &self,
        op: OperationId,
        issuer: &StoredIssuerKey,
        tiers: &[StoredTierKey],
    ) -> Result<PassKeys> {
        self.write(|db| passes::init_pass_keys(db, op, issuer, tiers))
    }
    fn rotate_pass_key(
        &self,
        op: OperationId,
        mut rotation: KeyRotation<'_>,
        actor: &Actor,
    ) -> Result<Rotation> {
        let base = self.link_base();
        self.write(|db| {
            passes::rotate_pass_key(db, &self.vault, base.as_deref(), op, &mut rotation, actor)
        })
    }
    fn match_candidates(&self, op: OperationId, probe: &MatchProbe) -> Result<Vec<ExistingPerson>> {
        self.read(|db| households::match_candidates(db, &self.vault, op, probe))
    }

    fn create_device(&self, op: OperationId, device: &NewDevice, actor: &Actor) -> Result<Device> {
        self.write(|db| devices::create_device(db, op, device, actor))
    }
    fn register_device_key(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        code_hash: &[u8],
        public_key: &[u8],
        actor: &Actor,
    ) -> Result<Device> {
        self.write(|db| devices::register_key(db, op, device, code_hash, public_key, actor))
    }
    fn device(&self, op: OperationId, device: FieldDeviceId) -> Result<Device> {
        self.read(|db| devices::device(db, op, device))
    }
    fn devices(&self, op: OperationId) -> Result<Vec<Device>> {
        self.read(|db| devices::devices(db, op))
    }
    fn active_device(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        actor: &Actor,
    ) -> Result<Device> {
        self.read(|db| devices::active_device_of(db, op, device, actor))
    }
    fn suspend_device(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        actor: &Actor,
    ) -> Result<Device> {
        self.write(|db| devices::suspend_device(db, op, device, actor))
    }
    fn suspend_devices(
        &self,
        op: OperationId,
        devices: &[FieldDeviceId],
        actor: &Actor,
    ) -> Result<Vec<Device>> {
        self.write(|db| devices::suspend_devices(db, op, devices, actor))
    }
    fn retire_device(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        actor: &Actor,
    ) -> Result<Device> {
        self.write(|db| devices::retire_device(db, op, device, actor))
    }
    fn ingest_sync(
        &self,
        op: OperationId,
        sync: &DeviceSync,
        actor: &Actor,
    ) -> Result<SyncReceipt> {
        // A case one of its admissions was decided on, stepped by someone else before the sync
        // was written, refuses the whole sync: it is read and decided again here, a few times,
        // before the device is told to send it again.
        crate::error::again_while_changed(SYNC_ATTEMPTS, || {
            self.write(|db| scans::ingest(db, &self.vault, op, sync, actor))
        })
    }
    fn incidents(
        &self,
        op: OperationId,
        filter: &IncidentFilter,
        actor: &Actor,
    ) -> Result<Vec<Incident>> {
        self.read(|db| incidents::incidents(db, op, filter, actor))
    }
    fn resolve_incident(
        &self,
        op: OperationId,
        incident: IncidentId,
        note: &safeconduct_domain::values::Text,
        actor: &Actor,
    ) -> Result<Incident> {
        self.write(|db| incidents::resolve(db, &self.vault, op, incident, note, actor))
    }
    fn release_gate(
        &self,
        op: OperationId,
        gate: GateId,
        device: FieldDeviceId,
        window: WindowId,
        actor: &Actor,
    ) -> Result<GateRelease> {
        self.write(|db| devices::release_gate(db, op, gate, device, window, actor))
    }
    fn revoke_gate_release(
        &self,
        op: OperationId,
        release: i64,
        actor: &Actor,
    ) -> Result<GateRelease> {
        self.write(|db| devices::revoke_release(db, op, release, actor))
    }
    fn gate_releases(&self, op: OperationId, device: FieldDeviceId) -> Result<Vec<GateRelease>> {
        self.read(|db| devices::releases_of(db, op, device))
    }
    fn custody_chain(
        &self,
        op: OperationId,
        reference: &CaseReference,
    ) -> Result<Vec<CustodyLink>> {
        self.read(|db| custody::custody_chain(db, op, reference))
    }

    fn depart_batch(
        &self,
        op: OperationId,
        departure: &BatchDeparture,
        actor: &Actor,
    ) -> Result<Batch> {
        self.write(|db| batches::depart_batch(db, op, departure, actor))
    }
    fn close_batch(&self, op: OperationId, batch: BatchId, actor: &Actor) -> Result<Batch> {
        self.write(|db| batches::close_batch(db, op, batch, actor))
    }
    fn batch(&self, op: OperationId, batch: BatchId, actor: &Actor) -> Result<Batch> {
        self.read(|db| batches::batch_seen_by(db, op, batch, actor))
    }
    fn sweep_custody(&self, op: Option<OperationId>, actor: &Actor) -> Result<u32> {
        // Most sweeps find nothing: a read first, a write transaction only when needed.
        if !self.read(|db| custody::sweep_has_work(db, op, actor.at))? {
            return Ok(0);
        }
        // Another server sweeping the same households at once wins the version guard; the
        // sweep run again finds what is left (nothing, or households it did not take).
        let mut attempts = 0;
        loop {
            match self.write(|db| custody::sweep(db, op, actor)) {
                Err(StoreError::Conflict(_)) if attempts < 3 => attempts += 1,
                done => return done,
            }
        }
    }
    fn expected_batches(&self, op: OperationId, gate: GateId) -> Result<Vec<Batch>> {
        self.read(|db| {
            gates::require_gate(db, op, gate)?;
            custody::expected_batches(db, op, gate)
        })
    }
    fn open_alarms(&self, op: OperationId) -> Result<Vec<OpenAlarm>> {
        self.read(|db| custody::open_alarms(db, op))
    }

    fn propose_rv(
        &self,
        op: OperationId,
        rv: &NewRv,
        side: Side,
        actor: &Actor,
    ) -> Result<RendezvousPoint> {
        self.write(|db| rvs::propose_rv(db, op, rv, side, actor))
    }
    fn change_rv(
        &self,
        op: OperationId,
        rv: RvId,
        change: RvChange,
        actor: &Actor,
    ) -> Result<RendezvousPoint> {
        self.write(|db| rvs::change_rv(db, op, rv, change, actor))
    }
    fn rvs(&self, op: OperationId) -> Result<Vec<RendezvousPoint>> {
        self.read(|db| rvs::rvs(db, op))
    }
    fn set_rv_vehicle_access(
        &self,
        op: OperationId,
        rv: RvId,
        vehicle_access: bool,
        actor: &Actor,
    ) -> Result<RendezvousPoint> {
        self.write(|db| rvs::set_rv_vehicle_access(db, op, rv, vehicle_access, actor))
    }
    fn create_gate(&self, op: OperationId, gate: &NewGate, actor: &Actor) -> Result<Gate> {
        self.write(|db| gates::create_gate(db, op, gate, actor))
    }
    fn set_gate_status(
        &self,
        op: OperationId,
        gate: GateId,
        status: GateStatus,
        actor: &Actor,
    ) -> Result<Gate> {
        self.write(|db| gates::set_gate_status(db, op, gate, status, actor))
    }
    fn gates(&self, op: OperationId) -> Result<Vec<Gate>> {
        self.read(|db| gates::gates(db, op))
    }
    fn set_walking_time(
        &self,
        op: OperationId,
        gate: GateId,
        rv: RvId,
        walking: WalkingTime,
        actor: &Actor,
    ) -> Result<Gate> {
        self.write(|db| gates::set_walking_time(db, op, gate, rv, walking, actor))
    }
    fn create_window(
        &self,
        op: OperationId,
        rv: RvId,
        spec: WindowSpec,
        actor: &Actor,
    ) -> Result<Window> {
        self.write(|db| windows::create_window(db, op, rv, spec, actor))
    }
    fn windows(&self, op: OperationId) -> Result<Vec<Window>> {
        self.read(|db| windows::windows(db, op))
    }
    fn change_window(
        &self,
        op: OperationId,
        window: WindowId,
        change: &WindowChange,
        signer: PassSigner<'_>,
        actor: &Actor,
    ) -> Result<WindowChanged> {
        let base = self.link_base();
        self.write(|db| {
            windows::change_window(
                db,
                &self.vault,
                base.as_deref(),
                op,
                window,
                change,
                &mut *signer,
                actor,
            )
        })
    }
    fn create_flight(&self, op: OperationId, flight: &NewFlight, actor: &Actor) -> Result<Flight> {
        self.write(|db| flights::create_flight(db, op, flight, actor))
    }
    fn flights(&self, op: OperationId) -> Result<Vec<Flight>> {
        self.read(|db| flights::flights(db, op))
    }
    fn change_flight(
        &self,
        op: OperationId,
        flight: FlightId,
        change: &FlightChange,
        actor: &Actor,
    ) -> Result<Flight> {
        self.write(|db| flights::change_flight(db, op, flight, change, actor))
    }
    fn cancel_flight(&self, op: OperationId, flight: FlightId, actor: &Actor) -> Result<Flight> {
        self.write(|db| flights::cancel_flight(db, op, flight, actor))
    }
    fn manifest(&self, op: OperationId, flight: FlightId) -> Result<Manifest> {
        self.snapshot(|db| flights::manifest(db, &self.vault, op, flight))
    }
    fn report_hazard(
        &self,
        op: OperationId,
        hazard: &NewHazard,
        suspend_places: bool,
        actor: &Actor,
    ) -> Result<HazardReport> {
        self.write(|db| hazards::report_hazard(db, op, hazard, suspend_places, actor))
    }
    fn change_hazard(
        &self,
        op: OperationId,
        hazard: HazardId,
        change: &HazardChange,
        actor: &Actor,
    ) -> Result<HazardReport> {
        self.write(|db| hazards::change_hazard(db, op, hazard, change, actor))
    }
    fn hazards(&self, op: OperationId) -> Result<Vec<Hazard>> {
        self.read(|db| hazards::hazards(db, op))
    }

    fn stage_counts(&self, op: OperationId, scope: CountScope) -> Result<StageCounts> {
        self.read(|db| counts::stage_counts(db, op, scope))
    }
    fn operation_counts(&self, op: OperationId) -> Result<OperationCounts> {
        self.read(|db| counts::operation_counts(db, op))
    }
    fn accountability(&self, op: OperationId, now: Timestamp) -> Result<AccountabilityReport> {
        self.snapshot(|db| counts::accountability(db, op, now))
    }
    fn batch_balances(&self, op: OperationId) -> Result<Vec<BatchBalance>> {
        self.read(|db| counts::batch_balances(db, op))
    }
    fn case_events(&self, op: OperationId, reference: &CaseReference) -> Result<Vec<Event>> {
        self.read(|db| lifecycle::case_events(db, op, reference))
    }
}
