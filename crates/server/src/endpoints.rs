//! The shape of the endpoint table: an endpoint's method, path, who may call it, what it takes
//! and returns (`Endpoint`, `Access`, `Reply`, the `endpoint!` macro), the role sets, and the
//! lists of endpoints the authorisation layer treats specially. Each resource module in
//! `api/` contributes its rows; `api::endpoints` merges them into the one table from which the
//! router, the authorisation layer and the OpenAPI document are all built, so an endpoint
//! cannot exist without a stated set of roles.
//!
//! Must not depend on: any resource module (`api/…`), the authorisation layer, the OpenAPI
//! document. It knows the table's shape, not its rows.

use crate::App;
use axum::http::Method;
use axum::routing::MethodRouter;
use safeconduct_domain::Role;
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials.
    Open,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users holding one of these roles in the operation named in the path.
    Roles(&'static [Role]),
}

pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// What a successful call returns.
#[derive(Clone, Copy)]
pub enum Reply {
    Json {
        status: u16,
        schema: SchemaFn,
    },
    /// A stream of server-sent events whose data is this JSON.
    Events(SchemaFn),
    Csv,
    Html,
    Svg,
    Png,
    NoContent,
}

/// One row of the table. `operation_id` is the stable name of the endpoint (`h::household`,
/// `ph::pass`): the action recorded in the audit log for a read of personal data, and, less
/// its `h::`, the OpenAPI operation id. It names no module and stays as it is when a handler
/// moves.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub access: Access,
    pub summary: &'static str,
    pub query: &'static [&'static str],
    pub request: Option<SchemaFn>,
    /// The body may be left out (the handler takes [`crate::extract::OptionalJson`]): the
    /// OpenAPI document marks it not required.
    pub body_optional: bool,
    pub reply: Reply,
    pub router: MethodRouter<App>,
}

pub fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

pub const COORDINATOR: &[Role] = &[Role::Coordinator];
pub const CASEWORK: &[Role] = &[Role::Coordinator, Role::Hotline];
pub const ESCORT: &[Role] = &[Role::Escort];
pub const GATE: &[Role] = &[Role::Gate];
pub const MANIFEST: &[Role] = &[Role::Manifest];
pub const RV_PARTIES: &[Role] = &[Role::Coordinator, Role::Escort];
pub const GATE_PARTIES: &[Role] = &[Role::Coordinator, Role::Gate];
pub const AIRLIFT: &[Role] = &[Role::Coordinator, Role::Manifest];
pub const OVERSIGHT: &[Role] = &[Role::Coordinator, Role::Auditor];
pub const AUDITOR: &[Role] = &[Role::Auditor];
pub const BATCH_PARTIES: &[Role] = &[Role::Coordinator, Role::Escort, Role::Gate];
pub const NO_SHOW: &[Role] = &[Role::Coordinator, Role::Escort];
pub const ANY_ROLE: &[Role] = &Role::ALL;
pub const LIVE: &[Role] = &[Role::Coordinator, Role::Escort, Role::Gate, Role::Manifest];
pub const FIELD: &[Role] = &[Role::Escort, Role::Gate];

/// One row: `endpoint!(GET "/path", access, h::handler, "summary", query: [...], body: Type
/// => reply)`, or instead of `body:`, `optional body: Type` for a body the handler takes as
/// [`crate::extract::OptionalJson`]. The handler is a function in scope named as the last
/// segment; `h::handler` as a whole is the row's operation id.
macro_rules! endpoint {
    ($method:ident $path:literal, $access:expr, $ns:ident :: $handler:ident, $summary:literal
     $(, query: [$($q:literal),*])? $(, body: $req:ty)? => $reply:expr) => {
        $crate::endpoints::endpoint!(@row $method $path, $access, $ns::$handler, $summary,
            [$($($q),*)?],
            None $(.or(Some($crate::endpoints::schema::<$req> as $crate::endpoints::SchemaFn)))?,
            false, $reply)
    };
    ($method:ident $path:literal, $access:expr, $ns:ident :: $handler:ident, $summary:literal
     $(, query: [$($q:literal),*])?, optional body: $opt:ty => $reply:expr) => {
        $crate::endpoints::endpoint!(@row $method $path, $access, $ns::$handler, $summary,
            [$($($q),*)?],
            Some($crate::endpoints::schema::<$opt> as $crate::endpoints::SchemaFn),
            true, $reply)
    };
    (@row $method:ident $path:literal, $access:expr, $ns:ident :: $handler:ident,
     $summary:literal, [$($q:literal),*], $request:expr, $optional:expr, $reply:expr) => {
        $crate::endpoints::Endpoint {
            method: ::axum::http::Method::$method,
            path: $path,
            operation_id: concat!(stringify!($ns), "::", stringify!($handler)),
            access: $access,
            summary: $summary,
            query: &[$($q),*],
            request: $request,
            body_optional: $optional,
            reply: $reply,
            router: ::axum::routing::on(::axum::routing::MethodFilter::$method, $handler),
        }
    };
}
pub(crate) use endpoint;

/// A JSON answer of type `T` with this status.
pub fn json<T: JsonSchema>(status: u16) -> Reply {
    Reply::Json {
        status,
        schema: schema::<T>,
    }
}

/// Endpoints whose answer carries personal data (names, phones, documents, dates of birth),
/// or a pass or a key that stands for it. Each call is written to the audit log before it
/// runs.
pub const PERSONAL_DATA_READS: &[&str] = &[
    "h::household",
    "h::case_events",
    "h::lookup",
    "h::manifest_csv",
    "h::manifest_html",
    "ph::pass",
    "ph::pass_svg",
    "ph::pass_png",
    "ph::pass_sheet",
    "ph::field_kit",
    "h::device_kit",
    "h::custody_chain",
    "h::hotline_case",
    "h::case_route",
    "h::case_calls",
    "h::case_messages",
    "h::log_call",
];

/// Lists of cases that carry no personal data (references, sizes, places, priority flags) but
/// say which cases someone looked at: each page read is written to the audit log by its
/// handler, naming what was asked and the references it returned, as a lookup's entry names
/// the cases it found.
pub const AUDITED_LISTS: &[&str] = &["h::cases_in_stage", "h::open_alarms", "h::hotline_worklist"];

/// Bulk exports of personal data: coordinators only (stated in the table), and refused unless
/// the caller states a reason in `X-Reason`, which goes into the audit log.
pub const BULK_EXPORTS: &[&str] = &["h::manifest_csv", "h::manifest_html"];

impl Endpoint {
    pub fn reads_personal_data(&self) -> bool {
        PERSONAL_DATA_READS.contains(&self.operation_id)
    }

    /// Each call is written to the audit log: a read of personal data, or a list of cases.
    pub fn is_audited(&self) -> bool {
        self.reads_personal_data() || AUDITED_LISTS.contains(&self.operation_id)
    }

    pub fn is_bulk_export(&self) -> bool {
        BULK_EXPORTS.contains(&self.operation_id)
    }

    pub fn takes_idempotency_key(&self) -> bool {
        IDEMPOTENT.contains(&self.operation_id)
    }
}

/// Endpoints whose handler reads an `Idempotency-Key` ([`crate::extract::KeyedJson`]): sent
/// again with the same key, the request gets its first answer and takes effect once.
pub const IDEMPOTENT: &[&str] = &["h::register"];

/// Endpoints that answer with one case (found by phone or reference, or named in the path):
/// rate-limited per user ([`crate::limits::Limits::lookups_per_minute`]), whichever of them is
/// called and with whichever of the user's tokens.
pub const LOOKUPS: &[&str] = &[
    "h::household",
    "h::case_events",
    "h::custody_chain",
    "h::lookup",
    "ph::pass",
    "ph::pass_svg",
    "ph::pass_png",
    "ph::pass_sheet",
    "h::hotline_case",
    "h::case_route",
    "h::case_calls",
    "h::case_messages",
    "h::log_call",
];

/// Of the [`LOOKUPS`], the hotline console's reads of parts of the case it has open (its
/// calls, its messages, the route to it) and the call it logs on it (whose answer tells
/// whether the case exists and, with a route to send, whether the household still walks to
/// its RV): free within a minute of the same user's counted read of that case by its
/// reference, so that opening a case costs one read, not five, and the operator guiding a
/// caller is not held back. A part read first is counted.
pub const CASE_PARTS: &[&str] = &[
    "h::case_calls",
    "h::case_messages",
    "h::case_route",
    "h::log_call",
];

/// Audited reads whose cases only the handler knows (a lookup by phone finds any number of
/// them; a page of a list holds what the store returned): the authorisation layer hands the
/// entry to the handler ([`crate::read_audit::PendingReadAudit`]), which writes it with the
/// references of the cases found before it answers.
pub const AUDITED_BY_HANDLER: &[&str] = &[
    "h::lookup",
    "h::cases_in_stage",
    "h::open_alarms",
    "h::hotline_worklist",
];

/// How the authorisation layer audits an endpoint's reads (the entry's action and record are
/// the endpoint's name and path, [`crate::auth::Named`]).
#[derive(Debug, Clone, Copy)]
pub struct Audited {
    pub reason_required: bool,
    /// The handler writes the entry ([`AUDITED_BY_HANDLER`]).
    pub by_handler: bool,
}
