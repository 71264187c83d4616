//! Flights and their manifests: scheduling, putting a processed household on a manifest
//! (never over capacity), and the manifest as CSV or as a printable page (bulk exports of
//! personal data: the authorisation layer requires a stated reason).
//!
//! Must not depend on: other resource modules but `lifecycle` (manifesting is a step). The
//! CSV and the page are drawn in `pages`.

use super::lifecycle::step;
use crate::ApiError;
use crate::endpoints::{
    AIRLIFT, Access::Roles, COORDINATOR, Endpoint, MANIFEST, Reply, endpoint, json,
};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CaseChoice, Created, StepOut, parse_time, text, time_text};
use axum::response::Response;
use safeconduct_domain::*;
use safeconduct_store as store;
use safeconduct_store::CaseRequest;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/flights", Roles(AIRLIFT), h::create_flight, "Schedule a flight", body: FlightIn => json::<FlightOut>(201)),
        endpoint!(GET "/api/operations/{op}/flights", Roles(AIRLIFT), h::flights, "Flights with their load" => json::<Vec<FlightOut>>(200)),
        endpoint!(PATCH "/api/operations/{op}/flights/{flight}", Roles(AIRLIFT), h::change_flight, "Change a flight's number, departure or capacity (never below the people on its manifest)", body: FlightChangeIn => json::<FlightOut>(200)),
        endpoint!(DELETE "/api/operations/{op}/flights/{flight}", Roles(AIRLIFT), h::cancel_flight, "Cancel a flight nobody is manifested on; answers it as it was" => json::<FlightOut>(200)),
        endpoint!(POST "/api/operations/{op}/flights/{flight}/manifest", Roles(MANIFEST), h::manifest_case, "Put a processed household on a flight's manifest (never over capacity)", body: CaseChoice => json::<StepOut>(200)),
        endpoint!(GET "/api/operations/{op}/flights/{flight}/manifest.csv", Roles(COORDINATOR), h::manifest_csv, "The flight manifest as CSV (a bulk export: state the reason in X-Reason)" => Reply::Csv),
        endpoint!(GET "/api/operations/{op}/flights/{flight}/manifest.html", Roles(COORDINATOR), h::manifest_html, "The flight manifest as a printable page (a bulk export: state the reason in X-Reason)" => Reply::Html),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlightIn {
    #[schemars(length(min = 1, max = 20))]
    pub number: String,
    /// RFC 3339 time.
    pub departs_at: String,
    #[schemars(range(min = 1, max = safeconduct_domain::places::Capacity::FLIGHT_MAX))]
    pub capacity: u32,
}

/// What changes: any of the three, at least one. A value the flight already has changes
/// nothing.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlightChangeIn {
    #[schemars(length(min = 1, max = 20))]
    pub number: Option<String>,
    /// RFC 3339 time, after now.
    pub departs_at: Option<String>,
    #[schemars(range(min = 1, max = safeconduct_domain::places::Capacity::FLIGHT_MAX))]
    pub capacity: Option<u32>,
}

#[derive(Serialize, JsonSchema)]
pub struct FlightOut {
    pub id: i64,
    pub number: String,
    pub departs_at: String,
    pub capacity: u32,
    pub manifested_people: u32,
    pub boarded_people: u32,
}

impl From<store::Flight> for FlightOut {
    fn from(f: store::Flight) -> Self {
        FlightOut {
            id: f.id.0,
            number: f.number,
            departs_at: time_text(f.departs_at),
            capacity: f.capacity.get(),
            manifested_people: f.manifested_people,
            boarded_people: f.boarded_people,
        }
    }
}

#[derive(Deserialize)]
pub struct FlightPath {
    flight: i64,
}

pub async fn manifest_case(
    call: Call<FlightPath>,
    ApiJson(body): ApiJson<CaseChoice>,
) -> Answer<StepOut> {
    let request = CaseRequest::Manifest {
        flight: FlightId(call.path.flight),
    };
    step(call.app, call.caller, &body.reference, request).await
}

/// The manifest of the flight named in the path, drawn by `page`.
async fn manifest(
    call: Call<FlightPath>,
    page: fn(&store::Manifest) -> Response,
) -> Result<Response, ApiError> {
    let (id, flight) = (call.caller.operation, FlightId(call.path.flight));
    let m = call.app.run(move |s| s.manifest(id, flight)).await?;
    Ok(page(&m))
}

pub async fn manifest_csv(call: Call<FlightPath>) -> Result<Response, ApiError> {
    manifest(call, crate::pages::manifest::csv).await
}

pub async fn manifest_html(call: Call<FlightPath>) -> Result<Response, ApiError> {
    manifest(call, crate::pages::manifest::html).await
}

/// Schedules a flight that departs after now; the same number at the same time again is
/// refused (`flight_already_scheduled`: a form sent twice).
pub async fn create_flight(call: Call, ApiJson(body): ApiJson<FlightIn>) -> Created<FlightOut> {
    let flight = store::NewFlight::new(
        text("number", &body.number, 20)?,
        parse_time("departs_at", &body.departs_at)?,
        store::Capacity::flight(body.capacity)?,
        crate::now(),
    )?;
    call.create(move |s, id, actor| s.create_flight(id, &flight, actor))
        .await
}

/// Changes a flight (a delay, a time or number put right, seats added or taken away): the
/// people on its manifest keep their seats, and it does not become a flight already
/// scheduled.
pub async fn change_flight(
    call: Call<FlightPath>,
    ApiJson(body): ApiJson<FlightChangeIn>,
) -> Answer<FlightOut> {
    if body.number.is_none() && body.departs_at.is_none() && body.capacity.is_none() {
        return Err(crate::ApiError::body(
            "give the flight's new number, departs_at or capacity (at least one)",
        ));
    }
    let change = store::FlightChange::new(
        body.number
            .as_deref()
            .map(|n| text("number", n, 20))
            .transpose()?,
        body.departs_at
            .as_deref()
            .map(|t| parse_time("departs_at", t))
            .transpose()?,
        body.capacity.map(store::Capacity::flight).transpose()?,
        crate::now(),
    )?;
    let flight = FlightId(call.path.flight);
    call.change(move |s, id, actor| s.change_flight(id, flight, &change, actor))
        .await
}

/// Cancels a flight nobody is manifested on (`flight_has_manifest` otherwise).
pub async fn cancel_flight(call: Call<FlightPath>) -> Answer<FlightOut> {
    let flight = FlightId(call.path.flight);
    call.change(move |s, id, actor| s.cancel_flight(id, flight, actor))
        .await
}

pub async fn flights(call: Call) -> Answer<Vec<FlightOut>> {
    call.list(|s, id| s.flights(id)).await
}
