//! Documents people read or print: the flight manifest as CSV and as a printable page, and a
//! household's pass sheet.

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

pub fn manifest_csv_text(m: &Manifest) -> String {
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

pub fn manifest_csv(m: &Manifest) -> Response {
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
        manifest_csv_text(m),
    )
        .into_response()
}

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

pub fn manifest_html(m: &Manifest) -> Response {
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
<style>
body {{ font-family: sans-serif; margin: 1.5cm; }}
h1 {{ font-size: 1.4em; margin: 0 0 .3em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10pt; }}
th, td {{ border: 1px solid #444; padding: 3px 6px; text-align: start; }}
th {{ background: #eee; }}
@media print {{ body {{ margin: 0; }} tr {{ page-break-inside: avoid; }} }}
</style></head>
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
        number = esc(&m.flight.number),
        departs = esc(&time_text(m.flight.departs_at)),
        capacity = m.flight.capacity,
        manifested = m.flight.manifested_people,
        boarded = m.flight.boarded_people,
    );
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

/// What a household reads on its pass sheet, in its language: English, French, Dari, Pashto,
/// Arabic, Ukrainian. The Dari and Pashto texts await review by native speakers.
struct SheetText {
    title: &'static str,
    place: &'static str,
    time: &'static str,
    steps: [&'static str; 5],
}

fn sheet_text(lang: safeconduct_domain::values::Language) -> SheetText {
    use safeconduct_domain::values::Language::*;
    match lang {
        English => SheetText {
            title: "Your pass",
            place: "Rendezvous point",
            time: "Your time window",
            steps: [
                "Keep this sheet hidden. Do not post or send a photo of the code.",
                "Go to the rendezvous point only during your time window, with every person on this pass.",
                "Bring the identity document you registered with.",
                "Show the code only to the escort party at the point, and follow their directions.",
                "If this sheet is lost or seen by strangers, call the hotline: a new pass will be issued and this one cancelled.",
            ],
        },
        French => SheetText {
            title: "Votre laissez-passer",
            place: "Point de rendez-vous",
            time: "Votre créneau",
            steps: [
                "Gardez cette feuille cachée. Ne publiez ni n'envoyez de photo du code.",
                "Rendez-vous au point uniquement pendant votre créneau, avec toutes les personnes de ce laissez-passer.",
                "Apportez la pièce d'identité donnée à l'inscription.",
                "Ne montrez le code qu'à l'escorte au point de rendez-vous et suivez ses indications.",
                "Si cette feuille est perdue ou vue par des inconnus, appelez la ligne d'assistance : un nouveau laissez-passer sera délivré et celui-ci annulé.",
            ],
        },
        Dari => SheetText {
            title: "اجازه‌نامه شما",
            place: "محل تجمع",
            time: "وقت تعیین‌شده شما",
            steps: [
                "این ورق را پنهان نگه دارید. از کد عکس نگیرید و برای کسی نفرستید.",
                "فقط در وقت تعیین‌شده با همه افراد این اجازه‌نامه به محل تجمع بروید.",
                "سند هویتی را که با آن ثبت نام کردید با خود بیاورید.",
                "کد را فقط به همراهان در محل تجمع نشان دهید و از رهنمایی آنها پیروی کنید.",
                "اگر این ورق گم شد یا بیگانگان آن را دیدند، به خط تماس زنگ بزنید: اجازه‌نامه جدید صادر و این یکی لغو می‌شود.",
            ],
        },
        Pashto => SheetText {
            title: "ستاسو اجازه‌لیک",
            place: "د ټولیدو ځای",
            time: "ستاسو ټاکلی وخت",
            steps: [
                "دا پاڼه پټه وساتئ. د کوډ عکس مه خپروئ او مه یې لېږئ.",
                "یوازې په ټاکلي وخت کې د دې اجازه‌لیک له ټولو کسانو سره د ټولیدو ځای ته ورشئ.",
                "هغه د پېژندنې سند راوړئ چې پرې مو نوم لیکنه کړې وه.",
                "کوډ یوازې د ټولیدو ځای کې بدرګې ته وښایئ او د هغوی لارښوونې ومنئ.",
                "که دا پاڼه ورکه شوه یا پردیو ولیده، د مرستې کرښې ته زنګ ووهئ: نوی اجازه‌لیک به درکړل شي او دا به لغوه شي.",
            ],
        },
        Arabic => SheetText {
            title: "تصريحك",
            place: "نقطة التجمع",
            time: "موعدك",
            steps: [
                "احتفظ بهذه الورقة مخفية. لا تنشر صورة الرمز ولا ترسلها.",
                "اذهب إلى نقطة التجمع في موعدك فقط، مع كل الأشخاص المذكورين في هذا التصريح.",
                "أحضر وثيقة الهوية التي سجلت بها.",
                "لا تُظهر الرمز إلا لفريق المرافقة عند النقطة، واتبع تعليماتهم.",
                "إذا فُقدت هذه الورقة أو رآها غرباء، اتصل بالخط الساخن: سيصدر تصريح جديد ويُلغى هذا.",
            ],
        },
        Ukrainian => SheetText {
            title: "Ваша перепустка",
            place: "Пункт збору",
            time: "Ваш час",
            steps: [
                "Тримайте цей аркуш у прихованому місці. Не публікуйте й не надсилайте фото коду.",
                "Приходьте до пункту збору лише у свій час, разом з усіма людьми з цієї перепустки.",
                "Візьміть документ, з яким ви реєструвалися.",
                "Показуйте код лише супроводу на пункті збору й виконуйте їхні вказівки.",
                "Якщо аркуш загублено або його бачили сторонні, телефонуйте на гарячу лінію: видадуть нову перепустку, а цю скасують.",
            ],
        },
    }
}

/// A printable sheet for the household: the QR code, its reference, where and when, and what
/// to do, in the household's language. It names no person.
pub fn pass_sheet(
    pass: &safeconduct_store::StoredPass,
    qr: &safeconduct_pass::qr::Qr,
    rv: Option<&safeconduct_store::RendezvousPoint>,
    window: Option<&safeconduct_store::Window>,
) -> Response {
    let lang = pass.language;
    let t = sheet_text(lang);
    let code = serde_json::to_value(lang)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "en".into());
    let dir = if lang.is_right_to_left() {
        "rtl"
    } else {
        "ltr"
    };
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
    let steps: String = t
        .steps
        .iter()
        .map(|s| format!("<li>{}</li>", esc(s)))
        .collect();
    let body = format!(
        r#"<!doctype html>
<html lang="{code}" dir="{dir}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5cm; font-size: 13pt; }}
.qr {{ width: 9cm; height: 9cm; display: block; margin: 0 auto 1em; }}
.ref {{ text-align: center; font-family: monospace; font-size: 16pt; letter-spacing: .1em; }}
dt {{ font-weight: bold; margin-top: .6em; }}
li {{ margin: .4em 0; }}
@media print {{ body {{ margin: 1cm; }} }}
</style></head>
<body>
<h1>{title}</h1>
<div class="qr">{svg}</div>
<p class="ref" dir="ltr">{reference}</p>
<dl><dt>{place_label}</dt><dd>{place}</dd><dt>{time_label}</dt><dd dir="ltr">{time}</dd></dl>
<ol>{steps}</ol>
</body></html>
"#,
        title = esc(t.title),
        svg = qr.svg(),
        reference = esc(pass.reference.as_str()),
        place_label = esc(t.place),
        time_label = esc(t.time),
    );
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
