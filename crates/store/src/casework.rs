//! The hotline's side of the store, a subject trait of [`crate::Store`]: calls logged on a
//! case (notes sealed), the worklist of households whose RV was suspended, and the message
//! outbox (messages written in the transaction of the change that causes them, claimed for
//! sending, their delivery recorded); with the records these methods take and return.
//!
//! Must not import: any engine, HTTP, or a message transport. Implemented once, over every
//! engine, in `sql/casework.rs`.

use crate::Result;
use crate::types::Actor;
use safeconduct_domain::hotline::{CallOutcome, MessageKind, MessageStatus, MessageText};
use safeconduct_domain::household::Notes;
use safeconduct_domain::model::{PriorityFlag, Severity};
use safeconduct_domain::places::Hazard;
use safeconduct_domain::values::{PhoneNumber, Timestamp};
use safeconduct_domain::*;

/// A hazard as reported or changed, with the places the change suspended.
#[derive(Debug, Clone)]
pub struct HazardReport {
    pub hazard: Hazard,
    pub suspended_rvs: Vec<RvId>,
    pub suspended_gates: Vec<GateId>,
}

/// A change to a hazard; `None` keeps what it was.
#[derive(Debug, Clone, Default)]
pub struct HazardChange {
    pub severity: Option<Severity>,
    pub radius_m: Option<u32>,
    /// `Some(None)`: until removed; `Some(Some(t))`: ends at `t` (at or before now expires it).
    pub valid_until: Option<Option<Timestamp>>,
    /// Suspend the RVs and gates inside it (a hazard that closes streets only).
    pub suspend_places: bool,
}

/// A call as the operator logs it, and the message it sends, if any.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub outcome: CallOutcome,
    pub notes: Option<Notes>,
    /// The route instructions sent to the household, queued with the call.
    pub route_message: Option<MessageText>,
    /// The window the operator told the household of, as the case showed it. A call that told
    /// the household its way ([`CallOutcome::told`]) clears its mark of not being told of its
    /// latest window only when this is that window, at the same times: a window changed
    /// during the call, or none named, leaves it on the worklist.
    pub told_window: Option<ToldWindow>,
}

/// A window as an operator read it out: which one, and its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToldWindow {
    pub id: WindowId,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// A call just logged, and whether the household is still to be told of its latest window
/// after it (the call told another window, or none).
#[derive(Debug, Clone)]
pub struct LoggedCall {
    pub call: HotlineCall,
    pub untold: bool,
}

#[derive(Debug, Clone)]
pub struct HotlineCall {
    pub id: i64,
    pub user: Option<UserId>,
    pub outcome: CallOutcome,
    /// `None` when none were written, or after the operation was shredded.
    pub notes: Option<String>,
    pub at: Timestamp,
    /// The message the call queued.
    pub message: Option<i64>,
}

/// A household on the hotline's worklist, to be called: its reference, stage, last call and
/// why. Where and when it is to be is in its case, not in the list.
#[derive(Debug, Clone)]
pub struct WorklistEntry {
    pub reference: CaseReference,
    pub stage: Stage,
    /// The last call logged on the case since its RV was suspended, or since its latest window
    /// it has not been told of, if any.
    pub called_at: Option<Timestamp>,
    pub reason: WorklistReason,
}

/// Why a household is on the hotline's worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorklistReason {
    /// Its rendezvous point is suspended, or a plan moved it away from a suspended one.
    RvSuspended,
    /// Its latest window (its first, a reassignment, its window moved in time) or its latest
    /// pass has not been told to it: no phone, no pass link made, or the notice or link failed
    /// or waited longer than [`safeconduct_domain::hotline::NOTICE_GRACE_SECONDS`]. It stays
    /// listed until a call guides it or its newest notice or link is delivered; a household
    /// marked no-show meanwhile stays too.
    NewWindowUntold,
}

/// What a pass link opens: the pass (for its QR code), the household's language, where and
/// when. No reference, name or phone.
#[derive(Debug, Clone)]
pub struct LinkedPass {
    pub operation: OperationId,
    /// The pass's index: how an audit entry of the open names it.
    pub pass_index: i64,
    pub signed: Vec<u8>,
    pub language: safeconduct_domain::values::Language,
    pub rv: safeconduct_domain::places::RendezvousPoint,
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    /// When the link (and the pass) stops being valid.
    pub expires_at: Timestamp,
    /// Where the household is (rounded), if registration stated it and the household still
    /// walks to its point ([`Stage::walks_to_rv`]): the start of its way there.
    pub household_location: Option<safeconduct_domain::values::Coordinate>,
}

/// One case in a coordinator's list of a stage: what the list shows, none of it personal data
/// (the reference, the size, places and times, the priority flags: attributes kept in clear).
#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub reference: CaseReference,
    pub stage: Stage,
    pub size: u32,
    pub priorities: Vec<PriorityFlag>,
    pub window: Option<WindowId>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub batch: Option<BatchId>,
    pub flight: Option<FlightId>,
    /// Unaccounted households only: a coordinator already resolved the alarm of its batch
    /// (recorded it missing, the one outcome that leaves it unaccounted).
    pub resolved: bool,
    pub updated_at: Timestamp,
}

/// A page of a list: at most `limit` cases after `after`, in reference order.
#[derive(Debug, Clone)]
pub struct CasePage {
    pub stage: Stage,
    pub after: Option<CaseReference>,
    pub limit: usize,
}

/// A message's delivery, without its recipient or text (those are personal data).
#[derive(Debug, Clone)]
pub struct Message {
    pub id: i64,
    pub kind: MessageKind,
    pub status: MessageStatus,
    pub attempts: u32,
    pub created_at: Timestamp,
    pub next_attempt_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// A message claimed for sending: who to, what, and the key the gateway sees on every
/// attempt. The `Debug` form leaves out the recipient and the text.
#[derive(Clone)]
pub struct OutgoingMessage {
    pub id: i64,
    pub operation: OperationId,
    pub kind: MessageKind,
    pub to: PhoneNumber,
    pub text: String,
    pub idempotency_key: String,
    /// Attempts made, this one included.
    pub attempts: u32,
}

impl std::fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMessage")
            .field("id", &self.id)
            .field("operation", &self.operation)
            .field("kind", &self.kind)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// What became of one attempt to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// The transport accepted it.
    Sent,
    /// It failed in a way that may pass (the gateway is down, answered 5xx or 429).
    Retry { error: String },
    /// It failed in a way that will not pass by trying again (the gateway refused it).
    Refused { error: String },
}

/// The hotline and the outbox.
pub trait Casework {
    /// Logs a call on a case; queues its route message, if any, in the same transaction.
    fn log_call(
        &self,
        op: OperationId,
        reference: &CaseReference,
        call: &NewCall,
        actor: &Actor,
    ) -> Result<LoggedCall>;
    /// Counts a read of a case by `user` at `at` against `per_minute` reads in any sixty
    /// seconds, whichever server it came to (the servers share the count through the
    /// database): `Err(seconds to wait)` beyond it, and the read is then not counted.
    fn count_case_read(
        &self,
        user: UserId,
        at: Timestamp,
        per_minute: u32,
    ) -> Result<std::result::Result<(), u64>>;
    /// The calls on a case, oldest first, notes opened.
    fn calls(&self, op: OperationId, reference: &CaseReference) -> Result<Vec<HotlineCall>>;
    /// The households the hotline is to call at `now`: assigned to a suspended RV and not yet
    /// admitted there, or not told of their new window; those not called yet first, then by
    /// how soon their window opens.
    fn hotline_worklist(&self, op: OperationId, now: Timestamp) -> Result<Vec<WorklistEntry>>;
    /// A page of the cases in one stage, by reference; the reference of the last one is the
    /// `after` of the next page.
    fn cases_in_stage(&self, op: OperationId, page: &CasePage) -> Result<Vec<CaseSummary>>;
    /// The messages to a case, oldest first.
    fn messages(&self, op: OperationId, reference: &CaseReference) -> Result<Vec<Message>>;
    /// Takes up to `limit` messages due at `now` (of every operation), counting an attempt on
    /// each and deferring its next one as if it failed, in one transaction: a server that
    /// stops before recording the outcome leaves the message to be tried again (with the
    /// same idempotency key), and two servers never take the same message at once.
    fn claim_due_messages(&self, now: Timestamp, limit: usize) -> Result<Vec<OutgoingMessage>>;
    /// Records the outcome of the attempt [`Casework::claim_due_messages`] counted.
    fn record_delivery(&self, id: i64, delivery: &Delivery, at: Timestamp) -> Result<Message>;
    /// Where pass links point: the address households reach the servers at (`serve
    /// --public-url`). Until it is set, issuing a pass sends no link.
    fn set_pass_link_base(&self, base: &str);
    /// The pass a link's token opens at `now`; `None` alike for a token that names no link,
    /// an expired link, a pass revoked or superseded, a household that no longer shows its
    /// pass (checked in at the gate, or out of the evacuation, none of it still on the way),
    /// and a shredded operation.
    fn pass_by_link(&self, token: &[u8], now: Timestamp) -> Result<Option<LinkedPass>>;
}
