//! [`Casework`] for every engine: each method one read or one write transaction running the
//! logic of `calls`, `case_reads` or `outbox`. No subject module imports this one.

use super::Engine;
use super::store::SqlStore;
use super::{calls, case_reads, households, outbox, pass_links};
use crate::casework::*;
use crate::types::*;
use crate::{Casework, Result};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

impl<E: Engine> Casework for SqlStore<E> {
    fn log_call(
        &self,
        op: OperationId,
        reference: &CaseReference,
        call: &NewCall,
        actor: &Actor,
    ) -> Result<LoggedCall> {
        self.write(|db| calls::log_call(db, &self.vault, op, reference, call, actor))
    }
    fn count_case_read(
        &self,
        user: UserId,
        at: Timestamp,
        per_minute: u32,
    ) -> Result<std::result::Result<(), u64>> {
        self.write(|db| case_reads::count_case_read(db, user, at, per_minute))
    }
    fn calls(&self, op: OperationId, reference: &CaseReference) -> Result<Vec<HotlineCall>> {
        self.read(|db| calls::calls(db, &self.vault, op, reference))
    }
    fn hotline_worklist(&self, op: OperationId, now: Timestamp) -> Result<Vec<WorklistEntry>> {
        self.read(|db| calls::hotline_worklist(db, op, now))
    }
    fn cases_in_stage(&self, op: OperationId, page: &CasePage) -> Result<Vec<CaseSummary>> {
        self.read(|db| households::cases_in_stage(db, op, page))
    }
    fn messages(&self, op: OperationId, reference: &CaseReference) -> Result<Vec<Message>> {
        self.read(|db| outbox::messages(db, op, reference))
    }
    fn claim_due_messages(&self, now: Timestamp, limit: usize) -> Result<Vec<OutgoingMessage>> {
        self.write(|db| outbox::claim_due(db, &self.vault, now, limit))
    }
    fn record_delivery(&self, id: i64, delivery: &Delivery, at: Timestamp) -> Result<Message> {
        self.write(|db| outbox::record_delivery(db, id, delivery, at))
    }
    fn set_pass_link_base(&self, base: &str) {
        *self.link_base.write().unwrap_or_else(|e| e.into_inner()) = Some(base.to_string());
    }
    fn pass_by_link(&self, token: &[u8], now: Timestamp) -> Result<Option<LinkedPass>> {
        self.read(|db| pass_links::pass_by_link(db, &self.vault, token, now))
    }
}
