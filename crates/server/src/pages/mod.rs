//! Documents people read or print, served through the endpoint table like every other
//! answer: the flight manifest as CSV and as a printable page (`manifest`), and a household's
//! pass sheet (`pass_sheet`). Each takes what a handler loaded and returns the response.
//!
//! Must not depend on: the API's resource modules, the store trait, the authorisation layer.
//! A page is drawn from records it is handed; who may see it is the endpoint table's rule.

pub mod manifest;
pub mod pass_sheet;

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Text escaped for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A printable HTML page that loads nothing from anywhere.
fn printable(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        body,
    )
        .into_response()
}
