//! Someone registers names (and notes, landmarks) that hide text: a right-to-left override
//! that makes a name read backwards on a manifest, a zero-width space that makes two equal
//! names differ, terminal escape codes, a line break that forges a second line of a printed
//! list. Each is refused with an error naming the field; a name typed decomposed is stored
//! composed, equal to the same name typed precomposed.

use safeconduct_domain::household::Notes;
use safeconduct_domain::values::{PersonName, Text};

fn refused_name(latin: &str) -> String {
    PersonName::new(latin, None).unwrap_err().to_string()
}

#[test]
fn a_right_to_left_override_in_a_name_is_refused() {
    let e = refused_name("Amina \u{202E}tadaS");
    assert!(e.starts_with("name: "), "{e}");
    assert!(e.contains("right-to-left override (U+202E)"), "{e}");
    let e = PersonName::new("Amina Sadat", Some("\u{202E}سادات"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("name_native: "), "{e}");
}

#[test]
fn bidirectional_isolates_and_embeddings_are_refused() {
    for c in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}',
        '\u{2069}',
    ] {
        let e = refused_name(&format!("Amina{c}Sadat"));
        assert!(e.starts_with("name: "), "{c:?}: {e}");
    }
}

#[test]
fn a_zero_width_space_in_a_name_is_refused() {
    let e = refused_name("Ami\u{200B}na Sadat");
    assert!(e.contains("zero-width space (U+200B)"), "{e}");
    assert!(refused_name("\u{FEFF}Amina").contains("U+FEFF"));
    assert!(refused_name("Amina\u{2060}Sadat").contains("U+2060"));
}

#[test]
fn control_characters_and_line_breaks_in_a_name_are_refused() {
    assert!(refused_name("Amina\u{0000}Sadat").contains("control character"));
    assert!(refused_name("Amina\u{001B}[2J").contains("control character (U+001B)"));
    assert!(refused_name("Amina\nZ Forged Row").contains("line break"));
    assert!(refused_name("Amina\u{2028}Sadat").contains("line break"));
}

#[test]
fn a_name_typed_decomposed_is_stored_composed() {
    let decomposed = PersonName::new("Zarghu\u{0301}na", Some("علی")).unwrap();
    let composed = PersonName::new("Zarghúna", Some("علی")).unwrap();
    assert_eq!(decomposed, composed);
    assert_eq!(decomposed.latin(), "Zarghúna");
}

#[test]
fn dari_words_keep_their_zero_width_non_joiner() {
    let name = PersonName::new("Mohammad", Some("محمد\u{200C}علی")).unwrap();
    assert_eq!(name.native(), Some("محمد\u{200C}علی"));
}

#[test]
fn notes_and_landmarks_follow_the_same_rule() {
    let e = Notes::parse("needs insulin \u{202E}gnirhtaew")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("notes: "), "{e}");
    assert!(Notes::parse("needs insulin\nwheelchair").unwrap().is_some());
    let e = Text::parse("landmark", "by the blue\u{200B} doors", 500)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("landmark: "), "{e}");
}
