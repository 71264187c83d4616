//! Pass keys and issued passes. The store holds keys only wrapped and passes only signed; it
//! signs nothing itself: the caller's signer turns the facts loaded here into a pass, inside
//! the transaction that records it.
//!
//! Imports `step`, and `pass_links` (an issued pass's link). An operation that was shredded has no pass keys, and none of its
//! passes, keys or statuses is given out.

use super::sealed::{self, DocumentFields, PersonFields};
use super::step::{
    NewEvent, commit_step, insert_event, load_case, lock_operation, require_operation,
    require_unshredded, retire_valid_pass,
};
use super::{Db, Row, dec, p, pass_links};
use crate::types::*;
use crate::vault::{Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::field::{CLOCK_SKEW_SECONDS, MAX_PASSES_ISSUED};
use safeconduct_domain::lifecycle::{Command, decide};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

fn kid(bytes: Vec<u8>) -> Result<[u8; 4]> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Internal("a stored key id is not 4 bytes".into()))
}

fn issuer_key(r: &Row) -> Result<StoredIssuerKey> {
    let state = r.text(3)?;
    Ok(StoredIssuerKey {
        kid: kid(r.bytes(0)?)?,
        public_key: r
            .bytes(1)?
            .try_into()
            .map_err(|_| StoreError::Internal("a stored public key is not 32 bytes".into()))?,
        wrapped_secret: r.bytes(2)?,
        state: KeyState::parse(&state)
            .ok_or_else(|| StoreError::Internal(format!("unknown key state {state:?}")))?,
        created_at: Timestamp(r.i64(4)?),
    })
}

pub(crate) fn pass_keys(db: &mut dyn Db, op: OperationId) -> Result<PassKeys> {
    require_unshredded(db, op)?;
    let issuers = db
        .rows(
            "SELECT kid, public_key, wrapped_secret, status, created_at FROM pass_keys
             WHERE operation_id = $1
             ORDER BY created_at, CASE status WHEN 'active' THEN 1 ELSE 0 END, kid",
            p![op.0],
        )?
        .iter()
        .map(issuer_key)
        .collect::<Result<_>>()?;
    let tiers = db
        .rows(
            "SELECT tier, wrapped_secret FROM tier_keys WHERE operation_id = $1 ORDER BY tier",
            p![op.0],
        )?
        .iter()
        .map(|r| {
            Ok(StoredTierKey {
                tier: r.text(0)?,
                wrapped_secret: r.bytes(1)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(PassKeys { issuers, tiers })
}

/// Destroys an operation's pass signing and tier keys (shredding): no pass of it can be
/// signed, verified offline or handed out in a field kit again.
pub(crate) fn destroy_keys(db: &mut dyn Db, op: OperationId) -> Result<()> {
    db.exec("DELETE FROM tier_keys WHERE operation_id = $1", p![op.0])?;
    db.exec("DELETE FROM pass_keys WHERE operation_id = $1", p![op.0])?;
    Ok(())
}

fn insert_issuer_key(db: &mut dyn Db, op: OperationId, key: &StoredIssuerKey) -> Result<()> {
    db.exec(
        "INSERT INTO pass_keys (operation_id, kid, public_key, wrapped_secret, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        p![
            op.0,
            &key.kid[..],
            &key.public_key[..],
            key.wrapped_secret.as_slice(),
            key.state.as_str(),
            key.created_at.0,
        ],
    )?;
    Ok(())
}

/// Stores the first keys of an operation: the issuer key unless one is active, and each tier
/// secret the operation lacks (format 2 renewed them all: migration 17); returns what is
/// stored.
pub(crate) fn init_pass_keys(
    db: &mut dyn Db,
    op: OperationId,
    issuer: &StoredIssuerKey,
    tiers: &[StoredTierKey],
) -> Result<PassKeys> {
    require_operation(db, op)?;
    let existing = pass_keys(db, op)?;
    if existing.active().is_none() {
        if issuer.state != KeyState::Active {
            return Err(StoreError::Internal(
                "the first issuer key must be active".into(),
            ));
        }
        insert_issuer_key(db, op, issuer)?;
    }
    for t in tiers {
        if !existing.tiers.iter().any(|e| e.tier == t.tier) {
            db.exec(
                "INSERT INTO tier_keys (operation_id, tier, wrapped_secret) VALUES ($1, $2, $3)",
                p![op.0, t.tier.as_str(), t.wrapped_secret.as_slice()],
            )?;
        }
    }
    pass_keys(db, op)
}

/// Makes `rotation.next` the active key. The previous one is retired, or, when compromised,
/// marked so and every valid pass it signed revoked; either way the households holding a valid
/// pass signed by it are returned, and, when asked, issued a pass anew under the new key in
/// this same transaction: those whose stage allows a pass (assigned, re-assigned, pass issued)
/// and whose window is not over. The others still to pass a checkpoint are named, with their
/// stage; those checked in and on need no pass.
pub(crate) fn rotate_pass_key(
    db: &mut dyn Db,
    vault: &Vault,
    link_base: Option<&str>,
    op: OperationId,
    rotation: &mut KeyRotation<'_>,
    actor: &Actor,
) -> Result<Rotation> {
    require_operation(db, op)?;
    require_unshredded(db, op)?;
    // The operation's row first, as issuing and moving windows take it: one rotation at a time.
    lock_operation(db, op)?;
    let next = rotation.next;
    let compromised = rotation.compromised;
    let previous = db
        .row(
            "SELECT kid FROM pass_keys WHERE operation_id = $1 AND status = 'active'",
            p![op.0],
        )?
        .map(|r| r.bytes(0).and_then(kid))
        .transpose()?;
    let Some(previous) = previous else {
        return Err(StoreError::Conflict(
            "the operation has no pass keys yet; they are made with its first pass".into(),
        ));
    };
    let hex = |k: &[u8; 4]| k.iter().map(|b| format!("{b:02x}")).collect::<String>();
    if let Some(replacing) = rotation.replacing
        && replacing != previous
    {
        return Err(StoreError::Conflict(format!(
            "key {} is no longer the active key ({} is): it was already replaced; read the keys again",
            hex(&replacing),
            hex(&previous)
        )));
    }
    let state = if compromised {
        KeyState::Compromised
    } else {
        KeyState::Retired
    };
    db.exec(
        "UPDATE pass_keys SET status = $1 WHERE operation_id = $2 AND kid = $3",
        p![state.as_str(), op.0, &previous[..]],
    )?;
    insert_issuer_key(
        db,
        op,
        &StoredIssuerKey {
            state: KeyState::Active,
            ..next.clone()
        },
    )?;
    let rows = db.rows(
        "SELECT h.reference, h.stage, w.end_at FROM passes s
         JOIN households h ON h.id = s.household_id
         LEFT JOIN windows w ON w.id = h.window_id
         WHERE s.operation_id = $1 AND s.kid = $2 AND s.status = 'valid'
         ORDER BY s.issued_at, h.id",
        p![op.0, &previous[..]],
    )?;
    let mut held = Vec::with_capacity(rows.len());
    for r in &rows {
        let reference =
            CaseReference::parse(&r.text(0)?).map_err(|e| StoreError::Internal(e.to_string()))?;
        let stage: Stage = dec(r.text(1)?)?;
        held.push((reference, stage, r.opt_i64(2)?));
    }
    if compromised {
        // The households' versions move with their passes: a step decided on the pass as it
        // was (an admission read from a sync) is refused, not written.
        db.exec(
            "UPDATE households SET version = version + 1 WHERE id IN (
                 SELECT household_id FROM passes
                 WHERE operation_id = $1 AND kid = $2 AND status = 'valid')",
            p![op.0, &previous[..]],
        )?;
        db.exec(
            "UPDATE passes SET status = 'revoked'
             WHERE operation_id = $1 AND kid = $2 AND status = 'valid'",
            p![op.0, &previous[..]],
        )?;
    }
    let mut reissued = Vec::new();
    let mut not_reissued = Vec::new();
    if let Some(signer) = rotation.reissue.as_mut() {
        for (reference, stage, window_end) in &held {
            let open = window_end.is_some_and(|end| end > actor.at.0);
            if stage.after(Step::IssuePass).is_some() && open {
                let (_, pass) =
                    issue_pass(db, vault, link_base, op, reference, &mut **signer, actor)?;
                reissued.push(pass);
            } else if stage.between_rv_and_check_in()
                || stage.still_to_come()
                || *stage == Stage::NoShow
            {
                // Checked in and on (processed, manifested, boarded): no pass is asked of it.
                not_reissued.push((reference.clone(), *stage));
            }
        }
    }
    insert_event(
        db,
        NewEvent::new(
            op,
            "pass_key_rotated",
            serde_json::json!({
                "previous": hex(&previous),
                "next": hex(&next.kid),
                "compromised": compromised,
                "affected_passes": held.len(),
                "reissued": reissued.len(),
                "not_reissued": not_reissued.len(),
            }),
        ),
        actor,
    )?;
    Ok(Rotation {
        previous: Some(previous),
        affected: held.into_iter().map(|(r, _, _)| r).collect(),
        reissued,
        not_reissued,
    })
}

/// Issues (or re-issues) a household's pass: decides the step, draws the next pass index,
/// has `signer` sign the facts, supersedes any earlier pass and records the new one.
pub(crate) fn issue_pass(
    db: &mut dyn Db,
    vault: &Vault,
    link_base: Option<&str>,
    op: OperationId,
    reference: &CaseReference,
    signer: PassSigner<'_>,
    actor: &Actor,
) -> Result<(CaseOutcome, StoredPass)> {
    let loaded = load_case(db, op, reference, actor)?;
    let next = decide(&loaded.state, &Command::IssuePass)?;
    let active = db
        .row(
            "SELECT kid FROM pass_keys WHERE operation_id = $1 AND status = 'active'",
            p![op.0],
        )?
        .ok_or_else(|| StoreError::Conflict("the operation has no active pass key".into()))?;
    let kid = kid(active.bytes(0)?)?;
    let window = loaded
        .state
        .window
        .ok_or_else(|| StoreError::Internal("an assigned case has no window".into()))?;
    // The count first: it holds the operation's row, which a window moved in time holds
    // before it changes the times read next (`windows::change_window`). The pass's index is
    // the count scattered under the operation's data key (`DataKey::pass_index`).
    let seq = db
        .one(
            "UPDATE operations SET next_pass_index = next_pass_index + 1 WHERE id = $1
             RETURNING next_pass_index - 1",
            p![op.0],
        )?
        .i64(0)?;
    let key = vault.key(db, op)?;
    let pass_index = u64::try_from(seq)
        .ok()
        .and_then(|seq| key.pass_index(seq))
        .ok_or_else(|| {
            StoreError::Conflict(format!(
                "the operation has issued the {MAX_PASSES_ISSUED} passes it may issue"
            ))
        })? as i64;
    let w = db.one(
        "SELECT rv_id, start_at, end_at FROM windows WHERE id = $1",
        p![window.0],
    )?;
    let holder = db
        .row(
            "SELECT p.id, p.sealed, d.id, d.sealed FROM people p JOIN documents d ON d.person_id = p.id
             WHERE p.household_id = $1 ORDER BY p.id, d.id LIMIT 1",
            p![loaded.id.0],
        )?
        .map(|r| {
            let person: PersonFields = sealed::open(&key, Record::Person, r.i64(0)?, &r, 1)?;
            let document: DocumentFields =
                sealed::open(&key, Record::Document, r.i64(2)?, &r, 3)?;
            Ok::<_, StoreError>((document.number, person.birth_year()?))
        })
        .transpose()?;
    let language = dec(db
        .one(
            "SELECT language FROM households WHERE id = $1",
            p![loaded.id.0],
        )?
        .text(0)?)?;
    let facts = PassFacts {
        reference: reference.clone(),
        pass_index,
        kid,
        issued_at: actor.at,
        rv: RvId(w.i64(0)?),
        window_start: Timestamp(w.i64(1)?),
        window_end: Timestamp(w.i64(2)?),
        people: loaded.state.size,
        holder_document: holder,
        language,
    };
    let signed = signer(&facts)?;
    // Its expiry as the pass says it (none when the signer made no pass of the format).
    let expires_at = safeconduct_pass::clear_of(&signed).map(|c| c.expires as i64);
    let superseded = retire_valid_pass(db, loaded.id, PassState::Superseded)?;
    db.exec(
        "INSERT INTO passes (operation_id, pass_index, household_id, kid, signed, issued_at,
                             status, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'valid', $7)",
        p![
            op.0,
            pass_index,
            loaded.id.0,
            &kid[..],
            signed.as_slice(),
            actor.at.0,
            expires_at
        ],
    )?;
    db.exec(
        "UPDATE households SET pass_index = $1 WHERE id = $2",
        p![pass_index, loaded.id.0],
    )?;
    // The household's link to its pass page, sent to its phone from this transaction.
    pass_links::issue_link(
        db, vault, op, reference, pass_index, &signed, link_base, actor,
    )?;
    let event = commit_step(
        db,
        op,
        &loaded,
        &next,
        Command::IssuePass.step().as_str(),
        serde_json::json!({ "pass_index": pass_index, "superseded": superseded > 0 }),
        actor,
    )?;
    Ok((
        CaseOutcome {
            reference: reference.clone(),
            from: loaded.state.stage,
            to: next.stage,
            people: loaded.state.size,
            event,
            pass_index: Some(pass_index),
        },
        StoredPass {
            reference: reference.clone(),
            pass_index,
            kid,
            signed,
            issued_at: actor.at,
            state: PassState::Valid,
            language,
        },
    ))
}

/// Revokes a household's valid pass; the case stays where it is, ready for a re-issue.
pub(crate) fn revoke_pass(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
    reason: &safeconduct_domain::values::Text,
    actor: &Actor,
) -> Result<i64> {
    let loaded = load_case(db, op, reference, actor)?;
    let index = db
        .row(
            "UPDATE passes SET status = 'revoked' WHERE household_id = $1 AND status = 'valid'
             RETURNING pass_index",
            p![loaded.id.0],
        )?
        .ok_or_else(|| StoreError::not_found(format!("a valid pass of case {reference}")))?
        .i64(0)?;
    // The case's version moves with its pass: a step decided on the valid pass (an admission
    // read from a sync meanwhile) is refused, not written.
    db.exec(
        "UPDATE households SET version = version + 1 WHERE id = $1",
        p![loaded.id.0],
    )?;
    let reason = super::reasons::seal(db, vault, op, actor.at, reason.as_str())?;
    insert_event(
        db,
        NewEvent {
            household: Some(loaded.id),
            rv: loaded.state.rv,
            ..NewEvent::new(
                op,
                "pass_revoked",
                serde_json::json!({ "pass_index": index, "reason": reason }),
            )
        },
        actor,
    )?;
    Ok(index)
}

/// The household's latest pass, whatever its state.
pub(crate) fn latest_pass(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Option<StoredPass>> {
    require_unshredded(db, op)?;
    db.row(
        "SELECT s.pass_index, s.kid, s.signed, s.issued_at, s.status, h.language
         FROM households h
         JOIN passes s ON s.operation_id = h.operation_id AND s.pass_index = h.pass_index
         WHERE h.operation_id = $1 AND h.reference = $2",
        p![op.0, reference.as_str()],
    )?
    .map(|r| {
        let state = r.text(4)?;
        Ok(StoredPass {
            reference: reference.clone(),
            pass_index: r.i64(0)?,
            kid: kid(r.bytes(1)?)?,
            signed: r.bytes(2)?,
            issued_at: Timestamp(r.i64(3)?),
            state: PassState::parse(&state)
                .ok_or_else(|| StoreError::Internal(format!("unknown pass state {state:?}")))?,
            language: dec(r.text(5)?)?,
        })
    })
    .transpose()
}

/// How long after its expiry a revoked pass stays on the status list: twice the clock error a
/// device may have (a day, `field::CLOCK_SKEW_SECONDS`; the scanner refuses to check on a clock
/// more than five minutes behind its kit's fetch, a kit is refused to a clock a day off), so
/// that a reader whose clock is behind still finds every revoked pass it could take for good.
const EXPIRED_LEFT_OFF_AFTER_SECONDS: i64 = 2 * CLOCK_SKEW_SECONDS;

/// What the status list signed at `now` must say. It marks only the passes a reader could
/// still take for good: not those of a compromised key (refused by their key id) nor those
/// that expired more than [`EXPIRED_LEFT_OFF_AFTER_SECONDS`] before `now` (refused by their
/// own expiry on any reader whose clock is within that of the list's). So its marks count the
/// passes revoked of late, never the passes ever issued.
pub(crate) fn pass_statuses(
    db: &mut dyn Db,
    op: OperationId,
    now: Timestamp,
) -> Result<PassStatuses> {
    require_unshredded(db, op)?;
    let mut out = PassStatuses::default();
    for r in db.rows(
        "SELECT s.pass_index, s.status FROM passes s
         WHERE s.operation_id = $1 AND s.status <> 'valid'
           AND (s.expires_at IS NULL OR s.expires_at > $2)
           AND NOT EXISTS (SELECT 1 FROM pass_keys k
                            WHERE k.operation_id = s.operation_id AND k.kid = s.kid
                              AND k.status = 'compromised')
         ORDER BY s.pass_index",
        p![op.0, now.0 - EXPIRED_LEFT_OFF_AFTER_SECONDS],
    )? {
        match r.text(1)?.as_str() {
            "superseded" => out.superseded.push(r.i64(0)?),
            _ => out.revoked.push(r.i64(0)?),
        }
    }
    out.compromised = db
        .rows(
            "SELECT kid FROM pass_keys WHERE operation_id = $1 AND status = 'compromised'
             ORDER BY kid",
            p![op.0],
        )?
        .into_iter()
        .map(|r| kid(r.bytes(0)?))
        .collect::<Result<_>>()?;
    Ok(out)
}
