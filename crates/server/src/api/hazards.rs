//! Hazards reported in the city: kind, severity, place, radius and validity; a change or
//! expiry; the suspension of the RVs and gates inside a hazard that closes streets (asked for
//! explicitly). Every change reaches the router before the answer.
//!
//! Must not depend on: other resource modules. A hazard's rules are the domain's
//! (`HazardSpec`, `Severity::blocks`); which places it suspends is the store's.

use crate::endpoints::{Access::Roles, CASEWORK, COORDINATOR, Endpoint, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CoordinateSchema, Created, parse_time, text_lines, time_text};
use axum::Json;
use safeconduct_domain::model::{HOTLINE_HAZARD_MAX_RADIUS_M, HazardKind, HazardSpec, Severity};
use safeconduct_domain::values::Coordinate;
use safeconduct_domain::{HazardId, Role, UserId};
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/hazards", Roles(CASEWORK), h::report_hazard, "Report a hazard (the hotline: of at most 500 m radius, and at most 20 in force per account); with suspend_places (a coordinator's), suspend the RVs and gates inside a critical one", body: HazardIn => json::<HazardReportOut>(201)),
        endpoint!(PATCH "/api/operations/{op}/hazards/{hazard}", Roles(COORDINATOR), h::change_hazard, "Change or expire a hazard (a coordinator's: the hotline reports hazards, but lowering or ending one sends people back through it)", body: HazardChangeIn => json::<HazardReportOut>(200)),
        endpoint!(GET "/api/operations/{op}/hazards", Roles(CASEWORK), h::hazards, "Reported hazards, each with the account that reported it for a coordinator (the hotline: its own reports only)" => json::<Vec<HazardOut>>(200)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardIn {
    pub kind: HazardKind,
    pub severity: Severity,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    #[schemars(range(min = 1, max = 20000))]
    pub radius_m: u32,
    #[schemars(length(max = 500))]
    pub description: Option<String>,
    /// RFC 3339 time.
    pub valid_from: String,
    /// RFC 3339 time; open-ended when absent.
    pub valid_until: Option<String>,
    /// Suspend the RVs that take assignments and the open gates inside the hazard, through
    /// their status steps. Only for a critical hazard (one that closes streets).
    #[serde(default)]
    pub suspend_places: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardChangeIn {
    pub severity: Option<Severity>,
    #[schemars(range(min = 1, max = 20000))]
    pub radius_m: Option<u32>,
    /// RFC 3339 time the hazard ends.
    pub valid_until: Option<String>,
    /// End the hazard now (instead of `valid_until`).
    #[serde(default)]
    pub expire: bool,
    /// As in the report.
    #[serde(default)]
    pub suspend_places: bool,
}

/// A hazard as reported or changed, with the places the change suspended.
#[derive(Serialize, JsonSchema)]
pub struct HazardReportOut {
    #[serde(flatten)]
    pub hazard: HazardOut,
    pub suspended_rvs: Vec<i64>,
    pub suspended_gates: Vec<i64>,
    /// When places were suspended: the re-plan of the households holding a window at them,
    /// accepted at once (told to coordinators only: it moves households of the
    /// whole operation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replan: Option<crate::replanning::ReplannedOut>,
}

impl From<store::HazardReport> for HazardReportOut {
    fn from(r: store::HazardReport) -> Self {
        HazardReportOut {
            hazard: r.hazard.into(),
            suspended_rvs: r.suspended_rvs.into_iter().map(|x| x.0).collect(),
            suspended_gates: r.suspended_gates.into_iter().map(|x| x.0).collect(),
            replan: None,
        }
    }
}

#[derive(Deserialize)]
pub struct HazardPath {
    hazard: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct HazardOut {
    pub id: i64,
    pub kind: HazardKind,
    pub severity: Severity,
    #[schemars(with = "CoordinateSchema")]
    pub location: Coordinate,
    pub radius_m: u32,
    pub description: Option<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    /// The username of the account that reported it: told to a coordinator for every hazard,
    /// and to a hotline operator for their own reports only (which count towards their
    /// share). Absent otherwise, and for hazards reported before reporters were kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
}

impl From<store::Hazard> for HazardOut {
    fn from(h: store::Hazard) -> Self {
        HazardOut {
            id: h.id.0,
            kind: h.kind,
            severity: h.severity,
            location: h.location,
            radius_m: h.radius_m,
            description: h.description,
            valid_from: time_text(h.valid_from),
            valid_until: h.valid_until.map(time_text),
            reported_by: None,
        }
    }
}

pub async fn report_hazard(
    call: Call,
    ApiJson(body): ApiJson<HazardIn>,
) -> Created<HazardReportOut> {
    let spec = HazardSpec::new(
        body.radius_m,
        parse_time("valid_from", &body.valid_from)?,
        body.valid_until
            .as_deref()
            .map(|u| parse_time("valid_until", u))
            .transpose()?,
    )?;
    let hazard = store::NewHazard {
        kind: body.kind,
        severity: body.severity,
        location: body.location,
        radius_m: spec.radius_m,
        description: body
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| text_lines("description", d, 500))
            .transpose()?,
        valid_from: spec.valid_from,
        valid_until: spec.valid_until,
    };
    let suspend = body.suspend_places;
    may_suspend(&call, suspend)?;
    may_cover(&call, spec.radius_m)?;
    let report = call
        .act(move |s, id, actor| s.report_hazard(id, &hazard, suspend, actor))
        .await?;
    rerouted(&call).await;
    let mut out = reported(&call, report).await;
    replanned(&call, &mut out).await;
    Ok((axum::http::StatusCode::CREATED, Json(out)))
}

pub async fn change_hazard(
    call: Call<HazardPath>,
    ApiJson(body): ApiJson<HazardChangeIn>,
) -> Answer<HazardReportOut> {
    let valid_until = match (body.expire, body.valid_until.as_deref()) {
        (true, None) => Some(Some(crate::now())),
        (false, Some(t)) => Some(Some(parse_time("valid_until", t)?)),
        (false, None) => None,
        (true, Some(_)) => {
            return Err(crate::ApiError::body(
                "give expire or valid_until, not both",
            ));
        }
    };
    may_suspend(&call, body.suspend_places)?;
    let change = store::HazardChange {
        severity: body.severity,
        radius_m: body.radius_m,
        valid_until,
        suspend_places: body.suspend_places,
    };
    let hazard = HazardId(call.path.hazard);
    let report = call
        .act(move |s, id, actor| s.change_hazard(id, hazard, &change, actor))
        .await?;
    rerouted(&call).await;
    let mut out = reported(&call, report).await;
    replanned(&call, &mut out).await;
    Ok(Json(out))
}

/// Re-plans the households of the places the change suspended (after the router took the
/// hazard, so road travel times avoid it).
async fn replanned<P>(call: &Call<P>, out: &mut HazardReportOut) {
    if !out.suspended_rvs.is_empty() || !out.suspended_gates.is_empty() {
        out.replan = crate::replanning::after_suspension(&call.app, &call.caller).await;
    }
}

/// Suspending places is the coordinator's: the hotline reports hazards, but does not hold
/// the RVs' and gates' status (the RV and gate endpoints are not theirs either).
fn may_suspend<P>(call: &Call<P>, suspend: bool) -> Result<(), crate::ApiError> {
    if suspend && call.caller.role != Role::Coordinator {
        return Err(crate::ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "only a coordinator may suspend the places inside a hazard",
        ));
    }
    Ok(())
}

/// A hazard wider than the hotline may report ([`HOTLINE_HAZARD_MAX_RADIUS_M`]) is the
/// coordinator's.
fn may_cover<P>(call: &Call<P>, radius_m: u32) -> Result<(), crate::ApiError> {
    if radius_m > HOTLINE_HAZARD_MAX_RADIUS_M && call.caller.role != Role::Coordinator {
        return Err(crate::ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "the hotline reports hazards of at most {HOTLINE_HAZARD_MAX_RADIUS_M} m radius: \
                 a wider one closes streets far from what a caller sees; ask a coordinator"
            ),
        ));
    }
    Ok(())
}

/// Puts the change into the router before answering, so the next route avoids it. Should
/// that fail, the change is stored and the next tick applies it.
async fn rerouted<P>(call: &Call<P>) {
    if let Err(e) = call.app.sync_hazards().await {
        tracing::warn!(code = e.code, "a hazard change waits for the next sync");
    }
}

pub async fn hazards(call: Call) -> Answer<Vec<HazardOut>> {
    let hazards = call.read(|s, id| s.hazards(id)).await?;
    Ok(Json(with_reporters(&call, hazards).await))
}

/// A report or change in its wire form, its reporter named as in the list. The change is
/// stored by now: should the names not be read, it is answered without them rather than as
/// an error a client would send again.
async fn reported<P>(call: &Call<P>, report: store::HazardReport) -> HazardReportOut {
    let hazard = with_reporters(call, vec![report.hazard.clone()]).await;
    let mut out = HazardReportOut::from(report);
    out.hazard = hazard.into_iter().next().expect("one hazard in, one out");
    out
}

/// The hazards in their wire form, each naming its reporter where the caller may know it: a
/// coordinator, every reporter; anyone else, themselves only. This is the one place that
/// rule is kept. Names that cannot be read are left out (and logged).
async fn with_reporters<P>(call: &Call<P>, hazards: Vec<store::Hazard>) -> Vec<HazardOut> {
    let (coordinator, me) = (call.caller.role == Role::Coordinator, call.caller.user);
    let told: BTreeSet<UserId> = hazards
        .iter()
        .filter_map(|h| h.reported_by)
        .filter(|u| coordinator || *u == me)
        .collect();
    let names: BTreeMap<UserId, String> = call
        .app
        .run(move |s| {
            let mut names = BTreeMap::new();
            for user in told {
                if let Some(name) = s.username(user)? {
                    names.insert(user, name);
                }
            }
            Ok(names)
        })
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(
                code = e.code,
                "hazards answered without their reporters' names"
            );
            BTreeMap::new()
        });
    hazards
        .into_iter()
        .map(|h| {
            let reporter = h.reported_by.and_then(|u| names.get(&u).cloned());
            HazardOut {
                reported_by: reporter,
                ..h.into()
            }
        })
        .collect()
}
