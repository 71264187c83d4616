//! The re-plan that follows a suspension. When an RV or a gate stops taking people (suspended
//! or closed by hand, or suspended by a hazard that closes the streets around it), the
//! households holding a window there are re-planned at once, after the suspension is stored:
//! a repair of the current state (`planning::Mode::Repair`), so only they move and every
//! household whose window stays usable keeps it; a window assigned by hand at the closed place
//! is moved too (its pin cannot be kept). The re-plan is kept and accepted through the one
//! acceptance every plan takes: each moved household is reassigned (its pass superseded, its
//! window notice queued in the outbox, the step audited) and issued a new pass, and the
//! `plan_accepted` event records how many moved. Households no open RV can take keep their
//! window and are counted as displaced, for a coordinator.
//!
//! Must not depend on: the resource modules (they call it).

use crate::auth::OperationCaller;
use crate::{App, now};
use safeconduct_domain::Role;
use safeconduct_planning::{self as planning, Mode};
use safeconduct_store::{Actor, StoreError};
use schemars::JsonSchema;
use serde::Serialize;

/// Times the re-plan is computed again when the state changed between computing it and
/// accepting it (another request moved a household meanwhile).
const ATTEMPTS: usize = 3;

/// What the re-plan after a suspension did: a coordinator's to know. It counts and moves
/// households of the whole operation, and an escort or gate staff who suspended their own
/// place is told only that the place is suspended.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReplannedOut {
    /// The re-plan, kept and accepted (absent when nobody had to move).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<i64>,
    /// Households given another window: their passes superseded, new ones issued, their
    /// notices queued.
    pub moved: u64,
    /// Households holding a window at a closed place that no open RV could take: they keep
    /// it until a coordinator acts.
    pub displaced: u64,
    /// Why the re-plan could not be made, if it could not (the suspension stands).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Re-plans the caller's operation after a place stopped taking people, and accepts the
/// re-plan. Never fails the request that suspended: a re-plan that cannot be made is
/// answered as such and logged (without personal data), and the coordinator may re-plan by
/// hand (`POST …/plans/replan`). What it did is answered to a coordinator only (`None` for
/// anyone else).
pub(crate) async fn after_suspension(app: &App, caller: &OperationCaller) -> Option<ReplannedOut> {
    let op = caller.operation;
    // The re-plan acts on the whole operation, whoever's place caused it.
    let actor = Actor {
        places: None,
        device: Some("re-plan after a suspension".into()),
        ..caller.actor(now())
    };
    let router = app.router.clone();
    let keyring = app.keyring().clone();
    let outcome = app
        .run(move |s| {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let (new, figures) = planning::solve(
                    s,
                    router.as_deref(),
                    op,
                    planning::default_settings(),
                    Mode::Repair,
                    actor.at,
                )?;
                let displaced = figures.displaced.len() as u64;
                if figures.moves.is_empty() {
                    return Ok((None, 0, displaced));
                }
                let plan = s.save_plan(op, &new, &actor)?;
                match keyring.accept_plan(s, op, plan.id, &actor) {
                    Ok(accepted) => {
                        return Ok((Some(plan.id), accepted.moved.len() as u64, displaced));
                    }
                    Err(StoreError::Conflict(_)) if attempt < ATTEMPTS => continue,
                    Err(e) => return Err(e),
                }
            }
        })
        .await;
    let done = match outcome {
        Ok((plan, moved, displaced)) => ReplannedOut {
            plan_id: plan.map(|p| p.0),
            moved,
            displaced,
            error: None,
        },
        Err(e) => {
            tracing::warn!(code = e.code, "the re-plan after a suspension was not made");
            ReplannedOut {
                plan_id: None,
                moved: 0,
                displaced: 0,
                error: Some(e.message.clone()),
            }
        }
    };
    (caller.role == Role::Coordinator).then_some(done)
}
