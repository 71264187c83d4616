//! The hotline: one call's worth of a case (its stage, its assignment — window, RV with its
//! status and the hazards near it — and the route from where the caller says they are),
//! calls logged with sealed notes and an outcome (optionally sending the route by message,
//! queued with the call), the case's call history and messages, and the worklist of
//! households whose RV was suspended.
//!
//! Within the hotline's scope: a case looked up one at a time shows no more than the lookup
//! does (no names, phones or documents here at all); the worklist shows references and
//! stages only. Where the caller says they are travels in the request body (the case view is
//! a POST that changes nothing), never in an address a proxy would log.
//!
//! Must not depend on: other resource modules' handlers (it uses `routes`' route builder).

use super::routes::{
    PositionIn, RouteOut, case_rv, not_walking_to_rv, route_out, route_to_rv, rv_to_walk_to,
};
use crate::endpoints::{Access::Roles, CASEWORK, Endpoint, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::routing::stated_position;
use crate::wire::{Answer, CasePath, Created, parse_time, time_text};
use axum::Json;
use safeconduct_domain::hotline::{CallOutcome, MessageKind, MessageStatus, MessageText};
use safeconduct_domain::household::Notes;
use safeconduct_domain::model::{HazardKind, RvStatus, Severity};
use safeconduct_domain::values::Language;
use safeconduct_domain::*;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/hotline/cases/{reference}", Roles(CASEWORK), h::hotline_case, "One call's worth of a case: stage, assignment, the RV's status and hazards near it, and a route from the caller's position if the body states one (`{}` for none); the position travels in the body, never in the address; changes nothing", body: PositionIn => json::<HotlineCaseOut>(200)),
        endpoint!(GET "/api/operations/{op}/hotline/worklist", Roles(CASEWORK), h::hotline_worklist, "Households to call, by reference and reason (their case, opened, tells where and when): assigned to a suspended RV, or moved away from one by a plan, or not told of their latest window or pass by message (no phone, no pass link made, the notice or link failed or waited over ten minutes); those at a suspended RV first, then those not called yet, then the soonest window" => json::<Vec<WorklistOut>>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/calls", Roles(CASEWORK), h::log_call, "Log a hotline call (notes sealed); optionally send the route by message. A call that told the household its window (told_window) takes it off the worklist of those not told", body: CallIn => json::<LoggedCallOut>(201)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/calls", Roles(CASEWORK), h::case_calls, "The hotline calls on a case" => json::<Vec<CallOut>>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/messages", Roles(CASEWORK), h::case_messages, "The messages to a case and their delivery" => json::<Vec<MessageOut>>(200)),
    ]
}

/// Hazards this close to an RV's edge are named with it: a crowd 300 m off is still news.
const NEAR_RV_M: f64 = 300.0;

#[derive(Serialize, JsonSchema)]
pub struct HotlineCaseOut {
    pub reference: String,
    pub stage: Stage,
    pub size: u32,
    pub language: Language,
    pub assignment: Option<AssignmentOut>,
    /// The route from the stated position, when one was given and the case has an RV.
    pub route: Option<RouteOut>,
    /// Why there is no route, when a position was given.
    pub route_problem: Option<String>,
    /// Whether the household still walks to its RV (or may be guided back to it), so that a
    /// route is given: false once it is there, past it, or out of the evacuation.
    pub walks_to_rv: bool,
    pub calls: usize,
}

#[derive(Serialize, JsonSchema)]
pub struct AssignmentOut {
    pub window_id: Option<i64>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub rv_id: i64,
    pub rv_name: String,
    pub rv_landmark: String,
    pub rv_status: RvStatus,
    /// The RV receives people in its status (agreed, active): a route may be given and sent
    /// towards it. False while it is suspended or closed.
    pub rv_receives_people: bool,
    pub hazards_near_rv: Vec<HazardNearOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct HazardNearOut {
    pub id: i64,
    pub kind: HazardKind,
    pub severity: Severity,
    /// From the RV to the hazard's edge; 0 inside it.
    pub distance_m: u32,
}

pub async fn hotline_case(
    call: Call<CasePath>,
    ApiJson(q): ApiJson<PositionIn>,
) -> Answer<HotlineCaseOut> {
    let op = call.caller.operation;
    let reference = CaseReference::parse(&call.path.reference)?;
    let (household, windows, hazards, calls) = call
        .app
        .run(move |s| {
            Ok((
                s.household(op, &reference)?,
                s.windows(op)?,
                s.hazards(op)?,
                s.calls(op, &reference)?.len(),
            ))
        })
        .await?;
    let now = crate::now();
    let rv = match household.rv {
        Some(_) => Some(case_rv(&call.app, op, &household).await?),
        None => None,
    };
    let assignment = rv.as_ref().map(|rv| {
        let window = windows.iter().find(|w| Some(w.id) == household.window);
        AssignmentOut {
            window_id: window.map(|w| w.id.0),
            window_start: window.map(|w| time_text(w.spec.start)),
            window_end: window.map(|w| time_text(w.spec.end)),
            rv_id: rv.id.0,
            rv_name: rv.name.clone(),
            rv_landmark: rv.landmark.clone(),
            rv_status: rv.status,
            rv_receives_people: rv.status.accepts_assignments(),
            hazards_near_rv: hazards
                .iter()
                .filter(|h| h.active_at(now))
                .filter_map(|h| {
                    let edge = h.location.distance_m(&rv.location) - f64::from(h.radius_m);
                    (edge <= NEAR_RV_M).then(|| HazardNearOut {
                        id: h.id.0,
                        kind: h.kind,
                        severity: h.severity,
                        distance_m: edge.max(0.0).round() as u32,
                    })
                })
                .collect(),
        }
    });
    let asked = q.from.is_some() || q.landmark.is_some();
    let not_walking = not_walking_to_rv(&household);
    let (route, route_problem) = match (&rv, asked) {
        (_, false) => (None, None),
        (None, true) => (
            None,
            Some("the case has no rendezvous point yet".to_string()),
        ),
        (Some(_), true) if not_walking.is_some() => (None, not_walking),
        (Some(rv), true) => {
            let router = call.app.router()?;
            let (from, landmark) =
                stated_position(&router, q.from.as_deref(), q.landmark.as_deref())?;
            let language = q.language.unwrap_or(household.language);
            match route_to_rv(&router, op, rv, from, language) {
                Ok((guided, in_force)) => {
                    (Some(route_out(rv.id, guided, in_force, landmark)), None)
                }
                Err(e) => (None, Some(e.message)),
            }
        }
    };
    Ok(Json(HotlineCaseOut {
        reference: household.reference.to_string(),
        stage: household.stage,
        size: household.members.len() as u32,
        language: household.language,
        assignment,
        route,
        route_problem,
        walks_to_rv: household.stage.walks_to_rv(),
        calls,
    }))
}

/// One household to call: its reference, stage and why. Where and when it is to be is in its
/// case, opened on the console (a counted read each): the worklist is no list of where and
/// when many households will be.
#[derive(Serialize, JsonSchema)]
pub struct WorklistOut {
    pub reference: String,
    pub stage: Stage,
    /// The last call logged since the RV was suspended (or since the change of window the
    /// household has not been told of); absent: not called yet.
    pub called_at: Option<String>,
    pub reason: WorklistReasonOut,
}

/// Why a household is to be called.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorklistReasonOut {
    /// Its RV is suspended, or a plan moved it away from a suspended one.
    RvSuspended,
    /// Its latest window (its first; a reassignment, or its window moved in time) or its
    /// latest pass has not been told by message: it has no phone, no link to its pass could be
    /// made (no public address), or the notice or link failed or has not gone out within ten
    /// minutes. `called_at` is then the last call since the change; it stays listed (a no-show
    /// too) until a call logged `guided` or `route_sent`, or the newest notice or link is
    /// delivered.
    NewWindowUntold,
}

impl From<store::WorklistEntry> for WorklistOut {
    fn from(w: store::WorklistEntry) -> Self {
        WorklistOut {
            reference: w.reference.to_string(),
            stage: w.stage,
            called_at: w.called_at.map(time_text),
            reason: match w.reason {
                store::WorklistReason::RvSuspended => WorklistReasonOut::RvSuspended,
                store::WorklistReason::NewWindowUntold => WorklistReasonOut::NewWindowUntold,
            },
        }
    }
}

/// The households to call. A list of cases like a stage's page: audited by this handler with
/// how many and the references it returned ([`crate::endpoints::AUDITED_LISTS`]).
pub async fn hotline_worklist(
    audit: crate::read_audit::PendingReadAudit,
    call: Call,
) -> Answer<Vec<WorklistOut>> {
    let now = crate::now();
    let list = call.read(move |s, op| s.hotline_worklist(op, now)).await?;
    let asked = format!("{} returned", list.len());
    audit
        .write_asked(
            &call.app,
            Some(asked),
            list.iter().map(|w| w.reference.clone()),
        )
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallIn {
    pub outcome: CallOutcome,
    /// What was said; sealed like every other personal datum.
    #[schemars(length(max = 2000))]
    pub notes: Option<String>,
    /// Send the route from this position to the case's RV by message (in this language; the
    /// household's when absent), with the call.
    pub send_route: Option<PositionIn>,
    /// The window told to the household, as the case showed it (`assignment`). A call that
    /// guided it or sent its route takes it off the worklist of households not told of their
    /// window only when this is its window, at the same times: a window that changed during
    /// the call, or none named, keeps it there.
    pub told_window: Option<ToldWindowIn>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToldWindowIn {
    pub window_id: i64,
    pub window_start: String,
    pub window_end: String,
}

/// A call just logged.
#[derive(Serialize, JsonSchema)]
pub struct LoggedCallOut {
    #[serde(flatten)]
    pub call: CallOut,
    /// The household is still to be told of its latest window after this call: the window
    /// changed during the call, or the call did not tell it (see `told_window`).
    pub untold: bool,
    /// The call told the household its way and its time (guided, or sent its route), but not
    /// the window it holds now: it changed during the call, or none was named. Call back.
    pub told_another_window: bool,
}

impl From<store::LoggedCall> for LoggedCallOut {
    fn from(c: store::LoggedCall) -> Self {
        LoggedCallOut {
            told_another_window: c.call.outcome.told() && c.untold,
            call: c.call.into(),
            untold: c.untold,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct CallOut {
    pub id: i64,
    pub user_id: Option<i64>,
    pub outcome: CallOutcome,
    pub notes: Option<String>,
    pub at: String,
    /// The message the call queued (see `…/messages`).
    pub message_id: Option<i64>,
}

impl From<store::HotlineCall> for CallOut {
    fn from(c: store::HotlineCall) -> Self {
        CallOut {
            id: c.id,
            user_id: c.user.map(|u| u.0),
            outcome: c.outcome,
            notes: c.notes,
            at: time_text(c.at),
            message_id: c.message,
        }
    }
}

pub async fn log_call(
    call: Call<CasePath>,
    ApiJson(body): ApiJson<CallIn>,
) -> Created<LoggedCallOut> {
    let op = call.caller.operation;
    let reference = CaseReference::parse(&call.path.reference)?;
    let notes = body
        .notes
        .as_deref()
        .map(Notes::parse)
        .transpose()?
        .flatten();
    let route_message = match body.send_route {
        None => None,
        Some(send) => {
            let router = call.app.router()?;
            let (from, _) =
                stated_position(&router, send.from.as_deref(), send.landmark.as_deref())?;
            let looked_up = reference.clone();
            let household = call.app.run(move |s| s.household(op, &looked_up)).await?;
            let rv = rv_to_walk_to(&call.app, op, &household).await?;
            let language = send.language.unwrap_or(household.language);
            let (guided, _) = route_to_rv(&router, op, &rv, from, language)?;
            Some(MessageText::parse(&guided.guidance.sms)?)
        }
    };
    let told_window = match &body.told_window {
        None => None,
        Some(w) => Some(store::ToldWindow {
            id: WindowId(w.window_id),
            start: parse_time("told_window.window_start", &w.window_start)?,
            end: parse_time("told_window.window_end", &w.window_end)?,
        }),
    };
    let new = store::NewCall {
        outcome: body.outcome,
        notes,
        route_message,
        told_window,
    };
    call.create(move |s, op, actor| s.log_call(op, &reference, &new, actor))
        .await
}

pub async fn case_calls(call: Call<CasePath>) -> Answer<Vec<CallOut>> {
    let reference = CaseReference::parse(&call.path.reference)?;
    call.list(move |s, op| s.calls(op, &reference)).await
}

#[derive(Serialize, JsonSchema)]
pub struct MessageOut {
    pub id: i64,
    pub kind: MessageKind,
    pub status: MessageStatus,
    pub attempts: u32,
    pub created_at: String,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<String>,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
}

impl From<store::Message> for MessageOut {
    fn from(m: store::Message) -> Self {
        MessageOut {
            id: m.id,
            kind: m.kind,
            status: m.status,
            attempts: m.attempts,
            created_at: time_text(m.created_at),
            next_attempt_at: (m.status == MessageStatus::Pending)
                .then(|| time_text(m.next_attempt_at)),
            sent_at: m.sent_at.map(time_text),
            last_error: m.last_error,
        }
    }
}

pub async fn case_messages(call: Call<CasePath>) -> Answer<Vec<MessageOut>> {
    let reference = CaseReference::parse(&call.path.reference)?;
    call.list(move |s, op| s.messages(op, &reference)).await
}
