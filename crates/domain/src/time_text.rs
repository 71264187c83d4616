//! Timestamps as people and wire formats write them: RFC 3339 in UTC, such as
//! `2026-08-24T06:00:00Z`. Pure text conversion; it never reads the clock.

use crate::error::DomainError;
use crate::values::Timestamp;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

impl Timestamp {
    /// RFC 3339 text of the timestamp, in UTC; the bare number of seconds for a time RFC 3339
    /// cannot write.
    pub fn rfc3339(self) -> String {
        OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|d| d.format(&Rfc3339).ok())
            .unwrap_or_else(|| self.0.to_string())
    }

    /// Parses an RFC 3339 timestamp such as `2026-08-24T06:00:00Z` (any offset; surrounding
    /// spaces ignored). `field` names the input in the refusal.
    pub fn parse_rfc3339(field: &'static str, text: &str) -> Result<Self, DomainError> {
        OffsetDateTime::parse(text.trim(), &Rfc3339)
            .map(|d| Timestamp(d.unix_timestamp()))
            .map_err(|_| {
                DomainError::invalid(
                    field,
                    "expected an RFC 3339 time such as 2026-08-24T06:00:00Z",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_text_round_trips_in_utc() {
        let t = Timestamp(1_787_551_200);
        assert_eq!(t.rfc3339(), "2026-08-24T06:00:00Z");
        assert_eq!(Timestamp::parse_rfc3339("at", &t.rfc3339()), Ok(t));
        assert_eq!(
            Timestamp::parse_rfc3339("at", " 2026-08-24T08:00:00+02:00 "),
            Ok(t)
        );
    }

    #[test]
    fn text_that_is_no_rfc3339_time_is_refused_naming_the_field() {
        let e = Timestamp::parse_rfc3339("start", "24/08/2026").unwrap_err();
        assert_eq!(
            e.to_string(),
            "start: expected an RFC 3339 time such as 2026-08-24T06:00:00Z"
        );
    }
}
