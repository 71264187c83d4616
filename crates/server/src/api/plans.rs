//! Plans: a coordinator computes a preview from the operation's current state (its figures
//! kept with it), reads it back, accepts it (every move through the assignment step and a pass
//! for each, in one store transaction), re-plans after an RV or gate was suspended or a window
//! lost room (only the households that must move do), and releases a pin set by hand.
//!
//! The planner is called here directly (`safeconduct_plan`); the instance is built from the
//! store's planning state by `crate::planning`. Must not depend on: other resource modules.

use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, endpoint, json};
use crate::extract::{Call, OptionalJson};
use crate::planning::{Mode, Prepared, prepare};
use crate::wire::{Answer, CasePath, Created, StepOut, time_text};
use crate::{ApiError, App};
use axum::Json;
use axum::http::StatusCode;
use safeconduct_domain::*;
use safeconduct_plan::wire::SettingsRecord;
use safeconduct_plan::{Plan, StraightLine};
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/plans", Roles(COORDINATOR), h::preview_plan, "Compute a plan from the current state and keep it as a preview: households without a window placed, windows already held kept (the body may be left out)", body: PlanIn => json::<PlanOut>(201)),
        endpoint!(POST "/api/operations/{op}/plans/replan", Roles(COORDINATOR), h::replan, "Re-plan after an RV or gate was suspended or a window lost room: only the households that must move do; a preview to accept (the body may be left out)", body: PlanIn => json::<PlanOut>(201)),
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
        SettingsRecord {
            batch_size: self.batch_size.unwrap_or(40),
            walking_speed_m_per_s: self.walking_speed_m_per_s.unwrap_or(1.2),
            short_walk_seconds: self.short_walk_seconds.unwrap_or(1500),
            max_travel_seconds: self.max_travel_seconds.unwrap_or(14_400),
            replan_threshold: self.replan_threshold.unwrap_or(0.01),
        }
    }
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct UnplacedOut {
    pub reference: String,
    /// `no_allowed_rv`, `allowed_rvs_suspended`, `allowed_windows_full`,
    /// `pinned_window_unavailable` (from the planner), or
    /// `larger_than_the_largest_planned_household`, `its_window_closed_or_its_rv_has_no_gate`
    /// (not given to the planner).
    pub reason: String,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct MoveOut {
    pub reference: String,
    /// The window it holds now, if any.
    pub from_window_id: Option<i64>,
    pub window_id: i64,
    pub rv_id: i64,
    pub travel_seconds: u32,
}

/// What a plan is worth and what accepting it does (see docs/planning.md).
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct PlanFigures {
    /// `plan` or `replan`.
    pub kind: String,
    /// The objective's value: Σ size × (weight of the class − travel seconds).
    pub value: i64,
    /// An upper bound on the value of any plan of this state.
    pub bound: f64,
    /// (bound − value) / bound.
    pub gap: f64,
    /// People placed per priority class (medical, unaccompanied_minor, elderly, disability,
    /// other).
    pub people_placed: BTreeMap<String, u64>,
    pub people_unplaced: BTreeMap<String, u64>,
    pub households_placed: u64,
    pub households_unplaced: u64,
    /// Person-seconds of travel of everyone placed.
    pub travel_seconds_total: u64,
    pub batches: u64,
    /// Households that held a window and would hold another, or none.
    pub moved: u64,
    /// Every household the plan gives a window it does not hold yet: accepting assigns (or
    /// reassigns) each and issues its pass. Each needs a notice of its new window.
    pub moves: Vec<MoveOut>,
    /// Households without a window after the plan, and why; those among them who hold a
    /// window now (`displaced`) keep it until a coordinator acts.
    pub unplaced: Vec<UnplacedOut>,
    /// Households holding a window the plan cannot keep (their RV or gate closed, no room
    /// elsewhere): they need a coordinator and a notice.
    pub displaced: Vec<String>,
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

/// The figures of `plan` of `prepared`, and the moves accepting it would make.
fn figures(kind: store::PlanKind, prepared: &Prepared, plan: &Plan) -> PlanFigures {
    let reference = |h: &HouseholdId| prepared.households[h].reference.to_string();
    let held = |h: &HouseholdId| prepared.households[h].window;
    let moves: Vec<MoveOut> = plan
        .assignments
        .iter()
        .filter(|a| held(&a.household) != Some(a.window))
        .map(|a| MoveOut {
            reference: reference(&a.household),
            from_window_id: held(&a.household).map(|w| w.0),
            window_id: a.window.0,
            rv_id: a.rv.0,
            travel_seconds: a.travel_seconds,
        })
        .collect();
    let displaced: Vec<String> = plan
        .unplaced
        .iter()
        .filter(|u| held(&u.household).is_some())
        .map(|u| reference(&u.household))
        .collect();
    let mut unplaced: Vec<UnplacedOut> = plan
        .unplaced
        .iter()
        .map(|u| UnplacedOut {
            reference: reference(&u.household),
            reason: serde_json::to_value(u.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        })
        .collect();
    unplaced.extend(prepared.not_planned.iter().map(|n| UnplacedOut {
        reference: n.reference.to_string(),
        reason: n.reason.to_string(),
    }));
    let by_class = |m: &BTreeMap<safeconduct_plan::wire::PriorityClass, u64>| {
        m.iter()
            .map(|(k, v)| (k.as_str().to_string(), *v))
            .collect()
    };
    let f = &plan.figures;
    PlanFigures {
        kind: kind.as_str().to_string(),
        value: plan.objective.value,
        bound: plan.objective.bound,
        gap: plan.objective.gap,
        people_placed: by_class(&f.people_placed),
        people_unplaced: by_class(&f.people_unplaced),
        households_placed: f.households_placed,
        households_unplaced: f.households_unplaced + prepared.not_planned.len() as u64,
        travel_seconds_total: f.travel_seconds_total,
        batches: f.batches,
        moved: moves.iter().filter(|m| m.from_window_id.is_some()).count() as u64
            + displaced.len() as u64,
        moves,
        unplaced,
        displaced,
    }
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
    let plan = app
        .run(move |s| {
            let state = s.planning_state(op)?;
            let prepared = prepare(&state, body.settings(), mode, actor.at).map_err(invalid)?;
            let instance = &prepared.instance;
            let (kind, plan) = match &prepared.previous {
                None => (store::PlanKind::Plan, safeconduct_plan::plan(instance)),
                Some(previous) => {
                    let travel = StraightLine::new(instance.settings().walking_speed);
                    let plan = safeconduct_plan::replan::repair(instance, &travel, previous)
                        .map_err(invalid)?;
                    (store::PlanKind::Replan, plan)
                }
            };
            let answer = figures(kind, &prepared, &plan);
            let new = store::NewPlan {
                kind,
                fingerprint: store::fingerprint(&state),
                moves: plan
                    .assignments
                    .iter()
                    .map(|a| store::PlannedMove {
                        household: a.household,
                        window: a.window,
                    })
                    .collect(),
                answer: serde_json::to_value(&answer)
                    .map_err(|e| store::StoreError::Internal(e.to_string()))?,
            };
            s.save_plan(op, &new, &actor)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(plan_out(plan)?)))
}

/// A refusal of the planner names the item that is wrong; it is the request's fault (its
/// settings) or the state's (a place the planner cannot take), never the server's.
fn invalid(e: safeconduct_plan::PlanError) -> store::StoreError {
    store::StoreError::Domain(DomainError::invalid("plan", e.to_string()))
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
