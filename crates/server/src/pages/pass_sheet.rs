//! A household's printable pass sheet, in its language: the QR code, the reference, where and
//! when, and what to do. It names no person.

use super::{esc, printable};
use crate::wire::time_text;
use axum::response::Response;

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
pub fn page(
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
    printable(body)
}
