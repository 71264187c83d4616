//! The application's pages and their routes: `/` leads to sign-in; `/app/{page}` is a page of
//! the table below in the language asked for (`?lang=`, else the browser's); `/scanner/` the
//! offline scanner and `/scanner/sw.js` its service worker; `/assets/…` the files they are
//! made of.
//!
//! Who may call: anyone. A page's frame and script carry no data; the script asks the API
//! for everything it shows, with the bearer token of the person signed in, and the API's
//! authorisation decides what comes back. What each page shows to whom is stated at the top
//! of its template and of its script.
//!
//! Must not depend on: the API's resource modules, the store, the authorisation layer.

use super::assets;
use super::shell::{self, Page};
use crate::App;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use safeconduct_domain::values::Language;
use safeconduct_i18n as i18n;
use serde::Deserialize;

/// Every page of the application.
pub const PAGES: &[Page] = &[
    Page {
        name: "sign-in",
        title: "signin-title",
        script: "sign-in.js",
        areas: &["sign-in"],
        style: None,
    },
    Page {
        name: "map",
        title: "map-title",
        script: "operation-map.js",
        areas: &["map"],
        style: Some("map.css"),
    },
    Page {
        name: "hotline",
        title: "hotline-title",
        script: "hotline.js",
        areas: &["hotline", "map"],
        style: Some("map.css"),
    },
    Page {
        name: "gate",
        title: "gate-title",
        script: "gate.js",
        areas: &["gate"],
        style: Some("gate.css"),
    },
    Page {
        name: "pass",
        title: "pass-title",
        script: "pass.js",
        areas: &["pass"],
        style: Some("pass.css"),
    },
    Page {
        name: "plan",
        title: "plan-title",
        script: "plan.js",
        areas: &["plan"],
        style: Some("plan.css"),
    },
    Page {
        name: "dashboard",
        title: "dashboard-title",
        script: "dashboard.js",
        areas: &["dashboard"],
        style: Some("dashboard.css"),
    },
];

/// The escort's and gate's offline scanner: at `/scanner/`, so that its service worker
/// (`/scanner/sw.js`) covers it.
pub const SCANNER: Page = Page {
    name: "scanner",
    title: "scanner-title",
    script: "scanner/scanner.js",
    areas: &["scanner"],
    style: Some("scanner/scanner.css"),
};

/// The routes of the pages and their files.
pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/app/sign-in") }))
        .route("/app/{page}", get(page))
        .route("/scanner/", get(scanner))
        .route("/scanner/sw.js", get(scanner_worker))
        .route("/assets/{*path}", get(assets::serve))
}

/// `GET /scanner/`: open, like every page; the scanner's frame carries no data.
async fn scanner(Query(q): Query<LangQuery>, headers: HeaderMap) -> Response {
    let language = language(q.lang.as_deref(), &headers);
    shell::render(&SCANNER, language, "/scanner/")
        .unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// `GET /scanner/sw.js`: open; the scanner's service worker, served from the scanner's path
/// so that its scope covers it.
async fn scanner_worker(headers: HeaderMap) -> Response {
    assets::serve(Path("scanner/sw.js".to_string()), headers).await
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The language of a page: the one asked for, else the browser's first we have.
pub fn language(query: Option<&str>, headers: &HeaderMap) -> Language {
    query
        .and_then(i18n::from_tag)
        .filter(|l| i18n::COMPLETE.contains(l))
        .unwrap_or_else(|| {
            let accept = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let l = i18n::from_accept_language(accept);
            if i18n::COMPLETE.contains(&l) {
                l
            } else {
                Language::English
            }
        })
}

async fn page(
    Path(name): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(page) = PAGES.iter().find(|p| p.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let language = language(q.lang.as_deref(), &headers);
    shell::render(page, language, &format!("/app/{}", page.name))
        .unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

#[cfg(test)]
mod tests {
    use super::PAGES;
    use crate::pages::assets;
    use safeconduct_domain::values::Language;
    use safeconduct_i18n as i18n;

    /// What every page loads before its own script (the frame's stylesheet, the shared
    /// script, the Arabic-script font) stays small enough for a phone on a poor network.
    #[test]
    fn the_shared_files_stay_small() {
        let shared: usize = assets::sizes()
            .iter()
            .filter(|(name, _)| {
                [
                    "app.css",
                    "app.js",
                    "vendor/fonts/vazirmatn-400.woff2",
                    "vendor/fonts/vazirmatn-700.woff2",
                ]
                .contains(name)
            })
            .map(|(_, size)| size)
            .sum();
        assert!(shared < 80_000, "{shared} bytes");
    }

    /// Every message a template names exists, and every page's template and script exist.
    #[test]
    fn every_page_has_its_files_and_its_messages() {
        for page in PAGES.iter().chain([&super::SCANNER]) {
            let template = assets::text(&format!("pages/{}.html", page.name))
                .unwrap_or_else(|| panic!("assets/pages/{}.html is missing", page.name));
            assert!(
                assets::bytes(page.script).is_some(),
                "assets/{} is missing",
                page.script
            );
            assert!(i18n::has(Language::English, page.title), "{}", page.title);
            let mut rest = template;
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let end = after.find("}}").expect("a closed {{");
                let id = after[..end].trim();
                assert!(
                    i18n::has(Language::English, id),
                    "{}.html names {id}",
                    page.name
                );
                rest = &after[end + 2..];
            }
        }
    }
}
