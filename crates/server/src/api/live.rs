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
        endpoint!(GET "/api/operations/{op}/live", Roles(LIVE), h::live, "Live changes from every server, as server-sent events: `change` (coordinators: all; escorts: at their RVs, up to the gate; gate staff: at their gates, up to processing; manifest officers: flights and their loads, without places), and `resync` when changes may have been missed (read the counts again)" => Reply::Events(schema::<LiveChange>)),
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

/// How often a quiet stream checks that its caller may still receive it.
const RECHECK: std::time::Duration =
    std::time::Duration::from_secs(crate::auth::SESSION_CACHE_SECONDS);

/// Server-sent events of the changes committed to this operation by any server sharing the
/// store. Coordinators see every change; escorts the changes at their rendezvous points, gate
/// staff at their gates (a batch on its way, an arrival), each within their part of the
/// journey ([`in_their_part`]); manifest officers the changes of
/// flights and their loads (a flight scheduled, changed or deleted, a household manifested or
/// boarded), without the places a case came through. No personal data is sent. A
/// `resync` event says changes may have been missed (the client fell behind, or this server's
/// feed from the database broke and was restored): the client reads its counts again.
/// The stream ends when the caller signs out, the session expires, or the caller's role or
/// places change: the client signs in or reconnects to go on with what it may now see.
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
    let state = (receiver, app, caller);
    let stream = futures_util::stream::unfold(state, move |(mut rx, app, caller)| {
        let places = places.clone();
        async move {
            loop {
                // The caller is checked again before every event and at least every few
                // seconds without one: the stream ends at sign-out, at the session's expiry,
                // when the role is taken away or the caller's places change.
                let next = tokio::time::timeout(RECHECK, rx.recv()).await;
                if !crate::auth::still_entitled(&app, &caller).await {
                    return None;
                }
                let event = match next {
                    Err(_quiet) => continue,
                    Ok(Ok(safeconduct_store::Feed::Change(change))) => {
                        let visible = change.operation == id
                            && match role {
                                Role::Gate => {
                                    change.gate.is_some_and(|g| places.gates.contains(&g))
                                        && in_their_part(role, change.stage)
                                }
                                Role::Escort => {
                                    change.rv.is_some_and(|r| places.rvs.contains(&r))
                                        && in_their_part(role, change.stage)
                                }
                                Role::Coordinator => true,
                                Role::Manifest => of_flights(&change),
                                // Not given the stream by its row; if they were, they would
                                // see nothing until someone decided what they may see.
                                Role::Hotline | Role::Auditor => false,
                            };
                        if !visible {
                            continue;
                        }
                        let mut sent = LiveChange::from(change);
                        if role == Role::Manifest {
                            // Where a passenger came from is not the airfield's to know.
                            (sent.rv_id, sent.gate_id, sent.batch_id) = (None, None, None);
                        }
                        Event::default()
                            .event("change")
                            .json_data(sent)
                            .unwrap_or_else(|_| Event::default().comment("unencodable change"))
                    }
                    Ok(Ok(safeconduct_store::Feed::Missed)) => Event::default()
                        .event("resync")
                        .data("the server's change feed was interrupted"),
                    // How many were missed is not said: the feed carries every operation's
                    // changes, and the number would count others' activity.
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {
                        Event::default()
                            .event("resync")
                            .data("changes were not sent in time")
                    }
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return None,
                };
                return Some((Ok(event), (rx, app, caller)));
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Whether an escort or gate staff hear a household's change to `stage`: only within the part
/// of the journey their place holds. An escort follows a household from its window to the
/// gate (and hears it unaccounted on the way, their custody); gate staff from the batch on
/// its way to processing. What became of one household after that (manifested, boarded,
/// withdrawn when found elsewhere…) is not theirs to learn one at a time; their pages read
/// their counts again every half minute all the same. Changes that are not a household's
/// (`stage` is `None`: a batch closed, a place suspended) are heard as before.
fn in_their_part(role: Role, stage: Option<Stage>) -> bool {
    use Stage as S;
    let Some(stage) = stage else { return true };
    match role {
        Role::Escort => matches!(
            stage,
            S::Assigned
                | S::PassIssued
                | S::Reassigned
                | S::NoShow
                | S::AdmittedAtRv
                | S::InEscort
                | S::ArrivedAtGate
                | S::Unaccounted
        ),
        Role::Gate => matches!(
            stage,
            S::InEscort | S::ArrivedAtGate | S::Processed | S::Unaccounted
        ),
        _ => true,
    }
}

/// A change of a flight or of its load: what a manifest officer hears.
fn of_flights(change: &store::Change) -> bool {
    change.kind.starts_with("flight_")
        || matches!(change.stage, Some(Stage::Manifested | Stage::Boarded))
}
