//! The open endpoints that speak of the service itself: whether it is up, and its OpenAPI
//! document.
//!
//! Must not depend on: other resource modules, or the OpenAPI generator: the document, built
//! from the whole table, is handed to the handler by the router (`ApiDocument`).

use crate::App;
use crate::endpoints::{Access::Open, Endpoint, endpoint, json};
use crate::wire::Answer;
use axum::extract::State;
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/healthz", Open, h::healthz, "Answers 200 when the store is reachable" => json::<HealthOut>(200)),
        endpoint!(GET "/api/openapi.json", Open, h::openapi, "This API's OpenAPI document" => json::<serde_json::Value>(200)),
    ]
}

#[derive(Serialize, JsonSchema)]
pub struct HealthOut {
    pub status: String,
}

/// This API's OpenAPI document, built once with the router.
#[derive(Clone)]
pub struct ApiDocument(pub Arc<serde_json::Value>);

pub async fn healthz(State(app): State<App>) -> Answer<HealthOut> {
    app.run(|s| s.ping()).await?;
    Ok(Json(HealthOut {
        status: "ok".into(),
    }))
}

pub async fn openapi(Extension(document): Extension<ApiDocument>) -> Json<serde_json::Value> {
    Json(document.0.as_ref().clone())
}
