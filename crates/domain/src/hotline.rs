//! The hotline and the messages sent to households: what a logged call can end in, the kinds
//! and delivery states of a message, the text of a message (bounded to three SMS), the
//! notice of a new window in the household's language, and how long a failed send waits
//! before it is tried again.
//!
//! Must not import: anything of the store, HTTP or a transport. It holds rules and words; the
//! store keeps messages and the server sends them.

use crate::error::DomainError;
use crate::text::Text;
use crate::values::{Language, Timestamp};
use serde::{Deserialize, Serialize};

/// How a hotline call ended, as the operator records it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// The caller was told the way and the time.
    Guided,
    /// The route was sent by message as well.
    RouteSent,
    /// The caller is to be called back.
    CallBack,
    /// A call out that nobody answered.
    NoAnswer,
    /// The caller could not be helped on this call (wrong case, not eligible, cut off).
    NotResolved,
}

impl CallOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Guided => "guided",
            CallOutcome::RouteSent => "route_sent",
            CallOutcome::CallBack => "call_back",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::NotResolved => "not_resolved",
        }
    }
}

/// What a message to a household is about.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    PassLink,
    NewWindow,
    Route,
}

/// Where a message is on its way out.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Not yet accepted by the transport; tried again after a delay.
    Pending,
    /// Accepted by the transport (the gateway answered with success).
    Sent,
    /// Given up after [`MAX_SEND_ATTEMPTS`] or refused for good; a person must follow up.
    Failed,
}

/// Attempts before a message is given up and shown as failed.
pub const MAX_SEND_ATTEMPTS: u32 = 8;

/// Seconds to wait after `attempts` failed attempts: 5 s doubling each time, at most 15
/// minutes, so a gateway that is down for a while is not hammered and a short outage costs
/// seconds.
pub fn retry_delay_seconds(attempts: u32) -> i64 {
    let doubled = 5i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(20));
    doubled.min(15 * 60)
}

/// The text of a message: not blank, at most [`MessageText::MAX_CHARS`] characters (three
/// SMS in UCS-2 are 201; three in GSM 7-bit are 459; the guidance's SMS form fits in three).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(Text);

impl MessageText {
    pub const MAX_CHARS: usize = 480;

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        if input.trim().is_empty() {
            return Err(DomainError::invalid(
                "message",
                "a message must say something",
            ));
        }
        Ok(MessageText(Text::parse_lines(
            "message",
            input,
            Self::MAX_CHARS,
        )?))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A window as a household is told it.
pub struct WindowNotice<'a> {
    pub reference: &'a str,
    pub rv_name: &'a str,
    pub landmark: &'a str,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The notice of a new window, in the household's language. Times are UTC and say so: a
/// phone's clock may be set to any zone.
pub fn new_window_notice(language: Language, w: &WindowNotice<'_>) -> MessageText {
    let (from, until) = (clock(w.starts_at), clock(w.ends_at));
    let day = &w.starts_at.rfc3339()[..10];
    let (r, rv, lm) = (w.reference, w.rv_name, w.landmark);
    let text = match language {
        Language::English => format!(
            "{r}: your time has changed. Be at {rv} ({lm}) on {day} between {from} and {until} UTC. Your earlier pass is no longer valid; a new one will follow."
        ),
        Language::French => format!(
            "{r} : votre horaire a changé. Soyez à {rv} ({lm}) le {day} entre {from} et {until} UTC. Votre ancien laissez-passer n'est plus valable ; un nouveau suivra."
        ),
        Language::Dari => format!(
            "{r}: وقت شما تغییر کرد. در تاریخ {day} بین {from} و {until} (UTC) در {rv} ({lm}) باشید. اجازه‌نامهٔ قبلی شما دیگر اعتبار ندارد؛ اجازه‌نامهٔ جدید فرستاده می‌شود."
        ),
        Language::Pashto => format!(
            "{r}: ستاسو وخت بدل شو. په {day} د {from} او {until} (UTC) ترمنځ په {rv} ({lm}) کې اوسئ. پخوانی اجازه‌لیک مو نور اعتبار نه لري؛ نوی به درته ولیږل شي."
        ),
        Language::Arabic => format!(
            "{r}: تغيّر موعدك. كن في {rv} ({lm}) يوم {day} بين {from} و{until} (UTC). تصريحك السابق لم يعد صالحًا؛ سيصلك تصريح جديد."
        ),
        // No Ukrainian translation of the notice was written yet; English is read by the
        // hotline to anyone who needs it.
        Language::Ukrainian => {
            return new_window_notice(Language::English, w);
        }
    };
    // The parts are names and times the store already checked; a notice that does not fit
    // is cut rather than lost (the hotline still has the case).
    let text: String = text.chars().take(MessageText::MAX_CHARS).collect();
    MessageText::parse(&text).expect("a notice of checked names and times is a valid message")
}

/// The message that brings a household its pass page: the link (which opens the pass with
/// no account, and must not be passed on) in the household's language. It names no person
/// and no reference: whoever reads the phone learns only that a pass exists.
pub fn pass_link_notice(language: Language, link: &str) -> MessageText {
    let text = match language {
        Language::English => format!(
            "Your pass is ready. Open it here and show the code only to the escort: {link} Do not forward this message."
        ),
        Language::French => format!(
            "Votre laissez-passer est prêt. Ouvrez-le ici et ne montrez le code qu'à l'escorte : {link} Ne transférez pas ce message."
        ),
        Language::Dari => format!(
            "اجازه‌نامهٔ شما آماده است. آن را اینجا باز کنید و کد را فقط به همراهان نشان دهید: {link} این پیام را برای کسی نفرستید."
        ),
        Language::Pashto => format!(
            "ستاسو اجازه‌لیک چمتو دی. دلته یې پرانیزئ او کوډ یوازې همراهانو ته وښایئ: {link} دا پیغام بل چا ته مه لیږئ."
        ),
        Language::Arabic => format!(
            "تصريحك جاهز. افتحه هنا ولا تُظهر الرمز إلا للمرافقين: {link} لا تُعِد إرسال هذه الرسالة."
        ),
        Language::Ukrainian => format!(
            "Ваша перепустка готова. Відкрийте її тут і показуйте код лише супроводу: {link} Не пересилайте це повідомлення."
        ),
    };
    MessageText::parse(&text).expect("a link of checked characters is a valid message")
}

fn clock(t: Timestamp) -> String {
    t.rfc3339()[11..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_from_five_seconds_and_stop_at_fifteen_minutes() {
        assert_eq!(retry_delay_seconds(1), 5);
        assert_eq!(retry_delay_seconds(2), 10);
        assert_eq!(retry_delay_seconds(3), 20);
        assert_eq!(retry_delay_seconds(9), 15 * 60);
        assert_eq!(retry_delay_seconds(200), 15 * 60);
    }

    #[test]
    fn a_blank_message_is_refused() {
        assert!(MessageText::parse("  \n ").is_err());
    }

    #[test]
    fn a_message_longer_than_three_sms_is_refused() {
        assert!(MessageText::parse(&"x".repeat(MessageText::MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn a_message_with_a_control_character_is_refused() {
        assert!(MessageText::parse("go\u{0007} now").is_err());
    }

    fn notice() -> WindowNotice<'static> {
        WindowNotice {
            reference: "K7M-4QX",
            rv_name: "RV North",
            landmark: "the old library",
            starts_at: Timestamp(1_795_000_000),
            ends_at: Timestamp(1_795_003_600),
        }
    }

    #[test]
    fn a_window_notice_names_the_place_and_the_utc_times_in_each_language() {
        for language in [
            Language::English,
            Language::French,
            Language::Dari,
            Language::Pashto,
            Language::Arabic,
        ] {
            let text = new_window_notice(language, &notice());
            let t = text.as_str();
            assert!(
                t.contains("RV North") && t.contains("UTC"),
                "{language:?}: {t}"
            );
            assert!(
                t.contains(&clock(Timestamp(1_795_000_000))),
                "{language:?}: {t}"
            );
            assert!(t.chars().count() <= MessageText::MAX_CHARS);
        }
    }

    /// A pass link fits two UCS-2 text messages (134 characters) in every language with a
    /// link of a realistic length, and carries the link whole.
    #[test]
    fn a_pass_link_notice_fits_two_messages_and_carries_the_link() {
        let link =
            "https://sc.example.org/app/pass?lang=prs#0123456789abcdef0123456789abcdef01234567";
        for language in [
            Language::English,
            Language::French,
            Language::Dari,
            Language::Pashto,
            Language::Arabic,
            Language::Ukrainian,
        ] {
            let t = pass_link_notice(language, link);
            assert!(t.as_str().contains(link), "{language:?}");
            assert!(
                t.as_str().chars().count() <= 201,
                "{language:?}: {}",
                t.as_str()
            );
        }
    }
}
