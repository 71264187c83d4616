//! Time windows at rendezvous points, with their load.
//!
//! Must not depend on: other resource modules. A window's rules are the domain's
//! (`WindowSpec`).

use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, Created, parse_time, time_text};
use safeconduct_domain::model::WindowSpec;
use safeconduct_domain::*;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/windows", Roles(COORDINATOR), h::create_window, "Open a time window at a rendezvous point", body: WindowIn => json::<WindowOut>(201)),
        endpoint!(GET "/api/operations/{op}/windows", Roles(COORDINATOR), h::windows, "Windows of the operation with their load" => json::<Vec<WindowOut>>(200)),
        endpoint!(PATCH "/api/operations/{op}/windows/{window}", Roles(COORDINATOR), h::change_window, "Change a window's places (never below the people assigned in it) or move it in time (to end after now): each household still to come is sent the new times, and one holding a pass is issued a new pass for them, the old one superseded", body: WindowChangeIn => json::<WindowChangedOut>(200)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowIn {
    pub rv_id: i64,
    /// RFC 3339 time.
    pub start: String,
    /// RFC 3339 time, after `start`, at most 24 hours later.
    pub end: String,
    #[schemars(range(min = 1, max = safeconduct_domain::places::Capacity::WINDOW_MAX))]
    pub capacity: u32,
}

/// What changes: its places, its times, or both; at least one. A value the window already
/// has changes nothing.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowChangeIn {
    /// RFC 3339 time.
    pub start: Option<String>,
    /// RFC 3339 time, after `start` (the new one, or the window's), at most 24 hours later,
    /// and after now.
    pub end: Option<String>,
    #[schemars(range(min = 1, max = safeconduct_domain::places::Capacity::WINDOW_MAX))]
    pub capacity: Option<u32>,
}

#[derive(Deserialize)]
pub struct WindowPath {
    window: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct WindowOut {
    pub id: i64,
    pub rv_id: i64,
    pub start: String,
    pub end: String,
    pub capacity: u32,
    pub assigned_people: u32,
}

/// A window as changed, and how many households were issued a new pass for its new times.
#[derive(Serialize, JsonSchema)]
pub struct WindowChangedOut {
    #[serde(flatten)]
    pub window: WindowOut,
    pub passes_issued: u32,
}

impl From<store::WindowChanged> for WindowChangedOut {
    fn from(c: store::WindowChanged) -> Self {
        WindowChangedOut {
            window: c.window.into(),
            passes_issued: c.passes_issued,
        }
    }
}

impl From<store::Window> for WindowOut {
    fn from(w: store::Window) -> Self {
        WindowOut {
            id: w.id.0,
            rv_id: w.rv.0,
            start: time_text(w.spec.start),
            end: time_text(w.spec.end),
            capacity: w.spec.capacity.get(),
            assigned_people: w.assigned_people,
        }
    }
}

pub async fn create_window(call: Call, ApiJson(body): ApiJson<WindowIn>) -> Created<WindowOut> {
    let spec = WindowSpec::new(
        parse_time("start", &body.start)?,
        parse_time("end", &body.end)?,
        body.capacity,
    )?;
    let rv = RvId(body.rv_id);
    call.create(move |s, id, actor| s.create_window(id, rv, spec, actor))
        .await
}

pub async fn windows(call: Call) -> Answer<Vec<WindowOut>> {
    call.list(|s, id| s.windows(id)).await
}

/// Changes a window's places (never fewer than the people assigned in it) or moves it in
/// time, its passes issued again for the new times.
pub async fn change_window(
    call: Call<WindowPath>,
    ApiJson(body): ApiJson<WindowChangeIn>,
) -> Answer<WindowChangedOut> {
    if body.start.is_none() && body.end.is_none() && body.capacity.is_none() {
        return Err(crate::ApiError::body(
            "give the window's new start, end or capacity (at least one)",
        ));
    }
    let time =
        |field, value: &Option<String>| value.as_deref().map(|t| parse_time(field, t)).transpose();
    let change = store::WindowChange {
        start: time("start", &body.start)?,
        end: time("end", &body.end)?,
        capacity: body.capacity.map(store::Capacity::window).transpose()?,
    };
    let window = WindowId(call.path.window);
    let keyring = call.app.keyring().clone();
    call.change(move |s, id, actor| keyring.change_window(s, id, window, &change, actor))
        .await
}
