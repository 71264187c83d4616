//! Verification outcomes in the reader's language. `{n}` is replaced by a number of minutes
//! (hours for the status list's age) and `{rv}` by the pass's rendezvous point.
//!
//! The Dari and Pashto texts await review by native speakers before field use.

use safeconduct_domain::values::Language;

use crate::verify::{Outcome, Verification};

type Texts = [&'static str; 6];

fn pick(texts: &Texts, lang: Language) -> &'static str {
    let i = match lang {
        Language::English => 0,
        Language::French => 1,
        Language::Dari => 2,
        Language::Pashto => 3,
        Language::Arabic => 4,
        Language::Ukrainian => 5,
    };
    texts[i]
}

const VALID: Texts = [
    "Valid pass.",
    "Laissez-passer valide.",
    "اجازه‌نامه معتبر است.",
    "اجازه‌لیک معتبر دی.",
    "تصريح صالح.",
    "Дійсна перепустка.",
];
const WRONG_RV: Texts = [
    "Valid pass, but for another rendezvous point (RV {rv}).",
    "Laissez-passer valide, mais pour un autre point de rendez-vous (RV {rv}).",
    "اجازه‌نامه معتبر است، اما برای محل تجمع دیگری (RV {rv}).",
    "اجازه‌لیک معتبر دی، خو د بل ټولیدو ځای لپاره (RV {rv}).",
    "تصريح صالح، لكنه لنقطة تجمع أخرى (RV {rv}).",
    "Дійсна перепустка, але для іншого пункту збору (RV {rv}).",
];
const FOR_ANOTHER_PLACE: Texts = [
    "Authentic pass, but for another rendezvous point: this device holds no key for it.",
    "Laissez-passer authentique, mais pour un autre point de rendez-vous : cet appareil n'a pas sa clé.",
    "اجازه‌نامه اصلی است، اما برای محل تجمع دیگری: این دستگاه کلید آن را ندارد.",
    "اجازه‌لیک اصلي دی، خو د بل ټولیدو ځای لپاره: دا وسیله یې کیلي نه لري.",
    "تصريح أصلي، لكنه لنقطة تجمع أخرى: لا يملك هذا الجهاز مفتاحه.",
    "Справжня перепустка, але для іншого пункту збору: цей пристрій не має ключа до неї.",
];
const NOT_YET_VALID: Texts = [
    "Not yet valid: this pass becomes valid in {n} min.",
    "Pas encore valide : ce laissez-passer devient valide dans {n} min.",
    "هنوز معتبر نیست: این اجازه‌نامه {n} دقیقه بعد معتبر می‌شود.",
    "لا معتبر نه دی: دا اجازه‌لیک {n} دقیقې وروسته معتبر کیږي.",
    "غير صالح بعد: يصبح هذا التصريح صالحاً بعد {n} دقيقة.",
    "Ще не дійсна: ця перепустка стане дійсною через {n} хв.",
];
const OLD_FORMAT: Texts = [
    "This pass is of an older format and must be re-issued.",
    "Ce laissez-passer est d'un ancien format et doit être délivré à nouveau.",
    "این اجازه‌نامه از قالب قدیمی است و باید دوباره صادر شود.",
    "دا اجازه‌لیک د زوړ شکل دی او باید بیا صادر شي.",
    "هذا التصريح بصيغة قديمة ويجب إعادة إصداره.",
    "Ця перепустка старого формату, її потрібно видати повторно.",
];
const HOLDER_UNBOUND: Texts = [
    "This pass is not bound to a document: check the holder's identity another way.",
    "Ce laissez-passer n'est lié à aucun document : vérifiez l'identité du porteur autrement.",
    "این اجازه‌نامه به هیچ سندی پیوند ندارد: هویت دارنده را به روش دیگری بررسی کنید.",
    "دا اجازه‌لیک له کوم سند سره تړلی نه دی: د لرونکي هویت په بله لاره وګورئ.",
    "هذا التصريح غير مرتبط بأي وثيقة: تحقق من هوية حامله بطريقة أخرى.",
    "Ця перепустка не прив'язана до документа: перевірте особу власника іншим способом.",
];
const EARLY: Texts = [
    "Too early: the window opens in {n} min.",
    "Trop tôt : le créneau ouvre dans {n} min.",
    "خیلی زود است: وقت تعیین‌شده {n} دقیقه بعد شروع می‌شود.",
    "ډېر وختي دی: ټاکلی وخت {n} دقیقې وروسته پیلیږي.",
    "مبكر جداً: تفتح النافذة بعد {n} دقيقة.",
    "Зарано: вікно відкриється через {n} хв.",
];
const LATE: Texts = [
    "Too late: the window closed {n} min ago.",
    "Trop tard : le créneau s'est fermé il y a {n} min.",
    "خیلی دیر است: وقت تعیین‌شده {n} دقیقه پیش تمام شد.",
    "ډېر ناوخته دی: ټاکلی وخت {n} دقیقې مخکې پای ته ورسید.",
    "متأخر جداً: أُغلقت النافذة قبل {n} دقيقة.",
    "Запізно: вікно закрилося {n} хв тому.",
];
const REVOKED: Texts = [
    "Revoked: this pass is no longer valid.",
    "Révoqué : ce laissez-passer n'est plus valide.",
    "لغو شده: این اجازه‌نامه دیگر معتبر نیست.",
    "لغوه شوی: دا اجازه‌لیک نور معتبر نه دی.",
    "ملغى: هذا التصريح لم يعد صالحاً.",
    "Відкликано: ця перепустка більше не дійсна.",
];
const SUPERSEDED: Texts = [
    "Replaced: a newer pass was issued to this household.",
    "Remplacé : un laissez-passer plus récent a été délivré à ce foyer.",
    "جایگزین شده: اجازه‌نامه جدیدتری برای این خانواده صادر شده است.",
    "بدل شوی: دې کورنۍ ته نوی اجازه‌لیک ورکړل شوی دی.",
    "مُستبدل: صدر تصريح أحدث لهذه الأسرة.",
    "Замінено: цій родині видано новішу перепустку.",
];
const EXPIRED: Texts = [
    "Expired {n} min ago.",
    "Expiré depuis {n} min.",
    "{n} دقیقه پیش منقضی شده است.",
    "{n} دقیقې مخکې یې موده پای ته رسېدلې.",
    "منتهي الصلاحية منذ {n} دقيقة.",
    "Термін дії минув {n} хв тому.",
];
const UNKNOWN_KEY: Texts = [
    "Unknown key: this pass is not from an operation this device knows.",
    "Clé inconnue : ce laissez-passer ne vient pas d'une opération connue de cet appareil.",
    "کلید ناشناخته: این اجازه‌نامه از عملیاتی نیست که این دستگاه می‌شناسد.",
    "نامعلومه کیلي: دا اجازه‌لیک د داسې عملیاتو نه دی چې دا وسیله یې پېژني.",
    "مفتاح غير معروف: هذا التصريح ليس من عملية يعرفها هذا الجهاز.",
    "Невідомий ключ: ця перепустка не від операції, відомої цьому пристрою.",
];
const BAD_SIGNATURE: Texts = [
    "Forged or damaged: the signature does not match.",
    "Falsifié ou endommagé : la signature ne correspond pas.",
    "جعلی یا خراب: امضا مطابقت ندارد.",
    "جعلي یا خراب: لاسلیک سمون نه خوري.",
    "مزور أو تالف: التوقيع غير مطابق.",
    "Підроблено або пошкоджено: підпис не збігається.",
];
const HOLDER_MISMATCH: Texts = [
    "The document shown does not belong to this pass.",
    "Le document présenté ne correspond pas à ce laissez-passer.",
    "سندی که نشان داده شد به این اجازه‌نامه تعلق ندارد.",
    "ښودل شوی سند د دې اجازه‌لیک نه دی.",
    "الوثيقة المقدمة لا تخص هذا التصريح.",
    "Пред'явлений документ не належить до цієї перепустки.",
];
const NOT_A_PASS: Texts = [
    "Not a pass.",
    "Ce n'est pas un laissez-passer.",
    "این اجازه‌نامه نیست.",
    "دا اجازه‌لیک نه دی.",
    "ليس تصريحاً.",
    "Це не перепустка.",
];
const STATUS_STALE: Texts = [
    "The revocation list is {n} h old: update the field kit before admitting anyone.",
    "La liste de révocation date de {n} h : mettez à jour le kit avant d'admettre quiconque.",
    "فهرست لغو {n} ساعت کهنه است: پیش از پذیرش کسی، بسته میدانی را به‌روز کنید.",
    "د لغوې لېست {n} ساعته زوړ دی: مخکې له دې چې څوک ومنئ، ساحوي کیټ تازه کړئ.",
    "عمر قائمة الإلغاء {n} ساعة: حدّث حزمة الميدان قبل قبول أي شخص.",
    "Списку відкликань {n} год: оновіть польовий комплект перед допуском.",
];
const STATUS_MISSING: Texts = [
    "No revocation list on this device: load a field kit.",
    "Aucune liste de révocation sur cet appareil : chargez un kit.",
    "فهرست لغو روی این دستگاه نیست: بسته میدانی را بارگذاری کنید.",
    "په دې وسیله د لغوې لېست نشته: ساحوي کیټ پورته کړئ.",
    "لا توجد قائمة إلغاء على هذا الجهاز: حمّل حزمة الميدان.",
    "На пристрої немає списку відкликань: завантажте польовий комплект.",
];
const TIER_UNREADABLE: Texts = [
    "Authentic pass, but this device holds no key to read its details.",
    "Laissez-passer authentique, mais cet appareil n'a pas la clé pour en lire le détail.",
    "اجازه‌نامه اصلی است، اما این دستگاه کلید خواندن جزئیات آن را ندارد.",
    "اجازه‌لیک اصلي دی، خو دا وسیله د جزئیاتو لوستلو کیلي نه لري.",
    "تصريح أصلي، لكن هذا الجهاز لا يملك مفتاح قراءة تفاصيله.",
    "Справжня перепустка, але цей пристрій не має ключа для читання деталей.",
];
const STALE_WARNING: Texts = [
    "Warning: the revocation list is {n} h old.",
    "Attention : la liste de révocation date de {n} h.",
    "هشدار: فهرست لغو {n} ساعت کهنه است.",
    "خبرداری: د لغوې لېست {n} ساعته زوړ دی.",
    "تنبيه: عمر قائمة الإلغاء {n} ساعة.",
    "Увага: списку відкликань {n} год.",
];

fn minutes(secs: u64) -> u64 {
    secs.div_ceil(60)
}

impl Outcome {
    /// The outcome as a sentence in `lang`, for the person at the checkpoint.
    pub fn message(self, lang: Language) -> String {
        let (texts, n) = match self {
            Outcome::Valid => (&VALID, 0),
            Outcome::WrongRv { pass_rv, .. } => {
                return pick(&WRONG_RV, lang).replace("{rv}", &pass_rv.to_string());
            }
            Outcome::ForAnotherPlace => (&FOR_ANOTHER_PLACE, 0),
            Outcome::Early { by } => (&EARLY, minutes(by)),
            Outcome::NotYetValid { by } => (&NOT_YET_VALID, minutes(by)),
            Outcome::Late { by } => (&LATE, minutes(by)),
            Outcome::Revoked => (&REVOKED, 0),
            Outcome::Superseded => (&SUPERSEDED, 0),
            Outcome::Expired { by } => (&EXPIRED, minutes(by)),
            Outcome::UnknownKey => (&UNKNOWN_KEY, 0),
            Outcome::BadSignature => (&BAD_SIGNATURE, 0),
            Outcome::HolderMismatch => (&HOLDER_MISMATCH, 0),
            Outcome::NotAPass => (&NOT_A_PASS, 0),
            Outcome::OldFormat => (&OLD_FORMAT, 0),
            Outcome::StatusStale { age } => (&STATUS_STALE, age / 3600),
            Outcome::StatusMissing => (&STATUS_MISSING, 0),
            Outcome::TierUnreadable => (&TIER_UNREADABLE, 0),
        };
        pick(texts, lang).replace("{n}", &n.to_string())
    }
}

impl Verification {
    /// The warning about an old status list, when there is one.
    pub fn warning(&self, lang: Language) -> Option<String> {
        let age = self.status_age.filter(|_| self.stale_warning)?;
        Some(pick(&STALE_WARNING, lang).replace("{n}", &(age / 3600).to_string()))
    }

    /// The notice that a document was shown but the pass is bound to none, when it is so.
    pub fn holder_notice(&self, lang: Language) -> Option<&'static str> {
        self.holder_unbound.then(|| pick(&HOLDER_UNBOUND, lang))
    }
}
