//! What a refused value was expected to be, for the refusals a person filling in a form can
//! meet: nothing given, too long, a character that cannot be kept, a number out of range, a
//! value not in its form, an end before its start or too long after it, a time on the wrong
//! side of now, a place outside the
//! operation's area, a user name no user of the role has.
//!
//! A refusal's English reason is made here ([`Expected::reason`]) and read back here
//! ([`Expected::read`]): a value checked while a request body is parsed reaches the API's
//! error answer as text only, and a page words the reason in its own language from what this
//! reads. Each sentence below has one reader, and a test holds the two together.
//!
//! Knows nothing of which field a refusal is about, nor of any language but the English
//! reason.

use serde::Serialize;

/// What a refused value was expected to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expected {
    /// Something: the value was empty.
    Something,
    /// At most `max` characters.
    Shorter { max: u64 },
    /// Text without the character `code` (a control character, a line break in a one-line
    /// value, or a character that is invisible or changes how the text around it is shown),
    /// which the English reason calls `what` ("a right-to-left override").
    Character {
        code: u32,
        #[serde(skip)]
        what: String,
    },
    /// A number from `min` to `max`.
    Range { min: i64, max: i64 },
    /// A value in the form the field takes, such as `YYYY, YYYY-MM or YYYY-MM-DD` (the form is
    /// in the English reason; a page shows the field's own hint).
    Form {
        #[serde(skip)]
        form: String,
    },
    /// An end after the start.
    AfterStart,
    /// A time still to come (a flight's departure given in the past).
    Future,
    /// A date not after today (a date of birth given in the future).
    NotFuture,
    /// An end at most `hours` hours after the start.
    Within { hours: u64 },
    /// A place within `km` kilometres of one of the operation's rendezvous points and gates.
    Near { km: u64 },
    /// The name of a user who holds `role` (a role's name, such as `escort`) in the operation.
    User { role: String },
}

const NEAR: (&str, &str) = (
    "is outside the operation's area (more than ",
    " km from each of its rendezvous points and gates); check that latitude and longitude \
     are not swapped",
);
const FUTURE: &str = "must be in the future";
const NOT_FUTURE: &str = "must not be in the future";
const WITHIN: (&str, &str) = ("must be at most ", " hours after the start");
const USER: (&str, &str) = ("no ", " user of this name in this operation");

impl Expected {
    /// The English reason, as the API's `message` gives it after the field's name.
    pub fn reason(&self) -> String {
        match self {
            Expected::Something => "must not be empty".to_string(),
            Expected::Shorter { max } => format!("must be at most {max} characters"),
            Expected::Character { code, what } => {
                // Only one-line text refuses `\n`; other line breaks are refused in all text.
                let why = match char::from_u32(*code) {
                    Some('\n') => ": it is one line",
                    Some(c) if c.is_control() => "",
                    _ => ": it is invisible or changes how the text around it is shown",
                };
                format!("must not contain {what} (U+{code:04X}){why}")
            }
            Expected::Range { min, max } => format!("must be from {min} to {max}"),
            Expected::Form { form } => format!("expected {form}"),
            Expected::AfterStart => "must be after the start".to_string(),
            Expected::Future => FUTURE.to_string(),
            Expected::NotFuture => NOT_FUTURE.to_string(),
            Expected::Within { hours } => format!("{}{hours}{}", WITHIN.0, WITHIN.1),
            Expected::Near { km } => format!("{}{km}{}", NEAR.0, NEAR.1),
            Expected::User { role } => format!("{}{role}{}", USER.0, USER.1),
        }
    }

    /// What [`Expected::reason`] made `reason` from, if it did.
    pub fn read(reason: &str) -> Option<Expected> {
        if reason == "must not be empty" {
            return Some(Expected::Something);
        }
        if reason == "must be after the start" {
            return Some(Expected::AfterStart);
        }
        if reason == FUTURE {
            return Some(Expected::Future);
        }
        if reason == NOT_FUTURE {
            return Some(Expected::NotFuture);
        }
        let between = |(before, after): (&str, &str)| {
            reason
                .strip_prefix(before)
                .and_then(|rest| rest.strip_suffix(after))
        };
        if let Some(hours) = between(WITHIN) {
            return hours.parse().ok().map(|hours| Expected::Within { hours });
        }
        if let Some(km) = between(NEAR) {
            return km.parse().ok().map(|km| Expected::Near { km });
        }
        if let Some(role) = between(USER) {
            return (!role.is_empty() && role.bytes().all(|b| b.is_ascii_lowercase())).then(|| {
                Expected::User {
                    role: role.to_string(),
                }
            });
        }
        if let Some(rest) = reason.strip_prefix("must be at most ")
            && let Some(max) = rest.strip_suffix(" characters")
        {
            return max.parse().ok().map(|max| Expected::Shorter { max });
        }
        if let Some(rest) = reason.strip_prefix("must not contain ") {
            let (what, code) = rest.split_once(" (U+")?;
            let (hex, _) = code.split_once(')')?;
            return u32::from_str_radix(hex, 16)
                .ok()
                .map(|code| Expected::Character {
                    code,
                    what: what.to_string(),
                });
        }
        if let Some(rest) = reason.strip_prefix("must be from ") {
            let (min, max) = rest.split_once(" to ")?;
            return Some(Expected::Range {
                min: min.parse().ok()?,
                max: max.parse().ok()?,
            });
        }
        reason
            .strip_prefix("expected ")
            .filter(|form| !form.is_empty())
            .map(|form| Expected::Form {
                form: form.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn each() -> Vec<Expected> {
        vec![
            Expected::Something,
            Expected::Shorter { max: 120 },
            Expected::Character {
                code: 0x202E,
                what: "a right-to-left override".to_string(),
            },
            Expected::Character {
                code: 0x0A,
                what: "a line break".to_string(),
            },
            Expected::Character {
                code: 0x07,
                what: "a control character".to_string(),
            },
            Expected::Range { min: -90, max: 90 },
            Expected::Range {
                min: 1,
                max: 20_000,
            },
            Expected::Form {
                form: "YYYY, YYYY-MM or YYYY-MM-DD".to_string(),
            },
            Expected::AfterStart,
            Expected::Future,
            Expected::NotFuture,
            Expected::Within { hours: 24 },
            Expected::Near { km: 30 },
            Expected::User {
                role: "escort".to_string(),
            },
        ]
    }

    #[test]
    fn every_reason_reads_back_as_what_made_it() {
        for e in each() {
            assert_eq!(
                Expected::read(&e.reason()),
                Some(e.clone()),
                "{}",
                e.reason()
            );
        }
    }

    #[test]
    fn a_reason_made_elsewhere_reads_as_nothing() {
        for reason in [
            "",
            "a household has 1 to 60 members",
            "must be at most many characters",
            "must be from 1 to",
            "must not contain a control character (U+ZZZZ)",
            "expected ",
            "is outside the operation's area",
            "must be at most twelve hours after the start",
            "no Escort user of this name in this operation",
        ] {
            assert_eq!(Expected::read(reason), None, "{reason:?}");
        }
    }

    #[test]
    fn the_wire_names_the_kind_and_its_numbers_but_not_the_english_form() {
        let form = Expected::Form {
            form: "LAT,LON".to_string(),
        };
        assert_eq!(serde_json::to_string(&form).unwrap(), r#"{"kind":"form"}"#);
        assert_eq!(
            serde_json::to_string(&Expected::Range { min: 1, max: 12 }).unwrap(),
            r#"{"kind":"range","min":1,"max":12}"#
        );
    }
}
