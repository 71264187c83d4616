//! Every endpoint in one table: its method, path, who may call it, what it takes and returns.
//! The router, the authorisation layer and the OpenAPI document are all built from this table,
//! so an endpoint cannot exist without a stated set of roles.

use crate::{App, auth, handlers as h, pass_handlers as ph};
use axum::Router;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};
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

pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub access: Access,
    pub summary: &'static str,
    pub query: &'static [&'static str],
    pub request: Option<SchemaFn>,
    pub reply: Reply,
    pub router: MethodRouter<App>,
}

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

const COORDINATOR: &[Role] = &[Role::Coordinator];
const CASEWORK: &[Role] = &[Role::Coordinator, Role::Hotline];
const ESCORT: &[Role] = &[Role::Escort];
const GATE: &[Role] = &[Role::Gate];
const MANIFEST: &[Role] = &[Role::Manifest];
const RV_PARTIES: &[Role] = &[Role::Coordinator, Role::Escort];
const GATE_PARTIES: &[Role] = &[Role::Coordinator, Role::Gate];
const AIRLIFT: &[Role] = &[Role::Coordinator, Role::Manifest];
const OVERSIGHT: &[Role] = &[Role::Coordinator, Role::Auditor];
const BATCH_PARTIES: &[Role] = &[Role::Coordinator, Role::Escort, Role::Gate];
const NO_SHOW: &[Role] = &[Role::Coordinator, Role::Escort];
const ANY_ROLE: &[Role] = &Role::ALL;
const LIVE: &[Role] = &[Role::Coordinator, Role::Escort, Role::Gate];
const FIELD: &[Role] = &[Role::Escort, Role::Gate];
/// The first role a caller holds decides the tier key of a field kit: escort, then gate.
const FIELD_KIT: &[Role] = &[Role::Escort, Role::Gate, Role::Coordinator];

macro_rules! endpoint {
    ($method:ident $path:literal, $access:expr, $handler:path, $summary:literal
     $(, query: [$($q:literal),*])? $(, body: $req:ty)? => $reply:expr) => {
        Endpoint {
            method: Method::$method,
            path: $path,
            operation_id: stringify!($handler),
            access: $access,
            summary: $summary,
            query: &[$($($q),*)?],
            request: None $(.or(Some(schema::<$req> as SchemaFn)))?,
            reply: $reply,
            router: on(MethodFilter::$method, $handler),
        }
    };
}

fn json<T: JsonSchema>(status: u16) -> Reply {
    Reply::Json {
        status,
        schema: schema::<T>,
    }
}

use crate::wire::*;
use Access::{Open, Roles, SignedIn};

/// The API.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/healthz", Open, h::healthz, "Answers 200 when the store is reachable" => json::<HealthOut>(200)),
        endpoint!(GET "/api/openapi.json", Open, h::openapi, "This API's OpenAPI document" => json::<serde_json::Value>(200)),
        endpoint!(POST "/api/sessions", Open, h::sign_in, "Sign in; returns a bearer token", body: SignIn => json::<SessionOut>(200)),
        endpoint!(DELETE "/api/sessions", SignedIn, h::sign_out, "Sign out; the token stops working" => Reply::NoContent),
        endpoint!(GET "/api/operations", SignedIn, h::my_operations, "Operations the caller holds a role in" => json::<Vec<OperationOut>>(200)),
        endpoint!(GET "/api/operations/{op}", Roles(ANY_ROLE), h::operation, "One operation and the caller's roles in it" => json::<OperationOut>(200)),
        endpoint!(POST "/api/operations/{op}/households", Roles(COORDINATOR), h::register, "Register a household with its members", body: RegisterHousehold => json::<RegisteredOut>(201)),
        endpoint!(GET "/api/operations/{op}/households/{reference}", Roles(CASEWORK), h::household, "One case, with its members and documents" => json::<HouseholdOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/events", Roles(OVERSIGHT), h::case_events, "The movement events of one case" => json::<Vec<EventOut>>(200)),
        endpoint!(GET "/api/operations/{op}/lookup", Roles(CASEWORK), h::lookup, "Find a case by phone number or reference (hotline)", query: ["phone", "reference"] => json::<LookupOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/members/{person}/documents", Roles(COORDINATOR), h::attach_document, "Attach an identity document to a member", body: DocumentIn => json::<CreatedOut>(201)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/verify-documents", Roles(COORDINATOR), h::verify_documents, "Record that every member's documents were verified" => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/eligibility", Roles(COORDINATOR), h::eligibility, "Decide eligibility: eligible with a category, or rejected with a reason", body: EligibilityIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/assign", Roles(COORDINATOR), h::assign, "Assign an eligible household to a window at a rendezvous point", body: WindowChoice => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/reassign", Roles(COORDINATOR), h::reassign, "Give a household a new window; any earlier pass is void", body: WindowChoice => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/pass", Roles(COORDINATOR), ph::issue_pass, "Issue the household's pass, or re-issue it (the earlier pass is superseded)" => json::<IssuedPassOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass", Roles(CASEWORK), ph::pass, "The household's latest pass: its text form and state" => json::<PassOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass.svg", Roles(CASEWORK), ph::pass_svg, "The household's latest pass as a QR code (SVG)" => Reply::Svg),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass.png", Roles(CASEWORK), ph::pass_png, "The household's latest pass as a QR code (PNG)" => Reply::Png),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass.html", Roles(CASEWORK), ph::pass_sheet, "A printable pass sheet with instructions in the household's language" => Reply::Html),
        endpoint!(POST "/api/operations/{op}/households/{reference}/pass/revoke", Roles(COORDINATOR), ph::revoke_pass, "Revoke the household's valid pass", body: ReasonIn => json::<RevokedOut>(200)),
        endpoint!(GET "/api/operations/{op}/keys", Roles(ANY_ROLE), ph::keys, "The operation's public pass keys as COSE_Key" => json::<KeySetOut>(200)),
        endpoint!(POST "/api/operations/{op}/keys/rotate", Roles(COORDINATOR), ph::rotate_keys, "Replace the signing key; a compromised key revokes every pass it signed, optionally re-issued at once", body: RotateIn => json::<RotationOut>(200)),
        endpoint!(GET "/api/operations/{op}/status-list", Roles(ANY_ROLE), ph::status_list, "The signed revocation status list, for field devices to refresh" => json::<StatusListOut>(200)),
        endpoint!(GET "/api/operations/{op}/field-kit", Roles(FIELD_KIT), ph::field_kit, "Keys, the caller's tier key and the status list, to verify passes offline (coordinators name the tier of the device they provision)", query: ["tier"] => json::<safeconduct_keys::passes::FieldKit>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/withdraw", Roles(CASEWORK), h::withdraw, "Withdraw a case at the household's request", body: ReasonIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/no-show", Roles(NO_SHOW), h::no_show, "Mark a household that missed its window" => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/rv-arrival", Roles(ESCORT), h::rv_arrival, "Admit a household at its rendezvous point", body: RvArrivalIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/processed", Roles(GATE), h::processed, "Record that an arrived household was processed at the gate", body: ProcessIn => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/boarded", Roles(MANIFEST), h::boarded, "Record that a manifested household boarded", body: FlightChoice => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/batches", Roles(ESCORT), h::depart, "An escort batch leaves a rendezvous point for a gate", body: DepartIn => json::<BatchOut>(201)),
        endpoint!(GET "/api/operations/{op}/batches/{batch}", Roles(BATCH_PARTIES), h::batch, "A batch's counts (no personal data)" => json::<BatchOut>(200)),
        endpoint!(POST "/api/operations/{op}/batches/{batch}/arrivals", Roles(GATE), h::batch_arrival, "A household of a batch arrived at the gate", body: CaseChoice => json::<StepOut>(200)),
        endpoint!(POST "/api/operations/{op}/batches/{batch}/close", Roles(GATE), h::close_batch, "Close a batch; households not arrived become unaccounted" => json::<BatchOut>(200)),
        endpoint!(POST "/api/operations/{op}/scans", Roles(FIELD), h::sync_scans, "Sync scans recorded by a field device (re-sending is harmless; double admissions are reported)", body: ScanSyncIn => json::<ScanReceiptOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs", Roles(RV_PARTIES), h::propose_rv, "Propose a rendezvous point (accepted by the proposing side)", body: RvIn => json::<RvOut>(201)),
        endpoint!(GET "/api/operations/{op}/rvs", Roles(RV_PARTIES), h::rvs, "Rendezvous points of the operation" => json::<Vec<RvOut>>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/accept", Roles(RV_PARTIES), h::accept_rv, "Accept a proposed rendezvous point for the caller's side" => json::<RvOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/activate", Roles(COORDINATOR), h::activate_rv, "Activate an agreed or suspended rendezvous point" => json::<RvOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/suspend", Roles(RV_PARTIES), h::suspend_rv, "Suspend a rendezvous point" => json::<RvOut>(200)),
        endpoint!(POST "/api/operations/{op}/rvs/{rv}/close", Roles(COORDINATOR), h::close_rv, "Close a rendezvous point" => json::<RvOut>(200)),
        endpoint!(GET "/api/operations/{op}/rvs/{rv}/counts", Roles(RV_PARTIES), h::rv_counts, "Stage counts of one rendezvous point" => json::<CountsOut>(200)),
        endpoint!(PUT "/api/operations/{op}/users/{username}/places", Roles(COORDINATOR), h::assign_places, "Assign an escort or gate user the rendezvous points and gates they may act at, optionally for a time", body: PlacesIn => json::<PlacesOut>(200)),
        endpoint!(POST "/api/operations/{op}/gates", Roles(COORDINATOR), h::create_gate, "Open a gate linked to rendezvous points", body: GateIn => json::<GateOut>(201)),
        endpoint!(GET "/api/operations/{op}/gates", Roles(GATE_PARTIES), h::gates, "Gates of the operation" => json::<Vec<GateOut>>(200)),
        endpoint!(POST "/api/operations/{op}/gates/{gate}/status", Roles(GATE_PARTIES), h::gate_status, "Open, suspend or close a gate", body: GateStatusIn => json::<GateOut>(200)),
        endpoint!(GET "/api/operations/{op}/gates/{gate}/counts", Roles(GATE_PARTIES), h::gate_counts, "Stage counts of one gate" => json::<CountsOut>(200)),
        endpoint!(POST "/api/operations/{op}/windows", Roles(COORDINATOR), h::create_window, "Open a time window at a rendezvous point", body: WindowIn => json::<WindowOut>(201)),
        endpoint!(GET "/api/operations/{op}/windows", Roles(COORDINATOR), h::windows, "Windows of the operation with their load" => json::<Vec<WindowOut>>(200)),
        endpoint!(POST "/api/operations/{op}/flights", Roles(AIRLIFT), h::create_flight, "Schedule a flight", body: FlightIn => json::<FlightOut>(201)),
        endpoint!(GET "/api/operations/{op}/flights", Roles(AIRLIFT), h::flights, "Flights with their load" => json::<Vec<FlightOut>>(200)),
        endpoint!(POST "/api/operations/{op}/flights/{flight}/manifest", Roles(MANIFEST), h::manifest_case, "Put a processed household on a flight's manifest (never over capacity)", body: CaseChoice => json::<StepOut>(200)),
        endpoint!(GET "/api/operations/{op}/flights/{flight}/manifest.csv", Roles(COORDINATOR), h::manifest_csv, "The flight manifest as CSV (a bulk export: state the reason in X-Reason)" => Reply::Csv),
        endpoint!(GET "/api/operations/{op}/flights/{flight}/manifest.html", Roles(COORDINATOR), h::manifest_html, "The flight manifest as a printable page (a bulk export: state the reason in X-Reason)" => Reply::Html),
        endpoint!(POST "/api/operations/{op}/hazards", Roles(CASEWORK), h::report_hazard, "Report a hazard", body: HazardIn => json::<HazardOut>(201)),
        endpoint!(GET "/api/operations/{op}/hazards", Roles(CASEWORK), h::hazards, "Reported hazards" => json::<Vec<HazardOut>>(200)),
        endpoint!(GET "/api/operations/{op}/live", Roles(LIVE), h::live, "Live changes from every server, as server-sent events: `change` (coordinators: all; escorts: at RVs; gate staff: at gates), and `resync` when changes may have been missed (read the counts again)" => Reply::Events(schema::<LiveChange>)),
        endpoint!(GET "/api/operations/{op}/counts", Roles(COORDINATOR), h::counts, "Stage counts for the operation, each RV and each gate" => json::<OperationCountsOut>(200)),
        endpoint!(GET "/api/operations/{op}/accountability", Roles(OVERSIGHT), h::accountability, "Check that every person is in exactly one stage and every batch balances" => json::<AccountabilityOut>(200)),
    ]
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
];

/// Bulk exports of personal data: coordinators only (stated in the table), and refused unless
/// the caller states a reason in `X-Reason`, which goes into the audit log.
pub const BULK_EXPORTS: &[&str] = &["h::manifest_csv", "h::manifest_html"];

impl Endpoint {
    pub fn reads_personal_data(&self) -> bool {
        PERSONAL_DATA_READS.contains(&self.operation_id)
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

/// Endpoints that find a case by phone or reference: rate-limited per token
/// ([`crate::limits::Limits::lookups_per_minute`]).
pub const LOOKUPS: &[&str] = &["h::lookup"];

/// What the authorisation layer writes to the audit log for an endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Audited {
    pub action: &'static str,
    pub reason_required: bool,
}

/// Builds the router from the table, with the authorisation layer (and the audit of reads of
/// personal data) on every endpoint that is not open.
pub fn router(app: App) -> Router {
    let mut router: Router<App> = Router::new();
    for e in endpoints() {
        let audited = e.reads_personal_data().then_some(Audited {
            action: e.operation_id,
            reason_required: e.is_bulk_export(),
        });
        let lookup = LOOKUPS.contains(&e.operation_id);
        let route = match e.access {
            Access::Open => e.router,
            access => e
                .router
                .route_layer(from_fn_with_state(app.clone(), move |state, req, next| {
                    auth::authorise(state, access, audited, lookup, req, next)
                })),
        };
        router = router.route(e.path, route);
    }
    router.with_state(app)
}
