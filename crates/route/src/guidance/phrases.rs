//! The words of guidance in each language: one sentence per manoeuvre, the name of an
//! unnamed way by its kind, distances, "near" a landmark, arrival. The words are messages of
//! `i18n/locales/*/guidance.ftl`, the one message set of the product; this module only says
//! which message, with what, in what order.
//!
//! Imports nothing of the crate but the way kinds; the domain's `Language` and the messages.

use crate::walking::WayKind;
use safeconduct_domain::values::Language;
use safeconduct_i18n::{self as i18n, Arg};

/// What the walker does at the start of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manoeuvre {
    Start,
    Straight,
    SlightLeft,
    SlightRight,
    Left,
    Right,
    TurnBack,
}

impl Manoeuvre {
    /// From the change of bearing at a junction, in degrees (negative to the left).
    pub fn from_turn(delta: f64) -> Self {
        let a = delta.abs();
        if a < 25.0 {
            Manoeuvre::Straight
        } else if a < 60.0 {
            if delta < 0.0 {
                Manoeuvre::SlightLeft
            } else {
                Manoeuvre::SlightRight
            }
        } else if a < 150.0 {
            if delta < 0.0 {
                Manoeuvre::Left
            } else {
                Manoeuvre::Right
            }
        } else {
            Manoeuvre::TurnBack
        }
    }

    /// Going on without turning tells the walker little: such steps are merged first.
    pub fn is_minor(self) -> bool {
        matches!(
            self,
            Manoeuvre::Straight | Manoeuvre::SlightLeft | Manoeuvre::SlightRight
        )
    }
}

/// The message that starts a step (`i18n/locales/*/guidance.ftl`), with `$street`.
fn manoeuvre(m: Manoeuvre) -> &'static str {
    match m {
        Manoeuvre::Start => "guidance-start",
        Manoeuvre::Straight => "guidance-straight",
        Manoeuvre::SlightLeft => "guidance-slight-left",
        Manoeuvre::SlightRight => "guidance-slight-right",
        Manoeuvre::Left => "guidance-left",
        Manoeuvre::Right => "guidance-right",
        Manoeuvre::TurnBack => "guidance-turn-back",
    }
}

/// A message of `guidance.ftl` with its text arguments.
fn say(language: Language, id: &str, args: &[(&str, &str)]) -> String {
    let args: Vec<(&str, Arg<'_>)> = args.iter().map(|&(n, v)| (n, Arg::Text(v))).collect();
    i18n::text(language, id, &args)
}

/// An unnamed way, named by what it is.
pub fn unnamed(language: Language, kind: WayKind) -> String {
    let id = match kind {
        WayKind::Street => "guidance-street",
        WayKind::Footway => "guidance-footway",
        WayKind::Steps => "guidance-steps",
    };
    say(language, id, &[])
}

/// A distance as said aloud: tens of metres below 100, fifties below 1,000, then kilometres.
/// The figure keeps ASCII digits in every language, as the street signs and phones show them.
pub fn distance(language: Language, metres: f64) -> String {
    let rounded = if metres < 100.0 {
        ((metres / 10.0).round() * 10.0).max(10.0)
    } else {
        (metres / 50.0).round() * 50.0
    };
    let (count, id) = if rounded >= 1000.0 {
        (format!("{:.1}", rounded / 1000.0), "guidance-kilometres")
    } else {
        (format!("{rounded:.0}"), "guidance-metres")
    };
    say(language, id, &[("count", &count)])
}

/// `step` near the landmark, if there is one.
fn near(language: Language, step: String, landmark: Option<&str>) -> String {
    match landmark {
        Some(l) => say(
            language,
            "guidance-near",
            &[("step", &step), ("landmark", l)],
        ),
        None => step,
    }
}

/// One step as a sentence: "Turn left onto Aleksanterinkatu near Stockmann, 150 m."
pub fn step_sentence(
    language: Language,
    m: Manoeuvre,
    street: &str,
    landmark: Option<&str>,
    metres: Option<f64>,
) -> String {
    let mut s = near(
        language,
        say(language, manoeuvre(m), &[("street", street)]),
        landmark,
    );
    if let Some(d) = metres {
        let d = distance(language, d);
        s = say(language, "guidance-for", &[("step", &s), ("distance", &d)]);
    }
    say(language, "guidance-sentence", &[("step", &s)])
}

/// The last sentence: arrival, near a landmark if one is close.
pub fn arrival_sentence(language: Language, landmark: Option<&str>) -> String {
    let s = near(language, say(language, "guidance-arrive", &[]), landmark);
    say(language, "guidance-sentence", &[("step", &s)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_rounded_as_said_aloud() {
        assert_eq!(distance(Language::English, 3.0), "10 m");
        assert_eq!(distance(Language::English, 84.0), "80 m");
        assert_eq!(distance(Language::English, 612.0), "600 m");
        assert_eq!(distance(Language::English, 1_480.0), "1.5 km");
        assert_eq!(distance(Language::Dari, 84.0), "80 متر");
    }

    #[test]
    fn turns_are_classed_by_their_angle_and_side() {
        assert_eq!(Manoeuvre::from_turn(10.0), Manoeuvre::Straight);
        assert_eq!(Manoeuvre::from_turn(-40.0), Manoeuvre::SlightLeft);
        assert_eq!(Manoeuvre::from_turn(90.0), Manoeuvre::Right);
        assert_eq!(Manoeuvre::from_turn(-170.0), Manoeuvre::TurnBack);
    }

    #[test]
    fn a_sentence_carries_street_landmark_and_distance_in_order() {
        assert_eq!(
            step_sentence(
                Language::English,
                Manoeuvre::Left,
                "Aleksanterinkatu",
                Some("Stockmann"),
                Some(150.0)
            ),
            "Turn left onto Aleksanterinkatu near Stockmann, 150 m."
        );
        assert_eq!(
            step_sentence(
                Language::Arabic,
                Manoeuvre::Right,
                "الشارع",
                None,
                Some(80.0)
            ),
            "انعطف يمينا إلى الشارع، 80 م."
        );
    }
}
