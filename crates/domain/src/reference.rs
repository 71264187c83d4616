//! The public reference of a case.

use crate::error::DomainError;
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
        if cleaned.len() != 8 || !cleaned.bytes().all(|b| Self::ALPHABET.contains(&b)) {
            return Err(DomainError::invalid(
                "reference",
                "a case reference is eight characters like K7M4-Q2XP",
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
