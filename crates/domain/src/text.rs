//! Free text typed by a person and shown to other people: a name, a landmark, a reason, notes.
//! Every such value is built here, whoever builds it (the API, an import, the command line),
//! so that one rule holds everywhere: the text is trimmed, put in Unicode normal form C (a
//! letter typed as a base and a combining accent equals the same letter typed precomposed),
//! bounded, and free of characters that are invisible or change how the text around them is
//! shown: control characters, bidirectional overrides, embeddings, isolates and marks,
//! zero-width spaces and other invisible format characters. A name that shows as "Ahmad" on
//! a screen or a manifest is then stored as "Ahmad", and compares equal to it.
//!
//! The zero-width non-joiner and joiner (U+200C, U+200D) are part of ordinary Persian, Dari
//! and Pashto spelling (`نامه‌ها`): they are accepted between two letters, and refused
//! anywhere else.
//!
//! Depends on no other module of the crate but its errors (`error`, and `expected`, which words
//! them).

use crate::error::DomainError;
use crate::expected::Expected;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// Free text typed by a person: trimmed, in NFC, non-empty, bounded, without control,
/// bidirectional or invisible characters. [`Text::parse`] takes one line;
/// [`Text::parse_lines`] keeps line breaks (notes, descriptions).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// One line of text (a name, a landmark, a reason): no line breaks.
    pub fn parse(field: &'static str, input: &str, max_chars: usize) -> Result<Self, DomainError> {
        Self::build(field, input, max_chars, false)
    }

    /// Text that may run over several lines (notes, a hazard's description). Line breaks are
    /// kept as `\n` (a `\r\n` typed on some systems becomes `\n`).
    pub fn parse_lines(
        field: &'static str,
        input: &str,
        max_chars: usize,
    ) -> Result<Self, DomainError> {
        Self::build(field, &input.replace("\r\n", "\n"), max_chars, true)
    }

    fn build(
        field: &'static str,
        input: &str,
        max_chars: usize,
        lines: bool,
    ) -> Result<Self, DomainError> {
        let t: String = input.trim().nfc().collect();
        if t.is_empty() {
            return Err(DomainError::expected(field, Expected::Something));
        }
        if t.chars().count() > max_chars {
            return Err(DomainError::expected(
                field,
                Expected::Shorter {
                    max: max_chars as u64,
                },
            ));
        }
        let chars: Vec<char> = t.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c == '\n' && lines {
                continue;
            }
            let joiner_between_letters = matches!(c, '\u{200C}' | '\u{200D}')
                && i > 0
                && chars[i - 1].is_alphabetic()
                && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
            if joiner_between_letters {
                continue;
            }
            if let Some(what) = refused(c) {
                return Err(DomainError::expected(
                    field,
                    Expected::Character {
                        code: c as u32,
                        what: what.to_string(),
                    },
                ));
            }
        }
        Ok(Text(t))
    }

    /// Text the store wrote earlier, taken as it was written: a rule added later must not
    /// make a registered person unreadable. Only for values read back from storage.
    pub fn from_stored(stored: String) -> Self {
        Text(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What `c` is, when it is refused in text shown to people; `None` for a character kept.
fn refused(c: char) -> Option<&'static str> {
    Some(match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => "a line break",
        c if c.is_control() => "a control character",
        '\u{202A}' => "a left-to-right embedding",
        '\u{202B}' => "a right-to-left embedding",
        '\u{202C}' => "a pop directional formatting",
        '\u{202D}' => "a left-to-right override",
        '\u{202E}' => "a right-to-left override",
        '\u{2066}'..='\u{2069}' => "a bidirectional isolate",
        '\u{200E}' | '\u{200F}' | '\u{061C}' => "a bidirectional mark",
        '\u{200B}' => "a zero-width space",
        '\u{200C}' => "a zero-width non-joiner outside a word",
        '\u{200D}' => "a zero-width joiner outside a word",
        '\u{2060}' | '\u{FEFF}' => "a zero-width no-break space",
        '\u{00AD}' | '\u{180E}' | '\u{2061}'..='\u{2064}' | '\u{206A}'..='\u{206F}' => {
            "an invisible formatting character"
        }
        '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}' => "an invisible formatting character",
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => "an invisible filler character",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(input: &str) -> String {
        Text::parse("name", input, 120).unwrap_err().to_string()
    }

    #[test]
    fn text_is_trimmed_and_composed() {
        let decomposed = "Zarghu\u{0301}na";
        assert_eq!(
            Text::parse("name", decomposed, 120).unwrap().as_str(),
            "Zarghúna"
        );
        assert_eq!(
            Text::parse("name", "  Amina  ", 120).unwrap().as_str(),
            "Amina"
        );
    }

    #[test]
    fn empty_and_long_text_are_refused() {
        assert_eq!(refusal("   "), "name: must not be empty");
        assert_eq!(
            Text::parse("name", "abc", 2).unwrap_err().to_string(),
            "name: must be at most 2 characters"
        );
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(refusal("Am\u{0007}ina").contains("a control character (U+0007)"));
        assert!(refusal("Am\u{001B}[31mina").contains("control character"));
        assert!(refusal("Amina\nSadat").contains("a line break (U+000A): it is one line"));
    }

    #[test]
    fn bidirectional_controls_are_refused() {
        assert!(refusal("Amina\u{202E}tadaS").contains("a right-to-left override (U+202E)"));
        assert!(refusal("a\u{2067}b").contains("bidirectional isolate"));
        assert!(refusal("a\u{200F}b").contains("bidirectional mark"));
    }

    #[test]
    fn invisible_characters_are_refused() {
        assert!(refusal("Ami\u{200B}na").contains("a zero-width space (U+200B)"));
        assert!(refusal("Ami\u{FEFF}na").contains("U+FEFF"));
        assert!(refusal("Ami\u{00AD}na").contains("invisible formatting"));
        assert!(refusal("\u{200C}Amina").contains("outside a word"));
    }

    #[test]
    fn persian_joiners_between_letters_are_kept() {
        let word = "نامه\u{200C}ها";
        assert_eq!(Text::parse("name", word, 120).unwrap().as_str(), word);
    }

    #[test]
    fn notes_keep_their_lines() {
        let notes = Text::parse_lines("notes", "wheelchair\r\ninsulin", 2000).unwrap();
        assert_eq!(notes.as_str(), "wheelchair\ninsulin");
        assert!(
            Text::parse_lines("notes", "a\u{202E}b", 2000)
                .unwrap_err()
                .to_string()
                .starts_with("notes: ")
        );
    }
}
