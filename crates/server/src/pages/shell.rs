//! The frame every page of the application shares: `<html lang dir>` in the reader's
//! language, the stylesheet, the page's script, its messages as a JSON data block for the
//! script, a skip link and the language choice. A page's own markup is a template
//! (`assets/pages/NAME.html`) in which `{{ message-id }}` stands for the message in the
//! page's language, escaped.
//!
//! Must not depend on: the API, the store, the authorisation layer. A page's frame carries no
//! data: everything a person sees about people comes from the API under its authorisation.

use super::esc;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use safeconduct_domain::values::Language;
use safeconduct_i18n as i18n;
use std::sync::LazyLock;

/// What the pages may load and where they may connect: only this server. No inline script
/// (data blocks are not scripts), no inline style but the printable documents' own, each by
/// its hash (a pass sheet or a manifest a page opens as a blob inherits this policy), no
/// frames, no plugins, no other origin.
pub fn page_policy() -> &'static HeaderValue {
    static POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
        let print: Vec<String> = super::PRINT_STYLES
            .iter()
            .map(|s| super::print_style_source(s))
            .collect();
        let policy = format!(
            "default-src 'none'; script-src 'self'; style-src 'self' {}; \
             img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
             media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
            print.join(" ")
        );
        HeaderValue::from_str(&policy).expect("a policy is a header value")
    });
    &POLICY
}

/// A page of the application.
pub struct Page {
    /// Under `/app/`, and the template's name.
    pub name: &'static str,
    /// The message of its title.
    pub title: &'static str,
    /// Its script under `/assets/` (an ES module).
    pub script: &'static str,
    /// The message files its script reads, besides `common`.
    pub areas: &'static [&'static str],
    /// Its own stylesheet under `/assets/`, after the shared `app.css`.
    pub style: Option<&'static str>,
}

/// The page in `language`, or `None` when its template is missing.
pub fn render(page: &Page, language: Language, path: &str) -> Option<Response> {
    let template = super::assets::text(&format!("pages/{}.html", page.name))?;
    let t = |id: &str| esc(&i18n::text(language, id, &[]));
    let mut areas = vec!["common"];
    areas.extend_from_slice(page.areas);
    let messages = serde_json::to_string(&i18n::page_messages(language, &areas))
        .unwrap_or_else(|_| "{}".into())
        // A data block ends at the first `</`: keep every `<` out of it.
        .replace('<', "\\u003c");
    let languages: String = i18n::COMPLETE
        .iter()
        .map(|l| {
            let current = if *l == language {
                " aria-current=\"true\""
            } else {
                ""
            };
            format!(
                "<a href=\"{path}?lang={tag}\" lang=\"{tag}\" hreflang=\"{tag}\"{current}>{name}</a>",
                path = esc(path),
                tag = i18n::tag(*l),
                name = esc(i18n::native_name(*l)),
            )
        })
        .collect();
    let body = fill(template, &t);
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"safeconduct-locale\" content=\"{locale}\">\n\
         <title>{title} · safeconduct</title>\n\
         <link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"stylesheet\" href=\"/assets/app.css\">\n{style}\
         <script type=\"module\" src=\"/assets/{script}\"></script>\n\
         <script type=\"application/json\" id=\"messages\">{messages}</script>\n</head>\n\
         <body data-page=\"{name}\">\n<a class=\"skip\" href=\"#main\">{skip}</a>\n\
         <header class=\"bar\"><span class=\"brand\">safeconduct</span>\
         <nav class=\"languages\" aria-label=\"{language_label}\">{languages}</nav>\
         <span id=\"who\" class=\"who\"></span></header>\n{body}\n</body>\n</html>\n",
        lang = i18n::tag(language),
        dir = i18n::direction(language),
        locale = i18n::locale(language),
        title = t(page.title),
        style = page
            .style
            .map(|s| format!("<link rel=\"stylesheet\" href=\"/assets/{s}\">\n"))
            .unwrap_or_default(),
        script = page.script,
        name = page.name,
        skip = t("common-skip"),
        language_label = t("common-language"),
    );
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    res.headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, page_policy().clone());
    Some(res)
}

/// `template` with every `{{ id }}` replaced by `message(id)`.
fn fill(template: &str, message: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push_str(&message(after[..end].trim()));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn a_template_gets_its_messages() {
        let m = |id: &str| format!("<{id}>");
        assert_eq!(fill("a {{ x-y }} b {{z}}", &m), "a <x-y> b <z>");
        assert_eq!(fill("no end {{ x", &m), "no end {{ x");
    }
}
