//! A household's printable pass sheet, in its language: the QR code, the reference, where and
//! when, and what to do. It names no person.

use super::{esc, print_style, printable};
use crate::wire::time_text;
use axum::response::Response;

/// The sheet's style (`assets/print/pass-sheet.css`).
const STYLE: &str = "print/pass-sheet.css";

/// A word of the sheet in the household's language (`i18n/locales/*/pass-sheet.ftl`; a
/// language without it falls back to English), escaped.
fn word(language: safeconduct_domain::values::Language, id: &str) -> String {
    esc(&safeconduct_i18n::text(language, id, &[]))
}

/// A printable sheet for the household: the QR code, its reference, where and when, and what
/// to do, in the household's language. It names no person.
pub fn page(
    pass: &safeconduct_store::StoredPass,
    qr: &safeconduct_pass::qr::Qr,
    rv: Option<&safeconduct_store::RendezvousPoint>,
    window: Option<&safeconduct_store::Window>,
) -> Response {
    let lang = pass.language;
    let code = safeconduct_i18n::tag(lang);
    let dir = safeconduct_i18n::direction(lang);
    let place = rv
        .map(|r| format!("{} — {}", esc(&r.name), esc(&r.landmark)))
        .unwrap_or_default();
    let time = window
        .map(|w| {
            format!(
                "{} – {}",
                esc(&time_text(w.spec.start)),
                esc(&time_text(w.spec.end))
            )
        })
        .unwrap_or_default();
    let steps: String = (1..=5)
        .map(|i| format!("<li>{}</li>", word(lang, &format!("passsheet-step-{i}"))))
        .collect();
    let body = format!(
        r#"<!doctype html>
<html lang="{code}" dir="{dir}"><head><meta charset="utf-8"><title>{title}</title>
{style}</head>
<body>
<h1>{title}</h1>
<div class="qr">{svg}</div>
<p class="ref" dir="ltr">{reference}</p>
<dl><dt>{place_label}</dt><dd>{place}</dd><dt>{time_label}</dt><dd dir="ltr">{time}</dd></dl>
<ol>{steps}</ol>
</body></html>
"#,
        title = word(lang, "passsheet-title"),
        style = print_style(STYLE),
        svg = qr.svg(),
        reference = esc(pass.reference.as_str()),
        place_label = word(lang, "passsheet-place"),
        time_label = word(lang, "passsheet-time"),
    );
    printable(body, STYLE)
}
