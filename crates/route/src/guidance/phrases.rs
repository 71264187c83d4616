//! The words of guidance in each language: one sentence per manoeuvre, the name of an
//! unnamed way by its kind, distances, "near" a landmark, arrival. Plain templates for now
//! (they may move to Fluent files with the rest of the user-facing text).
//!
//! Imports nothing but the domain's `Language` and the way kinds.

use crate::walking::WayKind;
use safeconduct_domain::values::Language;

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

/// The sentence that starts a step, with `{s}` for the street.
fn manoeuvre(language: Language, m: Manoeuvre) -> &'static str {
    use Manoeuvre::*;
    match (language, m) {
        (Language::French, Start) => "Partez par {s}",
        (Language::French, Straight) => "Continuez sur {s}",
        (Language::French, SlightLeft) => "Serrez à gauche sur {s}",
        (Language::French, SlightRight) => "Serrez à droite sur {s}",
        (Language::French, Left) => "Tournez à gauche sur {s}",
        (Language::French, Right) => "Tournez à droite sur {s}",
        (Language::French, TurnBack) => "Faites demi-tour sur {s}",
        (Language::Dari, Start) => "از {s} شروع کنید",
        (Language::Dari, Straight) => "در {s} مستقیم بروید",
        (Language::Dari, SlightLeft) => "کمی به چپ به {s} بروید",
        (Language::Dari, SlightRight) => "کمی به راست به {s} بروید",
        (Language::Dari, Left) => "به چپ به {s} بپیچید",
        (Language::Dari, Right) => "به راست به {s} بپیچید",
        (Language::Dari, TurnBack) => "دور بزنید و به {s} برگردید",
        (Language::Pashto, Start) => "له {s} څخه پیل وکړئ",
        (Language::Pashto, Straight) => "په {s} مخامخ لاړ شئ",
        (Language::Pashto, SlightLeft) => "لږ کیڼ لور ته {s} ته لاړ شئ",
        (Language::Pashto, SlightRight) => "لږ ښي لور ته {s} ته لاړ شئ",
        (Language::Pashto, Left) => "کیڼ لور ته {s} ته وګرځئ",
        (Language::Pashto, Right) => "ښي لور ته {s} ته وګرځئ",
        (Language::Pashto, TurnBack) => "بېرته {s} ته وګرځئ",
        (Language::Arabic, Start) => "ابدأ من {s}",
        (Language::Arabic, Straight) => "تابع على {s}",
        (Language::Arabic, SlightLeft) => "اتجه قليلا إلى اليسار نحو {s}",
        (Language::Arabic, SlightRight) => "اتجه قليلا إلى اليمين نحو {s}",
        (Language::Arabic, Left) => "انعطف يسارا إلى {s}",
        (Language::Arabic, Right) => "انعطف يمينا إلى {s}",
        (Language::Arabic, TurnBack) => "استدر للخلف إلى {s}",
        (Language::Ukrainian, Start) => "Почніть з {s}",
        (Language::Ukrainian, Straight) => "Продовжуйте по {s}",
        (Language::Ukrainian, SlightLeft) => "Тримайтеся лівіше на {s}",
        (Language::Ukrainian, SlightRight) => "Тримайтеся правіше на {s}",
        (Language::Ukrainian, Left) => "Поверніть ліворуч на {s}",
        (Language::Ukrainian, Right) => "Поверніть праворуч на {s}",
        (Language::Ukrainian, TurnBack) => "Розверніться на {s}",
        (Language::English, Start) => "Start on {s}",
        (Language::English, Straight) => "Continue on {s}",
        (Language::English, SlightLeft) => "Bear left onto {s}",
        (Language::English, SlightRight) => "Bear right onto {s}",
        (Language::English, Left) => "Turn left onto {s}",
        (Language::English, Right) => "Turn right onto {s}",
        (Language::English, TurnBack) => "Turn back onto {s}",
    }
}

/// An unnamed way, named by what it is.
pub fn unnamed(language: Language, kind: WayKind) -> &'static str {
    use WayKind::*;
    match (language, kind) {
        (Language::English, Street) => "the street",
        (Language::English, Footway) => "the footpath",
        (Language::English, Steps) => "the steps",
        (Language::French, Street) => "la rue",
        (Language::French, Footway) => "le chemin",
        (Language::French, Steps) => "l'escalier",
        (Language::Dari, Street) => "سرک",
        (Language::Dari, Footway) => "راه پیاده",
        (Language::Dari, Steps) => "زینه",
        (Language::Pashto, Street) => "سړک",
        (Language::Pashto, Footway) => "پلې لار",
        (Language::Pashto, Steps) => "زینې",
        (Language::Arabic, Street) => "الشارع",
        (Language::Arabic, Footway) => "ممر المشاة",
        (Language::Arabic, Steps) => "الدرج",
        (Language::Ukrainian, Street) => "вулицю",
        (Language::Ukrainian, Footway) => "доріжку",
        (Language::Ukrainian, Steps) => "сходи",
    }
}

/// A distance as said aloud: tens of metres below 100, fifties below 1,000, then kilometres.
pub fn distance(language: Language, metres: f64) -> String {
    let rounded = if metres < 100.0 {
        ((metres / 10.0).round() * 10.0).max(10.0)
    } else {
        (metres / 50.0).round() * 50.0
    };
    let (number, unit_km) = if rounded >= 1000.0 {
        (format!("{:.1}", rounded / 1000.0), true)
    } else {
        (format!("{rounded:.0}"), false)
    };
    let unit = match (language, unit_km) {
        (Language::Dari, false) => "متر",
        (Language::Dari, true) => "کیلومتر",
        (Language::Pashto, false) => "متره",
        (Language::Pashto, true) => "کیلومتره",
        (Language::Arabic, false) => "م",
        (Language::Arabic, true) => "كم",
        (Language::Ukrainian, false) => "м",
        (Language::Ukrainian, true) => "км",
        (_, false) => "m",
        (_, true) => "km",
    };
    format!("{number} {unit}")
}

fn near(language: Language) -> &'static str {
    match language {
        Language::English => "near {l}",
        Language::French => "près de {l}",
        Language::Dari => "نزدیک {l}",
        Language::Pashto => "د {l} تر څنګ",
        Language::Arabic => "قرب {l}",
        Language::Ukrainian => "біля {l}",
    }
}

fn arrive(language: Language) -> &'static str {
    match language {
        Language::English => "You have arrived",
        Language::French => "Vous voici à destination",
        Language::Dari => "به مقصد رسیدید",
        Language::Pashto => "منزل ته ورسېدئ",
        Language::Arabic => "وصلت إلى وجهتك",
        Language::Ukrainian => "Ви на місці",
    }
}

/// The comma of the language's script.
fn comma(language: Language) -> &'static str {
    if language.is_right_to_left() {
        "، "
    } else {
        ", "
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
    let mut s = manoeuvre(language, m).replace("{s}", street);
    if let Some(l) = landmark {
        s.push(' ');
        s.push_str(&near(language).replace("{l}", l));
    }
    if let Some(d) = metres {
        s.push_str(comma(language));
        s.push_str(&distance(language, d));
    }
    s.push('.');
    s
}

/// The last sentence: arrival, near a landmark if one is close.
pub fn arrival_sentence(language: Language, landmark: Option<&str>) -> String {
    let mut s = arrive(language).to_owned();
    if let Some(l) = landmark {
        s.push(' ');
        s.push_str(&near(language).replace("{l}", l));
    }
    s.push('.');
    s
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
