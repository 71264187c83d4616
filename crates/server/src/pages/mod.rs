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

/// The styles of the printable documents (`assets/print/`). Each is written into its
/// document, so that a sheet printed, opened from a page as a blob, or saved to disk loads
/// nothing, and is allowed by its SHA-256 alone: in the document's own policy, and in the
/// pages' policy (`shell::page_policy`), which a document opened from a page as a blob
/// inherits. No policy allows inline style in general.
pub const PRINT_STYLES: [&str; 2] = ["print/pass-sheet.css", "print/manifest.css"];

/// The embedded stylesheet `name` of [`PRINT_STYLES`] (never a file on disk: its hash is in
/// the policies).
fn print_css(name: &str) -> &'static str {
    debug_assert!(PRINT_STYLES.contains(&name), "{name} is not a print style");
    assets::embedded_text(name).unwrap_or_default()
}

/// The policy source that allows the print style `name`: `'sha256-…'`.
pub fn print_style_source(name: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(print_css(name).as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `<style>` holding the print style `name`, for a printable document's head.
fn print_style(name: &str) -> String {
    format!("<style>{}</style>", print_css(name))
}

/// A printable HTML page that loads nothing from anywhere, styled by the print style `style`.
fn printable(body: String, style: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                format!(
                    "default-src 'none'; style-src {}",
                    print_style_source(style)
                ),
            ),
        ],
        body,
    )
        .into_response()
}
