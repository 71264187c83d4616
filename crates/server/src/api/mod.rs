//! The API, one module per resource. Each resource module owns its rows of the endpoint table
//! (`endpoints()`), its request and response types, and its handlers; this module only merges
//! the rows into the one table ([`endpoints`]) and builds the router from it, with the
//! authorisation layer on every endpoint that is not open.
//!
//! Must not depend on: the OpenAPI document (built from the merged table, handed to the
//! router from outside). A resource module may use another's step (`lifecycle::step`) or type,
//! never its handlers' internals; none uses this module.

mod audit;
mod batches;
pub mod counts;
mod devices;
pub mod docs;
mod flights;
mod gates;
mod hazards;
pub mod hotline;
pub mod households;
mod keys;
mod lifecycle;
mod live;
mod map;
mod operations;
mod pass_links;
mod passes;
mod plans;
mod routes;
mod rvs;
mod scans;
mod sessions;
mod users;
mod windows;

use crate::endpoints::{AUDITED_BY_HANDLER, Access, Audited, CASE_PARTS, Endpoint, LOOKUPS};
use crate::{App, auth};
use axum::Router;
use axum::middleware::from_fn_with_state;

/// The API: every endpoint, once. Open endpoints first.
pub fn endpoints() -> Vec<Endpoint> {
    [
        docs::endpoints(),
        sessions::endpoints(),
        pass_links::endpoints(),
        operations::endpoints(),
        households::endpoints(),
        lifecycle::endpoints(),
        passes::endpoints(),
        plans::endpoints(),
        keys::endpoints(),
        batches::endpoints(),
        devices::endpoints(),
        scans::endpoints(),
        rvs::endpoints(),
        users::endpoints(),
        gates::endpoints(),
        windows::endpoints(),
        flights::endpoints(),
        hazards::endpoints(),
        routes::endpoints(),
        map::endpoints(),
        hotline::endpoints(),
        live::endpoints(),
        counts::endpoints(),
        audit::endpoints(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Builds the router from the table, with the authorisation layer (and the audit of reads of
/// personal data and of lists of cases) on every endpoint that is not open.
pub fn router(app: App) -> Router {
    let mut router: Router<App> = Router::new();
    for e in endpoints() {
        let audited = e.is_audited().then_some(Audited {
            reason_required: e.is_bulk_export(),
            by_handler: AUDITED_BY_HANDLER.contains(&e.operation_id),
        });
        let lookup = match (
            LOOKUPS.contains(&e.operation_id),
            CASE_PARTS.contains(&e.operation_id),
        ) {
            (false, _) => auth::Lookup::No,
            (true, false) => auth::Lookup::Case,
            (true, true) => auth::Lookup::PartOfCase,
        };
        let route = match e.access {
            Access::Open => e.router,
            access => {
                e.router
                    .route_layer(from_fn_with_state(app.clone(), move |state, req, next| {
                        let endpoint = auth::Named {
                            action: e.operation_id,
                            path: e.path,
                        };
                        auth::authorise(state, access, audited, lookup, endpoint, req, next)
                    }))
            }
        };
        router = router.route(e.path, route);
    }
    router.with_state(app)
}

#[cfg(test)]
mod tests {
    use super::endpoints;
    use crate::endpoints::Access;

    /// A handler of an endpoint for some roles gets its operation from the authorisation
    /// layer, which finds it in the path: every such endpoint names `{op}`.
    #[test]
    fn every_endpoint_for_roles_names_its_operation() {
        for e in endpoints() {
            if let Access::Roles(_) = e.access {
                assert!(e.path.starts_with("/api/operations/{op}"), "{}", e.path);
            }
        }
    }

    #[test]
    fn every_endpoint_is_in_the_table_once() {
        let mut seen: Vec<(String, &str)> = endpoints()
            .iter()
            .map(|e| (e.method.to_string(), e.path))
            .collect();
        let all = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), all);
        let mut ids: Vec<&str> = endpoints().iter().map(|e| e.operation_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all);
    }
}
