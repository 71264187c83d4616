//! Hazards reported in the city: kind, severity, place, radius and validity.
//!
//! Must not depend on: other resource modules. A hazard's rules are the domain's
//! (`HazardSpec`).

use crate::endpoints::{Access::Roles, CASEWORK, Endpoint, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CoordinateSchema, Created, parse_time, text_lines, time_text};
use safeconduct_domain::model::{HazardKind, HazardSpec, Severity};
use safeconduct_domain::values::Coordinate;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/hazards", Roles(CASEWORK), h::report_hazard, "Report a hazard", body: HazardIn => json::<HazardOut>(201)),
        endpoint!(GET "/api/operations/{op}/hazards", Roles(CASEWORK), h::hazards, "Reported hazards" => json::<Vec<HazardOut>>(200)),
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
        }
    }
}

pub async fn report_hazard(call: Call, ApiJson(body): ApiJson<HazardIn>) -> Created<HazardOut> {
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
    call.create(move |s, id, actor| s.report_hazard(id, &hazard, actor))
        .await
}

pub async fn hazards(call: Call) -> Answer<Vec<HazardOut>> {
    call.list(|s, id| s.hazards(id)).await
}
