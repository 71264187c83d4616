//! The audit of reads of personal data made before the handler answers: the record an entry
//! names (a path with its parameters, a case reference in canonical form), and the entry a
//! handler writes itself when only it knows the cases it found ([`PendingReadAudit`]), whose
//! success is withheld if it forgot ([`answered_only_if_audited`]).
//!
//! Must not know: sessions, roles or limits (the authorisation layer, `auth`, decides who may
//! read and hands the entry over).

use crate::{ApiError, App};
use axum::response::Response;
use safeconduct_store as store;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The record an audit entry of a read names: the endpoint's path with the request's
/// parameters, a case reference in its canonical form (`6phv5ubd` and `6PHV 5UBD` are both
/// `6PHV-5UBD`), ids as numbers. What is neither is not copied into the log: a parameter typed
/// by the caller may be anything, a name included.
pub(crate) fn audit_record(template: &str, params: &HashMap<String, String>) -> String {
    let mut record = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        record.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let value = params.get(name).map(String::as_str).unwrap_or_default();
        let shown = if name == "reference" {
            safeconduct_domain::CaseReference::parse(value)
                .map(|r| r.to_string())
                .unwrap_or_else(|_| "(not a case reference)".into())
        } else if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            value.to_string()
        } else {
            "(not a number)".into()
        };
        record.push_str(&shown);
        rest = &rest[open + close + 1..];
    }
    record.push_str(rest);
    record
}

/// The audit entry of a read whose cases only its handler knows ([`AUDITED_BY_HANDLER`]): the
/// handler writes it, naming the cases it found, before it answers, and answers nothing if it
/// cannot. A handler that answers with success without writing it is withheld
/// ([`answered_only_if_audited`]).
///
/// [`AUDITED_BY_HANDLER`]: crate::endpoints::AUDITED_BY_HANDLER
#[derive(Debug, Clone)]
pub struct PendingReadAudit {
    entry: store::AuditEntry,
    written: Arc<AtomicBool>,
}

/// Whether the handler of a read audited by its handler wrote its entry.
#[derive(Debug, Clone, Default)]
pub struct AuditWritten(Arc<AtomicBool>);

/// The handler's answer if it wrote its audit entry; if it answered with success without
/// writing it, a 500 instead: what a read of personal data found never leaves unaudited, even
/// from a handler that forgot. An answer that is not a success discloses no case and stands.
pub fn answered_only_if_audited(written: &AuditWritten, response: Response) -> Response {
    if !response.status().is_success() || written.0.load(Ordering::SeqCst) {
        return response;
    }
    tracing::error!("a read audited by its handler answered without writing its entry");
    axum::response::IntoResponse::into_response(ApiError::internal())
}

impl PendingReadAudit {
    /// The entry handed to the handler, and what tells the authorisation layer it was written.
    pub(crate) fn new(entry: store::AuditEntry) -> (Self, AuditWritten) {
        let written = AuditWritten::default();
        let pending = PendingReadAudit {
            entry,
            written: written.0.clone(),
        };
        (pending, written)
    }

    /// Writes the entry, its record followed by the canonical references of `cases`.
    pub async fn write(
        self,
        app: &App,
        cases: impl IntoIterator<Item = safeconduct_domain::CaseReference>,
    ) -> Result<(), ApiError> {
        self.write_asked(app, None, cases).await
    }

    /// Writes the entry, its record followed by what was asked (`asked`: a stage, a count;
    /// built by the handler from parsed values, never text a caller typed) and the canonical
    /// references of `cases`.
    pub async fn write_asked(
        self,
        app: &App,
        asked: Option<String>,
        cases: impl IntoIterator<Item = safeconduct_domain::CaseReference>,
    ) -> Result<(), ApiError> {
        let mut entry = self.entry;
        let found: Vec<String> = cases.into_iter().map(|c| c.to_string()).collect();
        let listed = if found.is_empty() {
            "no case".to_string()
        } else {
            found.join(" ")
        };
        let asked = asked.map(|a| format!("{a}: ")).unwrap_or_default();
        entry.record = Some(format!(
            "{}: {asked}{listed}",
            entry.record.unwrap_or_default()
        ));
        app.run(move |s| s.audit(&entry)).await?;
        self.written.store(true, Ordering::SeqCst);
        Ok(())
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PendingReadAudit {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        parts
            .extensions
            .remove::<PendingReadAudit>()
            .ok_or_else(|| {
                tracing::error!("a read audited by its handler reached it without its entry");
                ApiError::internal()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    fn answer(status: StatusCode) -> Response {
        (status, "the cases found").into_response()
    }

    #[test]
    fn a_success_whose_entry_was_written_is_answered() {
        let written = AuditWritten::default();
        written.0.store(true, Ordering::SeqCst);
        let response = answered_only_if_audited(&written, answer(StatusCode::OK));
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[test]
    fn a_success_without_its_entry_is_withheld() {
        let response = answered_only_if_audited(&AuditWritten::default(), answer(StatusCode::OK));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_refusal_without_an_entry_stands() {
        let response = answered_only_if_audited(
            &AuditWritten::default(),
            answer(StatusCode::UNPROCESSABLE_ENTITY),
        );
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
