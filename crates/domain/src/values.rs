//! Validated values. Each is parsed once at the edge; once a value has its type it is valid
//! everywhere.

use crate::error::DomainError;
use crate::expected::Expected;
use crate::string_value::string_value;
use serde::{Deserialize, Serialize};

/// Maps Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII digits.
pub fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
        '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
        _ => None,
    }
}

/// A telephone number in E.164 form (`+` and 8 to 15 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// What a phone number is expected to look like.
fn phone_form() -> Expected {
    Expected::Form {
        form: "a phone number of 8 to 15 digits that starts with +, 00 or a national 0".to_string(),
    }
}

impl PhoneNumber {
    /// The country calling code assumed for national numbers (`07xx…`): Afghanistan.
    pub const DEFAULT_COUNTRY_CODE: &'static str = "93";

    /// Parses a number as people type it: `+93…`, `0093…`, `07xx xxx xxx`, with spaces,
    /// dashes, dots or brackets, in ASCII, Persian or Arabic-Indic digits.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        Self::parse_with_country(input, Self::DEFAULT_COUNTRY_CODE)
    }

    pub fn parse_with_country(input: &str, country_code: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        let mut digits = String::with_capacity(trimmed.len());
        let mut plus = false;
        for (i, c) in trimmed.chars().enumerate() {
            if let Some(d) = ascii_digit(c) {
                digits.push(d);
            } else if c == '+' && i == 0 {
                plus = true;
            } else if matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{00A0}') {
                continue;
            } else {
                return Err(DomainError::expected(
                    "phone",
                    Expected::Form {
                        form: format!(
                            "digits, spaces and a leading + in a phone number, not {c:?}"
                        ),
                    },
                ));
            }
        }
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if let Some(rest) = digits.strip_prefix('0') {
            format!("{country_code}{rest}")
        } else {
            return Err(DomainError::expected("phone", phone_form()));
        };
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(DomainError::expected("phone", phone_form()));
        }
        Ok(PhoneNumber(format!("+{international}")))
    }
}

string_value!(PhoneNumber: as_str, parse, into, display);

/// An identity document number, normalised: ASCII letters upper-cased, digits in ASCII,
/// separators (spaces, dashes, dots, slashes) removed. `1401-9615-82972` becomes
/// `1401961582972`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentNumber(String);

impl DocumentNumber {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let mut out = String::with_capacity(input.len());
        for c in input.trim().chars() {
            if let Some(d) = ascii_digit(c) {
                out.push(d);
            } else if c.is_ascii_alphabetic() {
                out.push(c.to_ascii_uppercase());
            } else if matches!(c, ' ' | '-' | '.' | '/') {
                continue;
            } else {
                return Err(DomainError::expected(
                    "document_number",
                    Expected::Form {
                        form: format!("letters and digits in a document number, not {c:?}"),
                    },
                ));
            }
        }
        if !(5..=24).contains(&out.len()) {
            return Err(DomainError::expected(
                "document_number",
                Expected::Form {
                    form: "5 to 24 letters and digits in a document number".to_string(),
                },
            ));
        }
        Ok(DocumentNumber(out))
    }
}

string_value!(DocumentNumber: as_str, parse, into);

/// A WGS84 position in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCoordinate", into = "RawCoordinate")]
pub struct Coordinate {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoordinate {
    lat: f64,
    lon: f64,
}

impl Coordinate {
    pub fn new(lat: f64, lon: f64) -> Result<Self, DomainError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(DomainError::expected(
                "lat",
                Expected::Form {
                    form: format!("a latitude from -90 to 90, not {lat}"),
                },
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(DomainError::expected(
                "lon",
                Expected::Form {
                    form: format!("a longitude from -180 to 180, not {lon}"),
                },
            ));
        }
        Ok(Coordinate { lat, lon })
    }
    pub fn lat(&self) -> f64 {
        self.lat
    }
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance in metres.
    pub fn distance_m(&self, other: &Coordinate) -> f64 {
        let r = 6_371_000.0_f64;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * r * a.sqrt().asin()
    }
}

impl TryFrom<RawCoordinate> for Coordinate {
    type Error = DomainError;
    fn try_from(r: RawCoordinate) -> Result<Self, DomainError> {
        Coordinate::new(r.lat, r.lon)
    }
}
impl From<Coordinate> for RawCoordinate {
    fn from(c: Coordinate) -> Self {
        RawCoordinate {
            lat: c.lat,
            lon: c.lon,
        }
    }
}

/// Seconds since the Unix epoch, UTC. The domain never reads a clock: callers pass the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

pub use crate::text::Text;

/// A person's name, in Latin script and, where known, in the person's own script.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PersonName {
    latin: Text,
    native: Option<Text>,
}

impl PersonName {
    pub fn new(latin: &str, native: Option<&str>) -> Result<Self, DomainError> {
        let latin = Text::parse("name", latin, 120)?;
        let native = match native.map(str::trim).filter(|s| !s.is_empty()) {
            Some(n) => Some(Text::parse("name_native", n, 120)?),
            None => None,
        };
        Ok(PersonName { latin, native })
    }
    /// A name the store wrote earlier, taken as it was written (see [`Text::from_stored`]).
    pub fn from_stored(latin: String, native: Option<String>) -> Self {
        PersonName {
            latin: Text::from_stored(latin),
            native: native.map(Text::from_stored),
        }
    }
    pub fn latin(&self) -> &str {
        self.latin.as_str()
    }
    pub fn native(&self) -> Option<&str> {
        self.native.as_ref().map(Text::as_str)
    }
}

/// A date of birth, often known only to the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BirthDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

impl BirthDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, in ASCII, Persian or Arabic-Indic digits.
    /// Years before 1900 or after 2100 are refused.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let form = |form: String| DomainError::expected("birth_date", Expected::Form { form });
        let bad = || form("YYYY, YYYY-MM or YYYY-MM-DD".to_string());
        let ascii: String = input
            .trim()
            .chars()
            .map(|c| ascii_digit(c).unwrap_or(c))
            .collect();
        let mut parts = ascii.split('-');
        let year: u16 = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        if !(1900..=2100).contains(&year) {
            return Err(form(format!("a year from 1900 to 2100, not {year}")));
        }
        let month: Option<u8> = parts
            .next()
            .map(|m| m.parse().map_err(|_| bad()))
            .transpose()?;
        let day: Option<u8> = parts
            .next()
            .map(|d| d.parse().map_err(|_| bad()))
            .transpose()?;
        if parts.next().is_some() {
            return Err(bad());
        }
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(form(format!("a month from 01 to 12, not {m:02}")));
        }
        if let (Some(m), Some(d)) = (month, day) {
            let leap =
                year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
            let days = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if !(1..=days).contains(&d) {
                return Err(form(format!(
                    "a day of month {m:02} from 01 to {days}, not {d:02}"
                )));
            }
        }
        Ok(BirthDate { year, month, day })
    }

    pub fn from_year(year: u16) -> Result<Self, DomainError> {
        BirthDate::parse(&year.to_string())
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    /// Whether this date is after the day `on` falls on anywhere on Earth (its day at UTC+14,
    /// the easternmost zone), whatever its unknown month and day: nobody registered at `on`
    /// was born then, and a child born today where the household is, east of UTC, is not
    /// refused.
    pub fn is_after(&self, on: Timestamp) -> bool {
        const EASTERNMOST_SECONDS: i64 = 14 * 3600;
        let Ok(day) = time::OffsetDateTime::from_unix_timestamp(on.0 + EASTERNMOST_SECONDS) else {
            return false;
        };
        let earliest = (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1));
        let today = (day.year(), u8::from(day.month()), day.day());
        (i32::from(earliest.0), earliest.1, earliest.2) > today
    }

    /// Whether someone born on this date may be younger than `years` on `on`: with only the
    /// year (or year and month) known, the youngest age the date allows decides.
    pub fn may_be_younger_than(&self, years: u16, on: Timestamp) -> bool {
        let Ok(day) = time::OffsetDateTime::from_unix_timestamp(on.0) else {
            return false;
        };
        let (year, month, date) = (day.year(), u8::from(day.month()), day.day());
        let mut age = year - i32::from(self.year);
        let birthday_to_come = match (self.month, self.day) {
            (Some(m), Some(d)) => (month, date) < (m, d),
            // Born some day of month `m`: the birthday may be at its end.
            (Some(m), None) => month <= m,
            // Born some day of the year: the birthday may be on 31 December.
            _ => true,
        };
        if birthday_to_come {
            age -= 1;
        }
        age < i32::from(years)
    }
}

string_value!(BirthDate: parse);

impl From<BirthDate> for String {
    fn from(b: BirthDate) -> String {
        match (b.month, b.day) {
            (Some(m), Some(d)) => format!("{:04}-{:02}-{:02}", b.year, m, d),
            (Some(m), None) => format!("{:04}-{:02}", b.year, m),
            _ => format!("{:04}", b.year),
        }
    }
}

/// An ISO 3166-1 alpha-2 or alpha-3 country code, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let t = input.trim();
        if !(2..=3).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(DomainError::expected(
                "country",
                Expected::Form {
                    form: "an ISO 3166 country code such as AF or AFG".to_string(),
                },
            ));
        }
        Ok(CountryCode(t.to_ascii_uppercase()))
    }
}

string_value!(CountryCode: as_str, parse, into);

/// A language of the people served.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "fr")]
    French,
    /// Dari (Afghan Persian). `fa` and `fa-AF`, which many phones and spreadsheets use for
    /// it, are read as Dari; it is always written `prs`.
    #[serde(rename = "prs", alias = "fa", alias = "fa-AF", alias = "fa-af")]
    Dari,
    #[serde(rename = "ps")]
    Pashto,
    #[serde(rename = "ar")]
    Arabic,
    #[serde(rename = "uk")]
    Ukrainian,
}

impl Language {
    pub fn is_right_to_left(self) -> bool {
        matches!(self, Language::Dari | Language::Pashto | Language::Arabic)
    }
}

#[cfg(test)]
mod minor_tests {
    use super::{BirthDate, Timestamp};

    fn on(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339("at", &format!("{text}T12:00:00Z")).unwrap()
    }

    fn minor(born: &str, day: &str) -> bool {
        BirthDate::parse(born)
            .unwrap()
            .may_be_younger_than(18, on(day))
    }

    #[test]
    fn a_date_of_birth_may_be_written_in_persian_or_arabic_indic_digits() {
        let date = |text: &str| String::from(BirthDate::parse(text).unwrap());
        assert_eq!(date("۱۹۸۴-۰۳-۲۱"), "1984-03-21");
        assert_eq!(date("١٩٨٤"), "1984");
        assert!(BirthDate::parse("۱۳۶۲").is_err(), "a solar year is refused");
    }

    #[test]
    fn a_date_of_birth_is_after_a_day_only_when_its_earliest_day_is() {
        let date = |text: &str| BirthDate::parse(text).unwrap();
        // Noon UTC: already the 28th at UTC+14, not yet the 29th anywhere.
        let today = on("2026-11-27");
        assert!(!date("2026").is_after(today));
        assert!(!date("2026-11").is_after(today));
        assert!(!date("2026-11-27").is_after(today));
        assert!(!date("2026-11-28").is_after(today));
        assert!(date("2026-11-29").is_after(today));
        assert!(date("2026-12").is_after(today));
        assert!(date("2027").is_after(today));
        assert!(date("2035-01-01").is_after(today));
    }

    #[test]
    fn a_full_date_of_birth_decides_to_the_day() {
        assert!(minor("2008-06-15", "2026-06-14"));
        assert!(!minor("2008-06-15", "2026-06-15"));
        assert!(minor("2015-01-01", "2026-11-25"));
        assert!(!minor("1988-03-02", "2026-11-25"));
    }

    #[test]
    fn a_year_or_month_alone_counts_the_youngest_age_it_allows() {
        // Born some day of 2008: on 25 November 2026 possibly still 17.
        assert!(minor("2008", "2026-11-25"));
        assert!(!minor("2007", "2026-11-25"));
        // Born some day of November 2008: possibly 17 until November ends.
        assert!(minor("2008-11", "2026-11-25"));
        assert!(!minor("2008-11", "2026-12-01"));
    }
}
