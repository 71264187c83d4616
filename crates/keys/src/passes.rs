//! Passes as safeconduct issues them: the operation's keys unwrapped with the key encryption
//! key, pass content from the facts the store loads, status lists and field kits.
//!
//! Rules kept here and nowhere else:
//! - private keys and tier secrets leave the store only wrapped, and are unwrapped only in
//!   memory, for one call; no API answer carries an issuer key or a tier secret;
//! - a pass is valid from the UTC day of its issue until the first UTC midnight at least 12
//!   hours after its window closes (the clear tier tells no more than the day), the escort
//!   checks the precise window, and no pass is issued for a window that has already closed;
//! - a device receives the tier keys of its own role only (escort: checkpoint, gate: gate),
//!   and of its own places only: the keys of the RVs it works at (escort) or that its gates
//!   serve (gate), derived per RV from the operation's tier secrets.
//!
//! Knows nothing of HTTP. A field kit is a file a device reads: its serde and JSON Schema
//! derives describe that file, which the API also serves. Never logs a key.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use safeconduct_domain::field::STATUS_LIST_SIZE;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{CaseReference, GateId, OperationId, PlanId, Role, RvId, WindowId};
use safeconduct_pass::{
    Checkpoint, Clear, Content, Gate, IssuerKey, Kek, KeyId, PublicKey, StalePolicy, StatusList,
    Tier, TierKey, TierSecret, Verifier, holder_binding,
};
use safeconduct_store::{
    Acceptance, Actor, CaseOutcome, KeyRotation, KeyState, PassFacts, PassKeys, Rotation, Store,
    StoreError, StoredIssuerKey, StoredPass, StoredTierKey, WindowChange, WindowChanged,
};
use serde::{Deserialize, Serialize};

/// How long after its window closes a pass still opens the gate.
pub const GRACE_AFTER_WINDOW: i64 = 12 * 3600;

/// The key encryption key and everything done with it.
#[derive(Clone)]
pub struct PassKeyring {
    kek: Arc<Kek>,
}

impl std::fmt::Debug for PassKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassKeyring(secret withheld)")
    }
}

fn issuer_context(op: OperationId, kid: &[u8; 4]) -> Vec<u8> {
    format!(
        "safeconduct issuer key|operation {}|kid {}",
        op.0,
        KeyId(*kid)
    )
    .into_bytes()
}

fn tier_context(op: OperationId, tier: &str) -> Vec<u8> {
    format!("safeconduct tier key|operation {}|tier {tier}", op.0).into_bytes()
}

fn key_error(what: &str) -> StoreError {
    StoreError::Internal(format!(
        "{what} did not open: the key file is not the one this operation's keys were made with, \
         or the stored key was altered"
    ))
}

/// An operation's keys, unwrapped for one call.
pub struct Unlocked {
    pub issuers: Vec<(PublicKey, KeyState)>,
    active: Option<IssuerKey>,
    pub checkpoint: TierSecret,
    pub gate: TierSecret,
}

impl Unlocked {
    pub fn active(&self) -> Result<&IssuerKey, StoreError> {
        self.active
            .as_ref()
            .ok_or_else(|| StoreError::Conflict("the operation has no active pass key".into()))
    }

    pub fn tier(&self, tier: Tier) -> &TierSecret {
        match tier {
            Tier::Checkpoint => &self.checkpoint,
            Tier::Gate => &self.gate,
        }
    }

    pub fn public_keys(&self) -> Vec<PublicKey> {
        self.issuers.iter().map(|(k, _)| k.clone()).collect()
    }
}

impl PassKeyring {
    pub fn new(kek: Kek) -> Self {
        PassKeyring { kek: Arc::new(kek) }
    }

    /// The key encryption key, for the other keys it wraps (the audit key).
    pub fn kek(&self) -> &Kek {
        &self.kek
    }

    fn wrap_issuer(&self, op: OperationId, key: &IssuerKey, at: Timestamp) -> StoredIssuerKey {
        StoredIssuerKey {
            kid: key.kid().0,
            public_key: key.public().key.to_bytes(),
            wrapped_secret: self
                .kek
                .wrap(&key.secret()[..], &issuer_context(op, &key.kid().0)),
            state: KeyState::Active,
            created_at: at,
        }
    }

    /// The operation's keys, made on first use. Tier secrets missing beside an active signing
    /// key (the upgrade to pass format 2 deleted those that format 1 kits had carried) are
    /// made anew.
    pub fn keys(
        &self,
        store: &dyn Store,
        op: OperationId,
        at: Timestamp,
    ) -> Result<PassKeys, StoreError> {
        let keys = store.pass_keys(op)?;
        let has_tier = |t: Tier| keys.tiers.iter().any(|s| s.tier == t.as_str());
        if keys.active().is_some() && has_tier(Tier::Checkpoint) && has_tier(Tier::Gate) {
            return Ok(keys);
        }
        let issuer = self.wrap_issuer(op, &IssuerKey::generate(), at);
        let tiers: Vec<StoredTierKey> = [Tier::Checkpoint, Tier::Gate]
            .into_iter()
            .map(|t| StoredTierKey {
                tier: t.as_str().to_string(),
                wrapped_secret: self.kek.wrap(
                    &TierSecret::generate(t).secret()[..],
                    &tier_context(op, t.as_str()),
                ),
            })
            .collect();
        match store.init_pass_keys(op, &issuer, &tiers) {
            // Another server made them at the same moment: use theirs.
            Err(StoreError::Conflict(_)) => store.pass_keys(op),
            other => other,
        }
    }

    pub fn unlock(&self, op: OperationId, keys: &PassKeys) -> Result<Unlocked, StoreError> {
        let mut issuers = Vec::new();
        let mut active = None;
        for k in &keys.issuers {
            let public = ed25519_public(&k.public_key)?;
            if k.state == KeyState::Active {
                let secret = self
                    .kek
                    .unwrap32(&k.wrapped_secret, &issuer_context(op, &k.kid))
                    .map_err(|_| key_error("the operation's signing key"))?;
                let key = IssuerKey::from_secret(KeyId(k.kid), &secret);
                if key.public().key != public {
                    return Err(key_error("the operation's signing key"));
                }
                active = Some(key);
            }
            issuers.push((
                PublicKey {
                    kid: KeyId(k.kid),
                    key: public,
                },
                k.state,
            ));
        }
        let tier = |t: Tier| -> Result<TierSecret, StoreError> {
            let stored = keys
                .tiers
                .iter()
                .find(|s| s.tier == t.as_str())
                .ok_or_else(|| {
                    StoreError::Internal(format!("the {} tier key is missing", t.as_str()))
                })?;
            let secret = self
                .kek
                .unwrap32(&stored.wrapped_secret, &tier_context(op, t.as_str()))
                .map_err(|_| key_error("a tier key"))?;
            Ok(TierSecret::from_bytes(t, &secret))
        };
        Ok(Unlocked {
            issuers,
            active,
            checkpoint: tier(Tier::Checkpoint)?,
            gate: tier(Tier::Gate)?,
        })
    }

    /// Issues (or re-issues) a case's pass.
    pub fn issue(
        &self,
        store: &dyn Store,
        op: OperationId,
        reference: &CaseReference,
        actor: &Actor,
    ) -> Result<(CaseOutcome, StoredPass), StoreError> {
        let keys = self.keys(store, op, actor.at)?;
        let unlocked = self.unlock(op, &keys)?;
        store.issue_pass(op, reference, &mut |facts| sign(&unlocked, facts), actor)
    }

    /// Accepts a plan: its assignment steps and a pass for every household it moved, signed
    /// inside the store's one transaction (a failing signer rolls all of it back).
    pub fn accept_plan(
        &self,
        store: &dyn Store,
        op: OperationId,
        plan: PlanId,
        actor: &Actor,
    ) -> Result<Acceptance, StoreError> {
        let keys = self.keys(store, op, actor.at)?;
        let unlocked = self.unlock(op, &keys)?;
        store.accept_plan(op, plan, &mut |facts| sign(&unlocked, facts), actor)
    }

    /// Changes a window's places or moves it in time: a moved window's passes are issued again
    /// for its new times, signed inside the store's one transaction (a failing signer rolls
    /// all of it back). The keys are unlocked only for a change that gives times.
    pub fn change_window(
        &self,
        store: &dyn Store,
        op: OperationId,
        window: WindowId,
        change: &WindowChange,
        actor: &Actor,
    ) -> Result<WindowChanged, StoreError> {
        let moving = change.start.is_some() || change.end.is_some();
        let unlocked = if moving {
            Some(self.unlock(op, &self.keys(store, op, actor.at)?)?)
        } else {
            None
        };
        store.change_window(
            op,
            window,
            change,
            &mut |facts| match &unlocked {
                Some(unlocked) => sign(unlocked, facts),
                None => Err(StoreError::Internal(
                    "a change of places alone signs no pass".into(),
                )),
            },
            actor,
        )
    }

    /// Replaces the active key (`replacing`: the key the caller read as active; refused when
    /// another is active now). With `reissue`, every household whose valid pass the old key
    /// signed, and whose stage and window allow a pass, gets a new one in the same
    /// transaction: the rotation and the re-issue happen together or not at all. Returns the
    /// rotation (with the passes issued and the households not re-issued) and the new key's id.
    pub fn rotate(
        &self,
        store: &dyn Store,
        op: OperationId,
        compromised: bool,
        reissue: bool,
        replacing: Option<KeyId>,
        actor: &Actor,
    ) -> Result<(Rotation, KeyId), StoreError> {
        let keys = self.keys(store, op, actor.at)?;
        let next = IssuerKey::generate();
        // The signer of the re-issued passes: the operation's tier secrets, the new key.
        let mut unlocked = self.unlock(op, &keys)?;
        unlocked.active = Some(IssuerKey::from_secret(next.kid(), &next.secret()));
        let mut signer = |facts: &PassFacts| sign(&unlocked, facts);
        let stored = self.wrap_issuer(op, &next, actor.at);
        let rotation = store.rotate_pass_key(
            op,
            KeyRotation {
                next: &stored,
                compromised,
                replacing: replacing.map(|k| k.0),
                reissue: if reissue { Some(&mut signer) } else { None },
            },
            actor,
        )?;
        Ok((rotation, next.kid()))
    }

    /// The operation's status list, signed now by its active key.
    pub fn status_list(
        &self,
        store: &dyn Store,
        op: OperationId,
        now: Timestamp,
    ) -> Result<Vec<u8>, StoreError> {
        let unlocked = self.unlock(op, &self.keys(store, op, now)?)?;
        signed_status_list(store, op, &unlocked, now)
    }

    /// A field kit for a device of `role` at `places`: public keys, the tier keys of those
    /// places, the status list. Escort devices get checkpoint keys of RVs, gate devices gate
    /// keys of the RVs their gates serve; a coordinator provisions either. The caller decides
    /// which places are the device's (for field roles: those assigned to it now).
    pub fn field_kit(
        &self,
        store: &dyn Store,
        op: OperationId,
        role: Role,
        places: &KitPlaces,
        now: Timestamp,
    ) -> Result<FieldKit, StoreError> {
        let tier = places.tier();
        match (role, tier) {
            (Role::Escort, Tier::Checkpoint)
            | (Role::Gate, Tier::Gate)
            | (Role::Coordinator, _) => {}
            _ => {
                return Err(StoreError::Conflict(format!(
                    "a {} receives no {} tier key",
                    role.as_str(),
                    tier.as_str()
                )));
            }
        }
        let rvs = places.rvs(store, op)?;
        let unlocked = self.unlock(op, &self.keys(store, op, now)?)?;
        let status = signed_status_list(store, op, &unlocked, now)?;
        let secret = unlocked.tier(tier);
        Ok(FieldKit {
            format: FIELD_KIT_FORMAT.into(),
            operation: op.0,
            generated_at: now.0,
            keys: key_set(&unlocked),
            tier: tier.as_str().into(),
            // A key per place and per signing key whose passes still count: a compromised key's
            // passes are all refused, and its tier keys are the ones a thief may hold.
            places: rvs
                .iter()
                .flat_map(|rv| {
                    unlocked
                        .issuers
                        .iter()
                        .filter(|(_, state)| *state != KeyState::Compromised)
                        .map(move |(public, _)| PlaceKey {
                            rv: rv.0,
                            kid: public.kid.to_hex(),
                            key: B64.encode(&secret.key_for(rv.0 as u64, public.kid).bytes()[..]),
                        })
                })
                .collect(),
            status_list: B64.encode(status),
            policy: PolicyOut::from(StalePolicy::default()),
        })
    }

    /// The operation's public keys.
    pub fn key_set(
        &self,
        store: &dyn Store,
        op: OperationId,
        now: Timestamp,
    ) -> Result<Vec<KeyOut>, StoreError> {
        let keys = self.keys(store, op, now)?;
        keys.issuers
            .iter()
            .map(|k| {
                let public = PublicKey {
                    kid: KeyId(k.kid),
                    key: ed25519_public(&k.public_key)?,
                };
                Ok(key_out(&public, k.state))
            })
            .collect()
    }
}

fn ed25519_public(bytes: &[u8; 32]) -> Result<ed25519_dalek::VerifyingKey, StoreError> {
    ed25519_dalek::VerifyingKey::from_bytes(bytes)
        .map_err(|_| StoreError::Internal("a stored public key is not a curve point".into()))
}

fn key_out(key: &PublicKey, state: KeyState) -> KeyOut {
    KeyOut {
        kid: key.kid.to_hex(),
        state,
        cose_key: B64.encode(key.to_cose_key()),
    }
}

fn key_set(unlocked: &Unlocked) -> Vec<KeyOut> {
    unlocked
        .issuers
        .iter()
        .map(|(k, state)| key_out(k, *state))
        .collect()
}

fn signed_status_list(
    store: &dyn Store,
    op: OperationId,
    unlocked: &Unlocked,
    now: Timestamp,
) -> Result<Vec<u8>, StoreError> {
    let statuses = store.pass_statuses(op, now)?;
    let bad = |e: safeconduct_pass::Error| StoreError::Internal(e.to_string());
    // Every list covers the same size, which every pass index lies below: it tells nothing
    // of the operation's pass count.
    let mut list = StatusList::new(now.0.max(0) as u64, STATUS_LIST_SIZE).map_err(bad)?;
    for i in statuses.revoked {
        list.revoke(i as u64).map_err(bad)?;
    }
    for i in statuses.superseded {
        list.supersede(i as u64).map_err(bad)?;
    }
    list.compromised = statuses.compromised.into_iter().map(KeyId).collect();
    Ok(list.sign(unlocked.active()?))
}

/// The signer the store calls inside the issuing transaction.
fn sign(unlocked: &Unlocked, f: &PassFacts) -> Result<Vec<u8>, StoreError> {
    let key = unlocked.active()?;
    if key.kid().0 != f.kid {
        return Err(StoreError::Conflict(
            "the operation's signing key changed during the request; try again".into(),
        ));
    }
    if f.window_end <= f.issued_at {
        return Err(StoreError::Conflict(format!(
            "the household's window closed at {}; reassign it to an open window first",
            f.window_end.rfc3339()
        )));
    }
    let secs = |t: Timestamp| t.0.max(0) as u64;
    let index = f.pass_index as u64;
    // No binding without a birth year or for a number too short to resist guessing: the
    // escort is told the pass is bound to no document and checks identity another way.
    let holder = f
        .holder_document
        .as_ref()
        .and_then(|(number, year)| holder_binding(key.kid(), index, number, *year));
    let content = Content {
        clear: Clear::coarse(
            key.kid(),
            index,
            secs(f.issued_at),
            secs(f.window_end),
            GRACE_AFTER_WINDOW as u64,
        ),
        checkpoint: Checkpoint {
            rv: f.rv.0 as u64,
            window_start: secs(f.window_start),
            window_end: secs(f.window_end),
            people: f.people as u64,
            holder,
        },
        gate: Gate {
            reference: f.reference.as_str().replace('-', ""),
            people: f.people as u64,
            rv: f.rv.0 as u64,
            window_start: secs(f.window_start),
        },
    };
    safeconduct_pass::issue(key, &unlocked.checkpoint, &unlocked.gate, &content)
        .map_err(|e| StoreError::Conflict(format!("the pass cannot be issued: {e}")))
}

/// The places a field kit is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KitPlaces {
    /// An escort device: the checkpoint keys of these rendezvous points.
    Rvs(Vec<RvId>),
    /// A gate device: the gate keys of every rendezvous point these gates serve.
    Gates(Vec<GateId>),
}

impl KitPlaces {
    pub fn tier(&self) -> Tier {
        match self {
            KitPlaces::Rvs(_) => Tier::Checkpoint,
            KitPlaces::Gates(_) => Tier::Gate,
        }
    }

    /// The rendezvous points whose keys the kit carries, each once, in id order; refused
    /// when a place is not the operation's or when there are none.
    fn rvs(&self, store: &dyn Store, op: OperationId) -> Result<Vec<RvId>, StoreError> {
        let mut rvs = match self {
            KitPlaces::Rvs(ids) => {
                let known = store.rvs(op)?;
                for id in ids {
                    if !known.iter().any(|rv| rv.id == *id) {
                        return Err(StoreError::not_found(format!("rendezvous point {id}")));
                    }
                }
                ids.clone()
            }
            KitPlaces::Gates(ids) => {
                let known = store.gates(op)?;
                let mut rvs = Vec::new();
                for id in ids {
                    let gate = known
                        .iter()
                        .find(|g| g.id == *id)
                        .ok_or_else(|| StoreError::not_found(format!("gate {id}")))?;
                    rvs.extend_from_slice(&gate.rvs);
                }
                rvs
            }
        };
        rvs.sort();
        rvs.dedup();
        if rvs.is_empty() {
            return Err(StoreError::Conflict(match self {
                KitPlaces::Rvs(_) => "a field kit is for at least one rendezvous point".into(),
                KitPlaces::Gates(_) => {
                    "these gates serve no rendezvous point: a kit for them would open no pass"
                        .into()
                }
            }));
        }
        Ok(rvs)
    }
}

pub const FIELD_KIT_FORMAT: &str = "safeconduct-field-kit/2";

/// Everything a field device needs to verify passes offline. Carries the tier keys of the
/// device's places: keep the file on the device it was made for.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldKit {
    /// `safeconduct-field-kit/2`.
    pub format: String,
    pub operation: i64,
    /// Seconds since the Unix epoch.
    pub generated_at: i64,
    pub keys: Vec<KeyOut>,
    /// The tier the keys open: `checkpoint` (escort devices) or `gate` (gate devices).
    pub tier: String,
    /// One key per rendezvous point whose passes the device may read.
    pub places: Vec<PlaceKey>,
    /// The signed status list (COSE_Sign1), base64url without padding.
    pub status_list: String,
    pub policy: PolicyOut,
}

/// A published issuer key.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KeyOut {
    /// Key id, 8 hex digits, as in the pass header.
    pub kid: String,
    #[schemars(with = "String")]
    pub state: KeyState,
    /// The key as a COSE_Key (RFC 9052), base64url without padding.
    pub cose_key: String,
}

/// The key of one tier at one rendezvous point (docs/pass-format.md, section 6.1).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlaceKey {
    /// The rendezvous point whose passes the key opens.
    pub rv: i64,
    /// The signing key (8 hex digits, as in the pass header) whose passes the key opens: a
    /// kit holds one key per place and per signing key whose passes still count.
    pub kid: String,
    /// 32 bytes, base64url without padding.
    pub key: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PolicyOut {
    pub warn_after_seconds: u64,
    pub refuse_after_seconds: u64,
}

impl From<StalePolicy> for PolicyOut {
    fn from(p: StalePolicy) -> Self {
        PolicyOut {
            warn_after_seconds: p.warn_after,
            refuse_after_seconds: p.refuse_after,
        }
    }
}

impl FieldKit {
    /// The offline verifier this kit describes; the status list's signature is checked
    /// against the kit's keys.
    pub fn verifier(&self) -> Result<Verifier, String> {
        if self.format != FIELD_KIT_FORMAT {
            return Err(format!(
                "format {:?} is not {FIELD_KIT_FORMAT}: fetch a new field kit",
                self.format
            ));
        }
        let keys = self
            .keys
            .iter()
            .map(|k| {
                let bytes = B64
                    .decode(&k.cose_key)
                    .map_err(|_| format!("key {}: not base64url", k.kid))?;
                PublicKey::from_cose_key(&bytes).map_err(|e| format!("key {}: {e}", k.kid))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let tier = match self.tier.as_str() {
            "checkpoint" => Tier::Checkpoint,
            "gate" => Tier::Gate,
            other => return Err(format!("unknown tier {other:?}")),
        };
        let place_keys = self
            .places
            .iter()
            .map(|p| {
                let key: [u8; 32] = B64
                    .decode(&p.key)
                    .ok()
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(|| {
                        format!("the key of rendezvous point {} is not 32 bytes", p.rv)
                    })?;
                let rv = u64::try_from(p.rv)
                    .map_err(|_| format!("{} is not a rendezvous point id", p.rv))?;
                KeyId::from_hex(&p.kid)
                    .ok_or_else(|| format!("the signing key id {:?} is not 8 hex digits", p.kid))?;
                Ok(TierKey::from_bytes(tier, rv, &key))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let (checkpoint, gate) = match tier {
            Tier::Checkpoint => (place_keys, Vec::new()),
            Tier::Gate => (Vec::new(), place_keys),
        };
        let status_bytes = B64
            .decode(&self.status_list)
            .map_err(|_| "the status list is not base64url")?;
        let status = StatusList::verify(&status_bytes, &keys).map_err(|e| e.to_string())?;
        Ok(Verifier {
            keys,
            checkpoint,
            gate,
            status: Some(status),
            policy: StalePolicy {
                warn_after: self.policy.warn_after_seconds,
                refuse_after: self.policy.refuse_after_seconds,
            },
        })
    }
}

/// Base64url without padding, as used for binary values in JSON answers.
pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn from_b64(text: &str) -> Option<Vec<u8>> {
    B64.decode(text).ok()
}
