//! The files the pages are made of (`crates/server/assets/`, embedded at build time by
//! `build.rs`), served at `/assets/{path}` to anyone: they hold no data. Each answer carries an
//! entity tag so that a phone on a poor network revalidates instead of downloading again.
//!
//! Must not depend on: the API, the store, the authorisation layer.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::LazyLock;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// Templates are read by the page shell, not served.
const TEMPLATES: &str = "pages/";

struct Asset {
    name: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
    etag: String,
}

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    generated::FILES
        .iter()
        .map(|(name, bytes)| {
            let digest = Sha256::digest(bytes);
            let etag = format!("\"{}\"", hex(&digest[..12]));
            let asset = Asset {
                name,
                bytes,
                content_type: content_type(name),
                etag,
            };
            (*name, asset)
        })
        .collect()
});

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// In debug builds only, `SAFECONDUCT_DEV_ASSETS=crates/server/assets` serves the files of the
/// table from that folder as they are now, so that editing a page needs no rebuild. Only names
/// in the table are read; release builds ignore the variable.
fn from_disk(name: &str) -> Option<&'static [u8]> {
    if !cfg!(debug_assertions) || !ASSETS.contains_key(name) {
        return None;
    }
    let dir = std::env::var_os("SAFECONDUCT_DEV_ASSETS")?;
    let bytes = std::fs::read(std::path::Path::new(&dir).join(name)).ok()?;
    // A file is kept once per edit, not once per request.
    static READ: std::sync::Mutex<Option<HashMap<String, &'static [u8]>>> =
        std::sync::Mutex::new(None);
    let mut read = READ.lock().unwrap_or_else(|p| p.into_inner());
    let read = read.get_or_insert_with(HashMap::new);
    match read.get(name) {
        Some(kept) if **kept == *bytes => Some(*kept),
        _ => {
            let kept: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            read.insert(name.to_string(), kept);
            Some(kept)
        }
    }
}

/// The text of an embedded file (a template), if there is one.
pub fn text(name: &str) -> Option<&'static str> {
    bytes(name).and_then(|b| std::str::from_utf8(b).ok())
}

/// The text of a file as it was embedded at build time (never the development folder): for
/// what must match a hash computed once.
pub fn embedded_text(name: &str) -> Option<&'static str> {
    ASSETS
        .get(name)
        .and_then(|a| std::str::from_utf8(a.bytes).ok())
}

/// The bytes of an embedded file.
pub fn bytes(name: &str) -> Option<&'static [u8]> {
    from_disk(name).or_else(|| ASSETS.get(name).map(|a| a.bytes))
}

/// Every embedded file's path and size, for the page-weight checks.
#[cfg(test)]
pub fn sizes() -> Vec<(&'static str, usize)> {
    let mut all: Vec<_> = ASSETS.iter().map(|(n, a)| (*n, a.bytes.len())).collect();
    all.sort();
    all
}

/// `GET /assets/{*path}`: open; a file of the table, or 404.
pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.get(path.as_str()) {
        Some(asset) if !path.starts_with(TEMPLATES) => respond(asset, &headers),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn respond(asset: &Asset, headers: &HeaderMap) -> Response {
    if let Some(bytes) = from_disk(asset.name) {
        return ([(header::CONTENT_TYPE, asset.content_type)], bytes).into_response();
    }
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == asset.etag));
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let h = res.headers_mut();
    if let Ok(tag) = HeaderValue::from_str(&asset.etag) {
        h.insert(header::ETAG, tag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}
