//! Verification outcomes in the reader's language, from the shared message files
//! (`i18n/locales/*/verdict.ftl`): `$n` is a number of minutes (hours for the status list's
//! age), `$rv` the pass's rendezvous point.
//!
//! The Dari and Pashto texts await review by native speakers before field use.

use safeconduct_domain::values::Language;
use safeconduct_i18n::Arg;

use crate::verify::{Outcome, Verification};

/// The message `id` of `verdict.ftl` in `lang`, with `n` (a number of minutes or hours)
/// and `rv` (a rendezvous point), written with ASCII digits as checkpoints read them.
fn say(lang: Language, id: &str, n: u64, rv: Option<u64>) -> String {
    let (n, rv) = (n.to_string(), rv.map(|r| r.to_string()).unwrap_or_default());
    safeconduct_i18n::text(lang, id, &[("n", Arg::Text(&n)), ("rv", Arg::Text(&rv))])
}

fn minutes(secs: u64) -> u64 {
    secs.div_ceil(60)
}

impl Outcome {
    /// The outcome as a sentence in `lang`, for the person at the checkpoint.
    pub fn message(self, lang: Language) -> String {
        let (id, n) = match self {
            Outcome::Valid => ("verdict-valid", 0),
            Outcome::WrongRv { pass_rv, .. } => {
                return say(lang, "verdict-wrong-rv", 0, Some(pass_rv));
            }
            Outcome::ForAnotherPlace => ("verdict-for-another-place", 0),
            Outcome::Early { by } => ("verdict-early", minutes(by)),
            Outcome::NotYetValid { by } => ("verdict-not-yet-valid", minutes(by)),
            Outcome::Late { by } => ("verdict-late", minutes(by)),
            Outcome::Revoked => ("verdict-revoked", 0),
            Outcome::Superseded => ("verdict-superseded", 0),
            Outcome::Expired { by } => ("verdict-expired", minutes(by)),
            Outcome::UnknownKey => ("verdict-unknown-key", 0),
            Outcome::BadSignature => ("verdict-bad-signature", 0),
            Outcome::HolderMismatch => ("verdict-holder-mismatch", 0),
            Outcome::NotAPass => ("verdict-not-a-pass", 0),
            Outcome::OldFormat => ("verdict-old-format", 0),
            Outcome::StatusStale { age } => ("verdict-status-stale", age / 3600),
            Outcome::StatusMissing => ("verdict-status-missing", 0),
            Outcome::ClockBehind { .. } => ("verdict-clock-behind", 0),
            Outcome::TierUnreadable => ("verdict-tier-unreadable", 0),
        };
        say(lang, id, n, None)
    }
}

impl Verification {
    /// The warning about an old status list, when there is one.
    pub fn warning(&self, lang: Language) -> Option<String> {
        let age = self.status_age.filter(|_| self.stale_warning)?;
        Some(say(lang, "verdict-stale-warning", age / 3600, None))
    }

    /// The notice that a document was shown but the pass is bound to none, when it is so.
    pub fn holder_notice(&self, lang: Language) -> Option<String> {
        self.holder_unbound
            .then(|| say(lang, "verdict-holder-unbound", 0, None))
    }
}
