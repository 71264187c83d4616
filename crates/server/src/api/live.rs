//! The live stream: server-sent events of the changes committed to an operation by any server
//! sharing the store, filtered to the caller's places. No personal data is sent.
//!
//! Must not depend on: other resource modules.

use crate::ApiError;
use crate::endpoints::{Access::Roles, Endpoint, LIVE, Reply, endpoint, schema};
use crate::extract::Call;
use safeconduct_domain::*;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::Serialize;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations/{op}/live", Roles(LIVE), h::live, "Live changes from every server, as server-sent events: `change` (coordinators: all; escorts: at RVs; gate staff: at gates), and `resync` when changes may have been missed (read the counts again)" => Reply::Events(schema::<LiveChange>)),
    ]
}

/// One change, as sent on the live stream.
#[derive(Serialize, JsonSchema)]
pub struct LiveChange {
    /// The kind of change: a lifecycle step (`admit_at_rv`, `depart_in_escort`…),
    /// `registered`, `batch_closed`, `rv_suspended`, `gate_status`…
    pub kind: String,
    pub stage: Option<Stage>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub batch_id: Option<i64>,
}

impl From<store::Change> for LiveChange {
    fn from(c: store::Change) -> Self {
        LiveChange {
            kind: c.kind,
            stage: c.stage,
            rv_id: c.rv.map(|x| x.0),
            gate_id: c.gate.map(|x| x.0),
            batch_id: c.batch.map(|x| x.0),
        }
    }
}

/// Server-sent events of the changes committed to this operation by any server sharing the
/// store. Coordinators see every change; escorts the changes at rendezvous points; gate staff
/// the changes at gates (a batch on its way, an arrival). No personal data is sent. A
/// `resync` event says changes may have been missed (the client fell behind, or this server's
/// feed from the database broke and was restored): the client reads its counts again.
pub async fn live(
    call: Call,
) -> Result<
    axum::response::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    let Call { app, caller, .. } = call;
    use axum::response::sse::{Event, KeepAlive, Sse};
    let id = caller.operation;
    let role = caller.role;
    let places = std::sync::Arc::new(caller.places.clone().unwrap_or_default());
    let receiver = app.store().subscribe();
    let stream = futures_util::stream::unfold(receiver, move |mut rx| {
        let places = places.clone();
        async move {
            loop {
                match rx.recv().await {
                    Ok(safeconduct_store::Feed::Change(change)) => {
                        let visible = change.operation == id
                            && match role {
                                Role::Gate => {
                                    change.gate.is_some_and(|g| places.gates.contains(&g))
                                }
                                Role::Escort => change.rv.is_some_and(|r| places.rvs.contains(&r)),
                                _ => true,
                            };
                        if !visible {
                            continue;
                        }
                        let event = Event::default()
                            .event("change")
                            .json_data(LiveChange::from(change))
                            .unwrap_or_else(|_| Event::default().comment("unencodable change"));
                        return Some((Ok(event), rx));
                    }
                    Ok(safeconduct_store::Feed::Missed) => {
                        let event = Event::default()
                            .event("resync")
                            .data("the server's change feed was interrupted");
                        return Some((Ok(event), rx));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                        let event = Event::default()
                            .event("resync")
                            .data(format!("{missed} changes were not sent in time"));
                        return Some((Ok(event), rx));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
