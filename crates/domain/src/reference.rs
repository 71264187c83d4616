//! The public reference of a case.

use crate::error::DomainError;
use crate::expected::Expected;
use crate::string_value::string_value;
use serde::{Deserialize, Serialize};

/// The public reference of a case, read out over the phone: eight characters from an
/// alphabet without look-alikes (no 0/O, 1/I/L), grouped as `XXXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseReference(String);

impl CaseReference {
    /// Characters a reference may contain.
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// Builds a reference from eight random bytes supplied by the caller.
    pub fn from_random(bytes: [u8; 8]) -> Self {
        let mut s = String::with_capacity(9);
        for (i, b) in bytes.iter().enumerate() {
            if i == 4 {
                s.push('-');
            }
            s.push(Self::ALPHABET[*b as usize % Self::ALPHABET.len()] as char);
        }
        CaseReference(s)
    }

    /// Parses a reference as a person may type or say it: case-insensitive, with or without
    /// the dash, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let cleaned: String = input
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        // The first character a reference never holds is named: a person who typed the
        // digit 1 for the letter I, or 0 for O, learns which one to check.
        if let Some(c) = cleaned
            .chars()
            .find(|c| !c.is_ascii() || !Self::ALPHABET.contains(&(*c as u8)))
        {
            return Err(DomainError::expected(
                "reference",
                Expected::Form {
                    form: format!(
                        "a case reference of eight letters and digits like K7M4-Q2XP, which \
                         never holds '{c}' (nor 0, 1, I, L or O)"
                    ),
                },
            ));
        }
        if cleaned.len() != 8 {
            return Err(DomainError::expected(
                "reference",
                Expected::Form {
                    form: format!(
                        "a case reference of eight characters like K7M4-Q2XP, not {}",
                        cleaned.len()
                    ),
                },
            ));
        }
        Ok(CaseReference(format!(
            "{}-{}",
            &cleaned[..4],
            &cleaned[4..]
        )))
    }
}

string_value!(CaseReference: as_str, parse, into, display);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_read_as_a_person_types_it() {
        let r = CaseReference::parse(" k7m4 q2xp ").unwrap();
        assert_eq!(r.as_str(), "K7M4-Q2XP");
    }

    #[test]
    fn a_character_a_reference_never_holds_is_named() {
        let e = CaseReference::parse("ABCD-1234").unwrap_err().to_string();
        assert!(e.contains("never holds '1'"), "{e}");
        let e = CaseReference::parse("K7M4-Q2XØ").unwrap_err().to_string();
        assert!(e.contains("never holds 'Ø'"), "{e}");
    }

    #[test]
    fn a_reference_of_another_length_says_how_long_it_was() {
        let e = CaseReference::parse("K7M4-Q2X").unwrap_err().to_string();
        assert!(e.ends_with("not 7"), "{e}");
    }
}
