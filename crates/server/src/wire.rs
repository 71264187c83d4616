//! The JSON shared by several resources of the API: times, coordinates, the error body, the
//! answer to a lifecycle step, stage counts and the accountability report (which the CLI
//! exports too), and the path and body that name a case. Each
//! resource's own request and response types live in its module under `api/`. Field-level
//! parsers give errors that name the field.
//!
//! Must not depend on: any resource module (`api/…`), the endpoint table, the authorisation
//! layer.

use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::values::{Text, Timestamp};
use safeconduct_domain::{Expected, Stage, Step};
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// RFC 3339 text of a timestamp, in UTC (the domain's [`Timestamp::rfc3339`]).
pub fn time_text(t: Timestamp) -> String {
    t.rfc3339()
}

/// Parses an RFC 3339 timestamp such as `2026-08-24T06:00:00Z`; a refusal names the field
/// (the domain's [`Timestamp::parse_rfc3339`]).
pub fn parse_time(field: &'static str, s: &str) -> Result<Timestamp, crate::ApiError> {
    Timestamp::parse_rfc3339(field, s).map_err(crate::ApiError::from)
}

/// A bounded one-line text field (a name, a landmark), refused with the field's name when
/// empty, too long, or holding characters that hide or reorder text (`Text::parse`).
pub fn text(field: &'static str, s: &str, max: usize) -> Result<Text, crate::ApiError> {
    Ok(Text::parse(field, s, max)?)
}

/// A bounded text field that may run over several lines (a reason, a description), under the
/// same rules otherwise (`Text::parse_lines`).
pub fn text_lines(field: &'static str, s: &str, max: usize) -> Result<Text, crate::ApiError> {
    Ok(Text::parse_lines(field, s, max)?)
}

/// What a handler that answers JSON returns.
pub type Answer<T> = Result<axum::Json<T>, crate::ApiError>;

/// What a handler that creates something returns: 201 and the new thing as JSON.
pub type Created<T> = Result<(axum::http::StatusCode, axum::Json<T>), crate::ApiError>;

/// A position in WGS84 degrees.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct CoordinateSchema {
    /// Latitude, -90..90.
    #[schemars(range(min = -90.0, max = 90.0))]
    lat: f64,
    /// Longitude, -180..180.
    #[schemars(range(min = -180.0, max = 180.0))]
    lon: f64,
}

/// The path of every endpoint about one case: `/api/operations/{op}/households/{reference}…`.
/// The operation is not read here: the authorisation layer hands it to the handler with the
/// caller (`auth::OperationCaller`).
#[derive(Deserialize)]
pub struct CasePath {
    pub reference: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseChoice {
    pub reference: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    #[schemars(length(min = 1, max = 500))]
    pub reason: String,
}

/// A step taken. It carries no event id: events are numbered across the whole store, and a
/// caller comparing the ids of two of their steps would count everyone else's in between.
#[derive(Serialize, JsonSchema)]
pub struct StepOut {
    pub reference: String,
    pub from: Stage,
    pub to: Stage,
    pub people: u32,
    pub pass_index: Option<i64>,
}

impl From<store::CaseOutcome> for StepOut {
    fn from(o: store::CaseOutcome) -> Self {
        StepOut {
            reference: o.reference.to_string(),
            from: o.from,
            to: o.to,
            people: o.people,
            pass_index: o.pass_index,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct CountsOut {
    /// Households per stage; stages with none are left out.
    pub households: BTreeMap<Stage, u64>,
    /// People per stage; stages with none are left out.
    pub people: BTreeMap<Stage, u64>,
    pub total_households: u64,
    pub total_people: u64,
}

impl From<StageCounts> for CountsOut {
    fn from(c: StageCounts) -> Self {
        let c = c.normalised();
        CountsOut {
            total_households: c.total_households(),
            total_people: c.total_people(),
            households: c.households,
            people: c.people,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct BatchBalanceOut {
    pub batch_id: i64,
    pub rv_id: i64,
    pub gate_id: i64,
    pub departed_people: u64,
    pub arrived_people: u64,
    pub closed: bool,
}

impl From<BatchBalance> for BatchBalanceOut {
    fn from(b: BatchBalance) -> Self {
        BatchBalanceOut {
            batch_id: b.batch.0,
            rv_id: b.rv.0,
            gate_id: b.gate.0,
            departed_people: b.departed_people,
            arrived_people: b.arrived_people,
            closed: b.closed,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct AccountabilityOut {
    /// True when every person is in exactly one stage, the counts agree and no closed batch
    /// is short.
    pub ok: bool,
    pub registered_people: u64,
    pub counts: CountsOut,
    pub alarms: Vec<BatchBalanceOut>,
    pub problems: Vec<String>,
    /// People unaccounted whose alarm no coordinator has resolved yet.
    pub unresolved_unaccounted_people: u64,
    /// People whose unaccounted alarm a coordinator resolved (any outcome).
    pub resolved_unaccounted_people: u64,
}

impl From<AccountabilityReport> for AccountabilityOut {
    fn from(r: AccountabilityReport) -> Self {
        AccountabilityOut {
            ok: r.ok(),
            registered_people: r.registered_people,
            counts: r.recomputed.into(),
            alarms: r.alarms.into_iter().map(Into::into).collect(),
            problems: r.problems,
            unresolved_unaccounted_people: r.custody.unresolved_people,
            resolved_unaccounted_people: r.custody.resolved_people,
        }
    }
}

/// The body of every error response.
#[derive(Serialize, JsonSchema)]
pub struct ErrorOut {
    pub error: ErrorDetail,
}

#[derive(Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, such as `illegal_transition` or `forbidden`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// For refused lifecycle steps: the current stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// For refused lifecycle steps: the steps allowed from the current stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_steps: Option<Vec<Step>>,
    /// For `invalid_input` and `invalid_body`: the refused value's path in the request, such as
    /// `members[1].birth_date` or `capacity`, as `message` begins with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `invalid_input` and `invalid_body`: what the value was expected to be, where it is one of the kinds a
    /// page words in its own language (`message` says it in English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Expected>,
}
