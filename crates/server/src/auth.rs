//! Authentication (bearer tokens stored only as SHA-256 digests; password hashes are checked
//! with `safeconduct_keys::password`) and authorisation (the roles an endpoint admits, checked
//! before any handler runs).

use crate::endpoints::Access;
use crate::read_audit::{PendingReadAudit, answered_only_if_audited, audit_record};
use crate::{ApiError, App};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{GateId, OperationId, Role, RvId, Stage, UserId};
use safeconduct_store::{self as store, Actor};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A new random bearer token (hex of 32 bytes) and the digest under which it is stored.
pub fn new_token() -> Result<(String, Vec<u8>), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| ApiError::internal())?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let digest = token_digest(&token);
    Ok((token, digest))
}

pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// How long a checked session is trusted without asking the store again. A signed-out or
/// expired token stops working on the server that signed it out at once, and on the other
/// servers within this time.
pub const SESSION_CACHE_SECONDS: u64 = 2;

/// Sign-in back-off, shared by every server through the store: the first
/// [`FREE_SIGN_IN_FAILURES`] failures in a row cost nothing; each further one refuses the
/// account name for 30 seconds, doubling up to 15 minutes. A run of failures is forgotten
/// [`FAILURE_MEMORY_SECONDS`] after its last failure, and by a successful sign-in. Unknown
/// names are treated exactly like known ones.
pub const FREE_SIGN_IN_FAILURES: u32 = 4;
pub const FAILURE_MEMORY_SECONDS: i64 = 3600;
const MAX_LOCK_SECONDS: i64 = 900;

/// How long an account name is refused after `failures` failures in a row.
pub fn sign_in_lock_seconds(failures: u32) -> i64 {
    match failures.checked_sub(FREE_SIGN_IN_FAILURES + 1) {
        None => 0,
        Some(extra) => (30i64 << extra.min(10)).min(MAX_LOCK_SECONDS),
    }
}

/// Recently checked sessions: token digest and operation → user and roles. Saves the store a
/// read on nearly every request.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<HashMap<SessionKey, CheckedSession>>,
}

/// A token digest and the operation it was checked for.
type SessionKey = (Vec<u8>, Option<OperationId>);
/// When it was checked, whose it is, and the roles it holds there.
type CheckedSession = (std::time::Instant, UserId, Vec<Role>);

impl SessionCache {
    const MAX_ENTRIES: usize = 50_000;

    fn get(&self, key: &SessionKey) -> Option<(UserId, Vec<Role>)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (at, user, roles) = entries.get(key)?;
        (at.elapsed().as_secs() < SESSION_CACHE_SECONDS).then(|| (*user, roles.clone()))
    }

    fn put(&self, key: SessionKey, user: UserId, roles: Vec<Role>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= Self::MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (std::time::Instant::now(), user, roles));
    }

    /// Forgets every entry of a token (on sign-out).
    pub fn forget(&self, digest: &[u8]) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(d, _), _| d != digest);
    }

    /// Forgets every entry of these users (their sessions were ended in the store, as a
    /// device's suspension ends its user's): on this server they stop working at once.
    pub fn forget_users(&self, users: &[UserId]) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (_, user, _)| !users.contains(user));
    }
}

/// The authenticated caller of a request, placed in the request's extensions by
/// [`authorise`].
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserId,
    pub token_digest: Vec<u8>,
    /// The role the caller acts in: the first of the endpoint's roles that the caller holds.
    pub role: Option<Role>,
    /// Device identifier sent in the `X-Device-Id` header (field scanners, gate laptops).
    pub device: Option<String>,
    /// For an escort or gate caller: the places assigned to them now. `None` for the other
    /// roles, which are not scoped to places.
    pub places: Option<Places>,
}

/// The rendezvous points and gates an escort or gate caller may act at (the store's record,
/// which scopes what the store loads for them too).
pub use safeconduct_store::Places;

/// A place a request names, checked against the places of an escort or gate caller.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    Rv(RvId),
    Gate(GateId),
}

impl Place {
    fn is_among(self, places: &Places) -> bool {
        match self {
            Place::Rv(rv) => places.rvs.contains(&rv),
            Place::Gate(gate) => places.gates.contains(&gate),
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Rv(rv) => write!(f, "rendezvous point {rv}"),
            Place::Gate(gate) => write!(f, "gate {gate}"),
        }
    }
}

impl From<RvId> for Place {
    fn from(rv: RvId) -> Self {
        Place::Rv(rv)
    }
}

impl From<GateId> for Place {
    fn from(gate: GateId) -> Self {
        Place::Gate(gate)
    }
}

fn out_of_scope(what: String) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        "out_of_scope",
        format!("you are not assigned to {what} now; a coordinator assigns places"),
    )
}

/// The answer to a caller about something outside their places that they named by its id in
/// the path: exactly the store's answer for an id that names nothing, so that the answer does
/// not tell whether it exists.
fn hidden(what: String) -> ApiError {
    store::StoreError::not_found(what).into()
}

impl Caller {
    /// Passes a caller not scoped to places, or one whose places hold the place asked
    /// about; otherwise answers `refusal` (403 for a place named in a body, 404 for one in the
    /// path).
    fn within(&self, place: Place, refusal: fn(String) -> ApiError) -> Result<(), ApiError> {
        match &self.places {
            Some(p) if !place.is_among(p) => Err(refusal(place.to_string())),
            _ => Ok(()),
        }
    }

    /// Refuses an escort or gate caller who says they act at a rendezvous point or gate (in a
    /// request body) not assigned to them. Checked before the store is asked, so the answer
    /// is the same whether the place exists or not.
    pub fn may_act_at(&self, place: impl Into<Place>) -> Result<(), ApiError> {
        self.within(place.into(), out_of_scope)
    }

    /// The rendezvous points an escort or gate caller is assigned to now; refused, as every
    /// place-scoped request is, when there are none.
    pub fn current_rvs(&self) -> Result<&[safeconduct_domain::RvId], ApiError> {
        match &self.places {
            Some(p) if !p.rvs.is_empty() => Ok(&p.rvs),
            _ => Err(out_of_scope("any rendezvous point".into())),
        }
    }

    /// The gates an escort or gate caller is assigned to now; refused, as every place-scoped
    /// request is, when there are none.
    pub fn current_gates(&self) -> Result<&[safeconduct_domain::GateId], ApiError> {
        match &self.places {
            Some(p) if !p.gates.is_empty() => Ok(&p.gates),
            _ => Err(out_of_scope("any gate".into())),
        }
    }

    /// A rendezvous point or gate named in the path: one outside an escort's or gate staff's
    /// places is not found for them, as one that does not exist.
    pub fn sees(&self, place: impl Into<Place>) -> Result<(), ApiError> {
        self.within(place.into(), hidden)
    }
}

impl Caller {
    pub fn actor(&self, at: Timestamp) -> Actor {
        Actor {
            user: Some(self.user),
            role: self.role,
            device: self.device.clone(),
            at,
            places: self.places.clone(),
        }
    }
}

/// The caller of an endpoint for some roles, with the operation named in the path and the
/// role they act in there. The authorisation layer puts it into the request once it has
/// checked the caller's roles in that operation, so a handler neither parses `{op}` from the
/// path nor can forget or mistake it. It reads as a [`Caller`] too.
#[derive(Debug, Clone)]
pub struct OperationCaller {
    pub operation: OperationId,
    /// The first of the endpoint's roles that the caller holds in the operation.
    pub role: Role,
    pub caller: Caller,
}

impl std::ops::Deref for OperationCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for OperationCaller {
    type Rejection = ApiError;

    /// Present on every endpoint for some roles (the table's test checks that each names
    /// `{op}`); elsewhere no role in an operation was checked, and the answer is 403.
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<OperationCaller>()
            .cloned()
            .ok_or_else(|| ApiError::forbidden(&[]))
    }
}

/// Whether the caller of a long-lived answer (the live stream) may still receive it, checked
/// as a request would be: the token still signed in and not expired (through the session
/// cache, so at once on the server that signed it out and within [`SESSION_CACHE_SECONDS`] on
/// the others), the role still held in the operation, and for escort and gate staff the same
/// places assigned as when the answer began. Anything the store cannot confirm is a no.
pub async fn still_entitled(app: &App, caller: &OperationCaller) -> bool {
    let now = crate::now();
    let op = caller.operation;
    let key = (caller.token_digest.clone(), Some(op));
    let roles = match app.sessions.get(&key) {
        Some((_, roles)) => roles,
        None => {
            let digest = caller.token_digest.clone();
            match app.run(move |s| s.session(&digest, now, Some(op))).await {
                Ok(Some((user, roles))) if user == caller.user => {
                    app.sessions.put(key, user, roles.clone());
                    roles
                }
                _ => return false,
            }
        }
    };
    if !roles.contains(&caller.role) {
        return false;
    }
    let Some(places) = &caller.places else {
        return true;
    };
    let user = caller.user;
    match app.run(move |s| s.assigned_places(user, op, now)).await {
        Ok((rvs, gates)) => rvs == places.rvs && gates == places.gates,
        Err(_) => false,
    }
}

fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(axum::http::header::AUTHORIZATION)?;
    let value = value.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())).then_some(token)
}

/// The reason a caller states for reading personal data, from the `X-Reason` header.
fn reason(req: &Request) -> Option<String> {
    let v = req.headers().get("x-reason")?.to_str().ok()?.trim();
    (!v.is_empty()).then(|| v.chars().take(200).collect())
}

/// The device a caller states in the `X-Device-Id` header, recorded with its events as the
/// caller's word. The names the server writes itself are refused here: an enrolled device's
/// (`device/N`, recorded from the records it signed) and the command line's (`cli`), so that
/// nobody can have their steps recorded, or a chain of custody read, as another party's
/// enrolled device or as the operator's machine. (The server's other names, such as
/// `custody sweep`, hold a space, which a stated name cannot.)
fn device(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(v) = req
        .headers()
        .get("x-device-id")
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Ok(stated) = safeconduct_domain::DeviceId::parse(v) else {
        return Ok(None);
    };
    let name = stated.as_str().to_ascii_lowercase();
    if name.starts_with("device/") || name == "cli" {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_header",
            "X-Device-Id: device/N and cli are the names the server records for enrolled \
             devices and the command line; state another name for this device",
        ));
    }
    Ok(Some(String::from(stated)))
}

/// Whether a call reads one case, for the per-user limit on case reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    No,
    /// Counted ([`crate::endpoints::LOOKUPS`]).
    Case,
    /// Free within a minute of a counted read of the same case
    /// ([`crate::endpoints::CASE_PARTS`]).
    PartOfCase,
}

/// How long after a counted read of a case its parts are read free.
const CASE_OPEN_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Takes one read of a case from the user's allowance. Counted per user, not per token:
/// signing in again does not start a new allowance. Twice: this server's bucket (bursts of
/// ten, refused without a write), then the count every server shares in the database, so that
/// N servers behind a load balancer do not give a user N allowances.
async fn take_case_read(app: &App, user: UserId, now: Timestamp) -> Result<(), ApiError> {
    let per_minute = app.limits.lookups_per_minute;
    let refused = |wait: u64| {
        ApiError::too_many(
            "rate_limited",
            format!("too many cases looked up by this user; try again in {wait} s"),
            wait,
        )
    };
    let rate = f64::from(per_minute);
    app.limiter
        .take(
            crate::limits::Kind::Lookup,
            &user.0.to_be_bytes(),
            rate / 60.0,
            rate.min(10.0),
        )
        .map_err(refused)?;
    if per_minute == 0 {
        return Ok(());
    }
    app.run(move |s| s.count_case_read(user, now, per_minute))
        .await?
        .map_err(refused)
}

/// Whether a step refused for a case at `stage` is counted against the user's reads of
/// cases, for a caller acting in `role`. It is for the roles that read cases one at a time,
/// each read counted (hotline, manifest, auditor): trying steps must not tell them more. It is
/// not for a coordinator, who lists cases by stage. Escort and gate staff see only the cases
/// at their own places, and are not held back while the household is in their hands (an
/// escort's from its assignment until it leaves in escort or misses its window; the gate's
/// from its departure until it is processed), so that recording twice what was done does not
/// cost them; past that, a refusal would tell them how the household fared after them, and it
/// is counted. Where no role was found for the call, it is counted.
fn refusal_is_a_counted_read(role: Option<Role>, stage: Stage) -> bool {
    use Stage as S;
    let Some(role) = role else {
        return true;
    };
    match role {
        Role::Coordinator => false,
        Role::Escort => !matches!(
            stage,
            S::Assigned | S::PassIssued | S::Reassigned | S::NoShow | S::AdmittedAtRv | S::InEscort
        ),
        Role::Gate => !matches!(
            stage,
            S::InEscort | S::Unaccounted | S::ArrivedAtGate | S::Processed
        ),
        Role::Hotline | Role::Manifest | Role::Auditor => true,
    }
}

/// Marks a refusal that told the caller where a case stands (a step refused for the case's
/// stage names the stage and the steps it allows): such an answer is a read of the case.
#[derive(Debug, Clone, Copy)]
pub struct StageTold(pub Stage);

/// The endpoint a call is for, as its audit entries name it.
#[derive(Debug, Clone, Copy)]
pub struct Named {
    /// Its stable name (`h::household`): the entry's action.
    pub action: &'static str,
    /// Its path with its parameters (`/api/operations/{op}/households/{reference}`): the entry
    /// names the record by it, with a case reference in its canonical form.
    pub path: &'static str,
}

/// Middleware for every endpoint that is not open: 401 without a live session, 403 when the
/// caller holds none of the endpoint's roles in the operation named in the path.
/// When `audited` names the endpoint, the call reads personal data: an entry (who, role,
/// endpoint, path without its query, `X-Reason`) is appended to the audit log before the
/// handler runs, and the call is refused if it cannot be.
pub async fn authorise(
    State(app): State<App>,
    access: Access,
    audited: Option<crate::endpoints::Audited>,
    lookup: Lookup,
    endpoint: Named,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(token) = bearer(&req) else {
        return Err(ApiError::unauthenticated());
    };
    let digest = token_digest(token);
    let now = crate::now();
    let params: HashMap<String, String> = {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let p = axum::extract::Path::<HashMap<String, String>>::from_request_parts(&mut parts, &())
            .await
            .map(|p| p.0)
            .unwrap_or_default();
        req = Request::from_parts(parts, body);
        p
    };
    let operation = match params.get("op") {
        Some(op) => Some(OperationId(op.parse().map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_path",
                "the operation id in the path must be a number",
            )
        })?)),
        None => None,
    };
    let key = (digest.clone(), operation);
    let (user, held) = match app.sessions.get(&key) {
        Some(hit) => hit,
        None => {
            let lookup = digest.clone();
            let found = app
                .run(move |s| s.session(&lookup, now, operation))
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
            app.sessions.put(key, found.0, found.1.clone());
            found
        }
    };
    let role = match (access, operation) {
        (Access::Roles(allowed), Some(_)) => {
            let role = allowed.iter().copied().find(|r| held.contains(r));
            if role.is_none() {
                return Err(ApiError::forbidden(allowed));
            }
            role
        }
        (Access::Roles(allowed), None) => return Err(ApiError::forbidden(allowed)),
        (Access::SignedIn | Access::Open, _) => None,
    };
    let device = device(&req)?;
    let limits = app.limits;
    let per_second = f64::from(limits.requests_per_second);
    app.limiter
        .take(
            crate::limits::Kind::Request,
            &digest,
            per_second,
            per_second * 4.0,
        )
        .map_err(|wait| {
            ApiError::too_many(
                "rate_limited",
                format!("too many requests with this token; try again in {wait} s"),
                wait,
            )
        })?;
    // The case a call names in its path, as this user's: a part of it read within a minute
    // of a counted read is free.
    let case_read = params
        .get("reference")
        .map(|r| [&user.0.to_be_bytes()[..], r.as_bytes()].concat());
    let free = lookup == Lookup::PartOfCase
        && case_read
            .as_ref()
            .is_some_and(|k| app.limiter.read_within(k, CASE_OPEN_FOR));
    if lookup != Lookup::No && !free {
        take_case_read(&app, user, now).await?;
        if let Some(key) = &case_read {
            app.limiter.note_read(key);
        }
    }
    let places = match (role, operation) {
        (Some(role), Some(op)) if role.works_at_places() => {
            let (rvs, gates) = app.run(move |s| s.assigned_places(user, op, now)).await?;
            Some(Places { rvs, gates })
        }
        _ => None,
    };
    let caller = Caller {
        user,
        token_digest: digest,
        role,
        device,
        places,
    };
    let mut awaited = None;
    if let Some(audited) = audited {
        let mut entry = store::AuditEntry::by(
            &caller.actor(now),
            operation,
            endpoint.action,
            Some(audit_record(endpoint.path, &params)),
        );
        entry.reason = reason(&req);
        if audited.reason_required && entry.reason.is_none() {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "reason_required",
                "a bulk export needs a stated reason: send it in the X-Reason header",
            ));
        }
        if audited.by_handler {
            let (pending, written) = PendingReadAudit::new(entry);
            req.extensions_mut().insert(pending);
            awaited = Some(written);
        } else {
            app.run(move |s| s.audit(&entry)).await?;
        }
    }
    if let (Some(operation), Some(role)) = (operation, role) {
        req.extensions_mut().insert(OperationCaller {
            operation,
            role,
            caller: caller.clone(),
        });
    }
    let actor = caller.actor(now);
    req.extensions_mut().insert(caller);
    let response = next.run(req).await;
    let response = match awaited {
        Some(written) => answered_only_if_audited(&written, response),
        None => response,
    };
    let Some(&StageTold(stage)) = response.extensions().get::<StageTold>() else {
        return Ok(response);
    };
    // A step refused for the case's stage told the caller where the case stands: audited as a
    // read of the case, and counted against the user's reads of cases where it is one, or not
    // told at all.
    if refusal_is_a_counted_read(role, stage) {
        take_case_read(&app, user, now).await?;
    }
    let record = format!(
        "{}: {}",
        endpoint.action,
        audit_record(endpoint.path, &params)
    );
    let entry = store::AuditEntry::by(&actor, operation, "step_refused", Some(record));
    app.run(move |s| s.audit(&entry)).await?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_step_is_free_only_while_the_household_is_in_the_callers_hands() {
        let counted = |role, stage| refusal_is_a_counted_read(Some(role), stage);
        // The escort, at its RV: a household admitted twice, or already on its way.
        assert!(!counted(Role::Escort, Stage::AdmittedAtRv));
        assert!(!counted(Role::Escort, Stage::InEscort));
        // Past the gate, how it fared is not the escort's to learn freely.
        assert!(counted(Role::Escort, Stage::ArrivedAtGate));
        assert!(counted(Role::Escort, Stage::Boarded));
        assert!(counted(Role::Escort, Stage::Withdrawn));
        // The gate, from departure until processed; not its boarding.
        assert!(!counted(Role::Gate, Stage::InEscort));
        assert!(!counted(Role::Gate, Stage::Processed));
        assert!(counted(Role::Gate, Stage::Manifested));
        assert!(counted(Role::Gate, Stage::PassIssued));
        // The roles that read one case at a time, always; a coordinator, never.
        for stage in Stage::ALL {
            assert!(counted(Role::Hotline, stage));
            assert!(counted(Role::Manifest, stage));
            assert!(!counted(Role::Coordinator, stage));
            assert!(refusal_is_a_counted_read(None, stage));
        }
    }
}
