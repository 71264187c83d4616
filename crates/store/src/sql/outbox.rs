//! The message outbox: a message is written (recipient and text sealed) in the transaction
//! of the change that causes it; senders claim due messages, counting the attempt before
//! they send, and record what became of it.
//!
//! Imports `step` (events, a case's id), `households` (a case's phone and language) and the
//! vault; no subject module imports it but `calls` and `lifecycle`, which queue messages.

use super::step::{NewEvent, household_id, insert_event};
use super::{Db, Row, dec, enc, households, p};
use crate::casework::*;
use crate::notices::{WindowNotice, new_window_notice};
use crate::types::*;
use crate::vault::{Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::hotline::{
    MAX_SEND_ATTEMPTS, MessageKind, MessageStatus, MessageText, retry_delay_seconds,
};
use safeconduct_domain::values::{PhoneNumber, Timestamp};
use safeconduct_domain::*;
use serde::{Deserialize, Serialize};

/// A message's personal fields, sealed together.
#[derive(Serialize, Deserialize)]
struct Sealed {
    to: String,
    text: String,
}

/// Where messages to a household go: its contact phone, else the first member's phone.
pub(crate) fn recipient(h: &Household) -> Option<PhoneNumber> {
    h.contact_phone
        .clone()
        .or_else(|| h.members.iter().find_map(|m| m.phone.clone()))
}

/// A key no other message of any store has: a gateway keeps keys it has seen, and two
/// deployments (or a restored copy) could otherwise reuse a row id.
fn idempotency_key(op: OperationId, id: i64) -> String {
    let mut random = [0u8; 12];
    getrandom::fill(&mut random).expect("the operating system's random source failed");
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("sc-{}-{id}-{hex}", op.0)
}

/// Queues `text` to `to` about `household`, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn queue(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    household: HouseholdId,
    to: &PhoneNumber,
    kind: MessageKind,
    text: &MessageText,
    actor: &Actor,
) -> Result<i64> {
    let id = db.next_ids("outbox", 1)?[0];
    let key = vault.key(db, op)?;
    let sealed = key.seal(
        Record::Message,
        id,
        &Sealed {
            to: to.as_str().to_string(),
            text: text.as_str().to_string(),
        },
    );
    db.exec(
        "INSERT INTO outbox (id, operation_id, household_id, kind, sealed, idempotency_key,
                             status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8)",
        p![
            id,
            op.0,
            household.0,
            enc(&kind),
            sealed,
            idempotency_key(op, id),
            enc(&MessageStatus::Pending),
            actor.at.0
        ],
    )?;
    insert_event(
        db,
        NewEvent {
            household: Some(household),
            ..NewEvent::new(
                op,
                "message_queued",
                serde_json::json!({ "message": id, "kind": enc(&kind) }),
            )
        },
        actor,
    )?;
    Ok(id)
}

/// Queues the notice of `household`'s new window (after a reassignment, or its window moved in
/// time), if it has a phone, and marks it untold until the notice is delivered
/// ([`set_untold`]).
pub(crate) fn queue_new_window_notice(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
    window: WindowId,
    actor: &Actor,
) -> Result<Option<i64>> {
    let household = &households::household_by_reference(db, vault, op, reference)?;
    // Untold until the notice is delivered; with nobody to text, on the hotline's worklist at
    // once, to be told another way.
    set_untold(db, household.id, actor.at)?;
    let Some(to) = recipient(household) else {
        return Ok(None);
    };
    let w = db.one(
        "SELECT w.start_at, w.end_at, r.name, r.landmark
         FROM windows w JOIN rvs r ON r.id = w.rv_id
         WHERE w.id = $1 AND w.operation_id = $2",
        p![window.0, op.0],
    )?;
    let (rv_name, landmark) = (w.text(2)?, w.text(3)?);
    let Some(text) = new_window_notice(
        household.language,
        &WindowNotice {
            reference: household.reference.as_str(),
            rv_name: &rv_name,
            landmark: &landmark,
            starts_at: Timestamp(w.i64(0)?),
            ends_at: Timestamp(w.i64(1)?),
        },
    ) else {
        // Not reachable with a checked reference; the case stays on the hotline's list.
        tracing::warn!(
            operation = op.0,
            "a new window's notice did not fit in a message"
        );
        return Ok(None);
    };
    queue(
        db,
        vault,
        op,
        household.id,
        &to,
        MessageKind::NewWindow,
        &text,
        actor,
    )
    .map(Some)
}

/// Marks `household`, just given its first window, untold when no message can reach it (no
/// phone of its own or of a member): nobody else would tell it, so it is on the hotline's
/// worklist from its assignment until a call tells it ([`told_by_call`]). A household with a
/// phone hears of its window with its pass's link ([`untold_until_delivered`]).
pub(crate) fn untold_when_unreachable(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
    actor: &Actor,
) -> Result<()> {
    // Read by the phones' blind indexes, without opening the household: a plan's acceptance
    // assigns thousands in one transaction.
    db.exec(
        &format!(
            "UPDATE households SET untold_since = $3
             WHERE operation_id = $1 AND reference = $2 AND NOT ({REACHABLE})"
        ),
        p![op.0, reference.as_str(), actor.at.0],
    )?;
    Ok(())
}

/// Whether a message can reach the household of the row (`households`): it or one of its
/// members has a phone, read by the phones' blind indexes without opening the household
/// ([`recipient`] picks the number).
const REACHABLE: &str = "households.phone_index IS NOT NULL
    OR EXISTS (SELECT 1 FROM people m
               WHERE m.household_id = households.id AND m.phone_index IS NOT NULL)";

const MESSAGE_COLUMNS: &str =
    "id, kind, status, attempts, created_at, next_attempt_at, sent_at, last_error";

fn message_row(r: &Row) -> Result<Message> {
    Ok(Message {
        id: r.i64(0)?,
        kind: dec(r.text(1)?)?,
        status: dec(r.text(2)?)?,
        attempts: r.u32(3)?,
        created_at: Timestamp(r.i64(4)?),
        next_attempt_at: Timestamp(r.i64(5)?),
        sent_at: r.opt_i64(6)?.map(Timestamp),
        last_error: r.opt_text(7)?,
    })
}

pub(crate) fn messages(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Vec<Message>> {
    let household = household_id(db, op, reference)?;
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE household_id = $1 ORDER BY id");
    db.rows(&sql, p![household.0])?
        .iter()
        .map(message_row)
        .collect()
}

pub(crate) fn claim_due(
    db: &mut dyn Db,
    vault: &Vault,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<OutgoingMessage>> {
    let due = db.rows(
        "SELECT id, operation_id, kind, sealed, idempotency_key, attempts FROM outbox
         WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2",
        p![now.0, limit],
    )?;
    let mut claimed = Vec::with_capacity(due.len());
    for r in &due {
        let (id, op, attempts) = (r.i64(0)?, OperationId(r.i64(1)?), r.u32(5)? + 1);
        // Deferred as if this attempt failed: should the sender stop before recording, the
        // message comes due again after the back-off, and is sent with the same key.
        let taken = db.exec(
            "UPDATE outbox SET attempts = $1, next_attempt_at = $2
             WHERE id = $3 AND attempts = $4 AND status = 'pending'",
            p![
                attempts,
                now.0 + retry_delay_seconds(attempts),
                id,
                attempts - 1
            ],
        )?;
        if taken == 0 {
            continue; // another server took it meanwhile
        }
        let sealed = r
            .opt_bytes(3)?
            .ok_or_else(|| StoreError::Internal(format!("message {id} has no sealed text")))?;
        let fields: Sealed = match vault.key(db, op) {
            Ok(key) => key.open(Record::Message, id, &sealed)?,
            Err(StoreError::Shredded(_)) => {
                finish(
                    db,
                    id,
                    MessageStatus::Failed,
                    Some("operation shredded"),
                    now,
                )?;
                continue;
            }
            Err(e) => return Err(e),
        };
        claimed.push(OutgoingMessage {
            id,
            operation: op,
            kind: dec(r.text(2)?)?,
            to: PhoneNumber::parse(&fields.to)?,
            text: fields.text,
            idempotency_key: r.text(4)?,
            attempts,
        });
    }
    Ok(claimed)
}

fn finish(
    db: &mut dyn Db,
    id: i64,
    status: MessageStatus,
    error: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    let sent_at = (status == MessageStatus::Sent).then_some(at.0);
    db.exec(
        "UPDATE outbox SET status = $1, sent_at = $2, last_error = $3 WHERE id = $4",
        p![enc(&status), sent_at, error, id],
    )?;
    // A telling message delivered, written since the household became untold: it is told
    // once the newest message of each telling kind written since then is delivered too (a new
    // window's notice delivered does not tell it a pass whose link failed; an older message
    // delivered told it times, or a pass, since changed).
    if status == MessageStatus::Sent {
        // The household's row first, on its own: a change still being written (which holds
        // the row, and may queue a newer message) is waited for, and the messages read next
        // are those it committed (each statement reads what was committed before it began).
        db.exec(
            "UPDATE households SET untold_since = untold_since
             WHERE id = (SELECT household_id FROM outbox WHERE id = $1)",
            p![id],
        )?;
        db.exec(
            "UPDATE households SET untold_since = NULL
             WHERE id = (SELECT household_id FROM outbox WHERE id = $1)
               AND (SELECT m.created_at FROM outbox m WHERE m.id = $1) >= untold_since
               AND (SELECT kind FROM outbox WHERE id = $1) IN ($2, $3)
               AND NOT EXISTS (
                 SELECT 1 FROM outbox o
                  WHERE o.household_id = households.id AND o.kind IN ($2, $3)
                    AND o.created_at >= households.untold_since AND o.status <> 'sent'
                    AND o.id = (SELECT MAX(n.id) FROM outbox n
                                 WHERE n.household_id = o.household_id AND n.kind = o.kind))",
            p![id, enc(&TELLING[0]), enc(&TELLING[1])],
        )?;
    }
    Ok(())
}

/// The messages that tell a household where and when to be: the notice of a new window, and
/// the link to its pass (whose page shows its window and point). The newest of each kind
/// delivered tells it ([`finish`]); while one is on its way within [`NOTICE_GRACE_SECONDS`],
/// the hotline waits.
pub(crate) const TELLING: [MessageKind; 2] = [MessageKind::NewWindow, MessageKind::PassLink];

/// Marks the household `reference`, just issued a pass, untold from `since` if a message can
/// reach it, unless it is already (the earlier change is still untold, and calls since then
/// count): until the pass's link is delivered its earlier pass (if any) no longer admits it,
/// and its window may be unknown to it. One no message reaches was marked at its first
/// window ([`untold_when_unreachable`]) and is told by a call.
pub(crate) fn untold_until_delivered(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
    since: Timestamp,
) -> Result<()> {
    db.exec(
        &format!(
            "UPDATE households SET untold_since = COALESCE(untold_since, $3)
             WHERE operation_id = $1 AND reference = $2 AND ({REACHABLE})"
        ),
        p![op.0, reference.as_str(), since.0],
    )?;
    Ok(())
}

/// Whether `household` is still to be told of its new window (`households.untold_since`): from
/// `since`, the latest change of its window, until it is told: its newest notice and link
/// delivered ([`finish`]), or a call that told it that very window ([`told_by_call`]). While it
/// is set, the household is on the hotline's worklist unless a telling message is still being
/// tried ([`NOTICE_GRACE_SECONDS`], sql/calls.rs).
fn set_untold(db: &mut dyn Db, household: HouseholdId, since: Timestamp) -> Result<()> {
    db.exec(
        "UPDATE households SET untold_since = $1 WHERE id = $2",
        p![since.0, household.0],
    )?;
    Ok(())
}

/// Gives up the links still waiting to go to the household `reference`, which was just issued
/// a new pass: they open nothing any more (a link opens only a valid pass), so they are not
/// sent, and none of them, delivered, tells the household.
pub(crate) fn supersede_pending_links(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<()> {
    db.exec(
        "UPDATE outbox SET status = $3, last_error = 'superseded by a newer pass'
         WHERE kind = $4 AND status = $5
           AND household_id = (SELECT id FROM households WHERE operation_id = $1 AND reference = $2)",
        p![
            op.0,
            reference.as_str(),
            enc(&MessageStatus::Failed),
            enc(&MessageKind::PassLink),
            enc(&MessageStatus::Pending)
        ],
    )?;
    Ok(())
}

/// A call told `household` of `told` (`None`: of no window): the household is told, and its
/// mark cleared, only if that is its window now, at the same times. A window moved or changed
/// while the operator was on the phone leaves it untold. Answers whether it is still untold.
pub(crate) fn told_by_call(
    db: &mut dyn Db,
    household: HouseholdId,
    told: Option<ToldWindow>,
) -> Result<bool> {
    if let Some(w) = told {
        // The household's row first, on its own: a change of its window still being written
        // (which holds the row) is waited for, and the times compared next are the new ones
        // (each statement reads what was committed before it began).
        db.exec(
            "UPDATE households SET untold_since = untold_since WHERE id = $1",
            p![household.0],
        )?;
        db.exec(
            "UPDATE households SET untold_since = NULL
             WHERE id = $1 AND window_id = $2
               AND EXISTS (SELECT 1 FROM windows
                           WHERE id = $2 AND start_at = $3 AND end_at = $4)",
            p![household.0, w.id.0, w.start.0, w.end.0],
        )?;
    }
    let row = db.row(
        "SELECT untold_since FROM households WHERE id = $1",
        p![household.0],
    )?;
    Ok(match row {
        Some(r) => r.opt_i64(0)?.is_some(),
        None => false,
    })
}

pub(crate) fn record_delivery(
    db: &mut dyn Db,
    id: i64,
    delivery: &Delivery,
    at: Timestamp,
) -> Result<Message> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id = $1");
    let current = message_row(
        &db.row(&sql, p![id])?
            .ok_or_else(|| StoreError::not_found(format!("message {id}")))?,
    )?;
    // A message already sent stays sent: a late "retry" from a sender that lost its claim
    // must not put it back in the queue.
    if current.status == MessageStatus::Pending {
        match delivery {
            Delivery::Sent => finish(db, id, MessageStatus::Sent, None, at)?,
            Delivery::Retry { error } if current.attempts < MAX_SEND_ATTEMPTS => {
                db.exec(
                    "UPDATE outbox SET last_error = $1 WHERE id = $2",
                    p![error.as_str(), id],
                )?;
            }
            Delivery::Retry { error } | Delivery::Refused { error } => {
                finish(db, id, MessageStatus::Failed, Some(error), at)?
            }
        }
    }
    message_row(&db.one(&sql, p![id])?)
}
