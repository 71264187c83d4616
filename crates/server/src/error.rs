//! The one API error type. Every failure becomes a JSON body with a stable code and a
//! message; store and internal failures become a 500 whose detail goes to the log only.

use crate::wire::{ErrorDetail, ErrorOut};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use safeconduct_domain::{DomainError, Expected, Stage, Step};
use safeconduct_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    transition: Option<(Stage, Vec<Step>)>,
    /// Seconds after which a refused request may be tried again (`Retry-After`).
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            transition: None,
            retry_after: None,
        }
    }

    /// 429: refused for now; the caller may try again after `seconds`.
    pub fn too_many(code: &'static str, message: impl Into<String>, seconds: u64) -> Self {
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    /// 503: not done this time, nothing kept; the caller may send it again after `seconds`.
    pub fn busy(code: &'static str, message: impl Into<String>, seconds: u64) -> Self {
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
        }
    }

    /// 422 `invalid_body`: the body as a whole is not what the endpoint takes, though each of
    /// its values may be (nothing to change, two fields that exclude each other).
    pub fn body(message: &'static str) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", message)
    }

    pub fn invalid(field: &str, reason: &str) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("{field}: {reason}"),
        )
    }

    /// A value that is not what the field expects, worded by [`Expected`] (which a page reads
    /// back to say it in its own language).
    pub fn expected(field: &str, expected: Expected) -> Self {
        ApiError::invalid(field, &expected.reason())
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in and send the token as 'Authorization: Bearer <token>'",
        )
    }

    pub fn forbidden(allowed: &[safeconduct_domain::Role]) -> Self {
        let roles: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "this needs one of these roles in the operation: {}",
                roles.join(", ")
            ),
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the operator's log has the detail",
        )
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match &e {
            DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::CONFLICT,
        };
        let mut err = ApiError::new(status, e.code(), e.to_string());
        if let DomainError::IllegalTransition { stage, allowed, .. } = e {
            err.transition = Some((stage, allowed));
        }
        err
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{what} not found"),
            ),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            // The one refusal that tells a field device to forget everything it holds.
            e @ StoreError::DeviceSuspended(_) => {
                ApiError::new(StatusCode::CONFLICT, "device_suspended", e.to_string())
            }
            StoreError::Domain(d) => d.into(),
            StoreError::Shredded(op) => ApiError::new(
                StatusCode::GONE,
                "shredded",
                format!(
                    "operation {op} was shredded: its personal data, its passes and its pass \
                     keys are gone for good and cannot be read or added to"
                ),
            ),
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "store unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the store cannot be reached right now; try again shortly",
                )
            }
            StoreError::Internal(detail) => {
                tracing::error!(%detail, "store failure");
                ApiError::internal()
            }
        }
    }
}

/// The field an `invalid_input` or `invalid_body` message names before its first `: `, and what the value was
/// expected to be where the reason after it is one [`Expected`] words. Every such message is
/// `field: reason`, whether a handler, the domain or the body's parser refused the value.
fn refused_value(message: &str) -> (Option<String>, Option<Expected>) {
    match message.split_once(": ") {
        Some((field, reason)) if !field.is_empty() && !field.contains(' ') => {
            (Some(field.to_string()), Expected::read(reason))
        }
        _ => (None, None),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let told = self.transition.as_ref().map(|t| t.0);
        let (stage, allowed_steps) = match self.transition {
            Some((s, a)) => (Some(s), Some(a)),
            None => (None, None),
        };
        let (field, expected) = match self.code {
            "invalid_input" | "invalid_body" => refused_value(&self.message),
            _ => (None, None),
        };
        let body = ErrorOut {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                stage,
                allowed_steps,
                field,
                expected,
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(stage) = told {
            res.extensions_mut().insert(crate::auth::StageTold(stage));
        }
        if let Some(seconds) = self.retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        res
    }
}
