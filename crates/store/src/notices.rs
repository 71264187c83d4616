//! The words of the messages the outbox sends a household: the notice of a new window and the
//! link to its pass page, in the household's language, from `i18n/locales/*/messages.ftl`
//! (the one message set of the product), each made by [`compose`]. A message always fits in
//! three SMS: the fullest form that fits is sent; where none does, a place name is cut, never
//! a time, a reference or a link.
//!
//! Imports the domain's message and time values and the messages crate; nothing of the
//! engines. No subject module imports it but `outbox` and `pass_links`.

use safeconduct_domain::hotline::MessageText;
use safeconduct_domain::values::{Language, Timestamp};
use safeconduct_i18n::{self as i18n, Arg};

/// A window as a household is told it.
pub struct WindowNotice<'a> {
    pub reference: &'a str,
    pub rv_name: &'a str,
    pub landmark: &'a str,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The notice of a new window. Times are UTC and say so: a phone's clock may be set to any
/// zone. `None` only if the reference and the times alone exceed three SMS.
pub fn new_window_notice(language: Language, w: &WindowNotice<'_>) -> Option<MessageText> {
    let (from, until) = (clock(w.starts_at), clock(w.ends_at));
    let start = w.starts_at.rfc3339();
    compose(
        language,
        &[
            "message-new-window",
            "message-new-window-short",
            "message-new-window-shortest",
        ],
        &[
            ("reference", Arg::Text(w.reference)),
            ("rv", Arg::Text(w.rv_name)),
            ("landmark", Arg::Text(w.landmark)),
            ("day", Arg::Text(&start[..10])),
            ("from", Arg::Text(&from)),
            ("until", Arg::Text(&until)),
        ],
        Some("rv"),
    )
}

/// The message that brings a household its pass page: the link (which opens the pass with no
/// account, and must not be passed on). It names no person and no reference: whoever reads
/// the phone learns only that a pass exists. `None` when the link is too long for any message
/// (a link is never cut).
pub fn pass_link_notice(language: Language, link: &str) -> Option<MessageText> {
    compose(
        language,
        &[
            "message-pass-link",
            "message-pass-link-short",
            "message-pass-link-shortest",
        ],
        &[("link", Arg::Text(link))],
        None,
    )
}

/// The first of `forms` that fits in three SMS (the last with `shortenable` cut when none
/// does), as a message.
fn compose(
    language: Language,
    forms: &[&str],
    args: &[(&str, Arg<'_>)],
    shortenable: Option<&str>,
) -> Option<MessageText> {
    let text = i18n::sms_text(language, forms, args, shortenable)?;
    // Three SMS are at most 459 characters, within a message's bound; the arguments are names
    // and times the store already checked. A text that is not a message is not sent.
    MessageText::parse(&text).ok()
}

fn clock(t: Timestamp) -> String {
    t.rfc3339()[11..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use i18n::sms::{MAX_PARTS, parts};

    fn notice(rv_name: &str) -> WindowNotice<'_> {
        WindowNotice {
            reference: "K7M-4QX",
            rv_name,
            landmark: "the old library",
            starts_at: Timestamp(1_795_000_000),
            ends_at: Timestamp(1_795_003_600),
        }
    }

    /// Checks that a notice fits three SMS and carries the reference, the day and both times
    /// whole, in UTC; the notice.
    fn says_when(language: Language, t: &str) -> &str {
        assert!(
            parts(t) <= MAX_PARTS,
            "{language:?}: {} parts: {t}",
            parts(t)
        );
        for whole in ["K7M-4QX", "2026-11-18", "UTC", "11:06", "12:06"] {
            assert!(t.contains(whole), "{language:?} lacks {whole}: {t}");
        }
        t
    }

    #[test]
    fn a_window_notice_names_the_place_and_the_utc_times_in_each_language() {
        for language in i18n::ALL {
            let t = new_window_notice(language, &notice("RV North")).expect("a notice");
            let t = says_when(language, t.as_str());
            assert!(t.contains("RV North"), "{language:?}: {t}");
        }
    }

    /// A place name too long for three SMS costs the landmark and words first, then its own
    /// end; the reference, the day and both times stay whole.
    #[test]
    fn a_window_notice_with_a_long_place_name_is_cut_in_the_name_only() {
        let long = "شفاخانهٔ ".repeat(40);
        for language in i18n::ALL {
            let t = new_window_notice(language, &notice(&long)).expect("a notice");
            let t = says_when(language, t.as_str());
            assert!(
                t.contains("شفاخانهٔ...") && t.contains("شفاخانهٔ شفاخانهٔ"),
                "{language:?}: {t}"
            );
            assert!(!t.contains("the old library"), "{language:?}: {t}");
        }
    }

    /// A pass link of a realistic length goes with the fullest words in every language.
    #[test]
    fn a_pass_link_notice_fits_three_messages_with_its_fullest_words() {
        let link =
            "https://sc.example.org/app/pass?lang=prs#0123456789abcdef0123456789abcdef01234567";
        for language in i18n::ALL {
            let t = pass_link_notice(language, link).expect("a notice");
            assert_eq!(
                t.as_str(),
                i18n::text(language, "message-pass-link", &[("link", Arg::Text(link))]),
                "{language:?}"
            );
            assert!(
                parts(t.as_str()) <= MAX_PARTS,
                "{language:?}: {}",
                t.as_str()
            );
        }
    }

    /// The longest public address the server accepts (120 characters) still makes a link that
    /// some form carries whole in every language; a link longer than any message is not sent,
    /// and nothing panics.
    #[test]
    fn the_longest_accepted_address_still_fits_and_a_longer_link_is_not_cut() {
        let base = format!("https://{}", "p".repeat(112));
        assert_eq!(base.chars().count(), 120);
        let link = format!("{base}/app/pass?lang=prs#{}", "ab".repeat(20));
        for language in i18n::ALL {
            let t = pass_link_notice(language, &link).expect("a notice");
            assert!(t.as_str().contains(&link), "{language:?}");
            assert!(
                parts(t.as_str()) <= MAX_PARTS,
                "{language:?}: {}",
                t.as_str()
            );
        }
        let too_long = format!("https://{}/#x", "p".repeat(500));
        for language in i18n::ALL {
            assert!(
                pass_link_notice(language, &too_long).is_none(),
                "{language:?}"
            );
        }
    }
}
