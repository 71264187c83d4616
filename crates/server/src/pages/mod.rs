//! What people read in a browser. Documents served through the endpoint table like every
//! other answer: the flight manifest as CSV and as a printable page (`manifest`), and a
//! household's pass sheet (`pass_sheet`), each drawn from what a handler loaded. And the
//! application's pages (`site`: the table of pages and their routes; `shell`: the frame each
//! shares, in the reader's language; `assets`: the embedded files they are made of), which
//! carry no data and ask the API for everything.
//!
//! Must not depend on: the API's resource modules, the store trait, the authorisation layer.
//! A document is drawn from records it is handed; who may see it is the endpoint table's rule.

pub mod assets;
pub mod manifest;
pub mod pass_sheet;
pub mod shell;
pub mod site;

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
