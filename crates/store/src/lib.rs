//! Persistence of safeconduct behind one trait, [`Store`]. SQLite (bundled, one file) is the
//! embedded default.
//!
//! Architecture invariant: nothing above this crate knows which engine holds the data; no SQL,
//! no engine types and no engine error codes cross the trait. This crate decides nothing
//! about the lifecycle: it loads the facts a decision needs, asks `safeconduct-domain`, and
//! writes the resulting event and current-state rows in one transaction. It knows nothing of
//! HTTP.

pub mod access;
mod casework;
mod copy;
mod copy_tables;
mod error;
mod field;
pub mod notices;
mod planning;
pub mod postgres;
mod scope;
pub mod sql;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
mod types;
mod vault;

pub use casework::*;
pub use copy::{CopyReport, copy};
pub use error::StoreError;
pub use planning::*;
pub use safeconduct_pass::Kek;
pub use sql::plans::fingerprint;
pub use types::*;

use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::model::{GateStatus, RvChange, Side, WindowSpec};
use safeconduct_domain::values::{self, PhoneNumber, Timestamp};
use safeconduct_domain::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Opens the store a database URL names: `sqlite:PATH` (the embedded default) or
/// `postgres://user@host:port/database`. Personal data is sealed under data keys that `kek`
/// wraps; the key must be the one the store's operations were created with.
pub fn open(url: &str, kek: Kek) -> Result<std::sync::Arc<dyn Store>> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            return Err(StoreError::Unavailable(
                "a sqlite: URL needs a file path".into(),
            ));
        }
        return Ok(std::sync::Arc::new(sqlite::SqliteStore::open(
            std::path::Path::new(path),
            kek,
        )?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(std::sync::Arc::new(postgres::PgStore::connect(url, kek)?));
    }
    Err(StoreError::Unavailable(format!(
        "unknown database URL {:?}: expected sqlite:PATH or postgres://…",
        redact(url)
    )))
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Draws a fresh case reference; called again when a drawn one is already taken.
pub type ReferenceSource<'a> = &'a mut dyn FnMut() -> CaseReference;

/// Everything safeconduct keeps. Every method that changes data runs in one transaction: it
/// either happens whole, with its event appended, or not at all.
pub trait Store: Casework + Send + Sync + 'static {
    /// Succeeds when the store can answer a query.
    fn ping(&self) -> Result<()>;
    /// Refreshes the database's statistics about its tables, which its query planner chooses
    /// indexes by. Run after a bulk load (an import, a copy): until the engine's own
    /// maintenance catches up, a table that grew from nothing looks empty to the planner.
    fn refresh_statistics(&self) -> Result<()>;
    /// Fails unless the key the store was opened with opens every operation's data key
    /// (shredded operations aside); returns how many operations there are. A server checks
    /// this before it serves: started with the wrong key file, it would answer every read of
    /// personal data with an error while looking healthy.
    fn check_key(&self) -> Result<usize>;
    /// Changes committed from now on, by this server or any other sharing the store, and word
    /// when some may have been missed. Carries no personal data: kinds of change, stages,
    /// places.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Feed>;

    // Operations, organisations, users and sessions.
    fn create_operation(&self, name: &str, at: Timestamp) -> Result<Operation>;
    fn operation(&self, id: OperationId) -> Result<Operation>;
    fn operations(&self) -> Result<Vec<Operation>>;
    /// Closes an operation to new households; closing it again changes nothing.
    fn close_operation(&self, op: OperationId, actor: &Actor) -> Result<Operation>;
    /// Destroys a closed operation's data key, and its pass signing and tier keys with it: its
    /// personal data and its passes become unreadable for good, while counts, events and the
    /// audit chain stay. Refused while anyone is in escort or unaccounted, unless `forced`
    /// (the caller has a coordinator's stated reason): the audit entry then records that the
    /// shred was forced and how many people were in escort and unaccounted.
    fn shred_operation(&self, op: OperationId, actor: &Actor, forced: bool) -> Result<Operation>;
    fn create_organisation(
        &self,
        op: OperationId,
        org: &NewOrganisation,
        actor: &Actor,
    ) -> Result<OrganisationId>;
    fn create_user(&self, user: &NewUser, at: Timestamp) -> Result<UserId>;
    fn user_by_name(&self, username: &str) -> Result<Option<UserAccount>>;
    /// The name of user `user`, for reports that name who did what (`audit reads`).
    fn username(&self, user: UserId) -> Result<Option<String>>;
    fn grant_role(&self, user: UserId, op: OperationId, role: Role, actor: &Actor) -> Result<()>;
    /// Takes `roles` away from `user` in `op` (every role held there when `roles` is empty),
    /// each audited (`role_revoked:…`), and ends the user's sessions when any was taken: for
    /// someone who left, or whose password may be in other hands. The roles taken.
    fn revoke_roles(
        &self,
        user: UserId,
        op: OperationId,
        roles: &[Role],
        actor: &Actor,
    ) -> Result<Vec<Role>>;
    /// Stores a user's wrapped TOTP secret, replacing any earlier one, and ends the user's
    /// sessions: nothing signed in with the old authenticator outlives it.
    fn set_totp(&self, user: UserId, wrapped: &[u8], actor: &Actor) -> Result<()>;
    /// Marks a TOTP time step as used by `user`; false when it, or a later one, was used
    /// already (on any server).
    fn claim_totp_step(&self, user: UserId, step: i64) -> Result<bool>;
    fn roles(&self, user: UserId, op: OperationId) -> Result<Vec<Role>>;
    /// The user named `username` and the roles they hold in `op`; `None` when they hold none
    /// there. A user of another operation and a name nobody has are alike, and found so by one
    /// statement, so that neither the answer nor its time tells a coordinator which names exist
    /// elsewhere.
    fn operation_user(
        &self,
        op: OperationId,
        username: &str,
    ) -> Result<Option<(UserId, Vec<Role>)>>;
    fn create_session(&self, token_hash: &[u8], user: UserId, expires_at: Timestamp) -> Result<()>;
    /// The user of a live session and the user's roles in `op`, in one read: what every
    /// authenticated request needs to know.
    fn session(
        &self,
        token_hash: &[u8],
        now: Timestamp,
        op: Option<OperationId>,
    ) -> Result<Option<(UserId, Vec<Role>)>>;
    fn delete_session(&self, token_hash: &[u8]) -> Result<()>;
    /// Replaces the places a user is assigned to in an operation. Every place must exist in
    /// the operation.
    fn assign_places(
        &self,
        user: UserId,
        op: OperationId,
        places: &PlaceAssignment,
        actor: &Actor,
    ) -> Result<()>;
    /// The operation's escort and gate users, by name, each with the places assigned to them
    /// at `now` (none, where nothing is assigned).
    fn field_users(&self, op: OperationId, now: Timestamp) -> Result<Vec<FieldUser>>;
    /// The places a user is assigned to in an operation at `now`.
    fn assigned_places(
        &self,
        user: UserId,
        op: OperationId,
        now: Timestamp,
    ) -> Result<(Vec<RvId>, Vec<GateId>)>;
    /// Reserves a sign-in attempt for an account name's digest, before its password is
    /// checked: it counts as a failure until a successful sign-in clears the run
    /// ([`Store::clear_sign_in_failures`]). Attempts sent at once, to any server, are counted
    /// one after the other, each judged by the failures before it. `lock_seconds(n)` is how
    /// long `n` failures in a row refuse the name; a run older than `forget_before` starts
    /// again. Returns the attempt's number in the run, or the seconds to wait.
    fn reserve_sign_in_attempt(
        &self,
        name_digest: &[u8],
        at: Timestamp,
        forget_before: Timestamp,
        lock_seconds: &dyn Fn(u32) -> i64,
    ) -> Result<std::result::Result<u32, i64>>;
    /// Forgets the failures of an account name after a successful sign-in.
    fn clear_sign_in_failures(&self, name_digest: &[u8]) -> Result<()>;

    // The audit log (one hash chain for the whole store).
    /// Appends an entry on its own, for reads of personal data and sign-ins; changes append
    /// theirs inside their own transaction. Entries of concurrent callers may share one
    /// transaction; each call returns once its entry is committed, with its sequence number.
    fn audit(&self, entry: &AuditEntry) -> Result<i64>;
    /// Recomputes the chain and compares it with the head and the checkpoints.
    fn verify_audit(&self) -> Result<AuditReport>;
    /// Entries so far and the hash of the last.
    fn audit_head(&self) -> Result<(i64, [u8; 32])>;
    /// Entries after `after`, at most `limit`, in chain order. A stated reason is stored sealed
    /// under its operation's data key: it is given opened while the operation lives, and as
    /// `None` once it was shredded.
    fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<(i64, AuditEntry)>>;
    /// The entries of operation `op` that come after `after` in time order (time, then
    /// sequence number: `(since, -1)` starts at `since`), at most `limit`, each stated reason
    /// left out (`None`) rather than opened: for reports that count entries
    /// ([`access::readers`]). Reads that operation's entries from that time on, never the
    /// whole chain.
    fn operation_audit_entries(
        &self,
        op: OperationId,
        after: (Timestamp, i64),
        limit: i64,
    ) -> Result<Vec<(i64, AuditEntry)>>;
    fn add_audit_checkpoint(&self, checkpoint: &AuditCheckpoint) -> Result<()>;
    fn audit_key(&self) -> Result<Option<AuditKey>>;
    /// Stores the key that signs checkpoints unless there is one; returns the stored one.
    fn init_audit_key(&self, key: &AuditKey) -> Result<AuditKey>;

    // Households.
    /// Registers households in one transaction: all of them or none.
    fn register_households(
        &self,
        op: OperationId,
        households: &[NewHousehold],
        references: ReferenceSource<'_>,
        actor: &Actor,
    ) -> Result<Vec<Registered>>;
    /// Registers one household once per request key of the actor's user: asked again with a
    /// key it has seen, it returns the household registered the first time and `true`
    /// (the first answer was lost on the way), whatever happened since. The same key with a
    /// different request, or in another operation, is a conflict.
    fn register_household_once(
        &self,
        op: OperationId,
        household: &NewHousehold,
        key: &RequestKey,
        references: ReferenceSource<'_>,
        actor: &Actor,
    ) -> Result<(Registered, bool)>;
    fn household(&self, op: OperationId, reference: &CaseReference) -> Result<Household>;
    /// Cases with a member or contact phone equal to `phone`.
    fn households_by_phone(&self, op: OperationId, phone: &PhoneNumber) -> Result<Vec<Household>>;
    fn attach_document(
        &self,
        op: OperationId,
        reference: &CaseReference,
        person: PersonId,
        document: &NewDocument,
        actor: &Actor,
    ) -> Result<DocumentId>;
    /// Applies one lifecycle step to one case.
    fn apply(
        &self,
        op: OperationId,
        reference: &CaseReference,
        request: &CaseRequest,
        actor: &Actor,
    ) -> Result<CaseOutcome>;
    /// Issues or re-issues a case's pass in one transaction: the lifecycle step, a fresh pass
    /// index, `signer`'s signature over the loaded facts, the earlier pass superseded.
    fn issue_pass(
        &self,
        op: OperationId,
        reference: &CaseReference,
        signer: PassSigner<'_>,
        actor: &Actor,
    ) -> Result<(CaseOutcome, StoredPass)>;
    /// The operation's planning state: movable households, places and the room in windows.
    fn planning_state(&self, op: OperationId) -> Result<PlanningState>;
    /// Keeps a computed plan as a preview, audited.
    fn save_plan(&self, op: OperationId, plan: &NewPlan, actor: &Actor) -> Result<StoredPlan>;
    fn plan(&self, op: OperationId, plan: PlanId) -> Result<StoredPlan>;
    /// Accepts a preview in one transaction: refused (`Conflict`) if accepted already or if
    /// the planning state changed since; every move through the assignment step, then a pass
    /// for each moved household signed by `signer`.
    fn accept_plan(
        &self,
        op: OperationId,
        plan: PlanId,
        signer: PassSigner<'_>,
        actor: &Actor,
    ) -> Result<Acceptance>;
    /// Releases the pin of a window assigned by hand: later plans may move the household.
    fn release_pin(&self, op: OperationId, reference: &CaseReference, actor: &Actor) -> Result<()>;
    /// Revokes a case's valid pass; returns its index.
    fn revoke_pass(
        &self,
        op: OperationId,
        reference: &CaseReference,
        reason: &values::Text,
        actor: &Actor,
    ) -> Result<i64>;
    /// The case's most recent pass, whatever its state.
    fn latest_pass(&self, op: OperationId, reference: &CaseReference)
    -> Result<Option<StoredPass>>;
    /// What the operation's revocation status list signed at `now` must say: the passes
    /// revoked or superseded that a reader could still take for good (not those of a
    /// compromised key, not those expired over two days before `now`).
    fn pass_statuses(&self, op: OperationId, now: Timestamp) -> Result<PassStatuses>;
    /// The operation's pass keys, wrapped.
    fn pass_keys(&self, op: OperationId) -> Result<PassKeys>;
    /// Stores an operation's first pass keys: the issuer key unless one is active, each tier
    /// secret unless the tier has one; returns the stored ones.
    fn init_pass_keys(
        &self,
        op: OperationId,
        issuer: &StoredIssuerKey,
        tiers: &[StoredTierKey],
    ) -> Result<PassKeys>;
    /// Replaces the active issuer key, and re-issues the passes it signed when asked, in one
    /// transaction; see [`KeyRotation`] and [`Rotation`].
    fn rotate_pass_key(
        &self,
        op: OperationId,
        rotation: KeyRotation<'_>,
        actor: &Actor,
    ) -> Result<Rotation>;
    /// People already registered who may be the same person as a candidate: same document
    /// number, or same name key and birth year.
    fn match_candidates(&self, op: OperationId, probe: &MatchProbe) -> Result<Vec<ExistingPerson>>;

    // Field devices and their records.
    /// Enrols a device for one of the operation's escort or gate users, at places assigned to
    /// them; the device registers its key later with the one-time code.
    fn create_device(&self, op: OperationId, device: &NewDevice, actor: &Actor) -> Result<Device>;
    /// Registers the public key of the actor's own device with its one-time code; a wrong,
    /// used or expired code, or another user's device, is not found.
    fn register_device_key(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        code_hash: &[u8],
        public_key: &[u8],
        actor: &Actor,
    ) -> Result<Device>;
    fn device(&self, op: OperationId, device: FieldDeviceId) -> Result<Device>;
    fn devices(&self, op: OperationId) -> Result<Vec<Device>>;
    /// The actor's own device, enrolled and not suspended (otherwise not found, or a conflict
    /// saying it is suspended).
    fn active_device(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        actor: &Actor,
    ) -> Result<Device>;
    fn suspend_device(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        actor: &Actor,
    ) -> Result<Device>;
    /// Suspends every device named, in one transaction: all of them or none (a device that
    /// is not the operation's refuses the whole). Devices not yet connected are suspended
    /// too: their codes stop working.
    fn suspend_devices(
        &self,
        op: OperationId,
        devices: &[FieldDeviceId],
        actor: &Actor,
    ) -> Result<Vec<Device>>;
    /// The actor's own device, wiped by its user: suspended as a coordinator would (not
    /// found for anyone else's device).
    fn retire_device(
        &self,
        op: OperationId,
        device: FieldDeviceId,
        actor: &Actor,
    ) -> Result<Device>;
    /// Stores a device's sync whole (or nothing of it), each record once by device and
    /// sequence number, and applies the records in each device's order through the
    /// lifecycle; conflicts become incidents.
    fn ingest_sync(&self, op: OperationId, sync: &DeviceSync, actor: &Actor)
    -> Result<SyncReceipt>;
    /// Incidents within the actor's places, open ones only unless `all`.
    fn incidents(
        &self,
        op: OperationId,
        filter: &IncidentFilter,
        actor: &Actor,
    ) -> Result<Vec<Incident>>;
    fn resolve_incident(
        &self,
        op: OperationId,
        incident: IncidentId,
        note: &safeconduct_domain::values::Text,
        actor: &Actor,
    ) -> Result<Incident>;
    /// Releases a gate's location to an escort device for one window of its RV (audited).
    fn release_gate(
        &self,
        op: OperationId,
        gate: GateId,
        device: FieldDeviceId,
        window: WindowId,
        actor: &Actor,
    ) -> Result<GateRelease>;
    fn revoke_gate_release(
        &self,
        op: OperationId,
        release: i64,
        actor: &Actor,
    ) -> Result<GateRelease>;
    /// Gate locations released to a device and not revoked.
    fn gate_releases(&self, op: OperationId, device: FieldDeviceId) -> Result<Vec<GateRelease>>;
    /// Who held a household on the way to the gate, and when.
    fn custody_chain(&self, op: OperationId, reference: &CaseReference)
    -> Result<Vec<CustodyLink>>;

    // Escort batches.
    fn depart_batch(
        &self,
        op: OperationId,
        departure: &BatchDeparture,
        actor: &Actor,
    ) -> Result<Batch>;
    /// Closes a batch at the gate: every household of it not arrived becomes unaccounted.
    fn close_batch(&self, op: OperationId, batch: BatchId, actor: &Actor) -> Result<Batch>;
    /// A batch as `actor` may see it: one whose end the actor does not work at (an escort its
    /// RV, gate staff its gate: [`Places::include`]) is not found, exactly as a batch that does
    /// not exist, and by the statement that reads the batch, so that it costs what a batch
    /// that does not exist costs.
    fn batch(&self, op: OperationId, batch: BatchId, actor: &Actor) -> Result<Batch>;
    /// The custody sweep: every household in escort in an open batch whose deadline is at or
    /// before `actor.at` becomes unaccounted, with one `custody_alarm` event per batch, and
    /// people admitted at their RV and not reported leaving an hour after their window closed
    /// raise a `not_departed` incident, in `op` or (`None`) in every operation. Idempotent,
    /// safe on any number of servers at once; the number of households marked.
    fn sweep_custody(&self, op: Option<OperationId>, actor: &Actor) -> Result<u32>;
    /// The open batches on their way to `gate`, oldest first.
    fn expected_batches(&self, op: OperationId, gate: GateId) -> Result<Vec<Batch>>;
    /// The open custody alarms: every household unaccounted and not resolved, grouped by its
    /// batch (by batch id, households by reference). Its cost follows the number of such
    /// households, not the size of the operation (unlike [`Store::accountability`]).
    fn open_alarms(&self, op: OperationId) -> Result<Vec<OpenAlarm>>;

    // Rendezvous points, gates, windows, flights, hazards.
    fn propose_rv(
        &self,
        op: OperationId,
        rv: &NewRv,
        side: Side,
        actor: &Actor,
    ) -> Result<RendezvousPoint>;
    fn change_rv(
        &self,
        op: OperationId,
        rv: RvId,
        change: RvChange,
        actor: &Actor,
    ) -> Result<RendezvousPoint>;
    fn rvs(&self, op: OperationId) -> Result<Vec<RendezvousPoint>>;
    /// Says whether vehicles can reach a rendezvous point (the planner sends households that
    /// must be driven only to those).
    fn set_rv_vehicle_access(
        &self,
        op: OperationId,
        rv: RvId,
        vehicle_access: bool,
        actor: &Actor,
    ) -> Result<RendezvousPoint>;
    fn create_gate(&self, op: OperationId, gate: &NewGate, actor: &Actor) -> Result<Gate>;
    fn set_gate_status(
        &self,
        op: OperationId,
        gate: GateId,
        status: GateStatus,
        actor: &Actor,
    ) -> Result<Gate>;
    fn gates(&self, op: OperationId) -> Result<Vec<Gate>>;
    /// A coordinator changes the walking time from `rv` to `gate`; departed batches keep
    /// their deadlines.
    fn set_walking_time(
        &self,
        op: OperationId,
        gate: GateId,
        rv: RvId,
        walking: WalkingTime,
        actor: &Actor,
    ) -> Result<Gate>;
    fn create_window(
        &self,
        op: OperationId,
        rv: RvId,
        spec: WindowSpec,
        actor: &Actor,
    ) -> Result<Window>;
    fn windows(&self, op: OperationId) -> Result<Vec<Window>>;
    /// Changes a window's places (never below the people assigned in it) or moves it in time
    /// (to end after `actor.at`), in one transaction: every household assigned in a moved
    /// window that holds a valid pass gets a new one for the new times, signed by `signer`
    /// (the old one superseded), and each household still to come is sent the new times.
    fn change_window(
        &self,
        op: OperationId,
        window: WindowId,
        change: &WindowChange,
        signer: PassSigner<'_>,
        actor: &Actor,
    ) -> Result<WindowChanged>;
    fn create_flight(&self, op: OperationId, flight: &NewFlight, actor: &Actor) -> Result<Flight>;
    /// Changes a flight's number, departure or capacity; the people on its manifest keep
    /// their seats, and the flight as changed is not one already scheduled.
    fn change_flight(
        &self,
        op: OperationId,
        flight: FlightId,
        change: &FlightChange,
        actor: &Actor,
    ) -> Result<Flight>;
    /// Cancels a flight nobody is manifested on (`flight_has_manifest` otherwise): it leaves
    /// every read, kept marked so that its id is never another flight's. Answers the flight
    /// as it was.
    fn cancel_flight(&self, op: OperationId, flight: FlightId, actor: &Actor) -> Result<Flight>;
    fn flights(&self, op: OperationId) -> Result<Vec<Flight>>;
    fn manifest(&self, op: OperationId, flight: FlightId) -> Result<Manifest>;
    /// Reports a hazard; with `suspend_places`, suspends the RVs and gates inside it in the
    /// same transaction (a hazard that closes streets only).
    fn report_hazard(
        &self,
        op: OperationId,
        hazard: &NewHazard,
        suspend_places: bool,
        actor: &Actor,
    ) -> Result<HazardReport>;
    /// Changes or expires a hazard (and may suspend the places inside it, as a report may).
    fn change_hazard(
        &self,
        op: OperationId,
        hazard: HazardId,
        change: &HazardChange,
        actor: &Actor,
    ) -> Result<HazardReport>;
    fn hazards(&self, op: OperationId) -> Result<Vec<Hazard>>;

    // Counts and accountability.
    /// Stage counts as maintained with every step; cheap at any size.
    fn stage_counts(&self, op: OperationId, scope: CountScope) -> Result<StageCounts>;
    /// Maintained counts of the operation and of each of its RVs and gates, in one read.
    fn operation_counts(&self, op: OperationId) -> Result<OperationCounts>;
    /// Recomputes the counts from the cases and compares, lists batch imbalances, and finds
    /// people still in escort past their batch's deadline at `now`.
    fn accountability(&self, op: OperationId, now: Timestamp) -> Result<AccountabilityReport>;
    fn batch_balances(&self, op: OperationId) -> Result<Vec<BatchBalance>>;
    /// Movement events of a case, oldest first.
    fn case_events(&self, op: OperationId, reference: &CaseReference) -> Result<Vec<Event>>;
}
