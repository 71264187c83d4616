//! The router the server holds: one `safeconduct_route::Router` loaded at start (from the
//! extract `serve --osm` names), kept in step with the hazards of the store — every stored
//! hazard of every operation, applied at start, after every hazard change this server makes,
//! and on a short tick (for changes made through another server and for hazards that begin
//! or expire) — and the positions a caller states (coordinates or a landmark).
//!
//! Must not depend on: the resource modules (they call it). The routing is the route crate's;
//! which places a hazard suspends is the store's.

use crate::{ApiError, App, now};
use axum::http::StatusCode;
use safeconduct_domain::OperationId;
use safeconduct_domain::values::{Coordinate, Language};
use safeconduct_route::{Hazard, RouteError, Router};
use safeconduct_store::StoreError;
use std::sync::Arc;

/// How often every server re-reads the hazards and lets those that begin or expire act.
pub const HAZARD_SYNC_SECONDS: u64 = 10;

/// The router's name for a stored hazard. A hazard is a fact about the streets whichever
/// operation reported it, so every operation's hazards shape every route; the id keeps the
/// operation so an answer can name the hazard in its own operation.
pub(crate) fn route_hazard_id(op: OperationId, hazard: i64) -> String {
    format!("{}:{hazard}", op.0)
}

/// The stored hazard id of a router hazard of `op`, `None` for another operation's.
pub(crate) fn stored_hazard_id(op: OperationId, id: &str) -> Option<i64> {
    let (of, hazard) = id.split_once(':')?;
    (of.parse::<i64>().ok()? == op.0)
        .then(|| hazard.parse().ok())
        .flatten()
}

impl App {
    /// Serves routes from `router`, whose hazards follow the store's.
    pub fn with_router(mut self, router: Arc<Router>) -> Self {
        self.router = Some(router);
        self
    }

    /// The router, or 503 when this server was started without a street extract.
    pub(crate) fn router(&self) -> Result<Arc<Router>, ApiError> {
        self.router.clone().ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "routing_unavailable",
                "this server was started without a street extract (serve --osm FILE)",
            )
        })
    }

    /// Brings the router's hazards in line with the store's; re-customises only when they
    /// differ or one began or expired. Returns whether the router changed.
    pub async fn sync_hazards(&self) -> Result<bool, ApiError> {
        let Some(router) = self.router.clone() else {
            return Ok(false);
        };
        let stored = self
            .run(|s| {
                let mut all = Vec::new();
                for operation in s.operations()? {
                    match s.hazards(operation.id) {
                        Ok(hazards) => all.extend(hazards.into_iter().map(|h| (operation.id, h))),
                        Err(StoreError::Shredded(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(all)
            })
            .await?;
        let hazards: Vec<Hazard> = stored
            .iter()
            .filter_map(|(op, h)| {
                Hazard::circle(
                    route_hazard_id(*op, h.id.0),
                    h.location,
                    f64::from(h.radius_m),
                    h.severity,
                    Some(h.valid_from),
                    h.valid_until,
                )
                .inspect_err(|e| tracing::warn!(error = %e, "a stored hazard does not route"))
                .ok()
            })
            .collect();
        // Customising takes a fraction of a second of CPU: off the request loop.
        tokio::task::spawn_blocking(move || {
            if router.hazards() != hazards {
                router.set_hazards(hazards, now());
                true
            } else {
                router.refresh(now())
            }
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "hazard sync task failed");
            ApiError::internal()
        })
    }
}

/// The tick: every `seconds`.
pub(crate) async fn sync_every(app: App, seconds: u64) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(seconds));
    loop {
        ticks.tick().await;
        if let Err(e) = app.sync_hazards().await {
            tracing::warn!(
                code = e.code,
                "could not bring the router's hazards up to date"
            );
        }
    }
}

/// A position as a caller states it: `from=LAT,LON`, or a landmark of the extract's
/// gazetteer. Returns the coordinate and the landmark's name when one was used.
pub(crate) fn stated_position(
    router: &Router,
    from: Option<&str>,
    landmark: Option<&str>,
) -> Result<(Coordinate, Option<String>), ApiError> {
    let invalid = |message: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_position",
            message,
        )
    };
    match (from, landmark) {
        (Some(text), None) => {
            let (lat, lon) = text
                .split_once(',')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                .ok_or_else(|| invalid(format!("from: {text:?} is not LAT,LON")))?;
            Ok((Coordinate::new(lat, lon)?, None))
        }
        (None, Some(name)) => router
            .network()
            .gazetteer()
            .find(name)
            .map(|p| (p.at, Some(p.name.in_language(Language::English).to_owned())))
            .ok_or_else(|| invalid(format!("landmark: no place called {name:?} on the map"))),
        _ => Err(invalid(
            "give exactly one of from (LAT,LON) or landmark".into(),
        )),
    }
}

/// A routing refusal as an answer: no route is a fact about the streets (422), a position off
/// the map is the caller's (422).
pub(crate) fn route_error(e: RouteError) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_route", e.to_string())
}
