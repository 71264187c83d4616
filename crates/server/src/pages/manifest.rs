//! The flight manifest as CSV (defused against spreadsheet formulas) and as a printable page.

use super::{esc, printable};
use crate::wire::time_text;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use safeconduct_store::Manifest;

/// A CSV field: quoted when needed, and defused when a spreadsheet would read it as a formula.
fn csv_field(s: &str) -> String {
    let defused = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

pub fn csv_text(m: &Manifest) -> String {
    let mut out = String::from(
        "flight,departs_at,reference,person_id,name,name_native,birth_date,nationality,document,boarded\r\n",
    );
    let departs = time_text(m.flight.departs_at);
    for l in &m.lines {
        let fields = [
            m.flight.number.clone(),
            departs.clone(),
            l.reference.to_string(),
            l.person.to_string(),
            l.name.latin().to_string(),
            l.name.native().unwrap_or_default().to_string(),
            l.birth_date.map(String::from).unwrap_or_default(),
            l.nationality.clone().map(String::from).unwrap_or_default(),
            l.document.clone().map(String::from).unwrap_or_default(),
            if l.boarded { "yes" } else { "no" }.to_string(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

pub fn csv(m: &Manifest) -> Response {
    let filename = format!(
        "manifest-{}.csv",
        m.flight
            .number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        csv_text(m),
    )
        .into_response()
}

pub fn html(m: &Manifest) -> Response {
    let mut rows = String::new();
    for (i, l) in m.lines.iter().enumerate() {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td dir=\"rtl\" lang=\"prs\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            i + 1,
            esc(l.reference.as_str()),
            esc(l.name.latin()),
            esc(l.name.native().unwrap_or_default()),
            esc(&l.birth_date.map(String::from).unwrap_or_default()),
            esc(&l.nationality.clone().map(String::from).unwrap_or_default()),
            esc(&l.document.clone().map(String::from).unwrap_or_default()),
            if l.boarded { "&#10003;" } else { "" },
        ));
    }
    let body = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Manifest {number}</title>
{style}</head>
<body>
<h1>Flight {number} &mdash; passenger manifest</h1>
<p>Departs {departs}. Capacity {capacity}; manifested {manifested}; boarded {boarded}.</p>
<table>
<thead><tr><th>#</th><th>Case</th><th>Name</th><th>Name (own script)</th><th>Born</th><th>Nationality</th><th>Document</th><th>Boarded</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<p>Signed: ______________________ &nbsp; Time: __________</p>
</body></html>
"#,
        style = super::print_style("print/manifest.css"),
        number = esc(&m.flight.number),
        departs = esc(&time_text(m.flight.departs_at)),
        capacity = m.flight.capacity,
        manifested = m.flight.manifested_people,
        boarded = m.flight.boarded_people,
    );
    printable(body, "print/manifest.css")
}
