//! The custody sweep as the server runs it: on a short tick, and before every answer that
//! shows counts or batches, so that a household past its batch's deadline is unaccounted in
//! every answer at once, not when the gate closes the batch. The rule and the marking are the
//! store's (`Store::sweep_custody`) and the domain's (`field::custody_deadline`); this module
//! only decides when to ask.
//!
//! Must not depend on: the resource modules (they call it).

use crate::{ApiError, App, now};
use safeconduct_domain::OperationId;
use safeconduct_domain::values::Timestamp;
use safeconduct_store::Actor;

/// How often every server sweeps every operation.
pub const CUSTODY_SWEEP_SECONDS: u64 = 15;

impl App {
    /// Runs the sweep's clock this many seconds ahead of the system clock: for drills and
    /// tests that must see a deadline pass without waiting for it. Never set in service.
    pub fn with_custody_clock_ahead(mut self, seconds: i64) -> Self {
        self.custody_clock_ahead = seconds;
        self
    }

    /// The moment the sweep judges deadlines against.
    pub(crate) fn custody_now(&self) -> Timestamp {
        Timestamp(now().0.saturating_add(self.custody_clock_ahead))
    }

    /// Marks every overdue household of `op` (or of every operation) unaccounted now.
    pub(crate) async fn sweep_custody(&self, op: Option<OperationId>) -> Result<u32, ApiError> {
        let actor = Actor::custody_sweep(self.custody_now());
        self.run(move |s| s.sweep_custody(op, &actor)).await
    }
}

/// The tick: every `seconds`, every operation.
pub(crate) async fn sweep_every(app: App, seconds: u64) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(seconds));
    loop {
        ticks.tick().await;
        match app.sweep_custody(None).await {
            Ok(0) => {}
            Ok(marked) => tracing::warn!(marked, "custody deadline passed: households unaccounted"),
            Err(e) => tracing::warn!(code = e.code, "the custody sweep could not run"),
        }
    }
}
