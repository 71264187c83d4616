//! Handlers of the pass endpoints. Who may call each is stated in `endpoints.rs`.

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::wire::*;
use crate::{ApiError, App};
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use safeconduct_domain::values::Text;
use safeconduct_domain::*;
use safeconduct_keys::passes::FieldKit;
use safeconduct_pass::qr::Qr;
use safeconduct_pass::{KeyId, Tier};
use safeconduct_store::StoredPass;
use serde::Deserialize;

type Reply<T> = Result<Json<T>, ApiError>;

#[derive(Deserialize)]
pub struct CasePath {
    op: i64,
    reference: String,
}

#[derive(Deserialize)]
pub struct OpPath {
    op: i64,
}

fn case(caller: &Caller, p: &CasePath) -> Result<(OperationId, CaseReference), ApiError> {
    let _ = p.op;
    let op = caller.operation.ok_or_else(ApiError::internal)?;
    Ok((op, CaseReference::parse(&p.reference)?))
}

fn operation(caller: &Caller, p: &OpPath) -> Result<OperationId, ApiError> {
    let _ = p.op;
    caller.operation.ok_or_else(ApiError::internal)
}

pub(crate) fn pass_out(p: &StoredPass) -> Result<PassOut, ApiError> {
    let text = safeconduct_pass::to_text(&p.signed);
    let qr = Qr::new(&text).map_err(|e| {
        tracing::error!(error = %e, "a stored pass does not fit a QR code");
        ApiError::internal()
    })?;
    Ok(PassOut {
        reference: p.reference.to_string(),
        pass_index: p.pass_index,
        kid: KeyId(p.kid).to_hex(),
        state: p.state,
        issued_at: time_text(p.issued_at),
        bytes: p.signed.len(),
        qr_version: qr.version(),
        text,
    })
}

pub async fn issue_pass(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Reply<IssuedPassOut> {
    let (op, reference) = case(&caller, &p)?;
    let actor = caller.actor(crate::now());
    let keyring = app.keyring().clone();
    let (outcome, pass) = app
        .run(move |s| keyring.issue(s, op, &reference, &actor))
        .await?;
    Ok(Json(IssuedPassOut {
        step: outcome.into(),
        pass: pass_out(&pass)?,
    }))
}

async fn latest(app: &App, caller: &Caller, p: &CasePath) -> Result<StoredPass, ApiError> {
    let (op, reference) = case(caller, p)?;
    let shown = reference.clone();
    app.run(move |s| s.latest_pass(op, &reference))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                format!("case {shown} has no pass"),
            )
        })
}

pub async fn pass(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Reply<PassOut> {
    Ok(Json(pass_out(&latest(&app, &caller, &p).await?)?))
}

fn qr_of(pass: &StoredPass) -> Result<Qr, ApiError> {
    Qr::new(&safeconduct_pass::to_text(&pass.signed)).map_err(|_| ApiError::internal())
}

pub async fn pass_svg(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Result<Response, ApiError> {
    let pass = latest(&app, &caller, &p).await?;
    let svg = qr_of(&pass)?.svg();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

pub async fn pass_png(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Result<Response, ApiError> {
    let pass = latest(&app, &caller, &p).await?;
    let png = qr_of(&pass)?.png(8);
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

pub async fn pass_sheet(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
) -> Result<Response, ApiError> {
    let pass = latest(&app, &caller, &p).await?;
    let (op, reference) = case(&caller, &p)?;
    let (household, rvs) = app
        .run(move |s| Ok((s.household(op, &reference)?, s.rvs(op)?)))
        .await?;
    let rv = household
        .rv
        .and_then(|id| rvs.into_iter().find(|r| r.id == id));
    let window = match household.window {
        Some(w) => {
            let windows = app.run(move |s| s.windows(op)).await?;
            windows.into_iter().find(|x| x.id == w)
        }
        None => None,
    };
    Ok(crate::pages::pass_sheet(
        &pass,
        &qr_of(&pass)?,
        rv.as_ref(),
        window.as_ref(),
    ))
}

pub async fn revoke_pass(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<CasePath>,
    ApiJson(body): ApiJson<ReasonIn>,
) -> Reply<RevokedOut> {
    let (op, reference) = case(&caller, &p)?;
    let reason = Text::parse("reason", &body.reason, 500)?;
    let actor = caller.actor(crate::now());
    let shown = reference.to_string();
    let index = app
        .run(move |s| s.revoke_pass(op, &reference, &reason, &actor))
        .await?;
    Ok(Json(RevokedOut {
        reference: shown,
        pass_index: index,
    }))
}

pub async fn keys(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<OpPath>,
) -> Reply<KeySetOut> {
    let op = operation(&caller, &p)?;
    let keyring = app.keyring().clone();
    let keys = app
        .run(move |s| keyring.key_set(s, op, crate::now()))
        .await?;
    Ok(Json(KeySetOut { keys }))
}

pub async fn rotate_keys(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<OpPath>,
    ApiJson(body): ApiJson<RotateIn>,
) -> Reply<RotationOut> {
    let op = operation(&caller, &p)?;
    let actor = caller.actor(crate::now());
    let keyring = app.keyring().clone();
    let (rotation, kid, issued) = app
        .run(move |s| keyring.rotate(s, op, body.compromised, body.reissue, &actor))
        .await?;
    Ok(Json(RotationOut {
        previous_kid: rotation.previous.map(|k| KeyId(k).to_hex()),
        kid: kid.to_hex(),
        compromised: body.compromised,
        affected: rotation.affected.len(),
        reissued: issued
            .iter()
            .map(|p| RevokedOut {
                reference: p.reference.to_string(),
                pass_index: p.pass_index,
            })
            .collect(),
    }))
}

pub async fn status_list(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<OpPath>,
) -> Reply<StatusListOut> {
    let op = operation(&caller, &p)?;
    let keyring = app.keyring().clone();
    let now = crate::now();
    let signed = app.run(move |s| keyring.status_list(s, op, now)).await?;
    Ok(Json(StatusListOut {
        issued_at: time_text(now),
        signed: safeconduct_keys::passes::b64(&signed),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitQuery {
    tier: Option<String>,
}

pub async fn field_kit(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiPath(p): ApiPath<OpPath>,
    ApiQuery(q): ApiQuery<KitQuery>,
) -> Reply<FieldKit> {
    let op = operation(&caller, &p)?;
    let tier = match q.tier.as_deref() {
        None => None,
        Some("checkpoint") => Some(Tier::Checkpoint),
        Some("gate") => Some(Tier::Gate),
        Some(_) => return Err(ApiError::invalid("tier", "expected checkpoint or gate")),
    };
    let role = caller.role.ok_or_else(ApiError::internal)?;
    if role != Role::Coordinator && tier.is_some_and(|t| t != own_tier(role)) {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "a field device receives the key of its own tier only",
        ));
    }
    if role == Role::Coordinator && tier.is_none() {
        return Err(ApiError::invalid(
            "tier",
            "a coordinator provisioning a device names its tier: checkpoint or gate",
        ));
    }
    let keyring = app.keyring().clone();
    let kit = app
        .run(move |s| keyring.field_kit(s, op, role, tier, crate::now()))
        .await?;
    Ok(Json(kit))
}

fn own_tier(role: Role) -> Tier {
    if role == Role::Gate {
        Tier::Gate
    } else {
        Tier::Checkpoint
    }
}
