//! The holder binding: ties a pass to the document its holder shows, without carrying the
//! document. PBKDF2-HMAC-SHA-256 (RFC 8018) salted per pass, with an iteration count fixed by
//! the format version, so that whoever holds a checkpoint key pays for every guess of number
//! and birth year. docs/pass-format.md states the parameters and the arithmetic behind them.

use crate::keys::KeyId;

/// PBKDF2 iterations of a version 2 binding, chosen from measurements (docs/benchmarks.md,
/// arithmetic in docs/pass-format.md section 6.3): about 52 ms of CPU on the reference machine,
/// so that guessing every document of the smallest space bound costs more than 10
/// CPU-core-years, while the check at the RV stays under 300 ms on a phone-class CPU.
pub const HOLDER_ITERATIONS: u32 = 500_000;

/// Shortest normalised document number that is bound: shorter numbers are too few to make
/// guessing expensive, and their passes carry no binding.
pub const MIN_DOCUMENT_CHARS: usize = 8;

/// Length of a binding in bytes.
pub const HOLDER_BYTES: usize = 8;

/// The first bytes of a binding's salt (docs/pass-format.md, section 6.3).
pub const HOLDER_SALT_LABEL: &[u8] = b"safeconduct pass v2 holder";

/// Document numbers are compared as uppercase ASCII letters and digits, everything else
/// dropped, so "p 123-456" in the hand matches "P123456" on file.
pub fn normalise_document(number: &str) -> String {
    number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// PBKDF2-HMAC-SHA-256 with
/// password = normalised document number ‖ 0x00 ‖ birth year as u16 BE,
/// salt = "safeconduct pass v2 holder" ‖ kid ‖ pass index as u64 BE,
/// [`HOLDER_ITERATIONS`] iterations, [`HOLDER_BYTES`] bytes of output.
///
/// `None` — no binding — when the birth year is unknown or the normalised number is shorter
/// than [`MIN_DOCUMENT_CHARS`]: a binding guessable in hours would protect nobody and would
/// hand the number to whoever holds a checkpoint key.
pub fn holder_binding(
    kid: KeyId,
    index: u64,
    document: &str,
    birth_year: Option<u16>,
) -> Option<[u8; HOLDER_BYTES]> {
    let birth_year = birth_year?;
    let number = normalise_document(document);
    if number.len() < MIN_DOCUMENT_CHARS {
        return None;
    }
    let password = [number.as_bytes(), &[0], &birth_year.to_be_bytes()].concat();
    let salt = [HOLDER_SALT_LABEL, &kid.0, &index.to_be_bytes()].concat();
    let mut out = [0u8; HOLDER_BYTES];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(&password, &salt, HOLDER_ITERATIONS, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_and_unknown_years_are_not_bound() {
        let kid = KeyId([1, 2, 3, 4]);
        assert_eq!(holder_binding(kid, 1, "AB-12345", None), None);
        assert_eq!(
            holder_binding(kid, 1, "AB 1234-5", Some(1984)),
            None,
            "7 characters"
        );
        let bound = holder_binding(kid, 1, "ab 12345-6", Some(1984)).unwrap();
        assert_eq!(holder_binding(kid, 1, "AB123456", Some(1984)), Some(bound));
        assert_ne!(holder_binding(kid, 2, "AB123456", Some(1984)), Some(bound));
        assert_ne!(holder_binding(kid, 1, "AB123456", Some(1985)), Some(bound));
    }

    /// RFC 7914 section 11 vector of PBKDF2-HMAC-SHA-256 with one iteration, so that an
    /// implementation in another language (WebCrypto) can be checked against the same
    /// primitive.
    #[test]
    fn the_primitive_is_standard_pbkdf2_hmac_sha256() {
        let mut out = [0u8; 64];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"passwd", b"salt", 1, &mut out);
        assert_eq!(out[..8], [0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f]);
    }
}
