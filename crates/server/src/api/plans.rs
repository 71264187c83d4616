//! Plans: a coordinator computes a preview from the operation's current state (its figures
//! kept with it), reads it back, accepts it (every move through the assignment step and a pass
//! for each, in one store transaction), re-plans after an RV or gate was suspended or a window
//! lost room (only the households that must move do), and releases a pin set by hand.
//!
//! The planner is called here directly (`safeconduct_plan`); the instance is built from the
//! store's planning state by `safeconduct_planning`. Must not depend on: other resource modules.

use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, endpoint, json};
use crate::extract::{Call, OptionalJson};
use crate::wire::{Answer, CasePath, Created, StepOut, time_text};
use crate::{ApiError, App};
use axum::Json;
use axum::http::StatusCode;
use safeconduct_domain::*;
use safeconduct_plan::wire::SettingsRecord;
use safeconduct_planning::{self as planning, Mode, PlanFigures};
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/plans", Roles(COORDINATOR), h::preview_plan, "Compute a plan from the current state and keep it as a preview: households without a window placed, windows already held kept (the body may be left out)", optional body: PlanIn => json::<PlanOut>(201)),
        endpoint!(POST "/api/operations/{op}/plans/replan", Roles(COORDINATOR), h::replan, "Re-plan after an RV or gate was suspended or a window lost room: only the households that must move do; a preview to accept (the body may be left out)", optional body: PlanIn => json::<PlanOut>(201)),
        endpoint!(GET "/api/operations/{op}/plans/{plan}", Roles(COORDINATOR), h::plan, "A plan with its figures" => json::<PlanOut>(200)),
        endpoint!(POST "/api/operations/{op}/plans/{plan}/accept", Roles(COORDINATOR), h::accept_plan, "Accept a preview: every household it moves is assigned (or reassigned, its pass superseded) and issued a pass, in one transaction; refused with 409 if the state changed since" => json::<AcceptedOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/release-pin", Roles(COORDINATOR), h::release_pin, "Release a window assigned by hand: later plans may move the household" => json::<ReleasedOut>(200)),
    ]
}

/// The planner's settings; each left out takes its default.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    /// People walked as one escort batch (12 to 1000; default 40).
    pub batch_size: Option<i64>,
    /// Default 1.2.
    pub walking_speed_m_per_s: Option<f64>,
    /// Default 1500.
    pub short_walk_seconds: Option<i64>,
    /// The longest trip anyone is sent on (default 14400).
    pub max_travel_seconds: Option<i64>,
    /// A re-plan computes afresh only when that gains more than this fraction (default 0.01).
    pub replan_threshold: Option<f64>,
}

impl PlanIn {
    fn settings(&self) -> SettingsRecord {
        let d = planning::default_settings();
        SettingsRecord {
            batch_size: self.batch_size.unwrap_or(d.batch_size),
            walking_speed_m_per_s: self
                .walking_speed_m_per_s
                .unwrap_or(d.walking_speed_m_per_s),
            short_walk_seconds: self.short_walk_seconds.unwrap_or(d.short_walk_seconds),
            max_travel_seconds: self.max_travel_seconds.unwrap_or(d.max_travel_seconds),
            replan_threshold: self.replan_threshold.unwrap_or(d.replan_threshold),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct PlanOut {
    pub id: i64,
    pub created_at: String,
    pub accepted_at: Option<String>,
    #[serde(flatten)]
    pub figures: PlanFigures,
}

#[derive(Serialize, JsonSchema)]
pub struct AcceptedMoveOut {
    pub step: StepOut,
    pub window_id: i64,
    pub pass_index: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct AcceptedOut {
    pub plan: PlanOut,
    /// Each household moved: its assignment step and the pass issued, signed in the same
    /// transaction.
    pub moved: Vec<AcceptedMoveOut>,
    /// References of the households whose window changed: each needs a notice with its new
    /// window and pass (the message outbox sends them; until then, the coordinator does).
    pub needs_notice: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct ReleasedOut {
    pub reference: String,
    pub pinned: bool,
}

#[derive(Deserialize)]
pub struct PlanPath {
    plan: i64,
}

fn plan_out(p: store::StoredPlan) -> Result<PlanOut, ApiError> {
    let figures = serde_json::from_value(p.answer).map_err(|e| {
        tracing::error!(error = %e, "a stored plan's answer does not read");
        ApiError::internal()
    })?;
    Ok(PlanOut {
        id: p.id.0,
        created_at: time_text(p.created_at),
        accepted_at: p.accepted_at.map(time_text),
        figures,
    })
}

/// Reads the state, plans it (afresh or repairing the windows plans gave) and keeps the plan.
async fn compute(
    app: &App,
    caller: &crate::auth::OperationCaller,
    mode: Mode,
    body: PlanIn,
) -> Created<PlanOut> {
    let op = caller.operation;
    let actor = caller.actor(crate::now());
    let router = app.router.clone();
    let settings = body.settings();
    let (plan, _) = app
        .run(move |s| planning::compute(s, router.as_deref(), op, settings, mode, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(plan_out(plan)?)))
}

pub async fn preview_plan(
    call: Call,
    OptionalJson(body): OptionalJson<PlanIn>,
) -> Created<PlanOut> {
    compute(
        &call.app,
        &call.caller,
        Mode::Fresh,
        body.unwrap_or_default(),
    )
    .await
}

pub async fn replan(call: Call, OptionalJson(body): OptionalJson<PlanIn>) -> Created<PlanOut> {
    compute(
        &call.app,
        &call.caller,
        Mode::Repair,
        body.unwrap_or_default(),
    )
    .await
}

pub async fn plan(call: Call<PlanPath>) -> Answer<PlanOut> {
    let id = PlanId(call.path.plan);
    let op = call.caller.operation;
    let plan = call.app.run(move |s| s.plan(op, id)).await?;
    Ok(Json(plan_out(plan)?))
}

pub async fn accept_plan(call: Call<PlanPath>) -> Answer<AcceptedOut> {
    let Call { app, caller, path } = call;
    let op = caller.operation;
    let id = PlanId(path.plan);
    let actor = caller.actor(crate::now());
    let keyring = app.keyring().clone();
    let accepted = app
        .run(move |s| keyring.accept_plan(s, op, id, &actor))
        .await?;
    let needs_notice = accepted
        .moved
        .iter()
        .map(|m| m.reference.to_string())
        .collect();
    Ok(Json(AcceptedOut {
        plan: plan_out(accepted.plan)?,
        moved: accepted
            .moved
            .into_iter()
            .map(|m| AcceptedMoveOut {
                step: m.step.into(),
                window_id: m.window.0,
                pass_index: m.pass_index,
            })
            .collect(),
        needs_notice,
    }))
}

pub async fn release_pin(call: Call<CasePath>) -> Answer<ReleasedOut> {
    let Call { app, caller, path } = call;
    let op = caller.operation;
    let reference = CaseReference::parse(&path.reference)?;
    let actor = caller.actor(crate::now());
    let shown = reference.to_string();
    app.run(move |s| s.release_pin(op, &reference, &actor))
        .await?;
    Ok(Json(ReleasedOut {
        reference: shown,
        pinned: false,
    }))
}
