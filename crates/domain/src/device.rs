//! The identifier a field device (scanner, gate laptop) sends with its requests, so that each
//! event and each scan names the device that recorded it.
//!
//! Knows nothing of HTTP headers or of which devices exist: it only says what a device
//! identifier may look like.

use crate::error::DomainError;
use crate::expected::Expected;
use crate::string_value::string_value;

/// A device identifier: 1 to [`DeviceId::MAX_LEN`] printable ASCII characters, no spaces,
/// surrounding blanks removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceId(String);

impl DeviceId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let v = input.trim();
        if v.is_empty() {
            return Err(DomainError::expected("device", Expected::Something));
        }
        if v.len() > Self::MAX_LEN {
            return Err(DomainError::expected(
                "device",
                Expected::Shorter {
                    max: Self::MAX_LEN as u64,
                },
            ));
        }
        if !v.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DomainError::invalid(
                "device",
                "must be printable ASCII without spaces",
            ));
        }
        Ok(DeviceId(v.to_string()))
    }
}

string_value!(DeviceId: as_str, into, display);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrounding_blanks_are_removed() {
        assert_eq!(
            DeviceId::parse("  gate-7.laptop \t").unwrap().as_str(),
            "gate-7.laptop"
        );
    }

    #[test]
    fn blank_is_refused() {
        assert!(DeviceId::parse("").is_err());
        assert!(DeviceId::parse("   ").is_err());
    }

    #[test]
    fn longer_than_64_characters_is_refused() {
        assert!(DeviceId::parse(&"d".repeat(64)).is_ok());
        assert!(DeviceId::parse(&"d".repeat(65)).is_err());
    }

    #[test]
    fn inner_space_is_refused() {
        assert!(DeviceId::parse("gate 7").is_err());
    }

    #[test]
    fn control_character_is_refused() {
        assert!(DeviceId::parse("gate\u{7}7").is_err());
    }

    #[test]
    fn non_ascii_is_refused() {
        assert!(DeviceId::parse("دروازه").is_err());
    }
}
