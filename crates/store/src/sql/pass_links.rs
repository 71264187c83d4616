//! Pass links: the link a household receives by message to open its own pass page without an
//! account. Its token (160 random bits) exists in clear only in the sealed message; the store
//! keeps its SHA-256 digest, the pass it opens and when it expires (with the pass). A link
//! opens its pass only while that pass is valid: revoking or superseding the pass closes it,
//! and a wrong, expired, closed or shredded link is the same `None`.
//!
//! Imports `outbox` (the message is queued in the issuing transaction), `rvs` and the vault;
//! no subject module imports it but `passes`.

use super::sealed::{self, HouseholdFields};
use super::step::{require_unshredded, stage};
use super::{Db, outbox, p, rvs};
use crate::casework::LinkedPass;
use crate::notices::pass_link_notice;
use crate::types::*;
use crate::vault::{Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::hotline::MessageKind;
use safeconduct_domain::values::{Language, Timestamp};
use safeconduct_domain::*;
use sha2::{Digest, Sha256};

/// Random bytes in a link's token (written as 40 hex digits).
pub const TOKEN_BYTES: usize = 20;

fn digest(token: &[u8]) -> Vec<u8> {
    Sha256::digest(token).to_vec()
}

/// The link's address: the page in the household's language, the token after `#` so that it
/// never reaches a server's request line or logs (the page sends it in a request body).
fn address(base: &str, language: Language, token: &[u8]) -> String {
    let hex: String = token.iter().map(|b| format!("{b:02x}")).collect();
    let tag = super::enc(&language);
    format!("{}/app/pass?lang={tag}#{hex}", base.trim_end_matches('/'))
}

/// Makes a link to the pass just issued (`signed`), expiring with it, and queues it to the
/// household's phone, in the issuing transaction; nothing when the household has no phone or
/// no public address is set. A household with a phone is untold from here until the link, and
/// any newer notice of a new window, are delivered ([`outbox::untold_until_delivered`]): its
/// earlier pass, if any, no longer admits it, and a link that could not be made, failed or is
/// stuck leaves it to the hotline to tell. Links to its earlier passes still waiting are given
/// up ([`outbox::supersede_pending_links`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn issue_link(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
    pass_index: i64,
    signed: &[u8],
    base: Option<&str>,
    actor: &Actor,
) -> Result<Option<i64>> {
    outbox::untold_until_delivered(db, op, reference, actor.at)?;
    outbox::supersede_pending_links(db, op, reference)?;
    let Some(base) = base else { return Ok(None) };
    let household = super::households::household_by_reference(db, vault, op, reference)?;
    let Some(to) = outbox::recipient(&household) else {
        return Ok(None);
    };
    let expires_at = pass_expiry(signed)?;
    let mut token = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut token).expect("the operating system's random source failed");
    let Some(text) = pass_link_notice(
        household.language,
        &address(base, household.language, &token),
    ) else {
        // A link is never cut: one too long for any message is not made. The servers'
        // public address is bounded so that this does not happen (`serve --public-url`).
        tracing::warn!(
            operation = op.0,
            "a pass link did not fit in a message: the public address is too long"
        );
        return Ok(None);
    };
    db.exec(
        "INSERT INTO pass_links (operation_id, household_id, pass_index, digest, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        p![op.0, household.id.0, pass_index, digest(&token), expires_at.0, actor.at.0],
    )?;
    outbox::queue(
        db,
        vault,
        op,
        household.id,
        &to,
        MessageKind::PassLink,
        &text,
        actor,
    )
    .map(Some)
}

/// The pass a link's `token` opens at `now`, or `None` for a token that names no link, a
/// link past its expiry, a pass no longer valid, a household past the gate's check-in or out
/// of the evacuation with none of its members held apart still on the way
/// ([`Stage::shows_pass`]), or an operation shredded.
pub(crate) fn pass_by_link(
    db: &mut dyn Db,
    vault: &Vault,
    token: &[u8],
    now: Timestamp,
) -> Result<Option<LinkedPass>> {
    if token.len() != TOKEN_BYTES {
        return Ok(None);
    }
    let showing: Vec<String> = Stage::ALL
        .into_iter()
        .filter(|s| s.shows_pass())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let showing = showing.join(", ");
    let Some(r) = db.row(
        &format!(
            "SELECT l.operation_id, s.signed, h.language, w.rv_id, w.start_at, w.end_at,
                    l.expires_at, h.stage, h.id, h.sealed, l.pass_index
             FROM pass_links l
             JOIN passes s ON s.operation_id = l.operation_id AND s.pass_index = l.pass_index
             JOIN households h ON h.id = l.household_id
             JOIN windows w ON w.id = h.window_id
             WHERE l.digest = $1 AND l.expires_at > $2 AND s.status = 'valid'
               AND s.household_id = l.household_id
               AND (h.stage IN ({showing})
                    OR EXISTS (SELECT 1 FROM held_people m
                               WHERE m.household_id = h.id AND m.stage IN ({showing})))"
        ),
        p![digest(token), now.0],
    )?
    else {
        return Ok(None);
    };
    let op = OperationId(r.i64(0)?);
    match require_unshredded(db, op) {
        Err(StoreError::Shredded(_)) => return Ok(None),
        other => other?,
    }
    let rv = rvs::rv_by_id(db, op, RvId(r.i64(3)?))?;
    // Where the household is, for the way to its point (the holder's own, sealed), while it
    // still walks there.
    let walks = stage(r.text(7)?)?.walks_to_rv();
    let key = vault.key(db, op)?;
    let fields: HouseholdFields = sealed::open(&key, Record::Household, r.i64(8)?, &r, 9)?;
    Ok(Some(LinkedPass {
        operation: op,
        pass_index: r.i64(10)?,
        household_location: fields.location.filter(|_| walks),
        signed: r.bytes(1)?,
        language: super::dec(r.text(2)?)?,
        rv,
        window_start: Timestamp(r.i64(4)?),
        window_end: Timestamp(r.i64(5)?),
        expires_at: Timestamp(r.i64(6)?),
    }))
}

/// When a pass's link stops opening it: the pass's own expiry, read from its clear tier.
fn pass_expiry(signed: &[u8]) -> Result<Timestamp> {
    safeconduct_pass::clear_of(signed)
        .map(|c| Timestamp(c.expires as i64))
        .ok_or_else(|| StoreError::Internal("a pass just signed does not read".into()))
}
