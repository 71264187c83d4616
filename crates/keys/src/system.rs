//! The operating system's clock and random source, as the application reads them: the rest
//! of safeconduct receives times and references as arguments (the domain never reads either).
//! Knows nothing of keys, the store or HTTP.

use safeconduct_domain::CaseReference;
use safeconduct_domain::values::Timestamp;

/// The current time. The only place the application reads the clock.
pub fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp(secs)
}

/// Draws case references from the operating system's random source.
pub fn random_reference() -> CaseReference {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    CaseReference::from_random(bytes)
}

/// A one-time enrolment code for a field device: 16 characters from the case reference
/// alphabet (80 bits), in groups of four, to be typed or scanned once.
pub fn enrolment_code() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    let alphabet = CaseReference::ALPHABET;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}
