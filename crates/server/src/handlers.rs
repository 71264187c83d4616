//! Request handlers: parse the request into domain values, call the store, shape the answer.
//! Who may call each one is stated in `endpoints.rs`, and enforced before these run.

use crate::auth::{self, Caller};
use crate::extract::{ApiJson, ApiPath, ApiQuery, KeyedJson};
use crate::wire::*;
use crate::{ApiError, App};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use safeconduct_domain::model::{HazardSpec, RvChange, Side, WindowSpec};
use safeconduct_domain::values::{PersonName, PhoneNumber, Text, Timestamp};
use safeconduct_domain::*;
use safeconduct_keys::{random_reference, totp};
use safeconduct_store as store;
use safeconduct_store::{CaseRequest, CountScope};
use serde::Deserialize;

type Reply<T> = Result<Json<T>, ApiError>;

#[derive(Deserialize)]
pub struct CasePath {
    op: i64,
    reference: String,
}
#[derive(Deserialize)]
pub struct PersonPath {
    op: i64,
    reference: String,
    person: i64,
}
#[derive(Deserialize)]
pub struct RvPath {
    op: i64,
    rv: i64,
}
#[derive(Deserialize)]
pub struct GatePath {
    op: i64,
    gate: i64,
}
#[derive(Deserialize)]
pub struct BatchPath {
    op: i64,
    batch: i64,
}
#[derive(Deserialize)]
pub struct FlightPath {
    op: i64,
    flight: i64,
}

fn op(caller: &Caller) -> Result<OperationId, ApiError> {
    caller.operation.ok_or_else(ApiError::internal)
}

fn text(field: &'static str, s: &str, max: usize) -> Result<Text, ApiError> {
    Ok(Text::parse(field, s, max)?)
}

// ---- Open endpoints ----

pub async fn healthz(State(app): State<App>) -> Reply<HealthOut> {
    app.run(|s| s.ping()).await?;
    Ok(Json(HealthOut {
        status: "ok".into(),
    }))
}

pub async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

pub async fn sign_in(State(app): State<App>, ApiJson(body): ApiJson<SignIn>) -> Reply<SessionOut> {
    let digest = auth::sign_in_name_digest(&body.username);
    let now = crate::now();
    let key = digest.clone();
    let recorded = app.run(move |s| s.sign_in_failures(&key)).await?;
    if let Some((failures, last)) = recorded {
        let until = last.0 + auth::sign_in_lock_seconds(failures);
        if until > now.0 && now.0 - last.0 < auth::FAILURE_MEMORY_SECONDS {
            let wait = (until - now.0) as u64;
            return Err(ApiError::too_many(
                "too_many_attempts",
                format!("too many failed sign-ins for this name; try again in {wait} s"),
                wait,
            ));
        }
    }
    let username = body.username.clone();
    let account = app.run(move |s| s.user_by_name(&username)).await?;
    let password = body.password;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || {
        safeconduct_keys::password::verify_password(stored.as_deref(), &password)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let account = account.filter(|_| ok);
    // Coordinators (and anyone enrolled) need the current one-time code too.
    let second_factor = match &account {
        Some(a) if a.coordinator || a.totp.is_some() => match (&a.totp, &body.totp) {
            (None, _) => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "second_factor_not_enrolled",
                    "coordinators sign in with a one-time code, and this account has no \
                     authenticator enrolled: an administrator runs `safeconduct user totp NAME`",
                ));
            }
            (Some(wrapped), Some(code)) => {
                match totp::matching_step(app.kek(), a.id, wrapped, code, now.0) {
                    Some(step) => {
                        let user = a.id;
                        app.run(move |s| s.claim_totp_step(user, step)).await?
                    }
                    None => false,
                }
            }
            (Some(_), None) => false,
        },
        _ => true,
    };
    let account = match account {
        Some(a) if second_factor => {
            if recorded.is_some() {
                app.run(move |s| s.clear_sign_in_failures(&digest)).await?;
            }
            a
        }
        _ => {
            let forget_before = Timestamp(now.0 - auth::FAILURE_MEMORY_SECONDS);
            app.run(move |s| s.record_sign_in_failure(&digest, now, forget_before))
                .await?;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "unknown user, wrong password, or a missing, wrong or already used one-time code",
            ));
        }
    };
    let (token, digest) = auth::new_token()?;
    let expires = Timestamp(crate::now().0 + app.session_seconds);
    let user = account.id;
    app.run(move |s| {
        s.create_session(&digest, user, expires)?;
        s.audit(&store::AuditEntry {
            user: Some(user),
            ..store::AuditEntry::by(&store::Actor::system(now), None, "signed_in", None)
        })
    })
    .await?;
    Ok(Json(SessionOut {
        token,
        expires_at: time_text(expires),
    }))
}

pub async fn sign_out(State(app): State<App>, Extension(caller): Extension<Caller>) -> StatusCode {
    let digest = caller.token_digest.clone();
    app.sessions.forget(&digest);
    let entry = store::AuditEntry::by(&caller.actor(crate::now()), None, "signed_out", None);
    match app
        .run(move |s| {
            s.delete_session(&digest)?;
            s.audit(&entry).map(|_| ())
        })
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(e) => e.status,
    }
}

pub async fn my_operations(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<Vec<OperationOut>> {
    let user = caller.user;
    let ops = app
        .run(move |s| {
            let mut out = Vec::new();
            for o in s.operations()? {
                let roles = s.roles(user, o.id)?;
                if !roles.is_empty() {
                    out.push((o, roles));
                }
            }
            Ok(out)
        })
        .await?;
    Ok(Json(
        ops.into_iter()
            .map(|(o, roles)| OperationOut::new(o, roles))
            .collect(),
    ))
}

pub async fn operation(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<OperationOut> {
    let id = op(&caller)?;
    let user = caller.user;
    let (o, roles) = app
        .run(move |s| Ok((s.operation(id)?, s.roles(user, id)?)))
        .await?;
    Ok(Json(OperationOut::new(o, roles)))
}

// ---- Households ----

pub(crate) fn new_household(body: RegisterHousehold) -> Result<store::NewHousehold, ApiError> {
    let members = body
        .members
        .into_iter()
        .map(|m| {
            Ok(store::NewPerson::new(
                PersonName::new(&m.name, m.name_native.as_deref())?,
                m.birth_date,
                m.nationality,
                m.phone,
                m.language,
                m.documents
                    .into_iter()
                    .map(|d| {
                        store::NewDocument::new(
                            d.doc_type,
                            d.number,
                            d.issuing_country,
                            d.expiry.map(|e| e.0),
                        )
                    })
                    .collect(),
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let notes = match body.notes.as_deref() {
        Some(n) => store::Notes::parse(n)?,
        None => None,
    };
    Ok(store::NewHousehold::new(
        body.contact_phone,
        body.language,
        body.category,
        body.priorities,
        notes,
        members,
    )?)
}

/// Registers a household. Sent with an `Idempotency-Key`, the same request sent again (its
/// answer was lost) gets the first answer, marked `Idempotent-Replayed: true`, and registers
/// nobody twice.
pub async fn register(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    KeyedJson { body, key }: KeyedJson<RegisterHousehold>,
) -> Result<(StatusCode, axum::http::HeaderMap, Json<RegisteredOut>), ApiError> {
    let id = op(&caller)?;
    let household = new_household(body)?;
    let actor = caller.actor(crate::now());
    let (r, replayed) = match key {
        Some(key) => {
            app.run(move |s| {
                s.register_household_once(id, &household, &key, &mut random_reference, &actor)
            })
            .await?
        }
        None => {
            let mut registered = app
                .run(move |s| {
                    s.register_households(id, &[household], &mut random_reference, &actor)
                })
                .await?;
            (registered.pop().ok_or_else(ApiError::internal)?, false)
        }
    };
    let mut headers = axum::http::HeaderMap::new();
    if replayed {
        headers.insert(
            crate::extract::IDEMPOTENT_REPLAYED,
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(RegisteredOut {
            reference: r.reference.to_string(),
            people: r.people.iter().map(|p| p.0).collect(),
        }),
    ))
}

pub async fn household(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Reply<HouseholdOut> {
    let _ = p.op;
    let id = op(&caller)?;
    let reference = CaseReference::parse(&p.reference)?;
    let h = app.run(move |s| s.household(id, &reference)).await?;
    Ok(Json(h.into()))
}

pub async fn case_events(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Reply<Vec<EventOut>> {
    let _ = p.op;
    let id = op(&caller)?;
    let reference = CaseReference::parse(&p.reference)?;
    let events = app.run(move |s| s.case_events(id, &reference)).await?;
    Ok(Json(events.into_iter().map(Into::into).collect()))
}

pub async fn lookup(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> Reply<LookupOut> {
    let id = op(&caller)?;
    let cases = match (q.phone, q.reference) {
        (Some(phone), None) => {
            let phone = PhoneNumber::parse(&phone)?;
            app.run(move |s| s.households_by_phone(id, &phone)).await?
        }
        (None, Some(reference)) => {
            let reference = CaseReference::parse(&reference)?;
            match app.run(move |s| s.household(id, &reference)).await {
                Ok(h) => vec![h],
                Err(e) if e.status == StatusCode::NOT_FOUND => vec![],
                Err(e) => return Err(e),
            }
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "give exactly one of phone or reference",
            ));
        }
    };
    Ok(Json(LookupOut {
        cases: cases.into_iter().map(Into::into).collect(),
    }))
}

pub async fn attach_document(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<PersonPath>,
    ApiJson(body): ApiJson<DocumentIn>,
) -> Result<(StatusCode, Json<CreatedOut>), ApiError> {
    let _ = p.op;
    let id = op(&caller)?;
    let reference = CaseReference::parse(&p.reference)?;
    let document = store::NewDocument::new(
        body.doc_type,
        body.number,
        body.issuing_country,
        body.expiry.map(|e| e.0),
    );
    let actor = caller.actor(crate::now());
    let person = PersonId(p.person);
    let doc = app
        .run(move |s| s.attach_document(id, &reference, person, &document, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id: doc.0 })))
}

/// Applies one lifecycle step to the case named in the path.
async fn step(app: App, caller: Caller, p: CasePath, request: CaseRequest) -> Reply<StepOut> {
    let _ = p.op;
    let id = op(&caller)?;
    let reference = CaseReference::parse(&p.reference)?;
    let actor = caller.actor(crate::now());
    let outcome = app
        .run(move |s| s.apply(id, &reference, &request, &actor))
        .await?;
    Ok(Json(outcome.into()))
}

pub async fn verify_documents(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Reply<StepOut> {
    step(app, caller, p, CaseRequest::VerifyDocuments).await
}

pub async fn eligibility(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<EligibilityIn>,
) -> Reply<StepOut> {
    let request = match body.decision {
        Decision::Eligible => CaseRequest::DecideEligible {
            category: body.category.ok_or_else(|| {
                ApiError::invalid("category", "an eligible case needs a category")
            })?,
        },
        Decision::Rejected => CaseRequest::Reject {
            reason: text("reason", body.reason.as_deref().unwrap_or_default(), 500)?,
        },
    };
    step(app, caller, p, request).await
}

pub async fn assign(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<WindowChoice>,
) -> Reply<StepOut> {
    let window = WindowId(body.window_id);
    step(app, caller, p, CaseRequest::Assign { window }).await
}

pub async fn reassign(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<WindowChoice>,
) -> Reply<StepOut> {
    let window = WindowId(body.window_id);
    step(app, caller, p, CaseRequest::Reassign { window }).await
}

pub async fn withdraw(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<ReasonIn>,
) -> Reply<StepOut> {
    let reason = text("reason", &body.reason, 500)?;
    step(app, caller, p, CaseRequest::Withdraw { reason }).await
}

pub async fn no_show(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Reply<StepOut> {
    if caller.places.is_some() {
        let id = op(&caller)?;
        let reference = CaseReference::parse(&p.reference)?;
        // A case with no RV yet cannot miss a window: the lifecycle refuses it below.
        if let Some(rv) = app.run(move |s| s.household(id, &reference)).await?.rv {
            caller.may_act_at_rv(rv)?;
        }
    }
    step(app, caller, p, CaseRequest::MarkNoShow).await
}

pub async fn rv_arrival(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<RvArrivalIn>,
) -> Reply<StepOut> {
    let rv = RvId(body.rv_id);
    caller.may_act_at_rv(rv)?;
    step(app, caller, p, CaseRequest::AdmitAtRv { rv }).await
}

pub async fn processed(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<ProcessIn>,
) -> Reply<StepOut> {
    let gate = GateId(body.gate_id);
    caller.may_act_at_gate(gate)?;
    step(app, caller, p, CaseRequest::Process { gate }).await
}

pub async fn boarded(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<FlightChoice>,
) -> Reply<StepOut> {
    let flight = FlightId(body.flight_id);
    step(app, caller, p, CaseRequest::Board { flight }).await
}

pub async fn manifest_case(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<FlightPath>,
    ApiJson(body): ApiJson<CaseChoice>,
) -> Reply<StepOut> {
    let path = CasePath {
        op: p.op,
        reference: body.reference,
    };
    let flight = FlightId(p.flight);
    step(app, caller, path, CaseRequest::Manifest { flight }).await
}

// ---- Batches ----

pub async fn depart(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<DepartIn>,
) -> Result<(StatusCode, Json<BatchOut>), ApiError> {
    let id = op(&caller)?;
    caller.may_act_at_rv(RvId(body.rv_id))?;
    let households = body
        .households
        .iter()
        .map(|r| CaseReference::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    let departure = store::BatchDeparture {
        rv: RvId(body.rv_id),
        gate: GateId(body.gate_id),
        households,
    };
    let actor = caller.actor(crate::now());
    let batch = app
        .run(move |s| s.depart_batch(id, &departure, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(batch.into())))
}

pub async fn batch(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<BatchPath>,
) -> Reply<BatchOut> {
    let _ = p.op;
    let id = op(&caller)?;
    let b = BatchId(p.batch);
    let batch = app.run(move |s| s.batch(id, b)).await?;
    caller.may_see_batch(batch.rv, batch.gate)?;
    Ok(Json(batch.into()))
}

pub async fn batch_arrival(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<BatchPath>,
    ApiJson(body): ApiJson<CaseChoice>,
) -> Reply<StepOut> {
    let path = CasePath {
        op: p.op,
        reference: body.reference,
    };
    let batch = BatchId(p.batch);
    batch_gate_in_scope(&app, &caller, batch).await?;
    step(app, caller, path, CaseRequest::ArriveAtGate { batch }).await
}

pub async fn close_batch(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<BatchPath>,
) -> Reply<BatchOut> {
    let _ = p.op;
    let id = op(&caller)?;
    let b = BatchId(p.batch);
    batch_gate_in_scope(&app, &caller, b).await?;
    let actor = caller.actor(crate::now());
    Ok(Json(
        app.run(move |s| s.close_batch(id, b, &actor)).await?.into(),
    ))
}

/// Refuses gate staff acting on a batch bound for a gate not assigned to them.
async fn batch_gate_in_scope(app: &App, caller: &Caller, batch: BatchId) -> Result<(), ApiError> {
    if caller.places.is_none() {
        return Ok(());
    }
    let id = op(caller)?;
    let gate = app.run(move |s| s.batch(id, batch)).await?.gate;
    caller.may_act_at_gate(gate)
}

// ---- Rendezvous points ----

fn side(caller: &Caller) -> Side {
    match caller.role {
        Some(Role::Escort) => Side::EscortParty,
        _ => Side::CoordinatingAuthority,
    }
}

pub async fn propose_rv(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<RvIn>,
) -> Result<(StatusCode, Json<RvOut>), ApiError> {
    let id = op(&caller)?;
    let rv = store::NewRv {
        name: text("name", &body.name, 120)?,
        location: body.location,
        landmark: text("landmark", &body.landmark, 500)?,
    };
    let side = side(&caller);
    let actor = caller.actor(crate::now());
    let out = app
        .run(move |s| s.propose_rv(id, &rv, side, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(out.into())))
}

pub async fn rvs(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<Vec<RvOut>> {
    let id = op(&caller)?;
    let rvs = app.run(move |s| s.rvs(id)).await?;
    // An escort sees the points assigned to them, and proposals awaiting the escort party.
    let visible = |r: &store::RendezvousPoint| match &caller.places {
        Some(p) => p.rvs.contains(&r.id) || !r.accepted_by_escort,
        None => true,
    };
    Ok(Json(
        rvs.into_iter().filter(visible).map(Into::into).collect(),
    ))
}

async fn change_rv(app: App, caller: Caller, p: RvPath, change: RvChange) -> Reply<RvOut> {
    let _ = p.op;
    let id = op(&caller)?;
    let rv = RvId(p.rv);
    let actor = caller.actor(crate::now());
    Ok(Json(
        app.run(move |s| s.change_rv(id, rv, change, &actor))
            .await?
            .into(),
    ))
}

pub async fn accept_rv(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<RvPath>,
) -> Reply<RvOut> {
    let change = RvChange::Accept(side(&caller));
    change_rv(app, caller, p, change).await
}

pub async fn activate_rv(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<RvPath>,
) -> Reply<RvOut> {
    change_rv(app, caller, p, RvChange::Activate).await
}

pub async fn suspend_rv(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<RvPath>,
) -> Reply<RvOut> {
    caller.may_act_at_rv(RvId(p.rv))?;
    change_rv(app, caller, p, RvChange::Suspend).await
}

pub async fn close_rv(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<RvPath>,
) -> Reply<RvOut> {
    change_rv(app, caller, p, RvChange::Close).await
}

pub async fn rv_counts(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<RvPath>,
) -> Reply<CountsOut> {
    let _ = p.op;
    let id = op(&caller)?;
    caller.may_act_at_rv(RvId(p.rv))?;
    let scope = CountScope::Rv(RvId(p.rv));
    Ok(Json(
        app.run(move |s| s.stage_counts(id, scope)).await?.into(),
    ))
}

// ---- Gates ----

pub async fn create_gate(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<GateIn>,
) -> Result<(StatusCode, Json<GateOut>), ApiError> {
    let id = op(&caller)?;
    let gate = store::NewGate {
        name: text("name", &body.name, 120)?,
        location: body.location,
        kind: body.kind,
        hourly_throughput: store::Throughput::new(body.hourly_throughput)?,
        rvs: body.rv_ids.into_iter().map(RvId).collect(),
    };
    let actor = caller.actor(crate::now());
    let out = app.run(move |s| s.create_gate(id, &gate, &actor)).await?;
    Ok((StatusCode::CREATED, Json(out.into())))
}

pub async fn gates(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<Vec<GateOut>> {
    let id = op(&caller)?;
    let gates = app.run(move |s| s.gates(id)).await?;
    let visible = |g: &store::Gate| match &caller.places {
        Some(p) => p.gates.contains(&g.id),
        None => true,
    };
    Ok(Json(
        gates.into_iter().filter(visible).map(Into::into).collect(),
    ))
}

pub async fn gate_status(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<GatePath>,
    ApiJson(body): ApiJson<GateStatusIn>,
) -> Reply<GateOut> {
    let _ = p.op;
    let id = op(&caller)?;
    let gate = GateId(p.gate);
    caller.may_act_at_gate(gate)?;
    let actor = caller.actor(crate::now());
    Ok(Json(
        app.run(move |s| s.set_gate_status(id, gate, body.status, &actor))
            .await?
            .into(),
    ))
}

pub async fn gate_counts(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<GatePath>,
) -> Reply<CountsOut> {
    let _ = p.op;
    let id = op(&caller)?;
    caller.may_act_at_gate(GateId(p.gate))?;
    let scope = CountScope::Gate(GateId(p.gate));
    Ok(Json(
        app.run(move |s| s.stage_counts(id, scope)).await?.into(),
    ))
}

// ---- Windows, flights, hazards ----

pub async fn create_window(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<WindowIn>,
) -> Result<(StatusCode, Json<WindowOut>), ApiError> {
    let id = op(&caller)?;
    let spec = WindowSpec::new(
        parse_time("start", &body.start)?,
        parse_time("end", &body.end)?,
        body.capacity,
    )?;
    let rv = RvId(body.rv_id);
    let actor = caller.actor(crate::now());
    let w = app
        .run(move |s| s.create_window(id, rv, spec, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(w.into())))
}

pub async fn windows(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<Vec<WindowOut>> {
    let id = op(&caller)?;
    let ws = app.run(move |s| s.windows(id)).await?;
    Ok(Json(ws.into_iter().map(Into::into).collect()))
}

pub async fn create_flight(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<FlightIn>,
) -> Result<(StatusCode, Json<FlightOut>), ApiError> {
    let id = op(&caller)?;
    let flight = store::NewFlight {
        number: text("number", &body.number, 20)?,
        departs_at: parse_time("departs_at", &body.departs_at)?,
        capacity: store::Capacity::flight(body.capacity)?,
    };
    let actor = caller.actor(crate::now());
    let f = app
        .run(move |s| s.create_flight(id, &flight, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

pub async fn flights(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<Vec<FlightOut>> {
    let id = op(&caller)?;
    let fs = app.run(move |s| s.flights(id)).await?;
    Ok(Json(fs.into_iter().map(Into::into).collect()))
}

pub(crate) async fn load_manifest(
    app: &App,
    caller: &Caller,
    p: &FlightPath,
) -> Result<store::Manifest, ApiError> {
    let _ = p.op;
    let id = op(caller)?;
    let flight = FlightId(p.flight);
    app.run(move |s| s.manifest(id, flight)).await
}

pub async fn manifest_csv(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<FlightPath>,
) -> Result<axum::response::Response, ApiError> {
    let m = load_manifest(&app, &caller, &p).await?;
    Ok(crate::pages::manifest_csv(&m))
}

pub async fn manifest_html(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<FlightPath>,
) -> Result<axum::response::Response, ApiError> {
    let m = load_manifest(&app, &caller, &p).await?;
    Ok(crate::pages::manifest_html(&m))
}

pub async fn report_hazard(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<HazardIn>,
) -> Result<(StatusCode, Json<HazardOut>), ApiError> {
    let id = op(&caller)?;
    let spec = HazardSpec::new(
        body.radius_m,
        parse_time("valid_from", &body.valid_from)?,
        body.valid_until
            .as_deref()
            .map(|u| parse_time("valid_until", u))
            .transpose()?,
    )?;
    let hazard = store::NewHazard {
        kind: body.kind,
        severity: body.severity,
        location: body.location,
        radius_m: spec.radius_m,
        description: body
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| text("description", d, 500))
            .transpose()?,
        valid_from: spec.valid_from,
        valid_until: spec.valid_until,
    };
    let actor = caller.actor(crate::now());
    let h = app
        .run(move |s| s.report_hazard(id, &hazard, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(h.into())))
}

pub async fn hazards(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<Vec<HazardOut>> {
    let id = op(&caller)?;
    let hs = app.run(move |s| s.hazards(id)).await?;
    Ok(Json(hs.into_iter().map(Into::into).collect()))
}

// ---- Counts and accountability ----

pub async fn counts(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<OperationCountsOut> {
    let id = op(&caller)?;
    let counts = app.run(move |s| s.operation_counts(id)).await?;
    let out = OperationCountsOut {
        operation: counts.operation.into(),
        rvs: counts
            .rvs
            .into_iter()
            .map(|(id, c)| (id.to_string(), c.into()))
            .collect(),
        gates: counts
            .gates
            .into_iter()
            .map(|(id, c)| (id.to_string(), c.into()))
            .collect(),
    };
    Ok(Json(out))
}

pub async fn accountability(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Reply<AccountabilityOut> {
    let id = op(&caller)?;
    Ok(Json(app.run(move |s| s.accountability(id)).await?.into()))
}

// ---- Field scans ----

/// Scans recorded by a field device, offline or not, synced in batches. Re-sending a batch is
/// harmless; a pass admitted by two devices is reported in the answer, never merged away.
pub async fn sync_scans(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<ScanSyncIn>,
) -> Reply<ScanReceiptOut> {
    let id = op(&caller)?;
    let device = body.device.trim().to_string();
    if device.is_empty() || device.len() > 64 || !device.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "device",
            "a device id is 1 to 64 printable ASCII characters",
        ));
    }
    if body.scans.is_empty() || body.scans.len() > 1000 {
        return Err(ApiError::invalid("scans", "a sync carries 1 to 1000 scans"));
    }
    let scans = body
        .scans
        .iter()
        .map(|s| {
            if s.seq > i64::MAX as u64 {
                return Err(ApiError::invalid("seq", "a sequence number is below 2^63"));
            }
            Ok(store::FieldScan {
                seq: s.seq,
                pass_index: s.pass_index,
                rv: s.rv_id.map(RvId),
                gate: s.gate_id.map(GateId),
                outcome: s.outcome,
                scanned_at: parse_time("scanned_at", &s.scanned_at)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    for scan in &scans {
        if let Some(rv) = scan.rv {
            caller.may_act_at_rv(rv)?;
        }
        if let Some(gate) = scan.gate {
            caller.may_act_at_gate(gate)?;
        }
    }
    let actor = caller.actor(crate::now());
    let receipt = app
        .run(move |s| s.ingest_scans(id, &device, &scans, &actor))
        .await?;
    Ok(Json(receipt.into()))
}

// ---- Live updates ----

/// Server-sent events of the changes committed to this operation by any server sharing the
/// store. Coordinators see every change; escorts the changes at rendezvous points; gate staff
/// the changes at gates (a batch on its way, an arrival). No personal data is sent. A
/// `resync` event says changes may have been missed (the client fell behind, or this server's
/// feed from the database broke and was restored): the client reads its counts again.
pub async fn live(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Result<
    axum::response::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let id = op(&caller)?;
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
                                Some(Role::Gate) => {
                                    change.gate.is_some_and(|g| places.gates.contains(&g))
                                }
                                Some(Role::Escort) => {
                                    change.rv.is_some_and(|r| places.rvs.contains(&r))
                                }
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

#[derive(Deserialize)]
pub struct UserPath {
    op: i64,
    username: String,
}

pub async fn assign_places(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<UserPath>,
    ApiJson(body): ApiJson<PlacesIn>,
) -> Reply<PlacesOut> {
    let _ = p.op;
    let id = op(&caller)?;
    if body.rv_ids.len() + body.gate_ids.len() > 1000 {
        return Err(ApiError::invalid("rv_ids", "at most 1000 places"));
    }
    let valid_from = body
        .valid_from
        .as_deref()
        .map(|t| parse_time("valid_from", t))
        .transpose()?;
    let valid_until = body
        .valid_until
        .as_deref()
        .map(|t| parse_time("valid_until", t))
        .transpose()?;
    if let (Some(from), Some(until)) = (valid_from, valid_until)
        && until <= from
    {
        return Err(ApiError::invalid("valid_until", "must be after valid_from"));
    }
    let places = store::PlaceAssignment {
        rvs: body.rv_ids.iter().copied().map(RvId).collect(),
        gates: body.gate_ids.iter().copied().map(GateId).collect(),
        valid_from,
        valid_until,
    };
    let username = p.username.clone();
    let actor = caller.actor(crate::now());
    let out = places.clone();
    app.run(move |s| {
        let user = s
            .user_by_name(&username)?
            .ok_or_else(|| store::StoreError::not_found(format!("user {username:?}")))?;
        let roles = s.roles(user.id, id)?;
        if !roles.iter().any(|r| matches!(r, Role::Escort | Role::Gate)) {
            return Err(store::StoreError::Conflict(format!(
                "{username:?} holds no escort or gate role in this operation; only those are assigned places"
            )));
        }
        s.assign_places(user.id, id, &places, &actor)
    })
    .await?;
    Ok(Json(PlacesOut {
        username: p.username,
        rv_ids: out.rvs.iter().map(|r| r.0).collect(),
        gate_ids: out.gates.iter().map(|g| g.0).collect(),
        valid_from: out.valid_from.map(time_text),
        valid_until: out.valid_until.map(time_text),
    }))
}
