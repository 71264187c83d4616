//! Property tests of the parsers at the edge.

use proptest::prelude::*;
use safeconduct_domain::CaseReference;
use safeconduct_domain::values::{Coordinate, DocumentNumber, PhoneNumber};

proptest! {
    #[test]
    fn phone_numbers_normalise_the_same_in_every_typed_form(n in 700_000_000u64..800_000_000) {
        let national = format!("0{n}");
        let spaced = format!("0{} {} {}", &n.to_string()[..3], &n.to_string()[3..6], &n.to_string()[6..]);
        let intl = format!("+93-{n}");
        let zeros = format!("0093 {n}");
        let persian: String = national.chars().map(|c| char::from_u32(0x06F0 + c.to_digit(10).unwrap()).unwrap()).collect();
        let expected = format!("+93{n}");
        for form in [national, spaced, intl, zeros, persian] {
            let parsed = PhoneNumber::parse(&form).unwrap();
            prop_assert_eq!(parsed.as_str(), expected.as_str());
        }
    }

    #[test]
    fn parsers_never_panic(s in ".{0,40}") {
        let _ = PhoneNumber::parse(&s);
        let _ = DocumentNumber::parse(&s);
        let _ = CaseReference::parse(&s);
        let _ = safeconduct_domain::values::BirthDate::parse(&s);
    }

    #[test]
    fn a_parsed_phone_parses_to_itself(s in "[+0]?[0-9 -]{6,18}") {
        if let Ok(p) = PhoneNumber::parse(&s) {
            prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p);
        }
    }

    #[test]
    fn coordinates_accept_exactly_the_valid_range(lat in -200.0f64..200.0, lon in -400.0f64..400.0) {
        let ok = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        prop_assert_eq!(Coordinate::new(lat, lon).is_ok(), ok);
    }

    #[test]
    fn references_round_trip(bytes in any::<[u8; 8]>()) {
        let r = CaseReference::from_random(bytes);
        prop_assert_eq!(CaseReference::parse(&r.as_str().to_lowercase().replace('-', "")).unwrap(), r);
    }
}

#[test]
fn non_finite_coordinates_are_refused() {
    assert!(Coordinate::new(f64::NAN, 0.0).is_err());
    assert!(Coordinate::new(0.0, f64::INFINITY).is_err());
}
