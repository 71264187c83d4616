//! A household's pass: issuing (or re-issuing) it, its text form and state, its QR code as SVG
//! or PNG, the printable pass sheet, and revoking it. Signing is the keyring's
//! (`safeconduct_keys::passes::PassKeyring`); drawing the sheet is `pages`'.
//!
//! Must not depend on: other resource modules.

use crate::ApiError;
use crate::endpoints::{Access::Roles, COORDINATOR, Endpoint, Reply, endpoint, json};
use crate::extract::{ApiJson, Call};
use crate::wire::{Answer, CasePath, ReasonIn, StepOut, text_lines, time_text};
use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use safeconduct_domain::*;
use safeconduct_pass::KeyId;
use safeconduct_pass::qr::Qr;
use safeconduct_store as store;
use safeconduct_store::StoredPass;
use schemars::JsonSchema;
use serde::Serialize;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/households/{reference}/pass", Roles(COORDINATOR), ph::issue_pass, "Issue the household's pass, or re-issue it (the earlier pass is superseded)" => json::<IssuedPassOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass", Roles(COORDINATOR), ph::pass, "The household's latest pass: its text form and state" => json::<PassOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass.svg", Roles(COORDINATOR), ph::pass_svg, "The household's latest pass as a QR code (SVG)" => Reply::Svg),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass.png", Roles(COORDINATOR), ph::pass_png, "The household's latest pass as a QR code (PNG)" => Reply::Png),
        endpoint!(GET "/api/operations/{op}/households/{reference}/pass.html", Roles(COORDINATOR), ph::pass_sheet, "A printable pass sheet with instructions in the household's language" => Reply::Html),
        endpoint!(POST "/api/operations/{op}/households/{reference}/pass/revoke", Roles(COORDINATOR), ph::revoke_pass, "Revoke the household's valid pass", body: ReasonIn => json::<RevokedOut>(200)),
    ]
}

/// A pass as fetched: its text form (what the QR code holds) and its state.
#[derive(Serialize, JsonSchema)]
pub struct PassOut {
    pub reference: String,
    pub pass_index: i64,
    /// Key id of the issuer key that signed it, 8 hex digits.
    pub kid: String,
    #[schemars(with = "String")]
    pub state: store::PassState,
    pub issued_at: String,
    /// `SC2:` and the base45 of the signed bytes (pass format version 2).
    pub text: String,
    /// Size of the signed bytes.
    pub bytes: usize,
    /// QR version at error correction M.
    pub qr_version: i16,
}

#[derive(Serialize, JsonSchema)]
pub struct IssuedPassOut {
    pub step: StepOut,
    pub pass: PassOut,
}

#[derive(Serialize, JsonSchema)]
pub struct RevokedOut {
    pub reference: String,
    pub pass_index: i64,
}

fn pass_out(p: &StoredPass) -> Result<PassOut, ApiError> {
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

pub async fn issue_pass(call: Call<CasePath>) -> Answer<IssuedPassOut> {
    let Call { app, caller, path } = call;
    let op = caller.operation;
    let reference = CaseReference::parse(&path.reference)?;
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

/// The latest pass of the case named in the path.
async fn latest(call: &Call<CasePath>) -> Result<StoredPass, ApiError> {
    let op = call.caller.operation;
    let reference = CaseReference::parse(&call.path.reference)?;
    let shown = reference.clone();
    call.app
        .run(move |s| s.latest_pass(op, &reference))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                format!("case {shown} has no pass"),
            )
        })
}

pub async fn pass(call: Call<CasePath>) -> Answer<PassOut> {
    Ok(Json(pass_out(&latest(&call).await?)?))
}

fn qr_of(pass: &StoredPass) -> Result<Qr, ApiError> {
    Qr::new(&safeconduct_pass::to_text(&pass.signed)).map_err(|_| ApiError::internal())
}

/// The latest pass of the case named in the path as a QR code, drawn by `draw`.
async fn latest_qr(
    call: Call<CasePath>,
    content_type: &'static str,
    draw: fn(&Qr) -> Vec<u8>,
) -> Result<Response, ApiError> {
    let qr = qr_of(&latest(&call).await?)?;
    Ok(([(header::CONTENT_TYPE, content_type)], draw(&qr)).into_response())
}

pub async fn pass_svg(call: Call<CasePath>) -> Result<Response, ApiError> {
    latest_qr(call, "image/svg+xml", |qr| qr.svg().into_bytes()).await
}

pub async fn pass_png(call: Call<CasePath>) -> Result<Response, ApiError> {
    latest_qr(call, "image/png", |qr| qr.png(8)).await
}

pub async fn pass_sheet(call: Call<CasePath>) -> Result<Response, ApiError> {
    let pass = latest(&call).await?;
    let Call { app, caller, path } = call;
    let op = caller.operation;
    let reference = CaseReference::parse(&path.reference)?;
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
    Ok(crate::pages::pass_sheet::page(
        &pass,
        &qr_of(&pass)?,
        rv.as_ref(),
        window.as_ref(),
    ))
}

pub async fn revoke_pass(
    call: Call<CasePath>,
    ApiJson(body): ApiJson<ReasonIn>,
) -> Answer<RevokedOut> {
    let Call { app, caller, path } = call;
    let op = caller.operation;
    let reference = CaseReference::parse(&path.reference)?;
    let reason = text_lines("reason", &body.reason, 500)?;
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
