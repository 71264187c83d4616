//! Lifecycle steps of one case: document checks, eligibility, assignment to a window,
//! withdrawal, no-show, arrival at the rendezvous point, processing at the gate, boarding, and
//! the resolution of an unaccounted household.
//! Each parses its body into a store `CaseRequest` and hands it to [`step`], which the steps
//! named by a batch or a flight (`batches`, `flights`) use too. Whether a step may follow is
//! decided by the domain, inside the store's transaction, not here.
//!
//! Must not depend on: other resource modules.

use crate::auth::OperationCaller;
use crate::endpoints::{
    Access::Roles, COORDINATOR, ESCORT, Endpoint, GATE, MANIFEST, NO_SHOW, endpoint, json,
};
use crate::extract::{ApiJson, Call, OptionalJson};
use crate::wire::{Answer, CasePath, ReasonIn, StepOut, text_lines};
use crate::{ApiError, App};
use axum::Json;
use safeconduct_domain::field::CustodyOutcome;
use safeconduct_domain::household::NewHousehold;
use safeconduct_domain::model::EligibilityCategory;
use safeconduct_domain::*;
use safeconduct_store::CaseRequest;
use schemars::JsonSchema;
use serde::Deserialize;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/households/{reference}/verify-documents", Roles(COORDINATOR), h::verify_documents, "Record that every member's documents were verified" => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/eligibility", Roles(COORDINATOR), h::eligibility, "Decide eligibility: eligible with a category, or rejected with a reason", body: EligibilityIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/assign", Roles(COORDINATOR), h::assign, "Assign an eligible household to a window at a rendezvous point", body: WindowChoice => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/reassign", Roles(COORDINATOR), h::reassign, "Give a household a new window; any earlier pass is void", body: WindowChoice => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/withdraw", Roles(COORDINATOR), h::withdraw, "Withdraw a case at the household's request", body: ReasonIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/resolve-unaccounted", Roles(COORDINATOR), h::resolve_unaccounted, "Resolve an unaccounted household with an outcome and a note (sealed); its stage follows the outcome", body: ResolveIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/no-show", Roles(NO_SHOW), h::no_show, "Mark a household that missed its window (an escort only once the window has closed)" => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/rv-arrival", Roles(ESCORT), h::rv_arrival, "Admit a household at its rendezvous point", body: RvArrivalIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/processed", Roles(GATE), h::processed, "Record that an arrived household was processed at the gate", body: ProcessIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/boarded", Roles(MANIFEST), h::boarded, "Record that a manifested household boarded the flight it is manifested on (the body may be left out)", optional body: BoardIn => json::<StepOut>(200)),
    ]
}

#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Eligible,
    Rejected,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityIn {
    pub decision: Decision,
    /// Required when eligible.
    pub category: Option<EligibilityCategory>,
    /// Required when rejected.
    #[schemars(length(max = 500))]
    pub reason: Option<String>,
}

/// How unaccounted people of a household were found, and what was done; each person's stage
/// follows the outcome: `arrived_late` → arrived at the gate, `returned_to_rv` → admitted at
/// the RV (out of its batch), `found_elsewhere` → withdrawn, `recorded_missing` → stays
/// unaccounted, answered.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveIn {
    pub outcome: CustodyOutcome,
    /// What happened, for the record; sealed like a stated reason.
    #[schemars(length(min = 1, max = 500))]
    pub note: String,
    /// The people resolved (ids of members of the household, each unaccounted); all of its
    /// unaccounted members when left out.
    #[schemars(length(min = 1, max = 60))]
    pub person_ids: Option<Vec<i64>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowChoice {
    pub window_id: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RvArrivalIn {
    pub rv_id: i64,
    /// The index of the pass shown, as the escort's scanner read it. The pass must be the
    /// household's valid pass; without it, the household's latest pass is checked.
    #[schemars(range(min = 0))]
    pub pass_index: Option<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessIn {
    pub gate_id: i64,
}

/// What boarding may say: nothing (the body may be left out: the household boards the flight it
/// is manifested on), or the flight, which must be that one.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct BoardIn {
    /// The flight boarded; when given, it must be the one on the household's manifest.
    pub flight_id: Option<i64>,
}

/// Applies one lifecycle step to the case with this reference, in the caller's operation. The
/// store loads the case for the caller: a case outside an escort's or gate user's places is
/// not found for them, exactly as a reference that names no case.
pub async fn step(
    app: App,
    caller: OperationCaller,
    reference: &str,
    request: CaseRequest,
) -> Answer<StepOut> {
    let id = caller.operation;
    let reference = CaseReference::parse(reference)?;
    let actor = caller.actor(crate::now());
    let outcome = app
        .run(move |s| s.apply(id, &reference, &request, &actor))
        .await?;
    Ok(Json(outcome.into()))
}

/// Applies one lifecycle step to the case named in the path.
async fn step_on(call: Call<CasePath>, request: CaseRequest) -> Answer<StepOut> {
    step(call.app, call.caller, &call.path.reference, request).await
}

pub async fn verify_documents(call: Call<CasePath>) -> Answer<StepOut> {
    step_on(call, CaseRequest::VerifyDocuments).await
}

pub async fn eligibility(
    call: Call<CasePath>,
    ApiJson(body): ApiJson<EligibilityIn>,
) -> Answer<StepOut> {
    let request = match body.decision {
        Decision::Eligible => CaseRequest::DecideEligible {
            category: body
                .category
                .ok_or_else(|| ApiError::expected("category", Expected::Something))?,
        },
        Decision::Rejected => CaseRequest::Reject {
            reason: text_lines("reason", body.reason.as_deref().unwrap_or_default(), 500)?,
        },
    };
    step_on(call, request).await
}

pub async fn assign(call: Call<CasePath>, ApiJson(body): ApiJson<WindowChoice>) -> Answer<StepOut> {
    let window = WindowId(body.window_id);
    step_on(call, CaseRequest::Assign { window }).await
}

pub async fn reassign(
    call: Call<CasePath>,
    ApiJson(body): ApiJson<WindowChoice>,
) -> Answer<StepOut> {
    let window = WindowId(body.window_id);
    step_on(call, CaseRequest::Reassign { window }).await
}

pub async fn withdraw(call: Call<CasePath>, ApiJson(body): ApiJson<ReasonIn>) -> Answer<StepOut> {
    let reason = text_lines("reason", &body.reason, 500)?;
    step_on(call, CaseRequest::Withdraw { reason }).await
}

pub async fn resolve_unaccounted(
    call: Call<CasePath>,
    ApiJson(body): ApiJson<ResolveIn>,
) -> Answer<StepOut> {
    let note = text_lines("note", &body.note, 500)?;
    let outcome = body.outcome;
    let persons = match body.person_ids {
        Some(ids) if ids.is_empty() || ids.len() > NewHousehold::MAX_MEMBERS => {
            return Err(ApiError::invalid(
                "person_ids",
                &format!(
                    "name 1 to {} people, or leave it out for all",
                    NewHousehold::MAX_MEMBERS
                ),
            ));
        }
        ids => ids.map(|ids| ids.into_iter().map(PersonId).collect()),
    };
    let request = CaseRequest::ResolveUnaccounted {
        outcome,
        note,
        persons,
    };
    step_on(call, request).await
}

/// An escort marks only cases of their RVs; the store does not find the others for them.
pub async fn no_show(call: Call<CasePath>) -> Answer<StepOut> {
    step_on(call, CaseRequest::MarkNoShow).await
}

pub async fn rv_arrival(
    call: Call<CasePath>,
    ApiJson(body): ApiJson<RvArrivalIn>,
) -> Answer<StepOut> {
    let rv = RvId(body.rv_id);
    call.caller.may_act_at(rv)?;
    if body.pass_index.is_some_and(|i| i < 0) {
        return Err(ApiError::invalid("pass_index", "must be 0 or more"));
    }
    let pass = body.pass_index;
    step_on(call, CaseRequest::AdmitAtRv { rv, pass }).await
}

pub async fn processed(call: Call<CasePath>, ApiJson(body): ApiJson<ProcessIn>) -> Answer<StepOut> {
    let gate = GateId(body.gate_id);
    call.caller.may_act_at(gate)?;
    step_on(call, CaseRequest::Process { gate }).await
}

pub async fn boarded(
    call: Call<CasePath>,
    OptionalJson(body): OptionalJson<BoardIn>,
) -> Answer<StepOut> {
    let flight = body.unwrap_or_default().flight_id.map(FlightId);
    step_on(call, CaseRequest::Board { flight }).await
}
